"""anvil's test controls (automine, mining, time, snapshots, balances, storage, code) for ``Chain``.

The node-control half of the anvil backend's ``ChainAPI``, kept apart from transactions and calls
(``chain.py``): still abstract here; ``Chain`` adds the rest and owns the RPC client (``self.rpc``)
and the automine flag.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Mapping

from defidrill.chain.api import ChainAPI
from defidrill.chain.rpc import RpcClient, RpcReply, hex_int as _int
from defidrill.errors import ChainError


#: Reads that ride along in posts made anyway (``Chain.send_block``'s last post, ``Chain.call_many``'s batch),
#: so that the step's next question about the head costs no post of its own.
HEAD_READS: list[tuple[str, list[Any]]] = [("eth_getBlockByNumber", ["latest", False]), ("eth_feeHistory", ["0x1", "latest", []])]


class AnvilControls(ChainAPI):
    rpc: RpcClient
    _automine: bool
    _snapshot_fees_wei: dict[str, int]  # the next base fee at each live snapshot (``snapshot``)
    _remembered: dict[str, tuple[int, Any]]  # "head" / "next_fee" -> (rpc.posts when read, the value)
    #: Whether reads are recalled at all: only on a node this process launched (``Chain.launch``), whose only
    #: writer is this client; an attached node (``Chain.attach``) may have others, so it is always asked.
    _recall_reads: bool

    def remember(self, key: str, value: Any) -> None:
        """Keep a read (the latest block, the next base fee) until the next post to the node."""
        self._remembered[key] = (self.rpc.posts, value)

    def recalled(self, key: str) -> Any:
        """A read kept by ``remember`` while no post has gone to the node since (None otherwise, and always on
        an attached node): with no other writer, nothing can have changed it."""
        kept = self._remembered.get(key) if self._recall_reads else None
        return kept[1] if kept is not None and kept[0] == self.rpc.posts else None

    def remember_head(self, block: RpcReply, fee_history: RpcReply | None = None) -> None:
        """The replies of ``HEAD_READS`` (or the block alone), read in the post just made."""
        if block.ok and isinstance(block.result, dict):
            self.remember("head", block.result)
        if fee_history is not None and fee_history.ok and isinstance(fee_history.result, dict):
            self.remember("next_fee", _int(fee_history.result["baseFeePerGas"][-1]))

    def head(self) -> dict[str, Any]:
        """The latest block's header fields as the node gives them (remembered, or one post)."""
        block = self.recalled("head")
        if block is None:
            block = self.rpc.request("eth_getBlockByNumber", ["latest", False])
            self.remember("head", block)
        return dict(block)

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
        return _int(self.head()["timestamp"])

    def set_block_interval(self, seconds: int) -> None:
        """Every new block is stamped ``seconds`` after the previous one, whatever the wall clock says."""
        self.rpc.request("anvil_setBlockTimestampInterval", [int(seconds)])

    def set_block_gas_limit(self, gas: int) -> None:
        """The gas limit of every block from the next one (anvil_setBlockGasLimit)."""
        if not self.rpc.request("anvil_setBlockGasLimit", [hex(gas)]):
            raise ChainError(f"anvil refused a block gas limit of {gas}", method="anvil_setBlockGasLimit")

    def next_base_fee_wei(self) -> int:
        """The base fee of the next block, as the node computes it (EIP-1559 from the latest block's gas)."""
        fee_wei = self.recalled("next_fee")
        if fee_wei is None:
            history = self.rpc.request("eth_feeHistory", [hex(1), "latest", []])
            fee_wei = _int(history["baseFeePerGas"][-1])
        return int(fee_wei)

    def set_next_base_fee(self, wei: int) -> None:
        """The next block's base fee (anvil_setNextBlockBaseFeePerGas); EIP-1559 resumes after it."""
        self.rpc.request("anvil_setNextBlockBaseFeePerGas", [hex(wei)])

    def set_next_timestamp(self, ts: int) -> None:
        self.rpc.request("evm_setNextBlockTimestamp", [int(ts)])

    def snapshot(self) -> str:
        """evm_snapshot, remembering the next block's base fee: anvil's evm_revert restores the state, the
        blocks and the clock but not its fee tracker (measured: a block mined inside and reverted leaves the
        next base fee 12.5% lower), and a snapshot must leave no trace (revm's restores it too)."""
        fee_wei = self.next_base_fee_wei()
        snapshot_id = str(self.rpc.request("evm_snapshot"))
        self._snapshot_fees_wei[snapshot_id] = fee_wei
        return snapshot_id

    def revert(self, snapshot_id: str) -> None:
        if not self.rpc.request("evm_revert", [snapshot_id]):
            raise ChainError(f"evm_revert to {snapshot_id} refused (already used or unknown)", method="evm_revert")
        fee_wei = self._snapshot_fees_wei.get(snapshot_id)
        for later in [k for k in self._snapshot_fees_wei if _int(k) >= _int(snapshot_id)]:
            del self._snapshot_fees_wei[later]  # anvil drops the snapshot and every later one
        if fee_wei is not None and fee_wei != self.next_base_fee_wei():
            self.set_next_base_fee(fee_wei)

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

    def set_storages(self, address: str, values_by_slot: Mapping[int, int]) -> None:
        """Many anvil_setStorageAt in one batch."""
        replies = self.rpc.batch([("anvil_setStorageAt", [address, hex(slot), "0x" + value.to_bytes(32, "big").hex()])
                                  for slot, value in values_by_slot.items()])
        failed = [r for r in replies if not r.ok]
        if failed:
            raise ChainError(f"anvil_setStorageAt failed: {failed[0].error}", method="anvil_setStorageAt",
                             raw=failed[0].error)

    def get_storage(self, address: str, slot: int) -> int:
        return _int(self.rpc.request("eth_getStorageAt", [address, hex(slot), "latest"]))

    def set_code(self, address: str, code: str) -> None:
        self.rpc.request("anvil_setCode", [address, code])

    def code_at(self, address: str) -> str:
        return str(self.rpc.request("eth_getCode", [address, "latest"]))

    def creation_output(self, creation_code: str) -> str:
        return str(self.rpc.request("eth_call", [{"data": creation_code}, "latest"]))
