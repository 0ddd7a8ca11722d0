"""Finding breached positions in O(log n) per step.

Longs are breached when mark <= LP, shorts when mark >= LP. Sorting each side once by
key = -side x LP turns "all breached positions" into a prefix of the sorted array that
grows as the mark moves against the side: a searchsorted per step instead of a scan of
1M positions. Taken-over positions leave for good, so a pointer only moves forward.

The sort is of one uint64 per position: the key's order-preserving bits, cut to their top
(64 - id bits), with the id in the low bits. An integer sort carries no separate index
(an argsort of 7M floats took over a second); keys that share a cut bucket with the mark
are compared exactly, and the order among them never matters because a pop returns
every key up to the mark, sorted by id.

Positions whose LP changes mid-run (a partial ADL) are moved out of the sorted arrays
into a small list that is checked directly; a funding payment changes every LP, so the
whole queue is rebuilt then (once per funding interval).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from defidrill.cex.positions import Positions

IntArray = npt.NDArray[np.intp]
U64Array = npt.NDArray[np.uint64]
_SIGN = np.uint64(1 << 63)


def ordered_bits(values: npt.NDArray[np.float64]) -> U64Array:
    """uint64 with the same order as the floats (NaN counts as +inf: never breached)."""
    b = np.where(np.isnan(values), np.inf, values).view(np.uint64)
    return np.where(b >= _SIGN, ~b, b | _SIGN)


class BreachQueue:
    """Open positions of each side, sorted by how soon the mark reaches their LP."""

    def __init__(self, positions: Positions) -> None:
        self._pos = positions
        self._id_bits = max(1, int(len(positions)).bit_length())
        self._packed: dict[int, U64Array] = {}
        self._ptr: dict[int, int] = {}
        self._moved: npt.NDArray[np.bool_] = np.zeros(len(positions), dtype=bool)
        self._popped: npt.NDArray[np.bool_] = np.zeros(len(positions), dtype=bool)
        self._extra: IntArray = np.zeros(0, dtype=np.intp)
        self.rebuild()

    def rebuild(self) -> None:
        """Re-sort every open position (after LPs changed for many positions)."""
        pos = self._pos
        shift = np.uint64(self._id_bits)
        for s in (1, -1):
            ids = np.flatnonzero(pos.open_ & (pos.side == s))
            packed = (ordered_bits(-s * pos.liq_price_usd[ids]) >> shift) << shift
            packed |= ids.astype(np.uint64)
            packed.sort()
            self._packed[s] = packed
            self._ptr[s] = 0
        self._moved[:] = False
        self._popped[:] = False
        self._extra = np.zeros(0, dtype=np.intp)

    def moved(self, ids: IntArray) -> None:
        """Positions whose LP changed: check them directly from now on."""
        new = ids[~self._moved[ids]]
        self._moved[new] = True
        self._extra = np.concatenate((self._extra, new))

    def pop_breached(self, mark_usd: float) -> IntArray:
        """Ids of open positions whose LP the mark has reached; they leave the queue."""
        pos = self._pos
        shift = np.uint64(self._id_bits)
        id_mask = np.uint64((1 << self._id_bits) - 1)
        found = []
        for s in (1, -1):
            packed = self._packed[s]
            bucket = ordered_bits(np.array([-s * mark_usd]))[0] >> shift
            sure = int(np.searchsorted(packed, bucket << shift, side="left"))  # keys below the mark's bucket
            end = int(np.searchsorted(packed, (bucket + np.uint64(1)) << shift, side="left"))
            start = self._ptr[s]
            if end > start:
                ids = (packed[start:end] & id_mask).astype(np.intp)
                hit = pos.open_[ids] & ~self._moved[ids] & ~self._popped[ids]
                tail = np.arange(ids.size) >= sure - start  # the mark's bucket: compare exactly
                hit[tail] &= -s * pos.liq_price_usd[ids[tail]] <= -s * mark_usd
                found.append(ids[hit])
                self._popped[ids[hit]] = True
                self._ptr[s] = max(start, sure)
        if self._extra.size:
            ex = self._extra[pos.open_[self._extra]]
            lp = pos.liq_price_usd[ex]
            hit = np.where(pos.side[ex] > 0, mark_usd <= lp, mark_usd >= lp)
            found.append(ex[hit])
            self._extra = ex[~hit]
        if not found:
            return np.zeros(0, dtype=np.intp)
        return np.sort(np.concatenate(found))
