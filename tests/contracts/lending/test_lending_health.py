"""Health factor, account values and borrow limits of a multi-collateral account, worked by hand."""

from __future__ import annotations

import pytest

from defidrill.errors import RevertError
from lending_formulas import Collateral, account_values, max_borrow_base
from lending_kit import MAX_UINT, WAD

USDC = 10**6


def _alice_basket(kit, alice) -> None:
    kit.deposit(alice, "WBTC", 50_000_000)  # 0.5 WBTC (8 decimals) at $60,000 = $30,000
    kit.deposit(alice, "WETH", 4 * 10**18)  # 4 WETH (18 decimals) at $3,000 = $12,000
    kit.deposit(alice, "STK6", 1_000 * USDC)  # 1,000 STK6 (6 decimals) at $2 = $2,000


def test_multi_collateral_health_factor_by_hand(kit, alice) -> None:
    _alice_basket(kit, alice)
    kit.borrow(alice, 20_000 * USDC)
    # collateral   = 30,000 + 12,000 + 2,000                      = 44,000
    # liquidation  = 30,000*0.78 + 12,000*0.82 + 2,000*0.70        = 23,400 + 9,840 + 1,400 = 34,640
    # borrow limit = 30,000*0.70 + 12,000*0.75 + 2,000*0.60        = 21,000 + 9,000 + 1,200 = 31,200
    # debt = 20,000 USDC at $1 -> HF = 34,640 / 20,000 = 1.732
    assert kit.account_data(alice) == (
        44_000 * WAD, 34_640 * WAD, 31_200 * WAD, 20_000 * USDC, 20_000 * WAD, 1_732 * 10**15
    )
    assert kit.call(kit.f.healthFactor(alice)) == 1_732 * 10**15


def test_health_factor_with_uneven_prices_matches_formula(kit, alice) -> None:
    _alice_basket(kit, alice)
    kit.borrow(alice, 12_345_678_901)
    prices = {"WBTC": 61_234_567_891_234_567_891_234, "WETH": 2_987_654_321_987_654_321_987, "STK6": 1_999_999_999_999_999_999}
    for symbol, price in prices.items():
        kit.set_price(kit.tokens[symbol], price)
    kit.set_price(kit.usdc, 998_700_000_000_000_000)  # USDC slightly depegged: $0.9987
    balances = {"WBTC": 50_000_000, "WETH": 4 * 10**18, "STK6": 1_000 * USDC}
    expected = account_values(
        [
            Collateral(balances[s], prices[s], kit.listings[s].decimals, kit.listings[s].ltv_bps, kit.listings[s].threshold_bps)
            for s in ("WBTC", "WETH", "STK6")
        ],
        12_345_678_901,
        998_700_000_000_000_000,
        6,
    )
    assert kit.account_data(alice) == (
        expected.collateral_usd_wad,
        expected.liquidation_usd_wad,
        expected.borrow_limit_usd_wad,
        12_345_678_901,
        expected.debt_usd_wad,
        expected.health_factor_wad,
    )


def test_no_debt_health_factor_is_max(kit, alice) -> None:
    _alice_basket(kit, alice)
    assert kit.call(kit.f.healthFactor(alice)) == MAX_UINT
    assert kit.call(kit.f.healthFactor(kit.chain.accounts[7])) == MAX_UINT


def test_borrow_exactly_at_limit_passes_one_unit_more_reverts(kit, alice) -> None:
    _alice_basket(kit, alice)
    limit_base = 31_200 * USDC  # borrow limit $31,200 at USDC = $1 (see the by-hand test above)
    with pytest.raises(RevertError) as err:
        kit.borrow(alice, limit_base + 1)
    assert err.value.revert.name == "NotCollateralized"
    assert err.value.revert.args == {
        "account": alice, "borrowLimitUsdWad": 31_200 * WAD, "debtUsdWad": 31_200 * WAD + 10**12,
    }
    kit.borrow(alice, limit_base)
    assert kit.call(kit.f.debtOf(alice)) == limit_base
    with pytest.raises(RevertError) as err:
        kit.borrow(alice, 1)
    assert err.value.revert.name == "NotCollateralized"


