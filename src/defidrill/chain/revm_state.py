"""World state on in-process revm (PyPI ``pyrevm`` 0.3.7): execute, call, read, write, snapshot, with a node's gas.

pyrevm 0.3.7 never finalizes a transaction: what one transaction touched stays in its journal,
warm, with the first value ever loaded as each slot's "original value", so EIP-2929 cold
surcharges and EIP-2200/3529 SSTORE prices come out lower than a node's (a second ERC20 mint:
24,627 gas against anvil's 36,227). What this module does instead (measured here against anvil
1.7.1, tests/chain/test_backends.py):

- The journal holds nothing between operations. Every transaction runs on a journal checkpoint;
  its changes are read off the journal (``journal_str``: the accounts whose balance, nonce or code
  moved and the slots written, with their values before the transaction), the checkpoint is
  reverted (revm 8 then forgets every account and slot it loaded: all cold again), and the
  changes are written into the in-memory database beneath (``insert_account_info`` and
  ``insert_account_storage`` on an account not in the journal go straight to that database).
  The next transaction loads them afresh: cold, original value = the value after the previous
  transaction, as a node sees it. Precompiles, sender, recipient and coinbase are warm within a
  transaction (revm's own pre-execution). The coinbase is the one account left in the journal
  between transactions (revm loads it without a journal entry, so no revert drops it): it is warm
  in every transaction anyway (EIP-3651), and writes to its balance go to that journal entry.
- Reads outside transactions (balance, nonce, code, storage) would load accounts into the journal
  and so warm them: each runs on a checkpoint that is reverted.
- Code keeps revm's analysis: a deployed contract's ``AccountInfo`` (its analysed bytecode)
  is copied as is into the database; raw code (``set_code``) is deployed once through a tiny
  init code so it is analysed too (raw bytecode would be re-analysed at every call frame).
- ``message_call`` runs a transaction without its transaction-level bookkeeping (no nonce bump,
  no fee, no tip): ``apply`` writes all three with the changes.
- Snapshots are an undo log of those database writes (each write records the value it replaces
  while a snapshot is open); reverting one also drops every later one (anvil's rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eth_utils.crypto import keccak
from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env

from defidrill.errors import ChainError

_FAILURE = re.compile(r"^(Revert|Halt) \{ (?:reason: (.*?), )?gas_used: (\d+)(?:, output: (0x[0-9a-f]*))? \}$")
#: Journal entries (revm 8's Debug form) that change an account's balance, nonce or code.
_ACCOUNT_CHANGE = re.compile(r"(?:BalanceTransfer \{ from|NonceChange \{ address|AccountCreated \{ address|"
                             r"CodeChange \{ address|AccountDestroyed \{ address): (0x[0-9a-f]{40})(?:, to: (0x[0-9a-f]{40}))?"
                             r"(?:, target: (0x[0-9a-f]{40}))?")
#: A slot written (``had_value: Some``); a cold load is ``had_value: None``.
_SLOT_WRITE = re.compile(r"StorageChange \{ address: (0x[0-9a-f]{40}), key: (\d+), had_value: Some\((\d+)\) \}")
_JOURNAL_START = "journal: ["
#: Zero bytes revm 8 appends to analysed bytecode (so the interpreter can run off the end into STOP).
_ANALYSIS_PADDING = 33
_EMPTY_CODE_HASH = keccak(b"")
#: Init code prefix returning the code that follows it (length patched in): CODECOPY then RETURN.
_RETURN_REST = "61{n:04x}80600c6000396000f3"


@dataclass(frozen=True)
class Execution:
    """One transaction or call as revm ran it."""

    success: bool
    gas_used: int
    output: bytes
    logs: list[tuple[str, list[str], bytes]] = field(repr=False)
    created: str | None = None
    halt_reason: str | None = None


@dataclass(frozen=True)
class _Changes:
    """What one transaction changed: accounts as revm holds them after it, slots with (before, after)."""

    accounts: dict[str, AccountInfo]
    slots: dict[tuple[str, int], tuple[int, int]]


def _original_code(info: AccountInfo) -> bytes:
    """An account's code as deployed: revm's analysed bytecode carries 33 bytes of zero padding
    (``AccountInfo.code`` gives it padded), which the code hash, over the deployed bytes, tells apart."""
    code = bytes(info.code or b"")
    if info.code_hash == _EMPTY_CODE_HASH:
        return b""
    if len(code) >= _ANALYSIS_PADDING and keccak(code) != info.code_hash \
            and keccak(code[:-_ANALYSIS_PADDING]) == info.code_hash:
        return code[:-_ANALYSIS_PADDING]
    return code


class RevmState:
    """The EVM and its state; every mutation goes through here (see the module docstring)."""

    def __init__(self, *, chain_id: int, gas_limit: int, spec_id: str = "CANCUN") -> None:
        self.evm = EVM(env=Env(cfg=CfgEnv(chain_id=chain_id), block=BlockEnv(gas_limit=gas_limit)),
                       gas_limit=gas_limit, spec_id=spec_id)
        self.gas_limit = gas_limit
        #: (address, slot or None for the account, the value it replaced) per write, while a snapshot is open.
        self._undo: list[tuple[str, int | None, AccountInfo | int]] = []
        self._marks: list[int] = []

    def set_block(self, *, number: int, timestamp: int, coinbase: str) -> None:
        """NUMBER, TIMESTAMP, COINBASE and GASLIMIT of the next executions (pyrevm always runs
        with BASEFEE 0: it overwrites the block's base fee; no contract of ours reads it)."""
        self.evm.set_block_env(BlockEnv(number=number, timestamp=timestamp, coinbase=coinbase,
                                        gas_limit=self.gas_limit))

    # ----------------------------------------------------------------- execution
    def _run(self, sender: str, to: str | None, data: bytes, value_wei: int, gas: int,
             gas_price_wei: int) -> Execution:
        """Execute on the open checkpoint (the caller reverts it)."""
        created: str | None = None
        try:
            if to is None:
                created = self.evm.deploy(sender, data, value=value_wei, gas=gas)
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
        assert result is not None
        logs = [(str(log.address), list(log.topics), bytes(log.data[1])) for log in result.logs]
        return Execution(True, int(result.gas_used), output, logs, created=created)

    def _changes(self, also: tuple[str, ...]) -> _Changes:
        """The open checkpoint's changes, read off the journal (revm 8's Debug form; only the
        journal part is parsed: the state part before it holds every loaded contract's code)."""
        text = self.evm.journal_str
        journal = text[text.rindex(_JOURNAL_START):]
        addresses = dict.fromkeys(a.lower() for a in also)
        for match in _ACCOUNT_CHANGE.finditer(journal):
            for address in match.groups():
                if address is not None:
                    addresses[address] = None
        slots: dict[tuple[str, int], tuple[int, int]] = {}
        for address, key, before in _SLOT_WRITE.findall(journal):
            slot = (address, int(key))
            if slot not in slots:  # the first write's previous value is the value before the transaction
                slots[slot] = (int(before), 0)
        for (address, key), (before, _) in slots.items():
            slots[(address, key)] = (before, int(self.evm.storage(address, key)))
        return _Changes({a: self.evm.basic(a) for a in addresses}, slots)

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
        checkpoint = self.evm.snapshot()
        try:
            execution = self._run(sender, to, data, value_wei, gas, gas_price_wei)
            changes = self._changes((sender, coinbase))
        finally:
            self.evm.revert(checkpoint)
        gas_used = max(execution.gas_used, floor_gas)
        sender_key, coinbase_key = sender.lower(), coinbase.lower()
        accounts = changes.accounts
        payer = accounts[sender_key]
        accounts[sender_key] = AccountInfo(balance=int(payer.balance) - gas_used * gas_price_wei,
                                           nonce=int(payer.nonce) + (1 if to is not None else 0),
                                           code_hash=payer.code_hash)
        if tip_wei_per_gas:
            paid = accounts[coinbase_key]
            accounts[coinbase_key] = AccountInfo(balance=int(paid.balance) + gas_used * tip_wei_per_gas,
                                                 nonce=int(paid.nonce), code_hash=paid.code_hash)
        self._write(changes)
        return Execution(execution.success, gas_used, execution.output, execution.logs, execution.created,
                         execution.halt_reason)

    def creation_output(self, creation_code: bytes, sender: str) -> bytes:
        """What ``creation_code`` installs, run on a checkpoint that is thrown away."""
        checkpoint = self.evm.snapshot()
        try:
            created = self._run(sender, None, creation_code, 0, self.gas_limit, 0).created
            return _original_code(self.evm.basic(created)) if created else b""
        finally:
            self.evm.revert(checkpoint)

    # ----------------------------------------------------------------- the database beneath
    def _write(self, changes: _Changes) -> None:
        """Accounts first (a slot written to an account the database lacks would mark it non-existent)."""
        if self._marks:
            checkpoint = self.evm.snapshot()
            try:
                for address in changes.accounts:
                    self._undo.append((address, None, self.evm.basic(address)))
            finally:
                self.evm.revert(checkpoint)
            self._undo.extend((address, key, before) for (address, key), (before, _) in changes.slots.items())
        for address, info in changes.accounts.items():
            self.evm.insert_account_info(address, info)
        for (address, key), (_, after) in changes.slots.items():
            self._put_slot(address, key, after)

    def _put_slot(self, address: str, slot: int, value: int) -> None:
        """pyrevm writes a slot of an account outside the journal to the database, then loads the
        account into the journal: the checkpoint takes it out again."""
        checkpoint = self.evm.snapshot()
        self.evm.insert_account_storage(address, slot, value)
        self.evm.revert(checkpoint)

    def _info(self, address: str) -> AccountInfo:
        checkpoint = self.evm.snapshot()
        try:
            return self.evm.basic(address)
        finally:
            self.evm.revert(checkpoint)

    # ----------------------------------------------------------------- reads and writes outside transactions
    def balance(self, address: str) -> int:
        return int(self._info(address).balance)

    def nonce(self, address: str) -> int:
        return int(self._info(address).nonce)

    def code(self, address: str) -> bytes:
        checkpoint = self.evm.snapshot()
        try:
            self.evm.get_code(address)  # loads the code when the account names it by hash only
            return _original_code(self.evm.basic(address))
        finally:
            self.evm.revert(checkpoint)

    def storage(self, address: str, slot: int) -> int:
        checkpoint = self.evm.snapshot()
        try:
            return int(self.evm.storage(address, slot))
        finally:
            self.evm.revert(checkpoint)

    def set_balance(self, address: str, wei: int) -> None:
        info = self._info(address)
        self._write(_Changes({address.lower(): AccountInfo(balance=wei, nonce=int(info.nonce),
                                                           code_hash=info.code_hash)}, {}))

    def set_code(self, address: str, code: bytes) -> None:
        """Install runtime code, analysed: deployed from a throwaway sender on a checkpoint (init
        code returning ``code``) and that account's ``AccountInfo`` copied; raw code otherwise
        (over the EIP-170 size limit), which revm re-analyses at every call."""
        info = self._info(address)
        installed: AccountInfo | None = None
        if code:
            checkpoint = self.evm.snapshot()
            try:
                init = bytes.fromhex(_RETURN_REST.format(n=len(code))) + code
                result = self._run("0x" + "de" * 20, None, init, 0, self.gas_limit, 0)
                if result.created:
                    installed = self.evm.basic(result.created)
            finally:
                self.evm.revert(checkpoint)
        if installed is not None:
            # the analysed bytecode enters the database under its hash; the account names that hash
            self._write(_Changes({address.lower(): installed}, {}))
            self._write(_Changes({address.lower(): AccountInfo(balance=int(info.balance), nonce=int(info.nonce),
                                                               code_hash=installed.code_hash)}, {}))
        else:
            self._write(_Changes({address.lower(): AccountInfo(balance=int(info.balance), nonce=int(info.nonce),
                                                               code=code or None)}, {}))

    def set_storage(self, address: str, slot: int, value: int) -> None:
        address = address.lower()
        info = self._info(address)
        before = self.storage(address, slot)
        # the account is written too: the database must hold it before one of its slots
        self._write(_Changes({address: info}, {(address, slot): (before, value)}))

    # ----------------------------------------------------------------- snapshots
    def snapshot(self) -> int:
        self._marks.append(len(self._undo))
        return len(self._marks) - 1

    def revert(self, index: int) -> bool:
        """Back to snapshot ``index``; it and every later one are used up. False if unknown."""
        if not 0 <= index < len(self._marks):
            return False
        mark = self._marks[index]
        del self._marks[index:]
        for address, slot, before in reversed(self._undo[mark:]):
            if slot is None:
                assert isinstance(before, AccountInfo)
                self.evm.insert_account_info(address, before)
            else:
                assert isinstance(before, int)
                self._put_slot(address, slot, before)
        del self._undo[mark:]
        return True
