"""Path families: one price path per run, drawn from its own seeded stream (pure numpy, no chain).

Every family yields a *relative* path (1.0 at t = 0) that moves all of the family's assets
together (the flagship's WBTC and WETH crash together; a per-asset correlation is not
modelled). ``plan.py`` writes it as a per-run CSV that the drill reads through its own
``replay`` path (prices = the asset's ``start`` x the relative path), or, for ``shock``,
turns the draws into overrides of the drill's own path.

* ``gbm_jumps``: the drill's own ``gbm`` formula (:mod:`defidrill.drill.paths`, Merton's
  jump-diffusion: ``ln S_{k+1} = ln S_k + (mu - sigma^2/2) dt + sigma sqrt(dt) Z_k + sum J``,
  Poisson jump counts, normal log jumps), on the drill's step grid, seeded per run. Its law is
  stated (``law:`` with a ``source:``) or estimated from a CSV by :func:`estimate_gbm_jumps`.
* ``bootstrap``: a circular moving-block bootstrap (Künsch 1989; Politis & Romano 1992 for the
  circular wrap) of a CSV's log returns at the CSV's own interval: blocks of ``block`` length
  start at uniform positions and are laid end to end until the drill's duration is covered.
  Blocks keep the returns' short-range dependence (volatility clusters) that an iid resample
  destroys; a path never leaves the data's own moves.
* ``shock``: the drill's own path kind (e.g. ``flash_crash``) with fields drawn per run from
  the stated distributions (:func:`shock_draws`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from defidrill.drill.paths import SECONDS_PER_DAY, SECONDS_PER_YEAR, path_prices
from defidrill.drill.schema.market import GbmPath
from defidrill.sweep.spec import Distribution

__all__ = ["EstimatedLaw", "RelativePath", "block_bootstrap", "estimate_gbm_jumps", "gbm_jumps_path", "run_rng",
           "shock_draws", "CSV_T0_S"]

#: Stream ids: each run's path, shock draws and events come from independent streams.
STREAM_PATH, STREAM_SHOCK, STREAM_EVENTS = 1, 2, 3
#: A per-run CSV's first time (unix seconds, 2023-11-14T22:13:20Z): the replay takes times from its first row.
CSV_T0_S = 1_700_000_000.0
#: The consistency constant of the median absolute deviation for a normal law (1 / Phi^-1(3/4)).
MAD_TO_SD = 1.4826


def run_rng(seed: int, run: int, stream: int) -> np.random.Generator:
    """Run ``run``'s generator for one stream: the same for every parameter value (common random numbers)."""
    return np.random.default_rng(np.random.SeedSequence([seed, run, stream]))


@dataclass(frozen=True)
class RelativePath:
    """A drawn path: ``times_s`` from the drill's start and the price relative to t = 0 (``ratio[0] == 1``)."""

    times_s: npt.NDArray[np.float64]
    ratio: npt.NDArray[np.float64]

    def write_csv(self, file: Path, starts_usd: dict[str, float]) -> None:
        """One CSV: ``time`` (unix seconds from :data:`CSV_T0_S`) and a price column per asset."""
        assets = list(starts_usd)
        lines = ["time," + ",".join(assets)]
        for t, r in zip(self.times_s, self.ratio):
            lines.append(f"{CSV_T0_S + float(t):.0f}," + ",".join(repr(float(starts_usd[a] * r)) for a in assets))
        file.write_text("\n".join(lines) + "\n")

    @property
    def drawdown_pct(self) -> float:
        """The largest fall below the start, in percent (what a reader of the table compares runs by)."""
        return float((1.0 - self.ratio.min()) * 100.0)


def gbm_jumps_path(times_s: npt.NDArray[np.float64], step_s: float, *, mu: float, sigma: float,
                   jumps: dict[str, float] | None, rng: np.random.Generator) -> RelativePath:
    """The drill's ``gbm`` path (same formula, same model) on ``times_s``, relative to 1."""
    spec = GbmPath.model_validate({"kind": "gbm", "mu": mu, "sigma": sigma,
                                   **({"jumps": jumps} if jumps else {})})
    return RelativePath(times_s, path_prices(times_s, 1.0, spec, step_s=step_s, rng=rng))


