"""A chain in process on revm (``pyrevm``): the revm backend of ``ChainAPI``, without a node or any RPC.

Blocks follow anvil's rules, measured on anvil 1.7.1 (tests/chain/test_backends.py checks them
side by side; the fee and pool rules are in chain/revm_fees.py): a block's base fee comes from its
parent by EIP-1559 (the first block keeps the configured fee; a congested block may be given its
own); a block takes the ready transaction with the highest fee cap next (a sender's transactions in
nonce order) and skips one when gas used so far plus its gas limit would pass the block's gas limit
(it waits for the next block, or is dropped when the batch gets one block); a fee cap under the
base fee is refused at send time; timestamps follow ``set_block_interval`` or
``set_next_timestamp``. Gas is anvil's to the unit (chain/revm_state.py). Addresses of created
contracts derive from sender and nonce, so a drill deploys to the same addresses as on anvil.
Transaction hashes are our own (no signatures here).
"""

from __future__ import annotations

import contextlib
import heapq
import time
from dataclasses import dataclass, replace
from typing import Any
from collections.abc import Iterator, Mapping, Sequence

from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract.contract import ContractFunction

from defidrill.chain.anvil import AnvilConfig
from defidrill.chain.api import ChainAPI
from defidrill.chain.abi_registry import checksum
from defidrill.chain.dev_accounts import dev_accounts
from defidrill.chain.revm_fees import (DEFAULT_TIP_WEI, TX_GAS_CAP, calldata_floor_gas, fee_cap, fees, next_base_fee,
                                       pool_priority)
from defidrill.chain.revm_state import Execution, RevmState
from defidrill.chain.types import BlockInfo, Dropped, PreparedCall, Receipt, TxRequest, tie_broken
from defidrill.errors import ChainError, RevertError
from defidrill.toolchain import Artifacts, compile_project

COINBASE = "0x0000000000000000000000000000000000000000"


@dataclass
class _Mined:
    receipt: Receipt
    revert_data: bytes | None


