"""`defidrill.protocol.reference.deploy`: the whole protocol wired from a typed config, checked on chain."""

from __future__ import annotations

import math

import pytest

from defidrill.chain import Chain
from defidrill.protocol_terms.parameters import AssetSpec, CollateralSpec, OracleMode, OracleSpec, ProtocolSpec
from defidrill.protocol.reference.deploy import Protocol, deploy

WAD = 10**18
REQUIRED = ["WBTC", "WETH", "USDC", "AMM_FACTORY", "AMM_ROUTER", "PAIR_WETH_USDC", "PAIR_WBTC_USDC", "FEED_WETH_USD",
            "FEED_WBTC_USD", "SEQUENCER_FEED", "ORACLE_GUARD", "LENDING_POOL", "LENS", "FLASH_LIQUIDATOR"]


@pytest.fixture
def protocol(chain: Chain) -> Protocol:
    return deploy(chain)


def test_every_named_contract_has_code(chain: Chain, protocol: Protocol) -> None:
    named = protocol.named_contracts()
    assert set(REQUIRED) <= set(named)
    codes = chain.rpc.batch([("eth_getCode", [named[n].address, "latest"]) for n in REQUIRED])
    assert all(len(c.result) > 2 for c in codes)


def test_tokens_have_their_real_decimals(chain: Chain, protocol: Protocol) -> None:
    decimals = chain.call_many([protocol.tokens[s].functions.decimals() for s in ("WBTC", "WETH", "USDC")])
    assert decimals == [8, 18, 6]


def test_guard_prices_are_the_configured_start_prices(chain: Chain, protocol: Protocol) -> None:
    prices = chain.call_many([protocol.guard.functions.peekPrice(protocol.tokens[s].address) for s in ("WBTC", "WETH", "USDC")])
    assert prices == [(60_000 * WAD, True), (3_000 * WAD, True), (1 * WAD, True)]


def test_pairs_hold_half_the_liquidity_on_each_side(chain: Chain, protocol: Protocol) -> None:
    # 20M USD per pair: 10M of USDC and 10M / 60,000 = 166.666... WBTC (rounded half-even at 1e-8).
    pair = protocol.pairs["WBTC"]
    r0, r1, _ = chain.call(pair.functions.getReserves())
    wbtc_is_0 = protocol.pair_token0["WBTC"].lower() == protocol.tokens["WBTC"].address.lower()
    wbtc, usdc = (r0, r1) if wbtc_is_0 else (r1, r0)
    assert wbtc == 16_666_666_667
    assert usdc == 10_000_000 * 10**6
    # Uniswap V2's first mint: sqrt(x*y) - MINIMUM_LIQUIDITY to the liquidity provider.
    assert chain.call(pair.functions.balanceOf(protocol.liquidity_provider)) == math.isqrt(wbtc * usdc) - 1000


def test_pool_is_supplied_and_configured(chain: Chain, protocol: Protocol) -> None:
    pool = protocol.pool
    assert chain.call(pool.functions.totalSupply()) == 50_000_000 * 10**6
    assert chain.call(pool.functions.closeFactor()) == (5000, 95 * 10**16)
    cfg = chain.call(pool.functions.collateralConfig(protocol.tokens["WBTC"].address))
    assert (cfg["ltvBps"], cfg["liquidationThresholdBps"], cfg["liquidationBonusBps"]) == (7000, 7800, 600)


@pytest.mark.parametrize("mode, expected_mode", [(OracleMode.NAIVE, 2), (OracleMode.AMM_SPOT, 3)])
def test_oracle_mode_reaches_the_guard(chain: Chain, mode: OracleMode, expected_mode: int) -> None:
    config = ProtocolSpec(
        collaterals={"WETH": (AssetSpec(symbol="WETH", decimals=18, price_usd=2_000.0),
                              CollateralSpec(ltv_bps=7500, liquidation_threshold_bps=8200, liquidation_bonus_bps=500))},
        pair_liquidity_usd={"WETH": 4_000_000.0}, lender_supply_usd=1_000_000.0, oracle=OracleSpec(mode=mode),
    )
    protocol = deploy(chain, config)
    weth = protocol.tokens["WETH"].address
    cfg = chain.call(protocol.guard.functions.assetConfig(weth))
    assert cfg["mode"] == expected_mode
    expected_primary = protocol.pairs["WETH"].address if mode is OracleMode.AMM_SPOT else protocol.feeds["WETH"].address
    assert cfg["primary"] == expected_primary
    # Both modes start at the configured price: the feed's answer, or the pair's 2M/1,000 reserves.
    assert chain.call(protocol.guard.functions.peekPrice(weth)) == (2_000 * WAD, True)


def test_per_asset_staleness_reaches_the_guard(chain: Chain) -> None:
    """USDC/USD's 24 h heartbeat needs a longer staleness limit than the crypto feeds' 1 h."""
    config = ProtocolSpec(base=AssetSpec(symbol="USDC", decimals=6, price_usd=1.0, max_staleness_s=90_000))
    protocol = deploy(chain, config)
    usdc = chain.call(protocol.guard.functions.assetConfig(protocol.tokens["USDC"].address))
    wbtc = chain.call(protocol.guard.functions.assetConfig(protocol.tokens["WBTC"].address))
    assert (usdc["maxStalenessS"], wbtc["maxStalenessS"]) == (90_000, 3_600)
