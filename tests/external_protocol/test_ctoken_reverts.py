"""Every revert path of the Compound-style contracts, each with its custom error decoded by defidrill."""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

import pytest
from ctoken_kit import WAD, initial_rate

from defidrill.errors import RevertError

ONE_WBTC = 10**8
MAX_UINT = 2**256 - 1


def _reverts(kit, fn, sender: str | None = None) -> Any:
    with pytest.raises(RevertError) as err:
        kit.chain.transact(fn, sender=sender, gas=3_000_000)
    return err.value.revert


# ---------------------------------------------------------------- access control


@pytest.mark.parametrize("call", [
    lambda k: k.comptroller.functions.supportMarket(k.c("WBTC").address),
    lambda k: k.comptroller.functions.setCollateralFactor(k.c("WBTC").address, 5 * 10**17),
    lambda k: k.comptroller.functions.setCloseFactor(5 * 10**17),
    lambda k: k.comptroller.functions.setLiquidationIncentive(11 * 10**17),
    lambda k: k.comptroller.functions.setPriceOracle(k.oracle.address),
    lambda k: k.c("USDC").functions.setReserveFactor(0),
], ids=["supportMarket", "setCollateralFactor", "setCloseFactor", "setLiquidationIncentive", "setPriceOracle",
        "setReserveFactor"])
def test_admin_functions_refuse_others(kit, alice, call: Callable[[Any], Any]) -> None:
    revert = _reverts(kit, call(kit), alice)
    assert revert.name == "NotAdmin" and revert.args == {"caller": alice}


def test_oracle_source_is_owner_only(kit, alice) -> None:
    revert = _reverts(kit, kit.oracle.functions.setSource(kit.c("WBTC").address, kit.market.feeds["WBTC"].address, 8, 60), alice)
    assert revert.name == "NotOwner"


def test_oracle_source_checks(kit) -> None:
    c, feed = kit.c("WBTC").address, kit.market.feeds["WBTC"].address
    assert _reverts(kit, kit.oracle.functions.setSource(c, "0x" + "00" * 20, 8, 60)).name == "ZeroAddress"
    revert = _reverts(kit, kit.oracle.functions.setSource(c, feed, 29, 60))  # 29 + 8 feed decimals > 36
    assert revert.name == "ScaleTooLarge" and revert.args == {"underlyingDecimals": 29, "feedDecimals": 8}
    with pytest.raises(RevertError) as err:
        kit.chain.deploy("FeedPriceOracle", "0x" + "00" * 20, gas=3_000_000)
    assert err.value.revert.name == "ZeroAddress"


# ---------------------------------------------------------------- comptroller parameters


@pytest.mark.parametrize("call, error", [
    (lambda k: k.comptroller.functions.setCollateralFactor(k.c("WBTC").address, 9 * 10**17 + 1), "CollateralFactorTooHigh"),
    (lambda k: k.comptroller.functions.setCloseFactor(5 * 10**16 - 1), "CloseFactorOutOfRange"),
    (lambda k: k.comptroller.functions.setCloseFactor(WAD + 1), "CloseFactorOutOfRange"),
    (lambda k: k.comptroller.functions.setLiquidationIncentive(WAD - 1), "IncentiveOutOfRange"),
    (lambda k: k.comptroller.functions.setLiquidationIncentive(15 * 10**17 + 1), "IncentiveOutOfRange"),
    (lambda k: k.comptroller.functions.supportMarket(k.c("WBTC").address), "MarketAlreadyListed"),
    (lambda k: k.comptroller.functions.setCollateralFactor(k.token("WBTC").address, 0), "MarketNotListed"),
    (lambda k: k.comptroller.functions.enterMarkets([k.token("WETH").address]), "MarketNotListed"),
    (lambda k: k.c("USDC").functions.setReserveFactor(WAD + 1), "ReserveFactorTooHigh"),
], ids=["cf>90%", "close<5%", "close>100%", "incentive<1", "incentive>1.5", "listed-twice", "cf-unlisted",
        "enter-unlisted", "reserve>100%"])
def test_parameter_bounds(kit, call, error: str) -> None:
    assert _reverts(kit, call(kit)).name == error


def test_market_of_another_comptroller_cannot_be_listed(kit) -> None:
    stranger = kit.chain.deploy("CToken", kit.chain.deployer, kit.token("WETH").address, kit.oracle.address,
                                kit.adapter.contracts["RATE_MODEL"].address, initial_rate("WETH"), False, "x", "x")
    revert = _reverts(kit, kit.comptroller.functions.supportMarket(stranger.address))
    assert revert.name == "ComptrollerMismatch"


