"""Genuine Aave V3 behind the lending adapter interface (``kind: aave-v3``).

How each method maps (docs/adapters.md has the table): markets from the protocol's own
reserve configuration (``AaveProtocolDataProvider.getReserveConfigurationData``); seeding
supplies collateral ``onBehalfOf`` each account, then each account borrows at the
variable rate; the step's read is ``AaveLens.scan`` (``reads.py``); keepers call
``Pool.liquidationCall(collateral, debt, user, debtToCover, false)`` or our
``AaveFlashLiquidator``; liquidations are Aave's ``LiquidationCall`` events. Aave emits no
health factor, so the record takes it from the step's scan. Aave V3.0 writes no bad debt
off (``decode_bad_debt`` is None): an emptied account keeps its debt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

from web3.contract.contract import ContractFunction

from defidrill.chain import ChainAPI, Deployed, PreparedCall, TxRequest
from defidrill.errors import ConfigError
from defidrill.protocol.aave_v3.attach import attach_aave
from defidrill.protocol.aave_v3.discovery import aave_borrowers
from defidrill.protocol.aave_v3.deploy import (
    CONFIG_GAS,
    VARIABLE_RATE,
    ZERO,
    AaveDeployment,
    deploy_aave,
    lender_supply_txs,
    risk_txs,
)
from defidrill.protocol.aave_v3.mapping import (
    AAVE_CLOSE_FACTOR_BPS,
    AAVE_FULL_CLOSE_BELOW_HF_WAD,
    FIXED_BY_PROTOCOL,
    check_expressible,
    reserve_risk,
)
from defidrill.protocol_terms.fixed_point import BPS
from defidrill.protocol.aave_v3.invariants import Baseline, ReserveReads, check_reserves, read_reserves, reserve_reads
from defidrill.protocol.aave_v3.reads import LensReader, ReadStrategy, RpcReader, plan_of
from defidrill.protocol.adapter import (
    MAX_UINT, AssetInfo, CloseFactorRule, CollateralInfo, ForkedProtocol, FoundBorrowers, InvariantResult,
    LendingAdapter,
    LendingMarkets, ProtocolReads, SeedPosition
)
from defidrill.protocol.adapter_kit import expect_ok
from defidrill.protocol_terms.parameters import ProtocolSpec
from defidrill.protocol.market import Market
from defidrill.run_folder.records import Liquidation

#: Gas for a seeding supply / borrow sent in a batch (never estimated against an unmined state).
SEED_GAS = 1_000_000


class AaveV3Adapter(LendingAdapter):
    kind: ClassVar[str] = "aave-v3"

    def __init__(self, chain: ChainAPI, market: Market, deployment: AaveDeployment, *,
                 read_strategy: ReadStrategy = "lens") -> None:
        self.chain, self.market, self.aave = chain, market, deployment
        cfg = market.config
        self.symbols = [cfg.base.symbol, *cfg.collaterals]
        self.assets = [market.tokens[s].address for s in self.symbols]
        plan = plan_of(deployment, self.symbols, self.assets)
        self.reader: LensReader | RpcReader = (
            LensReader(chain, deployment, plan) if read_strategy == "lens"
            else RpcReader(chain, deployment, plan, [market.tokens[s] for s in self.symbols]))
        self._markets: LendingMarkets | None = None
        #: Fork mode: the reserves as the drill found them (the invariants check what changed since).
        self.baseline: Baseline | None = None
        self._reserve_reads: ReserveReads | None = None

    @classmethod
    def check_config(cls, config: ProtocolSpec, *, file: str | None = None) -> None:
        check_expressible(config, file=file)

    @classmethod
    def deploy(cls, chain: ChainAPI, market: Market, config: ProtocolSpec) -> AaveV3Adapter:
        check_expressible(config)
        market = market.with_config(config)
        return cls(chain, market, deploy_aave(chain, market))

    @classmethod
    def discover(cls, chain: ChainAPI, address: str, symbols: Sequence[str]) -> ForkedProtocol:
        """``address`` is the market's PoolAddressesProvider (``attach.attach_aave``): reserves matched by
        symbol, each one's AaveOracle source, the sentinel's sequencer feed; the risk parameters the
        fork states are kept for the report before the drill's replace them."""
        found = attach_aave(chain, address, list(symbols))
        dp = found.deployment.data_provider
        rows = chain.call_many([dp.functions.getReserveConfigurationData(found.tokens[s]) for s in symbols[1:]])
        forked = {s: {"ltv_bps": int(r[1]), "liquidation_threshold_bps": int(r[2]), "liquidation_bonus_bps": int(r[3]) - BPS}
                  for s, r in zip(symbols[1:], rows)}
        return ForkedProtocol(address=address, tokens=found.tokens, price_sources=found.price_sources,
                              sequencer_feed=found.sequencer_feed, handle=found.deployment, forked_params=forked)

    @classmethod
    def attach(cls, chain: ChainAPI, market: Market, config: ProtocolSpec, found: ForkedProtocol) -> AaveV3Adapter:
        """The drill's risk parameters on the forked reserves (we hold the pool admin role), then the
        lender's supply. A sequencer drill needs the market's own PriceOracleSentinel: Aave reads no other."""
        check_expressible(config)
        deployment = found.handle
        if not isinstance(deployment, AaveDeployment):
            raise TypeError("AaveV3Adapter.attach takes what AaveV3Adapter.discover found")
        if config.oracle.sequencer and deployment.sentinel is None:
            raise ConfigError(f"the Aave market at {found.address} has no PriceOracleSentinel: a sequencer_down "
                              "failure cannot reach it", path="failures", allowed="a market with a sentinel, or no "
                              "sequencer_down failure")
        symbols = [config.base.symbol, *config.collaterals]
        tokens = {s: market.tokens[s].address for s in symbols}
        baseline = read_reserves(chain, reserve_reads(chain, deployment, market, symbols,
                                                    [market.lender, deployment.treasury], []))
        for phase, txs in (("attach (risk parameters)", risk_txs(chain, deployment.configurator, config, tokens)),
                           ("attach (lender supply)", lender_supply_txs(chain, market, deployment.pool))):
            if txs:
                expect_ok(chain, txs, chain.send_many(txs, raise_on_revert=False), phase)
        adapter = cls(chain, market, deployment)
        adapter.baseline = baseline
        return adapter

    def discover_borrowers(self, chain: ChainAPI, from_block: int, to_block: int) -> FoundBorrowers:
        """The forked book: every account a ``Borrow`` of the base reserve names (``discovery.py``)."""
        return aave_borrowers(chain, self.aave.pool.address, self.market.base.address, from_block, to_block,
                              reserve_symbol=self.symbols[0])

    def adopt_accounts(self, chain: ChainAPI, accounts: Sequence[str]) -> None:
        """The baseline read at attach gains the forked book's scaled balances, so the first fork check
        (scaled total change = our holders' change) counts what the drill does to them, not what they held."""
        if self.baseline is None or not accounts:
            return
        held = read_reserves(chain, reserve_reads(chain, self.aave, self.market, self.symbols, list(accounts), []))
        self.baseline = {sym: replace(state, scaled_of={**state.scaled_of, **held[sym].scaled_of})
                         for sym, state in self.baseline.items()}

    # -- what the protocol states ------------------------------------------------------------

    def markets(self) -> LendingMarkets:
        """Read back from Aave's own reserve configuration (basis points; bonus 10500 -> 500)."""
        if self._markets is None:
            dp = self.aave.data_provider
            rows = self.chain.call_many([dp.functions.getReserveConfigurationData(a) for a in self.assets])
            infos = {s: AssetInfo(s, a, int(r[0])) for s, a, r in zip(self.symbols, self.assets, rows)}
            collaterals = {s: CollateralInfo(infos[s], int(r[1]), int(r[2]), int(r[3]) - BPS)
                           for s, r in zip(self.symbols[1:], rows[1:])}
            self._markets = LendingMarkets(self.kind, infos[self.symbols[0]], collaterals,
                                           CloseFactorRule(AAVE_CLOSE_FACTOR_BPS, AAVE_FULL_CLOSE_BELOW_HF_WAD),
                                           dict(FIXED_BY_PROTOCOL))
        return self._markets

    # -- seeding -----------------------------------------------------------------------------

    def open_positions(self, chain: ChainAPI, funder: str, positions: Sequence[SeedPosition]) -> None:
        """Lift each collateral's LTV to LT - 1 bp (Aave requires LTV <= LT) and take the sentinel off
        (a fresh uptime feed is inside its grace period, which refuses borrows), supply for each account,
        let each account borrow at the variable rate, then restore both."""
        cfg, d, m = self.market.config, self.aave, self.market
        configurator = d.configurator.functions

        def tx(fn: ContractFunction | PreparedCall, sender: str = funder, label: str = "", gas: int = CONFIG_GAS) -> TxRequest:
            return chain.tx(fn, sender=sender, gas=gas, label=label, agent="setup")

        # One encoder per function for the per-position calls: no web3 ContractFunction per transaction.
        supply, borrow = d.pool.encoder("supply"), d.pool.encoder("borrow")

        def risk(lift: bool) -> list[TxRequest]:
            out = []
            for sym in cfg.collaterals:
                r = reserve_risk(cfg, sym)
                if r.ltv_bps < r.liquidation_threshold_bps - 1:
                    ltv = r.liquidation_threshold_bps - 1 if lift else r.ltv_bps
                    out.append(tx(configurator.configureReserveAsCollateral(
                        m.tokens[sym].address, ltv, r.liquidation_threshold_bps, r.liquidation_bonus_bps)))
            return out

        txs = risk(lift=True)
        if d.sentinel is not None:
            txs.append(tx(d.provider.functions.setPriceOracleSentinel(ZERO)))
        txs += [tx(token.functions.approve(d.pool.address, MAX_UINT)) for token in m.tokens.values()]
        txs += [tx(supply.prepare(m.tokens[p.collateral_symbol].address, p.collateral_raw, p.account, 0),
                   label=f"seed {p.label} supply", gas=SEED_GAS) for p in positions]
        chain.send_setup_block(txs, "seeding (collateral)")
        base = m.base.address
        txs = [tx(borrow.prepare(base, p.debt_base, VARIABLE_RATE, 0, p.account), sender=p.account,
                  label=f"seed {p.label} borrow", gas=SEED_GAS) for p in positions if p.debt_base > 0]
        chain.send_setup_block(txs, "seeding (borrows)")
        txs = risk(lift=False)
        if d.sentinel is not None:
            txs.append(tx(d.provider.functions.setPriceOracleSentinel(d.sentinel.address)))
        if txs:
            chain.send_setup_block(txs, "seeding (risk parameters)")

    # -- the step's read ---------------------------------------------------------------------

    def prepare_reads(self, chain: ChainAPI, accounts: Sequence[str]) -> list[PreparedCall]:
        return self.reader.prepare(accounts)

    def decode_reads(self, results: Sequence[Any]) -> ProtocolReads:
        return self.reader.decode(results)

    # -- agents' transactions ----------------------------------------------------------------

    @property
    def spender(self) -> str:
        return self.aave.pool.address

    def liquidation_call(self, account: str, collateral_symbol: str, repay_base: int) -> ContractFunction:
        call: ContractFunction = self.aave.pool.functions.liquidationCall(
            self.market.tokens[collateral_symbol].address, self.market.base.address, account, repay_base, False)
        return call

    def flash_liquidation_call(self, pair: str, account: str, collateral_symbol: str, repay_base: int,
                               min_profit_base: int) -> ContractFunction:
        call: ContractFunction = self.aave.flash_liquidator.functions.liquidate(
            self.aave.pool.address, pair, account, self.market.tokens[collateral_symbol].address,
            self.market.base.address, repay_base, min_profit_base)
        return call

    def top_up_calls(self, funder: str, account: str, collateral_symbol: str, amount_raw: int) -> list[ContractFunction]:
        asset = self.market.tokens[collateral_symbol].address
        return [self.aave.pool.functions.supply(asset, amount_raw, account, 0)]

    def repay_calls(self, funder: str, account: str, amount_base: int) -> list[ContractFunction]:
        return [self.aave.pool.functions.repay(self.market.base.address, amount_base, VARIABLE_RATE, account)]

    def price_sources(self) -> dict[str, str]:
        """AaveOracle's sources are the market's own feeds (set at deploy)."""
        return {sym: self.market.feeds[sym].address for sym in self.symbols}

    # -- events ------------------------------------------------------------------------------

    def decode_liquidation(self, event: dict[str, Any], health_before_wad: int | None) -> Liquidation | None:
        """Aave's ``LiquidationCall(collateralAsset, debtAsset, user, debtToCover, liquidatedCollateralAmount,
        liquidator, receiveAToken)``; ``debtToCover`` is what was actually repaid. Without a scan's health
        factor, the account's health at the end of the block before is read."""
        if event.get("event") != "LiquidationCall" or str(event.get("address", "")).lower() != self.spender.lower():
            return None
        a = event["args"]
        if health_before_wad is None:
            data = self.chain.call(self.aave.pool.functions.getUserAccountData(a["user"]),
                                   block=max(int(event["block"]) - 1, 0))
            health_before_wad = int(data[5])
        return Liquidation(account=a["user"], collateral_asset=a["collateralAsset"], repaid_base=int(a["debtToCover"]),
                                 seized_raw=int(a["liquidatedCollateralAmount"]), health_before_wad=health_before_wad,
                                 liquidator=a["liquidator"])

    # -- invariants --------------------------------------------------------------------------

    def invariants(self, chain: ChainAPI, accounts: Sequence[str],
                   liquidations: Sequence[Liquidation]) -> list[InvariantResult]:
        """Aave's accounting identities (``invariants.py``), since the attach on a fork; and no
        LiquidationCall of an account whose health factor (from the scan before it) was >= 1."""
        holders = list(dict.fromkeys([*accounts, self.market.lender, self.aave.treasury]))
        if self._reserve_reads is None or not self._reserve_reads.matches(self.symbols, holders, accounts):
            self._reserve_reads = reserve_reads(chain, self.aave, self.market, self.symbols, holders, accounts)
        now = read_reserves(chain, self._reserve_reads)
        return check_reserves(now, self.symbols[0], self.baseline, liquidations, chain.block_number())

    def named_contracts(self) -> dict[str, Deployed]:
        d = self.aave
        named = {"LENDING_POOL": d.pool, "LENS": d.lens, "FLASH_LIQUIDATOR": d.flash_liquidator,
                 "AAVE_POOL_ADDRESSES_PROVIDER": d.provider, "AAVE_ACL_MANAGER": d.acl,
                 "AAVE_POOL_CONFIGURATOR": d.configurator, "AAVE_ORACLE": d.oracle,
                 "AAVE_PROTOCOL_DATA_PROVIDER": d.data_provider, "AAVE_RATE_STRATEGY": d.rate_strategy}
        if d.sentinel is not None:
            named["AAVE_PRICE_ORACLE_SENTINEL"] = d.sentinel
        for sym, r in d.reserves.items():
            named[f"A_{sym}"] = r.a_token
            named[f"VARIABLE_DEBT_{sym}"] = r.variable_debt
            named[f"STABLE_DEBT_{sym}"] = r.stable_debt
        return named
