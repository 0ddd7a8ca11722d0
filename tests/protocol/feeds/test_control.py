"""FeedControl and the defidrill_feeds fixture: pushes and one-shot failures by address, on our own feed
(driven directly) and on a foreign one (taken over first); expectations worked out from the inputs."""

from __future__ import annotations

from typing import Any

import pytest

from defidrill.chain import Chain
from defidrill.errors import ConfigError
from defidrill.protocol.feeds.control import FeedControl

PHASE_BASE = 1 << 64


@pytest.fixture
def foreign(chain: Chain) -> Any:
    feed = chain.deploy("ForeignAggregator", 8, "ETH / USD", 1)
    chain.transact(feed.functions.report(3_000_00000000))
    return feed


def test_push_on_our_feed_is_direct_and_on_a_foreign_feed_takes_over(chain: Chain, foreign: Any) -> None:
    ours = chain.deploy("ChainlinkFeed", 8, "WBTC / USD", 1, 10**16, chain.deployer)
    control = FeedControl(chain)
    view = control.push(ours.address, price_usd=59_123.45)
    assert (view.round_id, view.answer_raw) == (1, 5_912_345_000_000)
    assert control.feed(ours.address).name == "ChainlinkFeed"
    view = control.push(foreign.address, price_usd=2_450.5)
    assert (view.round_id, view.answer_raw, view.price_usd) == (PHASE_BASE + 2, 245_050_000_000, 2_450.5)
    assert control.feed(foreign.address).name == "TakeoverFeed"
    with pytest.raises(ConfigError, match="exactly one"):
        control.push(foreign.address)


def test_each_failure_kind(chain: Chain, foreign: Any) -> None:
    control = FeedControl(chain)
    now = chain.timestamp()
    v = control.fail(foreign.address, "stale", age_s=7200)
    assert (v.answer_raw, v.updated_at_s) == (3_000_00000000, now - 7200)  # the injected block is mined after `now`
    assert control.fail(foreign.address, "zero").answer_raw == 0
    control.push(foreign.address, price_usd=3_000)
    assert control.fail(foreign.address, "negative").answer_raw == -3_000_00000000
    control.push(foreign.address, price_usd=3_000)
    v = control.fail(foreign.address, "incomplete")
    assert v.answered_in_round == v.round_id - 1
    v = control.fail(foreign.address, "future", age_s=600)
    assert v.updated_at_s > chain.timestamp()
    control.push(foreign.address, price_usd=2_000)
    assert control.fail(foreign.address, "spike", factor=1.5).answer_raw == 3_000_00000000
    assert control.fail(foreign.address, "wrong_decimals", decimals=18).answer_raw == 3_000 * 10**18
    control.fail(foreign.address, "clamp", min_price_usd=0.10)
    assert chain.call(control.feed(foreign.address).functions.minAnswer()) == 10_000_000
    with pytest.raises(ConfigError, match="unknown feed failure 'melt'"):
        control.fail(foreign.address, "melt")
    with pytest.raises(ConfigError, match="wrong_decimals needs"):
        control.fail(foreign.address, "wrong_decimals")


def test_sequencer_by_address(chain: Chain) -> None:
    seq = chain.deploy("SequencerUptimeFeed", chain.accounts[4], False)  # someone else's updater: taken over
    control = FeedControl(chain)
    v = control.set_sequencer(seq.address, down=True)
    assert (v.round_id, v.answer_raw) == (2, 1)
    assert control.set_sequencer(seq.address, down=False).answer_raw == 0


def test_fixture_pushes_and_asserts_in_domain_words(defidrill_feeds: Any, defidrill_chain: Chain) -> None:
    feed = defidrill_chain.deploy("ForeignAggregator", 8, "ETH / USD", 1)
    defidrill_chain.transact(feed.functions.report(3_000_00000000))
    defidrill_feeds.push(feed.address, price_usd=2_500)
    defidrill_feeds.assert_answer(feed.address, 2_500)
    with pytest.raises(AssertionError) as info:
        defidrill_feeds.assert_answer(feed.address, 2_400)
    short = f"{feed.address[:6]}..{feed.address[-4:]}"
    assert str(info.value) == (f"feed {short} (ETH / USD) answers $2,500.00000000 in round {PHASE_BASE + 2} "
                               f"(updated at {defidrill_chain.timestamp()}); expected $2,400.00000000")
