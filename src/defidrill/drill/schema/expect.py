"""The ``expect:`` section: what the drill says its run must show, checked after every run.

A mapping from a headline metric's dotted name (``onchain.bad_debt_usd``; the names
``defidrill.metrics.headline.headline_names`` lists) to bounds in the metric's own unit, with
an optional reason::

    expect:
      onchain.bad_debt_share_of_debt_pct: {max: 1%}
      onchain.first_liquidation_delay_s: {max: 3 blocks, why: "keepers back-run the round"}
      cex.liquidated_notional_usd: {min: 1.1B, max: 2.6B}

The unit of a bound follows the metric name's suffix (for ``comparison.<metric>.<side>`` the
metric's): ``_pct`` takes ``1%`` or ``0.5 %`` (a bare number is refused: the metric is a percent
number, while a bare number is a fraction elsewhere in a drill file); ``_s`` a duration (``30s``,
``10m``, a number of seconds) or ``N blocks`` (times ``chain.block_time``); ``_usd`` an amount
(``20k``, ``1.1B``); ``_count`` a count (``200``, ``1k``); anything else a plain number.

A name may also be written nested (``onchain: {bad_debt_usd: {max: 1M}}``), which is what
``--set expect.onchain.bad_debt_usd.max=1M`` makes: both spellings are read as one flat name
(``--set expect.onchain.bad_debt_usd=null`` takes the expectation out).

The schema keeps the bounds as written; the one preflight (:mod:`defidrill.preflight`) checks
the names against the headline (it knows them; this pure layer does not) and reads the bounds
with :func:`resolve_expectations`, which the metrics use again to evaluate a run folder.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from defidrill.drill.schema.checks import Problem
from defidrill.drill.schema.common import StrictModel
from defidrill.drill.units import (
    COUNT_ALLOWED, PERCENT_ALLOWED, USD_ALLOWED, UnitError, parse_blocks,
    parse_count, parse_duration, parse_percent, parse_usd,
)

__all__ = ["BOUND_KEYS", "MAX_EXPECTATIONS", "ExpectBounds", "ExpectationSpec", "Unit", "bound_allowed",
           "flatten_expect", "parse_bound", "resolve_expectations", "unit_of"]

BOUND_KEYS = ("min", "max", "why", "allow_null")
MAX_EXPECTATIONS = 200
_SECTIONS_WITH_SIDES = ("comparison",)  # comparison.<metric>.<onchain|cex>: three parts, not two

Unit = Literal["%", "s", "USD", "count", ""]
"""A metric's unit, spelled as ``defidrill.report.format.fmt`` takes it."""

NUMBER_ALLOWED = "a plain number like 3 or 0.5"
SECONDS_ALLOWED = "a duration like 30s, 10m, 1h or a number of seconds (>= 0), or N blocks like '3 blocks' (x chain.block_time)"


def unit_of(metric: str) -> Unit:
    """The unit a metric's bounds are written in, from its name's suffix."""
    parts = metric.split(".")
    field = parts[1] if parts[0] in _SECTIONS_WITH_SIDES and len(parts) == 3 else parts[-1]
    for suffix, unit in (("_pct", "%"), ("_s", "s"), ("_usd", "USD"), ("_count", "count")):
        if field.endswith(suffix):
            return unit  # type: ignore[return-value]  # the literal of the loop's table
    return ""


def bound_allowed(metric: str) -> str:
    """What a bound of ``metric`` may be written as (for error messages)."""
    return {"%": PERCENT_ALLOWED, "s": SECONDS_ALLOWED, "USD": USD_ALLOWED, "count": COUNT_ALLOWED,
            "": NUMBER_ALLOWED}[unit_of(metric)]


