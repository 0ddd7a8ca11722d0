"""Liquidation and bankruptcy prices by Binance's USDⓈ-M formulas (vectorised).

For one position in one-way mode, with side s (+1 long, -1 short), size q (BTC),
entry price EP, wallet balance WB (USD) and the bracket's MMR and maintenance amount cum:

    liquidation price LP = (WB + cum - s q EP) / (q MMR - s q)
    bankruptcy price  BP = EP - s WB / q

LP is where equity WB + s q (P - EP) equals maintenance margin q P MMR - cum; BP is where
equity is zero. Binance's note: the MMR and cum must be those of the bracket of the
notional AT the liquidation price, so LP is computed from the entry bracket, then
recomputed once with the bracket of q x LP. Isolated margin: WB is the position's
isolated margin. Cross margin: WB is the cross wallet balance; with one BTCUSDT position
per account (our population) the other-contract terms TMM1 and UPNL1 vanish and the
cross formula reduces to the same expression.
Source: Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts".
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from defidrill.cex.chunked import in_chunks
from defidrill.cex.tiers import MarginTiers

FloatArray = npt.NDArray[np.float64]


def _lp_with(side: FloatArray, qty_btc: FloatArray, entry_usd: FloatArray, wallet_usd: FloatArray,
             mmr: FloatArray, cum_usd: FloatArray) -> FloatArray:
    return (wallet_usd + cum_usd - side * qty_btc * entry_usd) / (qty_btc * mmr - side * qty_btc)


def liquidation_price_usd(tiers: MarginTiers, side: npt.ArrayLike, qty_btc: npt.ArrayLike,
                          entry_usd: npt.ArrayLike, wallet_usd: npt.ArrayLike) -> FloatArray:
    """Liquidation price per position (USD), floored at 0 (a long that can never be liquidated)."""
    return in_chunks(lambda s, q, ep, wb: _liquidation_price(tiers, s, q, ep, wb), side, qty_btc, entry_usd, wallet_usd)


def _liquidation_price(tiers: MarginTiers, s: FloatArray, q: FloatArray, ep: FloatArray, wb: FloatArray) -> FloatArray:
    mmr, cum = tiers.lookup(q * ep)
    lp = _lp_with(s, q, ep, wb, mmr, cum)
    mmr2, cum2 = tiers.lookup(q * np.maximum(lp, 0.0))
    lp = _lp_with(s, q, ep, wb, mmr2, cum2)
    return np.maximum(lp, 0.0)


def bankruptcy_price_usd(side: npt.ArrayLike, qty_btc: npt.ArrayLike, entry_usd: npt.ArrayLike,
                         wallet_usd: npt.ArrayLike) -> FloatArray:
    """Price at which the position's equity is zero (USD), floored at 0."""
    s = np.asarray(side, dtype=np.float64)
    return np.maximum(np.asarray(entry_usd, dtype=np.float64)
                      - s * np.asarray(wallet_usd, dtype=np.float64) / np.asarray(qty_btc, dtype=np.float64),
                      0.0)


def margin_ratio(tiers: MarginTiers, side: npt.ArrayLike, qty_btc: npt.ArrayLike, entry_usd: npt.ArrayLike,
                 wallet_usd: npt.ArrayLike, mark_usd: float) -> FloatArray:
    """Maintenance margin / equity at the mark (Binance's margin ratio; >= 1 means liquidation).

    Equity <= 0 gives +inf.
    """
    s = np.asarray(side, dtype=np.float64)
    q = np.asarray(qty_btc, dtype=np.float64)
    equity = np.asarray(wallet_usd, dtype=np.float64) + s * q * (mark_usd - np.asarray(entry_usd, dtype=np.float64))
    mm = tiers.maintenance_margin_usd(q * mark_usd)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(equity > 0, mm / np.where(equity > 0, equity, 1.0), np.inf)
