"""The ``market:`` section: the drill's step grid and each asset's reference price path.

Every path kind is a pure description; :mod:`defidrill.drill.paths` turns it into numbers.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from annotated_types import Ge, Gt, Lt
from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from defidrill.drill.schema.common import PositiveDuration, PositiveUsd, StrictModel
from defidrill.drill.units import Duration, Fraction, SignedFraction, UnitFraction

# A price change of -100% or worse would make the price zero or negative.
PriceChange = Annotated[SignedFraction, Gt(-1.0)]


class ConstantPath(StrictModel):
    """The price stays at ``start`` (the default, e.g. for the base stablecoin)."""

    kind: Literal["constant"] = "constant"


class StepPath(StrictModel):
    """A shock: ``start`` until ``at``, then ``start * (1 + change)`` from ``at`` on."""

    kind: Literal["step"]
    at_s: Duration = Field(alias="at")
    change: PriceChange


class RampPath(StrictModel):
    """Linear move from ``start`` to ``start * (1 + change)`` between ``at`` and ``at + over``."""

    kind: Literal["ramp"]
    at_s: Duration = Field(0.0, alias="at")
    over_s: PositiveDuration = Field(alias="over")
    change: PriceChange


class FlashCrashPath(StrictModel):
    """Drop ``drop`` linearly over ``over`` from ``at``, hold ``hold``, then regain ``recover``
    of the drop linearly over ``recover_over``; flat afterwards.

    Bottom = start * (1 - drop); final = start * (1 - drop * (1 - recover)).
    """

    kind: Literal["flash_crash"]
    at_s: Duration = Field(alias="at")
    drop: Annotated[UnitFraction, Gt(0.0), Lt(1.0)]
    over_s: PositiveDuration = Field(alias="over")
    hold_s: Duration = Field(0.0, alias="hold")
    recover: UnitFraction = 0.0
    recover_over_s: PositiveDuration | None = Field(None, alias="recover_over")

    @property
    def recover_duration_s(self) -> float:
        """``recover_over``, defaulting to the crash's own ``over``."""
        return self.recover_over_s if self.recover_over_s is not None else self.over_s


class GbmJumps(StrictModel):
    """Poisson jumps: ``intensity`` per day; each jump adds N(mean, std) to the log price."""

    intensity_per_day: Annotated[float, Ge(0.0)] = Field(alias="intensity")
    mean: SignedFraction = 0.0
    std: Annotated[Fraction, Ge(0.0)] = 0.0


class GbmPath(StrictModel):
    """Geometric Brownian motion with jumps: dS/S = mu dt + sigma dW + J dN (see paths.py).

    ``mu`` and ``sigma`` are annualised (365-day year): ``sigma: 80%`` is 80% a year.
    The path is drawn from the drill's ``seed``, so it is the same on every run.
    """

    kind: Literal["gbm"]
    mu: SignedFraction = 0.0
    sigma: Annotated[Fraction, Ge(0.0)]
    jumps: GbmJumps | None = None


class ReplayPath(StrictModel):
    """Replay a CSV of timestamps and prices, resampled to the step (last value carried forward).

    ``csv`` is relative to the drill file. ``time_column`` holds ISO-8601 times or unix
    seconds. Each price is multiplied by ``scale`` and, with ``invert``, replaced by
    1/price (e.g. BTC-in-USDC to USDC-in-BTC). ``start_time`` skips rows before it.
    """

    kind: Literal["replay"]
    csv: str
    time_column: str = "time"
    price_column: str = "price"
    scale: Annotated[float, Gt(0.0)] = 1.0
    invert: bool = False
    start_time: str | None = None

    @field_validator("csv")
    @classmethod
    def _csv_exists(cls, value: str, info: ValidationInfo) -> str:
        """Resolve against the drill file's folder (given as validation context) and require the file."""
        base = (info.context or {}).get("base_dir")
        path = Path(value)
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        if not path.is_file():
            raise PydanticCustomError(
                "missing_file",
                "CSV file not found: {resolved}",
                {"resolved": str(path), "allowed": "a CSV path relative to the drill file that exists"},
            )
        return str(path.resolve())

    @model_validator(mode="after")
    def _columns_exist(self) -> "ReplayPath":
        """Read the header now so a misspelt column fails at validation, not mid-run."""
        with open(self.csv, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
        for field in ("time_column", "price_column"):
            column = getattr(self, field)
            if column not in header:
                raise PydanticCustomError(
                    "unknown_column", "no column {column} in {csv}",
                    {"column": repr(column), "csv": self.csv, "field": field, "value": column,
                     "allowed": "a column of the CSV header: " + ", ".join(header)},
                )
        return self


class PricePoint(StrictModel):
    """One documented point of a :class:`PiecewisePath`: the price in USD at ``at``."""

    at_s: Duration = Field(alias="at")
    price_usd: PositiveUsd = Field(alias="price")


class PiecewisePath(StrictModel):
    """Through dated points (``at`` from the drill's start, ``price`` in USD): an incident
    rebuilt from its published highs, lows and times, each point cited in the drill file.

    ``between: linear`` interpolates between neighbouring points; ``stepped`` holds each
    point's price until the next one (a print, a halt, a peg that snaps). Before the first
    point its price holds, after the last point the last price holds. Like ``replay`` the
    path brings its own prices: ``start``, when given, rescales them so the price at t = 0
    equals ``start``. Points must be in strictly increasing time within the drill's
    duration (checked with the other cross-section rules, so the error names the point).
    """

    kind: Literal["piecewise"]
    points: list[PricePoint] = Field(min_length=1)
    between: Literal["linear", "stepped"] = "linear"


PathSpec = Annotated[
    Union[ConstantPath, StepPath, RampPath, FlashCrashPath, GbmPath, ReplayPath, PiecewisePath],
    Field(discriminator="kind"),
]


class AssetMarket(StrictModel):
    """One asset's reference price: its start price in USD and how it moves."""

    start_price_usd: PositiveUsd | None = Field(None, alias="start")
    path: PathSpec = Field(default_factory=ConstantPath)

    @model_validator(mode="after")
    def _start_needed(self) -> "AssetMarket":
        # A replay or piecewise path brings its own prices; every other kind moves relative to `start`.
        if self.start_price_usd is None and not isinstance(self.path, (ReplayPath, PiecewisePath)):
            raise PydanticCustomError(
                "missing_start", "a start price is required for a {kind} path",
                {"kind": self.path.kind, "allowed": "start: a price in USD above 0, e.g. 60000"},
            )
        return self


class MarketConfig(StrictModel):
    """The step grid (``step``, ``duration``) and the assets' reference paths."""

    step_s: PositiveDuration = Field(10.0, alias="step")
    duration_s: PositiveDuration = Field(3600.0, alias="duration")
    assets: dict[str, AssetMarket] = Field(min_length=1)

    @field_validator("assets", mode="before")
    @classmethod
    def _bare_price(cls, value: Any) -> Any:
        # `USDC: 1` is shorthand for `USDC: {start: 1}`.
        if isinstance(value, dict):
            return {k: ({"start": v} if isinstance(v, (int, float, str)) and not isinstance(v, bool) else v)
                    for k, v in value.items()}
        return value

    @property
    def step_count(self) -> int:
        """Number of steps after t=0: the grid is t = 0, step, ..., step_count * step."""
        return int(self.duration_s // self.step_s)
