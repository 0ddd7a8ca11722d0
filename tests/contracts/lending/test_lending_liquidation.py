"""Liquidation amounts against Aave V3's formulas: close factor, full close, collateral cap, bad debt."""

from __future__ import annotations

import pytest

from defidrill.errors import RevertError
from lending_formulas import WAD, liquidation_amounts
from lending_kit import MAX_UINT, Listing, LendingKit

USDC = 10**6


def _weth_position(kit: LendingKit, alice: str) -> None:
    kit.deposit(alice, "WETH", 5 * 10**18)  # 5 WETH at $3,000 = $15,000 (LT 82%, bonus 5%)
    kit.borrow(alice, 10_000 * USDC)


def test_close_factor_half_by_hand(kit, alice, keeper) -> None:
    _weth_position(kit, alice)
    kit.set_price(kit.tokens["WETH"], 2_400 * WAD)
    # value 12,000, liquidation value 9,840 -> HF 0.984 (> 0.95): at most 50% of 10,000 USDC = 5,000
    kit.fund_liquidator(keeper, 10_000 * USDC)
    receipt = kit.liquidate(keeper, alice, "WETH", 10_000 * USDC)
    # 5,000 USD / 2,400 per WETH = 2,083,333,333,333,333,333 wei (floored), x 1.05
    # = 2,187,499,999,999,999,999.65 wei, to the nearest wei (Aave's percentMul) -> 2.1875 WETH
    [event] = kit.chain.events(receipt, kit.pool, "Liquidation")
    assert event == {
        "liquidator": keeper, "account": alice, "collateralAsset": kit.tokens["WETH"].address,
        "repaidBase": 5_000 * USDC, "seizedCollateral": 2_187_500_000_000_000_000,
        "healthFactorBeforeWad": 984 * 10**15,
    }
    assert kit.balance(kit.tokens["WETH"], keeper) == 2_187_500_000_000_000_000
    assert kit.balance(kit.usdc, keeper) == 5_000 * USDC
    assert kit.call(kit.f.debtOf(alice)) == 5_000 * USDC
    assert kit.call(kit.f.collateralBalance(alice, kit.tokens["WETH"].address)) == 5 * 10**18 - 2_187_500_000_000_000_000


def test_partial_request_below_close_factor(kit, alice, keeper) -> None:
    _weth_position(kit, alice)
    kit.set_price(kit.tokens["WETH"], 2_400 * WAD)
    kit.fund_liquidator(keeper, 1_000 * USDC)
    kit.liquidate(keeper, alice, "WETH", 1_000 * USDC)
    # 1,000 / 2,400 = 416,666,666,666,666,666 wei, x 1.05 = 437,499,999,999,999,999.3 wei -> ...999
    assert kit.balance(kit.tokens["WETH"], keeper) == 437_499_999_999_999_999
    assert kit.call(kit.f.debtOf(alice)) == 9_000 * USDC


def test_full_close_at_or_below_095(kit, alice, keeper) -> None:
    _weth_position(kit, alice)
    kit.set_price(kit.tokens["WETH"], 2_200 * WAD)
    # value 11,000, liquidation value 9,020 -> HF 0.902 <= 0.95: the whole 10,000 may be repaid
    kit.fund_liquidator(keeper, 20_000 * USDC)
    receipt = kit.liquidate(keeper, alice, "WETH", MAX_UINT)
    # 10,000 / 2,200 = 4,545,454,545,454,545,454 wei, x 1.05 = 4,772,727,272,727,272,726.7 -> ...727
    [event] = kit.chain.events(receipt, kit.pool, "Liquidation")
    assert (event["repaidBase"], event["seizedCollateral"]) == (10_000 * USDC, 4_772_727_272_727_272_727)
    assert event["healthFactorBeforeWad"] == 902 * 10**15
    assert kit.call(kit.f.debtOf(alice)) == 0
    assert kit.chain.events(receipt, kit.pool, "BadDebtWrittenOff") == []


