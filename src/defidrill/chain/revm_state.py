"""World state on in-process revm (PyPI ``pyrevm`` 0.3.7): execute, call, read, write, snapshot.

What pyrevm 0.3.7 does and what this module adds (measured here):
- ``message_call`` runs a transaction without its transaction-level bookkeeping: no nonce bump,
  no fee charged, no tip paid. ``apply`` does all three, as a node does.
- ``deploy`` does charge fees when given a gas price, so it runs at price 0 and ``apply`` charges.
- pyrevm never finalizes its journal: an account or slot touched once stays warm for every later
  transaction, with the first value ever loaded as its "original value". So EIP-2929 cold
  surcharges and EIP-2200/3529 SSTORE prices differ from a node's, and ``gas_used`` is lower
  than anvil's for a slot touched before. No call in its API moves state into the database
  underneath (``insert_account_storage`` is itself a journaled SSTORE), so this cannot be fixed
  from Python: results, state and logs are identical; gas (and so fees) are not.
- Snapshots are pyrevm's journal checkpoints; reverting one also drops every later one (anvil's rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env

from defidrill.errors import ChainError

_FAILURE = re.compile(r"^(Revert|Halt) \{ (?:reason: (.*?), )?gas_used: (\d+)(?:, output: (0x[0-9a-f]*))? \}$")


@dataclass(frozen=True)
class Execution:
    """One transaction or call as revm ran it."""

    success: bool
    gas_used: int
    output: bytes
    logs: list[tuple[str, list[str], bytes]] = field(repr=False)
    created: str | None = None
    halt_reason: str | None = None


class RevmState:
    """The EVM and its state; every mutation goes through here."""

    def __init__(self, *, chain_id: int, gas_limit: int, spec_id: str = "CANCUN") -> None:
        self.evm = EVM(env=Env(cfg=CfgEnv(chain_id=chain_id), block=BlockEnv(gas_limit=gas_limit)),
                       gas_limit=gas_limit, spec_id=spec_id)
        self.gas_limit = gas_limit
        self._checkpoints: list[object] = []

    def set_block(self, *, number: int, timestamp: int, coinbase: str) -> None:
        """NUMBER, TIMESTAMP, COINBASE and GASLIMIT of the next executions (pyrevm always runs
        with BASEFEE 0: it overwrites the block's base fee; no contract of ours reads it)."""
        self.evm.set_block_env(BlockEnv(number=number, timestamp=timestamp, coinbase=coinbase,
                                        gas_limit=self.gas_limit))

    # ----------------------------------------------------------------- execution
    def _run(self, sender: str, to: str | None, data: bytes, value_wei: int, gas: int,
             gas_price_wei: int) -> Execution:
        created: str | None = None
        try:
            if to is None:
                created = self.evm.deploy(sender, data, value=value_wei, gas=gas, gas_price=0)
                output = b""
            else:
                output = bytes(self.evm.message_call(sender, to, data, value=value_wei, gas=gas,
                                                     gas_price=gas_price_wei))
        except RuntimeError as exc:
            match = _FAILURE.match(str(exc))
            if match is None:  # refused before execution (validation): no gas used, no state change
                raise ChainError(f"revm refused the transaction: {exc}", method="revm_transact") from exc
            kind, reason, gas_used, out = match.groups()
            return Execution(False, int(gas_used), bytes.fromhex(out[2:]) if out else b"", [],
                             halt_reason=reason if kind == "Halt" else None)
        result = self.evm.result
        logs = [(str(log.address), list(log.topics), bytes(log.data[1])) for log in result.logs]
        return Execution(True, int(result.gas_used), output, logs, created=created)

    def call(self, sender: str, to: str, data: bytes, *, gas: int, value_wei: int = 0) -> Execution:
        """eth_call: run on a checkpoint and throw the state away."""
        checkpoint = self.evm.snapshot()
        try:
            return self._run(sender, to, data, value_wei, gas, 0)
        finally:
            self.evm.revert(checkpoint)

    def apply(self, sender: str, to: str | None, data: bytes, *, value_wei: int, gas: int, gas_price_wei: int,
              floor_gas: int, coinbase: str, tip_wei_per_gas: int) -> Execution:
        """A mined transaction: run it and keep its state; bump the sender's nonce (revm does it
        itself for a create), charge it ``gas x gas_price_wei`` and pay the coinbase its tip, where
        ``gas`` is the execution's, or the EIP-7623 calldata floor when that is higher (Prague)."""
        execution = self._run(sender, to, data, value_wei, gas, gas_price_wei)
        gas_used = max(execution.gas_used, floor_gas)
        info = self.evm.basic(sender)
        self.evm.insert_account_info(sender, AccountInfo(balance=int(info.balance) - gas_used * gas_price_wei,
                                                         nonce=int(info.nonce) + (1 if to is not None else 0)))
        if tip_wei_per_gas:
            self.evm.set_balance(coinbase, int(self.evm.get_balance(coinbase)) + gas_used * tip_wei_per_gas)
        return Execution(execution.success, gas_used, execution.output, execution.logs, execution.created,
                         execution.halt_reason)

    # ----------------------------------------------------------------- reads and writes outside transactions
    def balance(self, address: str) -> int:
        return int(self.evm.get_balance(address))

    def nonce(self, address: str) -> int:
        return int(self.evm.basic(address).nonce)

    def code(self, address: str) -> bytes:
        return bytes(self.evm.get_code(address) or b"")

    def storage(self, address: str, slot: int) -> int:
        return int(self.evm.storage(address, slot))

    def set_balance(self, address: str, wei: int) -> None:
        self.evm.set_balance(address, wei)

    def set_code(self, address: str, code: bytes) -> None:
        info = self.evm.basic(address)
        self.evm.insert_account_info(address, AccountInfo(balance=int(info.balance), nonce=int(info.nonce),
                                                          code=code or None))

    def set_storage(self, address: str, slot: int, value: int) -> None:
        self.evm.insert_account_storage(address, slot, value)

    # ----------------------------------------------------------------- snapshots
    def snapshot(self) -> int:
        self._checkpoints.append(self.evm.snapshot())
        return len(self._checkpoints) - 1

    def revert(self, index: int) -> bool:
        """Back to snapshot ``index``; it and every later one are used up. False if unknown."""
        if not 0 <= index < len(self._checkpoints):
            return False
        while len(self._checkpoints) > index:
            self.evm.revert(self._checkpoints.pop())
        return True
