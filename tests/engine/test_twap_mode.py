"""`oracle.mode: twap`: the pool prices collateral from the AMM's TWAP, which lags a move by its window."""

from __future__ import annotations

import pytest

from engine.conftest import tiny_drill



def test_twap_mode_prices_from_the_pair_and_lags_a_step_move(run) -> None:
    drill = tiny_drill(
        market={"step": "30s", "duration": "40m",
                "assets": {"WETH": {"start": 3000, "path": {"kind": "step", "at": "30m", "change": "-10%"}}}},
        protocol={"oracle": {"mode": "twap", "twap_window": "10m", "heartbeat": "2m", "max_staleness": "3m"}},
        amm={"pairs": {"WETH/USDC": "4M"}},
    )
    result = run(drill, name="twap")
    rules = set(result.col("guard_WETH_rule"))
    assert rules == {"OK"}  # a window of history exists from step 0 (warm-up), and every step pokes the TWAP
    by_t = {row["t_s"]: row for row in result.steps}
    assert by_t[1500.0]["guard_WETH_usd"] == pytest.approx(3000, rel=1e-6)  # flat market: TWAP = spot = 3,000
    # One minute after the -10% step the arbitrage has moved the pair but the average still
    # holds mostly the old price: (at least 9 of >= 10 minutes at 3,000) -> above 2,950.
    assert by_t[1860.0]["amm_WETH_usd"] == pytest.approx(2700, rel=0.01)
    assert by_t[1860.0]["guard_WETH_usd"] > 2950
    # After the window the average has caught up (it spans one to two windows: within 1%).
    assert by_t[2400.0]["guard_WETH_usd"] == pytest.approx(2700, rel=0.01)