def test_hf_exactly_095_is_full_close(kit, alice, keeper) -> None:
    # 1 WETH at $2,500 -> liquidation value 2,050; 2,000 USDC of debt with USDC at $(2,050/1,900) is worth
    # 2,157.89 USD, so HF = 1,900 / 2,000 = 0.95 (checked to the wei below).
    kit.deposit(alice, "WETH", 10**18)
    kit.borrow(alice, 2_000 * USDC)
    kit.set_price(kit.tokens["WETH"], 2_500 * WAD)
    kit.set_price(kit.usdc, WAD * 2_050 // 1_900)  # USDC at $1.0789...: debt 2,000 USDC worth 2,157.89 USD
    debt_usd_wad = -(-2_000 * USDC * (WAD * 2_050 // 1_900) // USDC)
    hf = 2_050 * WAD * WAD // debt_usd_wad
    assert hf == 95 * 10**16  # floor lands exactly on 0.95
    assert kit.call(kit.f.healthFactor(alice)) == hf
    kit.fund_liquidator(keeper, 5_000 * USDC)
    receipt = kit.liquidate(keeper, alice, "WETH", MAX_UINT)
    [event] = kit.chain.events(receipt, kit.pool, "Liquidation")
    assert event["repaidBase"] == 2_000 * USDC  # 100%: HF <= 0.95 (Aave: closeFactor = HF > 0.95 ? 50% : 100%)


def test_collateral_cap_branch_and_bad_debt_write_off(kit, alice, keeper) -> None:
    _weth_position(kit, alice)
    kit.set_price(kit.tokens["WETH"], 1_800 * WAD)
    # value 9,000, HF 0.738: full close wants 10,000/1,800*1.05 = 5.83 WETH > 5 WETH held ->
    # seize all 5 WETH, repay ceil(9,000 / 1.05) = ceil(8,571.428571428...) = 8,571.428572 USDC
    reserves_before = kit.call(kit.f.totalReserves())
    kit.fund_liquidator(keeper, 20_000 * USDC)
    receipt = kit.liquidate(keeper, alice, "WETH", MAX_UINT)
    [event] = kit.chain.events(receipt, kit.pool, "Liquidation")
    assert (event["repaidBase"], event["seizedCollateral"]) == (8_571_428_572, 5 * 10**18)
    [bad] = kit.chain.events(receipt, kit.pool, "BadDebtWrittenOff")
    assert bad == {"account": alice, "amountBase": 10_000 * USDC - 8_571_428_572}
    assert kit.call(kit.f.debtOf(alice)) == 0
    assert kit.call(kit.f.totalReserves()) == reserves_before - (10_000 * USDC - 8_571_428_572)
    assert kit.call(kit.f.totalBorrow()) == 0
    assert kit.invariant_gap_base() == 0


def test_healthy_account_cannot_be_liquidated(kit, alice, keeper) -> None:
    _weth_position(kit, alice)
    kit.fund_liquidator(keeper, 10_000 * USDC)
    kit.set_price(kit.tokens["WETH"], 2_440 * WAD)  # 5 * 2,440 * 0.82 = 10,004 -> HF 1.0004
    with pytest.raises(RevertError) as err:
        kit.liquidate(keeper, alice, "WETH", 1_000 * USDC)
    assert err.value.revert.name == "HealthyAccount"
    assert err.value.revert.args == {"account": alice, "healthFactorWad": 10_004 * 10**14}


def test_hf_exactly_one_is_not_liquidatable(kit, alice, keeper) -> None:
    kit.deposit(alice, "WETH", 5 * 10**18)
    kit.borrow(alice, 8_200 * USDC)
    kit.set_price(kit.tokens["WETH"], 2_000 * WAD)  # 5 * 2,000 * 0.82 = 8,200 = debt -> HF exactly 1
    kit.fund_liquidator(keeper, 10_000 * USDC)
    with pytest.raises(RevertError) as err:
        kit.liquidate(keeper, alice, "WETH", 1)
    assert err.value.revert.args["healthFactorWad"] == WAD
    kit.set_price(kit.tokens["WETH"], 2_000 * WAD - 1)
    kit.liquidate(keeper, alice, "WETH", 1)


# ---------------------------------------------------------------- every decimals pair against base 6
DECIMAL_CASES = [
    # (decimals, price at listing, crash price, deposit raw)
    (6, 2 * WAD, 13 * WAD // 10, 10_000 * 10**6),  # 10,000 STK-like tokens at $2
    (8, 60_000 * WAD, 39_000 * WAD, 33_333_333),  # 0.33333333 BTC-like at $60,000
    (18, 3_000 * WAD, 1_950 * WAD, 6_666_666_666_666_666_667),  # 6.67 ETH-like at $3,000
]
SCENARIOS = {"half": 0.985, "full": 0.90, "cap": 0.70}  # target health factor after the crash


@pytest.mark.parametrize("decimals,price0,_crash,deposit_raw", DECIMAL_CASES, ids=["coll6", "coll8", "coll18"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_liquidation_amounts_every_decimals_pair(chain, decimals, price0, _crash, deposit_raw, scenario) -> None:
    listing = Listing(f"C{decimals}", decimals, price0, 7500, 8000, 750)
    kit = LendingKit.deploy(chain, listings=(listing,))
    kit.zero_rates()
    lender, alice, keeper = chain.accounts[9], chain.accounts[1], chain.accounts[5]
    kit.supply(lender, 1_000_000 * USDC)
    kit.deposit(alice, listing.symbol, deposit_raw)
    value0_usd_wad = deposit_raw * price0 // 10**decimals
    debt_base = value0_usd_wad * 7000 // 10_000 // 10**12  # 70% of the value, in USDC units
    kit.borrow(alice, debt_base)
    # Price where liquidation value / debt = target HF: p = target * debt / (balance * 0.8), in USD-wad per token
    target = SCENARIOS[scenario]
    crash_price = int(target * debt_base * 10**12 * 10**decimals * 10_000 / (deposit_raw * 8000))
    kit.set_price(kit.tokens[listing.symbol], crash_price)

    value_usd_wad = deposit_raw * crash_price // 10**decimals
    debt_usd_wad = debt_base * WAD // USDC
    hf = (value_usd_wad * 8000 // 10_000) * WAD // debt_usd_wad
    assert hf < WAD
    expected_repay, expected_seize = liquidation_amounts(
        debt_base=debt_base, health_factor_wad=hf, requested_base=MAX_UINT, collateral_balance_raw=deposit_raw,
        base_price_usd_wad=WAD, collateral_price_usd_wad=crash_price, base_decimals=6,
        collateral_decimals=decimals, bonus_bps=750,
    )
    if scenario == "half":
        assert expected_repay == (debt_base * 5000 + 5000) // 10_000 and expected_seize < deposit_raw
    elif scenario == "full":
        assert expected_repay == debt_base and expected_seize < deposit_raw
    else:
        assert expected_seize == deposit_raw and expected_repay < debt_base

    preview = chain.call(kit.f.previewLiquidation(alice, kit.tokens[listing.symbol].address, MAX_UINT))
    assert preview == (expected_repay, expected_seize)
    kit.fund_liquidator(keeper, 2 * debt_base)
    receipt = kit.liquidate(keeper, alice, listing.symbol, MAX_UINT)
    [event] = chain.events(receipt, kit.pool, "Liquidation")
    assert (event["repaidBase"], event["seizedCollateral"], event["healthFactorBeforeWad"]) == (
        expected_repay, expected_seize, hf
    )
    assert kit.balance(kit.tokens[listing.symbol], keeper) == expected_seize
    assert kit.balance(kit.usdc, keeper) == 2 * debt_base - expected_repay
    bad = chain.events(receipt, kit.pool, "BadDebtWrittenOff")
    if scenario == "cap":
        assert bad == [{"account": alice, "amountBase": debt_base - expected_repay}]
        assert kit.call(kit.f.totalReserves()) == -(debt_base - expected_repay)
    else:
        assert bad == []
        assert kit.call(kit.f.debtOf(alice)) == debt_base - expected_repay
    token = kit.tokens[listing.symbol]
    assert kit.call(kit.f.totalCollateral(token.address)) == kit.balance(token, kit.pool.address) == deposit_raw - expected_seize
    assert kit.invariant_gap_base() == 0


def test_write_off_waits_for_the_last_collateral(kit, alice, bob, keeper) -> None:
    # All WETH is seized through the cap branch while STK6 remains: no write-off yet (and absorbBadDebt
    # refuses); seizing the STK6 as well leaves debt without collateral, which is written off.
    kit.deposit(alice, "WETH", 10**18)
    kit.deposit(alice, "STK6", 10 * USDC)  # $20 of STK6 keeps the account "with collateral"
    kit.borrow(alice, 2_000 * USDC)
    kit.set_price(kit.tokens["WETH"], 1_000 * WAD)
    kit.fund_liquidator(keeper, 10_000 * USDC)
    receipt = kit.liquidate(keeper, alice, "WETH", MAX_UINT)
    assert kit.chain.events(receipt, kit.pool, "BadDebtWrittenOff") == []  # STK6 still held
    with pytest.raises(RevertError) as err:
        kit.send(kit.f.absorbBadDebt(alice), sender=bob)
    assert err.value.revert.name == "AccountHasCollateral"
    receipt = kit.liquidate(keeper, alice, "STK6", MAX_UINT)
    [bad] = kit.chain.events(receipt, kit.pool, "BadDebtWrittenOff")
    assert bad["account"] == alice and bad["amountBase"] > 0
    with pytest.raises(RevertError) as err:
        kit.send(kit.f.absorbBadDebt(alice), sender=bob)
    assert err.value.revert.name == "NoDebt"


def test_absorb_bad_debt_checks(kit, alice, bob) -> None:
    kit.deposit(alice, "WETH", 10**18)
    kit.borrow(alice, 2_000 * USDC)
    with pytest.raises(RevertError) as err:
        kit.send(kit.f.absorbBadDebt(alice), sender=bob)
    assert err.value.revert.name == "AccountHasCollateral"
    with pytest.raises(RevertError) as err:
        kit.send(kit.f.absorbBadDebt(bob), sender=bob)
    assert err.value.revert.name == "NoDebt"