class RevmChain(ChainAPI):
    """In-process chain with anvil's block, fee, gas and address rules (see the module docstring):
    every ``ChainAPI`` method, a congested chain's ``send_one_block`` included; no fork, no history."""

    MAX_TXS_PER_BLOCK = 250  # the same batching as ``Chain.send_block``: identical block numbers

    def __init__(self, config: AnvilConfig | None = None, artifacts: Artifacts | None = None) -> None:
        config = config or AnvilConfig()
        unsupported = {k: v for k, v in {"fork_url": config.fork_url, "block_time_s": config.block_time_s,
                                         "port": config.port, "hardfork": config.hardfork}.items() if v is not None}
        if unsupported:
            raise ChainError(f"the revm backend does not support {sorted(unsupported)} (use the anvil backend)")
        ChainAPI.__init__(self, artifacts if artifacts is not None else compile_project(), Web3())
        self.config = config
        self.chain_id = config.chain_id
        self.gas_limit = config.gas_limit
        self.state = RevmState(chain_id=config.chain_id, gas_limit=config.gas_limit)
        self.accounts = dev_accounts(config.mnemonic, config.accounts)
        for account in self.accounts:
            self.state.set_balance(account, config.balance_eth * 10**18)
        genesis_ts = config.timestamp if config.timestamp is not None else int(time.time())
        self._clock_offset_s = genesis_ts - time.time()
        self._blocks: list[BlockInfo] = [BlockInfo(0, genesis_ts, config.base_fee_wei, config.gas_limit, 0)]
        self._pending_base_fee = config.base_fee_wei
        self._default_tip_wei = DEFAULT_TIP_WEI if config.base_fee_wei > 0 else 0
        self._interval_s: int | None = None
        self._next_ts: int | None = None
        self._automine = True
        self._mined: dict[str, _Mined] = {}
        self._logs: list[dict[str, Any]] = []
        self._snapshots: dict[str, tuple[int, int, list[BlockInfo], int, int | None, int | None, list[str]]] = {}
        self._order: list[str] = []

    @classmethod
    @contextlib.contextmanager
    def launch(cls, config: AnvilConfig | None = None, artifacts: Artifacts | None = None) -> Iterator[RevmChain]:
        """The same shape as ``Chain.launch``; nothing to stop afterwards."""
        yield cls(config, artifacts)

    @property
    def location(self) -> str:
        return "revm (in process)"

    # ----------------------------------------------------------------- clock and blocks
    def set_block_gas_limit(self, gas: int) -> None:
        """The gas limit of every block from the next one (as anvil_setBlockGasLimit)."""
        self.gas_limit = gas
        self.state.gas_limit = gas

    def next_base_fee_wei(self) -> int:
        """The next block's base fee (EIP-1559 from the latest block, as anvil's eth_feeHistory reports it)."""
        return self._pending_base_fee

    def latest_block(self) -> BlockInfo:
        return self._blocks[-1]

    def block_number(self) -> int:
        return self._blocks[-1].number

    def timestamp(self) -> int:
        return self._blocks[-1].timestamp

    def set_block_interval(self, seconds: int) -> None:
        self._interval_s = int(seconds)

    def set_next_timestamp(self, ts: int) -> None:
        if ts < self.timestamp():
            raise ChainError(f"next timestamp {ts} is before the latest block's {self.timestamp()}",
                             method="evm_setNextBlockTimestamp")
        self._next_ts = int(ts)

    def set_automine(self, enabled: bool) -> None:
        self._automine = enabled

    @property
    def automine(self) -> bool:
        return self._automine

    def _open_block(self) -> BlockInfo:
        parent = self._blocks[-1]
        if self._next_ts is not None:
            ts, self._next_ts = self._next_ts, None
        elif self._interval_s is not None:
            ts = parent.timestamp + self._interval_s
        else:
            ts = max(parent.timestamp + 1, int(time.time() + self._clock_offset_s))
        block = BlockInfo(parent.number + 1, ts, self._pending_base_fee, self.gas_limit, 0)
        self.state.set_block(number=block.number, timestamp=ts, coinbase=COINBASE)
        return block

    def _seal(self, block: BlockInfo) -> None:
        self._blocks.append(block)
        self._pending_base_fee = next_base_fee(block.base_fee_wei, block.gas_used, block.gas_limit)

    def mine(self, blocks: int = 1, interval_s: int | None = None) -> None:
        for k in range(blocks):
            if interval_s is not None and k > 0:
                self._next_ts = self.timestamp() + interval_s
            self._seal(self._open_block())

    # ----------------------------------------------------------------- transactions
    def _execute(self, tx: TxRequest, block: BlockInfo, index: int, log_base: int) -> tuple[_Mined, int]:
        gas = tx.gas if tx.gas is not None else min(TX_GAS_CAP, self.gas_limit)
        price, tip = fees(tx, block.base_fee_wei, self._default_tip_wei)
        data = bytes.fromhex(tx.data[2:] if tx.data.startswith("0x") else tx.data)
        nonce = self.state.nonce(tx.sender)
        execution: Execution = self.state.apply(tx.sender, tx.to, data, value_wei=tx.value_wei, gas=gas,
                                                gas_price_wei=price, floor_gas=calldata_floor_gas(data),
                                                coinbase=COINBASE, tip_wei_per_gas=tip)
        tx_hash = self._tx_hash(tx.sender, nonce)
        logs = [{"address": checksum(address), "topics": topics, "data": "0x" + payload.hex(),
                 "blockNumber": hex(block.number), "transactionHash": tx_hash, "transactionIndex": hex(index),
                 "logIndex": hex(log_base + i), "removed": False}
                for i, (address, topics, payload) in enumerate(execution.logs)]
        events = [e for e in (self.registry.decode_log(log) for log in logs) if e is not None]
        created = execution.created if tx.to is None else None
        receipt = Receipt(tx_hash=tx_hash, status=1 if execution.success else 0, block_number=block.number,
                          tx_index=index, gas_used=execution.gas_used, effective_gas_price_wei=price,
                          sender=checksum(tx.sender), to=checksum(tx.to) if tx.to else None,
                          contract_address=checksum(created) if created else None, logs=logs, events=events)
        return _Mined(receipt, None if execution.success else execution.output), len(logs)

    def _mine_txs(self, txs: list[tuple[int, TxRequest]], out: list[Receipt | ChainError | Dropped | None], *,
                  arriving: bool = True) -> tuple[list[tuple[int, TxRequest]], list[tuple[int, TxRequest]]]:
        """Mine one block from ``txs`` (position, tx); returns (those that did not fit, those stranded).

        ``arriving``: they are being sent now, so each one whose fee cap is under this block's base
        fee is refused (``Dropped(FEE_CAP)``), as anvil refuses it at eth_sendTransaction, whatever
        else its sender sent; the sender's later ones then wait behind the nonce it never used
        (stranded: anvil queues them, never to be mined). Transactions carried over from an
        earlier block are in the pool already: they wait while their cap is under the base fee."""
        block = self._open_block()
        queues: dict[str, list[tuple[int, TxRequest]]] = {}
        stranded: list[tuple[int, TxRequest]] = []
        refused: set[str] = set()
        for pos, tx in txs:
            sender = tx.sender.lower()
            cap = fee_cap(tx)
            if arriving and cap is not None and cap < block.base_fee_wei:
                out[pos] = Dropped(None, Dropped.FEE_CAP)
                refused.add(sender)
            elif sender in refused:
                stranded.append((pos, tx))
            else:
                queues.setdefault(sender, []).append((pos, tx))
        heap = [(-pool_priority(q[0][1], self._default_tip_wei), q[0][0], s) for s, q in queues.items()]
        heapq.heapify(heap)
        used, index, log_index, left = 0, 0, 0, []
        while heap:
            _, _, sender = heapq.heappop(heap)
            pos, tx = queues[sender].pop(0)
            gas = tx.gas if tx.gas is not None else min(TX_GAS_CAP, self.gas_limit)
            cap = fee_cap(tx)
            if used + gas > self.gas_limit or (cap is not None and cap < block.base_fee_wei):
                left += [(pos, tx), *queues[sender]]  # the sender's later nonces wait too
                continue
            try:
                mined, n_logs = self._execute(tx, block, index, log_index)
            except ChainError as exc:
                out[pos] = exc
                left += queues[sender]  # a nonce gap: anvil keeps them pending; so do we, for the next block
                continue
            self._record(mined)
            out[pos] = mined.receipt
            used += mined.receipt.gas_used
            index += 1
            log_index += n_logs
            if queues[sender]:
                heapq.heappush(heap, (-pool_priority(queues[sender][0][1], self._default_tip_wei), queues[sender][0][0], sender))
        self._seal(replace(block, gas_used=used))
        return sorted(left, key=lambda item: item[0]), stranded

    def _record(self, mined: _Mined) -> None:
        self._mined[mined.receipt.tx_hash] = mined
        self._order.append(mined.receipt.tx_hash)
        self._logs.extend(mined.receipt.logs)

    def send_block(self, txs: Sequence[TxRequest], *,
                   timestamp: int | None = None) -> list[Receipt | ChainError | Dropped]:
        """As ``Chain.send_block``: batch order among equal bids (the same tip tie-break), blocks of at
        most ``MAX_TXS_PER_BLOCK``, the first stamped ``timestamp`` when later than the latest block;
        a fee cap under the base fee is ``Dropped(FEE_CAP)``."""
        ordered = tie_broken(txs)
        if timestamp is not None and timestamp > self.timestamp():
            self.set_next_timestamp(timestamp)
        out: list[Receipt | ChainError | Dropped | None] = [None] * len(txs)
        for start in range(0, max(len(txs), 1), self.MAX_TXS_PER_BLOCK):
            pending, stranded = self._mine_txs(list(enumerate(ordered))[start : start + self.MAX_TXS_PER_BLOCK], out)
            for pos, _ in stranded:
                out[pos] = ChainError("not mined: an earlier transaction of its sender was refused (a nonce gap)",
                                      method="send_block")
            while pending:
                before = len(pending)
                pending, _ = self._mine_txs(pending, out, arriving=False)
                if len(pending) == before and self.gas_limit < min(tx.gas or TX_GAS_CAP for _, tx in pending):
                    raise ChainError("a transaction's gas limit exceeds the block gas limit", method="send_block")
        return [r if r is not None else ChainError("transaction was not mined") for r in out]

    def send_one_block(self, txs: Sequence[TxRequest], *, timestamp: int | None = None,
                       base_fee_wei: int | None = None) -> list[Receipt | ChainError | Dropped]:
        """As ``Chain.send_one_block``: ONE block at ``base_fee_wei`` (when given; the next block's fee
        then follows EIP-1559 from it, as after ``anvil_setNextBlockBaseFeePerGas``), packed as
        ``send_block`` packs one; a fee cap under the base fee is ``Dropped(FEE_CAP)``, and what did
        not fit (or waited behind it) ``Dropped(NO_ROOM)``, named as if it had been mined."""
        ordered = tie_broken(txs)
        if base_fee_wei is not None:
            self._pending_base_fee = base_fee_wei
        if timestamp is not None and timestamp > self.timestamp():
            self.set_next_timestamp(timestamp)
        out: list[Receipt | ChainError | Dropped | None] = [None] * len(txs)
        left, stranded = self._mine_txs(list(enumerate(ordered)), out)
        next_nonce: dict[str, int] = {}
        for pos, tx in sorted(left + stranded, key=lambda item: item[0]):
            sender = tx.sender.lower()
            nonce = next_nonce.setdefault(sender, self.state.nonce(sender))
            next_nonce[sender] = nonce + 1
            out[pos] = Dropped(self._tx_hash(sender, nonce), Dropped.NO_ROOM)
        return [r if r is not None else ChainError("transaction was not mined") for r in out]

    def _tx_hash(self, sender: str, nonce: int) -> str:
        """Our name for a transaction (no signature here): chain, sender and nonce."""
        return "0x" + keccak(f"{self.chain_id}:{sender.lower()}:{nonce}".encode()).hex()

    def send_many(self, txs: Sequence[TxRequest], *, raise_on_revert: bool = True) -> list[Receipt]:
        """As ``Chain.send_many``: several transactions go into one block (``send_block``); a lone
        one with automine on is mined alone, with its own tip (anvil's default when it names none)."""
        if len(txs) > 1 or not self._automine:
            results = self.send_block(txs)
        else:
            out: list[Receipt | ChainError | Dropped | None] = [None] * len(txs)
            self._mine_txs(list(enumerate(txs)), out)
            results = [r if r is not None else ChainError("transaction was not mined") for r in out]
        errors = [r for r in results if isinstance(r, ChainError)]
        if errors and raise_on_revert:
            raise errors[0]
        receipts = [r for r in results if isinstance(r, Receipt)]
        if raise_on_revert:
            for tx, receipt in zip(txs, receipts):
                if not receipt.ok:
                    [reason] = self.revert_reasons([receipt.tx_hash])
                    raise RevertError(f"transaction {tx.label} reverted in block {receipt.block_number}",
                                      method="eth_sendTransaction", revert=reason, tx=tx.to_rpc())
        return receipts

    def revert_reasons(self, tx_hashes: Sequence[str]) -> list[Any]:
        """Why mined transactions failed: the revert data kept when they ran."""
        out = []
        for h in tx_hashes:
            mined = self._mined.get(h)
            out.append(self.registry.decode_revert(mined.revert_data) if mined and mined.revert_data is not None else None)
        return out

    def receipts(self, tx_hashes: Sequence[str]) -> list[Receipt]:
        return [self._mined[h].receipt for h in tx_hashes]

    # ----------------------------------------------------------------- calls
    def call_many(self, fns: Sequence[ContractFunction | PreparedCall], *, sender: str | None = None,
                  block: str | int = "latest") -> list[Any]:
        """eth_call at the latest block (its number and time); no history is kept, so only "latest"."""
        if block != "latest" and block != self.block_number():
            raise ChainError(f"the revm backend keeps no history: cannot call at block {block}", method="eth_call")
        latest = self._blocks[-1]
        self.state.set_block(number=latest.number, timestamp=latest.timestamp, coinbase=COINBASE)
        caller = sender or COINBASE
        out: list[Any] = []
        for fn in fns:
            to, data = (fn.to, fn.data) if isinstance(fn, PreparedCall) else self.encode(fn)
            result = self.state.call(caller, to, bytes.fromhex(data[2:]), gas=self.gas_limit)
            if result.success:
                out.append(self._decode_output(fn, "0x" + result.output.hex()))
            elif result.halt_reason is not None:
                out.append(ChainError(f"eth_call {fn.fn_name}: EVM halted ({result.halt_reason})", method="eth_call"))
            else:
                out.append(RevertError("execution reverted", method=f"eth_call {fn.fn_name}",
                                       revert=self.registry.decode_revert(result.output), tx={"to": to, "data": data}))
        return out

    # ----------------------------------------------------------------- logs
    def raw_logs(self, from_block: int = 0, to_block: int | str = "latest", *, address: str | list[str] | None = None,
                 topics: list[str | None] | None = None) -> list[dict[str, Any]]:
        """eth_getLogs over the logs kept in memory (same filters: range, address(es), topics by position)."""
        last = self.block_number() if to_block == "latest" else int(to_block)
        wanted = None if address is None else {a.lower() for a in ([address] if isinstance(address, str) else address)}
        out = []
        for log in self._logs:
            number = int(log["blockNumber"], 16)
            if not from_block <= number <= last or (wanted is not None and log["address"].lower() not in wanted):
                continue
            if topics and any(t is not None and (i >= len(log["topics"]) or log["topics"][i].lower() != t.lower())
                              for i, t in enumerate(topics)):
                continue
            out.append(log)
        return out

    # ----------------------------------------------------------------- state controls
    def snapshot(self) -> str:
        sid = hex(len(self._snapshots) + 1)
        self._snapshots[sid] = (self.state.snapshot(), len(self._logs), list(self._blocks), self._pending_base_fee,
                                self._next_ts, self._interval_s, list(self._order))
        return sid

    def revert(self, snapshot_id: str) -> None:
        saved = self._snapshots.pop(snapshot_id, None)
        if saved is None or not self.state.revert(saved[0]):
            raise ChainError(f"evm_revert to {snapshot_id} refused (already used or unknown)", method="evm_revert")
        checkpoint, n_logs, blocks, base_fee, next_ts, interval, order = saved
        for later in [k for k, v in self._snapshots.items() if v[0] > checkpoint]:
            del self._snapshots[later]
        del self._logs[n_logs:]
        for h in self._order[len(order):]:
            self._mined.pop(h, None)
        self._order = order
        self._blocks, self._pending_base_fee, self._next_ts, self._interval_s = blocks, base_fee, next_ts, interval

    def set_balance(self, address: str, wei: int) -> None:
        self.state.set_balance(address, wei)

    def set_balances(self, balances_wei: Mapping[str, int]) -> None:
        for address, wei in balances_wei.items():
            self.state.set_balance(address, wei)

    def balance(self, address: str) -> int:
        return self.state.balance(address)

    def impersonate(self, address: str) -> None:
        """Any address may send here (no signatures): nothing to do, kept for the same API."""

    def stop_impersonating(self, address: str) -> None:
        """See ``impersonate``."""

    def set_storage(self, address: str, slot: int, value: int) -> None:
        self.state.set_storage(address, slot, value)

    def set_storages(self, address: str, values_by_slot: Mapping[int, int]) -> None:
        for slot, value in values_by_slot.items():
            self.state.set_storage(address, slot, value)

    def get_storage(self, address: str, slot: int) -> int:
        return self.state.storage(address, slot)

    def set_code(self, address: str, code: str) -> None:
        self.state.set_code(address, bytes.fromhex(code[2:] if code.startswith("0x") else code))

    def code_at(self, address: str) -> str:
        return "0x" + self.state.code(address).hex()

    def creation_output(self, creation_code: str) -> str:
        """The creation code deployed on a snapshot and its runtime code read back, then undone."""
        return "0x" + self.state.creation_output(bytes.fromhex(creation_code.removeprefix("0x")), COINBASE).hex()
