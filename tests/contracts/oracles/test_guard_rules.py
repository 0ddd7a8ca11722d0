"""OracleGuard GUARDED mode: every rule, the fallback, the sequencer and decimals normalisation."""

from __future__ import annotations

from typing import Any

import pytest

# anvil estimates gas before evm_setNextBlockTimestamp applies; time-dependent paths need a fixed limit
TIMED_TX_GAS = 1_000_000
ASSET = "0x000000000000000000000000000000000000a55e"
MIN_RAW, MAX_RAW = 10_000_000, 10**8 * 1_000_000  # conftest `feed` bounds, 8 decimals


def _inject(chain: Any, feed: Any, answer: int, updated_at: int, answered_in_round: int = 0, started_at: int = 0) -> None:
    chain.transact(feed.contract.functions.injectRound(answer, started_at or updated_at, updated_at, answered_in_round))


@pytest.mark.parametrize(
    ("decimals", "answer_raw", "expected_wad"),
    [
        (8, 60_000 * 10**8, 60_000 * 10**18),
        (8, 1, 10**10),
        (18, 3_000_5 * 10**17, 3_000_5 * 10**17),
        (6, 999_999, 999_999 * 10**12),
        (20, 123_456_789, 1_234_567),  # 20 decimals: divided by 100, rounded down
    ],
)
def test_normalisation(chain: Any, kit: Any, decimals: int, answer_raw: int, expected_wad: int) -> None:
    feed = chain.deploy("ChainlinkFeed", decimals, "X / USD", 1, 2**190, chain.accounts[1])
    chain.transact(feed.contract.functions.transmit(answer_raw), sender=chain.accounts[1])
    kit.configure(ASSET, "GUARDED", feed.address)
    assert kit.price() == expected_wad
    assert tuple(chain.call(kit.guard.contract.functions.peekPrice(ASSET))) == (expected_wad, True)
    verdict = kit.check()
    assert verdict["ok"] and verdict["primary"] == "OK" and verdict["fallback"] == "NO_FALLBACK"
    assert verdict["answer"] == answer_raw


def test_staleness_boundary(chain: Any, kit: Any, feed: Any, transmitter: str, push: Any) -> None:
    t = chain.timestamp() + 10
    push(feed, 100 * 10**8, transmitter, at_s=t)
    kit.configure(ASSET, "GUARDED", feed.address, max_staleness_s=3600)
    chain.set_next_timestamp(t + 3600)
    chain.mine()
    assert kit.price() == 100 * 10**18  # exactly maxStaleness old: accepted
    chain.set_next_timestamp(t + 3601)
    chain.mine()
    assert kit.check()["primary"] == "STALE"
    assert kit.check()["updated_at"] == t
    assert kit.unavailable_reason() == "STALE"
    assert tuple(chain.call(kit.guard.contract.functions.peekPrice(ASSET))) == (0, False)


@pytest.mark.parametrize(
    ("answer", "answered_in_round", "updated_offset", "rule"),
    [
        (0, 0, 0, "NON_POSITIVE_ANSWER"),
        (-1, 0, 0, "NON_POSITIVE_ANSWER"),
        (100 * 10**8, 1, 0, "INCOMPLETE_ROUND"),  # answeredInRound 1 < roundId 2
        (100 * 10**8, 0, None, "INCOMPLETE_ROUND"),  # updatedAt == 0
        (100 * 10**8, 0, 5, "FUTURE_TIMESTAMP"),
        (2**128, 0, 0, "ANSWER_OUT_OF_RANGE"),
    ],
)
def test_broken_round_rules(
    chain: Any, kit: Any, feed: Any, transmitter: str, push: Any,
    answer: int, answered_in_round: int, updated_offset: int | None, rule: str,
) -> None:  # fmt: skip
    push(feed, 100 * 10**8, transmitter)
    kit.configure(ASSET, "GUARDED", feed.address)
    now = chain.timestamp()
    updated_at = 0 if updated_offset is None else now + updated_offset
    chain.transact(feed.contract.functions.injectRound(answer, now, updated_at, answered_in_round))
    assert kit.check()["primary"] == rule
    assert kit.check()["answer"] == answer
    assert kit.unavailable_reason() == rule


@pytest.mark.parametrize(
    ("previous", "latest", "rule"),
    [
        (100 * 10**8, 120 * 10**8, "OK"),  # exactly +20%: not beyond the threshold
        (100 * 10**8, 120 * 10**8 + 1, "DEVIATION"),
        (100 * 10**8, 80 * 10**8, "OK"),  # exactly -20%
        (100 * 10**8, 80 * 10**8 - 1, "DEVIATION"),
    ],
)
def test_deviation_breaker(
    chain: Any, kit: Any, feed: Any, transmitter: str, push: Any, previous: int, latest: int, rule: str
) -> None:
    kit.configure(ASSET, "GUARDED", feed.address, max_deviation_bps=2_000)
    push(feed, previous, transmitter)
    assert kit.check()["primary"] == "OK"  # first round: no previous round, breaker idle
    push(feed, latest, transmitter)
    assert kit.check()["primary"] == rule
    if rule == "DEVIATION":
        assert kit.unavailable_reason() == "DEVIATION"
        push(feed, latest, transmitter)  # the next round confirms the move: breaker releases
        assert kit.price() == latest * 10**10


