"""anvil's test controls (automine, mining, time, snapshots, balances, storage) for ``Chain``.

A mixin: ``Chain`` owns the RPC client (``self.rpc``) and the automine flag; these methods
are the node-control half of its API, kept apart from transactions and calls.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Mapping

from defidrill.chain.rpc import RpcClient, hex_int as _int
from defidrill.errors import ChainError


class AnvilControls:
    rpc: RpcClient
    _automine: bool

    def set_automine(self, enabled: bool) -> None:
        self.rpc.request("evm_setAutomine", [enabled])
        self._automine = enabled

    @property
    def automine(self) -> bool:
        return self._automine

    def mine(self, blocks: int = 1, interval_s: int | None = None) -> None:
        params: list[Any] = [hex(blocks)]
        if interval_s is not None:
            params.append(hex(interval_s))
        self.rpc.request("anvil_mine", params)

    def block_number(self) -> int:
        return _int(self.rpc.request("eth_blockNumber"))

    def timestamp(self) -> int:
        """Timestamp of the latest block."""
        block = self.rpc.request("eth_getBlockByNumber", ["latest", False])
        return _int(block["timestamp"])

    def set_block_interval(self, seconds: int) -> None:
        """Every new block is stamped ``seconds`` after the previous one, whatever the wall clock says."""
        self.rpc.request("anvil_setBlockTimestampInterval", [int(seconds)])

    def set_next_timestamp(self, ts: int) -> None:
        self.rpc.request("evm_setNextBlockTimestamp", [int(ts)])

    def snapshot(self) -> str:
        return str(self.rpc.request("evm_snapshot"))

    def revert(self, snapshot_id: str) -> None:
        if not self.rpc.request("evm_revert", [snapshot_id]):
            raise ChainError(f"evm_revert to {snapshot_id} refused (already used or unknown)", method="evm_revert")

    def set_balance(self, address: str, wei: int) -> None:
        self.rpc.request("anvil_setBalance", [address, hex(wei)])

    def set_balances(self, balances_wei: Mapping[str, int]) -> None:
        """Many balances in one batch (seeding gives every agent gas money)."""
        replies = self.rpc.batch([("anvil_setBalance", [a, hex(w)]) for a, w in balances_wei.items()])
        failed = [r for r in replies if not r.ok]
        if failed:
            raise ChainError(f"anvil_setBalance failed: {failed[0].error}", method="anvil_setBalance", raw=failed[0].error)

    def balance(self, address: str) -> int:
        return _int(self.rpc.request("eth_getBalance", [address, "latest"]))

    def impersonate(self, address: str) -> None:
        self.rpc.request("anvil_impersonateAccount", [address])

    def stop_impersonating(self, address: str) -> None:
        self.rpc.request("anvil_stopImpersonatingAccount", [address])

    def set_storage(self, address: str, slot: int, value: int) -> None:
        self.rpc.request("anvil_setStorageAt", [address, hex(slot), "0x" + value.to_bytes(32, "big").hex()])

    def get_storage(self, address: str, slot: int) -> int:
        return _int(self.rpc.request("eth_getStorageAt", [address, hex(slot), "latest"]))

    def set_code(self, address: str, code: str) -> None:
        self.rpc.request("anvil_setCode", [address, code])
