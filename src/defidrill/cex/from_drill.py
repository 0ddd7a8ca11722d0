"""The drill file's `cex:` section -> the venue's parameter dataclasses.

The drill schema (``defidrill.drill.schema.cex``) checks shapes and ranges; this
adapter maps names and units. Values the drill file does not expose keep the venue's
documented defaults (docs/cex.md).
"""

from __future__ import annotations

from dataclasses import replace

from defidrill.cex.params import LiquidationParams, MarkParams, VenueParams
from defidrill.cex.tiers import MarginTier, MarginTiers
from defidrill.drill.schema import Drill
from defidrill.errors import ConfigError


def venue_params(drill: Drill) -> VenueParams:
    cex = drill.cex
    pos = cex.positions
    defaults = VenueParams()
    if pos.notional_usd.lognormal is not None:
        median, sigma = float(pos.notional_usd.lognormal.median), float(pos.notional_usd.lognormal.sigma)
    elif pos.notional_usd.constant is not None:
        median, sigma = float(pos.notional_usd.constant), 0.0
    else:
        raise ConfigError("the CEX venue draws notionals from a lognormal or a constant", path="cex.positions.notional_usd",
                          value=pos.notional_usd.model_dump(exclude_none=True),
                          allowed="{lognormal: {median, sigma}} or a number")
    weights = tuple(float(w) for w in (pos.leverage.weights or [1.0] * len(pos.leverage.choice)))
    total = sum(weights)
    population = replace(
        defaults.population,
        count=int(pos.count), notional_median_usd=median, notional_sigma=sigma,
        leverage_choice=tuple(float(c) for c in pos.leverage.choice),
        leverage_weights=tuple(w / total for w in weights),
        long_share=float(pos.long_share),
        cross_share=1.0 if pos.margin == "cross" else 0.0,
    )
    book = replace(
        defaults.book,
        depth_usd_at_1pct=float(cex.book.depth_usd_at_1pct),
        resiliency_per_step=float(cex.book.resiliency),
        mm_withdraw_fraction=float(cex.book.mm_withdraw.fraction),
        mm_withdraw_when_volatility_above=float(cex.book.mm_withdraw.when_volatility_above),
        volatility_window_s=float(cex.book.mm_withdraw.window_s),
    )
    tiers: str | MarginTiers = cex.margin_tiers if isinstance(cex.margin_tiers, str) else MarginTiers(
        name="inline", source="the drill file's cex.margin_tiers",
        tiers=tuple(MarginTier(float(t.up_to_usd), float(t.max_leverage), float(t.mmr)) for t in cex.margin_tiers))
    return VenueParams(
        population=population,
        book=book,
        mark=MarkParams(mode="last_trade" if cex.mark == "last_trade" else "index_basis",
                        basis_window_s=defaults.mark.basis_window_s),
        funding=replace(defaults.funding, enabled=bool(cex.funding)),
        liquidation=LiquidationParams(chunk_fraction=float(cex.liquidation.chunk),
                                      chunk_min_notional_usd=defaults.liquidation.chunk_min_notional_usd),
        margin_tiers=tiers,
        insurance_fund_usd=float(cex.insurance_fund_usd),
    )
