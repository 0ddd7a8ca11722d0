"""Sending a batch as blocks (``Chain.send_block`` and ``Chain.send_setup_block``) in as few posts as the order allows.

A drill step mines two blocks and a seeding phase dozens; each post to anvil costs ~0.2 ms plus the
work, and every read here rides in a post that had to be made anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from defidrill.chain.rpc import RpcReply, hex_int as _int
from defidrill.chain.types import TxRequest, tie_broken
from defidrill.errors import ChainError

if TYPE_CHECKING:
    from defidrill.chain.chain import Chain


def nonce_calls(txs: Sequence[TxRequest]) -> list[tuple[str, Sequence[Any]]]:
    """eth_getTransactionCount (pending) of each sender of ``txs``, in sorted lower-case order."""
    return [("eth_getTransactionCount", [s, "pending"]) for s in sorted({tx.sender.lower() for tx in txs})]


def nonces_from(replies: Sequence[RpcReply], txs: Sequence[TxRequest]) -> dict[str, int]:
    """The replies of ``nonce_calls(txs)`` as {sender (lower case): pending nonce}."""
    senders = sorted({tx.sender.lower() for tx in txs})
    for reply in replies:
        if not reply.ok:
            raise ChainError(f"eth_getTransactionCount failed: {reply.error}", method="eth_getTransactionCount",
                             raw=reply.error)
    return {sender: _int(r.result) for sender, r in zip(senders, replies)}


def send_and_mine(chain: Chain, txs: Sequence[TxRequest], timestamp: int | None,
                   tail: Callable[[list[str], int], list[tuple[str, Sequence[Any]]]],
                   ) -> tuple[list[str | ChainError], int, list[RpcReply]]:
    """``send_block``'s sending and mining, in as few posts as the order allows: (each transaction's hash
    or send-time error, the first block mined, the replies of ``tail(hashes, first_block)``).

    Per block of at most ``MAX_TXS_PER_BLOCK``: one post reads what the sends need (the latest block, for
    the first block's number and whether ``timestamp`` is later than it, and the senders' pending
    nonces), one sends (the next-block timestamp first in the same batch), one mines, one asks whether the
    pool is empty together with the next block's nonces or, after the last block, the caller's ``tail``
    reads (receipts, logs): 4 posts for a step's block where there were 7. A pending nonce counts pooled
    transactions, so reading it before the pool is confirmed empty reads what the re-read would; the pool
    is confirmed empty before the next block's sends go out, and a block that left transactions behind
    is followed by more blocks until none is pending, as before.

    An empty batch (a step's block A with nothing to send) is 2 posts where there were 4: the first read
    asks whether the pool is empty too, the block is mined at ``timestamp`` by ``evm_mine`` (the same block
    as ``evm_setNextBlockTimestamp`` then ``anvil_mine``: number, time and the interval after it), and the
    pool is not asked again when it was empty and nothing was sent."""
    n = len(txs)
    ordered = tie_broken(txs)
    chunks = [ordered[i : i + chain.MAX_TXS_PER_BLOCK] for i in range(0, n, chain.MAX_TXS_PER_BLOCK)] or [[]]
    empty = n == 0
    first_reads = chain.rpc.batch([("eth_getBlockByNumber", ["latest", False]), *nonce_calls(chunks[0]),
                                   *([("txpool_status", [])] if empty else [])])
    if not first_reads[0].ok or not isinstance(first_reads[0].result, dict):
        raise ChainError(f"eth_getBlockByNumber failed: {first_reads[0].error}", method="eth_getBlockByNumber",
                         raw=first_reads[0].error)
    latest = first_reads[0].result
    first_block = _int(latest["number"]) + 1
    later = timestamp is not None and timestamp > _int(latest["timestamp"])
    stamp: list[tuple[str, Sequence[Any]]] = [("evm_setNextBlockTimestamp", [int(timestamp or 0)])] if later else []
    pool_was_empty = empty and _pending(first_reads[-1]) == 0
    nonce_replies = first_reads[1:]
    sent: list[str | ChainError] = []
    replies: list[RpcReply] = []
    for k, chunk in enumerate(chunks):
        if chunk:
            sent += chain.submit(chunk, nonces=nonces_from(nonce_replies, chunk), before=stamp)
            chain.mine(1)
        elif later:
            chain.rpc.request("evm_mine", [int(timestamp or 0)])
        else:
            chain.mine(1)
        stamp = []
        last = k == len(chunks) - 1
        after = tail([h for h in sent if isinstance(h, str)], first_block) if last else nonce_calls(chunks[k + 1])
        if pool_was_empty:
            return sent, first_block, chain.rpc.batch(after) if after else []
        for _ in range(10_000):
            replies = chain.rpc.batch([("txpool_status", []), *after])
            if _pending(replies[0]) == 0:
                break
            chain.mine(1)
        nonce_replies = replies[1:]
    return sent, first_block, replies[1:]


def _pending(reply: RpcReply) -> int:
    """Transactions waiting in the pool, from a ``txpool_status`` reply (0 when it says nothing)."""
    status = reply.result if reply.ok and isinstance(reply.result, dict) else {}
    return _int(status.get("pending", 0))
