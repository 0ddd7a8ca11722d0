"""The onchain object against values worked out by hand from tests/support/run_folders.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from defidrill.metrics import build_summary, onchain_metrics
from defidrill.run_folder import load_run, write_summary
from support.run_folders import write_onchain_run

BONUS_SLIP_PCT = 100.0 * (1.0 - 1.0 / 1.05)   # a 5 % bonus seen from the seller: b / (1 + b)


@pytest.fixture
def onchain(run_dir: Path):
    return onchain_metrics(load_run(run_dir))


def test_counts_and_totals(onchain) -> None:
    assert onchain.liquidation_count == 4
    assert onchain.liquidated_debt_usd == pytest.approx(11_760 + 1_000 + 882)
    assert onchain.seized_collateral_usd == pytest.approx(12_348 + 1_020 + 925.65)
    assert onchain.bad_debt_usd == 150.0           # last row of the cumulative column
    assert onchain.keeper_profit_usd == 500.0
    assert onchain.keeper_gas_eth == 0.01
    assert onchain.failed_liquidation_txs == 1
    assert onchain.min_health_factor == 0.97


def test_breach_and_delay(onchain) -> None:
    assert onchain.first_breach_s == 40.0          # accounts_below_1_ref > 0 from t = 40
    assert onchain.first_liquidation_s == 60.0
    assert onchain.first_liquidation_delay_s == 20.0


def test_oracle_deviation_counts_collateral_feeds_only(onchain) -> None:
    lag_pct = 100.0 * 1_200 / 58_800               # the WBTC feed 60,000 vs a 58,800 reference
    assert onchain.max_oracle_deviation_pct == pytest.approx(lag_pct)   # not USDC's 5 %
    assert onchain.oracle_time_above_1pct_s == 30.0                      # rows t = 30, 40, 50
    assert onchain.oracle_deviation_by_feed["WBTC"].time_above_1pct_s == 30.0
    assert onchain.oracle_deviation_by_feed["WETH"].max_pct == pytest.approx(0.5)
    assert onchain.oracle_deviation_by_feed["WETH"].time_above_1pct_s == 0.0
    assert "USDC" not in onchain.oracle_deviation_by_feed


def test_amm_deviation_and_amplification(onchain) -> None:
    assert onchain.amm_deviation_by_pair["WBTC"] == pytest.approx(100.0 * 588 / 58_800)
    assert onchain.max_amm_deviation_pct == pytest.approx(2.0)          # WETH 2,940 vs 3,000
    amp = onchain.amplification_by_pair["WBTC"]
    # exogenous 60,000 - 58,800 = 1,200; endogenous 58,800 - 58,212 = 588
    assert amp.amplification == pytest.approx(588 / 1_200)
    assert amp.exogenous_drop_pct == pytest.approx(2.0)
    assert amp.endogenous_drop_pct == pytest.approx(100.0 * 588 / 60_000)
    assert onchain.amplification_by_pair["WETH"].amplification is None  # no exogenous drop


def test_slippage_total_and_by_asset(onchain) -> None:
    repaid, value = 11_760 + 1_000 + 882, 12_348 + 1_020 + 925.65
    assert onchain.liquidation_slippage_pct == pytest.approx(100.0 * (1 - repaid / value))
    wbtc = onchain.liquidation_slippage_by_asset["WBTC"]
    assert wbtc.count == 3
    assert wbtc.seized_units == pytest.approx(0.21 + 0.0105 + 0.00525)
    assert wbtc.effective_price_usd == pytest.approx(56_000.0)          # 58,800 / 1.05
    assert wbtc.slippage_pct == pytest.approx(BONUS_SLIP_PCT)
    weth = onchain.liquidation_slippage_by_asset["WETH"]
    assert weth.effective_price_usd == pytest.approx(1_000 / 0.34)
    assert weth.slippage_pct == pytest.approx(100.0 * (1 - 1_000 / 1_020))


def test_per_minute_notional(onchain) -> None:
    series = onchain.liquidated_per_minute
    assert series.minute_start_s == [0.0, 60.0, 120.0]
    assert series.notional_usd == pytest.approx([0.0, 12_348 + 1_020, 925.65])
    assert onchain.liquidated_notional_per_minute_peak_usd == pytest.approx(13_368)
    assert onchain.liquidated_notional_per_minute_mean_usd == pytest.approx((13_368 + 925.65) / 2)


def test_by_keeper_splits_a_shared_step_by_raw_repaid(onchain) -> None:
    fast, slow = onchain.liquidations_by_keeper["keeper:fast"], onchain.liquidations_by_keeper["keeper:slow"]
    assert (fast.count, slow.count) == (2, 2)
    # step 12 repaid 882 USD: 588 / 294 in raw units -> 588 and 294
    assert fast.repaid_usd == pytest.approx(11_760 + 588)
    assert slow.repaid_usd == pytest.approx(1_000 + 294)
    assert (fast.failed_txs, slow.failed_txs) == (0, 1)


def test_amm_net_flow_attribution(onchain) -> None:
    wbtc, weth = onchain.amm_net_flow["WBTC"], onchain.amm_net_flow["WETH"]
    assert wbtc.liquidation_units == pytest.approx(0.21)
    assert wbtc.liquidation_usd == pytest.approx(0.21 * 58_800)
    assert wbtc.arbitrage_units == pytest.approx(-0.1)
    assert wbtc.arbitrage_usd == pytest.approx(-0.1 * 58_800)
    assert wbtc.total_units == pytest.approx(0.11)
    assert weth.liquidation_units == pytest.approx(0.34)   # WETH is token0 of its pair
    assert weth.other_units == 0.0
    # keepers sold 13,368 USD of collateral at reference and received 12,990 USDC
    assert onchain.keeper_amm_sell_slippage_pct == pytest.approx(100.0 * (13_368 - 12_990) / 13_368)


def test_without_address_book_the_event_metrics_are_null_and_explained(tmp_path: Path) -> None:
    m = onchain_metrics(load_run(write_onchain_run(tmp_path / "r", contracts=False)))
    assert m.liquidation_slippage_by_asset is None
    assert m.amm_net_flow is None
    assert m.keeper_amm_sell_slippage_pct is None
    assert any("contracts.json" in n for n in m.notes)
    # what steps.csv alone gives is still there
    assert m.liquidation_slippage_pct == pytest.approx(100.0 * (1 - 13_642 / 14_293.65))
    assert m.liquidations_by_keeper["keeper:fast"].count == 2


def test_collateral_decimals_from_collateral_configured_events(tmp_path: Path) -> None:
    run = write_onchain_run(tmp_path / "r", decimals=False, with_collateral_configured=True)
    m = onchain_metrics(load_run(run))
    assert m.liquidation_slippage_by_asset["WBTC"].seized_units == pytest.approx(0.22575)


def test_invariants_pass_through_from_summary(tmp_path: Path) -> None:
    run = write_onchain_run(tmp_path / "r")
    inv = [{"name": "cash + borrows = supplied + reserves", "passed": True, "detail": "diff 0 wei"},
           {"name": "no healthy account liquidated", "passed": False, "detail": "account 0xbb.."}]
    write_summary(run, build_summary(run, invariants=inv))
    m = onchain_metrics(load_run(run))
    assert [(i.name, i.passed) for i in m.invariants] == [(i["name"], i["passed"]) for i in inv]


def test_no_liquidation_gives_nulls(tmp_path: Path) -> None:
    run = write_onchain_run(tmp_path / "r")
    (run / "events.jsonl").write_text("")
    lines = (run / "steps.csv").read_text().splitlines()
    header = lines[0].split(",")
    below = header.index("accounts_below_1_ref")
    rows = [line.split(",") for line in lines[1:]]
    for r in rows:
        r[below] = "0"
    (run / "steps.csv").write_text("\n".join([lines[0]] + [",".join(r) for r in rows]) + "\n")
    m = onchain_metrics(load_run(run))
    assert m.liquidation_count == 0
    assert m.first_breach_s is None and m.first_liquidation_s is None and m.first_liquidation_delay_s is None
