"""Finding breached positions in O(log n) per step.

Longs are breached when mark <= LP, shorts when mark >= LP. Sorting each side once by
key = -side x LP turns "all breached positions" into a prefix of the sorted array that
grows as the mark moves against the side: a searchsorted per step instead of a scan of
1M positions. Taken-over positions leave for good, so a pointer only moves forward.

Positions whose LP changes mid-run (a partial ADL) are moved out of the sorted arrays
into a small list that is checked directly; a funding payment changes every LP, so the
whole queue is rebuilt then (once per funding interval).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from defidrill.cex.positions import Positions

IntArray = npt.NDArray[np.intp]


class BreachQueue:
    """Open positions of each side, sorted by how soon the mark reaches their LP."""

    def __init__(self, positions: Positions) -> None:
        self._pos = positions
        self._ids: dict[int, IntArray] = {}
        self._keys: dict[int, npt.NDArray[np.float64]] = {}
        self._ptr: dict[int, int] = {}
        self._moved: npt.NDArray[np.bool_] = np.zeros(len(positions), dtype=bool)
        self._extra: IntArray = np.zeros(0, dtype=np.intp)
        self.rebuild()

    def rebuild(self) -> None:
        """Re-sort every open position (after LPs changed for many positions)."""
        pos = self._pos
        for s in (1, -1):
            ids = np.flatnonzero(pos.open_ & (pos.side == s))
            keys = -s * pos.liq_price_usd[ids]
            # Unstable (introsort) order is enough: a pop takes every key up to the mark,
            # so ties are popped together whatever their order, and the ids come out sorted.
            order = np.argsort(keys)
            self._ids[s] = ids[order]
            self._keys[s] = keys[order]
            self._ptr[s] = 0
        self._moved[:] = False
        self._extra = np.zeros(0, dtype=np.intp)

    def moved(self, ids: IntArray) -> None:
        """Positions whose LP changed: check them directly from now on."""
        new = ids[~self._moved[ids]]
        self._moved[new] = True
        self._extra = np.concatenate((self._extra, new))

    def pop_breached(self, mark_usd: float) -> IntArray:
        """Ids of open positions whose LP the mark has reached; they leave the queue."""
        pos = self._pos
        found = []
        for s in (1, -1):
            end = int(np.searchsorted(self._keys[s], -s * mark_usd, side="right"))
            start = self._ptr[s]
            if end > start:
                ids = self._ids[s][start:end]
                found.append(ids[pos.open_[ids] & ~self._moved[ids]])
                self._ptr[s] = end
        if self._extra.size:
            ex = self._extra[pos.open_[self._extra]]
            lp = pos.liq_price_usd[ex]
            hit = np.where(pos.side[ex] > 0, mark_usd <= lp, mark_usd >= lp)
            found.append(ex[hit])
            self._extra = ex[~hit]
        if not found:
            return np.zeros(0, dtype=np.intp)
        return np.sort(np.concatenate(found))
