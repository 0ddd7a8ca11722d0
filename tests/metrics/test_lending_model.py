"""The reference lending model against figures worked by hand (docs/lending-model.md)."""

from __future__ import annotations

import pytest

from defidrill.metrics.lending_model import (
    MAX_UINT, RateModel, accrue, borrow_rate_per_year_wad, close_factor_bps, collateral_value_usd_wad,
    debt_value_usd_wad, health_factor_wad, liquidate, max_repay_base, repay_for_balance_base, seize_at_incentive_raw,
    seize_for_repay_raw, utilisation_wad,
)
from defidrill.protocol_terms.fixed_point import WAD

USD = WAD  # a price of $1 in wad
BTC = 10**8  # WBTC raw units per token
USDC = 10**6


def test_values_round_against_the_account() -> None:
    # 1 raw unit of WBTC (1e-8 BTC) at $1.5: 1.5e-8 USD = 15,000,000,000 wad exactly; at $1.55555... floors
    assert collateral_value_usd_wad(1, 3 * USD // 2, 8) == 15_000_000_000
    assert collateral_value_usd_wad(1, 155_555_555_555_555_555, 8) == 1_555_555_555
    # 1 raw USDC (1e-6 $) at $0.9999999999999999995 -> 999,999,999,999.9999995 wad, rounded up
    assert debt_value_usd_wad(1, WAD - 1, 6) == 10**12


def test_health_factor_one_btc_against_40k() -> None:
    # 1 BTC at $60,000, LT 78%: 46,800 of liquidation value over 40,000 of debt = 1.17
    value = collateral_value_usd_wad(BTC, 60_000 * USD, 8)
    debt = debt_value_usd_wad(40_000 * USDC, USD, 6)
    assert (value, debt) == (60_000 * WAD, 40_000 * WAD)
    assert health_factor_wad([(value, 7_800)], debt) == 117 * 10**16
    assert health_factor_wad([(value, 7_800)], 0) == MAX_UINT
    # two collaterals: 46,800 + 10,000 x 82% = 55,000 over 50,000 -> 1.1
    assert health_factor_wad([(value, 7_800), (10_000 * WAD, 8_200)], 50_000 * WAD) == 11 * 10**17


def test_close_factor_full_at_and_below_095() -> None:
    assert close_factor_bps(96 * 10**16) == 5_000
    assert close_factor_bps(95 * 10**16) == 10_000
    assert close_factor_bps(95 * 10**16 + 1) == 5_000
    assert max_repay_base(40_000 * USDC, 99 * 10**16) == 20_000 * USDC
    assert max_repay_base(40_000 * USDC, 90 * 10**16) == 40_000 * USDC


def test_seize_with_bonus() -> None:
    # $10,000 repaid against WBTC at $50,000 with a 6% bonus: 0.2 BTC + 6% = 0.212 BTC
    assert seize_for_repay_raw(10_000 * USDC, 50_000 * USD, USD, 8, 6, 600) == 21_200_000
    # the base at $0.875 (a depegged USDC): the repay is worth $8,750 -> 0.175 BTC x 1.06 = 0.1855 BTC
    assert seize_for_repay_raw(10_000 * USDC, 50_000 * USD, 875 * 10**15, 8, 6, 600) == 18_550_000


def test_bonus_cap_cuts_the_repay_and_writes_off_the_rest() -> None:
    # 0.1 BTC left at $50,000 and a 6% bonus: the repay that buys it all is 5,000 / 1.06 = 4,716.98113207...
    # rounded up to the micro-dollar: 4,716.981133
    assert repay_for_balance_base(10**7, 50_000 * USD, USD, 8, 6, 600) == 4_716_981_133
    out = liquidate(debt_base=10_000 * USDC, balance_raw=10**7, requested_base=10_000 * USDC, hf_wad=WAD // 2,
                    coll_price_wad=50_000 * USD, base_price_wad=USD, coll_decimals=8, base_decimals=6, bonus_bps=600)
    assert out.capped and out.seized_raw == 10**7 and out.repay_base == 4_716_981_133
    # 10,000 - 4,716.981133 = 5,283.018867 left with no collateral: written off
    assert out.bad_debt_base == 5_283_018_867 and out.debt_after_base == 0
    # with another collateral still held, nothing is written off
    kept = liquidate(debt_base=10_000 * USDC, balance_raw=10**7, requested_base=10_000 * USDC, hf_wad=WAD // 2,
                     coll_price_wad=50_000 * USD, base_price_wad=USD, coll_decimals=8, base_decimals=6,
                     bonus_bps=600, other_collateral_left=True)
    assert kept.bad_debt_base == 0 and kept.debt_after_base == 5_283_018_867


def test_liquidate_half_close_and_refuses_healthy_accounts() -> None:
    out = liquidate(debt_base=40_000 * USDC, balance_raw=BTC, requested_base=10**30, hf_wad=98 * 10**16,
                    coll_price_wad=50_000 * USD, base_price_wad=USD, coll_decimals=8, base_decimals=6, bonus_bps=600)
    # half of 40,000 = 20,000 -> 0.4 BTC x 1.06 = 0.424 BTC
    assert (out.repay_base, out.seized_raw, out.capped) == (20_000 * USDC, 42_400_000, False)
    assert out.debt_after_base == 20_000 * USDC and out.bad_debt_base == 0
    with pytest.raises(ValueError, match="not liquidatable"):
        liquidate(debt_base=1, balance_raw=1, requested_base=1, hf_wad=WAD, coll_price_wad=USD, base_price_wad=USD,
                  coll_decimals=8, base_decimals=6, bonus_bps=600)


def test_kinked_rate() -> None:
    model = RateModel()  # 0% + 4% to the 80% kink, + 75% above
    assert utilisation_wad(800, 1_000) == 8 * 10**17 and utilisation_wad(5, 0) == 0
    assert borrow_rate_per_year_wad(model, 8 * 10**17) == 4 * 10**16
    assert borrow_rate_per_year_wad(model, 4 * 10**17) == 2 * 10**16
    # 90%: 4% + 75% x (0.1 / 0.2) = 41.5%
    assert borrow_rate_per_year_wad(model, 9 * 10**17) == 415 * 10**15


def test_one_year_accrual_at_the_kink() -> None:
    # 800 borrowed of 1,000 supplied: 4% a year, per second floor(4e16 / 31,536,000) = 1,268,391,679;
    # over 31,536,000 s the index grows by 1,268,391,679 x 31,536,000 = 39,999,999,988,944,000 wad.
    out = accrue(borrow_principal=800 * USDC, supply_principal=1_000 * USDC, borrow_index_wad=WAD,
                 supply_index_wad=WAD, elapsed_s=31_536_000, model=RateModel(), reserve_factor_bps=1_000)
    assert out.borrow_index_wad == WAD + 39_999_999_988_944_000
    # debt ceil(800e6 x 1.039999999988944) = 832,000,000: interest $32; reserves 10% = $3.2;
    # lenders' $28.8 over 1,000e6 of principal -> supply index + 0.0288
    assert (out.interest_base, out.reserves_added_base) == (32 * USDC, 3_200_000)
    assert out.supply_index_wad == WAD + 288 * 10**14
    # no lender principal: all interest to reserves; no time: nothing
    alone = accrue(borrow_principal=800 * USDC, supply_principal=0, borrow_index_wad=WAD, supply_index_wad=WAD,
                   elapsed_s=31_536_000, model=RateModel(base_per_year_wad=4 * 10**16), reserve_factor_bps=1_000)
    assert alone.reserves_added_base == alone.interest_base == 32 * USDC and alone.supply_index_wad == WAD
    assert accrue(borrow_principal=1, supply_principal=1, borrow_index_wad=WAD, supply_index_wad=WAD, elapsed_s=0,
                  model=RateModel(), reserve_factor_bps=1_000).interest_base == 0


def test_seize_at_a_stated_incentive_by_hand() -> None:
    # 10,000 USDC at WETH $2,900, an 8% bonus of which the protocol keeps 2.8%: 1.08 x 0.972 = 1.04976;
    # 10,000 x 1.04976 / 2,900 = 3.619862068965517241379... WETH, rounded down to the wei
    assert seize_at_incentive_raw(10_000 * 10**6, 2_900 * WAD, WAD, 18, 6, 1_049_760_000_000_000_000) \
        == 3_619_862_068_965_517_241
    # with the protocol keeping nothing, the stated incentive gives Aave's figure (3.620689655172413793)
    assert seize_at_incentive_raw(10_000 * 10**6, 2_900 * WAD, WAD, 18, 6, 105 * 10**16) == 3_620_689_655_172_413_793
