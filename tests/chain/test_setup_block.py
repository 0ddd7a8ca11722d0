"""Set-up blocks checked from their logs (``Chain.send_setup_block``) and ``send_block``'s round trips,
against a real anvil: the same blocks as ``send_block``, the same error as the check over every receipt."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from defidrill.chain import Chain, TxRequest
from defidrill.chain.setup_block import raise_setup_failures
from defidrill.errors import ChainError

GAS = 100_000


@pytest.fixture
def manual(chain: Chain) -> Iterator[Chain]:
    """Automine off, as seeding runs (``build_world``)."""
    chain.set_automine(False)
    try:
        yield chain
    finally:
        chain.set_automine(True)


def _batch(chain: Chain, probe: Any, values: list[int]) -> list[TxRequest]:
    store = probe.encoder("store")
    txs = [chain.tx(store.prepare(v), sender=chain.accounts[v % 3], gas=GAS, label=f"store {v}") for v in values]
    # reset() emits no event: its success can only be read from its receipt
    return txs + [chain.tx(probe.functions.reset(), gas=GAS, label="reset")]


def test_setup_block_mines_what_send_block_mines_and_logs_settle_it(manual: Chain) -> None:
    chain = manual
    probe = chain.deploy("ChainProbe", 10**6)
    values = list(range(1, 301))  # 301 transactions: a block of 250, then one of 51
    start = chain.block_number()
    snap = chain.snapshot()
    results = chain.send_block(_batch(chain, probe, values))
    blocks_by_send_block = chain.block_number() - start
    assert [r.block_number for r in results] == [start + 1] * 250 + [start + 2] * 51  # type: ignore[union-attr]
    chain.revert(snap)
    chain.send_setup_block(_batch(chain, probe, values), "probe set-up")
    assert chain.block_number() - start == blocks_by_send_block == 2
    assert chain.call(probe.functions.value()) == 0            # reset ran last, after store(300)
    assert chain.call(probe.functions.lastTimestamp()) > 0     # the stores ran


def test_a_revert_raises_the_error_the_receipt_check_raises(manual: Chain) -> None:
    chain = manual
    probe = chain.deploy("ChainProbe", 1000)
    values = [5, 1001, 7, 2000]  # 1001 and 2000 revert ValueTooLarge(value, 1000)
    snap = chain.snapshot()
    with pytest.raises(ChainError) as by_receipts:
        txs = _batch(chain, probe, values)
        raise_setup_failures(chain, txs, chain.send_block(txs), "probe set-up")
    chain.revert(snap)
    with pytest.raises(ChainError) as by_logs:
        chain.send_setup_block(_batch(chain, probe, values), "probe set-up")
    message = str(by_logs.value)
    assert message.startswith("probe set-up: 2 transaction(s) reverted; first: store 1001 (tx 0x")
    assert message.endswith("ValueTooLarge(\"value\": 1001, \"max\": 1000)")
    assert message == str(by_receipts.value)


def test_a_step_block_is_four_posts(manual: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    """The latest block and the nonces; the timestamp and the sends; the mine; the pool and the receipts."""
    chain = manual
    probe = chain.deploy("ChainProbe", 1000)
    txs = _batch(chain, probe, [1, 2, 3])
    stamp = chain.timestamp() + 100
    posts: list[str] = []
    post = chain.rpc._post_body
    monkeypatch.setattr(chain.rpc, "_post_body", lambda body, method: posts.append(method) or post(body, method))
    results = chain.send_block(txs, timestamp=stamp)
    assert posts == ["eth_getBlockByNumber", "evm_setNextBlockTimestamp", "anvil_mine", "txpool_status"]
    assert all(r.ok for r in results)  # type: ignore[union-attr]
    assert chain.timestamp() == stamp and len(posts) == 4   # remembered from the last post
    assert len({r.block_number for r in results}) == 1  # type: ignore[union-attr]
    number = results[0].block_number  # type: ignore[union-attr]
    chain.mine(1)  # any post forgets what was remembered
    assert chain.latest_block().number == number + 1 and posts[-2:] == ["anvil_mine", "eth_getBlockByNumber"]


def test_an_empty_block_is_two_posts_at_its_timestamp(manual: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    """The latest block with the pool's status, then evm_mine at the step's time (the block
    evm_setNextBlockTimestamp + anvil_mine made: the next number, stamped exactly), then the head."""
    chain = manual
    start = chain.latest_block()
    stamp = start.timestamp + 40
    posts: list[str] = []
    post = chain.rpc._post_body
    monkeypatch.setattr(chain.rpc, "_post_body", lambda body, method: posts.append(method) or post(body, method))
    assert chain.send_block([], timestamp=stamp) == []
    # the third post reads the head and the next base fee, which the step asks next: no post of their own
    assert posts == ["eth_getBlockByNumber", "evm_mine", "eth_getBlockByNumber"]
    block, fee_wei = chain.latest_block(), chain.next_base_fee_wei()
    assert len(posts) == 3
    monkeypatch.undo()
    assert (block.number, block.timestamp) == (start.number + 1, stamp)
    assert fee_wei == int(chain.rpc.request("eth_feeHistory", ["0x1", "latest", []])["baseFeePerGas"][-1], 16)
    assert chain.latest_block() == block


def test_an_attached_node_is_always_asked(chain: Chain) -> None:
    """Someone else's node may have other writers: nothing read in an earlier post is recalled."""
    other = Chain.attach(chain.rpc_url, chain.artifacts)
    try:
        other.send_block([])
        before = other.rpc.posts
        other.latest_block()
        other.next_base_fee_wei()
        assert other.rpc.posts == before + 2
    finally:
        other.rpc.close()
