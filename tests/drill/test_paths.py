"""Market paths against hand formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from defidrill.drill import build_paths, parse_drill


def drill_with(path: dict, *, start: float = 100.0, step: str = "10s", duration: str = "2h", seed: int = 1, **extra):
    return parse_drill({"seed": seed, "market": {"step": step, "duration": duration,
                                                 "assets": {"X": {"start": start, "path": path}, "USDC": 1}}, **extra})


def at(path, t_s: float) -> float:
    (i,) = np.nonzero(np.isclose(path.times_s, t_s))[0]
    return float(path.prices_usd["X"][i])


def test_grid() -> None:
    p = build_paths(drill_with({"kind": "constant"}))
    assert p.step_count == 720 and p.times_s[0] == 0 and p.times_s[-1] == 7200
    assert np.all(p.prices_usd["USDC"] == 1.0)
    assert not p.prices_usd["X"].flags.writeable


def test_step_shock() -> None:
    p = build_paths(drill_with({"kind": "step", "at": "30m", "change": "-8%"}))
    assert at(p, 1790) == 100.0
    assert at(p, 1800) == pytest.approx(92.0)
    assert at(p, 7200) == pytest.approx(92.0)


def test_ramp() -> None:
    p = build_paths(drill_with({"kind": "ramp", "at": "10m", "over": "20m", "change": "-10%"}))
    assert at(p, 600) == 100.0
    # a quarter of the way: 100 - 10 * 0.25
    assert at(p, 600 + 300) == pytest.approx(97.5)
    assert at(p, 1800) == pytest.approx(90.0)
    assert at(p, 3600) == pytest.approx(90.0)


def test_flash_crash_levels() -> None:
    spec = {"kind": "flash_crash", "at": "20m", "drop": "8%", "over": "40m", "hold": "5m",
            "recover": "50%", "recover_over": "30m"}
    p = build_paths(drill_with(spec, start=60000))
    assert at(p, 1200) == 60000
    assert at(p, 1200 + 1200) == pytest.approx(60000 * (1 - 0.08 * 0.5))  # halfway down
    assert at(p, 3600) == pytest.approx(55200.0)  # bottom
    assert at(p, 3600 + 300) == pytest.approx(55200.0)  # hold
    assert at(p, 3900 + 900) == pytest.approx(55200 + 0.5 * 2400)  # half of the recovery leg
    assert at(p, 5700) == pytest.approx(57600.0)  # 60000 * (1 - 0.08 * 0.5)
    assert at(p, 7200) == pytest.approx(57600.0)


def test_gbm_is_deterministic_per_seed_and_asset() -> None:
    spec = {"kind": "gbm", "sigma": "80%", "jumps": {"intensity": 10, "mean": "-2%", "std": "1%"}}
    a = build_paths(drill_with(spec, seed=5)).prices_usd["X"]
    b = build_paths(drill_with(spec, seed=5)).prices_usd["X"]
    c = build_paths(drill_with(spec, seed=6)).prices_usd["X"]
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a[0] == 100.0


def test_gbm_mean_log_return_matches_formula() -> None:
    """E[ln S_T/S_0] = T * ((mu - sigma^2/2) + intensity_per_year * mean); sd of the mean over seeds is tiny."""
    mu, sigma, lam_day, m, s = 0.5, 0.8, 24.0, -0.01, 0.02
    spec = {"kind": "gbm", "mu": mu, "sigma": sigma, "jumps": {"intensity": lam_day, "mean": m, "std": s}}
    seeds = 400
    finals = np.array([math.log(build_paths(drill_with(spec, seed=k, duration="1d", step="10m")).prices_usd["X"][-1] / 100)
                       for k in range(seeds)])
    t_y = 1 / 365
    expected_mean = (mu - sigma**2 / 2) * t_y + lam_day * 1 * m
    expected_var = sigma**2 * t_y + lam_day * (s**2 + m**2)  # compound Poisson variance
    tol = 4 * math.sqrt(expected_var / seeds)
    assert abs(finals.mean() - expected_mean) < tol
    assert finals.var() == pytest.approx(expected_var, rel=0.25)


def test_replay_resamples_last_observation_carried_forward(tmp_path) -> None:
    csv = tmp_path / "btc.csv"
    csv.write_text(
        "time_utc,btc_usd\n"
        "2023-03-09T00:00:00Z,100\n"
        "2023-03-09T00:00:25Z,110\n"   # between grid points 20 s and 30 s
        "2023-03-09T00:00:30Z,120\n"   # exactly on the 30 s grid point
        "2023-03-09T00:00:05Z,105\n"   # out of order: sorted by time
    )
    drill = parse_drill({"market": {"step": "10s", "duration": "1m", "assets": {
        "X": {"path": {"kind": "replay", "csv": "btc.csv", "time_column": "time_utc", "price_column": "btc_usd"}},
        "USDC": 1}}}, base_dir=tmp_path)
    got = build_paths(drill).prices_usd["X"]
    # grid 0,10,20,30,40,50,60 s -> rows at or before: 100, 105, 105, 120, then held
    assert list(got) == [100, 105, 105, 120, 120, 120, 120]


def test_replay_scale_invert_and_start(tmp_path) -> None:
    (tmp_path / "p.csv").write_text("t,p\n1000,2\n1010,4\n")
    base = {"kind": "replay", "csv": "p.csv", "time_column": "t", "price_column": "p"}

    def run(extra: dict, start=None):
        asset = {"path": {**base, **extra}} | ({"start": start} if start else {})
        drill = parse_drill({"market": {"step": "10s", "duration": "20s", "assets": {"X": asset, "USDC": 1}}},
                            base_dir=tmp_path)
        return list(build_paths(drill).prices_usd["X"])

    assert run({"scale": 10}) == [20, 40, 40]
    assert run({"invert": True}) == [0.5, 0.25, 0.25]
    assert run({}, start=100) == [100, 200, 200]


PIECEWISE = {"kind": "piecewise", "points": [{"at": "10m", "price": 100}, {"at": "30m", "price": 80},
                                             {"at": "40m", "price": 90}]}


def test_piecewise_linear_between_points() -> None:
    p = build_paths(drill_with(PIECEWISE, start=None, duration="1h"))
    assert at(p, 0) == 100.0 and at(p, 600) == 100.0          # before the first point: its price
    assert at(p, 600 + 300) == pytest.approx(95.0)            # a quarter of 100 -> 80 over 20 min
    assert at(p, 1800) == pytest.approx(80.0)
    assert at(p, 1800 + 150) == pytest.approx(82.5)           # a quarter of 80 -> 90 over 10 min
    assert at(p, 2400) == 90.0 and at(p, 3600) == 90.0        # after the last point: held


def test_piecewise_stepped_holds_each_price_until_the_next_point() -> None:
    p = build_paths(drill_with({**PIECEWISE, "between": "stepped"}, start=None, duration="1h"))
    assert at(p, 0) == 100.0
    assert at(p, 1790) == 100.0 and at(p, 1800) == 80.0
    assert at(p, 2390) == 80.0 and at(p, 2400) == 90.0 and at(p, 3600) == 90.0


def test_piecewise_start_rescales_to_the_start_price() -> None:
    p = build_paths(drill_with(PIECEWISE, start=50.0, duration="1h"))
    # every price x 50/100
    assert at(p, 0) == 50.0 and at(p, 1800) == pytest.approx(40.0) and at(p, 3600) == pytest.approx(45.0)
