"""Fixed-point integers as the contracts keep them, each operation's rounding in its name.

On chain every fraction is an integer over a named scale: wad (1e18) for USD prices, health
factors and rates; basis points (1e4) for shares and bonuses. Which way a division rounds is a
choice the protocol makes against the user, so no name hides it, as in solmate's
``mulWadDown``/``mulWadUp``: ``_down`` floors, ``_up`` ceils, ``_half_up`` sends a tie up (Aave's
``PercentageMath``). Operands are non-negative integers (amounts, prices and indices all are).
"""

from __future__ import annotations

#: 1.0 in wad: the scale of USD prices, health factors, indices and rates.
WAD = 10**18
#: 100% in basis points: the scale of LTVs, thresholds, bonuses and close factors.
BPS = 10_000
HALF_BPS = BPS // 2


def div_up(a: int, b: int) -> int:
    """``ceil(a / b)``."""
    return -(-a // b)


def mul_div_down(a: int, b: int, denominator: int) -> int:
    """``floor(a * b / denominator)``, the product kept whole (Morpho's ``mulDivDown``)."""
    return a * b // denominator


def mul_div_up(a: int, b: int, denominator: int) -> int:
    """``ceil(a * b / denominator)``, the product kept whole."""
    return div_up(a * b, denominator)


def mul_wad_down(a: int, b_wad: int) -> int:
    """``floor(a * b / 1e18)``: ``a`` scaled by a wad factor, rounded down."""
    return a * b_wad // WAD


def mul_wad_up(a: int, b_wad: int) -> int:
    """``ceil(a * b / 1e18)``: ``a`` scaled by a wad factor, rounded up."""
    return div_up(a * b_wad, WAD)


def percent_mul_half_up(value: int, bps: int) -> int:
    """Aave ``PercentageMath.percentMul``: ``value * bps / 1e4``, a half going up."""
    return (value * bps + HALF_BPS) // BPS