def test_constructor_checks_close_factor_and_incentive(kit) -> None:
    me, oracle = kit.chain.deployer, kit.oracle.address
    cases = [((me, oracle, 0, 108 * 10**16), "CloseFactorOutOfRange"), ((me, oracle, 5 * 10**17, 0), "IncentiveOutOfRange")]
    for args, error in cases:
        with pytest.raises(RevertError) as err:
            kit.chain.deploy("Comptroller", *args, gas=5_000_000)
        assert err.value.revert.name == error


def test_an_account_enters_at_most_16_markets(kit, alice) -> None:
    me, chain = kit.chain.deployer, kit.chain
    rate_model = kit.adapter.contracts["RATE_MODEL"].address
    markets = chain.deploy_many([("CToken", [me, kit.token("WETH").address, kit.comptroller.address, rate_model,
                                             initial_rate("WETH"), False, f"m{i}", f"m{i}"]) for i in range(17)],
                                gas=5_000_000)
    chain.send_many([chain.tx(kit.comptroller.functions.supportMarket(m.address), gas=500_000) for m in markets])
    chain.transact(kit.comptroller.functions.enterMarkets([m.address for m in markets[:16]]), sender=alice)
    assert _reverts(kit, kit.comptroller.functions.enterMarkets([markets[16].address]), alice).name == "TooManyMarkets"


# ---------------------------------------------------------------- market actions


def test_zero_amounts_are_refused(kit, alice) -> None:
    kit.fund(alice, "WBTC", ONE_WBTC)
    c = kit.c("WBTC")
    for fn in [c.functions.mint(0), c.functions.redeem(0), c.functions.redeemUnderlying(0),
               kit.c("USDC").functions.borrow(0), kit.c("USDC").functions.repayBorrow(10**6),  # nothing owed
               kit.c("USDC").functions.liquidateBorrow(kit.chain.accounts[4], 0, c.address)]:
        assert _reverts(kit, fn, alice).name == "ZeroAmount"


def test_a_mint_worth_less_than_one_ctoken_is_refused(kit, alice) -> None:
    # WETH: 0.02 WETH per cWETH, i.e. 2e8 raw WETH per raw cWETH: 1e8 raw mints 0 cTokens
    kit.fund(alice, "WETH", 10**8)
    assert _reverts(kit, kit.c("WETH").functions.mint(10**8), alice).name == "ZeroAmount"


def test_collateral_markets_do_not_lend(kit, alice) -> None:
    revert = _reverts(kit, kit.c("WBTC").functions.borrow(1), alice)
    assert revert.name == "BorrowNotAllowed"


def test_borrow_beyond_collateral_factor_is_refused(kit, alice) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, 0)
    revert = _reverts(kit, kit.c("USDC").functions.borrow(46_800 * 10**6 + 1), alice)
    assert revert.name == "InsufficientLiquidity"
    kit.chain.transact(kit.c("USDC").functions.borrow(46_800 * 10**6), sender=alice)  # exactly the power is fine


def test_redeem_that_would_leave_a_shortfall_is_refused(kit, alice) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, 40_000 * 10**6)
    assert _reverts(kit, kit.c("WBTC").functions.redeemUnderlying(ONE_WBTC // 2), alice).name == "InsufficientLiquidity"


def test_redeem_more_than_held_is_refused(kit, alice) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, 0)
    held = kit.chain.call(kit.c("WBTC").functions.balanceOf(alice))
    revert = _reverts(kit, kit.c("WBTC").functions.redeem(held + 1), alice)
    # decoded by selector: a same-signature error of defidrill's own may lend its parameter names
    assert revert.name == "InsufficientBalance" and list(revert.args.values()) == [alice, held, held + 1]


def test_borrow_and_redeem_need_cash(kit, alice) -> None:
    # 1,000 WBTC ($60M) of collateral against a 5M USDC market: the power is there, the cash is not
    kit.open(alice, "WBTC", 1_000 * ONE_WBTC, 0)
    cash = kit.chain.call(kit.c("USDC").functions.getCash())
    revert = _reverts(kit, kit.c("USDC").functions.borrow(cash + 1), alice)
    assert revert.name == "InsufficientCash" and list(revert.args.values()) == [cash, cash + 1]
    kit.chain.transact(kit.c("USDC").functions.borrow(cash), sender=alice)
    lender = kit.market.lender
    assert _reverts(kit, kit.c("USDC").functions.redeemUnderlying(1), lender).name == "InsufficientCash"


def test_stale_price_blocks_borrowing(kit, alice) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, 0)
    now = kit.chain.timestamp()
    kit.chain.transact(kit.market.feeds["WBTC"].functions.injectRound(60_000 * 10**8, now - 7_200, now - 7_200, 0),
                       gas=500_000)  # two hours old, older than the 1 h limit
    assert kit.chain.call(kit.oracle.functions.getUnderlyingPrice(kit.c("WBTC").address)) == 0
    assert kit.liquidity(alice) == (13, 0, 0)  # PRICE_ERROR
    assert _reverts(kit, kit.c("USDC").functions.borrow(10**6), alice).name == "PriceUnavailable"


