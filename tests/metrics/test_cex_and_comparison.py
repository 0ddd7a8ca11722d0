"""The cex object (hand-made replay and a real venue run) and the side-by-side comparison."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from defidrill.cex import BookParams, PopulationParams, VenueParams, events_with_kind_names, run_path
from defidrill.metrics import DEFINITIONS, build_summary, cex_metrics, rebuild_venue_summary
from defidrill.run_folder import RunSummary, load_run, read_table, write_cex_files, write_summary


def test_rebuilt_cex_summary_by_hand(run_dir: Path) -> None:
    run = load_run(run_dir)
    cex = cex_metrics(run.cex_steps, run.cex_events)
    assert cex["liquidation_count"] == 2
    assert cex["liquidated_notional_usd"] == 150_000.0
    assert cex["first_threshold_breach_s"] == 30.0
    assert cex["first_liquidation_delay_s"] == 0.0
    assert cex["insurance_fund_draw_usd"] == 200.0
    assert cex["insurance_fund_credit_usd"] == 100.0
    assert cex["insurance_fund_start_usd"] == 1_000_000.0
    assert cex["max_book_depth_withdrawn_pct"] == 40.0
    # exogenous 60,000 - 58,500 = 1,500; endogenous 58,500 - 58,000 = 500
    assert cex["amplification"] == pytest.approx(500 / 1_500)
    # long sold 500 below a 58,500 index (100k); short bought 100 above 59,000 (50k)
    expect = 100.0 * (500 / 58_500 * 100_000 + 100 / 59_000 * 50_000) / 150_000
    assert cex["slippage_vs_index_pct"] == pytest.approx(expect)
    assert cex["net_flow_usd"] == 50_000.0
    assert cex["liquidated_per_minute"] == {"minute_start_s": [0.0, 60.0], "notional_usd": [100_000.0, 50_000.0]}
    assert cex["liquidated_notional_per_minute_peak_usd"] == 100_000.0
    assert cex["liquidated_notional_per_minute_mean_usd"] == 75_000.0
    assert cex["losses_socialised_usd"] == 200.0
    assert cex["liquidations_by_leverage"]["21-50x"] == {"count": 1, "notional_usd": 100_000.0}


def test_venue_summary_passes_through(run_dir: Path) -> None:
    run = load_run(run_dir)
    venue = {"liquidation_count": 99, "amplification": 0.25, "insurance_fund_draw_usd": 10.0,
             "adl_notional_usd": 5.0, "unresolved_deficit_usd": 1.0}
    cex = cex_metrics(run.cex_steps, run.cex_events, venue)
    assert cex["liquidation_count"] == 99 and cex["amplification"] == 0.25
    assert cex["losses_socialised_usd"] == 16.0
    assert cex["liquidated_notional_per_minute_peak_usd"] == 100_000.0   # series always from the CSV


@pytest.fixture(scope="module")
def venue_run():
    """A real venue through an 8 % crash: thin book so there are draws and a cascade."""
    params = VenueParams(population=PopulationParams(count=3_000, notional_median_usd=50_000.0),
                         book=BookParams(depth_usd_at_1pct=2_000_000.0), insurance_fund_usd=20_000.0)
    t = np.arange(181) * 10.0
    p = np.interp(t, [0, 300, 1_500, 1_800], [60_000, 60_000, 55_200, 57_600])
    return run_path(params, t, p, seed=11)


def test_files_round_trip_to_the_venue_summary(tmp_path: Path, venue_run) -> None:
    write_cex_files(tmp_path, [st.as_dict() for st in venue_run.steps], events_with_kind_names(venue_run.events))
    rebuilt = rebuild_venue_summary(read_table(tmp_path / "cex_steps.csv"), read_table(tmp_path / "cex_events.csv"))
    s = venue_run.summary
    assert s["liquidation_count"] > 0 and s["insurance_fund_draw_usd"] > 0   # the drill did something
    for key in ("liquidation_count", "adl_count", "first_threshold_breach_s", "first_liquidation_delay_s",
                "max_book_depth_withdrawn_pct", "min_index_price_usd"):
        assert rebuilt[key] == s[key], key
    for key in ("liquidated_notional_usd", "adl_notional_usd", "insurance_fund_draw_usd",
                "insurance_fund_credit_usd", "insurance_fund_end_usd", "insurance_fund_start_usd",
                "slippage_vs_index_pct", "net_flow_usd", "net_flow_btc", "unresolved_deficit_usd"):
        assert rebuilt[key] == pytest.approx(s[key], rel=1e-9, abs=1e-6), key
    # the files give the step-end mid and fill VWAPs, not each walk's last level: never lower
    assert rebuilt["min_traded_price_usd"] >= s["min_traded_price_usd"] - 1e-6


def test_comparison_side_by_side(run_dir: Path) -> None:
    summary = build_summary(run_dir).as_json()
    comp = summary["comparison"]
    assert list(comp) == list(DEFINITIONS)
    for entry in comp.values():
        assert set(entry) == {"onchain", "cex", "unit", "definition"} and entry["definition"]
    assert comp["liquidated_notional_usd"]["onchain"] == pytest.approx(14_293.65)
    assert comp["liquidated_notional_usd"]["cex"] == 150_000.0
    assert comp["liquidated_notional_per_minute_peak_usd"]["onchain"] == pytest.approx(13_368)
    assert comp["liquidated_notional_per_minute_peak_usd"]["cex"] == 100_000.0
    assert comp["first_liquidation_delay_s"] == {**comp["first_liquidation_delay_s"], "onchain": 20.0, "cex": 0.0}
    assert comp["execution_slippage_pct"]["onchain"] == pytest.approx(100 * (1 - 13_642 / 14_293.65))
    assert comp["losses_socialised_usd"]["onchain"] == 150.0 and comp["losses_socialised_usd"]["cex"] == 200.0
    assert comp["amplification"]["onchain"] == pytest.approx(0.49)      # the CEX asset's (WBTC) pair
    assert comp["amplification"]["cex"] == pytest.approx(1 / 3)
    assert comp["passive_net_flow_usd"]["onchain"] == pytest.approx(13_368)  # keepers' sells the LPs took
    assert comp["passive_net_flow_usd"]["cex"] == 50_000.0


def test_summary_keeps_header_and_is_strict_json(run_dir: Path) -> None:
    write_summary(run_dir, RunSummary(drill="synthetic", status="ok", steps_completed=13))
    path = write_summary(run_dir, build_summary(run_dir, header={"wall_time_s": 1.5}))
    data = json.loads(path.read_text())
    assert data["schema_version"] == 1
    assert data["status"] == "ok" and data["steps_completed"] == 13 and data["wall_time_s"] == 1.5
    assert data["onchain"]["liquidation_count"] == 4 and data["cex"]["liquidation_count"] == 2
    # idempotent: a second pass over its own output gives the same document
    assert build_summary(run_dir).as_json() == data


def test_without_cex_files_cex_is_null(tmp_path: Path) -> None:
    from support.run_folders import write_onchain_run
    summary = build_summary(write_onchain_run(tmp_path / "r")).as_json()
    assert summary["cex"] is None
    assert summary["comparison"]["amplification"]["cex"] is None
    assert summary["comparison"]["amplification"]["onchain"] == pytest.approx(0.49)


def test_run_loop_layout_of_summary_json(tmp_path: Path) -> None:
    """What runner.py hands over: the venue's own summary and the invariants; one ``onchain`` and one
    ``cex`` object come out (no raw duplicates), the invariants inside ``onchain``."""
    from support.run_folders import write_cex_run, write_onchain_run
    root = write_cex_run(write_onchain_run(tmp_path / "r", decimals=False))
    invariants = [{"name": "collateral held = sum of deposits", "passed": True, "detail": ""}]
    summary = build_summary(root, venue_summary={"liquidation_count": 7, "amplification": 0.5, "net_flow_usd": 1.0},
                            invariants=invariants).as_json()
    assert {"onchain_raw", "cex_raw", "invariants"}.isdisjoint(summary)
    on = summary["onchain"]
    assert on["invariants"][0]["name"] == "collateral held = sum of deposits"
    # collateral decimals from the engine's token table (WBTC 8, WETH 18): contracts.json names only USDC's
    assert on["amm_net_flow"]["WBTC"]["liquidation_units"] == pytest.approx(0.21)
    assert on["liquidation_slippage_by_asset"]["WETH"]["seized_units"] == pytest.approx(0.34)
    assert summary["cex"]["liquidation_count"] == 7 and summary["comparison"]["amplification"]["cex"] == 0.5
