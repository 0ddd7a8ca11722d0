"""What every chain backend shares: the project's ABIs, encoding, decoding, deployment, the clock.

A backend (``Chain`` on anvil over JSON-RPC, ``RevmChain`` in process) adds how transactions
are mined, how calls run and the node controls; everything here is backend-neutral and runs
no RPC: web3.py is used offline, for ABI encoding only.
"""

from __future__ import annotations

import contextlib
from typing import Any
from collections.abc import Callable, Iterator, Sequence

from web3 import Web3
from web3.contract.contract import ContractFunction

from defidrill.chain.abi_registry import AbiRegistry, checksum as to_checksum_address, decode_values
from defidrill.chain.calldata import fast_calldata
from defidrill.chain.types import Deployed, PreparedCall, Receipt, TxIntent, TxRequest
from defidrill.errors import ChainError
from defidrill.toolchain import Artifact, Artifacts


class ChainBase:
    """Encoding, decoding and deployment over a backend's ``send_many`` / ``call_many`` (a mixin:
    the backend class defines those, the clock and snapshots; see ``ChainBackend``)."""

    accounts: list[str]

    def __init__(self, artifacts: Artifacts, w3: Web3) -> None:
        self.artifacts = artifacts
        self.w3 = w3
        self.registry = AbiRegistry()
        for artifact in self.artifacts.by_name.values():
            self.registry.add(artifact.name, artifact.abi)
        #: Contracts from outside the project's compilation (npm packages' artifacts, linked at deploy).
        self.foreign_artifacts: dict[str, Artifact] = {}

    @property
    def deployer(self) -> str:
        return self.accounts[0]

    # ----------------------------------------------------------------- contracts
    def register(self, *artifacts: Artifact) -> None:
        """Make foreign contracts deployable and usable by name (``at``, ``deploy``), and decode their
        events and errors in every receipt and revert. A name the project's own contracts use is refused."""
        for artifact in artifacts:
            if artifact.name in self.artifacts:
                raise ChainError(f"cannot register {artifact.name} from {artifact.source}: the project has a "
                                 f"contract of that name ({self.artifacts.get(artifact.name).source})")
            self.foreign_artifacts[artifact.name] = artifact
            self.registry.add(artifact.name, artifact.abi)

    def _artifact(self, name: str) -> Artifact:
        foreign = self.foreign_artifacts.get(name)
        return foreign if foreign is not None else self.artifacts.get(name)

    def at(self, name: str, address: str) -> Deployed:
        artifact = self._artifact(name)
        address = to_checksum_address(address)
        return Deployed(name, address, artifact.abi, self.w3.eth.contract(address=address, abi=artifact.abi))

    def deploy_tx(self, name: str, *args: Any, sender: str | None = None, gas: int | None = None) -> TxRequest:
        artifact = self._artifact(name)
        if not artifact.deployable:
            raise ChainError(f"{name} has no bytecode (an interface or abstract contract) and cannot be deployed")
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = factory.constructor(*args).data_in_transaction
        return TxRequest(sender or self.deployer, None, data, gas=gas, label=f"deploy {name}")

    def deploy(self, name: str, *args: Any, sender: str | None = None, gas: int | None = None) -> Deployed:
        receipt = self.send(self.deploy_tx(name, *args, sender=sender, gas=gas))
        assert receipt.contract_address is not None
        return self.at(name, receipt.contract_address)

    def deploy_many(self, items: Sequence[tuple[str, Sequence[Any]]], *, sender: str | None = None,
                    gas: int | None = None) -> list[Deployed]:
        """Deploy contracts in one batch, in order (give ``gas`` when a constructor needs an earlier one)."""
        txs = [self.deploy_tx(name, *args, sender=sender, gas=gas) for name, args in items]
        receipts = self.send_many(txs)
        return [self.at(name, r.contract_address or "") for (name, _), r in zip(items, receipts)]

    # ----------------------------------------------------------------- encoding
    @staticmethod
    def encode(fn: ContractFunction) -> tuple[str, str]:
        """(to, calldata) of a bound contract function call."""
        return str(fn.address), fast_calldata(fn) or fn._encode_transaction_data()

    def tx(self, fn: ContractFunction, *, sender: str | None = None, value_wei: int = 0, gas: int | None = None,
           gas_price_wei: int | None = None, label: str = "", agent: str = "",
           priority_fee_wei: int | None = None, intent: TxIntent | None = None) -> TxRequest:
        to, data = self.encode(fn)
        return TxRequest(sender or self.deployer, to, data, value_wei, gas, gas_price_wei, label or fn.fn_name,
                         agent, priority_fee_wei, intent)

    @classmethod
    def prepare(cls, fn: ContractFunction, decoder: Callable[[bytes], Any] | None = None) -> PreparedCall:
        """Encode a call once to send it many times (a drill reads the same views every step)."""
        to, data = cls.encode(fn)
        return PreparedCall(fn.fn_name, to, data, fn.abi.get("outputs", []), decoder)

    def _decode_output(self, fn: ContractFunction | PreparedCall, data_hex: str) -> Any:
        if isinstance(fn, PreparedCall) and fn.decoder is not None:
            return fn.decoder(bytes.fromhex(data_hex[2:]))
        outputs = fn.outputs if isinstance(fn, PreparedCall) else fn.abi.get("outputs", [])
        values = decode_values(outputs, bytes.fromhex(data_hex[2:]))
        if len(values) == 1:
            return values[0]
        return tuple(values)

    # ----------------------------------------------------------------- calls
    def call(self, fn: ContractFunction, *, sender: str | None = None, block: str | int = "latest") -> Any:
        return self._call_result(self.call_many([fn], sender=sender, block=block)[0])

    @staticmethod
    def _call_result(result: Any) -> Any:
        if isinstance(result, ChainError):
            raise result
        return result

    # ----------------------------------------------------------------- transactions
    def transact(self, fn: ContractFunction, *, sender: str | None = None, value_wei: int = 0,
                 gas: int | None = None) -> Receipt:
        """Send one call as a transaction, mine it, raise RevertError (decoded) if it reverts."""
        return self.send(self.tx(fn, sender=sender, value_wei=value_wei, gas=gas))

    def send(self, tx: TxRequest) -> Receipt:
        receipt = self.send_many([tx])[0]
        return receipt

    def logs(self, from_block: int = 0, to_block: int | str = "latest", address: str | list[str] | None = None,
             topics: list[str | None] | None = None) -> list[dict[str, Any]]:
        """Every log in a block range, decoded where an ABI knows it (``{"event": None, "raw": log}`` otherwise)."""
        decoded = []
        for log in self.raw_logs(from_block, to_block, address=address, topics=topics):
            event = self.registry.decode_log(log)
            decoded.append(event if event is not None else {"event": None, "raw": log})
        return decoded

    def events(self, receipt: Receipt, deployed: Deployed | None, name: str) -> list[dict[str, Any]]:
        return receipt.events_named(name, deployed.address if deployed else None)


    # ----------------------------------------------------------------- snapshots and the clock
    @contextlib.contextmanager
    def isolated(self) -> Iterator[None]:
        """Everything inside runs on a snapshot that is reverted on exit."""
        snap = self.snapshot()
        try:
            yield
        finally:
            self.revert(snap)

    def advance(self, seconds: int, blocks: int = 1) -> int:
        """Move time forward by ``seconds`` over ``blocks`` mined blocks; returns the new timestamp.

        The clock of a drill: seconds and blocks advance together, each block
        ``seconds // blocks`` apart, the last landing exactly on ``now + seconds``.
        """
        if blocks < 1 or seconds < blocks:
            raise ValueError(f"advance needs blocks >= 1 and seconds >= blocks (got {seconds} s, {blocks} blocks)")
        target = self.timestamp() + int(seconds)
        if blocks > 1:
            self.mine(blocks - 1, int(seconds) // blocks)
        self.set_next_timestamp(target)
        self.mine(1)
        return target