def parse_bound(metric: str, value: Any, block_time_s: float) -> float:
    """A bound of ``metric`` in the metric's own unit (percent number, seconds, USD, count); UnitError."""
    unit = unit_of(metric)
    if unit == "%":
        return parse_percent(value)
    if unit == "s":
        if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*blocks?\s*", value):
            return parse_blocks(value) * block_time_s
        try:
            return parse_duration(value)
        except UnitError as err:
            raise UnitError(str(err), SECONDS_ALLOWED) from None
    if unit == "USD":
        return parse_usd(value)
    if unit == "count":
        return float(parse_count(value))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UnitError(f"{value!r} is not a plain number", NUMBER_ALLOWED)
    try:
        out = float(value)
    except OverflowError:
        raise UnitError("the number is too large", NUMBER_ALLOWED) from None
    if not math.isfinite(out):
        raise UnitError(f"{value!r} is not a finite number", NUMBER_ALLOWED)
    return out


def flatten_expect(raw: Any) -> Any:
    """``expect:`` as {flat name: bounds}: nested sections joined with dots, repeated names merged.

    A name is complete at two parts (``onchain.x``, ``cex.x``) or three (``comparison.m.side``);
    a mapping above that depth is a section. A name met twice (the file's ``onchain.x`` and an
    override's ``onchain: {x: ...}``) keeps the fields of both, the later winning; a name set to
    null is taken out (``--set expect.onchain.x=null``).
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        return raw  # pydantic says "a mapping"
    out: dict[str, Any] = {}

    def walk(parts: tuple[str, ...], value: Any) -> None:
        name = ".".join(parts)
        depth = 3 if parts[0] in _SECTIONS_WITH_SIDES else 2
        if len(name.split(".")) < depth and isinstance(value, Mapping) and not set(value) & set(BOUND_KEYS):
            for key, child in value.items():
                walk((*parts, str(key)), child)
            return
        if value is None:  # `--set expect.onchain.x=null` takes an expectation out
            out.pop(name, None)
        elif isinstance(out.get(name), dict) and isinstance(value, Mapping):
            out[name] = {**out[name], **value}
        else:
            out[name] = dict(value) if isinstance(value, Mapping) else value

    for key, value in raw.items():
        walk((str(key),), value)
    return out


class ExpectBounds(StrictModel):
    """One expectation as written: ``min`` and/or ``max`` (read in the metric's unit by the preflight),
    ``why``, and ``allow_null``: whether a run in which the metric is null (it did not happen: no
    liquidation, no breach) meets it. By default it does not: an expectation about liquidations is
    not met by a run without any."""

    min_bound: Any = Field(None, alias="min")
    max_bound: Any = Field(None, alias="max")
    why: Annotated[str, Field(max_length=1_000)] | None = None
    allow_null: bool = False

    @model_validator(mode="after")
    def _a_bound(self) -> ExpectBounds:
        if self.min_bound is None and self.max_bound is None:
            raise ValueError("an expectation needs min, max or both")
        return self


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation, read: bounds in the metric's own unit (percent numbers, seconds, USD)."""

    metric: str
    unit: Unit
    min: float | None
    max: float | None
    why: str | None = None
    allow_null: bool = False

    def holds(self, value: float | None) -> bool:
        """min <= value <= max (an absent bound is no bound); a null value holds only with allow_null."""
        if value is None:
            return self.allow_null
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


def resolve_expectations(expect: Mapping[str, ExpectBounds],
                         block_time_s: float) -> tuple[list[ExpectationSpec], list[Problem]]:
    """Every expectation read in its metric's unit, and a Problem for each bound that cannot be."""
    specs: list[ExpectationSpec] = []
    problems: list[Problem] = []
    for metric, bounds in expect.items():
        read: dict[str, float | None] = {}
        for key, raw in (("min", bounds.min_bound), ("max", bounds.max_bound)):
            read[key] = None
            if raw is None:
                continue
            try:
                read[key] = parse_bound(metric, raw, block_time_s)
            except UnitError as err:
                problems.append(Problem(("expect", metric, key), f"not a bound of {metric}: {err}", raw,
                                        f"{err.allowed} (the unit follows the metric's name)"))
        low, high = read["min"], read["max"]
        if low is not None and high is not None and low > high:
            problems.append(Problem(("expect", metric, "min"), f"min is above max ({high:g})", bounds.min_bound,
                                    "min <= max"))
            continue
        if not any(p.loc[:2] == ("expect", metric) for p in problems):
            specs.append(ExpectationSpec(metric, unit_of(metric), low, high, bounds.why, bounds.allow_null))
    return specs, problems
