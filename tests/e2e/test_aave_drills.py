"""Every library drill on genuine Aave V3 (``protocol.kind: aave-v3``), reduced like its reference twin.

What differs from the reference pool is the point: Aave's ``AaveOracle`` reads each feed's
``latestAnswer()`` with no staleness, bound or deviation check, and its only L2 defence is the
``PriceOracleSentinel`` (liquidations of accounts at HF >= 0.95 wait while the sequencer is down
and for the grace period after; below 0.95 they go ahead). Drills whose attacker drives the
reference pool's own functions (spot manipulation) run without it on Aave (``on_aave``); both
``spot-manipulation`` drills price collateral from the AMM, which Aave cannot express, and are
refused at validation (tested below).

Each drill's own ``expect:`` is asserted on Aave through the same run: met where the story is the
same, and where it differs by design exactly the expectations the difference names are not met
(``DIFFERS_ON_AAVE``, each with its reason).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from defidrill.assertions import assert_expectations
from support.e2e_runs import ORACLES, DrillRun, DrillRuns, assert_clean

MIN = 60.0
WAD = 10**18
AAVE = "aave-v3/"

#: drill -> the expectations of its file that Aave does not meet, by design. (Aave V3.0 writes no bad debt
#: off: an emptied account keeps its debt, docs/adapters.md; the drills bound `losses_share_of_debt_pct`,
#: written off plus left uncovered, which counts the loss on both protocols.)
DIFFERS_ON_AAVE = {
    # The sentinel lets accounts below HF 0.95 be liquidated while the sequencer is down: half is done early.
    "sequencer-outage": {"onchain.time_to_half_liquidated_s"},
    # Run without its attacker (on_aave): nobody borrows against the stuck price.
    "incidents/luna-may-2022": {"onchain.uncovered_debt_usd"},
}


def _check_expectations(run: DrillRun, name: str) -> None:
    """The drill's expect: on Aave: all met, or not met exactly where DIFFERS_ON_AAVE says."""
    if name not in DIFFERS_ON_AAVE:
        assert_expectations(run)
        return
    unmet = {e["metric"] for e in run.summary["expectations"] if not e["met"]}
    assert unmet == DIFFERS_ON_AAVE[name], run.summary["expectations"]


def _liquidations_between(run: DrillRun, start_s: float, end_s: float) -> int:
    return sum(1 for t in run.liquidation_times_s() if start_s <= t < end_s)


def test_flash_crash_on_aave_liquidates_through_liquidation_call(drill_runs: DrillRuns) -> None:
    run = drill_runs(AAVE + "flash-crash")
    assert_clean(run)
    _check_expectations(run, "flash-crash")
    assert run.summary["protocol"]["kind"] == "aave-v3"
    assert "close_factor" in run.summary["protocol"]["fixed_by_protocol"]
    liquidations = run.events_named("Liquidation")
    assert liquidations, "the crash must liquidate on Aave too"
    # Each record comes from Aave's own LiquidationCall event, carried along by name.
    assert {e["protocol_event"]["name"] for e in liquidations} == {"LiquidationCall"}
    assert all(int(e["args"]["healthFactorBeforeWad"]) < WAD for e in liquidations)
    # The CEX side runs beside it from the same path.
    assert run.summary["cex"] is not None and run.summary["comparison"]


def test_keeper_outage_on_aave_no_liquidation_while_keepers_are_offline(drill_runs: DrillRuns) -> None:
    run = drill_runs(AAVE + "keeper-outage")
    assert_clean(run)
    _check_expectations(run, "keeper-outage")
    outage_start_s, outage_end_s = 25 * MIN, 55 * MIN
    assert _liquidations_between(run, outage_start_s, outage_end_s) == 0
    assert max(row["accounts_below_1"] for row in run.rows_between(outage_start_s, outage_end_s)) > 0
    assert _liquidations_between(run, outage_end_s, outage_end_s + MIN) >= 1


def test_stale_feed_on_aave_is_used_as_is(drill_runs: DrillRuns) -> None:
    """AaveOracle has no staleness check: through the whole stale window the protocol's WETH price
    is the frozen pre-crash answer, marked usable ("OK"); the reference guard says STALE instead."""
    run = drill_runs(AAVE + "stale-feed-crash")
    reference = drill_runs("stale-feed-crash")
    assert_clean(run)
    _check_expectations(run, "stale-feed-crash")
    stale_start_s, stale_end_s = 10 * MIN, 50 * MIN
    window = run.rows_between(stale_start_s, stale_end_s)
    assert {row["feed_WETH_usd"] for row in window} == {3000.0}
    assert {row["guard_WETH_usd"] for row in window} == {3000.0}
    assert {row["guard_WETH_rule"] for row in window} == {"OK"}
    assert "STALE" in {row["guard_WETH_rule"] for row in reference.rows_between(stale_start_s, stale_end_s)}
    # Under water at market prices, invisible to the protocol: nothing is liquidated until the feed moves.
    assert max(row["accounts_below_1_ref"] for row in window) >= 3
    assert _liquidations_between(run, stale_start_s, stale_end_s) == 0
    assert _liquidations_between(run, stale_end_s, stale_end_s + MIN) >= 1