@pytest.mark.parametrize("answer, started_delta, updated_delta, answered_in_round_delta", [
    (0, 0, 0, 0),  # non-positive
    (-1, 0, 0, 0),
    (60_000 * 10**8, 0, 0, -1),  # incomplete round: answeredInRound < roundId
    (60_000 * 10**8, 0, 600, 0),  # updated in the future
], ids=["zero", "negative", "incomplete", "future"])
def test_oracle_refuses_bad_rounds(kit, answer, started_delta, updated_delta, answered_in_round_delta) -> None:
    feed = kit.market.feeds["WBTC"]
    now = kit.chain.timestamp()
    next_round = kit.chain.call(feed.functions.latestRound()) + 1
    kit.chain.transact(feed.functions.injectRound(answer, now + started_delta, now + updated_delta,
                                                  next_round + answered_in_round_delta), gas=500_000)
    assert kit.chain.call(kit.oracle.functions.getUnderlyingPrice(kit.c("WBTC").address)) == 0


def test_liquidation_without_a_price_is_refused(kit, alice, keeper) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, 45_000 * 10**6)
    now = kit.chain.timestamp()
    kit.chain.transact(kit.market.feeds["WBTC"].functions.injectRound(50_000 * 10**8, now - 7_200, now - 7_200, 0),
                       gas=500_000)
    kit.fund(keeper, "USDC", 10**9)
    revert = _reverts(kit, kit.c("USDC").functions.liquidateBorrow(alice, 10**9, kit.c("WBTC").address), keeper)
    assert revert.name == "PriceUnavailable"
    with pytest.raises(RevertError) as err:
        kit.chain.call(kit.comptroller.functions.liquidateCalculateSeizeTokens(
            kit.c("USDC").address, kit.c("WBTC").address, 10**9))
    assert err.value.revert.name == "PriceUnavailable"


def test_a_borrower_cannot_liquidate_itself(kit, alice) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, 45_000 * 10**6)
    kit.set_price("WBTC", 57_000)
    revert = _reverts(kit, kit.c("USDC").functions.liquidateBorrow(alice, 10**9, kit.c("WBTC").address), alice)
    assert revert.name == "LiquidatorIsBorrower"


def test_seize_is_only_for_listed_markets(kit, alice, keeper) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, 0)
    assert _reverts(kit, kit.c("WBTC").functions.seize(keeper, alice, 1), keeper).name == "NotAMarket"


def test_borrow_hook_is_only_for_markets(kit, alice) -> None:
    revert = _reverts(kit, kit.comptroller.functions.borrowAllowed(kit.c("USDC").address, alice, 1), alice)
    assert revert.name == "NotAMarket"


# ---------------------------------------------------------------- hostile underlying tokens


def _market_over(kit, token_name: str, *args: Any):
    token = kit.chain.deploy(token_name, *args)
    market = kit.chain.deploy("CToken", kit.chain.deployer, token.address, kit.comptroller.address,
                              kit.adapter.contracts["RATE_MODEL"].address, initial_rate("WETH"), True, "h", "h")
    kit.chain.transact(kit.comptroller.functions.supportMarket(market.address))
    return token, market


def test_fee_on_transfer_underlying_is_refused(kit, alice) -> None:
    token, market = _market_over(kit, "FeeOnTransferToken", 18)
    kit.chain.transact(token.functions.mint(alice, 10**20))
    kit.chain.transact(token.functions.approve(market.address, MAX_UINT), sender=alice)
    assert _reverts(kit, market.functions.mint(10**20), alice).name == "TransferShortfall"


def test_false_returning_underlying_is_refused(kit, alice) -> None:
    token, market = _market_over(kit, "FalseReturnToken")
    kit.chain.transact(token.functions.mint(alice, 10**20))
    revert = _reverts(kit, market.functions.mint(10**20), alice)
    assert revert.name == "TokenCallFailed" and revert.args["token"] == token.address


