"""Elementwise formulas over long arrays, a cache-sized chunk at a time.

(Chunks, not blocks: in this project a block is a chain block.)

Every step of such a formula is elementwise, so a chunk's result is exactly the whole
array's; but a dozen temporaries of 64k elements stay in cache, where at 10M positions each
would be a fresh 80 MB array (allocated, page-faulted, written, read back once).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
CHUNK = 1 << 16  # elements per chunk


def in_chunks(formula: Callable[..., FloatArray], *args: npt.ArrayLike) -> FloatArray:
    """``formula(*args)`` on float64 arrays broadcast together, one chunk at a time when 1-D and long."""
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in args))
    n = arrays[0].shape[0] if arrays[0].ndim == 1 else 0
    if n <= CHUNK:
        return formula(*arrays)
    out = np.empty(n)
    for i in range(0, n, CHUNK):
        out[i:i + CHUNK] = formula(*(a[i:i + CHUNK] for a in arrays))
    return out