def test_sequencer_outage_on_aave_the_sentinel_holds_healthier_accounts(drill_runs: DrillRuns) -> None:
    """The sentinel blocks liquidations while the sequencer is down and during the grace period,
    except of accounts below HF 0.95 (PriceOracleSentinel.isLiquidationAllowed)."""
    run = drill_runs(AAVE + "sequencer-outage")
    assert_clean(run)
    _check_expectations(run, "sequencer-outage")
    down_s, up_s = 30 * MIN, 108 * MIN
    grace_end_s = up_s + 60 * MIN
    assert run.onchain["liquidation_count"] > 0
    for event in run.events_named("Liquidation"):
        if down_s <= event["t_s"] < grace_end_s:
            assert int(event["args"]["healthFactorBeforeWad"]) < 95 * WAD // 100, event
    # Keepers read the sentinel's state in the step's scan (ProtocolReads.liquidatable_below_hf_wad) and
    # do not send what it would refuse: no PRICE_ORACLE_SENTINEL_CHECK_FAILED ('59') revert.
    refused = [e for e in run.events_named("TxFailed") if e["agent"].startswith("keeper:")
               and "PRICE_ORACLE_SENTINEL_CHECK_FAILED" in str(e["args"]["revert_args"])]
    assert not refused, refused[:3]


def test_osm_delay_on_aave_liquidates_only_after_the_late_answers(drill_runs: DrillRuns) -> None:
    run = drill_runs(AAVE + "osm-delay")
    assert_clean(run)
    _check_expectations(run, "osm-delay")
    delay_s = 300 * 12.0
    drop_starts_s = 15 * MIN
    assert run.onchain["liquidation_count"] > 0
    assert min(run.liquidation_times_s()) >= drop_starts_s + delay_s


def test_minanswer_clamp_on_aave_values_luna_at_the_bound(drill_runs: DrillRuns) -> None:
    """The LUNA lesson on the genuine protocol: AaveOracle keeps returning the clamped answer, so
    accounts worth far less than their debt at market prices are never liquidatable until the
    bound is lifted (160m)."""
    run = drill_runs(AAVE + "minanswer-clamp")
    assert_clean(run)
    _check_expectations(run, "minanswer-clamp")
    clamp_bound_usd, lift_s = 0.10 * 80, 160 * MIN  # minAnswer: 10% of the $80 start
    clamped = [row for row in run.steps if row["ref_LUNA_usd"] < clamp_bound_usd and row["t_s"] < lift_s]
    assert clamped
    assert all(row["guard_LUNA_rule"] == "OK" and row["guard_LUNA_usd"] >= clamp_bound_usd for row in clamped)
    assert max(row["accounts_below_1_ref"] for row in clamped) > 0
    assert sum(row["liquidations"] for row in clamped) == 0
    assert max(row["uncovered_debt_usd"] for row in clamped) > 0


@pytest.mark.parametrize("name", ["gbm-stress", "black-thursday", "incidents/btc-march-2023",
                                  "incidents/usdc-depeg-march-2023", "incidents/usdc-base-depeg",
                                  "incidents/usdc-base-depeg-hardcoded", "incidents/luna-may-2022", "seed-crash"])
def test_library_drill_runs_clean_on_aave(drill_runs: DrillRuns, name: str) -> None:
    run = drill_runs(AAVE + name)
    assert_clean(run)
    assert run.summary["protocol"]["kind"] == "aave-v3"
    _check_expectations(run, name)


@pytest.mark.parametrize("name", ["spot-manipulation", "spot-manipulation-guarded"])
def test_spot_manipulation_drills_are_refused_on_aave_at_validation(name: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "defidrill.cli", "validate", str(ORACLES / f"{name}.yaml"),
                           "--set", "protocol.kind=aave-v3"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    assert f"{name}.yaml" in out and "failures[0].kind" in out
    assert "protocol.kind: reference" in out


def test_every_library_drill_has_an_aave_test() -> None:
    tested = {"flash-crash", "keeper-outage", "stale-feed-crash", "sequencer-outage", "osm-delay",
              "minanswer-clamp", "minanswer-clamp-naive", "gbm-stress", "black-thursday", "spot-manipulation",
              "spot-manipulation-guarded", "incidents/btc-march-2023", "incidents/usdc-depeg-march-2023",
              "incidents/usdc-base-depeg", "incidents/usdc-base-depeg-hardcoded", "incidents/luna-may-2022",
              "seed-crash"}
    library = {str(p.relative_to(ORACLES).with_suffix("")) for p in Path(ORACLES).rglob("*.yaml")
               if p.relative_to(ORACLES).parts[0] != "risk"}  # oracles/risk/: risk files, not drills
    # minanswer-clamp-naive differs from minanswer-clamp only in the reference guard's mode, which
    # Aave does not have: on Aave the two are one drill.
    assert library <= tested, sorted(library - tested)
