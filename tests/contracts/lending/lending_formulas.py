"""The lending pool's formulas written independently in Python integers (docs/lending.md).

Tests compute every expected number with these functions (or by hand in the test), never by
reading the contract's answer first. Units: `_raw` token units, `_wad` 1e18 fixed point,
`_bps` 1e4 = 100%, `_usd_wad` USD scaled 1e18.
"""

from __future__ import annotations

from dataclasses import dataclass

WAD = 10**18
BPS = 10_000
SECONDS_PER_YEAR = 365 * 24 * 3600
MAX_UINT = 2**256 - 1


def ceil_div(x: int, y: int) -> int:
    return -((-x) // y)


def percent_mul_half_up(x: int, bps: int) -> int:
    """Aave V3 PercentageMath.percentMul: nearest, ties up."""
    return (x * bps + BPS // 2) // BPS


@dataclass(frozen=True)
class Collateral:
    balance_raw: int
    price_usd_wad: int
    decimals: int
    ltv_bps: int
    threshold_bps: int


@dataclass(frozen=True)
class Values:
    collateral_usd_wad: int
    liquidation_usd_wad: int
    borrow_limit_usd_wad: int
    debt_usd_wad: int
    health_factor_wad: int


def account_values(collaterals: list[Collateral], debt_base: int, base_price_usd_wad: int, base_decimals: int) -> Values:
    """Collateral rounded down per asset, debt rounded up, HF floored (protocol's favour)."""
    coll = liq = limit = 0
    for c in collaterals:
        value = c.balance_raw * c.price_usd_wad // 10**c.decimals
        coll += value
        liq += value * c.threshold_bps // BPS
        limit += value * c.ltv_bps // BPS
    debt_usd = ceil_div(debt_base * base_price_usd_wad, 10**base_decimals)
    hf = MAX_UINT if debt_usd == 0 else liq * WAD // debt_usd
    return Values(coll, liq, limit, debt_usd, hf)


def max_borrow_base(borrow_limit_usd_wad: int, base_price_usd_wad: int, base_decimals: int) -> int:
    """Largest debt with ceil(debt * price / unit) <= limit, i.e. debt * price <= limit * unit."""
    return borrow_limit_usd_wad * 10**base_decimals // base_price_usd_wad


def liquidation_amounts(
    *,
    debt_base: int,
    health_factor_wad: int,
    requested_base: int,
    collateral_balance_raw: int,
    base_price_usd_wad: int,
    collateral_price_usd_wad: int,
    base_decimals: int,
    collateral_decimals: int,
    bonus_bps: int,
    close_factor_bps: int = 5000,
    full_close_hf_wad: int = 95 * 10**16,
) -> tuple[int, int]:
    """(repaid_base, seized_raw): Aave V3 close factor and seize; the collateral-cap repay rounded up."""
    close = close_factor_bps if health_factor_wad > full_close_hf_wad else BPS
    max_repay = percent_mul_half_up(debt_base, close)
    repay = min(requested_base, max_repay)
    base_unit, coll_unit = 10**base_decimals, 10**collateral_decimals
    base_collateral = base_price_usd_wad * repay * coll_unit // (collateral_price_usd_wad * base_unit)
    seized = percent_mul_half_up(base_collateral, BPS + bonus_bps)
    if seized > collateral_balance_raw:
        seized = collateral_balance_raw
        repay = ceil_div(
            collateral_price_usd_wad * seized * base_unit * BPS,
            base_price_usd_wad * coll_unit * (BPS + bonus_bps),
        )
    return repay, seized


def borrow_rate_per_year_wad(u_wad: int, base: int, slope1: int, slope2: int, kink: int) -> int:
    if u_wad <= kink:
        return base + slope1 * u_wad // kink
    return base + slope1 + slope2 * (u_wad - kink) // (WAD - kink)


@dataclass(frozen=True)
class Accrual:
    borrow_index_wad: int
    supply_index_wad: int
    interest_base: int
    reserves_added_base: int


def accrue(
    *,
    borrow_index_wad: int,
    supply_index_wad: int,
    total_borrow_principal: int,
    total_supply_principal: int,
    elapsed_s: int,
    rate_model: tuple[int, int, int, int],
    reserve_factor_bps: int,
) -> Accrual:
    """One accrual over `elapsed_s` (simple interest within the period, like Comet)."""
    total_borrow = ceil_div(total_borrow_principal * borrow_index_wad, WAD)
    total_supply = total_supply_principal * supply_index_wad // WAD
    u = 0 if total_supply == 0 else total_borrow * WAD // total_supply
    rate_s = borrow_rate_per_year_wad(u, *rate_model) // SECONDS_PER_YEAR
    new_bi = borrow_index_wad + borrow_index_wad * (rate_s * elapsed_s) // WAD
    interest = ceil_div(total_borrow_principal * new_bi, WAD) - total_borrow
    if total_supply_principal == 0:
        return Accrual(new_bi, supply_index_wad, interest, interest)
    factor_share = interest * reserve_factor_bps // BPS
    new_si = supply_index_wad + (interest - factor_share) * WAD // total_supply_principal
    # What the supply index cannot carry (its floor) goes to reserves too: reserves + supply grow by the interest.
    credited = total_supply_principal * new_si // WAD - total_supply
    return Accrual(new_bi, new_si, interest, factor_share + (interest - factor_share - credited))