@dataclass(frozen=True)
class EstimatedLaw:
    """What :func:`estimate_gbm_jumps` found, in the drill's ``gbm`` units."""

    mu: float                  # annualised drift: 0 (not estimable from days of data; stated)
    sigma: float               # annualised diffusive volatility
    intensity_per_day: float   # jumps per day
    jump_mean: float           # mean log jump
    jump_std: float            # sd of the log jumps (0 with fewer than two)
    interval_s: float          # the CSV's median sampling interval
    returns: int
    jumps: int

    def as_gbm(self) -> dict[str, Any]:
        jumps = ({"intensity": self.intensity_per_day, "mean": self.jump_mean, "std": self.jump_std}
                 if self.jumps else None)
        return {"mu": self.mu, "sigma": self.sigma, "jumps": jumps}


def estimate_gbm_jumps(times_s: npt.NDArray[np.float64], prices: npt.NDArray[np.float64], *,
                       jump_threshold: float = 4.0) -> EstimatedLaw:
    """A threshold estimator of a jump-diffusion from one price series.

    Log returns ``r_i`` at the CSV's rows; the robust scale ``s = 1.4826 x MAD(r)`` (the MAD is
    not inflated by the jumps it is meant to find); a return with ``|r_i - median(r)| > k s``
    (``k = jump_threshold``, default 4) is a jump (the truncation idea of Mancini 2009).
    Diffusive volatility: the sample sd of the other returns, annualised by the median interval
    ``sigma = sd / sqrt(dt_years)``. Jump intensity: jumps / the series' span in days. Jump law:
    mean and sd of the jump returns (each jump return also carries one step of diffusion, which
    is small beside it at k = 4). Drift: 0 (a few days cannot estimate it; a stress model states it).
    """
    log_returns = np.diff(np.log(prices))
    dt_s = np.diff(times_s)
    interval_s = float(np.median(dt_s))
    centre = float(np.median(log_returns))
    scale = MAD_TO_SD * float(np.median(np.abs(log_returns - centre)))
    is_jump = np.abs(log_returns - centre) > jump_threshold * scale if scale > 0 else np.zeros(len(log_returns), bool)
    normal = log_returns[~is_jump]
    jumps = log_returns[is_jump]
    sigma = float(np.std(normal, ddof=1)) / math.sqrt(interval_s / SECONDS_PER_YEAR) if len(normal) > 1 else 0.0
    span_days = float(times_s[-1] - times_s[0]) / SECONDS_PER_DAY
    return EstimatedLaw(mu=0.0, sigma=sigma, intensity_per_day=len(jumps) / span_days,
                        jump_mean=float(jumps.mean()) if len(jumps) else 0.0,
                        jump_std=float(np.std(jumps, ddof=1)) if len(jumps) > 1 else 0.0,
                        interval_s=interval_s, returns=len(log_returns), jumps=int(is_jump.sum()))


def block_bootstrap(log_returns: npt.NDArray[np.float64], *, interval_s: float, duration_s: float, block: int,
                    rng: np.random.Generator) -> RelativePath:
    """A circular block bootstrap path covering ``duration_s`` at ``interval_s`` (blocks of ``block`` returns)."""
    m = len(log_returns)
    n = max(1, math.ceil(duration_s / interval_s))
    starts = rng.integers(0, m, size=math.ceil(n / block))
    index = (starts[:, None] + np.arange(block)[None, :]).ravel()[:n] % m
    drawn = log_returns[index]
    times = np.arange(n + 1, dtype=np.float64) * interval_s
    return RelativePath(times, np.exp(np.concatenate(([0.0], np.cumsum(drawn)))))


def shock_draws(draws: dict[str, Distribution], rng: random.Random) -> dict[str, Any]:
    """One value per drawn field, in the field's own unit (``17.2%``, ``754s``), in the file's order."""
    return {field: dist.draw(rng) for field, dist in draws.items()}
