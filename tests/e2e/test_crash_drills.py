"""Crash drills: each shows the outcome its description promises, on a real chain.

Windows come from the drill files (failure ``at``/``for``, keeper ``offline``), never from
what a run printed. ``assert_clean`` checks status "ok" and every invariant;
``assert_expectations`` the drill's own ``expect:`` (each bound on a headline metric lives in
the drill file, once). What stays here is what no headline metric states: windows of steps,
which keeper did what, and the comparisons of two runs (a failure against flash-crash, against
its live twin).
"""

from __future__ import annotations

from defidrill.assertions import assert_expectations
from support.e2e_runs import DrillRun, DrillRuns, assert_clean

MIN = 60.0


def _liquidations_between(run: DrillRun, start_s: float, end_s: float) -> int:
    return int(sum(row["liquidations"] for row in run.rows_between(start_s, end_s)))


def _first_protocol_breach_s(run: DrillRun) -> float | None:
    """First step where an account is below HF 1 by the protocol's own prices."""
    return run.first_t_s(lambda row: row["accounts_below_1"] > 0)


# --------------------------------------------------------------------------- flash-crash


def test_flash_crash_orderly_liquidations_competing_keepers_and_cascade(drill_runs: DrillRuns) -> None:
    run = drill_runs("flash-crash")
    assert_clean(run)
    # The feeds within the deviation band, liquidations and their delay, the cascade's AMM
    # deviation, bad debt near zero, the CEX on the same path: the drill's expect:.
    assert_expectations(run)
    on = run.onchain
    # LPs pull 40 % at 15m: nothing before, 40 % from then on.
    assert all(row["lp_withdrawn_pct"] == 0 for row in run.rows_between(0, 15 * MIN))
    assert all(abs(row["lp_withdrawn_pct"] - 40) < 0.01 for row in run.rows_between(15 * MIN, 1e9))
    # First liquidations land in the step the protocol first sees an account below HF 1,
    # or within a few blocks (12 s blocks; 10 s steps): 3 steps at most.
    breach_s = _first_protocol_breach_s(run)
    assert breach_s is not None and on["first_liquidation_s"] is not None
    assert 0 <= on["first_liquidation_s"] - breach_s <= 30
    # Two keepers compete: the fast one wins, the slow one (2 blocks late) sees reverts.
    by_keeper = on["liquidations_by_keeper"]
    assert by_keeper["keeper:fast"]["count"] >= 1
    assert by_keeper["keeper:slow"]["failed_txs"] >= 1
    # The cascade pushes the spot BELOW the reference (the expectation bounds its distance either way).
    below = [row for row in run.steps if row["amm_WBTC_usd"] < row["ref_WBTC_usd"] * 0.99
             or row["amm_WETH_usd"] < row["ref_WETH_usd"] * 0.99]
    assert below, "no step with the AMM 1 % under the reference"
    assert run.summary["cex"] is not None  # the CEX side ran (its expectations allow null for a drill without it)


# --------------------------------------------------------------------------- keeper-outage


def test_keeper_outage_leaves_accounts_unliquidated_then_a_burst(drill_runs: DrillRuns) -> None:
    run = drill_runs("keeper-outage")
    flash = drill_runs("flash-crash")
    assert_clean(run)
    assert_expectations(run)  # the breach inside the outage, nothing before the keepers return, the delay
    on = run.onchain
    outage_start_s, outage_end_s = 25 * MIN, 55 * MIN  # keepers' offline: [{at: 25m, for: 30m}]
    window = run.rows_between(outage_start_s, outage_end_s)
    assert _liquidations_between(run, outage_start_s, outage_end_s) == 0
    assert not [e for e in run.events_named("TxFailed") if outage_start_s <= e["t_s"] < outage_end_s
                and e["agent"].startswith("keeper:")]
    # Accounts sit below HF 1 (by the protocol's prices) with no one to liquidate them.
    stuck = [row for row in window if row["accounts_below_1"] > 0]
    assert len(stuck) >= 10 * 6, "accounts should sit liquidatable for 10+ minutes of the outage"
    # Keepers return: a burst in the first minute back.
    assert _liquidations_between(run, outage_end_s, outage_end_s + MIN) >= 2
    # The delay is about the outage: longer than flash-crash's by more than 5 minutes.
    assert on["first_liquidation_delay_s"] > flash.onchain["first_liquidation_delay_s"] + 5 * MIN
    # Accounts sink further than in flash-crash; bad debt is at least flash-crash's.
    assert on["min_health_factor"] < flash.onchain["min_health_factor"]
    assert on["bad_debt_usd"] >= flash.onchain["bad_debt_usd"]


# --------------------------------------------------------------------------- stale-feed-crash


