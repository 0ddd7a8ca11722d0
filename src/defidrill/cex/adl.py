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

from defidrill.cex.chunked import in_chunks

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
_TINY_USD = 1e-9


def adl_scores(side: npt.ArrayLike, qty_btc: npt.ArrayLike, entry_usd: npt.ArrayLike,
               wallet_usd: npt.ArrayLike, mark_usd: float) -> FloatArray:
    """ADL ranking score per position (higher = deleveraged first)."""
    return in_chunks(lambda s, q, ep, wb: _scores(s, q, ep, wb, mark_usd), side, qty_btc, entry_usd, wallet_usd)


def _scores(s: FloatArray, q: FloatArray, entry_usd: FloatArray, wb: FloatArray, mark_usd: float) -> FloatArray:
    upnl = s * q * (mark_usd - entry_usd)
    pnl_pct = upnl / np.maximum(wb, 1.0)
    eff_lev = q * mark_usd / np.maximum(wb + upnl, _TINY_USD)
    scores: FloatArray = np.where(pnl_pct > 0, pnl_pct * eff_lev, pnl_pct / eff_lev)
    return scores


def adl_select(scores: FloatArray, qty_btc: FloatArray, need_btc: float) -> tuple[IntArray, FloatArray]:
    """Pick, by descending score, the candidates that cover ``need_btc``.

    Returns (indices into the candidate arrays, quantity closed from each); the last
    one is closed only in part. Fewer than ``need_btc`` is returned when the candidates
    do not hold enough. Defined by ``adl_select_reference`` (a growing top-k partition);
    this gives the same answer from one sorted head of the ranking instead of a partition
    of every candidate per k, and defers to the reference when a tie straddles a k it
    tests (there the partition's choice among equal scores decides).
    """
    n = scores.shape[0]
    if n == 0 or need_btc <= 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    neg = -scores
    if np.isnan(neg).any():  # NaN has no place in the head's order: the reference decides
        return adl_select_reference(scores, qty_btc, need_btc)
    head = np.zeros(0, dtype=np.intp)
    k = min(n, 256)
    while True:
        if head.size < k:
            head = _ranked_head(neg, min(n, k * 16))
            head_cum = np.cumsum(qty_btc[head])
        if k < n and k < head.size and not neg[head[k]] > neg[head[k - 1]]:
            return adl_select_reference(scores, qty_btc, need_btc)
        top, cum = head[:k], head_cum[:k]
        if cum[-1] >= need_btc or k >= n:
            break
        k = min(n, k * 4)
    return _fill(top, cum, qty_btc, need_btc)


def _ranked_head(neg: FloatArray, size: int) -> IntArray:
    """The first ``size`` or more indices of the order (neg ascending, index ascending).

    Everything at or below the size-th value is taken, so equal values at the cut all come
    along and the result is exactly the head of the full order. Distinct values have one
    order, so the (several times faster) introsort is used unless the head holds a tie."""
    if size >= neg.shape[0]:
        head = np.arange(neg.shape[0])
    else:
        cut = np.partition(neg, size - 1)[size - 1]
        head = np.flatnonzero(neg <= cut)
    vals = neg[head]
    order = np.argsort(vals)
    ranked = vals[order]
    if np.any(ranked[1:] == ranked[:-1]):
        order = np.argsort(vals, kind="stable")
    return head[order]


def _fill(top: IntArray, cum: FloatArray, qty_btc: FloatArray, need_btc: float) -> tuple[IntArray, FloatArray]:
    m = int(np.searchsorted(cum, need_btc, side="left")) + 1
    chosen = top[:m]
    fill = qty_btc[chosen].copy()
    over = cum[min(m, len(cum)) - 1] - need_btc
    if over > 0:
        fill[-1] -= over
    return chosen, fill


def adl_select_reference(scores: FloatArray, qty_btc: FloatArray,
                         need_btc: float) -> tuple[IntArray, FloatArray]:
    """``adl_select`` by its definition: partition the top k (k = 256, x4 ...) until they cover the need."""
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
    return _fill(top, cum, qty_btc, need_btc)
