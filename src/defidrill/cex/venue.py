"""The venue: one step = advance book -> mark -> funding -> take over -> close -> record.

``Venue(params, start_price_usd, seed)`` draws the population from
``numpy.random.default_rng(seed)``; after that the step loop is deterministic, so the
same (params, path, seed) always gives the same run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from defidrill.cex.book import OrderBook
from defidrill.cex.liquidation import LiquidationEngine
from defidrill.cex.mark import MarkPrice
from defidrill.cex.params import VenueParams
from defidrill.cex.positions import Positions, draw_population
from defidrill.cex.queue import BreachQueue
from defidrill.cex.results import EventLog, StepResult
from defidrill.cex.summary import summarize
from defidrill.cex.tiers import margin_tiers
from defidrill.errors import ConfigError


class Venue:
    """A BTC perpetual-futures venue driven by an exogenous index path."""

    def __init__(self, params: VenueParams, start_price_usd: float, seed: int,
                 positions: Positions | None = None) -> None:
        if not (math.isfinite(start_price_usd) and start_price_usd > 0):
            raise ConfigError("start price must be a positive number", path="cex.start_price_usd",
                              value=start_price_usd)
        self.params = params
        self.start_price_usd = float(start_price_usd)
        self.tiers = margin_tiers(params.margin_tiers)
        rng = np.random.default_rng(seed)
        self.positions = positions if positions is not None else draw_population(
            params.population, self.tiers, self.start_price_usd, rng)
        # the book before any take-over or ADL shrinks it: the base of the normalised figures (summary.py)
        self.open_interest_start_usd = float(self.positions.qty_btc.sum()) * self.start_price_usd
        self.queue = BreachQueue(self.positions)
        self.book = OrderBook(params.book, self.start_price_usd)
        self.mark = MarkPrice(params.mark, params.funding)
        self.events = EventLog()
        self.engine = LiquidationEngine(params.liquidation, params.insurance_fund_usd, self.tiers,
                                        self.positions, self.queue, self.events)
        self.steps: list[StepResult] = []
        self.first_breach_t_s: float | None = None
        self.first_liquidation_t_s: float | None = None
        self.min_traded_price_usd = self.start_price_usd
        self._last_t_s: float | None = None
        self._next_funding_t_s: float | None = None

    def step(self, t_s: float, index_price_usd: float, arb_flow_btc: float = 0.0) -> StepResult:
        """Advance to ``t_s`` with the reference (index) price; returns what happened.

        ``arb_flow_btc``: an arbitrageur's market order from another venue (> 0 buys, < 0 sells),
        traded into the book right after it refills, before the mark is read: the way the
        chain's price reaches this book with ``coupling: two_way``."""
        self._check_input(t_s, index_price_usd)
        n = len(self.steps)
        # 1. book: new index, impact decays, makers react to volatility, depth refills
        self.book.begin_step(t_s, index_price_usd)
        arb = self.book.execute(1 if arb_flow_btc > 0 else -1, abs(arb_flow_btc)) if arb_flow_btc else None
        mid = self.book.mid_price_usd
        # 2. mark (last trade at step start = the mid, see mark.py)
        mark = self.mark.update(t_s, index_price_usd, mid, mid)
        # 3. funding, when due
        self._fund(t_s, mark)
        # 4. take over every position the mark has breached
        breached = self.queue.pop_breached(mark)
        if breached.size and self.first_breach_t_s is None:
            self.first_breach_t_s = t_s
        liq_notional = self.engine.take_over(breached, mark)
        # 5. close chunks: ADL what the fund cannot cover, the rest into the book
        out = self.engine.close(n, t_s, self.book, index_price_usd, mark)
        if out.fill_notional_usd > 0 and self.first_liquidation_t_s is None:
            self.first_liquidation_t_s = t_s
        last = self.book.mid_price_usd
        self.min_traded_price_usd = min(self.min_traded_price_usd, mid, last, out.min_trade_price_usd)
        # 6. record
        result = StepResult(
            step=n, t_s=float(t_s), index_price_usd=float(index_price_usd), mark_price_usd=mark,
            last_price_usd=last, mid_price_usd=last,
            vwap_price_usd=out.book_notional_usd / out.book_qty_btc if out.book_qty_btc > 0 else math.nan,
            volatility=self.book.volatility, book_depth_withdrawn_pct=self.book.depth_withdrawn_pct,
            liquidation_count=int(breached.size), liquidated_notional_usd=liq_notional,
            liquidation_fill_notional_usd=out.fill_notional_usd, insurance_fund_usd=self.engine.fund_usd,
            adl_count=out.adl_count, adl_notional_usd=out.adl_notional_usd, net_flow_btc=out.net_flow_btc,
            arb_flow_btc=(arb.direction * arb.filled_btc if arb is not None else 0.0))
        self.steps.append(result)
        return result

    def summary(self) -> dict[str, Any]:
        """The run's metrics (see summary.py for every definition)."""
        return summarize(self)

    def _check_input(self, t_s: float, index_price_usd: float) -> None:
        if not (math.isfinite(index_price_usd) and index_price_usd > 0):
            raise ConfigError("index price must be a positive number", path="cex.index_price_usd",
                              value=index_price_usd)
        if not math.isfinite(t_s) or (self._last_t_s is not None and t_s <= self._last_t_s):
            raise ConfigError("step times must increase", path="cex.t_s", value=t_s)
        self._last_t_s = t_s

    def _fund(self, t_s: float, mark_usd: float) -> None:
        """Pay funding at each interval boundary crossed: longs pay shorts rate x notional."""
        f = self.params.funding
        if not f.enabled:
            return
        if self._next_funding_t_s is None:
            self._next_funding_t_s = (math.floor(t_s / f.interval_s) + 1) * f.interval_s
            return
        if t_s < self._next_funding_t_s:
            return
        while self._next_funding_t_s <= t_s:
            self._next_funding_t_s += f.interval_s
        pos = self.positions
        live = np.flatnonzero(pos.open_)
        pos.wallet_usd[live] -= pos.side[live] * f.rate_per_interval * pos.qty_btc[live] * mark_usd
        pos.reprice(self.tiers, live)
        self.queue.rebuild()


@dataclass(frozen=True)
class VenueRun:
    """A whole path through the venue."""

    steps: list[StepResult]
    summary: dict[str, Any]
    events: dict[str, npt.NDArray[np.generic]]

    def steps_table(self) -> dict[str, list[float | int]]:
        """Columns for steps.csv (one list per StepResult field)."""
        if not self.steps:
            return {}
        return {k: [getattr(s, k) for s in self.steps] for k in self.steps[0].as_dict()}


def run_path(params: VenueParams, times_s: Sequence[float] | npt.ArrayLike,
             prices_usd: Sequence[float] | npt.ArrayLike, seed: int) -> VenueRun:
    """Run a whole path: the venue starts at the first price and steps through every point."""
    t = np.asarray(times_s, dtype=np.float64)
    p = np.asarray(prices_usd, dtype=np.float64)
    if t.shape != p.shape or t.ndim != 1 or t.size == 0:
        raise ConfigError("times and prices must be non-empty 1-D sequences of equal length",
                          path="cex.path", value=(t.shape, p.shape))
    venue = Venue(params, float(p[0]), seed)
    for ti, pi in zip(t.tolist(), p.tolist()):
        venue.step(ti, pi)
    return VenueRun(venue.steps, venue.summary(), venue.events.arrays())
