"""The ``failures:`` list: timed oracle and market injections, one model per ``kind``.

Every failure starts ``at`` (seconds from the drill start). Those that last take
``for``; ``for`` omitted means "until the end of the drill". What each does to the
feeder's output is documented in :mod:`defidrill.drill.failures`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le
from pydantic import Field, model_validator

from defidrill.drill.schema.common import PositiveDuration, PositiveUsd, PriceUsd, StrictModel
from defidrill.drill.limits import MAX_SHOCK_FACTOR
from defidrill.drill.units import Blocks, Duration, SignedFraction, UnitFraction, UsdAmount


class _Timed(StrictModel):
    at_s: Duration = Field(alias="at")
    for_s: PositiveDuration | None = Field(None, alias="for")

    def end_s(self, drill_duration_s: float) -> float:
        """End of the window (exclusive); the drill's end when ``for`` is omitted."""
        return drill_duration_s if self.for_s is None else self.at_s + self.for_s


class _FeedTimed(_Timed):
    feed: str


class StaleFailure(_FeedTimed):
    """The feeder stops: no rounds, so ``updatedAt`` stops advancing."""

    kind: Literal["stale"]


class FrozenFailure(_FeedTimed):
    """Rounds keep coming (``updatedAt`` fresh) but carry a fixed ``value`` in USD
    (default: the last answer before ``at``): staleness checks do not catch it."""

    kind: Literal["frozen"]
    value_usd: PriceUsd | None = Field(None, alias="value")


class ZeroFailure(_FeedTimed):
    """The feed reports 0 (injected raw; a bounded aggregator would reject it)."""

    kind: Literal["zero"]


class NegativeFailure(_FeedTimed):
    """The feed reports minus the reference price (injected raw)."""

    kind: Literal["negative"]


class ClampFailure(_FeedTimed):
    """The feed's ``minAnswer`` is ``min_answer`` USD (or ``floor`` x the start price):
    transmits below it are rejected on chain, so the feed sticks at its last in-bounds
    answer while the market goes through (LUNA/USD, May 2022)."""

    kind: Literal["clamp"]
    min_answer_usd: PriceUsd | None = Field(None, alias="min_answer")
    floor: Annotated[UnitFraction, Gt(0.0), Le(1.0)] | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> ClampFailure:
        if (self.min_answer_usd is None) == (self.floor is None):
            raise ValueError("give exactly one of min_answer (USD) or floor (fraction of the start price)")
        return self


class DelayFailure(_FeedTimed):
    """Answers land ``blocks`` blocks after they were observed (Maker OSM style)."""

    kind: Literal["delay"]
    blocks: Annotated[Blocks, Ge(1)]


class SpikeFailure(StrictModel):
    """One wrong round at ``at``: the reference times ``factor``, or ``price`` USD."""

    kind: Literal["spike"]
    feed: str
    at_s: Duration = Field(alias="at")
    factor: Annotated[float, Gt(0.0), Le(MAX_SHOCK_FACTOR)] | None = None
    price_usd: PriceUsd | None = Field(None, alias="price")

    @model_validator(mode="after")
    def _one_size(self) -> SpikeFailure:
        if (self.factor is None) == (self.price_usd is None):
            raise ValueError("give exactly one of factor (e.g. 1.3) or price (USD)")
        return self


class WrongDecimalsFailure(_FeedTimed):
    """Answers are scaled as if the feed had ``decimals`` decimals: x 10^(decimals - feed decimals)."""

    kind: Literal["wrong_decimals"]
    decimals: Annotated[int, Ge(0), Le(36)]


class SequencerDownFailure(_Timed):
    """The L2 sequencer is down for ``for`` (default 1h); ``grace`` overrides the
    protocol's ``sequencer_grace`` for this drill's expectations (optional)."""

    kind: Literal["sequencer_down"]
    for_s: PositiveDuration = Field(3600.0, alias="for")
    grace_s: Duration | None = Field(None, alias="grace")


class SpotManipulationFailure(StrictModel):
    """An attacker flash-swaps ``size`` USD into ``pair`` (or until the spot is ``target``
    times the reference), borrows ``borrow`` USD (``max`` = all it can) against the
    inflated price, and leaves, all inside one transaction at ``at``."""

    kind: Literal["spot_manipulation"]
    pair: str
    at_s: Duration = Field(alias="at")
    size_usd: PositiveUsd | None = Field(None, alias="size")
    target_multiplier: Annotated[float, Gt(0.0), Le(MAX_SHOCK_FACTOR)] | None = Field(None, alias="target")
    borrow: Literal["max"] | UsdAmount = "max"

    @model_validator(mode="after")
    def _one_size(self) -> SpotManipulationFailure:
        if (self.size_usd is None) == (self.target_multiplier is None):
            raise ValueError("give exactly one of size (USD swapped) or target (spot / reference multiplier)")
        return self


class FallbackDivergenceFailure(_FeedTimed):
    """The fallback source reports the reference x (1 + ``divergence``) while the primary is right."""

    kind: Literal["fallback_divergence"]
    divergence: Annotated[SignedFraction, Gt(-1.0)]


Failure = Annotated[
    StaleFailure | FrozenFailure | ZeroFailure | NegativeFailure | ClampFailure | DelayFailure | SpikeFailure
    | WrongDecimalsFailure | SequencerDownFailure | SpotManipulationFailure | FallbackDivergenceFailure,
    Field(discriminator="kind"),
]

FAILURE_KINDS = (
    "stale", "frozen", "zero", "negative", "clamp", "delay", "spike", "wrong_decimals",
    "sequencer_down", "spot_manipulation", "fallback_divergence",
)
