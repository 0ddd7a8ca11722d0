"""The statistics of a risk study, pure numpy: quantiles with percentile-bootstrap intervals, the
frontier of a constraint. Nothing here knows a drill; docs/risk.md states every estimator.

* Quantile estimator: the sample quantile with linear interpolation between order statistics
  (Hyndman & Fan 1996 definition 7, numpy's default): ``x_(h)`` with ``h = (n - 1) q``.
* Interval: the percentile bootstrap (Efron 1979; Efron & Tibshirani 1993 ch. 13). Draw
  ``resamples`` samples of size n with replacement from the n runs, compute the estimator on
  each, and take the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of those values.
  For a quantile near the sample's edge (p99 of 200 runs sits between the 197th and 198th of
  200) the bootstrap cannot reach above the sample maximum, so the upper bound is at most the
  largest run: coverage falls short of the level at small n; the convergence view shows it.
* ``P(metric > 0)``: the share of runs above zero, with the same bootstrap interval.
* Frontier: a value meets a constraint when the interval's UPPER bound of the quantile is at or
  below the maximum (the point estimate would pass half of the values whose true quantile sits
  exactly at the bound).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from defidrill.sweep.spec import numeric_value

__all__ = ["QUANTILES", "Estimate", "FrontierSlice", "MetricStats", "convergence", "convergence_sizes",
           "frontier", "quantile", "summarise"]

#: The quantiles every metric is reported at.
QUANTILES = (0.50, 0.90, 0.95, 0.99)
QUANTILE_METHOD = "linear (Hyndman & Fan 1996 definition 7)"

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its interval ``[low, high]`` at the study's level."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class MetricStats:
    n: int                      # runs with a value (a null metric, e.g. no liquidation, is left out)
    n_null: int
    mean: Estimate | None
    quantiles: dict[float, Estimate]
    p_positive: Estimate | None  # P(metric > 0)


def quantile(values: Sequence[float] | Floats, q: float) -> float:
    """The sample quantile (definition 7)."""
    return float(np.quantile(np.asarray(values, dtype=np.float64), q))


def _resample_index(n: int, resamples: int, rng: np.random.Generator) -> npt.NDArray[np.intp]:
    return rng.integers(0, n, size=(resamples, n))


def _bounds(stats: Floats, level: float) -> tuple[Floats, Floats]:
    """The percentile interval of bootstrap replicates (axis 0: the replicates)."""
    alpha = 1.0 - level
    return (np.asarray(np.quantile(stats, alpha / 2, axis=0), dtype=np.float64),
            np.asarray(np.quantile(stats, 1 - alpha / 2, axis=0), dtype=np.float64))


def summarise(values: Sequence[float | None], *, level: float = 0.95, resamples: int = 2000,
              quantiles: Sequence[float] = QUANTILES, seed: int = 0) -> MetricStats:
    """n, mean, the quantiles and P(> 0), each with its percentile-bootstrap interval (seeded: reproducible)."""
    present = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=np.float64)
    n_null = len(values) - len(present)
    if len(present) == 0:
        return MetricStats(0, n_null, None, {}, None)
    rng = np.random.default_rng(seed)
    qs = np.asarray(quantiles, dtype=np.float64)
    samples = present[_resample_index(len(present), resamples, rng)]  # (resamples, n)
    q_point = np.quantile(present, qs)
    q_low, q_high = _bounds(np.quantile(samples, qs, axis=1).T, level)
    mean_low, mean_high = _bounds(samples.mean(axis=1), level)
    pos_low, pos_high = _bounds((samples > 0).mean(axis=1), level)
    return MetricStats(
        n=len(present), n_null=n_null,
        mean=Estimate(float(present.mean()), float(mean_low), float(mean_high)),
        quantiles={float(q): Estimate(float(p), float(lo), float(hi)) for q, p, lo, hi in zip(qs, q_point, q_low, q_high)},
        p_positive=Estimate(float((present > 0).mean()), float(pos_low), float(pos_high)),
    )


def convergence_sizes(n: int) -> list[int]:
    """Sample sizes for the convergence view: 10, 20, 50, 100, 200, 500, ... up to n (n itself last)."""
    sizes = [m * 10**e for e in range(1, 6) for m in (1, 2, 5) if m * 10**e < n]
    return [*sizes, n] if n > 0 else []


def convergence(values: Sequence[float | None], q: float, *, level: float = 0.95, resamples: int = 2000,
                seed: int = 0) -> list[tuple[int, Estimate]]:
    """The ``q`` quantile and its interval on the first k runs (runs in their index order) as k grows."""
    present = [v for v in values if v is not None and np.isfinite(v)]
    out = []
    for k in convergence_sizes(len(present)):
        stats = summarise(present[:k], level=level, resamples=resamples, quantiles=(q,), seed=seed)
        out.append((k, stats.quantiles[float(q)]))
    return out


@dataclass(frozen=True)
class FrontierSlice:
    """One parameter's values judged with the other parameters held at ``fixed``."""

    parameter: str
    fixed: dict[str, Any]
    meets: list[Any]              # values whose upper bound is at or below the maximum, in the file's order
    fails: list[Any]
    most_permissive: Any | None   # the highest (or lowest) value that meets; None when none does


def frontier(values: Sequence[dict[str, Any]], upper: Sequence[float | None], max_value: float, *,
             orders: dict[str, list[Any]], permissive: dict[str, str]) -> list[FrontierSlice]:
    """Per parameter, per combination of the others: which values meet ``upper <= max_value``.

    ``values[i]`` are variant i's parameter values (by name), ``upper[i]`` its interval's upper bound
    (None: no data, which never meets). ``orders`` lists each parameter's values in the file's order;
    the most permissive is the numerically highest (``permissive[name] == "higher"``, the default) or
    lowest that meets (``80%`` and ``10m`` compare as numbers; other values by their order in the file).
    """
    out = []
    for name, order in orders.items():
        others = [p for p in orders if p != name]
        slices: dict[str, dict[str, Any]] = {}
        for v, up in zip(values, upper):
            fixed = {p: v[p] for p in others}
            key = repr(sorted(fixed.items(), key=lambda kv: kv[0]))
            entry = slices.setdefault(key, {"fixed": fixed, "meets": [], "fails": []})
            met = up is not None and np.isfinite(up) and up <= max_value
            entry["meets" if met else "fails"].append(v[name])
        sign = 1.0 if permissive.get(name, "higher") == "higher" else -1.0

        def rank(x: Any, order: list[Any] = order, sign: float = sign) -> float:
            number = numeric_value(x)
            return sign * (number if number is not None else float(order.index(x)))

        for entry in slices.values():
            meets = [x for x in order if x in entry["meets"]]
            best = max(meets, key=rank) if meets else None
            out.append(FrontierSlice(name, entry["fixed"], meets, [x for x in order if x in entry["fails"]], best))
    return out
