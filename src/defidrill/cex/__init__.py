"""The CEX venue model: a BTC perpetual-futures exchange fed by the drill's reference path.

Pure Python + numpy; never imports the chain. Public API:

    Venue(params, start_price_usd, seed).step(t_s, index_price_usd) -> StepResult
    Venue.summary() -> dict
    run_path(params, times_s, prices_usd, seed) -> VenueRun

See docs/cex.md for the model, its formulas, parameters and sources.
"""

from defidrill.cex.book import OrderBook, Walk, walk_profile
from defidrill.cex.params import (
    BookParams,
    FundingParams,
    LiquidationParams,
    MarkParams,
    PopulationParams,
    VenueParams,
)
from defidrill.cex.positions import Positions, draw_population
from defidrill.cex.results import EVENT_KINDS, LEVERAGE_LABELS, StepResult, events_with_kind_names
from defidrill.cex.tiers import BINANCE_BTCUSDT_2021_03, MarginTier, MarginTiers, margin_tiers
from defidrill.cex.venue import Venue, VenueRun, run_path

__all__ = [
    "BINANCE_BTCUSDT_2021_03", "BookParams", "EVENT_KINDS", "FundingParams", "LEVERAGE_LABELS",
    "LiquidationParams", "MarginTier", "MarginTiers", "MarkParams", "OrderBook", "PopulationParams",
    "Positions", "StepResult", "Venue", "VenueParams", "VenueRun", "Walk", "draw_population",
    "events_with_kind_names", "margin_tiers", "run_path", "walk_profile",
]
