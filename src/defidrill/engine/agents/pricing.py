"""Uniswap V2 arithmetic agents plan with (the contracts do the same math on chain)."""

from __future__ import annotations

import math

from defidrill.drill.actions import SpotManipulation
from defidrill.protocol_terms.amounts import usd_to_raw_half_even

FEE_NUMERATOR = 997
FEE_DENOMINATOR = 1000


def amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    """UniswapV2Library.getAmountOut: the 0.3% fee taken from the input."""
    if amount_in <= 0 or reserve_in <= 0 or reserve_out <= 0:
        return 0
    fee_in = amount_in * FEE_NUMERATOR
    return fee_in * reserve_out // (reserve_in * FEE_DENOMINATOR + fee_in)


def input_to_reach_price(reserve_in: int, reserve_out: int, target_out_per_in: float) -> int:
    """How much to sell of the input token so that the pool's price of it (out per in) falls to the target.

    Constant product without the fee gives the new input reserve sqrt(k / target); the fee
    is charged on the input, so divide the move by 0.997. 0 when already at or below.
    """
    if target_out_per_in <= 0 or reserve_in <= 0 or reserve_out <= 0:
        return 0
    k = float(reserve_in) * float(reserve_out)
    new_reserve_in = math.sqrt(k / target_out_per_in)
    move = new_reserve_in - reserve_in
    return int(move * FEE_DENOMINATOR / FEE_NUMERATOR) if move > 0 else 0


def spot_price_usd(asset_raw: int, base_raw: int, asset_decimals: int, base_decimals: int, base_usd: float) -> float:
    """The pair's spot price of one whole asset token in USD (base valued at ``base_usd``)."""
    if asset_raw == 0:
        return 0.0
    return float((base_raw / 10**base_decimals) / (asset_raw / 10**asset_decimals) * base_usd)


def pair_asset(pair_name: str, base_symbol: str) -> str:
    a, b = pair_name.split("/")
    return a if b == base_symbol else b


def base_in_for(action: SpotManipulation, base_reserve_raw: int, base_usd: float, base_decimals: int) -> int:
    if action.size_usd is not None:
        return usd_to_raw_half_even(action.size_usd, base_usd, base_decimals)
    m = action.target_multiplier or 1.0
    return int(base_reserve_raw * (math.sqrt(m) - 1.0) * 1000 / 997)
