"""Reference price paths as plain numpy arrays on the drill's step grid.

The grid is ``t_k = k * step`` for ``k = 0 .. step_count`` (``step_count = duration // step``),
so a 2 h drill at 10 s has 721 points. The same :class:`MarketPath` feeds the oracle
feeder, the on-chain arbitrageur and the CEX model unchanged, so both venues see the
same exogenous shock.

Formulas (``S0`` = ``start``):

* ``constant``: ``S(t) = S0``.
* ``step``: ``S(t) = S0`` for ``t < at``, ``S0 (1 + change)`` from ``at`` on.
* ``ramp``: linear from ``S0`` at ``at`` to ``S0 (1 + change)`` at ``at + over``.
* ``flash_crash``: linear from ``S0`` at ``at`` to the bottom ``B = S0 (1 - drop)`` at
  ``at + over``; ``B`` until ``at + over + hold``; linear to ``S0 (1 - drop (1 - recover))``
  over ``recover_over``; flat after.
* ``gbm``: exact log-Euler step of dS/S = mu dt + sigma dW + J dN with log-normal jumps:
  ``ln S_{k+1} = ln S_k + (mu - sigma^2/2) dt + sigma sqrt(dt) Z_k + sum_{j<=N_k} J_j``,
  ``Z_k ~ N(0,1)``, ``N_k ~ Poisson(intensity * dt_days)``, ``J_j ~ N(mean, std)``;
  ``dt`` in years of 365 days. ``mu`` carries no jump compensation, so the expected log
  return per step is ``(mu - sigma^2/2) dt + intensity dt_days mean``. Each asset draws from
  its own generator seeded by ``(drill seed, crc32(asset name))``: adding an asset does not
  change the others' paths.
* ``replay``: rows sorted by time (read and checked at validation: :mod:`defidrill.drill.replay_csv`); the value at
  grid time ``t0 + t_k`` is the last row at or before it (last observation carried forward); before the first row
  the first value is used; after the last row the last value is held. ``t0`` is ``start_time`` or the first
  row's time. Then ``x scale``, ``1/x`` if ``invert``, and if ``start`` is given the series is
  rescaled so its first point equals ``start``.
* ``piecewise``: through the points ``(at_i, price_i)``. ``linear``:
  ``S(t) = p_i + (p_{i+1} - p_i) (t - at_i) / (at_{i+1} - at_i)`` for ``at_i <= t <= at_{i+1}``;
  ``stepped``: ``S(t) = p_i`` for ``at_i <= t < at_{i+1}``. Before the first point ``p_0``, after
  the last ``p_n``. If ``start`` is given the series is rescaled so ``S(0) = start``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from defidrill.drill.schema import (
    ConstantPath, Drill, FlashCrashPath, GbmPath, PathSpec, PiecewisePath, RampPath, ReplayPath, StepPath,
)
from defidrill.drill.replay_csv import parse_time

__all__ = ["MarketPath", "build_paths", "grid_times", "path_prices", "asset_rng", "read_replay_csv"]

SECONDS_PER_YEAR = 365.0 * 86400.0
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class MarketPath:
    """The reference prices of every asset on the step grid (read-only arrays)."""

    step_s: float
    times_s: npt.NDArray[np.float64]
    prices_usd: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)

    @property
    def step_count(self) -> int:
        """Number of steps after t=0 (the arrays have ``step_count + 1`` points)."""
        return len(self.times_s) - 1

    def price_usd(self, asset: str, step: int) -> float:
        """The reference price of ``asset`` at ``step``."""
        return float(self.prices_usd[asset][step])


def grid_times(drill: Drill) -> npt.NDArray[np.float64]:
    """``[0, step, 2 step, ..., step_count * step]`` in seconds."""
    return np.arange(drill.market.step_count + 1, dtype=np.float64) * drill.market.step_s


def asset_rng(seed: int, asset: str) -> np.random.Generator:
    """A generator for one asset's draws: stable across runs, independent of other assets."""
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(asset.encode()),)))


def _interp(times_s: npt.NDArray[np.float64], knots_t: list[float], knots_p: list[float]) -> npt.NDArray[np.float64]:
    return np.interp(times_s, np.asarray(knots_t, dtype=np.float64), np.asarray(knots_p, dtype=np.float64))


def _flash_crash(times_s: npt.NDArray[np.float64], s0: float, spec: FlashCrashPath) -> npt.NDArray[np.float64]:
    bottom = s0 * (1.0 - spec.drop)
    final = s0 * (1.0 - spec.drop * (1.0 - spec.recover))
    t1 = spec.at_s + spec.over_s
    t2 = t1 + spec.hold_s
    t3 = t2 + spec.recover_duration_s
    return _interp(times_s, [spec.at_s, t1, t2, t3], [s0, bottom, bottom, final])


