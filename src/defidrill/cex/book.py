"""The perpetual's order book: a depth profile around a mid that liquidation flow pushes.

Depth profile (each side, baseline): the cumulative USD resting within a fractional
distance x of mid is

    D(x) = scale x depth_usd_at_1pct x (x / 1 %)**alpha,     0 <= x <= max_distance

measured at the mid price (so the base quantity within x is D(x) / mid). A market order
of q BTC walks the side to the distance x* where D(x*) = q x mid:

    x* = 1 % x (q mid / (scale D1))**(1/alpha)
    last traded price = mid (1 + d x*)            (d = +1 buy, -1 sell)
    VWAP              = mid (1 + d x* alpha / (alpha + 1))

Dynamics (a transient-impact book in the spirit of Obizhaeva-Wang): the walk consumes
the levels it crosses, so the mid moves to the last traded price; the perp mid is
mid = index x exp(g), where the log-impact g accumulates ln(1 + d x*) per walk and
decays by ``resiliency_per_step`` each step as arbitrage pulls the perp back to the
index and makers re-quote. Depth ``scale`` is 1 at baseline; market makers cancel
``mm_withdraw_fraction`` of it at once when the mid's rolling range passes the threshold,
and quote it back (refill at the resiliency rate) once the range falls below the return
level (hysteresis).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from defidrill.cex.params import BookParams
from defidrill.cex.volatility import RollingRange

_ONE_PCT = 0.01


@dataclass(frozen=True)
class Walk:
    """The result of walking one side of the book with a market order."""

    direction: int          # +1 buy (walks asks), -1 sell (walks bids)
    filled_btc: float
    distance: float         # x*, fraction of mid reached
    last_price_usd: float   # price of the last level touched
    vwap_usd: float         # volume-weighted execution price

    @property
    def notional_usd(self) -> float:
        return self.filled_btc * self.vwap_usd


def walk_profile(mid_usd: float, depth_usd_at_1pct: float, alpha: float, max_distance: float,
                 direction: int, qty_btc: float) -> Walk:
    """Walk a D(x) = depth_usd_at_1pct (x/1%)**alpha side with ``qty_btc`` (pure function)."""
    if qty_btc <= 0.0 or depth_usd_at_1pct <= 0.0:
        return Walk(direction, 0.0, 0.0, mid_usd, mid_usd)
    x = _ONE_PCT * (qty_btc * mid_usd / depth_usd_at_1pct) ** (1.0 / alpha)
    filled = qty_btc
    if x > max_distance:
        x = max_distance
        filled = depth_usd_at_1pct * (max_distance / _ONE_PCT) ** alpha / mid_usd
    return Walk(direction, filled, x, mid_usd * (1.0 + direction * x),
                mid_usd * (1.0 + direction * x * alpha / (alpha + 1.0)))


class OrderBook:
    """Book state: log-impact of past flow, depth scale, market makers' withdrawal."""

    def __init__(self, params: BookParams, index_price_usd: float) -> None:
        self.params = params
        self.index_price_usd = index_price_usd
        self.log_impact = 0.0
        self.scale = 1.0
        self.target_scale = 1.0
        self.withdrawn = False
        self.volatility = 0.0
        self._range = RollingRange(params.volatility_window_s)

    @property
    def mid_price_usd(self) -> float:
        return self.index_price_usd * math.exp(self.log_impact)

    @property
    def depth_withdrawn_pct(self) -> float:
        """Depth missing versus baseline, in percent (withdrawn and not yet refilled)."""
        return 100.0 * (1.0 - self.scale)

    def depth_usd_within(self, distance: float) -> float:
        """Current one-side cumulative depth (USD) within ``distance`` of mid."""
        p = self.params
        x = min(distance, p.max_distance)
        return float(self.scale * p.depth_usd_at_1pct * (x / _ONE_PCT) ** p.depth_exponent)

    def begin_step(self, t_s: float, index_price_usd: float) -> None:
        """New index; impact decays; makers decide on the range; depth refills."""
        p = self.params
        self.index_price_usd = index_price_usd
        self.log_impact *= 1.0 - p.resiliency_per_step
        self.volatility = self._range.push(t_s, self.mid_price_usd)
        threshold = p.mm_withdraw_when_volatility_above
        if not self.withdrawn and self.volatility > threshold:
            self.withdrawn = True
            self.target_scale = 1.0 - p.mm_withdraw_fraction
            self.scale = min(self.scale, self.target_scale)  # cancels are immediate
        elif self.withdrawn and self.volatility < threshold * p.mm_return_below_ratio:
            self.withdrawn = False
            self.target_scale = 1.0
        self.scale += p.resiliency_per_step * (self.target_scale - self.scale)

    def quote(self, direction: int, qty_btc: float) -> Walk:
        """What a market order would get now, without trading."""
        p = self.params
        return walk_profile(self.mid_price_usd, self.scale * p.depth_usd_at_1pct, p.depth_exponent,
                            p.max_distance, direction, qty_btc)

    def execute(self, direction: int, qty_btc: float) -> Walk:
        """Trade a market order: the mid moves to the last level touched."""
        walk = self.quote(direction, qty_btc)
        if walk.filled_btc > 0.0:
            self.log_impact += math.log1p(direction * walk.distance)
        return walk
