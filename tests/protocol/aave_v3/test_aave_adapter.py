"""Every AaveV3Adapter method on genuine Aave V3: markets, reads (both strategies agree), flash path,
top-up and repay, price sources, the liquidation record, invariants, named contracts, refusals."""

from __future__ import annotations

import pytest

from conftest import CONFIG, USDC, WETH, AaveWorld
from contracts.amm.amm_formulas import amount_in, amount_out
from defidrill.errors import ConfigError, RevertError
from defidrill.protocol.aave_v3.adapter import AaveV3Adapter
from defidrill.protocol.aave_v3.mapping import check_expressible
from defidrill.run_folder.records import Liquidation
from defidrill.protocol_terms.parameters import CollateralSpec, OracleMode, OracleSpec

WAD = 10**18


def test_markets_read_back_aave_reserve_configuration(aave: AaveWorld) -> None:
    m = aave.adapter.markets()
    assert m.protocol == "aave-v3"
    assert (m.base.symbol, m.base.decimals) == ("USDC", 6)
    weth, wbtc = m.collaterals["WETH"], m.collaterals["WBTC"]
    def risk(c):
        return (c.ltv_bps, c.liquidation_threshold_bps, c.liquidation_bonus_bps, c.asset.decimals)

    assert risk(weth) == (7500, 8200, 500, 18)
    assert risk(wbtc) == (7000, 7800, 600, 8)
    assert m.close_factor.repay_cap_base(24_000, 96 * 10**16) == 12_000
    assert m.close_factor.repay_cap_base(24_000, 95 * 10**16) == 24_000
    assert "close_factor" in m.fixed_by_protocol


def _reads(aave: AaveWorld, accounts: list[str], strategy: str):  # type: ignore[no-untyped-def]
    adapter = AaveV3Adapter(aave.chain, aave.market, aave.adapter.aave, read_strategy=strategy)  # type: ignore[arg-type]
    return adapter.decode_reads(aave.chain.call_many(adapter.prepare_reads(aave.chain, accounts)))


def test_both_read_strategies_give_the_hand_computed_view(aave: AaveWorld) -> None:
    alice, bob, nobody = aave.chain.accounts[5], aave.chain.accounts[7], aave.chain.accounts[8]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    aave.open(bob, "WBTC", 10**8, 40_000 * USDC)
    lens, rpc = _reads(aave, [alice, bob, nobody], "lens"), _reads(aave, [alice, bob, nobody], "rpc")
    assert lens == rpc
    a, b, n = lens.accounts
    assert a.health_factor_wad == 1_025 * 10**15
    assert a.collateral_value_usd_wad == 30_000 * WAD
    assert a.liquidation_value_usd_wad == 24_600 * WAD  # 30,000 x 82%
    assert (a.debt_base, a.debt_usd_wad, a.prices_ok) == (24_000 * USDC, 24_000 * WAD, True)
    assert a.collateral_raw == {"WETH": 10 * WETH, "WBTC": 0}
    assert b.health_factor_wad == 60_000 * 78 * WAD // (100 * 40_000)  # 1.17
    assert n.debt_base == 0 and n.health_factor_wad == 2**256 - 1
    assert lens.prices["WBTC"].price_wad == 60_000 * WAD and lens.prices["WBTC"].ok
    # The lender supplied 1,000,000 USDC; 64,000 are lent out.
    t = lens.totals
    assert (t.total_supply_base, t.total_borrow_base, t.cash_base) == (1_000_000 * USDC, 64_000 * USDC, 936_000 * USDC)
    assert t.reserves_base == 0


