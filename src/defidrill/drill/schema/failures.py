"""The ``failures:`` list: timed oracle and market injections, one model per ``kind``.

Every failure starts ``at`` (seconds from the drill start). Those that last take
``for``; ``for`` omitted means "until the end of the drill". What each does to the
feeder's output is documented in :mod:`defidrill.drill.failure_schedule`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le
from pydantic import Field, model_validator

from defidrill.drill.schema.common import PositiveDuration, PositiveUsd, PriceUsd, StrictModel
from defidrill.drill.limits import MAX_BASE_FEE_GWEI, MAX_SHOCK_FACTOR
from defidrill.drill.units import Blocks, Duration, Gwei, SignedFraction, UnitFraction, UsdAmount


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


class BaseFeePoint(StrictModel):
    """One point of a congestion's base-fee path: ``gwei`` at ``at`` (from the congestion's start)."""

    at_s: Duration = Field(alias="at")
    base_fee_gwei: Annotated[Gwei, Gt(0.0), Le(MAX_BASE_FEE_GWEI)] = Field(alias="gwei")


class BaseFeePath(StrictModel):
    """A base fee through dated points, linear between them (held before the first and after the last)."""

    points: list[BaseFeePoint] = Field(min_length=1)

    @model_validator(mode="after")
    def _increasing(self) -> BaseFeePath:
        times = [p.at_s for p in self.points]
        if any(b <= a for a, b in zip(times, times[1:])):
            raise ValueError(f"points must be in strictly increasing time (got at = {times} s)")
        return self

    def gwei_at(self, since_start_s: float) -> float:
        pts = self.points
        if since_start_s <= pts[0].at_s:
            return pts[0].base_fee_gwei
        for a, b in zip(pts, pts[1:]):
            if since_start_s <= b.at_s:
                w = (since_start_s - a.at_s) / (b.at_s - a.at_s)
                return a.base_fee_gwei + w * (b.base_fee_gwei - a.base_fee_gwei)
        return pts[-1].base_fee_gwei


def _multiple(value: object) -> object:
    """``"12x"`` -> 12.0 (a bare number is a multiple too); anything else is left to the path model."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text.endswith("x"):
            try:
                return float(text[:-1])
            except ValueError:
                raise ValueError(f"cannot read {value!r} as a multiple (e.g. 12x)") from None
        raise ValueError(f"cannot read {value!r}: give a multiple (e.g. 12x) or a path {{points: [{{at, gwei}}, ...]}}")
    return value


class CongestionFailure(_Timed):
    """Other senders' transactions take ``fill`` of every block (they outbid the drill's own
    transactions), so the drill's transactions share what is left, ordered by tip, and a
    transaction whose fee cap is under the base fee is refused by the node.

    ``base_fee`` omitted: the base fee follows EIP-1559 from the blocks' real gas used (anvil
    computes it: full blocks raise it 12.5% a block). ``base_fee: 12x`` (a multiple of
    ``chain.base_fee``) or ``{points: [{at, gwei}, ...]}``: every block's base fee is set to
    that level (a recorded history, whatever the drill's blocks per step); see docs/failures.md.
    """

    kind: Literal["congestion"]
    fill: UnitFraction = 1.0
    base_fee: Annotated[float, Gt(0.0)] | BaseFeePath | None = None

    @model_validator(mode="before")
    @classmethod
    def _read_multiple(cls, data: object) -> object:
        if isinstance(data, dict) and "base_fee" in data:
            data = {**data, "base_fee": _multiple(data["base_fee"])}
        return data


Failure = Annotated[
    StaleFailure | FrozenFailure | ZeroFailure | NegativeFailure | ClampFailure | DelayFailure | SpikeFailure
    | WrongDecimalsFailure | SequencerDownFailure | SpotManipulationFailure | FallbackDivergenceFailure | CongestionFailure,
    Field(discriminator="kind"),
]

FAILURE_KINDS = (
    "stale", "frozen", "zero", "negative", "clamp", "delay", "spike", "wrong_decimals",
    "sequencer_down", "spot_manipulation", "fallback_divergence", "congestion",
)
