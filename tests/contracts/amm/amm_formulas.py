"""Uniswap V2 math written out in Python, independent of the contracts under test.

Every expected number in the AMM tests comes from these formulas (or from literals in Uniswap's own
v2-core spec), never from running the contracts first. Integer division everywhere, as on chain.
"""

from __future__ import annotations

from math import isqrt

MINIMUM_LIQUIDITY = 1000
Q112 = 2**112


def amount_out(amount_in_raw: int, reserve_in_raw: int, reserve_out_raw: int) -> int:
    """UniswapV2Library.getAmountOut: 0.3% fee on the input, rounded down."""
    with_fee = amount_in_raw * 997
    return with_fee * reserve_out_raw // (reserve_in_raw * 1000 + with_fee)


def amount_in(amount_out_raw: int, reserve_in_raw: int, reserve_out_raw: int) -> int:
    """UniswapV2Library.getAmountIn: smallest input for an exact output (the +1 rounds up)."""
    return reserve_in_raw * amount_out_raw * 1000 // ((reserve_out_raw - amount_out_raw) * 997) + 1


def quote(amount_a_raw: int, reserve_a_raw: int, reserve_b_raw: int) -> int:
    """UniswapV2Library.quote: same value at the pool price, no fee, rounded down."""
    return amount_a_raw * reserve_b_raw // reserve_a_raw


def flash_repay_same_token(amount_out_raw: int) -> int:
    """Smallest same-token repayment of a flash swap: ceil(amount * 1000 / 997)."""
    return -(-amount_out_raw * 1000 // 997)


def first_mint_shares(amount0_raw: int, amount1_raw: int) -> int:
    """Shares of the first depositor: floor(sqrt(x*y)) - MINIMUM_LIQUIDITY."""
    return isqrt(amount0_raw * amount1_raw) - MINIMUM_LIQUIDITY


def later_mint_shares(amount0_raw: int, amount1_raw: int, reserve0_raw: int, reserve1_raw: int, supply: int) -> int:
    """Shares of a later deposit: the smaller of the two pro-rata amounts, rounded down."""
    return min(amount0_raw * supply // reserve0_raw, amount1_raw * supply // reserve1_raw)


def burn_amounts(shares: int, balance0_raw: int, balance1_raw: int, supply: int) -> tuple[int, int]:
    """Tokens paid for burning `shares`: pro rata of the balances, rounded down."""
    return shares * balance0_raw // supply, shares * balance1_raw // supply


def k_check(balance0_raw: int, balance1_raw: int, in0_raw: int, in1_raw: int, r0_raw: int, r1_raw: int) -> tuple[int, int]:
    """(fee-adjusted balance product, reserve product * 1000**2): the swap passes iff first >= second."""
    return (balance0_raw * 1000 - in0_raw * 3) * (balance1_raw * 1000 - in1_raw * 3), r0_raw * r1_raw * 1000**2


def price_uq112(reserve_num_raw: int, reserve_den_raw: int) -> int:
    """reserve_num / reserve_den as UQ112x112, rounded down (the per-second cumulative increment)."""
    return reserve_num_raw * Q112 // reserve_den_raw


def protocol_fee_shares(supply: int, k_raw: int, k_last_raw: int) -> int:
    """LP shares minted to feeTo: supply*(sqrt(k)-sqrt(kLast)) / (5*sqrt(k)+sqrt(kLast)), 0 if k did not grow."""
    root_k, root_k_last = isqrt(k_raw), isqrt(k_last_raw)
    if root_k <= root_k_last:
        return 0
    return supply * (root_k - root_k_last) // (root_k * 5 + root_k_last)
