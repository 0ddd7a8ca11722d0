"""Our contracts around genuine Morpho Blue, each revert path included: MorphoGuardOracle's 1e36 scale for
8-, 18- and 6-decimal tokens, MorphoKinkedIrm's rate, MorphoFlashLiquidator through onMorphoLiquidate."""

from __future__ import annotations

import pytest

from defidrill.errors import RevertError
from morpho_world import USDC, WAD, WETH, MorphoWorld

YEAR_S = 365 * 24 * 3600


def _oracle(morpho: MorphoWorld, collateral: str, loan: str) -> object:
    cfg, tokens = morpho.market.config, morpho.market.tokens
    return morpho.chain.deploy("MorphoGuardOracle", morpho.adapter.d.guard.address, tokens[collateral].address,
                               cfg.asset(collateral).decimals, tokens[loan].address, cfg.asset(loan).decimals)


def test_oracle_scale_with_8_18_and_6_decimals(morpho: MorphoWorld) -> None:
    # price = collateral USD / loan USD x 10^(36 + loan decimals - collateral decimals), floored.
    price = lambda o: morpho.chain.call(o.functions.price())  # noqa: E731
    assert price(morpho.adapter.d.oracles["WBTC"]) == 60_000 * 10**34       # WBTC (8) in USDC (6): 6e38
    assert price(morpho.adapter.d.oracles["WETH"]) == 3_000 * 10**24        # WETH (18) in USDC (6): 3e27
    assert price(_oracle(morpho, "WBTC", "WETH")) == 20 * 10**46            # WBTC (8) in WETH (18): 60,000 / 3,000
    assert price(_oracle(morpho, "USDC", "WBTC")) == 10**38 // 60_000       # USDC (6) in WBTC (8): floored
    assert price(_oracle(morpho, "WETH", "WBTC")) == 10**26 // 20           # WETH (18) in WBTC (8)


def test_oracle_refuses_impossible_decimals(morpho: MorphoWorld) -> None:
    guard, token = morpho.adapter.d.guard.address, morpho.market.tokens["WETH"].address
    with pytest.raises(RevertError) as err:  # 36 + 6 - 60 < 0
        morpho.chain.deploy("MorphoGuardOracle", guard, token, 60, token, 6)
    assert "DecimalsOutOfRange" in str(err.value)
    with pytest.raises(RevertError) as err:  # 36 + 18 - 0 = 54 > 50: could overflow
        morpho.chain.deploy("MorphoGuardOracle", guard, token, 0, token, 18)
    assert "DecimalsOutOfRange" in str(err.value)


def test_oracle_reverts_when_the_guard_refuses_a_price(morpho: MorphoWorld) -> None:
    """Naive mode refuses only an unusable answer (<= 0 here: the feed's minAnswer is 1 raw unit, so a
    guarded mode's rules are what the drill adds); an unconfigured asset is refused too."""
    oracle = morpho.adapter.d.oracles["WETH"]
    stranger = morpho.chain.deploy("MintableERC20", "Stranger", "STR", 18)
    unpriced = morpho.chain.deploy("MorphoGuardOracle", morpho.adapter.d.guard.address, stranger.address, 18,
                                   morpho.market.base.address, 6)
    with pytest.raises(RevertError) as err:
        morpho.chain.call(unpriced.functions.price())
    assert "PriceUnavailable" in str(err.value)
    base_priced = morpho.chain.deploy("MorphoGuardOracle", morpho.adapter.d.guard.address,
                                      morpho.market.tokens["WETH"].address, 18, stranger.address, 18)
    with pytest.raises(RevertError) as err:
        morpho.chain.call(base_priced.functions.price())
    assert "PriceUnavailable" in str(err.value)
    assert morpho.chain.call(oracle.functions.price()) == 3_000 * 10**24


