"""FlashLiquidator: profit on a known setup by the Uniswap V2 formulas, and every revert."""

from __future__ import annotations

import pytest

from defidrill.errors import RevertError
from lending_formulas import liquidation_amounts
from lending_kit import MAX_UINT, WAD

USDC = 10**6
POOL_WETH_RAW = 1_000 * 10**18
POOL_USDC_RAW = 2_200_000 * USDC  # the AMM prices WETH at $2,200, like the oracle after the crash


def get_amount_in(amount_out: int, reserve_in: int, reserve_out: int) -> int:
    """Uniswap V2 UniswapV2Library.getAmountIn."""
    return reserve_in * amount_out * 1000 // ((reserve_out - amount_out) * 997) + 1


def get_amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    """Uniswap V2 UniswapV2Library.getAmountOut."""
    return amount_in * 997 * reserve_out // (reserve_in * 1000 + amount_in * 997)


@pytest.fixture
def setup(kit, chain):
    """Alice: 5 WETH, 10,000 USDC debt; WETH crashes to $2,200 (HF 0.902, full close)."""
    alice = chain.accounts[1]
    kit.deposit(alice, "WETH", 5 * 10**18)
    kit.borrow(alice, 10_000 * USDC)
    weth = kit.tokens["WETH"]
    kit.set_price(weth, 2_200 * WAD)
    factory = chain.deploy("AmmFactory", kit.deployer)
    kit.send(factory.functions.createPair(weth.address, kit.usdc.address), sender=kit.deployer)
    pair = chain.at("AmmPair", chain.call(factory.functions.getPair(weth.address, kit.usdc.address)))
    kit.mint(weth, pair.address, POOL_WETH_RAW)
    kit.mint(kit.usdc, pair.address, POOL_USDC_RAW)
    kit.send(pair.functions.mint(kit.deployer), sender=kit.deployer)
    flash = chain.deploy("FlashLiquidator")
    return alice, pair, flash


def _expected_profit(kit) -> tuple[int, int, int]:
    repay, seized = liquidation_amounts(
        debt_base=10_000 * USDC, health_factor_wad=902 * 10**15, requested_base=MAX_UINT,
        collateral_balance_raw=5 * 10**18, base_price_usd_wad=WAD, collateral_price_usd_wad=2_200 * WAD,
        base_decimals=6, collateral_decimals=18, bonus_bps=500,
    )
    owed_weth = get_amount_in(repay, POOL_WETH_RAW, POOL_USDC_RAW)
    sold = seized - owed_weth
    out_usdc = get_amount_out(sold, POOL_WETH_RAW + owed_weth, POOL_USDC_RAW - repay)
    return repay, sold, out_usdc


def test_flash_liquidation_profit_by_v2_formula(kit, chain, setup) -> None:
    alice, pair, flash = setup
    caller = chain.accounts[6]
    repay, sold, profit = _expected_profit(kit)
    assert repay == 10_000 * USDC
    # Seized 4.7727 WETH (~$10,500); the pair wants ~4.5799 WETH for 10,000 USDC (0.3% fee + 0.46% price
    # impact); the remaining ~0.1928 WETH sells for ~$419: the 5% bonus minus two trips through the AMM.
    assert 415 * USDC < profit < 423 * USDC
    receipt = kit.send(
        flash.functions.liquidate(kit.pool.address, pair.address, alice, kit.tokens["WETH"].address, MAX_UINT, profit),
        sender=caller,
    )
    [event] = chain.events(receipt, flash, "FlashLiquidation")
    assert (event["borrowedBase"], event["soldRaw"], event["profitBase"]) == (repay, sold, profit)
    [liq] = chain.events(receipt, kit.pool, "Liquidation")
    assert liq["liquidator"] == flash.address and liq["repaidBase"] == repay
    assert kit.balance(kit.usdc, caller) == profit
    assert kit.balance(kit.usdc, flash.address) == 0 == kit.balance(kit.tokens["WETH"], flash.address)
    assert kit.call(kit.f.debtOf(alice)) == 0


def test_insufficient_profit_reverts(kit, chain, setup) -> None:
    alice, pair, flash = setup
    _, _, profit = _expected_profit(kit)
    with pytest.raises(RevertError) as err:
        kit.send(flash.functions.liquidate(
            kit.pool.address, pair.address, alice, kit.tokens["WETH"].address, MAX_UINT, profit + 1
        ), sender=chain.accounts[6])
    assert err.value.revert.name == "InsufficientProfit"
    assert err.value.revert.args == {"profitBase": profit, "minProfitBase": profit + 1}


def test_seized_collateral_below_pair_repayment_reverts(kit, chain, setup) -> None:
    alice, pair, flash = setup
    # The oracle still says $2,200 but the pair now prices WETH at $1,000: 10,000 USDC cost ~10 WETH
    # while only 4.77 WETH are seized.
    kit.mint(kit.tokens["WETH"], pair.address, 1_200 * 10**18)
    kit.send(pair.functions.sync(), sender=kit.deployer)
    with pytest.raises(RevertError) as err:
        kit.send(flash.functions.liquidate(
            kit.pool.address, pair.address, alice, kit.tokens["WETH"].address, MAX_UINT, 0
        ), sender=chain.accounts[6])
    assert err.value.revert.name == "SeizedBelowRepayment"


def test_callback_guards(kit, chain, setup) -> None:
    alice, pair, flash = setup
    stranger = chain.accounts[7]
    with pytest.raises(RevertError) as err:
        kit.send(flash.functions.uniswapV2Call(stranger, 1, 0, b""), sender=stranger)
    assert err.value.revert.name == "UnauthorizedCallback"
    assert err.value.revert.args == {"caller": stranger}
    fake = chain.deploy("FakeFlashPair", kit.tokens["WETH"].address, kit.usdc.address, stranger)
    with pytest.raises(RevertError) as err:
        kit.send(flash.functions.liquidate(
            kit.pool.address, fake.address, alice, kit.tokens["WETH"].address, MAX_UINT, 0
        ), sender=stranger)
    assert err.value.revert.name == "UnexpectedInitiator"
    assert err.value.revert.args == {"initiator": stranger}


def test_pair_must_trade_base_against_the_collateral(kit, chain, setup) -> None:
    alice, pair, flash = setup
    wbtc = kit.tokens["WBTC"]
    with pytest.raises(RevertError) as err:
        kit.send(flash.functions.liquidate(kit.pool.address, pair.address, alice, wbtc.address, MAX_UINT, 0),
                 sender=chain.accounts[6])
    assert err.value.revert.name == "PairMismatch"
    assert err.value.revert.args == {"pair": pair.address, "debtAsset": kit.usdc.address, "collateralAsset": wbtc.address}


def test_healthy_account_reverts_before_borrowing(kit, chain, setup) -> None:
    alice, pair, flash = setup
    kit.set_price(kit.tokens["WETH"], 3_000 * WAD)
    with pytest.raises(RevertError) as err:
        kit.send(flash.functions.liquidate(
            kit.pool.address, pair.address, alice, kit.tokens["WETH"].address, MAX_UINT, 0
        ), sender=chain.accounts[6])
    assert err.value.revert.name == "HealthyAccount"
