"""Each path family's sample statistics against its stated law, and common random numbers across values."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest

from defidrill.drill.paths import SECONDS_PER_DAY, SECONDS_PER_YEAR
from defidrill.drill.units import parse_duration, parse_fraction
from defidrill.risk.paths import block_bootstrap, estimate_gbm_jumps, gbm_jumps_path, run_rng, shock_draws
from defidrill.sweep.spec import Distribution

STEP_S = 20.0


def _times(n: int) -> np.ndarray:
    return np.arange(n + 1, dtype=np.float64) * STEP_S


def test_gbm_volatility_matches_sigma() -> None:
    path = gbm_jumps_path(_times(200_000), STEP_S, mu=0.0, sigma=0.8, jumps=None, rng=run_rng(1, 0, 1))
    r = np.diff(np.log(path.ratio))
    assert path.ratio[0] == 1.0
    assert np.std(r) / math.sqrt(STEP_S / SECONDS_PER_YEAR) == pytest.approx(0.8, rel=0.01)
    # no drift: the mean log return is -sigma^2/2 dt (Ito), here about 1e-6 per step
    assert np.mean(r) == pytest.approx(-0.5 * 0.8**2 * STEP_S / SECONDS_PER_YEAR, abs=3 * np.std(r) / math.sqrt(len(r)))


def test_gbm_jumps_variance_and_jump_rate_match_the_law() -> None:
    sigma, lam, m, s = 0.5, 24.0, -0.03, 0.01      # a jump an hour, -3% on average
    n = 400_000
    path = gbm_jumps_path(_times(n), STEP_S, mu=0.0, sigma=sigma, jumps={"intensity": lam, "mean": m, "std": s},
                          rng=run_rng(2, 0, 1))
    r = np.diff(np.log(path.ratio))
    dt_y, dt_d = STEP_S / SECONDS_PER_YEAR, STEP_S / SECONDS_PER_DAY
    # Var = sigma^2 dt + lambda dt (m^2 + s^2) (compound Poisson), E = (-sigma^2/2) dt + lambda dt m
    assert np.var(r) == pytest.approx(sigma**2 * dt_y + lam * dt_d * (m**2 + s**2), rel=0.05)
    # the mean within 4 standard errors (its sd is sqrt(Var / n), ~3.8e-6 here)
    assert np.mean(r) == pytest.approx(-0.5 * sigma**2 * dt_y + lam * dt_d * m, abs=4 * np.std(r) / math.sqrt(n))
    # the estimator recovers the law from the path itself
    law = estimate_gbm_jumps(_times(n), path.ratio, jump_threshold=4.0)
    assert law.sigma == pytest.approx(sigma, rel=0.03)
    span_d = n * dt_d
    expected_jumps = lam * span_d            # a Poisson count: sd sqrt(expected), ~47 of 2,222 here
    assert law.jumps == pytest.approx(expected_jumps, abs=4 * math.sqrt(expected_jumps))
    assert law.intensity_per_day == pytest.approx(lam, abs=4 * math.sqrt(expected_jumps) / span_d)
    assert law.jump_mean == pytest.approx(m, rel=0.05)
    assert law.interval_s == STEP_S and law.mu == 0.0


def test_a_run_stream_is_reproducible_and_runs_differ() -> None:
    a = gbm_jumps_path(_times(50), STEP_S, mu=0, sigma=1.0, jumps=None, rng=run_rng(7, 3, 1)).ratio
    b = gbm_jumps_path(_times(50), STEP_S, mu=0, sigma=1.0, jumps=None, rng=run_rng(7, 3, 1)).ratio
    c = gbm_jumps_path(_times(50), STEP_S, mu=0, sigma=1.0, jumps=None, rng=run_rng(7, 4, 1)).ratio
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_block_bootstrap_lays_contiguous_blocks_of_the_source() -> None:
    source = np.random.default_rng(5).normal(0, 0.01, 300)
    path = block_bootstrap(source, interval_s=60.0, duration_s=7200.0, block=30, rng=run_rng(1, 0, 1))
    drawn = np.diff(np.log(path.ratio))
    assert len(drawn) == 120 and path.times_s[-1] == 7200.0
    for b in range(4):  # each block of 30 is 30 consecutive source returns (circular)
        block = drawn[b * 30:(b + 1) * 30]
        start = int(np.argmin(np.abs(source - block[0])))
        assert np.allclose(block, source[(start + np.arange(30)) % 300])


def test_block_bootstrap_keeps_the_source_variance() -> None:
    source = np.random.default_rng(6).normal(0.0, 0.002, 5000)
    many = [np.diff(np.log(block_bootstrap(source, interval_s=60.0, duration_s=86_400.0, block=30,
                                           rng=run_rng(1, r, 1)).ratio)) for r in range(50)]
    assert np.mean(np.concatenate(many) ** 2) == pytest.approx(np.mean(source**2), rel=0.05)


def test_shock_draws_stay_in_their_bounds_with_a_uniform_mean() -> None:
    draws = {"drop": Distribution.model_validate({"uniform": ["5%", "30%"]}),
             "at": Distribution.model_validate({"uniform": ["10m", "40m"]})}
    drops, ats = [], []
    for r in range(4000):
        d = shock_draws(draws, random.Random(f"1:{r}:2"))
        drops.append(parse_fraction(d["drop"]))
        ats.append(parse_duration(d["at"]))
    assert 0.05 <= min(drops) and max(drops) <= 0.30
    assert np.mean(drops) == pytest.approx(0.175, abs=0.003)       # sd of the mean: 0.072 / sqrt(4000) = 0.0011
    assert 600 <= min(ats) and max(ats) <= 2400 and np.mean(ats) == pytest.approx(1500, abs=25)


def test_relative_path_csv_is_read_back_by_the_drill_replay(tmp_path: Path) -> None:
    from defidrill.drill.replay_csv import read_replay_series

    path = gbm_jumps_path(_times(10), STEP_S, mu=0, sigma=0.8, jumps=None, rng=run_rng(1, 0, 1))
    path.write_csv(tmp_path / "r.csv", {"WBTC": 60_000.0, "WETH": 3_000.0})
    series = read_replay_series(tmp_path / "r.csv", "time", "WETH")
    assert np.array_equal(series.prices, 3_000.0 * path.ratio)
    assert np.array_equal(np.diff(series.times_s), np.full(10, STEP_S))
