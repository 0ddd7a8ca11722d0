"""The normalised figures (metrics/normalised.py) against numbers worked out by hand.

The on-chain book below: two borrowers owing 600,000 + 400,000 = 1,000,000 USD at start; steps
every 30 s from t = 0 to 240; accounts below HF 1 at reference from t = 30; liquidations repay
120,000 at t = 60 and 80,000 at t = 180 (seizing 126,000 and 84,000 at reference: a 5 % bonus);
5,000 of bad debt written off at t = 180.

  liquidated share      200,000 / 1,000,000 x 100 = 20 %
  bad debt share          5,000 / 1,000,000 x 100 = 0.5 %
  peak minute           minute 1 (t = 60) seized 126,000 -> 12.6 %
  time to half          half of 200,000 = 100,000, reached at t = 60: 60 - 30 = 30 s
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from defidrill.cex import BookParams, Positions, Venue, VenueParams
from defidrill.cex.tiers import BINANCE_BTCUSDT_2021_03
from defidrill.metrics import build_summary, cex_metrics, onchain_metrics
from defidrill.metrics.headline import headline, headline_names
from defidrill.metrics.normalised import share_pct, time_to_half_s
from defidrill.run_folder import DRILL_YAML, RunFolderWriter, StepRecorder, load_run, write_text_atomic
from support.run_folders import DRILL_YAML_TEXT, STEP_COLUMNS, step_rows, write_cex_run, write_onchain_run

T_S = [30.0 * k for k in range(9)]   # 0, 30, ..., 240


@dataclass(frozen=True)
class _Borrower:
    """What RunFolderWriter.write_borrowers reads of a drawn borrower."""

    index: int
    address: str
    collateral: str
    collateral_usd: float
    debt_usd: float
    health: float
    reacts: bool = False
    source: str = "seeded"


def _rows(liquidated: dict[float, tuple[float, float]], *, breach_from_s: float | None = 30.0,
          bad_debt_from_s: float = 180.0, bad_debt_usd: float = 5_000.0) -> list[dict[str, Any]]:
    """steps.csv rows on the 30 s grid: ``liquidated`` maps t_s -> (repaid USD, seized USD)."""
    template = step_rows()[0]
    rows = []
    for k, t in enumerate(T_S):
        repaid, seized = liquidated.get(t, (0.0, 0.0))
        below = 1 if breach_from_s is not None and t >= breach_from_s else 0
        rows.append({**template, "step": k, "t_s": t, "block": 100 + k, "timestamp": 1_700_000_000 + int(t),
                     "accounts_below_1_ref": below, "accounts_below_1": below,
                     "liquidations": int(repaid > 0), "liquidated_debt_usd": repaid, "seized_collateral_usd": seized,
                     "failed_liquidations": 0, "total_debt_usd": 1e6,
                     "bad_debt_usd": bad_debt_usd if t >= bad_debt_from_s else 0.0})
    return rows


def _book(root: Path, rows: list[dict[str, Any]], debts_usd: list[float] | None = (600_000.0, 400_000.0),
          extra_columns: tuple[str, ...] = ()) -> Path:
    """A run folder of steps.csv, drill.yaml and (unless ``debts_usd`` is None) borrowers.csv."""
    root.mkdir(parents=True)
    with StepRecorder(root, [*STEP_COLUMNS, *extra_columns]) as recorder:
        for row in rows:
            recorder.record(row, [])
    write_text_atomic(root / DRILL_YAML, DRILL_YAML_TEXT)
    if debts_usd is not None:
        RunFolderWriter(root).write_borrowers([
            _Borrower(i, "0x" + f"{i + 1:040x}", "WBTC", 1.5 * d, d, 1.2) for i, d in enumerate(debts_usd)])
    return root


HAND_LIQUIDATIONS = {60.0: (120_000.0, 126_000.0), 180.0: (80_000.0, 84_000.0)}


def test_onchain_shares_of_the_book_and_time_to_half(tmp_path: Path) -> None:
    m = onchain_metrics(load_run(_book(tmp_path / "r", _rows(HAND_LIQUIDATIONS))))
    assert m.debt_at_start_usd == 1_000_000.0
    assert m.liquidated_share_of_debt_pct == pytest.approx(20.0)
    assert m.bad_debt_share_of_debt_pct == pytest.approx(0.5)
    assert m.peak_liquidated_per_minute_share_pct == pytest.approx(12.6)
    assert m.first_breach_s == 30.0
    assert m.time_to_half_liquidated_s == 30.0


def test_time_to_half_waits_for_the_step_that_crosses_half(tmp_path: Path) -> None:
    # 80,000 at t = 60 is below half of 200,000; the cumulative 200,000 at t = 180 crosses it: 180 - 30
    rows = _rows({60.0: (80_000.0, 84_000.0), 180.0: (120_000.0, 126_000.0)})
    m = onchain_metrics(load_run(_book(tmp_path / "r", rows)))
    assert m.time_to_half_liquidated_s == 150.0
    assert m.peak_liquidated_per_minute_share_pct == pytest.approx(12.6)   # now minute 3


def test_time_to_half_exactly_half_counts_as_reached() -> None:
    t = np.array(T_S)
    amount = np.zeros(9)
    amount[2], amount[6] = 100_000.0, 100_000.0           # t = 60 and 180: half reached at t = 60
    assert time_to_half_s(t, amount, 30.0) == 30.0
    assert time_to_half_s(t, amount, 90.0) == -30.0       # liquidated before the breach: negative
    assert time_to_half_s(t, np.zeros(9), 30.0) is None   # nothing liquidated
    assert time_to_half_s(t, amount, None) is None        # no breach to start from


def test_share_pct_is_null_for_a_zero_or_unknown_book() -> None:
    assert share_pct(1.0, 200.0) == 0.5
    assert share_pct(1.0, 0.0) is None
    assert share_pct(None, 100.0) is None and share_pct(1.0, None) is None


def test_nothing_liquidated_gives_zero_shares_and_no_time_to_half(tmp_path: Path) -> None:
    m = onchain_metrics(load_run(_book(tmp_path / "r", _rows({}, bad_debt_usd=0.0))))
    assert m.debt_at_start_usd == 1_000_000.0
    assert m.liquidated_share_of_debt_pct == 0.0 and m.bad_debt_share_of_debt_pct == 0.0
    assert m.peak_liquidated_per_minute_share_pct == 0.0
    assert m.time_to_half_liquidated_s is None


def test_zero_debt_at_start_gives_null_shares_with_a_note(tmp_path: Path) -> None:
    m = onchain_metrics(load_run(_book(tmp_path / "r", _rows(HAND_LIQUIDATIONS), debts_usd=[0.0, 0.0])))
    assert m.debt_at_start_usd is None
    assert m.liquidated_share_of_debt_pct is None and m.bad_debt_share_of_debt_pct is None
    assert m.peak_liquidated_per_minute_share_pct is None
    assert m.time_to_half_liquidated_s == 30.0            # needs no book
    assert any("debt at start is 0" in n for n in m.notes)


def test_without_borrowers_csv_the_shares_are_null_with_a_note(tmp_path: Path) -> None:
    m = onchain_metrics(load_run(_book(tmp_path / "r", _rows(HAND_LIQUIDATIONS), debts_usd=None)))
    assert m.debt_at_start_usd is None and m.liquidated_share_of_debt_pct is None
    assert any("borrowers.csv" in n for n in m.notes)


def test_liquidations_without_a_breach_give_a_null_time_to_half_with_a_note(tmp_path: Path) -> None:
    m = onchain_metrics(load_run(_book(tmp_path / "r", _rows(HAND_LIQUIDATIONS, breach_from_s=None))))
    assert m.first_breach_s is None and m.time_to_half_liquidated_s is None
    assert m.liquidated_share_of_debt_pct == pytest.approx(20.0)
    assert any("time to half" in n for n in m.notes)


# ---- CEX: the hand-made replay of tests/support/run_folders.py --------------------------------
# 150,000 taken over (100,000 at t = 30, 50,000 at t = 60), breach at t = 30, fund 1,000,000 drawn
# 200, lowest last 58,000 against an index of 58,500 at t = 30.

def _venue(**changes: Any) -> dict[str, Any]:
    """A venue summary as Venue.summary() hands it over (only the keys the shares read)."""
    return {"liquidated_notional_usd": 150_000.0, "first_threshold_breach_s": 30.0,
            "insurance_fund_start_usd": 1_000_000.0, "insurance_fund_draw_usd": 200.0, "adl_notional_usd": 800.0,
            "unresolved_deficit_usd": 0.0, "open_interest_start_usd": 10_000_000.0, **changes}


def test_cex_shares_of_open_interest_and_fund(run_dir: Path) -> None:
    run = load_run(run_dir)
    cex = cex_metrics(run.cex_steps, run.cex_events, _venue())
    assert cex["open_interest_start_usd"] == 10_000_000.0
    assert cex["liquidated_share_of_open_interest_pct"] == pytest.approx(1.5)          # 150k / 10M
    assert cex["losses_socialised_share_of_open_interest_pct"] == pytest.approx(0.01)  # (200 + 800) / 10M
    assert cex["insurance_fund_used_pct"] == pytest.approx(0.02)                       # 200 / 1M
    assert cex["peak_liquidated_per_minute_share_pct"] == pytest.approx(1.0)           # minute 0: 100k
    assert cex["time_to_half_liquidated_s"] == 0.0      # 100k >= 75k in the breach step itself
    assert cex["max_last_vs_index_dislocation_pct"] == pytest.approx(100 * 500 / 58_500)


def test_cex_empty_insurance_fund_gives_a_null_share(run_dir: Path) -> None:
    run = load_run(run_dir)
    cex = cex_metrics(run.cex_steps, run.cex_events, _venue(insurance_fund_start_usd=0.0))
    assert cex["insurance_fund_used_pct"] is None
    assert cex["liquidated_share_of_open_interest_pct"] == pytest.approx(1.5)


def test_cex_rebuilt_from_files_has_no_open_interest(run_dir: Path) -> None:
    run = load_run(run_dir)
    cex = cex_metrics(run.cex_steps, run.cex_events)
    assert cex["open_interest_start_usd"] is None and cex["liquidated_share_of_open_interest_pct"] is None
    assert cex["insurance_fund_used_pct"] == pytest.approx(0.02)   # needs no population
    assert cex["time_to_half_liquidated_s"] == 0.0


def test_venue_open_interest_is_the_book_before_take_overs() -> None:
    # 1 BTC long at 100x (liquidated near 59,700) and 2 BTC short at 2x, start 60,000: OI 3 x 60,000
    positions = Positions.from_arrays(BINANCE_BTCUSDT_2021_03, [1, -1], [1.0, 2.0], [60_000.0, 60_000.0],
                                      [600.0, 60_000.0], [100.0, 2.0])
    venue = Venue(VenueParams(book=BookParams(depth_usd_at_1pct=1e6)), 60_000.0, seed=0, positions=positions)
    venue.step(0.0, 60_000.0)
    venue.step(10.0, 59_000.0)
    s = venue.summary()
    assert s["liquidation_count"] == 1
    assert s["open_interest_start_usd"] == 180_000.0


def test_side_by_side_and_headline_carry_the_normalised_figures(tmp_path: Path) -> None:
    run = write_cex_run(write_onchain_run(tmp_path / "r"))
    RunFolderWriter(run).write_borrowers([_Borrower(0, "0x" + "b" * 40, "WBTC", 2e6, 1e6, 1.2)])
    summary = build_summary(run, venue_summary=_venue()).as_json()
    comp = summary["comparison"]
    # the fixture repays 11,760 + 1,000 + 882 = 13,642 of a 1,000,000 book; bad debt 150
    assert comp["liquidated_share_pct"]["onchain"] == pytest.approx(1.3642)
    assert comp["liquidated_share_pct"]["cex"] == pytest.approx(1.5)
    assert comp["losses_socialised_share_pct"]["onchain"] == pytest.approx(0.015)
    assert comp["losses_socialised_share_pct"]["cex"] == pytest.approx(0.01)
    # peak minute on chain: minute 1 (t = 60, 70) seized 12,348 + 1,020
    assert comp["peak_liquidated_per_minute_share_pct"]["onchain"] == pytest.approx(1.3368)
    # half of 13,642 is reached at t = 60; breach at t = 40
    assert comp["time_to_half_liquidated_s"] == {**comp["time_to_half_liquidated_s"], "onchain": 20.0, "cex": 0.0}
    assert comp["max_dislocation_pct"]["onchain"] == pytest.approx(2.0)   # WETH's AMM 2,940 vs 3,000
    assert comp["max_dislocation_pct"]["unit"] == "%"
    flat = headline(summary)
    for name in ("onchain.debt_at_start_usd", "onchain.liquidated_share_of_debt_pct",
                 "onchain.bad_debt_share_of_debt_pct", "onchain.peak_liquidated_per_minute_share_pct",
                 "onchain.time_to_half_liquidated_s", "cex.open_interest_start_usd",
                 "cex.liquidated_share_of_open_interest_pct", "cex.losses_socialised_share_of_open_interest_pct",
                 "cex.insurance_fund_used_pct", "cex.peak_liquidated_per_minute_share_pct",
                 "cex.time_to_half_liquidated_s", "cex.max_last_vs_index_dislocation_pct",
                 "comparison.liquidated_share_pct.onchain", "comparison.max_dislocation_pct.cex"):
        assert name in headline_names(), name
    assert flat["onchain.debt_at_start_usd"] == 1_000_000.0
    assert flat["cex.liquidated_share_of_open_interest_pct"] == pytest.approx(1.5)
    assert flat["comparison.time_to_half_liquidated_s.onchain"] == 20.0


def test_losses_share_counts_what_was_written_off_and_what_is_left_uncovered(tmp_path: Path) -> None:
    # 5,000 written off at t = 180, and at the last step 3,000 of debt its collateral no longer covers
    # (an account nobody wrote off, as Aave V3.0 leaves it): (5,000 + 3,000) / 1,000,000 = 0.8 %
    rows = [{**row, "uncovered_debt_usd": 0.0} for row in _rows(HAND_LIQUIDATIONS)]
    rows[-1]["uncovered_debt_usd"] = 3_000.0
    m = onchain_metrics(load_run(_book(tmp_path / "r", rows, extra_columns=("uncovered_debt_usd",))))
    assert m.uncovered_debt_usd == 3_000.0
    assert m.bad_debt_share_of_debt_pct == pytest.approx(0.5)
    assert m.losses_share_of_debt_pct == pytest.approx(0.8)
    assert "onchain.losses_share_of_debt_pct" in headline_names()