def test_stale_feed_blocks_liquidations_then_burst_and_bad_debt(drill_runs: DrillRuns) -> None:
    run = drill_runs("stale-feed-crash")
    flash = drill_runs("flash-crash")
    assert_clean(run)
    assert_expectations(run)  # the first liquidation in the step the feed resumes, the burst, bad debt
    on = run.onchain
    stale_start_s, stale_end_s = 10 * MIN, 50 * MIN  # failures: stale WETH at 10m for 40m
    max_staleness_s = 20 * MIN
    window = run.rows_between(stale_start_s, stale_end_s)
    # The feed shows the pre-crash price with an ageing updatedAt; no round lands.
    assert {row["feed_WETH_usd"] for row in window} == {3000.0}
    assert all(row["feed_WETH_age_s"] >= row["t_s"] - stale_start_s for row in window)
    # Past max_staleness the guard refuses the answer (so borrowing against WETH stops).
    refused = [row for row in window if row["feed_WETH_age_s"] > max_staleness_s]
    assert refused and all(row["guard_WETH_rule"] == "STALE" and row["guard_WETH_usd"] == 0 for row in refused)
    assert all(row["guard_USDC_rule"] == "OK" for row in run.steps)  # only the stale feed is refused
    # Below HF 1 at market prices, yet no liquidation while stale.
    assert max(row["accounts_below_1_ref"] for row in window) >= 3
    assert _liquidations_between(run, stale_start_s, stale_end_s) == 0
    # The feed resumes at 50m: a burst in its first minute.
    assert _liquidations_between(run, stale_end_s, stale_end_s + MIN) >= 0.5 * on["liquidation_count"]
    # Worse than the live-feed crash: later, and with more bad debt.
    assert on["first_liquidation_delay_s"] > flash.onchain["first_liquidation_delay_s"] + 10 * MIN
    assert on["bad_debt_usd"] > flash.onchain["bad_debt_usd"]


# --------------------------------------------------------------------------- sequencer-outage


def test_sequencer_outage_and_grace_hold_liquidations_then_bad_debt(drill_runs: DrillRuns) -> None:
    run = drill_runs("sequencer-outage")
    live = drill_runs("sequencer-outage-live")
    assert_clean(run)
    assert_clean(live)
    assert_expectations(run)  # half of the liquidating after the grace, the share liquidated, bad debt
    on = run.onchain
    down_s, up_s = 30 * MIN, 108 * MIN  # failures: sequencer_down at 30m for 78m
    grace_end_s = up_s + 60 * MIN       # grace: 1h
    # While down: no feed round lands (the answer and updatedAt freeze), the guard says so.
    down_rows = run.rows_between(down_s + 30, up_s)  # the step that takes it down may carry a round
    assert len({row["feed_WETH_usd"] for row in down_rows}) == 1
    assert not [e for e in run.events_named("AnswerUpdated") if down_s < e["t_s"] < up_s
                and e["agent"] == "feeder" and e["contract"] != "SequencerUptimeFeed"]
    assert all(row["guard_WETH_rule"] == "SEQUENCER_DOWN" for row in down_rows)
    grace_rows = run.rows_between(up_s + 30, grace_end_s)
    assert all(row["guard_WETH_rule"] == "SEQUENCER_GRACE_PERIOD" for row in grace_rows)
    # No liquidation during the outage and the grace period, though accounts are underwater.
    assert _liquidations_between(run, down_s, grace_end_s) == 0
    assert max(row["accounts_below_1_ref"] for row in run.rows_between(down_s, grace_end_s)) >= 3
    # A burst once the grace ends.
    assert min(run.liquidation_times_s()) >= grace_end_s
    burst = _liquidations_between(run, grace_end_s, grace_end_s + 5 * MIN)
    assert burst >= 0.9 * on["liquidation_count"]
    live_busiest = max(_liquidations_between(live, t, t + 5 * MIN) for t in live.column("t_s"))
    assert burst >= 2 * live_busiest
    # The same drop with a live sequencer liquidates along the way, earlier and with less bad debt.
    assert live.onchain["first_liquidation_s"] < down_s + 60 * MIN
    assert on["first_liquidation_delay_s"] > live.onchain["first_liquidation_delay_s"] + 60 * MIN
    assert on["bad_debt_usd"] > live.onchain["bad_debt_usd"]
    assert on["time_to_half_liquidated_s"] > live.onchain["time_to_half_liquidated_s"] + 60 * MIN


# --------------------------------------------------------------------------- osm-delay


def test_osm_delay_liquidates_an_hour_late_at_the_stale_price(drill_runs: DrillRuns) -> None:
    run = drill_runs("osm-delay")
    flash = drill_runs("flash-crash")
    assert_clean(run)
    assert_expectations(run)  # the lagging answer, the first liquidation about the delay late, bad debt
    on = run.onchain
    delay_s = 300 * 12.0  # failures: delay 300 blocks of 12 s
    step_s = 12.0
    # The answer in use is the one observed an hour earlier (within the 0.5 % deviation band).
    by_t = {row["t_s"]: row for row in run.steps}
    checked = 0
    for row in run.steps:
        earlier = by_t.get(row["t_s"] - delay_s)
        if earlier is None:
            continue
        assert abs(row["feed_WETH_usd"] - earlier["ref_WETH_usd"]) <= 0.006 * earlier["ref_WETH_usd"] + 0.01
        checked += 1
    assert checked > 100
    # Liquidated at the stale (higher) price: seized collateral at market is worth less than
    # repaid x (1 + 5 % bonus).
    assert on["seized_collateral_usd"] < on["liquidated_debt_usd"] * 1.05 * (1 - 0.005)
    # And bad debt exceeds flash-crash's.
    assert on["bad_debt_usd"] > flash.onchain["bad_debt_usd"]
    assert on["first_liquidation_delay_s"] > flash.onchain["first_liquidation_delay_s"] + 30 * MIN
    assert step_s == run.steps[1]["t_s"] - run.steps[0]["t_s"]
