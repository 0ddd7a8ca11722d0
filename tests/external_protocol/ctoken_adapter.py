"""defidrill adapter for a Compound-V2-style protocol (Comptroller + cToken markets), as a user keeps it.

Not part of defidrill: this module, ``contracts/`` and the drill beside it are what a protocol
team writes to crash its own contracts (docs/external-protocol.md). A drill selects it with

    protocol: {kind: external, adapter: "ctoken_adapter:CTokenAdapter", artifacts: contracts}

How the protocol's terms map to defidrill's:

- **Health factor.** The Comptroller has none: ``getAccountLiquidity(account)`` returns
  ``(error, liquidity, shortfall)`` in USD wad, where liquidity - shortfall =
  borrowing power - debt, borrowing power = sum(collateral x price x collateralFactor).
  With debt D = borrowBalance x price(base) the adapter reports
  ``HF = (D + liquidity - shortfall) / D`` (= power / D): HF < 1 exactly when shortfall > 0,
  which is when the protocol allows a liquidation. Without debt HF is "infinite" (MAX_UINT);
  with ``error != 0`` (a price the account needs is 0: unavailable) ``prices_ok`` is False.
- **One collateral factor** does the work of both LTV and liquidation threshold: the drill's
  ``liquidation_threshold`` becomes the collateral factor (so borrowers may borrow up to it).
- **One liquidation incentive** for every market (a mantissa, 1.08e18 = 8% bonus): the drill's
  largest ``bonus``. **Close factor**: the drill's ``close_factor.default`` at every health
  (Compound has no full close below a threshold).
- **Liquidation**: ``cBase.liquidateBorrow(borrower, repay, cCollateral)`` seizes
  ``repay x incentive x price_base / price_collateral / exchangeRate`` cTokens; keepers go through
  the user's ``LiquidationRouter``, which redeems the seized cTokens so the keeper receives the
  collateral itself (and the flash path through the AMM pair). The ``LiquidateBorrow`` event's
  ``seizeTokens`` (cTokens) is reported in the collateral's raw units: x exchangeRate / 1e18 at the
  last read (collateral markets lend nothing, so their exchange rate never moves).
- Collateral is held as cTokens; ``collateral_raw`` is cTokens x exchangeRate / 1e18.
- **Reads**: the user's ``MarketLens`` (the role of Compound's CompoundLens) returns every market's
  exchange rate, price and totals and, per account, ``getAccountLiquidity`` and its balances, as
  one flat ``uint256[]``: one eth_call per 100 accounts a step, decoded word by word.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from web3.contract.contract import ContractFunction

from ctoken_fork import ForkedComptroller, attach_comptroller, ctoken_borrowers, discover_comptroller

from defidrill.chain import ChainAPI, Deployed, PreparedCall, TxRequest
from defidrill.protocol.adapter import (
    MAX_UINT, WAD, AccountView, AssetInfo, CloseFactorRule, CollateralInfo, ForkedProtocol, FoundBorrowers, GuardView,
    InvariantResult, LendingAdapter, LendingMarkets, Liquidation, PoolTotals, ProtocolReads, SeedPosition
)
from defidrill.protocol.adapter_kit import expect_ok, no_healthy_liquidation
from defidrill.protocol_terms.parameters import ProtocolSpec
from defidrill.protocol.market import BATCH_TX_GAS, DEPLOY_GAS, Market
from defidrill.toolchain.user_artifacts import load_artifacts

HERE = Path(__file__).resolve().parent
CTOKEN_DECIMALS = 8
#: Accounts per MarketLens.scan call: ~100k gas per account keeps a call near 10M gas.
SCAN_CHUNK = 100
#: Words per market at the head of a scan (MarketLens.MARKET_WORDS).
MARKET_WORDS = 6


def initial_exchange_rate(underlying_decimals: int) -> int:
    """Compound's 0.02 underlying per cToken, as a mantissa of raw units: 0.02 x 10^(18 + d - 8)."""
    return 2 * 10 ** (underlying_decimals + 18 - CTOKEN_DECIMALS - 2)


def _incentive_wad(config: ProtocolSpec) -> int:
    """One liquidation incentive for every market: 1 + the drill's largest bonus, as a mantissa."""
    return WAD + max(c.liquidation_bonus_bps for _s, c in config.collaterals.values()) * 10**14


