"""Unit parsing: every accepted spelling and every rejection with its message."""

from __future__ import annotations

import pytest

from defidrill.drill.units import (
    UnitError, parse_blocks, parse_count, parse_duration, parse_fraction, parse_gas, parse_gwei,
    parse_rate_per_step, parse_steps, parse_unit_fraction, parse_usd,
)

VALID = [
    (parse_duration, "10s", 10.0), (parse_duration, "50m", 3000.0), (parse_duration, "2h", 7200.0),
    (parse_duration, "1d", 86400.0), (parse_duration, 90, 90.0), (parse_duration, "500ms", 0.5),
    (parse_duration, "1h30m", 5400.0), (parse_duration, "10 minutes", 600.0), (parse_duration, "0", 0.0),
    (parse_fraction, "8%", 0.08), (parse_fraction, "0.5%", 0.005), (parse_fraction, 0.08, 0.08),
    (parse_fraction, "-8%", -0.08), (parse_fraction, "0.08", 0.08),
    (parse_unit_fraction, "70%", 0.70), (parse_unit_fraction, 1, 1.0),
    (parse_usd, "20M", 20e6), (parse_usd, "500k", 500e3), (parse_usd, "2.5B", 2.5e9), (parse_usd, 1234.5, 1234.5),
    (parse_usd, "$1,000", 1000.0), (parse_usd, "3bn", 3e9),
    (parse_count, "200k", 200_000), (parse_count, 1000, 1000),
    (parse_gas, "60M", 60_000_000), (parse_gas, "30_000_000", 30_000_000),
    (parse_blocks, "2 blocks", 2), (parse_blocks, "1 block", 1), (parse_blocks, 0, 0),
    (parse_steps, "1 step", 1), (parse_steps, "3 steps", 3),
    (parse_rate_per_step, "5%/step", 0.05), (parse_rate_per_step, 0.05, 0.05),
    (parse_gwei, "2 gwei", 2.0), (parse_gwei, "0.5gwei", 0.5), (parse_gwei, 3, 3.0),
]


@pytest.mark.parametrize(("parse", "text", "expected"), VALID)
def test_valid_units(parse, text, expected) -> None:
    assert parse(text) == pytest.approx(expected, rel=1e-12)


INVALID = [
    (parse_duration, "-5s", "negative", "10s, 50m"),
    (parse_duration, "10 parsecs", "unknown duration unit 'parsecs'", "10s, 50m"),
    (parse_duration, True, "boolean", "10s, 50m"),
    (parse_duration, [1], "expected a duration", "10s, 50m"),
    (parse_fraction, "eight%", "not a number", "8%"),
    (parse_fraction, "8 percent", "cannot read", "8%"),
    (parse_unit_fraction, 70, "did you mean 70%?", "0% to 100%"),
    (parse_unit_fraction, "120%", "between 0% and 100%", "0% to 100%"),
    (parse_usd, "20m", "m is minutes", "20M, 500k"),
    (parse_usd, "20 dollars", "unknown suffix", "20M, 500k"),
    (parse_count, "1.5", "not a whole number", "200k"),
    (parse_gas, "abc", "cannot read", "60M"),
    (parse_blocks, "2 steps", "cannot read", "2 blocks"),
    (parse_blocks, -1, "negative", "2 blocks"),
    (parse_steps, "2 blocks", "cannot read", "1 step"),
    (parse_rate_per_step, "5%/hour", "unknown rate period 'hour'", "5%/step"),
    (parse_gwei, "-1", "negative", "gwei"),
    (parse_gwei, "2 wei", "cannot read", "gwei"),
]


@pytest.mark.parametrize(("parse", "text", "message", "allowed"), INVALID)
def test_invalid_units_say_what_is_allowed(parse, text, message, allowed) -> None:
    with pytest.raises(UnitError) as err:
        parse(text)
    assert message in str(err.value)
    assert allowed in err.value.allowed
