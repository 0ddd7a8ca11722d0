"""The chain a drill talks to: batched transactions and calls, anvil controls, a clock.

Everything goes through ``RpcClient`` so that a step of a drill costs a few HTTP
round trips, not thousands. web3.py is used for ABI encoding and as ``chain.w3``
for users who want its full API.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any
from collections.abc import Iterator, Sequence

from web3 import HTTPProvider, Web3
from web3.contract.contract import ContractFunction

from defidrill.chain.api import ChainAPI
from defidrill.chain.abi_registry import checksum as to_checksum_address, revert_data_from_error
from defidrill.chain.anvil import AnvilConfig, AnvilNode
from defidrill.chain.controls import HEAD_READS, AnvilControls
from defidrill.chain.rpc import DEFAULT_RPC_TIMEOUT_S, RpcClient, RpcReply, hex_int as _int
from defidrill.chain.mining import nonce_calls, nonces_from, send_and_mine
from defidrill.chain.setup_block import raise_setup_failures
from defidrill.chain.types import BlockInfo, Dropped, PreparedCall, Receipt, TxRequest, tie_broken
from defidrill.errors import ChainError, RevertError
from defidrill.toolchain import Artifacts, compile_project


class Chain(AnvilControls):
    """The anvil backend of ``ChainAPI``: a JSON-RPC chain (a launched anvil or an attached URL).

    Beyond the interface it has what only a node has: ``rpc`` (raw JSON-RPC), ``rpc_url``,
    ``attach`` to a node someone else runs, and the anvil process (``node``) it launched."""

    def __init__(self, rpc_url: str, artifacts: Artifacts | None = None, *, node: AnvilNode | None = None,
                 rpc_timeout_s: float = DEFAULT_RPC_TIMEOUT_S):
        self.rpc_url = rpc_url
        self.node = node
        self.rpc = RpcClient(rpc_url, timeout_s=rpc_timeout_s, is_alive=(lambda: node.alive) if node else None)
        ChainAPI.__init__(self, artifacts if artifacts is not None else compile_project(),
                           Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": rpc_timeout_s})))
        self.chain_id = _int(self.rpc.request("eth_chainId"))
        self.accounts: list[str] = [to_checksum_address(a) for a in self.rpc.request("eth_accounts")]
        self._automine = True
        self._snapshot_fees_wei: dict[str, int] = {}
        self._remembered: dict[str, tuple[int, Any]] = {}
        self._recall_reads = node is not None  # a node we launched has no other writer (``AnvilControls.recalled``)

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    @contextlib.contextmanager
    def launch(cls, config: AnvilConfig | None = None, artifacts: Artifacts | None = None) -> Iterator[Chain]:
        """Start anvil, yield a Chain on it, stop anvil however the block exits."""
        artifacts = artifacts if artifacts is not None else compile_project()
        with AnvilNode.start(config) as node:
            chain = cls(node.rpc_url, artifacts, node=node, rpc_timeout_s=node.config.rpc_timeout_s)
            try:
                yield chain
            finally:
                chain.rpc.close()

    @classmethod
    def attach(cls, rpc_url: str, artifacts: Artifacts | None = None, *,
               rpc_timeout_s: float = DEFAULT_RPC_TIMEOUT_S) -> Chain:
        """Use a node someone else runs (an anvil, a fork); we never stop it."""
        return cls(rpc_url, artifacts, rpc_timeout_s=rpc_timeout_s)

    @property
    def location(self) -> str:
        return self.rpc_url

    def _revert_error(self, method: str, error: dict[str, Any], tx: dict[str, Any] | None = None) -> ChainError:
        data = revert_data_from_error(error)
        message = str(error.get("message", error))
        if data is not None or "revert" in message.lower():
            return RevertError(message, method=method, revert=self.registry.decode_revert(data), tx=tx, raw=error)
        return ChainError(message, method=method, tx=tx, raw=error)

    def call_many(self, fns: Sequence[ContractFunction | PreparedCall], *, sender: str | None = None,
                  block: str | int = "latest") -> list[Any]:
        """One JSON-RPC batch of eth_call; each entry is the decoded value or a ChainError (not raised)."""
        tag = hex(block) if isinstance(block, int) else block
        requests = []
        for fn in fns:
            to, data = (fn.to, fn.data) if isinstance(fn, PreparedCall) else self.encode(fn)
            call: dict[str, Any] = {"to": to, "data": data}
            if sender:
                call["from"] = sender
            requests.append(("eth_call", [call, tag]))
        replies = self.rpc.batch([*requests, HEAD_READS[0]]) if requests else []  # the head rides along
        if replies:                                                                  # (a step asks it next)
            self.remember_head(replies.pop())
        out: list[Any] = []
        for fn, reply in zip(fns, replies):
            if reply.ok:
                out.append(self._decode_output(fn, reply.result))
            else:
                out.append(self._revert_error(f"eth_call {fn.fn_name}", reply.error or {}, reply.params[0]))
        return out

    def send_many(self, txs: Sequence[TxRequest], *, raise_on_revert: bool = True) -> list[Receipt]:
        """Send a batch and mine it; with automine on, several transactions go into ONE block in batch
        order (``send_block``), so the number of blocks and their times do not depend on how the node
        happened to receive the batch. A revert raises RevertError with the decoded reason."""
        if len(txs) > 1 and self._automine:
            self.set_automine(False)
            try:
                results = self.send_block(txs)
            finally:
                self.set_automine(True)
        elif not self._automine:
            results = self.send_block(txs)
        else:
            hashes = self.submit(txs)
            results = [h if isinstance(h, ChainError) else self.receipts([h])[0] for h in hashes]
        results = [ChainError(f"{tx.label}: refused, fee cap under the base fee", method="eth_sendTransaction")
                   if isinstance(r, Dropped) else r for tx, r in zip(txs, results)]
        errors = [r for r in results if isinstance(r, ChainError)]
        if errors and raise_on_revert:
            raise errors[0]
        receipts = [r for r in results if isinstance(r, Receipt)]
        if raise_on_revert:
            failed = [(tx, r) for tx, r in zip(txs, results) if isinstance(r, Receipt) and not r.ok]
            if failed:
                tx, receipt = failed[0]
                if len(txs) == 1:
                    raise self.explain_failure(tx, receipt)
                [reason] = self.revert_reasons([receipt.tx_hash])
                raise RevertError(f"transaction {tx.label} reverted in block {receipt.block_number}",
                                  method="eth_sendTransaction", revert=reason, tx=tx.to_rpc())
        return receipts

    def submit(self, txs: Sequence[TxRequest], *, nonces: dict[str, int] | None = None,
               before: Sequence[tuple[str, Sequence[Any]]] = ()) -> list[str | ChainError]:
        """eth_sendTransaction for each, in one batch: a tx hash, or the error the node gave at send time.
        ``nonces``: each sender's (lower case) pending nonce, read by the caller in one of its own posts;
        ``before``: calls posted in the same batch ahead of the sends (``send_block``'s next-block timestamp)."""
        # Nonces are assigned here: anvil handles a batch's sends concurrently, and two
        # sends from one sender would otherwise race for the same nonce.
        if nonces is None:
            nonces = nonces_from(self.rpc.batch(nonce_calls(txs)), txs)
        next_nonce = dict(nonces)
        limits = self._padded_gas_limits(txs)
        payloads = []
        for tx, limit in zip(txs, limits):
            payload = tx.to_rpc()
            if limit is not None:
                payload["gas"] = hex(limit)
            payload["nonce"] = hex(next_nonce[tx.sender.lower()])
            next_nonce[tx.sender.lower()] += 1
            payloads.append(payload)
        replies = self.rpc.batch([*before, *(("eth_sendTransaction", [p]) for p in payloads)])[len(before):]
        out: list[str | ChainError] = []
        for tx, reply in zip(txs, replies):
            if reply.ok:
                out.append(str(reply.result))
            else:
                out.append(self._revert_error(f"eth_sendTransaction {tx.label}".strip(), reply.error or {}, tx.to_rpc()))
        return out

    #: Head room on a node's gas estimate, as Foundry's scripts give it (``--gas-estimate-multiplier``
    #: defaults to 130): an estimate is exact for the block it was made in, and the block a
    #: transaction lands in may differ. Seen on an anvil fork: a write of ``block.timestamp`` over
    #: the same value costs 2,900 gas less than over a new one, so a transaction estimated in the
    #: fork block's second and mined a second later ran out of gas. Drill agents give their own
    #: limits; this covers everything sent without one (set-up, user adapters, tests, scripts).
    GAS_ESTIMATE_PERCENT = 130

    def _padded_gas_limits(self, txs: Sequence[TxRequest]) -> list[int | None]:
        """Our own limit for each transaction sent without one: the node's estimate plus head room
        (never above the block's gas limit). An estimate that fails leaves the limit to the node, so
        the send reports the revert exactly as it would have."""
        unset = [i for i, tx in enumerate(txs) if tx.gas is None]
        out: list[int | None] = [None] * len(txs)
        if not unset:
            return out
        replies = self.rpc.batch([("eth_estimateGas", [txs[i].to_rpc(), "pending"]) for i in unset]
                                 + [("eth_getBlockByNumber", ["latest", False])])
        block = replies[-1].result if replies[-1].ok and isinstance(replies[-1].result, dict) else {}
        block_limit = _int(block.get("gasLimit")) if block.get("gasLimit") else None
        for i, reply in zip(unset, replies):
            if reply.ok:
                padded = _int(reply.result) * self.GAS_ESTIMATE_PERCENT // 100
                out[i] = min(padded, block_limit) if block_limit else padded
        return out

    #: Transactions per mined block in ``send_block``: anvil serves each receipt in time linear in
    #: its block's size, so a block's receipts cost its size squared (measured, anvil 1.7.1: 250 txs
    #: 0.15 s, 1,000 txs 2.3 s, 2,000 txs 12 s). Blocks of 100 fetch 2,000 receipts in 0.7 s instead
    #: of 1.7 s (bench/bench_chain.py's profile), but change how seeding's interest accrues (more
    #: blocks, more rounding dust than the pool-cash invariant's tolerance allows on the flagship):
    #: kept at 250 until that tolerance is revisited. Seeding fetches no receipt for a transaction
    #: that logged (``send_setup_block``); a 250-transaction block's receipts cost ~50 ms whether asked
    #: one by one or as ``eth_getBlockReceipts`` (measured 12-08 at 10,000 borrowers: 51 ms against 59-88).
    MAX_TXS_PER_BLOCK = 250

    def send_block(self, txs: Sequence[TxRequest], *, timestamp: int | None = None) -> list[Receipt | ChainError | Dropped]:
        """With automine off: submit a batch, mine, return each transaction's receipt (failed ones
        included: check ``.ok``), its send-time error, or ``Dropped(FEE_CAP)`` when the node
        refused it for a fee cap under the base fee.

        The block keeps the batch's order among equal bids: anvil orders a block by tip and
        handles a batch's requests concurrently, so arrival order is not reproducible. Each
        transaction's tip gets a tie-break of (batch length - position) wei on top of its own
        bid: a higher bid still goes first (a gwei is 1e9 wei), and equal bids keep batch order.
        A batch longer than ``MAX_TXS_PER_BLOCK`` is mined as consecutive blocks, in order; the
        first is stamped ``timestamp`` (when it is later than the latest block), the rest follow
        one second apart.
        """
        sent, _, tail = send_and_mine(self, txs, timestamp, lambda hashes, _first: [
            *(("eth_getTransactionReceipt", [h]) for h in hashes), *HEAD_READS])
        if len(tail) >= len(HEAD_READS):  # the head and the next base fee ride along (a step asks them next)
            self.remember_head(*tail[-len(HEAD_READS):])
            tail = tail[: -len(HEAD_READS)]
        hashes = [h for h in sent if isinstance(h, str)]
        by_hash = {h: self._receipt(r.result) for h, r in zip(hashes, tail) if r.ok and isinstance(r.result, dict)}
        missing = [h for h in hashes if h not in by_hash]
        by_hash.update(zip(missing, self.receipts(missing)))
        return [by_hash[h] if isinstance(h, str) else self._refused(h) for h in sent]

    def send_setup_block(self, txs: Sequence[TxRequest], phase: str) -> None:
        """``send_block``'s blocks, checked without a receipt for every transaction: anvil serves a receipt in
        ~0.2 ms, a block's logs in ~3 ms (250 seeding transactions: 51 ms against 3 ms, anvil 1.7.1, 10,000
        borrowers), and only a transaction that succeeded leaves logs. So the mined blocks' logs (one
        eth_getLogs in the post that confirms the pool is empty) settle every transaction that logged;
        receipts are fetched for the rest only (an approval or a setter that emits nothing), and the
        check is ``raise_setup_failures`` over those, in batch order: the same error as over every receipt."""
        sent, _, tail = send_and_mine(self, txs, None, lambda _hashes, first: [
            ("eth_getLogs", [{"fromBlock": hex(first), "toBlock": "latest"}])])
        logged = {str(log.get("transactionHash", "")).lower() for log in (tail[0].result or [])} if tail[0].ok else set()
        unsettled = [(tx, h) for tx, h in zip(txs, sent) if not (isinstance(h, str) and h.lower() in logged)]
        hashes = [h for _, h in unsettled if isinstance(h, str)]
        by_hash = dict(zip(hashes, self.receipts(hashes)))
        results = [by_hash[h] if isinstance(h, str) else self._refused(h) for _, h in unsettled]
        raise_setup_failures(self, [tx for tx, _ in unsettled], results, phase)

    def _refused(self, error: ChainError) -> ChainError | Dropped:
        """A send-time error; the node's refusal of a fee cap under the base fee is ``Dropped(FEE_CAP)``
        (the transaction never existed on chain: a priced-out sender, not a failure)."""
        return Dropped(None, Dropped.FEE_CAP) if self.FEE_CAP_REFUSAL in str(error) else error

    #: anvil's refusal of a transaction whose fee cap is under the pending block's base fee.
    FEE_CAP_REFUSAL = "max fee per gas less than block base fee"

    def send_one_block(self, txs: Sequence[TxRequest], *, timestamp: int | None = None,
                       base_fee_wei: int | None = None) -> list[Receipt | ChainError | Dropped]:
        """With automine off: submit a batch and mine exactly ONE block; what did not fit is dropped.

        Unlike ``send_block`` (which mines until the pool is empty), a congested chain gives a
        batch one block: the node packs it by tip under the gas limit, and every transaction
        still pending afterwards is removed from the pool (``anvil_dropTransaction``) and
        reported ``Dropped(NO_ROOM)``; one the node refused because its fee cap is under the
        base fee is ``Dropped(FEE_CAP)``. ``base_fee_wei`` sets this block's base fee
        (``anvil_setNextBlockBaseFeePerGas``) before anything is sent, so the refusal uses it.
        Equal tips keep batch order (the tie-break of ``send_block``).
        """
        ordered = tie_broken(txs)
        if base_fee_wei is not None:
            self.set_next_base_fee(base_fee_wei)
        if timestamp is not None and timestamp > self.timestamp():
            self.set_next_timestamp(timestamp)
        sent = self.submit(ordered) if txs else []
        self.mine(1)
        hashes = [h for h in sent if isinstance(h, str)]
        replies = self.rpc.batch([("eth_getTransactionReceipt", [h]) for h in hashes]) if hashes else []
        mined = [h for h, r in zip(hashes, replies) if r.ok and r.result is not None]
        unmined = [h for h in hashes if h not in set(mined)]
        if unmined:
            self.rpc.batch([("anvil_dropTransaction", [h]) for h in unmined])
        by_hash: dict[str, Receipt | Dropped] = dict(zip(mined, self.receipts(mined)))
        by_hash.update({h: Dropped(h, Dropped.NO_ROOM) for h in unmined})
        out: list[Receipt | ChainError | Dropped] = []
        for h in sent:
            out.append(by_hash[h] if isinstance(h, str) else self._refused(h))
        return out

    def receipts(self, tx_hashes: Sequence[str], *, wait_s: float = 10.0) -> list[Receipt]:
        """Receipts in one batch; with automine anvil mines just after answering, so poll briefly."""
        found: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + wait_s
        while True:
            missing = [h for h in tx_hashes if h not in found]
            if not missing:
                break
            for h, reply in zip(missing, self.rpc.batch([("eth_getTransactionReceipt", [h]) for h in missing])):
                if reply.ok and reply.result is not None:
                    found[h] = reply.result
            if len(found) == len(set(tx_hashes)):
                break
            if time.monotonic() > deadline:
                raise ChainError(
                    f"no receipt for {len(tx_hashes) - len(found)} transaction(s), e.g. {missing[0]} "
                    "(is automine off and the block not mined?)",
                    method="eth_getTransactionReceipt",
                )
            time.sleep(0.005)
        return [self._receipt(found[h]) for h in tx_hashes]

    def _receipt(self, raw: dict[str, Any]) -> Receipt:
        logs = raw.get("logs", [])
        events = [e for e in (self.registry.decode_log(log) for log in logs) if e is not None]
        contract = raw.get("contractAddress")
        return Receipt(
            tx_hash=raw["transactionHash"],
            status=_int(raw.get("status")),
            block_number=_int(raw.get("blockNumber")),
            tx_index=_int(raw.get("transactionIndex")),
            gas_used=_int(raw.get("gasUsed")),
            effective_gas_price_wei=_int(raw.get("effectiveGasPrice")),
            sender=to_checksum_address(raw["from"]),
            to=to_checksum_address(raw["to"]) if raw.get("to") else None,
            contract_address=to_checksum_address(contract) if contract else None,
            logs=logs,
            events=events,
        )

    def explain_failure(self, tx: TxRequest, receipt: Receipt) -> RevertError:
        """Replay a failed tx as eth_call on the parent block to decode why it reverted."""
        reply: RpcReply = self.rpc.batch([("eth_call", [tx.to_rpc(), hex(max(receipt.block_number - 1, 0))])])[0]
        error = reply.error or {"message": "reverted on chain (replay did not revert: order-dependent failure)"}
        err = self._revert_error(f"transaction {tx.label}".strip(), error, tx.to_rpc())
        if isinstance(err, RevertError):
            return err
        return RevertError(str(err), method=err.method, tx=tx.to_rpc(), raw=error)

    def revert_reasons(self, tx_hashes: Sequence[str]) -> list[Any]:
        """Why mined transactions failed: the revert data anvil kept when it mined each one
        (``ots_getTransactionError``: no re-execution, so no need for the parent block's state, which
        a drill's node prunes, see ``AnvilConfig.state_history_blocks``); the same bytes as the call
        tracer's output. A failure without revert data (out of gas, a bare ``revert()``) is traced with
        the call tracer as before, which tells those apart (out of gas has no reason: None).

        A trace the node refuses raises: read as "no reason", it would change a run's events silently
        (anvil answers 'Resource not found' once the parent block's state is pruned)."""
        out: list[Any] = [None] * len(tx_hashes)
        untraced = []
        for i, reply in enumerate(self.rpc.batch([("ots_getTransactionError", [h]) for h in tx_hashes])):
            data = reply.result if reply.ok else None
            if isinstance(data, str) and len(data) > 2:
                out[i] = self.registry.decode_revert(data)
            else:
                untraced.append(i)
        replies = self.rpc.batch([("debug_traceTransaction", [tx_hashes[i], {"tracer": "callTracer"}]) for i in untraced])
        for i, reply in zip(untraced, replies):
            if not reply.ok:
                raise ChainError(f"no trace of failed transaction {tx_hashes[i]}: {(reply.error or {}).get('message')} "
                                 "(is its block older than the node's state history?)", method="debug_traceTransaction",
                                 raw=reply.error)
            trace = reply.result if isinstance(reply.result, dict) else {}
            out[i] = self.registry.decode_revert(trace.get("output")) if trace.get("error") else None
        return out

    def raw_logs(self, from_block: int = 0, to_block: int | str = "latest", *, address: str | list[str] | None = None,
                 topics: list[str | None] | None = None) -> list[dict[str, Any]]:
        """eth_getLogs: raw logs (hex fields, as the node gives them) by block range, address and topics."""
        query: dict[str, Any] = {"fromBlock": hex(from_block),
                                 "toBlock": hex(to_block) if isinstance(to_block, int) else to_block}
        if address is not None:
            query["address"] = address
        if topics is not None:
            query["topics"] = topics
        return list(self.rpc.request("eth_getLogs", [query]) or [])

    def latest_block(self) -> BlockInfo:
        block = self.head()
        return BlockInfo(number=_int(block["number"]), timestamp=_int(block["timestamp"]),
                         base_fee_wei=_int(block.get("baseFeePerGas")), gas_limit=_int(block["gasLimit"]),
                         gas_used=_int(block["gasUsed"]))
