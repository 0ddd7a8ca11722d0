"""Event logs over a block range in chunks, within what the node allows: the forked book's discovery.

A live node limits ``eth_getLogs``: a range of at most N blocks (1,000 to 100,000 at the usual
providers), at most N results (10,000), a response size, a time. Each refuses with its own message
(``query returned more than 10000 results``, ``block range is too large``, ``-32005``...), so a
refusal is not parsed: a chunk the node refuses is split in two and each half asked again, down to
one block; a single block refused is a ChainError naming it and the node's message. The scan starts
with ``chunk_blocks`` and keeps the smaller chunk once one was refused (the node's limit does not
move). Used by every adapter's ``discover_borrowers`` (Aave V3's ``Borrow`` events, an external
adapter's own), so there is one way to walk logs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils.crypto import keccak

from defidrill.chain import ChainAPI
from defidrill.chain.abi_registry import checksum
from defidrill.errors import ChainError

#: Blocks asked per eth_getLogs at first: what most providers allow (the scan halves it when refused).
DEFAULT_CHUNK_BLOCKS = 10_000


def event_topic(signature: str) -> str:
    """topic0 of an event: ``keccak("Borrow(address,uint256,uint256,uint256)")`` as 0x-hex."""
    return "0x" + keccak(text=signature).hex()


def topic_address(topic: str) -> str:
    """An indexed ``address`` argument (a 32-byte topic) as a checksummed address."""
    return checksum("0x" + topic[-40:])


@dataclass
class LogScan:
    """What one scan fetched, for summary.json: the range, how many requests and splits, the time."""

    from_block: int
    to_block: int
    logs: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    splits: int = 0  # chunks the node refused and the scan split in two
    chunk_blocks: int = DEFAULT_CHUNK_BLOCKS  # the chunk size the scan ended with
    wall_time_s: float = 0.0


def scan_logs(chain: ChainAPI, address: str | list[str], topics: Sequence[str | None], from_block: int, to_block: int,
              *, chunk_blocks: int = DEFAULT_CHUNK_BLOCKS) -> LogScan:
    """Every log of ``address`` matching ``topics`` in ``[from_block, to_block]``, in chain order."""
    if from_block > to_block:
        return LogScan(from_block, to_block, chunk_blocks=chunk_blocks)
    started = time.monotonic()
    scan = LogScan(from_block, to_block, chunk_blocks=max(1, chunk_blocks))
    pending = [(from_block, min(to_block, from_block + scan.chunk_blocks - 1))]
    next_start = pending[0][1] + 1
    while pending:
        low, high = pending.pop()
        if high - low + 1 > scan.chunk_blocks:  # asked for before the node refused a smaller one: re-cut
            cut = low + scan.chunk_blocks - 1
            pending += [(cut + 1, high), (low, cut)]
            continue
        scan.requests += 1
        try:
            scan.logs += chain.raw_logs(low, high, address=address, topics=list(topics))
        except ChainError as err:
            if high == low:
                raise ChainError(f"eth_getLogs refused block {low} alone ({err}): the node's log limits "
                                 "cannot be met by splitting the range", method="eth_getLogs") from err
            middle = (low + high) // 2
            scan.splits += 1
            scan.chunk_blocks = min(scan.chunk_blocks, middle - low + 1)
            pending += [(middle + 1, high), (low, middle)]  # popped low half first: chain order kept
            continue
        if not pending and next_start <= to_block:
            pending.append((next_start, min(to_block, next_start + scan.chunk_blocks - 1)))
            next_start = pending[0][1] + 1
    scan.wall_time_s = time.monotonic() - started
    return scan
