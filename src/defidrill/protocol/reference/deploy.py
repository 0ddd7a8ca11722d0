"""Deploy and wire the reference protocol (our LendingPool and OracleGuard) from a typed config.

Over the market (``defidrill.protocol.market``): the oracle guard, the lens and the flash
liquidator, then the pool; the guard's per-asset wiring, the collateral listing, close
factor, rate model and reserve factor in one batch; the lender's supply last (a batch keeps
one sender's nonce order, not the order between senders).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from defidrill.chain import ChainAPI, Deployed, TxRequest
from defidrill.protocol.config import FallbackKind, OracleMode, ProtocolConfig
from defidrill.protocol.market import BATCH_TX_GAS, DEPLOY_GAS, Market, deploy_market, warm_up_twaps

__all__ = ["BATCH_TX_GAS", "DEPLOY_GAS", "Protocol", "deploy", "deploy_default_protocol", "deploy_reference_pool",
           "warm_up_twaps"]

# IOracleGuard enums (contracts/interfaces/IOracleGuard.sol): keep in step with the Solidity.
_GUARD_MODE = {OracleMode.GUARDED: 1, OracleMode.NAIVE: 2, OracleMode.AMM_SPOT: 3, OracleMode.TWAP: 4}
_SOURCE_NONE, _SOURCE_FEED, _SOURCE_TWAP = 0, 1, 2


@dataclass(kw_only=True)
class Protocol(Market):
    """The reference deployment: the market plus the oracle guard, the pool, its lens and flash liquidator."""

    guard: Deployed
    pool: Deployed
    lens: Deployed
    flash_liquidator: Deployed

    def named_contracts(self) -> dict[str, Deployed]:
        """The names `defidrill chain up` prints (stable: users script against them)."""
        named = super().named_contracts()
        named["ORACLE_GUARD"] = self.guard
        named["LENDING_POOL"] = self.pool
        named["LENS"] = self.lens
        named["FLASH_LIQUIDATOR"] = self.flash_liquidator
        return named


def _guard_config(mode: OracleMode, primary: str, fallback_kind: int, fallback: str, cfg: Any,
                  max_staleness_s: int | None = None) -> tuple[Any, ...]:
    return (
        _GUARD_MODE[mode],
        primary,
        fallback_kind,
        fallback,
        max_staleness_s or cfg.max_staleness_s,
        cfg.max_deviation_bps,
        cfg.check_bounds,
        cfg.bound_buffer_bps,
    )


def deploy(chain: ChainAPI, config: ProtocolConfig | None = None, *, liquidity_provider: str | None = None,
           lender: str | None = None) -> Protocol:
    """Deploy, seed and wire the market and the reference pool on it; returns typed handles."""
    config = config or ProtocolConfig()
    market = deploy_market(chain, config, liquidity_provider=liquidity_provider, lender=lender)
    return deploy_reference_pool(chain, market)


def deploy_reference_pool(chain: ChainAPI, market: Market) -> Protocol:
    """The guard, the pool, its lens and flash liquidator over ``market``; the lender supplies."""
    config = market.config
    guard, lens, flash = chain.deploy_many([("OracleGuard", []), ("Lens", []), ("FlashLiquidator", [])], gas=DEPLOY_GAS)
    [pool] = chain.deploy_many([("LendingPool", [market.base.address, guard.address])], gas=DEPLOY_GAS)
    tokens = market.tokens
    txs = _guard_wiring(chain, config, guard, market.feeds, market.fallback_feeds, market.twaps, market.pairs,
                        market.sequencer, tokens)
    for sym, (_spec, coll) in config.collaterals.items():
        txs.append(chain.tx(pool.functions.listCollateral(tokens[sym].address, coll.ltv_bps, coll.liquidation_threshold_bps,
                                                         coll.liquidation_bonus_bps, coll.supply_cap_raw), gas=BATCH_TX_GAS))
    txs.append(chain.tx(pool.functions.setCloseFactor(config.close_factor_bps, config.full_close_below_hf_wad), gas=BATCH_TX_GAS))
    rm = config.rate_model
    txs.append(chain.tx(pool.functions.setRateModel(rm.base_rate_wad, rm.slope1_wad, rm.slope2_wad, rm.kink_wad),
                        gas=BATCH_TX_GAS))
    txs.append(chain.tx(pool.functions.setReserveFactor(config.reserve_factor_bps), gas=BATCH_TX_GAS))
    chain.send_many(txs)
    supply_raw = market.lender_supply_raw()
    if supply_raw > 0:
        chain.send_many([
            chain.tx(market.base.functions.approve(pool.address, 2**256 - 1), sender=market.lender, gas=BATCH_TX_GAS),
            chain.tx(pool.functions.supply(supply_raw), sender=market.lender, gas=BATCH_TX_GAS),
        ])
    fields = {f.name: getattr(market, f.name) for f in dataclasses.fields(Market)}
    return Protocol(**fields, guard=guard, pool=pool, lens=lens, flash_liquidator=flash)


def _guard_wiring(chain: ChainAPI, config: ProtocolConfig, guard: Deployed, feeds: dict[str, Deployed],
                  fallback_feeds: dict[str, Deployed], twaps: dict[str, Deployed], pairs: dict[str, Deployed],
                  sequencer: Deployed, tokens: dict[str, Deployed]) -> list[TxRequest]:
    oracle = config.oracle
    txs: list[TxRequest] = []
    for sym, token in tokens.items():
        mode = oracle.mode
        is_base = sym == config.base.symbol
        if is_base and mode in (OracleMode.AMM_SPOT, OracleMode.TWAP):
            mode = OracleMode.GUARDED  # the base has no /base pair: it is always priced by its feed
        fallback_kind, fallback = _SOURCE_NONE, "0x0000000000000000000000000000000000000000"
        if mode in (OracleMode.GUARDED, OracleMode.TWAP):
            if oracle.fallback is FallbackKind.FEED and sym in fallback_feeds:
                fallback_kind, fallback = _SOURCE_FEED, fallback_feeds[sym].address
            elif oracle.fallback is FallbackKind.TWAP and sym in twaps and mode is not OracleMode.TWAP:
                fallback_kind, fallback = _SOURCE_TWAP, twaps[sym].address
        primary = {
            OracleMode.GUARDED: feeds[sym].address,
            OracleMode.NAIVE: feeds[sym].address,
            OracleMode.AMM_SPOT: pairs[sym].address if not is_base else feeds[sym].address,
            OracleMode.TWAP: twaps[sym].address if sym in twaps else feeds[sym].address,
        }[mode]
        cfg = _guard_config(mode, primary, fallback_kind, fallback, oracle, config.asset(sym).max_staleness_s)
        txs.append(chain.tx(guard.functions.setAssetConfig(token.address, cfg), gas=BATCH_TX_GAS))
    if oracle.sequencer:
        txs.append(chain.tx(guard.functions.setSequencerFeed(sequencer.address, oracle.grace_period_s), gas=BATCH_TX_GAS))
    return txs


def deploy_default_protocol(chain: ChainAPI) -> Protocol:
    """The protocol `defidrill chain up` serves: defaults of ProtocolConfig (WBTC, WETH against USDC)."""
    return deploy(chain)