def _flat_words(data: bytes) -> list[int]:
    """``MarketLens.scan``'s ``uint256[]`` word by word (an offset word, a length word, then the values):
    the hot read of every step, without ABI machinery."""
    return [int.from_bytes(data[i : i + 32], "big") for i in range(64, len(data), 32)]


class CTokenAdapter(LendingAdapter):
    kind: ClassVar[str] = "compound-v2-style"

    def __init__(self, chain: ChainAPI, market: Market, contracts: dict[str, Deployed], ctokens: dict[str, Deployed],
                 incentive_wad: int, close_factor_wad: int) -> None:
        self.chain = chain
        self.market = market
        self.contracts = contracts
        self.ctokens = ctokens  # symbol -> its market (base included)
        self.incentive_wad = incentive_wad
        self.close_factor_wad = close_factor_wad
        self.base_symbol = market.config.base.symbol
        self.symbols = list(ctokens)  # base first
        self.exchange_rates: dict[str, int] = {}
        self._accounts: list[str] = []
        self._underlying_of = {c.address.lower(): market.tokens[s].address for s, c in ctokens.items()}
        self._symbol_of_ctoken = {c.address.lower(): s for s, c in ctokens.items()}

    # -- deployment ------------------------------------------------------------------------

    @classmethod
    def deploy(cls, chain: ChainAPI, market: Market, config: ProtocolSpec) -> CTokenAdapter:
        ext = config.external
        folder = ext.artifacts_dir if ext and ext.artifacts_dir else HERE / "contracts"
        load_artifacts(folder, contracts=ext.contracts if ext else (), solc=ext.solc if ext else None).register(chain)
        me = chain.deployer
        base = config.base.symbol
        rm = config.rate_model
        incentive_wad = _incentive_wad(config)
        close_factor_wad = config.close_factor_bps * 10**14
        oracle, rate_model = chain.deploy_many([
            ("FeedPriceOracle", [me]),
            ("KinkRateModel", [rm.base_rate_wad, rm.slope1_wad, rm.slope2_wad, rm.kink_wad]),
        ], gas=DEPLOY_GAS)
        [comptroller] = chain.deploy_many([("Comptroller", [me, oracle.address, close_factor_wad, incentive_wad])],
                                          gas=DEPLOY_GAS)
        symbols = [base, *config.collaterals]
        ctokens = dict(zip(symbols, chain.deploy_many([
            ("CToken", [me, market.tokens[s].address, comptroller.address, rate_model.address,
                        initial_exchange_rate(config.asset(s).decimals), s == base, f"Compound-style {s}", f"c{s}"])
            for s in symbols
        ], gas=DEPLOY_GAS)))
        router, lens = chain.deploy_many([("LiquidationRouter", []), ("MarketLens", [])], gas=DEPLOY_GAS)

        def tx(fn: ContractFunction, sender: str = me) -> TxRequest:
            return chain.tx(fn, sender=sender, gas=BATCH_TX_GAS, agent="setup")

        txs = []
        for s in symbols:
            spec = config.asset(s)
            max_age_s = spec.max_staleness_s or config.oracle.max_staleness_s
            txs.append(tx(oracle.functions.setSource(ctokens[s].address, market.feeds[s].address, spec.decimals, max_age_s)))
            txs.append(tx(comptroller.functions.supportMarket(ctokens[s].address)))
        for s, (_spec, coll) in config.collaterals.items():
            txs.append(tx(comptroller.functions.setCollateralFactor(ctokens[s].address,
                                                                    coll.liquidation_threshold_bps * 10**14)))
        txs.append(tx(ctokens[base].functions.setReserveFactor(config.reserve_factor_bps * 10**14)))
        supply_raw = market.lender_supply_raw()
        if supply_raw > 0:
            txs.append(tx(market.base.functions.approve(ctokens[base].address, MAX_UINT), sender=market.lender))
            txs.append(tx(ctokens[base].functions.mint(supply_raw), sender=market.lender))
        expect_ok(chain, txs, chain.send_block(txs), "deploying the Compound-style protocol")
        contracts = {"COMPTROLLER": comptroller, "PRICE_ORACLE": oracle, "RATE_MODEL": rate_model,
                     "LIQUIDATION_ROUTER": router, "MARKET_LENS": lens, **{f"c{s}": c for s, c in ctokens.items()}}
        return cls._with_rates(chain, cls(chain, market, contracts, ctokens, incentive_wad, close_factor_wad))

    @classmethod
    def discover(cls, chain: ChainAPI, address: str, symbols: Sequence[str]) -> ForkedProtocol:
        """Fork mode: ``address`` is the Comptroller; its markets matched by their underlying's ``symbol()``,
        each one's FeedPriceOracle source, the collateral factors it states (``ctoken_fork``)."""
        load_artifacts(HERE / "contracts").register(chain)
        return discover_comptroller(chain, address, list(symbols))

    @classmethod
    def attach(cls, chain: ChainAPI, market: Market, config: ProtocolSpec, found: ForkedProtocol) -> CTokenAdapter:
        """Fork mode's ``deploy``: the drill's risk parameters set as the forked protocol's admins, our
        periphery beside it, the lender's base supplied."""
        if not isinstance(found.handle, ForkedComptroller):
            raise TypeError("CTokenAdapter.attach takes what CTokenAdapter.discover found")
        incentive_wad, close_factor_wad = _incentive_wad(config), config.close_factor_bps * 10**14
        contracts = attach_comptroller(chain, market, config, found.handle, incentive_wad, close_factor_wad)
        return cls._with_rates(chain, cls(chain, market, contracts, found.handle.ctokens, incentive_wad, close_factor_wad))

    def discover_borrowers(self, chain: ChainAPI, from_block: int, to_block: int) -> FoundBorrowers:
        """The forked book: the base market's Borrow events (``ctoken_fork.ctoken_borrowers``)."""
        return ctoken_borrowers(chain, self.ctokens[self.base_symbol], from_block, to_block)

    @classmethod
    def _with_rates(cls, chain: ChainAPI, adapter: CTokenAdapter) -> CTokenAdapter:
        """The markets' exchange rates as they stand (liquidations are decoded with them until the first read)."""
        adapter.exchange_rates = dict(zip(adapter.symbols, chain.call_many([c.functions.exchangeRateStored()
                                                                              for c in adapter.ctokens.values()])))
        return adapter

    def markets(self) -> LendingMarkets:
        cfg = self.market.config
        tokens = self.market.tokens
        base = AssetInfo(self.base_symbol, tokens[self.base_symbol].address, cfg.base.decimals)
        bonus_bps = (self.incentive_wad - WAD) // 10**14
        collaterals = {
            s: CollateralInfo(AssetInfo(s, tokens[s].address, spec.decimals), coll.liquidation_threshold_bps,
                              coll.liquidation_threshold_bps, bonus_bps)
            for s, (spec, coll) in cfg.collaterals.items()
        }
        fixed = {
            "ltv": "one collateral factor per market for borrowing and liquidation (the drill's liquidation_threshold)",
            "bonus": f"one liquidation incentive for all markets: {self.incentive_wad / WAD:.4f} (the drill's largest bonus)",
            "close_factor": f"{self.close_factor_wad / WAD:.0%} at every health factor (no full close)",
            "oracle": "FeedPriceOracle: the Chainlink feeds, refused when stale, non-positive or incomplete; "
                      "no deviation breaker, sequencer check or fallback",
            "bad_debt": "never written off: debt an account cannot cover stays on the books",
        }
        return LendingMarkets(self.kind, base, collaterals, CloseFactorRule(cfg.close_factor_bps, 0), fixed)

    # -- seeding ---------------------------------------------------------------------------

    def open_positions(self, chain: ChainAPI, funder: str, positions: Sequence[SeedPosition]) -> None:
        tokens, ctokens = self.market.tokens, self.ctokens
        comptroller = self.contracts["COMPTROLLER"]

        def tx(fn: ContractFunction, sender: str = funder, label: str = "") -> TxRequest:
            return chain.tx(fn, sender=sender, gas=BATCH_TX_GAS, label=label, agent="setup")

        txs = [tx(tokens[s].functions.approve(c.address, MAX_UINT)) for s, c in ctokens.items()]
        txs += [tx(ctokens[p.collateral_symbol].functions.mintBehalf(p.account, p.collateral_raw),
                   label=f"seed {p.label} supply") for p in positions]
        txs += [tx(comptroller.functions.enterMarkets([ctokens[p.collateral_symbol].address]), sender=p.account,
                   label=f"seed {p.label} enter market") for p in positions]
        expect_ok(chain, txs, chain.send_block(txs), "seeding (collateral)")
        txs = [tx(ctokens[self.base_symbol].functions.borrow(p.debt_base), sender=p.account, label=f"seed {p.label} borrow")
               for p in positions if p.debt_base > 0]
        expect_ok(chain, txs, chain.send_block(txs), "seeding (borrows)")

    # -- the step's read -------------------------------------------------------------------

    def prepare_reads(self, chain: ChainAPI, accounts: Sequence[str]) -> list[PreparedCall]:
        """One ``MarketLens.scan`` per ``SCAN_CHUNK`` accounts (each eth_call stays under the node's gas cap)."""
        lens, comptroller = self.contracts["MARKET_LENS"], self.contracts["COMPTROLLER"]
        markets = [c.address for c in self.ctokens.values()]
        self._accounts = list(accounts)
        chunks = [self._accounts[i : i + SCAN_CHUNK] for i in range(0, len(accounts), SCAN_CHUNK)] or [[]]
        return [chain.prepare(lens.functions.scan(comptroller.address, markets, chunk), _flat_words) for chunk in chunks]

    def decode_reads(self, results: Sequence[Any]) -> ProtocolReads:
        n = len(self.symbols)
        header = results[0][: n * MARKET_WORDS]
        market = {s: header[k * MARKET_WORDS : (k + 1) * MARKET_WORDS] for k, s in enumerate(self.symbols)}
        price = {s: market[s][1] for s in self.symbols}
        self.exchange_rates = {s: market[s][0] for s in self.symbols}
        views = []
        accounts = iter(self._accounts)
        row_words = 3 + 2 * n
        for words in results:
            rows = words[n * MARKET_WORDS :]
            for r in range(0, len(rows), row_words):
                views.append(self._account_view(next(accounts), rows[r : r + row_words], price))
        prices = {s: GuardView(price[s] * 10 ** self.market.config.asset(s).decimals // WAD, price[s] > 0,
                               "OK" if price[s] > 0 else "PRICE_UNAVAILABLE", False) for s in self.symbols}
        _rate, _price, borrows, reserves, cash, supply_ctokens = market[self.base_symbol]
        supplied = supply_ctokens * self.exchange_rates[self.base_symbol] // WAD
        return ProtocolReads(views, prices, PoolTotals(borrows, supplied, cash, reserves))

    def _account_view(self, account: str, row: Sequence[int], price: dict[str, int]) -> AccountView:
        """HF = (debt + liquidity - shortfall) / debt, all USD wad (see the module docstring)."""
        err, liquidity, shortfall = row[0], row[1], row[2]
        balances = {s: (row[3 + 2 * k], row[4 + 2 * k]) for k, s in enumerate(self.symbols)}
        raw = {s: tokens * self.exchange_rates[s] // WAD for s, (tokens, _debt) in balances.items()}
        debt_base = balances[self.base_symbol][1]
        debt_usd = price[self.base_symbol] * debt_base // WAD
        coll_usd = sum(price[s] * raw[s] // WAD for s in self.symbols[1:])
        ok = err == 0
        power = debt_usd + liquidity - shortfall if ok else 0
        hf = power * WAD // debt_usd if ok and debt_usd else MAX_UINT
        return AccountView(account, hf, coll_usd, power, debt_base, debt_usd, ok, {s: raw[s] for s in self.symbols[1:]})

    # -- agents' transactions --------------------------------------------------------------

    @property
    def spender(self) -> str:
        return self.contracts["LIQUIDATION_ROUTER"].address

    @staticmethod
    def _within_close_factor(repay_base: int) -> int:
        """The engine's close-factor cap rounds up, Compound's maxClose rounds down: one raw unit less."""
        return max(1, repay_base - 1)

    def liquidation_call(self, account: str, collateral_symbol: str, repay_base: int) -> ContractFunction:
        return self.contracts["LIQUIDATION_ROUTER"].functions.liquidate(
            self.ctokens[self.base_symbol].address, account, self._within_close_factor(repay_base),
            self.ctokens[collateral_symbol].address)

    def flash_liquidation_call(self, pair: str, account: str, collateral_symbol: str, repay_base: int,
                               min_profit_base: int) -> ContractFunction:
        return self.contracts["LIQUIDATION_ROUTER"].functions.flashLiquidate(
            pair, self.ctokens[self.base_symbol].address, account, self._within_close_factor(repay_base),
            self.ctokens[collateral_symbol].address, min_profit_base)

    def top_up_calls(self, funder: str, account: str, collateral_symbol: str, amount_raw: int) -> list[ContractFunction]:
        return [self.ctokens[collateral_symbol].functions.mintBehalf(account, amount_raw)]

    def repay_calls(self, funder: str, account: str, amount_base: int) -> list[ContractFunction]:
        return [self.ctokens[self.base_symbol].functions.repayBorrowBehalf(account, amount_base)]

    def price_sources(self) -> dict[str, str]:
        return {s: self.market.feeds[s].address for s in self.symbols}

    # -- events ----------------------------------------------------------------------------

    def decode_liquidation(self, event: dict[str, Any], health_before_wad: int | None) -> Liquidation | None:
        if event.get("event") != "LiquidateBorrow":
            return None
        if str(event.get("address", "")).lower() != self.ctokens[self.base_symbol].address.lower():
            return None
        a = event["args"]
        collateral = str(a["cTokenCollateral"]).lower()
        symbol = self._symbol_of_ctoken[collateral]
        seized_raw = a["seizeTokens"] * self.exchange_rates[symbol] // WAD
        return Liquidation(account=a["borrower"], collateral_asset=self._underlying_of[collateral],
                                 repaid_base=a["repayAmount"], seized_raw=seized_raw,
                                 health_before_wad=health_before_wad if health_before_wad is not None else 0,
                                 liquidator=a["liquidator"])

    # -- invariants ------------------------------------------------------------------------

    def invariants(self, chain: ChainAPI, accounts: Sequence[str],
                   liquidations: Sequence[Liquidation]) -> list[InvariantResult]:
        """1. the base market's borrows: sum of accounts' balances = totalBorrows within index rounding (each
        balance rounds down once per accrual: at most one raw unit per account per block);
        2. each collateral market's cTokens: totalSupply = the sum over accounts (the router keeps none) and
        its underlying held = totalSupply x exchangeRate / 1e18 rounded down, up to one raw unit per account;
        3. no account liquidated while healthy."""
        cbase = self.ctokens[self.base_symbol]
        router = self.contracts["LIQUIDATION_ROUTER"].address
        holders = [*accounts, router]
        calls = [cbase.functions.borrowBalanceStored(a) for a in accounts] + [cbase.functions.totalBorrows()]
        for s in self.symbols[1:]:
            c = self.ctokens[s]
            calls += [c.functions.balanceOf(a) for a in holders]
            calls += [c.functions.totalSupply(), c.functions.getCash(), c.functions.exchangeRateStored()]
        values = chain.call_many(calls)
        n = len(accounts)
        summed, total = sum(values[:n]), values[n]
        tolerance = n * chain.block_number()
        results = [InvariantResult(
            "market borrows = sum of accounts' borrows", abs(summed - total) <= tolerance,
            f"sum of accounts {summed}, totalBorrows {total}, difference {summed - total} raw (tolerance {tolerance})")]
        i = n + 1
        ok, parts = True, []
        for s in self.symbols[1:]:
            balances = values[i : i + len(holders)]
            supply, cash, rate = values[i + len(holders) : i + len(holders) + 3]
            i += len(holders) + 3
            backing = supply * rate // WAD
            ok = ok and sum(balances) == supply and balances[-1] == 0 and 0 <= cash - backing <= len(holders)
            parts.append(f"c{s}: supply {supply}, sum of holders {sum(balances)} (router {balances[-1]}); "
                         f"cash {cash}, supply x rate {backing}")
        results.append(InvariantResult("collateral cTokens = sum of deposits, backed by cash", ok, "; ".join(parts)))
        results.append(no_healthy_liquidation(liquidations))
        return results

    def named_contracts(self) -> dict[str, Deployed]:
        return dict(self.contracts)
