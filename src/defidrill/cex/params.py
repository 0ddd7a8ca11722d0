"""Typed parameters of the CEX venue model (frozen dataclasses, validated on construction).

The drill-file schema (pydantic, in the drill layer) is adapted onto these
classes; the field names follow the drill file's ``cex:`` section
(``positions``, ``book``, ``margin_tiers``, ``insurance_fund_usd``) so the
adapter is a rename, not a translation. Every number carries its unit in its
name or in the field docstring; fractions are plain floats (0.05 = 5 %).
Defaults are sourced where a source exists (see docs/cex.md) and marked
"illustrative" where no public number exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from defidrill.cex.tiers import MarginTiers
from defidrill.errors import ConfigError

MarkMode = Literal["index_basis", "last_trade"]


def _require(ok: bool, path: str, message: str, value: object) -> None:
    """Raise a ConfigError naming the parameter path when a check fails."""
    if not ok:
        raise ConfigError(message, path=path, value=value)


def _fraction(value: float, path: str, *, open_low: bool = False, closed_high: bool = True) -> None:
    low_ok = value > 0.0 if open_low else value >= 0.0
    high_ok = value <= 1.0 if closed_high else value < 1.0
    _require(math.isfinite(value) and low_ok and high_ok, path, "must be a fraction in [0, 1]", value)


@dataclass(frozen=True)
class PopulationParams:
    """The leveraged perpetual positions open when the drill starts.

    count: number of positions (one account per position).
    notional_median_usd, notional_sigma: notional at entry ~ lognormal with this
        median (USD) and log-space sigma (drill: ``notional_usd: {lognormal: {median, sigma}}``).
    leverage_choice, leverage_weights: nominal leverage drawn from this discrete
        distribution (weights normalised); capped by the tier's max leverage for the
        position's notional, as the exchange refuses more. Weights are illustrative:
        no exchange publishes its leverage mix.
    long_share: fraction of positions that are long.
    cross_share: fraction of positions in cross margin (the rest isolated).
    cross_wallet_multiple: a cross account's wallet balance as a multiple of the
        position's initial margin (cross accounts hold spare collateral).
    entry_spread: log-space sigma of entry prices around the start price
        (positions opened over the recent past; 2 % ~ one day of BTC moves).
    """

    count: int = 200_000
    notional_median_usd: float = 5_000.0
    notional_sigma: float = 1.5
    leverage_choice: tuple[float, ...] = (2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
    leverage_weights: tuple[float, ...] = (0.10, 0.20, 0.30, 0.20, 0.12, 0.08)
    long_share: float = 0.70
    cross_share: float = 0.0
    cross_wallet_multiple: float = 2.0
    entry_spread: float = 0.02

    def __post_init__(self) -> None:
        p = "cex.positions"
        _require(self.count >= 0, f"{p}.count", "must be >= 0", self.count)
        _require(self.notional_median_usd > 0, f"{p}.notional_usd.lognormal.median", "must be > 0",
                 self.notional_median_usd)
        _require(self.notional_sigma >= 0, f"{p}.notional_usd.lognormal.sigma", "must be >= 0",
                 self.notional_sigma)
        _require(len(self.leverage_choice) > 0 and len(self.leverage_choice) == len(self.leverage_weights),
                 f"{p}.leverage", "choice and weights must be non-empty and the same length",
                 (self.leverage_choice, self.leverage_weights))
        _require(all(1.0 <= x <= 125.0 for x in self.leverage_choice), f"{p}.leverage.choice",
                 "each leverage must be in [1, 125]", self.leverage_choice)
        _require(all(w >= 0 for w in self.leverage_weights) and sum(self.leverage_weights) > 0,
                 f"{p}.leverage.weights", "must be >= 0 with a positive sum", self.leverage_weights)
        _fraction(self.long_share, f"{p}.long_share")
        _fraction(self.cross_share, f"{p}.cross_share")
        _require(self.cross_wallet_multiple >= 1.0, f"{p}.cross_wallet_multiple", "must be >= 1",
                 self.cross_wallet_multiple)
        _require(0 <= self.entry_spread < 0.5, f"{p}.entry_spread", "must be in [0, 0.5)", self.entry_spread)


@dataclass(frozen=True)
class BookParams:
    """The perpetual's order book, symmetric on both sides.

    depth_usd_at_1pct: resting notional (USD) within 1 % of mid on ONE side, at baseline.
    depth_exponent: alpha in D(x) = depth_usd_at_1pct * (x / 1 %)**alpha, the cumulative
        depth within a fractional distance x of mid (1.0 = uniform density).
    max_distance: the book ends this fraction away from mid; an order larger than the
        whole side is filled only in part (the rest waits a step).
    resiliency_per_step: fraction of the endogenous price impact that decays, and of the
        missing depth that refills, each step.
    mm_withdraw_fraction: fraction of depth market makers cancel when volatility is high.
    mm_withdraw_when_volatility_above: volatility threshold (fractional high-low range of
        the mid over ``volatility_window_s``) above which they withdraw.
    mm_return_below_ratio: they come back when volatility falls below this ratio times the
        threshold (hysteresis, so depth does not flicker at the threshold).
    volatility_window_s: rolling window of the volatility measure, in seconds.
    """

    depth_usd_at_1pct: float = 30_000_000.0
    depth_exponent: float = 1.0
    max_distance: float = 0.5
    resiliency_per_step: float = 0.05
    mm_withdraw_fraction: float = 0.40
    mm_withdraw_when_volatility_above: float = 0.015
    mm_return_below_ratio: float = 0.5
    volatility_window_s: float = 600.0

    def __post_init__(self) -> None:
        p = "cex.book"
        _require(self.depth_usd_at_1pct > 0, f"{p}.depth_usd_at_1pct", "must be > 0", self.depth_usd_at_1pct)
        _require(0.2 <= self.depth_exponent <= 5.0, f"{p}.depth_exponent", "must be in [0.2, 5]",
                 self.depth_exponent)
        _require(0.0 < self.max_distance < 1.0, f"{p}.max_distance", "must be in (0, 1)", self.max_distance)
        _fraction(self.resiliency_per_step, f"{p}.resiliency")
        _fraction(self.mm_withdraw_fraction, f"{p}.mm_withdraw.fraction", closed_high=False)
        _require(self.mm_withdraw_when_volatility_above > 0, f"{p}.mm_withdraw.when_volatility_above",
                 "must be > 0", self.mm_withdraw_when_volatility_above)
        _fraction(self.mm_return_below_ratio, f"{p}.mm_withdraw.return_below_ratio")
        _require(self.volatility_window_s > 0, f"{p}.volatility_window_s", "must be > 0",
                 self.volatility_window_s)


@dataclass(frozen=True)
class MarkParams:
    """How the mark price (used for margin and liquidation) is formed.

    mode: ``index_basis`` = Binance-style median(Price 1, Price 2, last price) with
        Price 1 = index * (1 + funding rate * time-to-funding / interval) and
        Price 2 = index + moving average of (mid - index); ``last_trade`` = mark at the
        perp's own last traded price (the naive mark, to show what it does).
    basis_window_s: window of the basis moving average (Binance USDⓈ-M: 5 minutes).
    """

    mode: MarkMode = "index_basis"
    basis_window_s: float = 300.0

    def __post_init__(self) -> None:
        _require(self.mode in ("index_basis", "last_trade"), "cex.mark.mode",
                 "unknown mark mode", self.mode)
        _require(self.basis_window_s > 0, "cex.mark.basis_window_s", "must be > 0", self.basis_window_s)


@dataclass(frozen=True)
class FundingParams:
    """Optional funding: longs pay shorts ``rate_per_interval`` x notional at mark every interval.

    Binance's baseline for BTCUSDT is 0.01 % per 8 h (interest component with zero premium).
    """

    enabled: bool = False
    interval_s: float = 28_800.0
    rate_per_interval: float = 0.0001

    def __post_init__(self) -> None:
        _require(self.interval_s > 0, "cex.funding.interval_s", "must be > 0", self.interval_s)
        _require(abs(self.rate_per_interval) < 0.05, "cex.funding.rate_per_interval",
                 "must be within +-5 %", self.rate_per_interval)


@dataclass(frozen=True)
class LiquidationParams:
    """How the engine closes a position it has taken over.

    chunk_fraction: fraction of a large position's size sent to the book per step
        (Hyperliquid liquidates large positions 20 % at a time).
    chunk_min_notional_usd: positions below this notional at takeover close in one step.
    """

    chunk_fraction: float = 0.2
    chunk_min_notional_usd: float = 100_000.0

    def __post_init__(self) -> None:
        _fraction(self.chunk_fraction, "cex.liquidation.chunk_fraction", open_low=True)
        _require(self.chunk_min_notional_usd >= 0, "cex.liquidation.chunk_min_notional_usd",
                 "must be >= 0", self.chunk_min_notional_usd)


@dataclass(frozen=True)
class VenueParams:
    """Everything the venue needs besides the price path, the start price and the seed."""

    population: PopulationParams = field(default_factory=PopulationParams)
    book: BookParams = field(default_factory=BookParams)
    mark: MarkParams = field(default_factory=MarkParams)
    funding: FundingParams = field(default_factory=FundingParams)
    liquidation: LiquidationParams = field(default_factory=LiquidationParams)
    margin_tiers: str | MarginTiers = "binance-btcusdt-2021-03"  # a named table or an inline one
    insurance_fund_usd: float = 50_000_000.0

    def __post_init__(self) -> None:
        _require(self.insurance_fund_usd >= 0 and math.isfinite(self.insurance_fund_usd),
                 "cex.insurance_fund_usd", "must be a finite amount >= 0", self.insurance_fund_usd)
