"""Incident drills rebuilt from cited points (oracles/incidents/, black-thursday), reduced, on a real chain.

Each test asserts the direction its drill's description states (when liquidations may start,
which pool liquidates more, whether the feed sticks), never a tuned figure. Bounds on a drill's
headline metrics are its ``expect:`` (``assert_expectations``); windows of steps, events and the
comparisons of twins stay here.
"""

from __future__ import annotations

from typing import Any

from defidrill.assertions import assert_expectations
from support.e2e_runs import DrillRun, DrillRuns, assert_clean

H, MIN = 3600.0, 60.0


def _liquidations_between(run: DrillRun, start_s: float, end_s: float) -> int:
    return int(sum(row["liquidations"] for row in run.rows_between(start_s, end_s)))


def _row_at(run: DrillRun, t_s: float) -> dict[str, Any]:
    return next(row for row in run.steps if row["t_s"] == t_s)


def _longest_run_below_one(run: DrillRun) -> int:
    """The most consecutive steps with an account below HF 1 (by the pool's prices)."""
    longest = current = 0
    for row in run.steps:
        current = current + 1 if row["accounts_below_1"] > 0 else 0
        longest = max(longest, current)
    return longest


def test_btc_march_2023_liquidates_in_waves_without_bad_debt(drill_runs: DrillRuns) -> None:
    run = drill_runs("incidents/btc-march-2023")
    assert_clean(run)
    assert_expectations(run)  # nothing before 2 h, the feed within 1%, liquidations, bad debt near zero
    # The lowest starting health is 1.02: nothing is liquidatable above 21,645 / 1.02 = 21,221,
    # and the path stays above 21,468 until 18:00 (2 h): the drill's first_liquidation_s min.
    assert all(row["ref_WBTC_usd"] > 21_221 for row in run.rows_between(0, 2 * H))
    assert _liquidations_between(run, 2 * H, 10 * H) > 0
    # Keepers keep up: no account stays below HF 1 for more than 3 steps.
    assert _longest_run_below_one(run) <= 3


def test_base_depeg_lowers_the_debt_of_the_pool_that_reads_the_feed(drill_runs: DrillRuns) -> None:
    feed = drill_runs("incidents/usdc-base-depeg")
    hard = drill_runs("incidents/usdc-base-depeg-hardcoded")
    assert_clean(feed)
    assert_clean(hard)
    assert_expectations(feed)
    assert_expectations(hard)
    usdc_low_s, btc_low_s = 5 * H + 50 * MIN, 6 * H + 8 * MIN  # 07:50 and ~08:07 UTC on the 2-minute grid
    # The hard-coded pool never sees the depeg (its seeded answer is the 0.9992 of 02:00, then $1);
    # the other one values its USDC debt at the feed.
    assert all(row["guard_USDC_usd"] >= 0.999 for row in hard.steps)
    assert _row_at(feed, usdc_low_s)["guard_USDC_usd"] < 0.9
    # Its debt in USD falls with USDC (no liquidation in between to explain it): 12.5% at the low.
    assert _liquidations_between(feed, 2 * H, usdc_low_s + 1) == 0
    assert _row_at(feed, usdc_low_s)["total_debt_usd"] < 0.92 * _row_at(feed, 2 * H)["total_debt_usd"]
    # So through the BTC dip its borrowers stay healthier, and the hard-coded twin liquidates more.
    assert _row_at(feed, btc_low_s)["min_health_factor"] > _row_at(hard, btc_low_s)["min_health_factor"]
    after_depeg_hard = _liquidations_between(hard, 2 * H, 7 * H)
    assert after_depeg_hard > 0
    assert _liquidations_between(feed, 2 * H, 7 * H) < after_depeg_hard
    assert feed.onchain["liquidation_count"] < hard.onchain["liquidation_count"]


def test_usdc_collateral_depeg_liquidates_from_the_first_leg(drill_runs: DrillRuns) -> None:
    run = drill_runs("incidents/usdc-depeg-march-2023")
    assert_clean(run)
    assert_expectations(run)  # nothing before 2 h, the feed within 1%, liquidations, small bad debt
    # Until 04:00 USDC holds at 0.996 or more: the loops opened at HF >= 1.01 stay above 1.
    assert all(row["ref_USDC_usd"] >= 0.996 for row in run.rows_between(0, 2 * H))
    first_leg = _liquidations_between(run, 2 * H, 2 * H + 40 * MIN)       # to 0.944 by 04:34
    to_the_low = _liquidations_between(run, 2 * H, 5 * H + 52 * MIN)      # the 07:50 low
    assert 0 < first_leg < to_the_low


