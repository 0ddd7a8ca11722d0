"""Genuine Aave V3 on anvil: seeding, liquidationCall amounts by Aave's formula worked by hand, the close
factor, the oracle's missing staleness check, the sentinel, and reverts decoded to Aave's error names."""

from __future__ import annotations

import pytest

from conftest import USDC, WETH, AaveWorld
from defidrill.errors import RevertError

WAD = 10**18
MAX_UINT = 2**256 - 1


def _seized_by_formula(repay_base: int, price_debt_1e8: int, price_coll_1e8: int, coll_decimals: int,
                       debt_decimals: int, bonus_bps: int) -> int:
    """Aave V3 LiquidationLogic: base = pDebt x repay x collUnit / (pColl x debtUnit), then x bonus
    (PercentageMath.percentMul, half up)."""
    base = price_debt_1e8 * repay_base * 10**coll_decimals // (price_coll_1e8 * 10**debt_decimals)
    return (base * bonus_bps + 5_000) // 10_000


def test_seeding_supplies_for_the_account_and_borrows_variable(aave: AaveWorld) -> None:
    alice = aave.chain.accounts[5]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    assert aave.a_balance("WETH", alice) == 10 * WETH
    assert aave.debt(alice) == 24_000 * USDC
    assert aave.chain.call(aave.market.base.functions.balanceOf(alice)) == 24_000 * USDC
    # The LTV was lifted to 81.99% to borrow at HF 1.025 and is back at the drill's 75%.
    ltv = aave.chain.call(aave.adapter.aave.data_provider.functions.getReserveConfigurationData(
        aave.market.tokens["WETH"].address))[1]
    assert ltv == 7500
    collateral, debt, _, threshold, _, hf = aave.chain.call(aave.adapter.aave.pool.functions.getUserAccountData(alice))
    assert (collateral, debt, threshold) == (30_000 * 10**8, 24_000 * 10**8, 8200)
    assert hf == 1_025 * 10**15  # 30,000 x 82% / 24,000


def test_liquidation_seizes_repay_times_price_ratio_times_bonus(aave: AaveWorld) -> None:
    alice, keeper = aave.chain.accounts[5], aave.chain.accounts[6]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    aave.past_grace()
    aave.set_price("WETH", 2_900)  # HF 29,000 x 0.82 / 24,000 = 0.9908: above 0.95, close factor 50%
    aave.fund_keeper(keeper, 100_000 * USDC)
    receipt = aave.chain.transact(aave.adapter.liquidation_call(alice, "WETH", 10_000 * USDC), sender=keeper)
    [event] = receipt.events_named("LiquidationCall", aave.adapter.spender)
    expected = _seized_by_formula(10_000 * USDC, 10**8, 2_900 * 10**8, 18, 6, 10_500)
    # By hand: 10,000 / 2,900 x 1.05 = 3.620689655172413793 WETH.
    assert expected == 3_620_689_655_172_413_793
    assert event["debtToCover"] == 10_000 * USDC
    assert event["liquidatedCollateralAmount"] == expected
    assert aave.chain.call(aave.market.tokens["WETH"].functions.balanceOf(keeper)) == expected
    assert aave.debt(alice) == 14_000 * USDC
    assert aave.a_balance("WETH", alice) == 10 * WETH - expected


def test_close_factor_is_half_above_095_and_all_below(aave: AaveWorld) -> None:
    alice, bob, keeper = aave.chain.accounts[5], aave.chain.accounts[7], aave.chain.accounts[6]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    aave.open(bob, "WETH", 10 * WETH, 24_000 * USDC)
    aave.past_grace()
    aave.fund_keeper(keeper, 100_000 * USDC)
    aave.set_price("WETH", 2_900)  # HF 0.9908
    receipt = aave.chain.transact(aave.adapter.liquidation_call(alice, "WETH", MAX_UINT), sender=keeper)
    [event] = receipt.events_named("LiquidationCall")
    assert event["debtToCover"] == 12_000 * USDC  # 50% of 24,000
    aave.set_price("WETH", 2_700)  # bob: HF 27,000 x 0.82 / 24,000 = 0.9225 <= 0.95
    receipt = aave.chain.transact(aave.adapter.liquidation_call(bob, "WETH", MAX_UINT), sender=keeper)
    [event] = receipt.events_named("LiquidationCall")
    assert event["debtToCover"] == 24_000 * USDC  # all of it
    assert event["liquidatedCollateralAmount"] == _seized_by_formula(24_000 * USDC, 10**8, 2_700 * 10**8, 18, 6, 10_500)
    assert aave.debt(bob) == 0


