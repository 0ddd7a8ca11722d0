"""Liquidated share by leverage bucket: the trigger-drop formulas and the bucket counts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from defidrill.metrics.leverage import (
    cex_by_leverage,
    onchain_by_leverage,
    trigger_drop_cex,
    trigger_drop_onchain,
)
from defidrill.run_folder import BORROWERS_CSV, RunFolderWriter, read_table


def test_trigger_drops_by_hand() -> None:
    # L = 4 on chain with LT 78%: debt/collateral = 1 - 1/4 = 0.75; HF = (1-d) 0.78 / 0.75 = 1 at d = 1 - 0.75/0.78.
    assert trigger_drop_onchain(4.0, 0.78) == pytest.approx(0.0384615, abs=1e-6)
    # The same leverage at the CEX with MMR 0.4%: loses 1/4 of its notional minus the maintenance margin.
    assert trigger_drop_cex(4.0, 0.004) == pytest.approx(0.246)
    # The model's prediction: a loan is liquidated first at every leverage from 1.5x to 5x.
    for lev in (1.5, 2.0, 3.0, 4.0, 5.0):
        assert trigger_drop_onchain(lev, 0.78) < trigger_drop_cex(lev, 0.004)


@dataclass
class _Borrower:
    index: int
    address: str
    collateral: str
    collateral_usd: float
    debt_usd: float
    health: float
    reacts: bool
    source: str = "seeded"


def test_onchain_buckets_count_accounts_liquidated_at_least_once(tmp_path: Path) -> None:
    borrowers = [
        _Borrower(0, "0xA", "WBTC", 10_000, 7_500, 1.04, False),  # L = 10000 / 2500 = 4x   -> 1-5x
        _Borrower(1, "0xB", "WBTC", 10_000, 5_000, 1.56, False),  # L = 2x                  -> 1-5x
        _Borrower(2, "0xC", "WETH", 10_000, 9_000, 0.91, False),  # L = 10x                 -> 6-10x
    ]
    RunFolderWriter(tmp_path).write_borrowers(borrowers)
    buckets = onchain_by_leverage(read_table(tmp_path / BORROWERS_CSV), {"0xa", "0xc"})
    assert buckets["1-5x"] == {"positions": 2, "liquidated": 1, "share_pct": 50.0}
    assert buckets["6-10x"] == {"positions": 1, "liquidated": 1, "share_pct": 100.0}
    assert buckets["11-20x"]["share_pct"] is None


def test_cex_buckets_from_the_venue_summary() -> None:
    summary = {"positions_by_leverage": {"1-5x": {"count": 400}, "6-10x": {"count": 100}},
               "liquidations_by_leverage": {"1-5x": {"count": 4}, "6-10x": {"count": 25}}}
    buckets = cex_by_leverage(summary)
    assert buckets["1-5x"]["share_pct"] == pytest.approx(1.0)
    assert buckets["6-10x"]["share_pct"] == pytest.approx(25.0)
    assert cex_by_leverage({}) is None