def test_flash_liquidation_profit_by_uniswap_formulas(aave: AaveWorld) -> None:
    alice, keeper = aave.chain.accounts[5], aave.chain.accounts[6]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    aave.past_grace()
    aave.set_price("WETH", 2_900)  # the pair still prices WETH at 3,000
    pair = aave.market.pairs["WETH"]
    r0, r1, _ = aave.chain.call(pair.functions.getReserves())
    weth_is_0 = aave.market.pair_token0["WETH"].lower() == aave.market.tokens["WETH"].address.lower()
    reserve_weth, reserve_usdc = (r0, r1) if weth_is_0 else (r1, r0)
    repay = 10_000 * USDC
    seized = (10**8 * repay * WETH // (2_900 * 10**8 * USDC) * 10_500 + 5_000) // 10_000
    owed = amount_in(repay, reserve_weth, reserve_usdc)
    profit = amount_out(seized - owed, reserve_weth + owed, reserve_usdc - repay)
    fn = aave.adapter.flash_liquidation_call(pair.address, alice, "WETH", repay, 0)
    receipt = aave.chain.transact(fn, sender=keeper, gas=3_000_000)
    [flash] = receipt.events_named("FlashLiquidation")
    assert (flash["borrowedBase"], flash["soldRaw"], flash["profitBase"]) == (repay, seized - owed, profit)
    assert aave.chain.call(aave.market.base.functions.balanceOf(keeper)) == profit
    [event] = receipt.events_named("LiquidationCall")
    record = aave.adapter.decode_liquidation({"event": "LiquidationCall", "address": aave.adapter.spender,
                                              "args": event, "block": receipt.block_number}, None)
    # Health before, read at the block before: 29,000 x 0.82 / 24,000.
    assert record == Liquidation(alice, aave.market.tokens["WETH"].address, repay, seized,
                                       29_000 * 82 * WAD // (100 * 24_000), record.liquidator)
    assert record.liquidator == aave.adapter.aave.flash_liquidator.address


def test_flash_liquidator_caps_the_borrow_at_the_close_factor(aave: AaveWorld) -> None:
    alice, keeper = aave.chain.accounts[5], aave.chain.accounts[6]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    aave.past_grace()
    aave.set_price("WETH", 2_900)
    flash = aave.adapter.aave.flash_liquidator
    assert aave.chain.call(flash.functions.maxRepayBase(aave.adapter.spender, alice, aave.market.tokens["WETH"].address,
                                                        aave.market.base.address)) == 12_000 * USDC
    receipt = aave.chain.transact(aave.adapter.flash_liquidation_call(aave.market.pairs["WETH"].address, alice, "WETH",
                                                                      2**256 - 1, 0), sender=keeper, gas=3_000_000)
    [event] = receipt.events_named("LiquidationCall")
    assert event["debtToCover"] == 12_000 * USDC


def test_flash_liquidator_reverts(aave: AaveWorld) -> None:
    alice, keeper = aave.chain.accounts[5], aave.chain.accounts[6]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    aave.past_grace()
    pair = aave.market.pairs["WETH"].address
    flash = aave.adapter.aave.flash_liquidator
    with pytest.raises(RevertError) as err:  # healthy
        aave.chain.transact(aave.adapter.flash_liquidation_call(pair, alice, "WETH", 1_000 * USDC, 0), sender=keeper)
    assert err.value.revert.name == "NothingToLiquidate"
    assert err.value.revert.args["healthFactorWad"] == 1_025 * 10**15
    aave.set_price("WETH", 2_900)
    with pytest.raises(RevertError) as err:
        aave.chain.transact(aave.adapter.flash_liquidation_call(pair, alice, "WETH", 1_000 * USDC, 10**12), sender=keeper)
    assert err.value.revert.name == "InsufficientProfit"
    with pytest.raises(RevertError) as err:  # the WBTC pair does not trade WETH
        aave.chain.transact(aave.adapter.flash_liquidation_call(aave.market.pairs["WBTC"].address, alice, "WETH",
                                                                1_000 * USDC, 0), sender=keeper)
    assert err.value.revert.name == "PairMismatch"
    with pytest.raises(RevertError) as err:
        aave.chain.transact(flash.functions.uniswapV2Call(keeper, 1, 0, b""), sender=keeper)
    assert err.value.revert.args == {"caller": keeper}
    fake = aave.chain.deploy("FakeFlashPair", aave.market.tokens["WETH"].address, aave.market.base.address, keeper)
    with pytest.raises(RevertError) as err:
        aave.chain.transact(aave.adapter.flash_liquidation_call(fake.address, alice, "WETH", 1_000 * USDC, 0), sender=keeper)
    assert err.value.revert.name == "UnexpectedInitiator"
    # The pair prices WETH far below the oracle: the seizure cannot repay the flash swap.
    weth, router = aave.market.tokens["WETH"], aave.market.router
    aave.chain.transact(weth.functions.mint(keeper, 3_000 * WETH))
    aave.chain.transact(weth.functions.approve(router.address, 2**256 - 1), sender=keeper)
    aave.chain.transact(router.functions.swapExactTokensForTokens(3_000 * WETH, 0, [weth.address, aave.market.base.address],
                                                                  keeper, 2**40), sender=keeper)
    with pytest.raises(RevertError) as err:
        aave.chain.transact(aave.adapter.flash_liquidation_call(pair, alice, "WETH", 10_000 * USDC, 0), sender=keeper)
    assert err.value.revert.name == "SeizedBelowRepayment"


def test_top_up_and_repay_on_behalf(aave: AaveWorld) -> None:
    alice = aave.chain.accounts[5]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    aave.past_grace()
    funder, weth = aave.funder, aave.market.tokens["WETH"]
    aave.chain.transact(weth.functions.mint(funder, 2 * WETH))
    aave.chain.transact(aave.market.base.functions.mint(funder, 4_000 * USDC))
    for fn in aave.adapter.top_up_calls(funder, alice, "WETH", 2 * WETH) + aave.adapter.repay_calls(funder, alice, 4_000 * USDC):
        aave.chain.transact(fn, sender=funder)
    assert aave.a_balance("WETH", alice) == 12 * WETH
    assert aave.debt(alice) == 20_000 * USDC


def test_price_sources_are_the_market_feeds(aave: AaveWorld) -> None:
    sources = aave.adapter.price_sources()
    assert sources == {s: aave.market.feeds[s].address for s in ("USDC", "WBTC", "WETH")}
    oracle = aave.adapter.aave.oracle
    sources_now = [aave.chain.call(oracle.functions.getSourceOfAsset(aave.market.tokens[s].address)) for s in sources]
    assert sources_now == list(sources.values())


def test_invariants_hold_after_a_liquidation_and_catch_a_healthy_one(aave: AaveWorld) -> None:
    alice, bob, keeper = aave.chain.accounts[5], aave.chain.accounts[7], aave.chain.accounts[6]
    aave.open(alice, "WETH", 10 * WETH, 24_000 * USDC)
    aave.open(bob, "WBTC", 10**8, 40_000 * USDC)
    aave.past_grace()
    aave.set_price("WETH", 2_900)
    aave.fund_keeper(keeper, 100_000 * USDC)
    receipt = aave.chain.transact(aave.adapter.liquidation_call(alice, "WETH", 5_000 * USDC), sender=keeper)
    [event] = receipt.events_named("LiquidationCall")
    record = aave.adapter.decode_liquidation({"event": "LiquidationCall", "address": aave.adapter.spender,
                                              "args": event, "block": receipt.block_number}, 99 * 10**16)
    assert record is not None and record.health_before_wad == 99 * 10**16
    results = aave.adapter.invariants(aave.chain, [alice, bob], [record])
    assert [r.ok for r in results] == [True] * 4, [r.detail for r in results]
    healthy = Liquidation(bob, record.collateral_asset, 1, 1, WAD, keeper)
    assert not aave.adapter.invariants(aave.chain, [alice, bob], [record, healthy])[-1].ok
    # Leaving bob out of the accounts breaks the collateral sum.
    assert not aave.adapter.invariants(aave.chain, [alice], [record])[2].ok


def test_other_events_are_not_liquidations(aave: AaveWorld) -> None:
    assert aave.adapter.decode_liquidation({"event": "Supply", "address": aave.adapter.spender, "args": {}}, None) is None
    assert aave.adapter.decode_liquidation({"event": "LiquidationCall", "address": aave.market.base.address, "args": {}},
                                           None) is None


def test_named_contracts_have_code(aave: AaveWorld) -> None:
    named = aave.adapter.named_contracts()
    assert {"LENDING_POOL", "LENS", "FLASH_LIQUIDATOR", "AAVE_ORACLE", "AAVE_PRICE_ORACLE_SENTINEL", "A_WETH",
            "VARIABLE_DEBT_USDC"} <= set(named)
    codes = aave.chain.rpc.batch([("eth_getCode", [c.address, "latest"]) for c in named.values()])
    assert all(len(c.result) > 2 for c in codes)


@pytest.mark.parametrize(("change", "path"), [
    ({"close_factor_bps": 10_000}, "protocol.close_factor"),
    ({"oracle": OracleSpec(mode=OracleMode.TWAP)}, "protocol.oracle.mode"),
    ({"collaterals": {"WETH": (CONFIG.collaterals["WETH"][0],
                               CollateralSpec(ltv_bps=9000, liquidation_threshold_bps=9800, liquidation_bonus_bps=500))}},
     "protocol.collateral.WETH"),
    ({"collaterals": {"WETH": (CONFIG.collaterals["WETH"][0].model_copy(update={"feed_decimals": 18}),
                               CONFIG.collaterals["WETH"][1])}}, "protocol.oracle.feeds.WETH.decimals"),
])
def test_what_aave_cannot_express_is_refused(change: dict, path: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError) as err:
        check_expressible(CONFIG.model_copy(update=change))
    assert err.value.path == path
    assert "aave-v3 cannot express" in str(err.value)