def test_healthy_account_reverts_with_aave_code_45(aave: AaveWorld) -> None:
    alice, keeper = aave.chain.accounts[5], aave.chain.accounts[6]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    aave.fund_keeper(keeper, 100_000 * USDC)
    aave.past_grace()  # inside the grace period the sentinel's '59' comes first (Aave checks it before HF)
    with pytest.raises(RevertError) as err:
        aave.chain.transact(aave.adapter.liquidation_call(alice, "WETH", 1_000 * USDC), sender=keeper)
    assert err.value.revert.args == {"message": "45", "code": "HEALTH_FACTOR_NOT_BELOW_THRESHOLD"}


def test_borrow_above_ltv_reverts_with_aave_code_36(aave: AaveWorld) -> None:
    alice = aave.chain.accounts[5]
    aave.open(alice, "WETH", 10 * WETH, 20_000 * USDC)
    pool = aave.adapter.aave.pool
    base = aave.market.base.address
    with pytest.raises(RevertError) as err:  # the fresh uptime feed is still in its grace period
        aave.chain.transact(pool.functions.borrow(base, 1 * USDC, 2, 0, alice), sender=alice)
    assert err.value.revert.args == {"message": "59", "code": "PRICE_ORACLE_SENTINEL_CHECK_FAILED"}
    aave.past_grace()
    # 30,000 x 75% = 22,500 borrowable: 2,501 more is above it, 2,500 exactly fits.
    with pytest.raises(RevertError) as err:
        aave.chain.transact(pool.functions.borrow(base, 2_501 * USDC, 2, 0, alice), sender=alice)
    assert err.value.revert.args == {"message": "36", "code": "COLLATERAL_CANNOT_COVER_NEW_BORROW"}
    aave.chain.transact(pool.functions.borrow(base, 2_500 * USDC, 2, 0, alice), sender=alice)
    assert aave.debt(alice) == 22_500 * USDC


def test_aave_oracle_returns_a_stale_answer_as_is(aave: AaveWorld) -> None:
    feed = aave.market.feeds["WETH"]
    _, _, _, updated_at, _ = aave.chain.call(feed.functions.latestRoundData())
    aave.chain.advance(7 * 86_400)  # a week without a round: a guarded consumer would refuse it
    assert aave.chain.timestamp() - updated_at >= 7 * 86_400
    price = aave.chain.call(aave.adapter.aave.oracle.functions.getAssetPrice(aave.market.tokens["WETH"].address))
    assert price == 3_000 * 10**8
    reads = aave.chain.call_many(aave.adapter.prepare_reads(aave.chain, []))
    assert aave.adapter.decode_reads(reads).prices["WETH"].price_wad == 3_000 * WAD


def test_sentinel_refuses_liquidations_while_the_sequencer_is_down(aave: AaveWorld) -> None:
    alice, bob, keeper = aave.chain.accounts[5], aave.chain.accounts[7], aave.chain.accounts[6]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    aave.open(bob, "WETH", 10 * WETH, 24_000 * USDC)
    aave.past_grace()
    aave.fund_keeper(keeper, 100_000 * USDC)
    aave.chain.transact(aave.market.sequencer.functions.updateStatus(True))
    aave.set_price("WETH", 2_900)  # alice HF 0.9908
    with pytest.raises(RevertError) as err:
        aave.chain.transact(aave.adapter.liquidation_call(alice, "WETH", 1_000 * USDC), sender=keeper)
    assert err.value.revert.args == {"message": "59", "code": "PRICE_ORACLE_SENTINEL_CHECK_FAILED"}
    reads = aave.adapter.decode_reads(aave.chain.call_many(aave.adapter.prepare_reads(aave.chain, [alice])))
    assert reads.prices["WETH"].rule == "SENTINEL_PAUSES_LIQUIDATIONS"
    # Aave lets the sentinel refuse only HF >= 0.95: below it liquidations go through even while down.
    aave.set_price("WETH", 2_700)  # HF 0.9225
    aave.chain.transact(aave.adapter.liquidation_call(bob, "WETH", 1_000 * USDC), sender=keeper)
    # Back up: refused again for the grace period, then allowed.
    aave.set_price("WETH", 2_900)
    aave.chain.transact(aave.market.sequencer.functions.updateStatus(False))
    with pytest.raises(RevertError):
        aave.chain.transact(aave.adapter.liquidation_call(alice, "WETH", 1_000 * USDC), sender=keeper)
    aave.past_grace()
    aave.chain.transact(aave.adapter.liquidation_call(alice, "WETH", 1_000 * USDC), sender=keeper)
