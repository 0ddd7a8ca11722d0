"""defidrill adapter for ``SeizeSharePool`` (contracts/): a protocol that reverts on over-seizure and
keeps a share of every seizure, as a user would write its adapter (``protocol: {kind: external,
adapter: "seize_share_adapter:SeizeShareAdapter", artifacts: contracts}``).

How the protocol's terms map to defidrill's:

- **One factor** per collateral is both the borrow limit and the liquidation threshold (the drill's
  ``liquidation_threshold``); HF = limit / debt, both in USD wad with the pool's own rounding.
- **One incentive** for every collateral: 1 + the drill's largest ``bonus``; the pool keeps
  ``PROTOCOL_SEIZE_SHARE_WAD`` (2.8%, Compound V2's protocolSeizeShareMantissa) of each seizure, so the
  liquidator receives incentive x (1 - 2.8%) of the repay's value.
- **Close factor**: the drill's ``close_factor.default`` at every health, rounded DOWN by the pool.
- **Liquidation** reverts with ``SeizeExceedsCollateral`` when the seizure is more than the account
  holds: ``quote_liquidation`` sizes the repay to the largest one whose seizure fits (the pool's
  rounding, binary search), so keepers send a transaction that succeeds. The ``Liquidated`` event's
  ``seizedToLiquidatorRaw`` is the liquidation's seizure (what the keeper receives).
- **Reads**: ``SeizeSharePool.scan`` returns prices, totals and per account its debt and collateral as
  flat words, one eth_call per ``SCAN_CHUNK`` accounts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from web3.contract.contract import ContractFunction

from defidrill.chain import ChainAPI, Deployed, PreparedCall, TxRequest
from defidrill.protocol.adapter import (
    MAX_UINT, WAD, AccountView, AssetInfo, CloseFactorRule, CollateralInfo, GuardView, InvariantResult,
    LendingAdapter, LendingMarkets, Liquidation, LiquidationQuote, PoolTotals, ProtocolReads, SeedPosition
)
from defidrill.protocol.adapter_kit import expect_ok, no_healthy_liquidation
from defidrill.protocol.market import BATCH_TX_GAS, DEPLOY_GAS, Market
from defidrill.protocol_terms.parameters import ProtocolSpec
from defidrill.toolchain.user_artifacts import load_artifacts

HERE = Path(__file__).resolve().parent
#: The share of each seizure the pool keeps (wad): Compound V2's protocolSeizeShareMantissa, 2.8%.
PROTOCOL_SEIZE_SHARE_WAD = 28 * 10**15
SCAN_CHUNK = 500
#: SeizeSharePool's Failure_ codes (admin setters return them instead of reverting).
ERROR_CODES = {0: "NO_ERROR", 1: "UNAUTHORIZED", 2: "UNKNOWN_COLLATERAL", 3: "FACTOR_TOO_HIGH"}


def _flat_words(data: bytes) -> list[int]:
    return [int.from_bytes(data[i : i + 32], "big") for i in range(64, len(data), 32)]


class SeizeShareAdapter(LendingAdapter):
    kind: ClassVar[str] = "seize-share"

    def __init__(self, chain: ChainAPI, market: Market, pool: Deployed, incentive_wad: int, close_factor_wad: int) -> None:
        self.chain, self.market, self.pool = chain, market, pool
        self.incentive_wad, self.close_factor_wad = incentive_wad, close_factor_wad
        cfg = market.config
        self.base_symbol = cfg.base.symbol
        self.collateral_symbols = list(cfg.collaterals)
        self.decimals = {s: cfg.asset(s).decimals for s in [self.base_symbol, *self.collateral_symbols]}
        self._accounts: list[str] = []
        self._symbol_of = {market.tokens[s].address.lower(): s for s in self.collateral_symbols}

    @classmethod
    def error_codes(cls) -> dict[str, dict[int, str]]:
        return {"Failure.error": ERROR_CODES}

    @classmethod
    def deploy(cls, chain: ChainAPI, market: Market, config: ProtocolSpec) -> SeizeShareAdapter:
        ext = config.external
        load_artifacts(ext.artifacts_dir if ext and ext.artifacts_dir else HERE / "contracts").register(chain)
        me, base = chain.deployer, config.base.symbol
        incentive_wad = WAD + max(c.liquidation_bonus_bps for _s, c in config.collaterals.values()) * 10**14
        close_factor_wad = config.close_factor_bps * 10**14
        [pool] = chain.deploy_many([("SeizeSharePool", [me, market.tokens[base].address, market.feeds[base].address,
                                                        config.base.decimals, incentive_wad, PROTOCOL_SEIZE_SHARE_WAD,
                                                        close_factor_wad])], gas=DEPLOY_GAS)
        txs = [chain.tx(pool.functions.listCollateral(market.tokens[s].address, market.feeds[s].address, spec.decimals,
                                                      coll.liquidation_threshold_bps * 10**14), gas=BATCH_TX_GAS)
               for s, (spec, coll) in config.collaterals.items()]
        supply_raw = market.lender_supply_raw()
        if supply_raw > 0:
            txs += [chain.tx(market.base.functions.approve(pool.address, MAX_UINT), sender=market.lender, gas=BATCH_TX_GAS),
                    chain.tx(pool.functions.supply(supply_raw), sender=market.lender, gas=BATCH_TX_GAS)]
        expect_ok(chain, txs, chain.send_block(txs), "deploying SeizeSharePool")
        return cls(chain, market, pool, incentive_wad, close_factor_wad)

    def markets(self) -> LendingMarkets:
        cfg, tokens = self.market.config, self.market.tokens
        base = AssetInfo(self.base_symbol, tokens[self.base_symbol].address, cfg.base.decimals)
        bonus_bps = (self.incentive_wad - WAD) // 10**14
        collaterals = {s: CollateralInfo(AssetInfo(s, tokens[s].address, spec.decimals), coll.liquidation_threshold_bps,
                                         coll.liquidation_threshold_bps, bonus_bps,
                                         seize_share_bps=PROTOCOL_SEIZE_SHARE_WAD // 10**14)
                       for s, (spec, coll) in cfg.collaterals.items()}
        fixed = {"bonus": f"one incentive for all collaterals: {self.incentive_wad / WAD:.4f}, of whose seizure the pool "
                          f"keeps {PROTOCOL_SEIZE_SHARE_WAD / WAD:.1%}",
                 "close_factor": f"{self.close_factor_wad / WAD:.0%} at every health factor",
                 "liquidation": "reverts when the seizure exceeds the collateral held (keepers are sized by quote_liquidation)"}
        return LendingMarkets(self.kind, base, collaterals, CloseFactorRule(cfg.close_factor_bps, 0), fixed)

    def open_positions(self, chain: ChainAPI, funder: str, positions: Sequence[SeedPosition]) -> None:
        def tx(fn: ContractFunction, sender: str = funder, label: str = "") -> TxRequest:
            return chain.tx(fn, sender=sender, gas=BATCH_TX_GAS, label=label, agent="setup")

        tokens, fns = self.market.tokens, self.pool.functions
        txs = [tx(t.functions.approve(self.pool.address, MAX_UINT)) for t in tokens.values()]
        txs += [tx(fns.depositFor(p.account, tokens[p.collateral_symbol].address, p.collateral_raw),
                   label=f"seed {p.label} collateral") for p in positions]
        expect_ok(chain, txs, chain.send_block(txs), "seeding (collateral)")
        txs = [tx(fns.borrow(p.debt_base), sender=p.account, label=f"seed {p.label} borrow")
               for p in positions if p.debt_base > 0]
        if txs:
            expect_ok(chain, txs, chain.send_block(txs), "seeding (borrows)")

    def prepare_reads(self, chain: ChainAPI, accounts: Sequence[str]) -> list[PreparedCall]:
        self._accounts = list(accounts)
        chunks = [self._accounts[i : i + SCAN_CHUNK] for i in range(0, len(accounts), SCAN_CHUNK)] or [[]]
        return [chain.prepare(self.pool.functions.scan(chunk), _flat_words) for chunk in chunks]

    def decode_reads(self, results: Sequence[Any]) -> ProtocolReads:
        n = len(self.collateral_symbols)
        head = results[0][: n + 4]
        price = dict(zip([self.base_symbol, *self.collateral_symbols], head[: n + 1]))
        borrows, supplied, cash = head[n + 1 : n + 4]
        views = []
        accounts = iter(self._accounts)
        for words in results:
            rows = words[n + 4 :]
            for r in range(0, len(rows), n + 1):
                views.append(self._account_view(next(accounts), rows[r : r + n + 1], price))
        prices = {s: GuardView(p, p > 0, "OK" if p > 0 else "PRICE_UNAVAILABLE", False) for s, p in price.items()}
        return ProtocolReads(views, prices, PoolTotals(borrows, supplied, cash, 0))

    def _account_view(self, account: str, row: Sequence[int], price: dict[str, int]) -> AccountView:
        """The pool's ``values`` in Python: each term rounded down as the contract does."""
        debt_base, raw = row[0], dict(zip(self.collateral_symbols, row[1:]))
        coll = self.market.config.collaterals
        needed = [self.base_symbol] if debt_base else []
        needed += [s for s, r in raw.items() if r]
        ok = all(price[s] > 0 for s in needed)
        debt_usd = debt_base * price[self.base_symbol] // 10 ** self.decimals[self.base_symbol]
        value = {s: r * price[s] // 10 ** self.decimals[s] for s, r in raw.items()}
        limit = sum(value[s] * (coll[s][1].liquidation_threshold_bps * 10**14) // WAD for s in raw)
        hf = limit * WAD // debt_usd if ok and debt_usd else MAX_UINT
        return AccountView(account, hf, sum(value.values()), limit, debt_base, debt_usd, ok, raw)

    @property
    def spender(self) -> str:
        return str(self.pool.address)

    def _seize_raw(self, collateral_symbol: str, repay_base: int, prices: Mapping[str, GuardView]) -> int:
        """``SeizeSharePool.seizeFor``: repay x price(base) x incentive / price(collateral), each step rounded down."""
        repay_usd = repay_base * prices[self.base_symbol].price_wad // 10 ** self.decimals[self.base_symbol]
        return (repay_usd * self.incentive_wad // WAD * 10 ** self.decimals[collateral_symbol]
                // prices[collateral_symbol].price_wad)

    def quote_liquidation(self, account: AccountView, collateral_symbol: str, repay_base: int,
                          prices: Mapping[str, GuardView]) -> LiquidationQuote | None:
        """The largest repay up to ``repay_base`` the pool accepts: within its close factor (rounded down) and
        seizing no more than the account holds (the pool reverts beyond it), and the liquidator's share of that
        seizure. Found by bisection over the pool's own rounding (the seizure is monotone in the repay)."""
        base_px, coll_px = prices.get(self.base_symbol), prices.get(collateral_symbol)
        held = account.collateral_raw.get(collateral_symbol, 0)
        if not (base_px and coll_px and base_px.price_wad and coll_px.price_wad and held):
            return None
        repay = min(repay_base, account.debt_base * self.close_factor_wad // WAD)
        if self._seize_raw(collateral_symbol, repay, prices) > held:
            fits, too_much = 0, repay  # seize(fits) <= held < seize(too_much)
            while too_much - fits > 1:
                mid = (fits + too_much) // 2
                if self._seize_raw(collateral_symbol, mid, prices) <= held:
                    fits = mid
                else:
                    too_much = mid
            repay = fits
        if repay <= 0:
            return None
        seized = self._seize_raw(collateral_symbol, repay, prices)
        return LiquidationQuote(repay, seized - seized * PROTOCOL_SEIZE_SHARE_WAD // WAD)

    def liquidation_call(self, account: str, collateral_symbol: str, repay_base: int) -> ContractFunction:
        return self.pool.functions.liquidate(account, self.market.tokens[collateral_symbol].address, repay_base)

    def top_up_calls(self, funder: str, account: str, collateral_symbol: str, amount_raw: int) -> list[ContractFunction]:
        return [self.pool.functions.depositFor(account, self.market.tokens[collateral_symbol].address, amount_raw)]

    def repay_calls(self, funder: str, account: str, amount_base: int) -> list[ContractFunction]:
        return [self.pool.functions.repayFor(account, amount_base)]

    def price_sources(self) -> dict[str, str]:
        return {s: self.market.feeds[s].address for s in self.decimals}

    def decode_liquidation(self, event: dict[str, Any], health_before_wad: int | None) -> Liquidation | None:
        if event.get("event") != "Liquidated" or str(event.get("address", "")).lower() != self.spender.lower():
            return None
        a = event["args"]
        return Liquidation(account=a["borrower"], collateral_asset=a["collateral"], repaid_base=a["repaidBase"],
                           seized_raw=a["seizedToLiquidatorRaw"],
                           health_before_wad=health_before_wad if health_before_wad is not None else 0,
                           liquidator=a["liquidator"])

    def invariants(self, chain: ChainAPI, accounts: Sequence[str],
                   liquidations: Sequence[Liquidation]) -> list[InvariantResult]:
        """1. totalBorrows = the sum of accounts' debts, exactly (no interest, no rounding);
        2. each collateral the pool holds = the accounts' deposits + the seize share it kept, exactly."""
        fns, tokens = self.pool.functions, self.market.tokens
        calls = [fns.debtOf(a) for a in accounts] + [fns.totalBorrows()]
        for s in self.collateral_symbols:
            t = tokens[s].address
            calls += [fns.collateralOf(a, t) for a in accounts]
            calls += [fns.reservesOf(t), tokens[s].functions.balanceOf(self.pool.address)]
        v = chain.call_many(calls)
        n = len(accounts)
        results = [InvariantResult("totalBorrows = sum of debts", sum(v[:n]) == v[n],
                                   f"sum of debts {sum(v[:n])}, totalBorrows {v[n]}")]
        i, ok, parts = n + 1, True, []
        for s in self.collateral_symbols:
            deposits, kept, held = sum(v[i : i + n]), v[i + n], v[i + n + 1]
            i += n + 2
            ok = ok and deposits + kept == held
            parts.append(f"{s}: deposits {deposits} + kept {kept}, held {held}")
        results.append(InvariantResult("collateral held = deposits + kept seize share", ok, "; ".join(parts)))
        results.append(no_healthy_liquidation(liquidations))
        return results

    def named_contracts(self) -> dict[str, Deployed]:
        return {"LENDING_POOL": self.pool}


class UnsizedSeizeShareAdapter(SeizeShareAdapter):
    """The same adapter without its sizing: keepers ask what the close factor allows (the default hook),
    as they did before ``quote_liquidation`` existed. For the test's before/after measurement."""

    def quote_liquidation(self, account: AccountView, collateral_symbol: str, repay_base: int,
                          prices: Mapping[str, GuardView]) -> LiquidationQuote | None:
        return LendingAdapter.quote_liquidation(self, account, collateral_symbol, repay_base, prices)