def _gbm(times_s: npt.NDArray[np.float64], s0: float, spec: GbmPath, rng: np.random.Generator,
         step_s: float) -> npt.NDArray[np.float64]:
    n = len(times_s) - 1
    dt_y = step_s / SECONDS_PER_YEAR
    z = rng.standard_normal(n)
    log_ret = (spec.mu - 0.5 * spec.sigma**2) * dt_y + spec.sigma * np.sqrt(dt_y) * z
    if spec.jumps is not None and spec.jumps.intensity_per_day > 0:
        counts = rng.poisson(spec.jumps.intensity_per_day * step_s / SECONDS_PER_DAY, n)
        # The sum of N iid N(m, s) is N(N m, N s^2): one normal draw per step.
        log_ret += counts * spec.jumps.mean + np.sqrt(counts) * spec.jumps.std * rng.standard_normal(n)
    prices: npt.NDArray[np.float64] = s0 * np.exp(np.concatenate(([0.0], np.cumsum(log_ret))))
    return prices


def read_replay_csv(spec: ReplayPath) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(unix seconds, price) rows of a replay CSV, by increasing time; raw, before scale/invert.

    The rows were read and checked when the drill validated (:mod:`defidrill.drill.replay_csv`).
    """
    return spec.series.times_s, spec.series.prices


def _replay(times_s: npt.NDArray[np.float64], start_usd: float | None, spec: ReplayPath) -> npt.NDArray[np.float64]:
    t, p = read_replay_csv(spec)
    t0 = parse_time(spec.start_time) if spec.start_time is not None else t[0]
    idx = np.searchsorted(t, t0 + times_s, side="right") - 1
    out = p[np.clip(idx, 0, len(p) - 1)] * spec.scale
    if spec.invert:
        out = 1.0 / out
    if start_usd is not None:
        out = out * (start_usd / out[0])
    return out


def _piecewise(times_s: npt.NDArray[np.float64], start_usd: float | None, spec: PiecewisePath) -> npt.NDArray[np.float64]:
    knots_t = np.asarray([p.at_s for p in spec.points], dtype=np.float64)
    knots_p = np.asarray([p.price_usd for p in spec.points], dtype=np.float64)
    if spec.between == "linear":
        out = np.interp(times_s, knots_t, knots_p)
    else:
        idx = np.searchsorted(knots_t, times_s, side="right") - 1
        out = knots_p[np.clip(idx, 0, len(knots_p) - 1)]
    if start_usd is not None:
        out = out * (start_usd / out[0])
    return out


def path_prices(times_s: npt.NDArray[np.float64], start_usd: float | None, spec: PathSpec, *, step_s: float,
                rng: np.random.Generator | None = None) -> npt.NDArray[np.float64]:
    """Prices of one asset at ``times_s`` for one path spec (see the module formulas)."""
    if isinstance(spec, ReplayPath):
        return _replay(times_s, start_usd, spec)
    if isinstance(spec, PiecewisePath):
        return _piecewise(times_s, start_usd, spec)
    if start_usd is None:
        raise ValueError(f"a {spec.kind} path needs a start price")
    if isinstance(spec, ConstantPath):
        return np.full(len(times_s), start_usd)
    if isinstance(spec, StepPath):
        return np.where(times_s < spec.at_s, start_usd, start_usd * (1.0 + spec.change))
    if isinstance(spec, RampPath):
        return _interp(times_s, [spec.at_s, spec.at_s + spec.over_s], [start_usd, start_usd * (1.0 + spec.change)])
    if isinstance(spec, FlashCrashPath):
        return _flash_crash(times_s, start_usd, spec)
    if isinstance(spec, GbmPath):
        if rng is None:
            raise ValueError("a gbm path needs a random generator")
        return _gbm(times_s, start_usd, spec, rng, step_s)
    raise TypeError(f"unknown path kind {spec!r}")


def build_paths(drill: Drill) -> MarketPath:
    """Every asset's reference path on the drill's grid; deterministic for the drill and seed."""
    times = grid_times(drill)
    prices: dict[str, npt.NDArray[np.float64]] = {}
    for asset, market in drill.market.assets.items():
        series = path_prices(times, market.start_price_usd, market.path, step_s=drill.market.step_s,
                             rng=asset_rng(drill.seed, asset))
        series.setflags(write=False)
        prices[asset] = series
    times.setflags(write=False)
    return MarketPath(step_s=drill.market.step_s, times_s=times, prices_usd=prices)
