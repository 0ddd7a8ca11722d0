"""The position population: struct-of-arrays, drawn from a seeded Generator.

One account holds one BTCUSDT position. Arrays, never per-position objects: the
step loop must handle 1M positions, so everything here is vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from defidrill.cex.margin import bankruptcy_price_usd, liquidation_price_usd
from defidrill.cex.params import PopulationParams
from defidrill.cex.tiers import MarginTiers

FloatArray = npt.NDArray[np.float64]
# Survivor redraws: a drawn position already past its liquidation price at the start
# would have been liquidated before the drill, so it is drawn again (a few rounds),
# and any left over is opened at the start price, where it is always healthy.
_SURVIVOR_ROUNDS = 8


@dataclass
class Positions:
    """Open positions. ``open_`` is False once a position is taken over or fully ADL'd."""

    side: npt.NDArray[np.int8]          # +1 long, -1 short
    qty_btc: FloatArray                 # absolute size in BTC
    entry_price_usd: FloatArray
    wallet_usd: FloatArray              # isolated margin, or cross wallet balance
    leverage: FloatArray                # nominal leverage at entry (after the tier cap)
    cross: npt.NDArray[np.bool_]
    liq_price_usd: FloatArray
    bankruptcy_price_usd: FloatArray
    open_: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.side.shape[0])

    def reprice(self, tiers: MarginTiers, ids: npt.NDArray[np.intp] | None = None) -> None:
        """Recompute liquidation and bankruptcy prices (all positions, or ``ids``)."""
        sel = slice(None) if ids is None else ids
        s = self.side[sel].astype(np.float64)
        self.liq_price_usd[sel] = liquidation_price_usd(
            tiers, s, self.qty_btc[sel], self.entry_price_usd[sel], self.wallet_usd[sel])
        self.bankruptcy_price_usd[sel] = bankruptcy_price_usd(
            s, self.qty_btc[sel], self.entry_price_usd[sel], self.wallet_usd[sel])

    @classmethod
    def from_arrays(cls, tiers: MarginTiers, side: npt.ArrayLike, qty_btc: npt.ArrayLike,
                    entry_price_usd: npt.ArrayLike, wallet_usd: npt.ArrayLike, leverage: npt.ArrayLike,
                    cross: npt.ArrayLike | None = None) -> Positions:
        """Build a population by hand (tests, or a user-supplied book of positions)."""
        s = np.asarray(side, dtype=np.int8)
        n = s.shape[0]
        p = cls(side=s, qty_btc=np.asarray(qty_btc, dtype=np.float64).copy(),
                entry_price_usd=np.asarray(entry_price_usd, dtype=np.float64).copy(),
                wallet_usd=np.asarray(wallet_usd, dtype=np.float64).copy(),
                leverage=np.asarray(leverage, dtype=np.float64).copy(),
                cross=np.zeros(n, dtype=bool) if cross is None else np.asarray(cross, dtype=bool).copy(),
                liq_price_usd=np.zeros(n), bankruptcy_price_usd=np.zeros(n), open_=np.ones(n, dtype=bool))
        p.reprice(tiers)
        return p


def _breached(side: npt.NDArray[np.int8], liq_usd: FloatArray, price_usd: float) -> npt.NDArray[np.bool_]:
    return np.where(side > 0, price_usd <= liq_usd, price_usd >= liq_usd)


def draw_population(params: PopulationParams, tiers: MarginTiers, start_price_usd: float,
                    rng: np.random.Generator) -> Positions:
    """Draw the population.

    notional ~ lognormal(median, sigma), capped at the table's top edge; leverage ~
    choice(weights) capped by the bracket's max leverage; side long with probability
    long_share; entry = start x exp(entry_spread x Z); isolated margin = notional / leverage,
    cross wallet = cross_wallet_multiple x that; survivors only (see _SURVIVOR_ROUNDS).
    """
    n = params.count
    notional = params.notional_median_usd * np.exp(params.notional_sigma * rng.standard_normal(n))
    notional = np.minimum(notional, float(tiers.upper_usd[-1]))
    w = np.asarray(params.leverage_weights, dtype=np.float64)
    lev = np.asarray(params.leverage_choice, dtype=np.float64)[rng.choice(len(w), size=n, p=w / w.sum())]
    lev = np.minimum(lev, tiers.max_leverage_for(notional))
    side = np.where(rng.random(n) < params.long_share, 1, -1).astype(np.int8)
    cross = rng.random(n) < params.cross_share
    wallet = notional / lev * np.where(cross, params.cross_wallet_multiple, 1.0)
    entry = np.full(n, float(start_price_usd))
    # The LP each round computes is the one the position keeps (same inputs, same elementwise
    # formula), so it is stored instead of recomputed for all n at the end.
    liq = np.zeros(n)
    todo: npt.NDArray[np.intp] | None = None  # None: every position (round one, no gathers)
    for _ in range(_SURVIVOR_ROUNDS):
        if params.entry_spread == 0 or (todo is not None and todo.size == 0):
            break
        sel = slice(None) if todo is None else todo
        entry[sel] = start_price_usd * np.exp(params.entry_spread * rng.standard_normal(n if todo is None else todo.size))
        s = side[sel]
        liq[sel] = lp = liquidation_price_usd(tiers, s, notional[sel] / entry[sel], entry[sel], wallet[sel])
        hit = np.flatnonzero(_breached(s, lp, start_price_usd))
        todo = hit if todo is None else todo[hit]
    qty = notional / entry
    pos = Positions(side=side, qty_btc=qty, entry_price_usd=entry, wallet_usd=wallet, leverage=lev, cross=cross,
                    liq_price_usd=liq, bankruptcy_price_usd=np.zeros(n), open_=np.ones(n, dtype=bool))
    if todo is None:  # no redraw rounds: every LP is still to compute
        pos.reprice(tiers)
        return pos
    entry[todo] = start_price_usd
    qty[todo] = notional[todo] / start_price_usd
    pos.reprice(tiers, todo)
    pos.bankruptcy_price_usd[:] = bankruptcy_price_usd(side, qty, entry, wallet)
    return pos
