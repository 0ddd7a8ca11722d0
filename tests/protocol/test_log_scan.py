"""The chunked log scan against a node with limits: a refused range is split, the order is kept."""

from __future__ import annotations

from typing import Any

import pytest

from defidrill.errors import ChainError
from defidrill.protocol.log_scan import event_topic, scan_logs, topic_address


class LimitedNode:
    """raw_logs as a provider serves it: one log per block, at most ``max_blocks`` blocks a request."""

    def __init__(self, max_blocks: int, refuse_block: int | None = None) -> None:
        self.max_blocks, self.refuse_block = max_blocks, refuse_block
        self.asked: list[tuple[int, int]] = []

    def raw_logs(self, from_block: int, to_block: int, *, address: Any = None, topics: Any = None) -> list[dict[str, Any]]:
        self.asked.append((from_block, to_block))
        if to_block - from_block + 1 > self.max_blocks:
            raise ChainError("block range is too large", method="eth_getLogs")
        if self.refuse_block is not None and from_block <= self.refuse_block <= to_block:
            raise ChainError("query returned more than 10000 results", method="eth_getLogs")
        return [{"blockNumber": hex(b)} for b in range(from_block, to_block + 1)]


def test_a_range_the_node_refuses_is_split_until_it_fits_and_stays_in_chain_order() -> None:
    node = LimitedNode(max_blocks=300)
    scan = scan_logs(node, "0x" + "11" * 20, [None], 0, 999, chunk_blocks=1_000)  # type: ignore[arg-type]
    assert [int(log["blockNumber"], 16) for log in scan.logs] == list(range(1_000))
    # 0..999 refused, 0..499 refused, 0..249 served, 250..499 served; the chunk stays at 250 from then on
    assert node.asked[:4] == [(0, 999), (0, 499), (0, 249), (250, 499)]
    assert scan.chunk_blocks == 250 and scan.splits == 2
    assert node.asked[4:] == [(500, 749), (750, 999)]  # the rest at the size the node accepted, never refused again
    assert scan.requests == len(node.asked) == 6


def test_a_single_block_the_node_refuses_is_named() -> None:
    with pytest.raises(ChainError, match="eth_getLogs refused block 7 alone"):
        scan_logs(LimitedNode(max_blocks=10, refuse_block=7), "0x" + "11" * 20, [None], 0, 9)  # type: ignore[arg-type]


def test_topics() -> None:
    # keccak("Transfer(address,address,uint256)"), the ERC-20 event every explorer shows
    assert event_topic("Transfer(address,address,uint256)") == \
        "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
    found = topic_address("0x" + "00" * 12 + "ab" * 20)
    assert found.lower() == "0x" + "ab" * 20 and found != found.lower()  # checksummed
