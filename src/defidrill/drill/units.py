"""Domain units for drill files: ``50m``, ``8%``, ``20M``, ``2 blocks``, ``5%/step``.

Risk people write durations, percentages and dollar sizes the way they say them.
Every parser here is a pure function (``parse_duration("50m") -> 3000.0``) raising
:class:`UnitError` with what was wrong and what is allowed, and every one has a pydantic
annotated type (``Duration``, ``Fraction``...) that turns that error into a pydantic
error carrying ``allowed`` in its context, so the loader can name it next to the
YAML line.

Decisions (documented in docs/drills.md):

* A bare number for a duration is seconds (``90`` = 90 s).
* Percent fields take ``"8%"`` or a plain fraction ``0.08``. A bare number is ALWAYS a
  fraction, never a percent: ``ltv: 70`` is rejected (it would mean 7000%) with a hint
  to write ``70%``. We accept bare fractions because YAML users and Python callers
  naturally pass ``0.08``; we never guess that ``8`` meant ``8%``.
* Dollar amounts and counts take SI-style suffixes ``k`` (1e3), ``M`` (1e6),
  ``B``/``bn`` (1e9), ``T`` (1e12), an optional leading ``$`` and ``_``/``,``
  thousands separators. ``m`` is NOT a million (it is minutes for durations; for money
  it is rejected so that ``20m`` is never silently 20 minutes' worth of dollars).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from defidrill.drill.limits import MAX_DURATION_S, MAX_GAS_LIMIT, MAX_GWEI, MAX_USD

__all__ = [
    "UnitError",
    "parse_duration",
    "parse_fraction",
    "parse_percent",
    "parse_usd",
    "parse_count",
    "parse_gas",
    "parse_blocks",
    "parse_steps",
    "parse_rate_per_step",
    "parse_gwei",
    "Duration",
    "Fraction",
    "SignedFraction",
    "UnitFraction",
    "UsdAmount",
    "Count",
    "Gas",
    "Blocks",
    "Steps",
    "RatePerStep",
    "Gwei",
]


class UnitError(ValueError):
    """A value could not be read in its unit; ``allowed`` says what would have been."""

    def __init__(self, message: str, allowed: str) -> None:
        super().__init__(message)
        self.allowed = allowed


_DURATION_S = {"ms": 0.001, "s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0,
               "m": 60.0, "min": 60.0, "minute": 60.0, "minutes": 60.0,
               "h": 3600.0, "hr": 3600.0, "hour": 3600.0, "hours": 3600.0,
               "d": 86400.0, "day": 86400.0, "days": 86400.0, "w": 7 * 86400.0}
_SI = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9, "T": 1e12}

DURATION_ALLOWED = "a duration like 10s, 50m, 2h, 1h30m, 1d, 500ms, or a number of seconds (>= 0)"
FRACTION_ALLOWED = "a percentage like 8% or 0.5%, or a plain fraction like 0.08"
PERCENT_ALLOWED = "a percentage with its sign, like 1% or 0.5 % (a bare number is refused: 1 could mean 1% or 100%)"
USD_ALLOWED = "a dollar amount like 20M, 500k, 2.5B, $1,000 or a plain number"
COUNT_ALLOWED = "a whole number like 200, 1k or 200k"
GAS_ALLOWED = "a gas amount like 60M, 30_000_000 or 21000"
BLOCKS_ALLOWED = "a block count like '2 blocks', '1 block' or a whole number"
STEPS_ALLOWED = "a step count like '1 step', '3 steps' or a whole number"
RATE_ALLOWED = "a per-step rate like 5%/step, or a plain fraction per step like 0.05"
GWEI_ALLOWED = "a gas price like '2 gwei', '0.5gwei' or a number of gwei"

_NUM = r"[-+]?(?:\d[\d_,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _reject_bool(value: Any, allowed: str) -> None:
    # YAML reads `yes`/`on` as booleans and Python's bool is an int: never a quantity.
    if isinstance(value, bool):
        raise UnitError(f"expected a quantity, got the boolean {value}", allowed)


def _number(text: str, allowed: str) -> float:
    try:
        out = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise UnitError(f"{text!r} is not a number", allowed) from None
    if not math.isfinite(out):
        raise UnitError(f"{text!r} is not a finite number", allowed)
    return out


def _finite(value: int | float, allowed: str) -> float:
    """A YAML number as a finite float: a 400-digit integer is refused, not an OverflowError."""
    try:
        out = float(value)
    except OverflowError:
        raise UnitError("the number is too large", allowed) from None
    if not math.isfinite(out):
        raise UnitError(f"{value!r} is not a finite number", allowed)
    return out


def parse_duration(value: Any) -> float:
    """Return seconds from ``"50m"``/``"2h"``/``"1d"``/``"500ms"`` or a bare number of seconds."""
    _reject_bool(value, DURATION_ALLOWED)
    if isinstance(value, (int, float)):
        seconds = _finite(value, DURATION_ALLOWED)
    elif isinstance(value, str):
        m = re.fullmatch(rf"\s*({_NUM})\s*([a-z]*)\s*", value)
        if m is not None:
            unit = m.group(2) or "s"
            if unit not in _DURATION_S:
                raise UnitError(f"unknown duration unit {unit!r}", DURATION_ALLOWED)
            seconds = _number(m.group(1), DURATION_ALLOWED) * _DURATION_S[unit]
        elif re.fullmatch(r"\s*(?:\d+(?:\.\d+)?\s*[a-z]+\s*){2,}", value):
            # compound: 1h30m, 2h 15m
            seconds = 0.0
            for number, unit in re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]+)", value):
                if unit not in _DURATION_S:
                    raise UnitError(f"unknown duration unit {unit!r}", DURATION_ALLOWED)
                seconds += float(number) * _DURATION_S[unit]
        else:
            raise UnitError(f"cannot read {value!r} as a duration", DURATION_ALLOWED)
    else:
        raise UnitError(f"expected a duration, got {type(value).__name__}", DURATION_ALLOWED)
    if not math.isfinite(seconds) or seconds < 0:
        raise UnitError("a duration cannot be negative", DURATION_ALLOWED)
    if seconds > MAX_DURATION_S:
        raise UnitError(f"{seconds:g} s is longer than the longest duration a drill takes",
                        f"at most {MAX_DURATION_S / 86_400:g} days ({MAX_DURATION_S:g} s)")
    return seconds


def parse_fraction(value: Any) -> float:
    """Return a fraction from ``"8%"`` (0.08) or a bare fraction ``0.08``; may be negative."""
    _reject_bool(value, FRACTION_ALLOWED)
    if isinstance(value, (int, float)):
        out = _finite(value, FRACTION_ALLOWED)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            out = _number(text[:-1].strip(), FRACTION_ALLOWED) / 100.0
        elif re.fullmatch(_NUM, text):
            out = _number(text, FRACTION_ALLOWED)
        else:
            raise UnitError(f"cannot read {value!r} as a percentage", FRACTION_ALLOWED)
    else:
        raise UnitError(f"expected a percentage, got {type(value).__name__}", FRACTION_ALLOWED)
    if not math.isfinite(out):
        raise UnitError("not a finite percentage", FRACTION_ALLOWED)
    return out


def parse_percent(value: Any) -> float:
    """Return a percent number from ``"1.5%"`` (1.5) or ``"0.5 %"``; the sign is required.

    For bounds on ``_pct`` metrics, which are percent numbers (1.5 means 1.5%): a bare number
    would be a fraction everywhere else in a drill file, so it is refused rather than guessed.
    """
    _reject_bool(value, PERCENT_ALLOWED)
    if not isinstance(value, str) or not value.strip().endswith("%"):
        shown = f"the bare number {value!r}" if isinstance(value, (int, float)) else repr(value)
        raise UnitError(f"{shown} is not a percentage", PERCENT_ALLOWED)
    text = value.strip()[:-1].strip()
    if not re.fullmatch(_NUM, text):
        raise UnitError(f"cannot read {value!r} as a percentage", PERCENT_ALLOWED)
    return _number(text, PERCENT_ALLOWED)


def parse_unit_fraction(value: Any) -> float:
    """A fraction in [0, 1]; a bare number above 1 gets a "did you mean N%?" hint."""
    out = parse_fraction(value)
    if out < 0 or out > 1:
        hint = ""
        if not (isinstance(value, str) and value.strip().endswith("%")) and 1 < out <= 100:
            hint = f"; a bare number is a fraction, did you mean {value}%?"
        raise UnitError(f"must be between 0% and 100%{hint}", "0% to 100% (or 0 to 1)")
    return out


def _si_amount(value: Any, what: str, allowed: str) -> float:
    _reject_bool(value, allowed)
    if isinstance(value, (int, float)):
        out = _finite(value, allowed)
    elif isinstance(value, str):
        m = re.fullmatch(rf"\s*\$?\s*({_NUM})\s*([a-zA-Z]*)\s*", value)
        if m is None:
            raise UnitError(f"cannot read {value!r} as {what}", allowed)
        suffix = m.group(2)
        if suffix not in _SI:
            hint = " (m is minutes; write M for millions)" if suffix == "m" else ""
            raise UnitError(f"unknown suffix {suffix!r}{hint}", allowed)
        out = _number(m.group(1), allowed) * _SI[suffix]
    else:
        raise UnitError(f"expected {what}, got {type(value).__name__}", allowed)
    if not math.isfinite(out):
        raise UnitError(f"{what} must be finite", allowed)
    return out


def parse_usd(value: Any) -> float:
    """Return dollars from ``"20M"``, ``"500k"``, ``"2.5B"``, ``"$1,000"`` or a number (|x| <= 10T)."""
    out = _si_amount(value, "a dollar amount", USD_ALLOWED)
    if abs(out) > MAX_USD:
        raise UnitError(f"${out:.4g} is beyond any market defidrill models", f"at most {MAX_USD:.0e} USD (10T)")
    return out


def _whole(value: float, allowed: str) -> int:
    if value != math.floor(value):
        raise UnitError(f"{value} is not a whole number", allowed)
    return int(value)


def parse_count(value: Any) -> int:
    """Return a whole count from ``"200k"`` or ``1000``."""
    return _whole(_si_amount(value, "a count", COUNT_ALLOWED), COUNT_ALLOWED)


def parse_gas(value: Any) -> int:
    """Return gas units from ``"60M"`` or ``30000000`` (at most 2B)."""
    out = _whole(_si_amount(value, "a gas amount", GAS_ALLOWED), GAS_ALLOWED)
    if out > MAX_GAS_LIMIT:
        raise UnitError(f"{out} gas is more than anvil is run with", f"at most {MAX_GAS_LIMIT:,} gas")
    return out


def _counted(value: Any, words: tuple[str, ...], allowed: str) -> int:
    _reject_bool(value, allowed)
    if isinstance(value, int):
        out = value
    elif isinstance(value, float):
        out = _whole(_finite(value, allowed), allowed)
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*([a-z]*)\s*", value)
        if m is None or (m.group(2) and m.group(2) not in words):
            raise UnitError(f"cannot read {value!r}", allowed)
        out = int(m.group(1))
    else:
        raise UnitError(f"expected a count, got {type(value).__name__}", allowed)
    if out < 0:
        raise UnitError("cannot be negative", allowed)
    if out > _MAX_COUNTED:
        raise UnitError(f"{out} is more than any drill runs", f"{allowed}, at most {_MAX_COUNTED:,}")
    return out


_MAX_COUNTED = 1_000_000
"""Blocks or steps of a latency or delay: a drill has at most 50k steps (limits.MAX_STEPS)."""


def parse_blocks(value: Any) -> int:
    """Return a number of blocks from ``"2 blocks"`` or ``2``."""
    return _counted(value, ("block", "blocks"), BLOCKS_ALLOWED)


def parse_steps(value: Any) -> int:
    """Return a number of drill steps from ``"1 step"`` or ``1``."""
    return _counted(value, ("step", "steps"), STEPS_ALLOWED)


def parse_rate_per_step(value: Any) -> float:
    """Return a fraction per step from ``"5%/step"`` or a bare fraction ``0.05``."""
    _reject_bool(value, RATE_ALLOWED)
    if isinstance(value, str) and "/" in value:
        amount, _, per = value.partition("/")
        if per.strip() != "step":
            raise UnitError(f"unknown rate period {per.strip()!r}", RATE_ALLOWED)
        value = amount
    try:
        return parse_fraction(value)
    except UnitError as err:
        raise UnitError(str(err), RATE_ALLOWED) from None


def parse_gwei(value: Any) -> float:
    """Return gwei from ``"2 gwei"`` or a bare number of gwei (>= 0)."""
    _reject_bool(value, GWEI_ALLOWED)
    if isinstance(value, str):
        m = re.fullmatch(rf"\s*({_NUM})\s*(gwei)?\s*", value)
        if m is None:
            raise UnitError(f"cannot read {value!r} as a gas price", GWEI_ALLOWED)
        out = _number(m.group(1), GWEI_ALLOWED)
    elif isinstance(value, (int, float)):
        out = _finite(value, GWEI_ALLOWED)
    else:
        raise UnitError(f"expected a gas price, got {type(value).__name__}", GWEI_ALLOWED)
    if not math.isfinite(out) or out < 0:
        raise UnitError("a gas price cannot be negative", GWEI_ALLOWED)
    if out > MAX_GWEI:
        raise UnitError(f"{out:g} gwei is beyond any gas market", f"at most {MAX_GWEI:g} gwei")
    return out


def _pydantic(parse: Callable[[Any], Any]) -> BeforeValidator:
    """Wrap a parser so its UnitError becomes a pydantic error with ``allowed`` in ctx."""

    def validate(value: Any) -> Any:
        try:
            return parse(value)
        except UnitError as err:
            raise PydanticCustomError("unit", "{reason}", {"reason": str(err), "allowed": err.allowed}) from None

    return BeforeValidator(validate)


Duration = Annotated[float, _pydantic(parse_duration)]
"""Seconds (float, >= 0)."""
SignedFraction = Annotated[float, _pydantic(parse_fraction)]
"""A fraction that may be negative (``-8%`` = -0.08): price changes."""
Fraction = Annotated[float, _pydantic(parse_fraction)]
"""A fraction, from ``8%`` or ``0.08`` (bounds, if any, are set by the field)."""
UnitFraction = Annotated[float, _pydantic(parse_unit_fraction)]
"""A fraction in [0, 1]: shares, LTVs, thresholds."""
UsdAmount = Annotated[float, _pydantic(parse_usd)]
"""US dollars (float)."""
Count = Annotated[int, _pydantic(parse_count)]
Gas = Annotated[int, _pydantic(parse_gas)]
Blocks = Annotated[int, _pydantic(parse_blocks)]
Steps = Annotated[int, _pydantic(parse_steps)]
RatePerStep = Annotated[float, _pydantic(parse_rate_per_step)]
"""A fraction per drill step (``5%/step`` = 0.05)."""
Gwei = Annotated[float, _pydantic(parse_gwei)]
