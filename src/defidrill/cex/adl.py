"""Auto-deleveraging: who is closed when the insurance fund cannot absorb a bankruptcy.

Ranking (Binance FAQ "What Is Auto-Deleveraging (ADL) and How Does It Work", formula at
the end of the page), per position at the mark:

    PnL%               = unrealised PnL / max(1, wallet balance)
    effective leverage = |mark value| / max(0, wallet balance + unrealised PnL)
    score              = PnL% x effective leverage   if PnL% > 0
                         PnL% / effective leverage   otherwise

The highest scores are closed first, against the bankrupt position, at its bankruptcy
price; the last one partially. Ties go to the lower position id (deterministic).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
_TINY_USD = 1e-9


def adl_scores(side: npt.ArrayLike, qty_btc: npt.ArrayLike, entry_usd: npt.ArrayLike,
               wallet_usd: npt.ArrayLike, mark_usd: float) -> FloatArray:
    """ADL ranking score per position (higher = deleveraged first)."""
    s = np.asarray(side, dtype=np.float64)
    q = np.asarray(qty_btc, dtype=np.float64)
    wb = np.asarray(wallet_usd, dtype=np.float64)
    upnl = s * q * (mark_usd - np.asarray(entry_usd, dtype=np.float64))
    pnl_pct = upnl / np.maximum(wb, 1.0)
    eff_lev = q * mark_usd / np.maximum(wb + upnl, _TINY_USD)
    return np.where(pnl_pct > 0, pnl_pct * eff_lev, pnl_pct / eff_lev)


def adl_select(scores: FloatArray, qty_btc: FloatArray, need_btc: float) -> tuple[IntArray, FloatArray]:
    """Pick, by descending score, the candidates that cover ``need_btc``.

    Returns (indices into the candidate arrays, quantity closed from each); the last
    one is closed only in part. Fewer than ``need_btc`` is returned when the candidates
    do not hold enough. Uses a growing top-k partition, not a full sort: ADL usually
    needs a few positions out of a million.
    """
    n = scores.shape[0]
    if n == 0 or need_btc <= 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    k = min(n, 256)
    while True:
        top = np.arange(n) if k >= n else np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))]
        cum = np.cumsum(qty_btc[top])
        if cum[-1] >= need_btc or k >= n:
            break
        k = min(n, k * 4)
    m = int(np.searchsorted(cum, need_btc, side="left")) + 1
    chosen = top[:m]
    fill = qty_btc[chosen].copy()
    over = cum[min(m, len(cum)) - 1] - need_btc
    if over > 0:
        fill[-1] -= over
    return chosen, fill
