"""The ``cex:`` section, read by the CEX venue model (``defidrill.cex``) and validated here.

Only the shape and the ranges are checked here; the venue's formulas live in ``defidrill.cex``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from defidrill.drill.limits import MAX_MARGIN_TIERS, MAX_POSITIONS
from defidrill.drill.schema.common import Distribution, PositiveDuration, StrictModel
from defidrill.drill.units import Count, RatePerStep, UnitFraction, UsdAmount

KNOWN_MARGIN_TIERS = ("binance-btcusdt-2021-03",)
"""Named maintenance-margin tables the CEX model ships (Binance USD-M BTCUSDT brackets
announced 2021-03-18). An inline list ``[{up_to_usd, max_leverage, mmr}]`` works as well
(the venue derives the maintenance amounts the same way)."""


class Leverage(StrictModel):
    """Leverage drawn from ``choice`` with ``weights`` (normalised; equal if omitted)."""

    choice: list[Annotated[float, Ge(1.0), Le(125.0)]] = Field(min_length=1)
    weights: list[Annotated[float, Ge(0.0)]] | None = None

    @model_validator(mode="after")
    def _weights_match(self) -> Leverage:
        if self.weights is not None:
            if len(self.weights) != len(self.choice):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but choice has {len(self.choice)}: "
                    "give one weight per leverage choice"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self


class Positions(StrictModel):
    """The leveraged position population (seeded from the drill's ``seed``)."""

    count: Annotated[Count, Ge(0), Le(MAX_POSITIONS)] = 10_000
    notional_usd: Distribution = Field(
        default_factory=lambda: Distribution(lognormal={"median": 5_000, "sigma": 1.5})
    )
    leverage: Leverage = Field(
        default_factory=lambda: Leverage(choice=[2, 5, 10, 20, 50, 100], weights=[20, 30, 25, 15, 7, 3])
    )
    long_share: UnitFraction = 0.7
    margin: Literal["cross", "isolated"] = "isolated"

    @model_validator(mode="after")
    def _venue_draws(self) -> Positions:
        # The venue draws notionals from a lognormal or gives every position the same one.
        n = self.notional_usd
        if n.uniform is not None or (n.constant is not None and n.constant <= 0):
            raise PydanticCustomError(
                "notional", "position notionals are a lognormal or one number above 0",
                {"field": "notional_usd", "value": n.model_dump(exclude_none=True),
                 "allowed": "{lognormal: {median, sigma}} or a dollar amount above 0"},
            )
        return self


class MmWithdraw(StrictModel):
    """Market makers pull ``fraction`` of depth when realised volatility over ``window``
    exceeds ``when_volatility_above``, and return after ``return_after``."""

    fraction: UnitFraction = 0.0
    when_volatility_above: Annotated[UnitFraction, Gt(0.0)] = 0.015
    window_s: PositiveDuration = Field(300.0, alias="window")
    return_after_s: PositiveDuration = Field(1800.0, alias="return_after")


class Book(StrictModel):
    """Order-book depth per side within 1% of mid, and its refill rate per step."""

    depth_usd_at_1pct: Annotated[UsdAmount, Gt(0.0)] = 30_000_000.0
    resiliency: Annotated[RatePerStep, Ge(0.0), Le(1.0)] = 0.05
    mm_withdraw: MmWithdraw = Field(default_factory=MmWithdraw)


class MarginTier(StrictModel):
    """One bracket: notional up to ``up_to_usd``, ``max_leverage``, maintenance margin rate ``mmr``."""

    up_to_usd: Annotated[UsdAmount, Gt(0.0)]
    max_leverage: Annotated[float, Ge(1.0), Le(125.0)]
    mmr: Annotated[UnitFraction, Gt(0.0), Lt(1.0)]


class Liquidation(StrictModel):
    """How the engine closes a liquidated position: ``chunk`` of it per step."""

    chunk: Annotated[UnitFraction, Gt(0.0)] = 1.0
    clearance_fee: UnitFraction = 0.005


class CexConfig(StrictModel):
    """The perpetual-futures venue fed by the same reference path."""

    enabled: bool = True
    asset: str | None = None
    coupling: Literal["none", "cex_leads"] = "none"
    positions: Positions = Field(default_factory=Positions)
    book: Book = Field(default_factory=Book)
    margin_tiers: str | Annotated[list[MarginTier], Field(max_length=MAX_MARGIN_TIERS)] = "binance-btcusdt-2021-03"
    insurance_fund_usd: Annotated[UsdAmount, Ge(0.0)] = 50_000_000.0
    mark: Literal["index", "last_trade"] = "index"
    liquidation: Liquidation = Field(default_factory=Liquidation)
    funding: bool = False

    @field_validator("margin_tiers")
    @classmethod
    def _known_tiers(cls, value: str | list[MarginTier]) -> str | list[MarginTier]:
        if isinstance(value, str) and value not in KNOWN_MARGIN_TIERS:
            raise ValueError(f"unknown margin table {value!r}; known: {', '.join(KNOWN_MARGIN_TIERS)}")
        if isinstance(value, list):
            if not value:
                raise ValueError("an inline margin table needs at least one tier")
            edges = [t.up_to_usd for t in value]
            if edges != sorted(edges) or len(set(edges)) != len(edges):
                raise ValueError("tiers must be listed by increasing up_to_usd")
            rates = [t.mmr for t in value]
            if rates != sorted(rates):
                # A larger position never needs a smaller maintenance rate (the venue's tier table rule).
                raise ValueError("mmr must not decrease from one tier to the next")
        return value
