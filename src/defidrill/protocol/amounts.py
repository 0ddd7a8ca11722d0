"""Conversions between human units (USD, whole tokens) and raw integers on chain.

Decimal arithmetic, rounded half-even at the last raw unit: a float multiplied by
10**18 is not exact, and a unit bug here would show up as a wrong liquidation.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

WAD = 10**18


def to_raw(amount: float | Decimal, decimals: int) -> int:
    """Whole tokens -> raw units."""
    return int((Decimal(str(amount)) * (Decimal(10) ** decimals)).to_integral_value(ROUND_HALF_EVEN))


def from_raw(amount_raw: int, decimals: int) -> float:
    """Raw units -> whole tokens (float, for reports)."""
    return float(Decimal(amount_raw) / (Decimal(10) ** decimals))


def usd_to_raw(usd: float, price_usd: float, decimals: int) -> int:
    """How many raw units of a token worth ``price_usd`` make ``usd``."""
    return to_raw(Decimal(str(usd)) / Decimal(str(price_usd)), decimals)


def price_to_answer(price_usd: float, feed_decimals: int) -> int:
    """A Chainlink answer for a USD price: the price scaled by 10**decimals, rounded half-even."""
    return to_raw(price_usd, feed_decimals)


def wad_to_float(value_wad: int) -> float:
    return float(Decimal(value_wad) / Decimal(WAD))
