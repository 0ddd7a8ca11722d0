"""Oracle-attack drills and their guarded twins, and the GBM stress drill, on a real chain.

Each drill's bounds on its headline metrics are its ``expect:`` (``assert_expectations``); what
stays here is what no headline metric states (the stuck feed's window, the attacker's own
transaction and what it bought) and the comparison of each drill with its twin.
"""

from __future__ import annotations

from typing import Any

from defidrill.assertions import assert_expectations
from support.e2e_runs import DrillRun, DrillRuns, assert_clean

MIN = 60.0


def _attacks(run: DrillRun) -> list[dict[str, Any]]:
    return [e for e in run.events_named("Attack") if e["agent"] == "attacker"]


def _attacker_failures(run: DrillRun) -> list[dict[str, Any]]:
    return [e for e in run.events_named("TxFailed") if e["agent"] == "attacker"]


# --------------------------------------------------------------------------- minanswer clamp pair

CLAMP_BOUND_USD = 0.10 * 80  # floor: 10% of the start price
STUCK_FROM_S, ATTACK_S, LIFT_S = 135 * MIN, 152 * MIN, 160 * MIN  # ref < bound from ~129m


def _check_stuck_feed(run: DrillRun) -> None:
    rows = run.rows_between(STUCK_FROM_S, LIFT_S)
    assert all(row["ref_LUNA_usd"] < CLAMP_BOUND_USD for row in rows)
    stuck = {row["feed_LUNA_usd"] for row in rows}
    assert len(stuck) == 1 and stuck.pop() >= CLAMP_BOUND_USD  # the last in-bounds answer
    assert run.summary["activity"]["rejected_transmits"] > 0  # transmits below the bound reverted
    assert sum(row["liquidations"] for row in rows) == 0
    # Once the bounds are lifted, the true price lands.
    assert run.steps[-1]["feed_LUNA_usd"] < CLAMP_BOUND_USD / 5


def test_minanswer_clamp_naive_lends_against_the_stuck_price(drill_runs: DrillRuns) -> None:
    run = drill_runs("minanswer-clamp-naive")
    assert_clean(run)
    assert_expectations(run)  # the stuck feed's deviation, bad debt a share of the book
    _check_stuck_feed(run)
    # The naive read never refuses: the pool values LUNA at the bound all along.
    assert all(row["guard_LUNA_rule"] == "OK" for row in run.steps)
    [attack] = _attacks(run)
    assert attack["t_s"] == ATTACK_S
    bought_luna = attack["args"]["assetBoughtRaw"] / 1e18
    borrowed_usd = attack["args"]["borrowedBaseRaw"] / 1e6
    ref_at_attack = next(row["ref_LUNA_usd"] for row in run.steps if row["t_s"] == ATTACK_S)
    # Borrowed at 55 % LTV of the stuck price: several times what the LUNA is worth.
    assert borrowed_usd > 3 * bought_luna * ref_at_attack
    # When the true price lands the attacker's account is liquidated and the rest written off.
    written_off = [e for e in run.events_named("BadDebtWrittenOff") if e["t_s"] >= LIFT_S]
    assert written_off
    assert run.onchain["bad_debt_usd"] >= 0.3 * borrowed_usd


def test_minanswer_clamp_guarded_refuses_the_stale_bound_and_ends_with_less_bad_debt(drill_runs: DrillRuns) -> None:
    run = drill_runs("minanswer-clamp")
    naive = drill_runs("minanswer-clamp-naive")
    assert_clean(run)
    assert_expectations(run)  # liquidated while the feed moves, bad debt under 1% of the book
    _check_stuck_feed(run)
    max_staleness_s = 20 * MIN
    stuck_rows = run.rows_between(STUCK_FROM_S, LIFT_S)
    stale = [row for row in stuck_rows if row["feed_LUNA_age_s"] > max_staleness_s]
    assert stale and all(row["guard_LUNA_rule"] == "STALE" and row["guard_LUNA_usd"] == 0 for row in stale)
    # The attack comes when the answer is refused: the borrow reverts, nothing is lent.
    assert not _attacks(run)
    assert _attacker_failures(run)
    assert run.onchain["bad_debt_usd"] < naive.onchain["bad_debt_usd"]
    assert naive.onchain["bad_debt_usd"] - run.onchain["bad_debt_usd"] > 10_000


