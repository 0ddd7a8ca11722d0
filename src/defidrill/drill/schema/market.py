"""The ``market:`` section: the drill's step grid and each asset's reference price path.

Every path kind is a pure description; :mod:`defidrill.drill.paths` turns it into numbers.
"""

from __future__ import annotations

from datetime import datetime, UTC
from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from defidrill.drill.limits import (
    MAX_ASSETS, MAX_GBM_RATE, MAX_JUMP_LOG, MAX_JUMPS_PER_DAY, MAX_STEPS, MIN_STEP_S,
)
from defidrill.drill.replay_csv import TIME_ALLOWED, ReplayCsvError, ReplaySeries, parse_time, read_replay_series
from defidrill.drill.schema.common import PositiveDuration, PriceUsd, StrictModel
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

    intensity_per_day: Annotated[float, Ge(0.0), Le(MAX_JUMPS_PER_DAY)] = Field(alias="intensity")
    mean: Annotated[SignedFraction, Ge(-MAX_JUMP_LOG), Le(MAX_JUMP_LOG)] = 0.0
    std: Annotated[Fraction, Ge(0.0), Le(MAX_JUMP_LOG)] = 0.0


class GbmPath(StrictModel):
    """Geometric Brownian motion with jumps: dS/S = mu dt + sigma dW + J dN (see paths.py).

    ``mu`` and ``sigma`` are annualised (365-day year): ``sigma: 80%`` is 80% a year.
    The path is drawn from the drill's ``seed``, so it is the same on every run.
    """

    kind: Literal["gbm"]
    mu: Annotated[SignedFraction, Ge(-MAX_GBM_RATE), Le(MAX_GBM_RATE)] = 0.0
    sigma: Annotated[Fraction, Ge(0.0), Le(MAX_GBM_RATE)]
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
    scale: Annotated[float, Gt(0.0), Le(1e12)] = 1.0
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
        try:
            found = path.exists()  # a FIFO, a device or a folder is refused by the CSV's reader, by name
        except (OSError, ValueError):  # a name too long, a NUL byte
            found = False
        if not found:
            raise PydanticCustomError(
                "missing_file",
                "CSV file not found: {resolved}",
                {"resolved": str(path), "allowed": "a CSV path relative to the drill file that exists"},
            )
        return str(path.resolve())

    _series: ReplaySeries | None = PrivateAttr(None)

    @property
    def series(self) -> ReplaySeries:
        """The CSV's rows, read once at validation (see :mod:`defidrill.drill.replay_csv`)."""
        if self._series is None:  # built with model_construct: read now
            self._series = read_replay_series(Path(self.csv), self.time_column, self.price_column)
        return self._series

    @field_validator("start_time", mode="before")
    @classmethod
    def _unix_seconds_as_text(cls, value: Any) -> Any:
        # `start_time: 1678406400` is unix seconds, as in the CSV's time column.
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _read_rows(self) -> ReplayPath:
        """Read every row now, so a bad row or column fails at validation, not mid-run."""
        try:
            series = read_replay_series(Path(self.csv), self.time_column, self.price_column)
        except ReplayCsvError as err:
            field = "price_column" if err.value == self.price_column else (
                "time_column" if err.value == self.time_column else "csv")
            raise PydanticCustomError(
                "replay_csv", "{csv}: {reason}",
                {"csv": self.csv, "reason": str(err), "field": field,
                 "value": err.value if isinstance(err.value, (str, int, float)) else None, "allowed": err.allowed},
            ) from None
        if self.start_time is not None:
            try:
                t0 = parse_time(self.start_time)
            except ValueError:
                raise PydanticCustomError(
                    "start_time", "cannot read start_time",
                    {"field": "start_time", "value": self.start_time, "allowed": TIME_ALLOWED},
                ) from None
            first, last = float(series.times_s[0]), float(series.times_s[-1])
            if not first <= t0 <= last:
                raise PydanticCustomError(
                    "start_time", "start_time is outside the CSV's rows",
                    {"field": "start_time", "value": self.start_time,
                     "allowed": f"a time from the first row ({_iso(first)}) to the last ({_iso(last)})"},
                )
        self._series = series
        return self


def _iso(t_s: float) -> str:
    return datetime.fromtimestamp(t_s, tz=UTC).isoformat().replace("+00:00", "Z")


class PricePoint(StrictModel):
    """One documented point of a :class:`PiecewisePath`: the price in USD at ``at``."""

    at_s: Duration = Field(alias="at")
    price_usd: PriceUsd = Field(alias="price")


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
    ConstantPath | StepPath | RampPath | FlashCrashPath | GbmPath | ReplayPath | PiecewisePath,
    Field(discriminator="kind"),
]


class AssetMarket(StrictModel):
    """One asset's reference price: its start price in USD and how it moves."""

    start_price_usd: PriceUsd | None = Field(None, alias="start")
    path: PathSpec = Field(default_factory=ConstantPath)

    @model_validator(mode="after")
    def _start_needed(self) -> AssetMarket:
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
    assets: dict[str, AssetMarket] = Field(min_length=1, max_length=MAX_ASSETS)

    @field_validator("assets", mode="before")
    @classmethod
    def _bare_price(cls, value: Any) -> Any:
        # `USDC: 1` is shorthand for `USDC: {start: 1}`.
        if isinstance(value, dict):
            return {k: ({"start": v} if isinstance(v, (int, float, str)) and not isinstance(v, bool) else v)
                    for k, v in value.items()}
        return value

    @field_validator("step_s")
    @classmethod
    def _whole_blocks(cls, value: float) -> float:
        if value < MIN_STEP_S:
            raise PydanticCustomError(
                "step_too_short", "a step shorter than {min} s: each step mines two blocks (at t and t + 1 s) "
                "and block times are whole seconds",
                {"min": f"{MIN_STEP_S:g}", "value": f"{value:g} s", "allowed": f"a step of at least {MIN_STEP_S:g}s"},
            )
        return value

    @model_validator(mode="after")
    def _bounded_grid(self) -> MarketConfig:
        # The chain mines two blocks per step: a grid past MAX_STEPS is hours of anvil and GiBs of state.
        if self.duration_s / self.step_s > MAX_STEPS:
            raise PydanticCustomError(
                "too_many_steps", "{steps} steps (duration / step) is more than a drill runs",
                {"steps": f"{self.duration_s / self.step_s:,.0f}", "field": "duration",
                 "value": f"{self.duration_s:g} s at a {self.step_s:g} s step",
                 "allowed": f"at most {MAX_STEPS:,} steps: a longer step or a shorter duration"},
            )
        return self

    @property
    def step_count(self) -> int:
        """Number of steps after t=0: the grid is t = 0, step, ..., step_count * step."""
        return int(self.duration_s // self.step_s)