def test_borrow_limit_when_base_trades_above_peg(kit, alice) -> None:
    _alice_basket(kit, alice)
    kit.set_price(kit.usdc, 1_020_000_000_000_000_000)  # USDC at $1.02: each unit of debt weighs more
    limit_base = max_borrow_base(31_200 * WAD, 1_020_000_000_000_000_000, 6)
    assert limit_base == 30_588_235_294  # floor(31,200 / 1.02 * 1e6)
    with pytest.raises(RevertError) as err:
        kit.borrow(alice, limit_base + 1)
    assert err.value.revert.name == "NotCollateralized"
    kit.borrow(alice, limit_base)


def test_withdraw_collateral_keeps_borrow_limit(kit, alice) -> None:
    _alice_basket(kit, alice)
    kit.borrow(alice, 20_000 * USDC)
    # Without WBTC the limit is 9,000 + 1,200 = 10,200; WBTC must still cover 9,800 at 70% of $60,000/BTC:
    # b raw units give floor(b * 6e14 * 0.7) = b * 4.2e14 USD-wad >= 9,800e18 -> b >= 23,333,333.33 -> 23,333,334.
    wbtc = kit.tokens["WBTC"]
    max_withdraw_raw = 50_000_000 - 23_333_334
    with pytest.raises(RevertError) as err:
        kit.send(kit.f.withdrawCollateral(wbtc.address, max_withdraw_raw + 1), sender=alice)
    assert err.value.revert.name == "NotCollateralized"
    receipt = kit.send(kit.f.withdrawCollateral(wbtc.address, max_withdraw_raw), sender=alice)
    [event] = kit.chain.events(receipt, kit.pool, "CollateralWithdrawn")
    assert event == {"account": alice, "asset": wbtc.address, "amountRaw": max_withdraw_raw}
    assert kit.balance(wbtc, alice) == max_withdraw_raw
    assert kit.call(kit.f.collateralBalance(alice, wbtc.address)) == 23_333_334


def test_withdraw_all_collateral_without_debt(kit, alice) -> None:
    _alice_basket(kit, alice)
    weth = kit.tokens["WETH"]
    kit.send(kit.f.withdrawCollateral(weth.address, MAX_UINT), sender=alice)
    assert kit.balance(weth, alice) == 4 * 10**18
    assert kit.call(kit.f.totalCollateral(weth.address)) == 0 == kit.balance(weth, kit.pool.address)


def test_unavailable_collateral_price_counts_as_zero_in_views(kit, alice) -> None:
    _alice_basket(kit, alice)
    kit.borrow(alice, 20_000 * USDC)
    kit.set_available(kit.tokens["WETH"], False)
    # WETH dropped from every sum: liquidation value 23,400 + 1,400 = 24,800 -> HF 1.24
    data = kit.account_data(alice)
    assert data == (32_000 * WAD, 24_800 * WAD, 22_200 * WAD, 20_000 * USDC, 20_000 * WAD, 1_240 * 10**15)
    # ... while any action that needs WETH's price reverts with the oracle's error.
    with pytest.raises(RevertError) as err:
        kit.borrow(alice, 1)
    assert err.value.revert.name == "PriceUnavailable"


def test_unavailable_base_price_reads_as_max_health_in_views(kit, alice) -> None:
    _alice_basket(kit, alice)
    kit.borrow(alice, 20_000 * USDC)
    kit.set_available(kit.usdc, False)
    assert kit.call(kit.f.healthFactor(alice)) == MAX_UINT


def test_dead_feed_of_an_asset_not_held_does_not_block(kit, alice) -> None:
    kit.deposit(alice, "WETH", 10**18)
    kit.set_available(kit.tokens["WBTC"], False)
    kit.borrow(alice, 1_000 * USDC)  # only WETH and USDC prices are read
    assert kit.call(kit.f.debtOf(alice)) == 1_000 * USDC
