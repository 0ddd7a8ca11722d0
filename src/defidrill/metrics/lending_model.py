"""An independent reference model of the pool's lending math, in Python integers.

Written from Aave V3's and Compound III's published formulas and from docs/lending.md (the
pool's rules), never from the contracts' code, so that a bug in one is not copied into the
other: :mod:`defidrill.metrics.liquidation_check` replays every ``Liquidation`` event of a run
through it. Units as on chain: ``_base`` = raw units of the base token, ``_raw`` = raw units
of a collateral token, ``_wad`` = x 1e18 (prices: USD per whole token), ``_bps`` = x 1e4.

Formulas (docs/lending-model.md cites each source):

* collateral value ``floor(balance * price / 10**decimals)``; debt value
  ``ceil(debt * base_price / 10**base_decimals)`` (rounded against the account);
* health factor ``floor(sum floor(value_i * LT_i / 1e4) * 1e18 / debt_value)`` (Aave V3
  ``GenericLogic.calculateUserAccountData``; max uint without debt);
* close factor 50%, 100% when ``HF <= 0.95`` (Aave V3 ``LiquidationLogic``,
  ``CLOSE_FACTOR_HF_THRESHOLD``); ``max_repay = percentMul(debt, close_factor)``;
* seized ``percentMul(floor(base_price * repay * 10**coll_dec / (coll_price * 10**base_dec)),
  1e4 + bonus)`` (Aave V3 ``_calculateAvailableCollateralToLiquidate``); when that exceeds the
  balance the whole balance is seized and the repay is cut to
  ``ceil(coll_price * balance * 10**base_dec * 1e4 / (base_price * 10**coll_dec * (1e4 + bonus)))``;
* debt left on an account with no collateral at all is written off (Compound III ``absorb``);
* kinked borrow rate and index accrual, simple interest within one accrual (Compound III
  ``accrueInternal``): ``index += floor(index * rate_per_second * dt / 1e18)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from defidrill.protocol_terms.fixed_point import BPS, WAD, div_up, mul_wad_down, mul_wad_up, percent_mul_half_up

__all__ = [
    "MAX_UINT", "SECONDS_PER_YEAR", "collateral_value_usd_wad",
    "debt_value_usd_wad", "health_factor_wad", "close_factor_bps", "max_repay_base", "seize_for_repay_raw",
    "seize_at_incentive_raw",
    "repay_for_balance_base", "LiquidationOutcome", "liquidate", "RateModel", "utilisation_wad",
    "borrow_rate_per_year_wad", "Accrual", "accrue",
]

MAX_UINT = 2**256 - 1
SECONDS_PER_YEAR = 365 * 86_400


def collateral_value_usd_wad(balance_raw: int, price_wad: int, decimals: int) -> int:
    """USD value (wad) of a collateral balance, rounded down (against the account)."""
    return int(balance_raw * price_wad // 10**decimals)


def debt_value_usd_wad(debt_base: int, base_price_wad: int, base_decimals: int) -> int:
    """USD value (wad) of a debt, rounded up (against the account)."""
    return div_up(debt_base * base_price_wad, 10**base_decimals)


def health_factor_wad(values_and_thresholds: list[tuple[int, int]], debt_usd_wad: int) -> int:
    """``sum floor(value_i * LT_i / 1e4) * 1e18 / debt``, floored; max uint without debt.

    ``values_and_thresholds``: ``(value_usd_wad, liquidation_threshold_bps)`` per collateral.
    """
    if debt_usd_wad == 0:
        return MAX_UINT
    liquidation_value = sum(v * lt // BPS for v, lt in values_and_thresholds)
    return liquidation_value * WAD // debt_usd_wad


def close_factor_bps(hf_wad: int, *, default_bps: int = 5_000, full_close_hf_wad: int = 95 * 10**16) -> int:
    """Aave V3: half the debt per liquidation, all of it once ``HF <= 0.95``."""
    return BPS if hf_wad <= full_close_hf_wad else default_bps


def max_repay_base(debt_base: int, hf_wad: int, *, default_bps: int = 5_000,
                   full_close_hf_wad: int = 95 * 10**16) -> int:
    """The most one liquidation may repay: ``percentMul(debt, close factor)``."""
    return percent_mul_half_up(debt_base, close_factor_bps(hf_wad, default_bps=default_bps,
                                                   full_close_hf_wad=full_close_hf_wad))


def seize_for_repay_raw(repay_base: int, coll_price_wad: int, base_price_wad: int, coll_decimals: int,
                        base_decimals: int, bonus_bps: int) -> int:
    """Collateral a repay buys at the oracle prices, plus the bonus (before any cap)."""
    base_collateral = (base_price_wad * repay_base * 10**coll_decimals) // (coll_price_wad * 10**base_decimals)
    return percent_mul_half_up(base_collateral, BPS + bonus_bps)


def repay_for_balance_base(balance_raw: int, coll_price_wad: int, base_price_wad: int, coll_decimals: int,
                           base_decimals: int, bonus_bps: int) -> int:
    """The repay that buys exactly ``balance`` with the bonus, rounded up (the protocol's favour)."""
    return div_up(coll_price_wad * balance_raw * 10**base_decimals * BPS,
                    base_price_wad * 10**coll_decimals * (BPS + bonus_bps))


def seize_at_incentive_raw(repay_base: int, coll_price_wad: int, base_price_wad: int, coll_decimals: int,
                           base_decimals: int, incentive_wad: int) -> int:
    """Collateral a repay buys at the oracle prices times a protocol's stated incentive (wad: 1.04976e18 for
    an 8% bonus of which the protocol keeps 2.8%), rounded down: the model where a protocol states its
    liquidator's net incentive instead of the drill's bonus (its own rounding is not ours: compare within
    a tolerance)."""
    return int(base_price_wad * repay_base * 10**coll_decimals * incentive_wad
               // (coll_price_wad * 10**base_decimals * WAD))


@dataclass(frozen=True)
class LiquidationOutcome:
    """What one liquidation does to an account, per the model."""

    repay_base: int
    seized_raw: int
    capped: bool             # the bonus asked for more collateral than the account held
    debt_after_base: int
    bad_debt_base: int       # written off when no collateral at all is left


def liquidate(*, debt_base: int, balance_raw: int, requested_base: int, hf_wad: int, coll_price_wad: int,
              base_price_wad: int, coll_decimals: int, base_decimals: int, bonus_bps: int,
              other_collateral_left: bool = False, default_close_bps: int = 5_000,
              full_close_hf_wad: int = 95 * 10**16) -> LiquidationOutcome:
    """One liquidation of one collateral asset. Raises ``ValueError`` when the account is healthy."""
    if hf_wad >= WAD:
        raise ValueError(f"health factor {hf_wad} >= 1e18: not liquidatable")
    repay = min(requested_base, max_repay_base(debt_base, hf_wad, default_bps=default_close_bps,
                                               full_close_hf_wad=full_close_hf_wad))
    seized = seize_for_repay_raw(repay, coll_price_wad, base_price_wad, coll_decimals, base_decimals, bonus_bps)
    capped = seized > balance_raw
    if capped:
        seized = balance_raw
        repay = repay_for_balance_base(balance_raw, coll_price_wad, base_price_wad, coll_decimals,
                                       base_decimals, bonus_bps)
    debt_after = debt_base - repay
    bad_debt = debt_after if (balance_raw == seized and not other_collateral_left and debt_after > 0) else 0
    return LiquidationOutcome(repay, seized, capped, debt_after - bad_debt, bad_debt)


@dataclass(frozen=True)
class RateModel:
    """Kinked rate model, annual rates in wad (docs/lending.md defaults: 0%, 4%, 75%, kink 80%)."""

    base_per_year_wad: int = 0
    slope1_per_year_wad: int = 4 * 10**16
    slope2_per_year_wad: int = 75 * 10**16
    kink_wad: int = 80 * 10**16


def utilisation_wad(total_borrow_base: int, total_supply_base: int) -> int:
    """``borrow / supply`` in wad, floored; 0 without supply."""
    return 0 if total_supply_base == 0 else total_borrow_base * WAD // total_supply_base


def borrow_rate_per_year_wad(model: RateModel, util_wad: int) -> int:
    """``base + slope1 * U / kink`` up to the kink, ``+ slope2 * (U - kink) / (1 - kink)`` above."""
    if util_wad <= model.kink_wad:
        return model.base_per_year_wad + model.slope1_per_year_wad * util_wad // model.kink_wad
    return (model.base_per_year_wad + model.slope1_per_year_wad
            + model.slope2_per_year_wad * (util_wad - model.kink_wad) // (WAD - model.kink_wad))


@dataclass(frozen=True)
class Accrual:
    """The indices and amounts one accrual produces."""

    borrow_index_wad: int
    supply_index_wad: int
    interest_base: int
    reserves_added_base: int


def accrue(*, borrow_principal: int, supply_principal: int, borrow_index_wad: int, supply_index_wad: int,
           elapsed_s: int, model: RateModel, reserve_factor_bps: int) -> Accrual:
    """One accrual over ``elapsed_s`` seconds: simple interest at the rate of the current utilisation.

    Debt = ``ceil(principal * index)``; interest = the debt's growth; reserves take
    ``floor(interest * reserve factor)`` and lenders the rest through the supply index, less what the
    index's floor keeps back, which reserves take too (everything goes to reserves when no one has supplied).
    """
    if elapsed_s == 0:
        return Accrual(borrow_index_wad, supply_index_wad, 0, 0)
    borrow_before = mul_wad_up(borrow_principal, borrow_index_wad)
    supply_before = mul_wad_down(supply_principal, supply_index_wad)
    rate_per_s = borrow_rate_per_year_wad(model, utilisation_wad(borrow_before, supply_before)) // SECONDS_PER_YEAR
    new_borrow_index = borrow_index_wad + borrow_index_wad * (rate_per_s * elapsed_s) // WAD
    interest = mul_wad_up(borrow_principal, new_borrow_index) - borrow_before
    if supply_principal == 0:
        return Accrual(new_borrow_index, supply_index_wad, interest, interest)
    factor_share = interest * reserve_factor_bps // BPS
    new_supply_index = supply_index_wad + (interest - factor_share) * WAD // supply_principal
    # The supply index's floor keeps back part of the lenders' share: reserves take it (the pool's exact books).
    credited = supply_principal * new_supply_index // WAD - supply_before
    return Accrual(new_borrow_index, new_supply_index, interest, factor_share + (interest - factor_share - credited))
