"""Genuine Morpho Blue behind the lending adapter interface (``kind: morpho-blue``).

How each method maps (docs/morpho-blue.md has the table): one isolated market per collateral
against the base (``deploy.py``), risk parameters from ``mapping.py`` (LLTV = the liquidation
threshold, the incentive fixed by it, no close factor); seeding supplies collateral ``onBehalf``
each account (``supplyCollateral``), moves the lender's supply to where the debt is, then each
account borrows; the step's read is ``MorphoLens.scan`` (``reads.py``); keepers call
``Morpho.liquidate`` by repaid shares, or by seized assets when the repay would take more collateral
than the position holds (``shares.size_liquidation``: Morpho reverts instead of capping), directly or
through our ``MorphoFlashLiquidator`` (Morpho's ``onMorphoLiquidate`` callback, a sale on our AMM).
Liquidations are Morpho's ``Liquidate`` events, which also carry the bad debt Morpho writes off in
the same call (``badDebtAssets``); Morpho emits no health factor, so the record takes the scan's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from web3.contract.contract import ContractFunction

from defidrill.chain import ChainAPI, Deployed, PreparedCall, TxRequest
from defidrill.protocol.adapter import (
    MAX_UINT, AssetInfo, BadDebt, CloseFactorRule, CollateralInfo, InvariantResult, LendingAdapter,
    LendingMarkets, Liquidation, ProtocolReads, SeedPosition
)
from defidrill.protocol_terms.parameters import ProtocolSpec
from defidrill.protocol.market import Market
from defidrill.protocol.morpho_blue.deploy import ZERO, MorphoDeployment, deploy_morpho, lender_txs, split_raw
from defidrill.protocol.morpho_blue.invariants import MorphoReads, check_markets, morpho_reads, read_markets
from defidrill.protocol.morpho_blue.mapping import (
    BPS,
    FIXED_BY_PROTOCOL,
    check_expressible,
    incentive_bonus_bps,
)
from defidrill.protocol.morpho_blue.reads import MorphoReader
from defidrill.protocol.morpho_blue.shares import LiquidationSize, PositionState, incentive_factor_wad, size_liquidation

#: Gas for a seeding transaction sent in a batch (never estimated against an unmined state).
SEED_GAS = 600_000
#: A full repay by shares costs the debt accrued by the block it lands in: the funder is given this
#: share of the debt more (1e-4, years of interest for the one second between scan and block).
REPAY_MARGIN_BPS = 1


class MorphoBlueAdapter(LendingAdapter):
    kind: ClassVar[str] = "morpho-blue"

    def __init__(self, chain: ChainAPI, market: Market, deployment: MorphoDeployment) -> None:
        self.chain, self.market, self.d = chain, market, deployment
        cfg = market.config
        self.symbols = [cfg.base.symbol, *cfg.collaterals]
        self.reader = MorphoReader(chain, deployment, self.symbols, {s: cfg.asset(s).decimals for s in self.symbols},
                                   {s: market.tokens[s].address for s in self.symbols})
        self._id_symbol = {"0x" + i.hex(): s for s, i in deployment.ids().items()}
        self._market_of: dict[str, str] = {}  # account (lowercase) -> the collateral it was seeded with
        #: What the lender has in each market (deploy splits it equally) and the debt seeded so far.
        self._lender_raw = dict(zip(deployment.params, split_raw(market.lender_supply_raw(), [1] * len(deployment.params))))
        self._seeded_debt = dict.fromkeys(deployment.params, 0)
        self._markets: LendingMarkets | None = None
        self._reads: MorphoReads | None = None

    @classmethod
    def check_config(cls, config: ProtocolSpec, *, file: str | None = None) -> None:
        check_expressible(config, file=file)

    @classmethod
    def deploy(cls, chain: ChainAPI, market: Market, config: ProtocolSpec) -> MorphoBlueAdapter:
        check_expressible(config)
        market = market.with_config(config)
        return cls(chain, market, deploy_morpho(chain, market))

    # -- what the protocol states ------------------------------------------------------------

    def markets(self) -> LendingMarkets:
        """From the markets' params: the LLTV as the threshold, the LLTV's incentive as the bonus (bps,
        rounded), the drill's ltv as the seeding limit; no close factor (a full repay always allowed)."""
        if self._markets is None:
            cfg = self.market.config
            infos = {s: AssetInfo(s, self.market.tokens[s].address, cfg.asset(s).decimals) for s in self.symbols}
            collaterals = {}
            fixed = dict(FIXED_BY_PROTOCOL)
            for sym, (_, coll) in cfg.collaterals.items():
                lt_bps = self.d.params[sym][4] * BPS // 10**18
                bonus = incentive_bonus_bps(lt_bps)
                # the exact factor (not the bps figure) is what Morpho pays: the model check uses it
                collaterals[sym] = CollateralInfo(infos[sym], coll.ltv_bps, lt_bps, bonus,
                                                  incentive_wad=incentive_factor_wad(self.d.params[sym][4]))
                fixed[f"liquidation_bonus.{sym}"] = (f"{bonus / 100:g}% at LLTV {lt_bps / 100:g}% (the drill asked "
                                                      f"{coll.liquidation_bonus_bps / 100:g}%)")
            self._markets = LendingMarkets(self.kind, infos[self.symbols[0]], collaterals, CloseFactorRule(BPS, MAX_UINT),
                                           fixed)
        return self._markets

    # -- seeding -----------------------------------------------------------------------------

    def open_positions(self, chain: ChainAPI, funder: str, positions: Sequence[SeedPosition]) -> None:
        """Collateral ``onBehalf`` of each account, the lender's supply moved in proportion to each market's
        debt seeded so far, then each account borrows to itself. Morpho has no LTV to lift: a position may borrow
        up to its LLTV."""
        d, m = self.d, self.market

        def tx(fn: ContractFunction | PreparedCall, sender: str = funder, label: str = "") -> TxRequest:
            return chain.tx(fn, sender=sender, gas=SEED_GAS, label=label, agent="setup")

        # One encoder per function for the per-position calls: no web3 ContractFunction per transaction.
        supply_collateral, borrow = d.morpho.encoder("supplyCollateral"), d.morpho.encoder("borrow")

        sequencer = m.config.oracle.sequencer
        # A fresh uptime feed is inside its grace period, in which the guard refuses every price (and so
        # Morpho every borrow): unwire the guard's sequencer check while seeding, as the reference pool does.
        txs = [tx(d.guard.functions.setSequencerFeed(ZERO, m.config.oracle.grace_period_s))] if sequencer else []
        txs += [tx(token.functions.approve(d.morpho.address, MAX_UINT)) for token in m.tokens.values()]
        txs += [tx(supply_collateral.prepare(d.params[p.collateral_symbol], p.collateral_raw, p.account, b""),
                   label=f"seed {p.label} collateral") for p in positions]
        for p in positions:
            self._seeded_debt[p.collateral_symbol] += p.debt_base
        supply_raw = m.lender_supply_raw()
        if supply_raw > 0 and any(self._seeded_debt.values()):
            target = dict(zip(d.params, split_raw(supply_raw, [self._seeded_debt[s] for s in d.params])))
            txs += lender_txs(chain, m, d, {sym: target[sym] - self._lender_raw[sym] for sym in d.params})
            self._lender_raw = target
        chain.send_setup_block(txs, "seeding (collateral, lender)")
        txs = [tx(borrow.prepare(d.params[p.collateral_symbol], p.debt_base, 0, p.account, p.account), sender=p.account,
                  label=f"seed {p.label} borrow") for p in positions if p.debt_base > 0]
        if sequencer:
            txs.append(tx(d.guard.functions.setSequencerFeed(m.sequencer.address, m.config.oracle.grace_period_s)))
        if txs:
            chain.send_setup_block(txs, "seeding (borrows)")
        self._market_of.update({p.account.lower(): p.collateral_symbol for p in positions})

    # -- the step's read ---------------------------------------------------------------------

    def prepare_reads(self, chain: ChainAPI, accounts: Sequence[str]) -> list[PreparedCall]:
        return self.reader.prepare(accounts)

    def decode_reads(self, results: Sequence[Any]) -> ProtocolReads:
        return self.reader.decode(results)

    # -- agents' transactions ----------------------------------------------------------------

    @property
    def spender(self) -> str:
        return self.d.morpho.address

    def _size(self, account: str, collateral_symbol: str, repay_base: int) -> LiquidationSize:
        state = self.reader.positions.get(account.lower(), {}).get(collateral_symbol)
        size = size_liquidation(state, repay_base) if state is not None else None
        # Nothing to size (no scan of it, no price): Morpho's own refusal names why.
        return size if size is not None else LiquidationSize(0, state.borrow_shares if state and state.borrow_shares else 1)

    def liquidation_call(self, account: str, collateral_symbol: str, repay_base: int) -> ContractFunction:
        size = self._size(account, collateral_symbol, repay_base)
        call: ContractFunction = self.d.morpho.functions.liquidate(
            self.d.params[collateral_symbol], account, size.seized_assets, size.repaid_shares, b"")
        return call

    def flash_liquidation_call(self, pair: str, account: str, collateral_symbol: str, repay_base: int,
                               min_profit_base: int) -> ContractFunction:
        size = self._size(account, collateral_symbol, repay_base)
        call: ContractFunction = self.d.flash_liquidator.functions.liquidate(
            self.d.morpho.address, self.d.params[collateral_symbol], pair, account, size.seized_assets,
            size.repaid_shares, min_profit_base)
        return call

    def top_up_calls(self, funder: str, account: str, collateral_symbol: str, amount_raw: int) -> list[ContractFunction]:
        return [self.d.morpho.functions.supplyCollateral(self.d.params[collateral_symbol], amount_raw, account, b"")]

    def repay_calls(self, funder: str, account: str, amount_base: int) -> list[ContractFunction]:
        """A repay by assets, or by all the position's shares once ``amount_base`` covers its debt (by assets
        Morpho would round the shares past what the position owes and revert)."""
        sym, state = self._position_of(account)
        params = self.d.params[sym]
        if state is None or amount_base < state.debt_base:
            return [self.d.morpho.functions.repay(params, amount_base, 0, account, b"")]
        margin = state.debt_base * REPAY_MARGIN_BPS // BPS + 1
        return [*self.market.fund(self.chain, self.symbols[0], funder, margin),
                self.d.morpho.functions.repay(params, 0, state.borrow_shares, account, b"")]

    def _position_of(self, account: str) -> tuple[str, PositionState | None]:
        held = self.reader.positions.get(account.lower(), {})
        for sym, state in held.items():
            if state.borrow_shares:
                return sym, state
        return self._market_of.get(account.lower(), self.symbols[1]), None

    def price_sources(self) -> dict[str, str]:
        """The guard reads the market's own feeds; each market's oracle reads the guard."""
        return {sym: self.market.feeds[sym].address for sym in self.symbols}

    # -- events ------------------------------------------------------------------------------

    def _liquidate_event(self, event: dict[str, Any]) -> dict[str, Any] | None:
        if event.get("event") != "Liquidate" or str(event.get("address", "")).lower() != self.spender.lower():
            return None
        args: dict[str, Any] = event["args"]
        return args

    def decode_liquidation(self, event: dict[str, Any], health_before_wad: int | None) -> Liquidation | None:
        """Morpho's ``Liquidate(id, caller, borrower, repaidAssets, repaidShares, seizedAssets, badDebtAssets,
        badDebtShares)``: the market id names the collateral. Without a scan's health factor, the position's
        health at the end of the block before is read through the lens."""
        a = self._liquidate_event(event)
        if a is None:
            return None
        sym = self._id_symbol[_hex(a["id"])]
        if health_before_wad is None:
            [words] = self.chain.call_many([self.reader.scan_call([a["borrower"]])], block=max(int(event["block"]) - 1, 0))
            health_before_wad = self.reader.health_of(words, a["borrower"])
        return Liquidation(account=a["borrower"], collateral_asset=self.market.tokens[sym].address,
                                 repaid_base=int(a["repaidAssets"]), seized_raw=int(a["seizedAssets"]),
                                 health_before_wad=health_before_wad, liquidator=a["caller"])

    def decode_bad_debt(self, event: dict[str, Any]) -> BadDebt | None:
        """``badDebtAssets`` of a ``Liquidate``: written off against the market's suppliers in that call."""
        a = self._liquidate_event(event)
        if a is None or int(a["badDebtAssets"]) == 0:
            return None
        return BadDebt(account=a["borrower"], amount_base=int(a["badDebtAssets"]))

    # -- invariants --------------------------------------------------------------------------

    def invariants(self, chain: ChainAPI, accounts: Sequence[str],
                   liquidations: Sequence[Liquidation]) -> list[InvariantResult]:
        suppliers = list(dict.fromkeys([self.market.lender, self.d.fee_recipient]))
        if self._reads is None or self._reads.key != (tuple(suppliers), tuple(accounts)):
            self._reads = morpho_reads(chain, self.d, self.market, suppliers, accounts)
        held_base, states = read_markets(chain, self.d, self._reads)
        return check_markets(held_base, states, liquidations, chain.block_number())

    def named_contracts(self) -> dict[str, Deployed]:
        d = self.d
        named = {"LENDING_POOL": d.morpho, "MORPHO": d.morpho, "LENS": d.lens, "FLASH_LIQUIDATOR": d.flash_liquidator,
                 "ORACLE_GUARD": d.guard}
        if d.irm is not None:
            named["MORPHO_IRM"] = d.irm
        for sym, oracle in d.oracles.items():
            named[f"MORPHO_ORACLE_{sym}"] = oracle
        return named


def _hex(value: Any) -> str:
    """A bytes32 event argument as 0x-hex, whichever form the decoder gave it."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    text = str(value).lower()
    return text if text.startswith("0x") else "0x" + text