def test_kinked_irm_rate_per_second(morpho: MorphoWorld) -> None:
    irm = morpho.chain.deploy("MorphoKinkedIrm", 0, 4 * 10**16, 75 * 10**16, 8 * 10**17)
    params = morpho.adapter.d.params["WETH"]
    rate = lambda borrow, supply: morpho.chain.call(irm.functions.borrowRateView(params, (supply, 0, borrow, 0, 0, 0)))  # noqa: E731
    # U 50%: 4% x 0.5 / 0.8 = 2.5% a year; U 90%: 4% + 75% x 0.1 / 0.2 = 41.5%; no supply: 0%.
    assert rate(50, 100) == 25 * 10**15 // YEAR_S
    assert rate(90, 100) == (4 * 10**16 + 75 * 10**16 * 10**17 // (2 * 10**17)) // YEAR_S
    assert rate(0, 0) == 0
    assert morpho.chain.call(irm.functions.borrowRate(params, (100, 0, 50, 0, 0, 0))) == rate(50, 100)
    for bad in (0, WAD + 1):
        with pytest.raises(RevertError) as err:
            morpho.chain.deploy("MorphoKinkedIrm", 0, 1, 1, bad)
        assert "KinkOutOfRange" in str(err.value)


def _underwater(morpho: MorphoWorld, price_usd: float = 2_900) -> str:
    alice = morpho.chain.accounts[5]
    morpho.open(alice, "WETH", 10 * WETH, 25_000 * USDC)
    morpho.set_price("WETH", price_usd)
    morpho.scan(alice)
    return alice


def test_flash_liquidation_sells_the_seizure_and_pays_the_profit(morpho: MorphoWorld) -> None:
    alice, keeper = _underwater(morpho), morpho.chain.accounts[6]
    pair = morpho.market.pairs["WETH"].address
    # The pair is priced at the start ($3,000): buying at 2,900 / 1.0438 and selling near 3,000 pays.
    receipt = morpho.chain.transact(
        morpho.adapter.flash_liquidation_call(pair, alice, "WETH", 10_000 * USDC, 1), sender=keeper)
    [liquidate] = receipt.events_named("Liquidate", morpho.adapter.spender)
    [flash] = receipt.events_named("FlashLiquidation")
    profit = morpho.chain.call(morpho.market.base.functions.balanceOf(keeper))
    assert profit == flash["profitBase"] > 0
    assert (flash["seizedRaw"], flash["repaidBase"]) == (liquidate["seizedAssets"], liquidate["repaidAssets"])
    liquidator = morpho.adapter.d.flash_liquidator.address
    for token in (morpho.market.base, morpho.market.tokens["WETH"]):  # holds nothing between calls
        assert morpho.chain.call(token.functions.balanceOf(liquidator)) == 0
    assert morpho.chain.call(morpho.market.base.functions.allowance(liquidator, morpho.adapter.spender)) == 0


def test_flash_liquidation_reverts(morpho: MorphoWorld) -> None:
    alice, keeper = _underwater(morpho), morpho.chain.accounts[6]
    flash, params = morpho.adapter.d.flash_liquidator, morpho.adapter.d.params["WETH"]
    wbtc_pair, weth_pair = morpho.market.pairs["WBTC"].address, morpho.market.pairs["WETH"].address
    with pytest.raises(RevertError) as err:
        morpho.chain.transact(morpho.adapter.flash_liquidation_call(wbtc_pair, alice, "WETH", 10_000 * USDC, 0),
                              sender=keeper)
    assert "PairMismatch" in str(err.value)
    with pytest.raises(RevertError) as err:
        morpho.chain.transact(morpho.adapter.flash_liquidation_call(weth_pair, alice, "WETH", 10_000 * USDC, 10**12),
                              sender=keeper)
    assert "InsufficientProfit" in str(err.value)
    with pytest.raises(RevertError) as err:
        morpho.chain.transact(flash.functions.onMorphoLiquidate(1, b""), sender=keeper)
    assert "UnauthorizedCallback" in str(err.value)
    # The pair far below the oracle: the seizure sells for less than Morpho is owed.
    router, weth = morpho.market.router, morpho.market.tokens["WETH"]
    dumper = morpho.chain.accounts[8]
    morpho.chain.transact(weth.functions.mint(dumper, 10_000 * WETH))
    morpho.chain.transact(weth.functions.approve(router.address, 2**256 - 1), sender=dumper)
    morpho.chain.transact(router.functions.swapExactTokensForTokens(
        10_000 * WETH, 0, [weth.address, morpho.market.base.address], dumper, 2**40), sender=dumper)
    with pytest.raises(RevertError) as err:
        morpho.chain.transact(flash.functions.liquidate(morpho.adapter.spender, params, weth_pair, alice, 0,
                                                        morpho.position("WETH", alice)[1] // 3, 0), sender=keeper)
    assert "SaleBelowRepayment" in str(err.value)


def test_flash_liquidator_refuses_reentry_from_a_hostile_collateral(morpho: MorphoWorld) -> None:
    """A market whose collateral token calls back into the liquidator when Morpho sends it the seizure:
    the nested ``liquidate`` reverts ReentrantCall (the token records it), the outer one completes. The
    market's oracle reads a settable source, so PriceUnavailable is checked on it too."""
    from eth_utils.crypto import keccak

    chain, d, m = morpho.chain, morpho.adapter.d, morpho.market
    me, alice, keeper = chain.deployer, chain.accounts[5], chain.accounts[6]
    hostile = chain.deploy("ReentrantToken")
    source = chain.deploy("FixedPriceOracle")
    for token, usd in ((hostile.address, 3_000), (m.base.address, 1)):
        chain.transact(source.functions.setPrice(token, usd * WAD))
    oracle = chain.deploy("MorphoGuardOracle", source.address, hostile.address, 18, m.base.address, 6)
    params = (m.base.address, hostile.address, oracle.address, "0x" + "0" * 40, 86 * 10**16)
    chain.transact(d.morpho.functions.createMarket(params))
    chain.transact(m.factory.functions.createPair(hostile.address, m.base.address))
    pair = chain.at("AmmPair", chain.call(m.factory.functions.getPair(hostile.address, m.base.address)))
    for fn in (hostile.functions.mint(pair.address, 1_000 * WETH), m.base.functions.mint(pair.address, 3_000_000 * USDC),
               pair.functions.mint(me), m.base.functions.mint(me, 100_000 * USDC),
               m.base.functions.approve(d.morpho.address, 2**256 - 1), hostile.functions.mint(alice, 10 * WETH)):
        chain.transact(fn)
    chain.transact(d.morpho.functions.supply(params, 100_000 * USDC, 0, me, b""))
    chain.transact(hostile.functions.approve(d.morpho.address, 2**256 - 1), sender=alice)
    chain.transact(d.morpho.functions.supplyCollateral(params, 10 * WETH, alice, b""), sender=alice)
    chain.transact(d.morpho.functions.borrow(params, 25_000 * USDC, 0, alice, alice), sender=alice)
    chain.transact(source.functions.setPrice(hostile.address, 2_900 * WAD))
    nested = d.flash_liquidator.functions.liquidate(d.morpho.address, params, pair.address, alice, 0, 1, 0)
    chain.transact(hostile.functions.setReentry(d.flash_liquidator.address, chain.encode(nested)[1]))
    receipt = chain.transact(d.flash_liquidator.functions.liquidate(d.morpho.address, params, pair.address, alice, 0,
                                                                    25_000 * USDC * 10**6 // 3, 0), sender=keeper)
    assert receipt.events_named("FlashLiquidation")
    assert chain.call(hostile.functions.lastReentrySucceeded()) is False
    returned = chain.call(hostile.functions.lastReentryReturnData())
    returned = bytes.fromhex(returned.removeprefix("0x")) if isinstance(returned, str) else bytes(returned)
    assert returned[:4] == keccak(text="ReentrantCall()")[:4]
    chain.transact(source.functions.setAvailable(hostile.address, False))
    with pytest.raises(RevertError) as err:
        chain.call(oracle.functions.price())
    assert "PriceUnavailable" in str(err.value)