@pytest.mark.parametrize(
    ("answer", "buffer_bps", "rule"),
    [
        (MIN_RAW, 0, "AT_MIN_ANSWER"),
        (MIN_RAW + 1, 0, "OK"),
        (MAX_RAW, 0, "AT_MAX_ANSWER"),
        (MAX_RAW - 1, 0, "OK"),
        (10_700_000, 1_000, "AT_MIN_ANSWER"),  # LUNA at $0.107, bound $0.10 + 10% buffer = $0.11
        (11_000_000, 1_000, "AT_MIN_ANSWER"),  # 0.11 * 1e4 <= 0.10 * 1.1e4
        (11_000_001, 1_000, "OK"),
        (MAX_RAW * 9 // 10, 1_000, "AT_MAX_ANSWER"),
    ],
)
def test_bound_clamp(
    chain: Any, kit: Any, feed: Any, transmitter: str, push: Any, answer: int, buffer_bps: int, rule: str
) -> None:
    kit.configure(ASSET, "GUARDED", feed.address, check_bounds=True, bound_buffer_bps=buffer_bps)
    push(feed, answer, transmitter)
    assert kit.check()["primary"] == rule
    kit.configure(ASSET, "GUARDED", feed.address, check_bounds=False)
    assert kit.check()["primary"] == "OK"  # the rule only fires when asked for


def test_luna_clamp_drill(chain: Any, kit: Any, feed: Any, transmitter: str, push: Any) -> None:
    """The feed freezes at $0.107 while the market falls through $0.10: staleness catches it."""
    t = chain.timestamp() + 10
    push(feed, 10_700_000, transmitter, at_s=t)
    kit.configure(ASSET, "GUARDED", feed.address, max_staleness_s=3600)
    chain.set_next_timestamp(t + 1800)
    chain.mine()
    assert kit.price() == 107 * 10**15  # $0.107 in wad, bounds not checked: still accepted
    chain.set_next_timestamp(t + 3700)
    from defidrill.errors import RevertError

    with pytest.raises(RevertError):
        chain.transact(feed.contract.functions.transmit(1_000_000), sender=transmitter)  # $0.01 rejected
    chain.mine()
    assert kit.check()["primary"] == "STALE"


def test_source_call_failed(chain: Any, kit: Any) -> None:
    token = chain.deploy("MintableERC20", "Not a feed", "NF", 8)  # has decimals(), no latestRoundData()
    kit.configure(ASSET, "GUARDED", token.address)
    assert kit.check()["primary"] == "SOURCE_CALL_FAILED"
    kit.configure(ASSET, "NAIVE", token.address)
    assert kit.unavailable_reason() == "SOURCE_CALL_FAILED"


def test_bounds_unreadable_is_source_call_failed(chain: Any, kit: Any) -> None:
    """A feed without minAnswer()/maxAnswer() cannot pass checkBounds."""
    no_bounds = chain.deploy("SequencerUptimeFeed", chain.accounts[2], True)  # answers 1, no bounds
    kit.configure(ASSET, "GUARDED", no_bounds.address, check_bounds=True)
    assert kit.check()["primary"] == "SOURCE_CALL_FAILED"
    kit.configure(ASSET, "GUARDED", no_bounds.address, check_bounds=False)
    assert kit.check()["primary"] == "OK"


def test_fallback_feed(chain: Any, kit: Any, feed: Any, transmitter: str, push: Any) -> None:
    backup = chain.deploy("ChainlinkFeed", 18, "WBTC / USD backup", 1, 2**150, transmitter)
    t = chain.timestamp() + 10
    push(feed, 60_000 * 10**8, transmitter, at_s=t)
    push(backup, 59_000 * 10**18, transmitter, at_s=t + 1)
    kit.configure(ASSET, "GUARDED", feed.address, fallback_kind="FEED", fallback=backup.address, max_staleness_s=600)
    assert kit.price() == 60_000 * 10**18  # primary passes: fallback unused
    push(backup, 59_500 * 10**18, transmitter, at_s=t + 500)
    chain.set_next_timestamp(t + 700)
    chain.mine()
    verdict = kit.check()
    assert verdict["primary"] == "STALE" and verdict["fallback"] == "OK" and verdict["used_fallback"]
    assert verdict["price_wad"] == 59_500 * 10**18
    chain.set_next_timestamp(t + 701)
    receipt = chain.transact(kit.guard.contract.functions.getPrice(ASSET), gas=TIMED_TX_GAS)
    rejected = kit.chain.events(receipt, kit.guard, "PriceRejected")
    assert [(r["source"].lower(), kit.rule(r["rule"]), r["answer"], r["updatedAt"]) for r in rejected] == [
        (feed.address.lower(), "STALE", 60_000 * 10**8, t)
    ]
    used = kit.chain.events(receipt, kit.guard, "FallbackUsed")
    assert [(u["fallbackSource"].lower(), kit.rule(u["primaryRule"]), u["priceWad"]) for u in used] == [
        (backup.address.lower(), "STALE", 59_500 * 10**18)
    ]
    # both stale: unavailable, reason = the primary's rule; check() shows the fallback's too
    chain.set_next_timestamp(t + 1101)
    chain.mine()
    assert kit.check()["fallback"] == "STALE"
    assert kit.unavailable_reason() == "STALE"


def test_fallback_failing_other_rule(chain: Any, kit: Any, feed: Any, transmitter: str, push: Any) -> None:
    backup = chain.deploy("ChainlinkFeed", 8, "backup", 1, 2**150, transmitter)
    push(feed, 60_000 * 10**8, transmitter)
    kit.configure(ASSET, "GUARDED", feed.address, fallback_kind="FEED", fallback=backup.address)
    now = chain.timestamp()
    chain.transact(feed.contract.functions.injectRound(0, now, now, 0))
    assert kit.check()["fallback"] == "INCOMPLETE_ROUND"  # backup has no round: updatedAt == 0
    assert kit.unavailable_reason() == "NON_POSITIVE_ANSWER"


def test_sequencer_down_and_grace_period(chain: Any, kit: Any, feed: Any, transmitter: str, push: Any) -> None:
    updater = chain.accounts[2]
    seq = chain.deploy("SequencerUptimeFeed", updater, False)
    deployed_at = chain.timestamp()
    receipt = chain.transact(kit.guard.contract.functions.setSequencerFeed(seq.address, 3600))
    assert [(e["feed"].lower(), e["gracePeriodS"]) for e in chain.events(receipt, kit.guard, "SequencerFeedSet")] == [
        (seq.address.lower(), 3600)
    ]
    backup = chain.deploy("ChainlinkFeed", 8, "backup", 1, 2**150, transmitter)
    kit.configure(ASSET, "GUARDED", feed.address, fallback_kind="FEED", fallback=backup.address, max_staleness_s=10**6)
    push(feed, 100 * 10**8, transmitter, at_s=deployed_at + 3600)
    assert kit.check()["primary"] == "SEQUENCER_GRACE_PERIOD"  # up since deployment, exactly 3600 s
    push(feed, 100 * 10**8, transmitter, at_s=deployed_at + 3601)
    assert kit.price() == 100 * 10**18

    down_at = deployed_at + 5000
    chain.set_next_timestamp(down_at)
    chain.transact(seq.contract.functions.updateStatus(True), sender=updater, gas=TIMED_TX_GAS)
    verdict = kit.check()
    assert (verdict["primary"], verdict["fallback"], verdict["source"]) == ("SEQUENCER_DOWN", "NO_FALLBACK", seq.address.lower())
    assert verdict["answer"] == 1 and verdict["updated_at"] == down_at
    assert kit.unavailable_reason() == "SEQUENCER_DOWN"

    up_at = down_at + 78 * 60
    chain.set_next_timestamp(up_at)
    chain.transact(seq.contract.functions.updateStatus(False), sender=updater, gas=TIMED_TX_GAS)
    chain.set_next_timestamp(up_at + 3600)
    chain.mine()
    assert kit.unavailable_reason() == "SEQUENCER_GRACE_PERIOD"  # just before the grace ends
    chain.set_next_timestamp(up_at + 3601)
    chain.mine()
    assert kit.price() == 100 * 10**18  # just after
    chain.transact(kit.guard.contract.functions.setSequencerFeed("0x" + "00" * 20, 0))
    assert kit.check()["primary"] == "OK"


def test_sequencer_grace_default_and_unreadable(chain: Any, kit: Any, feed: Any, transmitter: str, push: Any) -> None:
    assert chain.call(kit.guard.contract.functions.gracePeriodS()) == 3600
    assert chain.call(kit.guard.contract.functions.DEFAULT_GRACE_PERIOD_S()) == 3600
    push(feed, 100 * 10**8, transmitter)
    kit.configure(ASSET, "GUARDED", feed.address)
    token = chain.deploy("MintableERC20", "Not a feed", "NF", 0)
    chain.transact(kit.guard.contract.functions.setSequencerFeed(token.address, 3600))
    assert kit.check()["primary"] == "SOURCE_CALL_FAILED"
    empty = chain.deploy("ChainlinkFeed", 0, "no round", 0, 1, transmitter)  # startedAt == 0
    chain.transact(kit.guard.contract.functions.setSequencerFeed(empty.address, 3600))
    assert kit.check()["primary"] == "INCOMPLETE_ROUND"

