"""Mark price: what margin and liquidation are measured against.

``index_basis`` (Binance USDⓈ-M perpetuals, FAQ "Mark Price in Perpetual Futures"):

    mark    = median(Price 1, Price 2, last price)
    Price 1 = index x (1 + last funding rate x time until funding / funding interval)
    Price 2 = index + moving average over ``basis_window_s`` of (mid - index)

Binance samples the basis every 5 s from best bid/ask; we sample once per step from the
book's mid. Because the basis is averaged, a liquidation walk that drops the mid moves
Price 2 only by its share of the window, and the median ignores the one outlying
component: the mark damps last-trade spikes, which is the point.

``last_trade``: mark = the perp's last traded price. Between liquidation walks,
ordinary flow trades at the mid, so at the start of a step the last price is the mid.
"""

from __future__ import annotations

from collections import deque

from defidrill.cex.params import FundingParams, MarkParams


class MarkPrice:
    """Keeps the basis moving average and forms the mark each step."""

    def __init__(self, params: MarkParams, funding: FundingParams) -> None:
        self.params = params
        self.funding = funding
        self._samples: deque[tuple[float, float]] = deque()
        self._sum_usd = 0.0

    def _basis_ma_usd(self, t_s: float, basis_usd: float) -> float:
        self._samples.append((t_s, basis_usd))
        self._sum_usd += basis_usd
        horizon = t_s - self.params.basis_window_s
        while self._samples[0][0] <= horizon:
            self._sum_usd -= self._samples.popleft()[1]
        return self._sum_usd / len(self._samples)

    def update(self, t_s: float, index_usd: float, mid_usd: float, last_usd: float) -> float:
        """Sample the basis at ``t_s`` and return the mark (USD)."""
        ma = self._basis_ma_usd(t_s, mid_usd - index_usd)
        if self.params.mode == "last_trade":
            return last_usd
        f = self.funding
        if f.enabled:
            until = f.interval_s - (t_s % f.interval_s)
            price1 = index_usd * (1.0 + f.rate_per_interval * until / f.interval_s)
        else:
            price1 = index_usd
        price2 = index_usd + ma
        return sorted((price1, price2, last_usd))[1]