def test_reentrant_underlying_cannot_reenter(kit, alice) -> None:
    token, market = _market_over(kit, "ReentrantToken")
    kit.chain.transact(token.functions.mint(alice, 10**21))
    kit.chain.transact(token.functions.approve(market.address, MAX_UINT), sender=alice)
    reenter = market.functions.mint(10**20)._encode_transaction_data()
    kit.chain.transact(token.functions.setReentry(market.address, reenter))
    kit.chain.transact(market.functions.mint(10**20), sender=alice, gas=3_000_000)
    assert kit.chain.call(token.functions.lastReentrySucceeded()) is False
    data = kit.chain.call(token.functions.lastReentryReturnData())
    assert kit.chain.registry.decode_revert(data).name == "Reentered"


# ---------------------------------------------------------------- router and rate model


def test_router_refuses_a_pair_of_other_tokens(kit, alice) -> None:
    weth_pair = kit.market.pairs["WETH"].address
    revert = _reverts(kit, kit.adapter.flash_liquidation_call(weth_pair, alice, "WBTC", 10**9, 0), alice)
    assert revert.name == "PairMismatch"


def test_router_callback_only_from_its_own_flash_swap(kit, alice) -> None:
    revert = _reverts(kit, kit.router.functions.uniswapV2Call(kit.router.address, 0, 0, b""), alice)
    assert revert.name == "UnauthorizedCallback"


def test_router_callback_refuses_a_forged_initiator(kit, alice) -> None:
    fake = kit.chain.deploy("FakeFlashPair", kit.token("USDC").address, kit.token("WBTC").address, alice)
    revert = _reverts(kit, kit.adapter.flash_liquidation_call(fake.address, alice, "WBTC", 10**9, 0), alice)
    assert revert.name == "UnexpectedInitiator" and revert.args == {"initiator": alice}


def test_flash_liquidation_reverts_when_the_seizure_cannot_repay_the_pair(kit, alice, keeper) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, 45_000 * 10**6)
    kit.set_price("WBTC", 57_000)
    # Dump 20 WBTC into the pair (166.7 WBTC / 10M USDC): its price falls to ~$47,800, below the oracle's
    # $57,000 / 1.08, so the pair wants more WBTC back (~0.21) than the seizure brings (0.189).
    pair = kit.market.pairs["WBTC"]
    kit.fund(keeper, "WBTC", 20 * ONE_WBTC, spender=kit.market.router.address)
    kit.chain.transact(kit.market.router.functions.swapExactTokensForTokens(
        20 * ONE_WBTC, 0, [kit.token("WBTC").address, kit.token("USDC").address], keeper, 2**40), sender=keeper)
    revert = _reverts(kit, kit.adapter.flash_liquidation_call(pair.address, alice, "WBTC", 10**10, 0), keeper)
    assert revert.name == "SeizedBelowRepayment"


def test_flash_liquidation_below_min_profit_reverts(kit, alice, keeper) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, 45_000 * 10**6)
    kit.set_price("WBTC", 57_000)
    revert = _reverts(kit, kit.adapter.flash_liquidation_call(kit.market.pairs["WBTC"].address, alice, "WBTC", 10**10,
                                                              10**12), keeper)
    assert revert.name == "InsufficientProfit" and list(revert.args.values())[1] == 10**12


def test_rate_model_kink_bounds_and_rates(kit) -> None:
    with pytest.raises(RevertError) as err:
        kit.chain.deploy("KinkRateModel", 0, 4 * 10**16, 75 * 10**16, 0, gas=3_000_000)
    assert err.value.revert.name == "KinkOutOfRange"
    model = kit.chain.deploy("KinkRateModel", 10**16, 4 * 10**16, 75 * 10**16, 8 * 10**17)
    year = 365 * 86_400
    base, m1, m2 = 10**16 // year, 4 * 10**16 * WAD // (8 * 10**17 * year), 75 * 10**16 * WAD // (2 * 10**17 * year)
    # 50% used: base + 0.5 x m1; 90% used: base + 0.8 x m1 + 0.1 x m2 (per second, rounded down like the contract)
    assert kit.chain.call(model.functions.getBorrowRate(50, 50, 0)) == 5 * 10**17 * m1 // WAD + base
    assert kit.chain.call(model.functions.getBorrowRate(10, 90, 0)) == (
        10**17 * m2 // WAD + (8 * 10**17 * m1 // WAD + base))
