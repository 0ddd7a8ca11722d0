"""The one conversion module: each name's rounding at its edges, worked out by hand."""

from __future__ import annotations

import pytest

from defidrill.drill import feed_rules, parse_drill
from defidrill.drill.feeder import FeedFeeder, NodeObservation
from defidrill.protocol_terms.amounts import (
    feed_bounds_raw, from_raw, price_to_answer_half_even, to_raw_half_even, usd_to_raw_half_even,
)

INT192_MAX = 2**191 - 1


@pytest.mark.parametrize(("amount", "decimals", "raw"), [
    (1.25e-7, 8, 12),                 # 12.5 raw: the tie goes to the even 12
    (1.35e-7, 8, 14),                 # 13.5 raw: the tie goes to the even 14
    (1.234567895, 8, 123_456_790),    # ...789.5 -> ...790 (even)
    (1.234567885, 8, 123_456_788),    # ...788.5 -> ...788 (even): half-up would give 789
    (1.2345678951, 8, 123_456_790),   # past the tie: up
    (3000.5, 0, 3000),
    (3001.5, 0, 3002),
    (-2.5, 0, -2),                    # negative answers tie to even too (symmetric)
    (0.1, 18, 10**17),                # the float's repr, not its binary expansion 0.1000000000000000055...
    (2**60 + 1, 0, 2**60 + 1),        # an int above 2**53 is not squeezed through a float
])
def test_to_raw_half_even_at_the_ties(amount: float, decimals: int, raw: int) -> None:
    assert to_raw_half_even(amount, decimals) == raw


def test_usd_to_raw_half_even() -> None:
    # 10M USD of WBTC at 60,000: 166.666666666... WBTC -> 16,666,666,666.67 raw at 1e-8 -> ...667
    assert usd_to_raw_half_even(10_000_000, 60_000, 8) == 16_666_666_667
    # 1 USD at 8 USD a token = 0.125 token = 12.5 raw at 2 decimals -> 12; 3 USD -> 37.5 -> 38
    assert usd_to_raw_half_even(1, 8, 2) == 12
    assert usd_to_raw_half_even(3, 8, 2) == 38


def test_price_to_answer_half_even_matches_the_feeder_at_a_tie() -> None:
    # 60000.000000005 USD on an 8-decimal feed is 6,000,000,000,000.5 raw: half-even keeps ...000
    # (the feeder used to round half-up to ...001 while the market deployed ...000).
    assert price_to_answer_half_even(60000.000000005, 8) == 6_000_000_000_000
    assert price_to_answer_half_even(60000.000000015, 8) == 6_000_000_000_002


def test_from_raw_is_the_nearest_float() -> None:
    assert from_raw(6_000_000_000_000, 8) == 60_000.0
    assert from_raw(1, 18) == 1e-18
    assert from_raw(-123_456_789, 8) == -1.23456789


@pytest.mark.parametrize(("low_usd", "high_usd", "bounds"), [
    (None, None, (1, INT192_MAX)),                       # OCR's defaults
    (90, 200, (9_000_000_000, 20_000_000_000)),
    (0, None, (1, INT192_MAX)),                          # minAnswer 0 is deployed as 1 raw unit
    (0.000000004, None, (1, INT192_MAX)),                # 0.4 raw rounds to 0, then up to the 1-unit floor
    (0.000000025, 0.0000001, (2, 10)),                   # 2.5 raw -> 2 (even)
])
def test_feed_bounds_raw(low_usd: float | None, high_usd: float | None, bounds: tuple[int, int]) -> None:
    assert feed_bounds_raw(low_usd, high_usd, 8) == bounds


def _drill(feed: dict):
    return parse_drill({"market": {"step": "10s", "duration": "1m", "assets": {"X": 100.0, "USDC": 1}},
                        "protocol": {"oracle": {"feeds": {"X": feed}}}})


@pytest.mark.parametrize(("feed", "bounds"), [
    ({}, (1, INT192_MAX)),                                        # what the market deploys without bounds
    ({"min_answer": 90, "max_answer": 200}, (9_000_000_000, 20_000_000_000)),
])
def test_the_drill_model_holds_the_bounds_the_market_deploys(feed: dict, bounds: tuple[int, int]) -> None:
    rules = feed_rules(_drill(feed))["X"]
    assert (rules.min_answer_raw, rules.max_answer_raw) == bounds


def test_the_feeder_model_rejects_a_zero_answer_as_the_deployed_feed_does() -> None:
    # A transmitted 0 is below the feed's minAnswer of 1 raw unit: ChainlinkFeed reverts MedianNotInMinMax.
    feeder = FeedFeeder(feed_rules(_drill({}))["X"])
    feeder.observe(0, 0.0, NodeObservation(answer_raw=100 * 10**8))
    feeder.due(0, 0.0)
    assert feeder.observe(1, 10.0, NodeObservation(answer_raw=0)) == "deviation"
    (action,) = feeder.due(1, 10.0)
    assert action.expect_rejected
