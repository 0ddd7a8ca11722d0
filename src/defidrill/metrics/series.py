"""Time-series helpers shared by both venues, so both use one definition.

- A row of a steps table stands for the interval from its ``t_s`` to the next row's
  ``t_s`` (the last row gets the median spacing): "time above 1 %" is the sum of the
  durations of the rows where the condition holds.
- "Per minute" buckets by ``floor(t_s / 60)``; minute ``m`` covers ``[60 m, 60 m + 60)``.
- The mean per minute is taken over the liquidation window: from the first to the last
  minute with a liquidation, inclusive (a long quiet tail would otherwise dilute it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

MINUTE_S = 60.0


def row_durations_s(t_s: FloatArray) -> FloatArray:
    """Seconds each row stands for (next t_s minus this one; the last row the median spacing)."""
    if t_s.size == 0:
        return np.zeros(0)
    if t_s.size == 1:
        return np.zeros(1)
    d = np.diff(t_s)
    return np.append(d, np.median(d))


@dataclass(frozen=True)
class PerMinute:
    """An amount summed per wall-clock minute of the drill."""

    minute_start_s: list[float]
    amount: list[float]

    @property
    def peak(self) -> float:
        return max(self.amount, default=0.0)

    @property
    def mean_over_window(self) -> float | None:
        """Mean over the minutes from the first to the last non-zero one (None if all zero)."""
        active = [i for i, a in enumerate(self.amount) if a > 0]
        if not active:
            return None
        window = self.amount[active[0]:active[-1] + 1]
        return float(sum(window) / len(window))

    def as_json(self, unit_key: str) -> dict[str, list[float]]:
        return {"minute_start_s": self.minute_start_s, unit_key: self.amount}


def per_minute(t_s: FloatArray, amount: FloatArray, *, end_s: float | None = None) -> PerMinute:
    """Sum ``amount`` per minute bucket; every minute from 0 to the last row (or ``end_s``) appears."""
    if t_s.size == 0:
        return PerMinute([], [])
    last = float(t_s.max()) if end_s is None else max(float(t_s.max()), end_s)
    n = int(math.floor(last / MINUTE_S)) + 1
    idx = np.floor(t_s / MINUTE_S).astype(np.int64)
    values = np.nan_to_num(amount, nan=0.0)
    sums = np.bincount(idx, weights=values, minlength=n)[:n]
    return PerMinute([float(m * MINUTE_S) for m in range(n)], [float(x) for x in sums])


def first_time(t_s: FloatArray, mask: npt.NDArray[np.bool_]) -> float | None:
    """t_s of the first row where ``mask`` holds, None if it never does."""
    hits = np.flatnonzero(mask)
    return float(t_s[hits[0]]) if hits.size else None


def clean(x: float | None) -> float | None:
    """JSON has no NaN: a NaN or infinity becomes null."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None
