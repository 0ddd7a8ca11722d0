"""Each fixed-point operation rounds the way its name says, at the edges, worked out by hand."""

from __future__ import annotations

import pytest

from defidrill.protocol_terms.fixed_point import (
    BPS, WAD, div_up, mul_div_up, mul_wad_down, mul_wad_up, percent_mul_half_up,
)

USDC = 10**6


def test_scales() -> None:
    assert WAD == 1_000_000_000_000_000_000 and BPS == 10_000


@pytest.mark.parametrize(("a", "b", "up"), [(0, 7, 0), (1, 7, 1), (7, 7, 1), (8, 7, 2), (14, 7, 2), (10**30 + 1, 10**30, 2)])
def test_div_up_is_the_ceiling(a: int, b: int, up: int) -> None:
    assert div_up(a, b) == up


def test_mul_div_up_keeps_the_product_whole() -> None:
    # 3 * 5000 / 10000 = 1.5 -> 2; the 50% share of 1 raw unit is a whole unit, not 0
    assert mul_div_up(3, 5_000, BPS) == 2 and mul_div_up(1, 5_000, BPS) == 1 and mul_div_up(4, 5_000, BPS) == 2
    # 2**200 * 3 / 2**199 = 6 exactly: no float, no loss
    assert mul_div_up(2**200, 3, 2**199) == 6


def test_wad_products_round_as_named() -> None:
    # 5 raw x 0.3 = 1.5: down 1, up 2
    third = 3 * 10**17
    assert mul_wad_down(5, third) == 1 and mul_wad_up(5, third) == 2
    # an exact product is the same both ways: 40,000 USDC at an index of 1.25 = 50,000 USDC
    assert mul_wad_down(40_000 * USDC, 125 * 10**16) == mul_wad_up(40_000 * USDC, 125 * 10**16) == 50_000 * USDC
    # a wad factor of 1 (minus one wei) on 1 raw unit: down 0, up 1
    assert mul_wad_down(1, WAD - 1) == 0 and mul_wad_up(1, WAD - 1) == 1


def test_percent_mul_half_up_sends_a_half_up() -> None:
    assert percent_mul_half_up(40_000 * USDC, 5_000) == 20_000 * USDC
    assert percent_mul_half_up(3, 5_000) == 2      # 1.5 -> 2
    assert percent_mul_half_up(1, 5_000) == 1      # 0.5 -> 1
    assert percent_mul_half_up(1, 4_999) == 0      # 0.4999 -> 0