# --------------------------------------------------------------------------- spot manipulation pair

ATTACK_AT_S = 10 * MIN


def test_spot_manipulation_on_amm_spot_books_bad_debt_near_the_borrow(drill_runs: DrillRuns) -> None:
    run = drill_runs("spot-manipulation")
    assert_clean(run)
    assert_expectations(run)  # the pumped spot, bad debt a share of the book
    [attack] = _attacks(run)
    assert attack["t_s"] == ATTACK_AT_S
    bought_weth = attack["args"]["assetBoughtRaw"] / 1e18
    borrowed_usd = attack["args"]["borrowedBaseRaw"] / 1e6
    # Borrowed against WETH valued near 3x: far more than its 80 % LTV at the reference.
    assert borrowed_usd > 1.5 * 0.80 * bought_weth * 3000
    attack_row = next(row for row in run.steps if row["t_s"] == ATTACK_AT_S)
    assert attack_row["amm_WETH_usd"] > 2.5 * 3000
    # The account is underwater once the spot is traded back; its liquidation writes off the rest.
    written_off = run.events_named("BadDebtWrittenOff")
    assert written_off and all(e["t_s"] >= ATTACK_AT_S for e in written_off)
    seized_value_usd = bought_weth * 3000
    # The attacker's own shortfall: borrowed - repaid, with repaid = seized / (1 + bonus) at about the
    # reference. Liquidations sell WETH into the very pair the pool prices from, so the spot can fall
    # below the reference and drag other borrowers under (the reflexive cascade of a spot oracle):
    # the pool's bad debt is at least the attacker's shortfall, never less.
    shortfall = borrowed_usd - seized_value_usd / 1.05
    assert run.onchain["bad_debt_usd"] >= shortfall - 0.05 * borrowed_usd
    assert run.onchain["bad_debt_usd"] >= 0.3 * borrowed_usd


def test_spot_manipulation_guarded_limits_the_borrow_and_books_no_bad_debt(drill_runs: DrillRuns) -> None:
    run = drill_runs("spot-manipulation-guarded")
    naive = drill_runs("spot-manipulation")
    assert_clean(run)
    assert_expectations(run)  # the spot at ~3x, the feed never off the (flat) reference, no bad debt
    # The borrow, if any, is limited to the honest valuation (80 % LTV at 3,000).
    for attack in _attacks(run):
        assert attack["args"]["borrowedBaseRaw"] / 1e6 <= 0.80 * attack["args"]["assetBoughtRaw"] / 1e18 * 3000 * 1.001
    assert naive.onchain["bad_debt_usd"] > 0


# --------------------------------------------------------------------------- gbm-stress


def test_gbm_stress_many_small_liquidations_deviation_rounds_small_bad_debt(drill_runs: DrillRuns) -> None:
    run = drill_runs("gbm-stress")
    assert_clean(run)
    assert_expectations(run)  # liquidations, feeds near their band, little bad debt
    # Spread over the run: liquidations in several distinct half-hours.
    halves = {int(t // (30 * MIN)) for t in run.liquidation_times_s()}
    assert len(halves) >= 2
    # Deviation rounds dominate heartbeat rounds: on a 150 %/yr path the 0.5 % band is crossed
    # far more often than once an hour. A heartbeat round moved the answer by < 0.5 %.
    contracts = {a.lower(): n for n, a in _address_book(run).items()}
    rounds: dict[str, list[int]] = {}
    for e in run.events_named("AnswerUpdated"):
        name = contracts.get(e["address"].lower(), "")
        if name in ("FEED_WBTC_USD", "FEED_WETH_USD"):
            rounds.setdefault(name, []).append(int(e["args"]["current"]))
    for name, answers in rounds.items():
        moves = [abs(b - a) / a for a, b in zip(answers, answers[1:])]
        deviation = sum(1 for m in moves if m >= 0.005)
        heartbeat = len(moves) - deviation
        assert deviation > 5 * max(heartbeat, 1), (name, deviation, heartbeat)
    assert len(rounds) == 2


def _address_book(run: DrillRun) -> dict[str, str]:
    import json

    return json.loads((run.run_dir / "contracts.json").read_text())["contracts"]