def test_luna_feed_sticks_at_the_bound_and_the_naive_pool_lends_against_it(drill_runs: DrillRuns) -> None:
    run = drill_runs("incidents/luna-may-2022")
    assert_clean(run)
    assert_expectations(run)  # the stuck feed's deviation, liquidations while it moves, uncovered debt
    bound_usd, attack_s = 0.10, 144 * H + 30 * MIN
    # Liquidations follow the fall while the feed moves.
    assert _liquidations_between(run, 0, 126 * H) > 0
    # From 12 May ~13:00 the market is below the bound: the feed keeps one in-bounds answer.
    stuck_rows = run.rows_between(133 * H, 150 * H + 1)
    assert all(row["ref_LUNA_usd"] < bound_usd for row in stuck_rows)
    stuck = {row["feed_LUNA_usd"] for row in stuck_rows}
    assert len(stuck) == 1 and stuck.pop() >= bound_usd
    assert run.summary["activity"]["rejected_transmits"] > 0
    assert _liquidations_between(run, 133 * H, 150 * H + 1) == 0
    # The attacker borrows at 55% of the stuck price against LUNA worth a tenth of it.
    [attack] = [e for e in run.events_named("Attack") if e["agent"] == "attacker"]
    assert attack["t_s"] == attack_s
    luna_value_usd = attack["args"]["assetBoughtRaw"] / 1e18 * _row_at(run, attack_s)["ref_LUNA_usd"]
    borrowed_usd = attack["args"]["borrowedBaseRaw"] / 1e6
    assert borrowed_usd > 3 * luna_value_usd
    assert run.steps[-1]["uncovered_debt_usd"] >= 0.99 * (borrowed_usd - luna_value_usd)


def test_black_thursday_price_path_liquidates_in_two_waves(drill_runs: DrillRuns) -> None:
    run = drill_runs("black-thursday")
    assert_clean(run)
    assert_expectations(run)  # nothing before 10:00 (flat at $194), liquidations, small bad debt
    # A wave per leg.
    assert _liquidations_between(run, 10 * H, 12 * H) > 0
    assert _liquidations_between(run, 20 * H, 26 * H + 1) > 0


def test_black_thursday_congestion_prices_out_the_capped_keeper_and_delays_liquidations(drill_runs: DrillRuns) -> None:
    run, quiet = drill_runs("black-thursday"), drill_runs("black-thursday-quiet")
    assert_clean(run)
    gas, quiet_gas = run.onchain["gas"], quiet.onchain["gas"]
    assert gas["max_base_fee_gwei"] == 200.0
    # The fast keeper's cap is 100 gwei: above it, none of its liquidations lands...
    fee_at = {int(row["step"]): row["base_fee_gwei"] for row in run.steps}
    fast = [e for e in run.events_named("Liquidation") if e["agent"] == "keeper:fast"]
    assert all(fee_at[e["step"]] <= 100.0 for e in fast)
    refused = [e for e in run.events_named("TxDropped")
               if e["agent"] == "keeper:fast" and e["args"]["reason"] == "fee_cap_below_base_fee"]
    assert refused and all(fee_at[e["step"]] > 100.0 for e in refused)
    # ...so the slow keeper, which does little on a quiet chain, does most of it.
    by_keeper, quiet_by_keeper = run.onchain["liquidations_by_keeper"], quiet.onchain["liquidations_by_keeper"]
    assert by_keeper["keeper:slow"]["count"] > by_keeper.get("keeper:fast", {"count": 0})["count"]
    assert quiet_by_keeper["keeper:fast"]["count"] > quiet_by_keeper.get("keeper:slow", {"count": 0})["count"]
    # Liquidations are delayed by gas, keepers pay far more of it, and accounts stay underwater longer.
    assert gas["accounts_delayed_by_gas"] > 0 and quiet_gas["accounts_delayed_by_gas"] == 0
    assert gas["keeper_gas_eth"] > 10 * quiet_gas["keeper_gas_eth"]
    underwater = sum(row["accounts_below_1_ref"] for row in run.steps)
    quiet_underwater = sum(row["accounts_below_1_ref"] for row in quiet.steps)
    assert underwater > quiet_underwater
    assert run.onchain["min_health_factor"] < quiet.onchain["min_health_factor"]
