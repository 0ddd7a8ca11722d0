"""The reference pool behind the lending adapter interface (the first adapter).

Reads go through our ``Lens`` contract: ``scan(pool, accounts)`` values up to
``SCAN_CHUNK`` accounts per eth_call (one call per chunk keeps each under the node's gas
cap), ``poolState`` the totals, and the guard's ``check`` per asset gives the price the
pool uses and the rule behind it. Liquidations are the pool's ``Liquidation`` events, which
already carry the account's health factor before the liquidation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from web3.contract.contract import ContractFunction

from defidrill.chain import ChainAPI, Deployed, PreparedCall, TxRequest
from defidrill.chain.abi_registry import checksum
from defidrill.protocol.account_columns import U256, AccountColumns, index_of
from defidrill.protocol.adapter import (
    AssetInfo, CloseFactorRule, CollateralInfo, GuardView, InvariantResult, LendingAdapter, LendingMarkets,
    PoolTotals, ProtocolReads, SeedPosition
)
from defidrill.protocol.adapter_kit import no_healthy_liquidation
from defidrill.protocol.bounded_reads import BoundedReads, MarketReads
from defidrill.protocol.external import GUARDED
from defidrill.protocol_terms.parameters import ProtocolSpec
from defidrill.protocol.market import BATCH_TX_GAS, Market
from defidrill.protocol.reference.deploy import Protocol, deploy_reference_pool
from defidrill.protocol.reference.lens_codec import ScanWords, decode_scan, decode_scan_words, encode_scan_calldata
from defidrill.errors import ChainError
from defidrill.run_folder.records import BadDebt, Liquidation

SCAN_CHUNK = 250
MAX_UINT = 2**256 - 1
ZERO_ADDRESS = "0x" + "0" * 40

#: IOracleGuard.Rule names, by enum value (contracts/interfaces/IOracleGuard.sol).
GUARD_RULES = [
    "OK", "NOT_CONFIGURED", "SEQUENCER_DOWN", "SEQUENCER_GRACE_PERIOD", "SOURCE_CALL_FAILED", "INCOMPLETE_ROUND",
    "NON_POSITIVE_ANSWER", "FUTURE_TIMESTAMP", "STALE", "AT_MIN_ANSWER", "AT_MAX_ANSWER", "DEVIATION",
    "ANSWER_OUT_OF_RANGE", "NO_LIQUIDITY", "NO_FALLBACK",
]


class ReferenceAdapter(LendingAdapter, BoundedReads):
    kind: ClassVar[str] = "reference"

    def __init__(self, chain: ChainAPI, protocol: Protocol) -> None:
        self.chain = chain
        self.protocol = protocol
        self._symbols = list(protocol.tokens)
        self._address_to_symbol = {tok.address.lower(): sym for sym, tok in protocol.tokens.items()}
        self._n_scan = 0
        #: the last read's account address bytes and their checksummed strings and index (the same every step)
        self._accounts: tuple[npt.NDArray[np.uint8], list[str], dict[str, int]] | None = None
        self._invariant_scans: tuple[tuple[str, ...], list[PreparedCall]] | None = None
        self._scan_template: PreparedCall | None = None  # Lens.scan, as web3 encodes it (account_calls)

    @classmethod
    def deploy(cls, chain: ChainAPI, market: Market, config: ProtocolSpec) -> ReferenceAdapter:
        market = market.with_config(config)
        return cls(chain, deploy_reference_pool(chain, market))

    def markets(self) -> LendingMarkets:
        p = self.protocol
        cfg = p.config
        base = AssetInfo(cfg.base.symbol, p.base.address, cfg.base.decimals)
        collaterals = {
            sym: CollateralInfo(AssetInfo(sym, p.tokens[sym].address, spec.decimals), coll.ltv_bps,
                                coll.liquidation_threshold_bps, coll.liquidation_bonus_bps)
            for sym, (spec, coll) in cfg.collaterals.items()
        }
        return LendingMarkets(self.kind, base, collaterals,
                              CloseFactorRule(cfg.close_factor_bps, cfg.full_close_below_hf_wad), {})

    # -- seeding -------------------------------------------------------------------------

    def open_positions(self, chain: ChainAPI, funder: str, positions: Sequence[SeedPosition]) -> None:
        p = self.protocol
        cfg = p.config
        pool = p.pool

        def tx(fn: ContractFunction | PreparedCall, sender: str = funder, label: str = "") -> TxRequest:
            return chain.tx(fn, sender=sender, gas=BATCH_TX_GAS, label=label, agent="setup")

        # One encoder per function for the per-position calls: no web3 ContractFunction per transaction.
        deposit, borrow = pool.encoder("depositCollateralFor"), pool.encoder("borrow")

        def listing(ltv_of: Any) -> list[TxRequest]:
            return [tx(pool.functions.listCollateral(p.tokens[sym].address, ltv_of(coll), coll.liquidation_threshold_bps,
                                                     coll.liquidation_bonus_bps, coll.supply_cap_raw))
                    for sym, (_spec, coll) in cfg.collaterals.items()]

        # Positions opened "at higher prices": the LTV sits just under the threshold while seeding.
        txs = listing(lambda coll: coll.liquidation_threshold_bps - 1)
        if cfg.oracle.sequencer:
            # The guard refuses every price for the grace period after the uptime feed's deployment,
            # so borrowers could not borrow: unwire the sequencer check while seeding.
            txs.append(tx(p.guard.functions.setSequencerFeed(ZERO_ADDRESS, cfg.oracle.grace_period_s)))
        txs += [tx(token.functions.approve(pool.address, MAX_UINT)) for token in p.tokens.values()]
        txs += [tx(deposit.prepare(pos.account, p.tokens[pos.collateral_symbol].address, pos.collateral_raw),
                   label=f"seed {pos.label} deposit")
                for pos in positions]
        chain.send_setup_block(txs, "seeding (collateral)")
        txs = [tx(borrow.prepare(pos.debt_base), sender=pos.account, label=f"seed {pos.label} borrow")
               for pos in positions if pos.debt_base > 0]
        chain.send_setup_block(txs, "seeding (borrows)")
        txs = listing(lambda coll: coll.ltv_bps)
        if cfg.oracle.sequencer:
            txs.append(tx(p.guard.functions.setSequencerFeed(p.sequencer.address, cfg.oracle.grace_period_s)))
        chain.send_setup_block(txs, "seeding (risk parameters)")

    # -- the step's read -----------------------------------------------------------------

    def prepare_reads(self, chain: ChainAPI, accounts: Sequence[str]) -> list[PreparedCall]:
        calls = self.account_calls(chain, accounts)
        self._n_scan = len(calls)
        return calls + self.market_calls(chain)

    def decode_reads(self, results: Sequence[Any]) -> ProtocolReads:
        """The scan chunks as one set of columns (``AccountColumns``: the Lens struct's words as arrays,
        no object per account), then the guard's prices and the pool's totals."""
        market = self.decode_market(results[self._n_scan :])
        return ProtocolReads(self._columns(results[: self._n_scan]), market.prices, market.totals)

    def bounded_reads(self) -> BoundedReads | None:
        """The pool values accounts as bounded_reads.py states (AccountLogic.value: per asset
        floor(balance x price / unit) x threshold, over ceil(principal x borrowIndex) x base price).
        None for a user's subclass that reads its own way (it overrides prepare_reads or decode_reads):
        the engine then calls those every step."""
        for klass in type(self).__mro__:
            if klass is ReferenceAdapter:
                break
            if GUARDED not in vars(klass) and any(m in vars(klass) for m in ("prepare_reads", "decode_reads")):
                return None
        return self

    def account_calls(self, chain: ChainAPI, accounts: Sequence[str]) -> list[PreparedCall]:
        """One ``Lens.scan`` per ``SCAN_CHUNK`` accounts; the calldata written out (``encode_scan_calldata``)
        once web3 encoded a first call (its selector, target and outputs: kept for the run)."""
        p = self.protocol
        if self._scan_template is None:
            self._scan_template = chain.prepare(p.lens.functions.scan(p.pool.address, []), decode_scan_words)
        template = self._scan_template
        selector = template.data[:10]
        return [replace(template, data=encode_scan_calldata(selector, p.pool.address, accounts[i : i + SCAN_CHUNK]))
                for i in range(0, len(accounts), SCAN_CHUNK)]

    def decode_accounts(self, results: Sequence[Any], accounts: Sequence[str]) -> AccountColumns:
        """A part of the accounts keeps the addresses it was asked for (no checksums per step, and the
        whole read's cached addresses stay); every account decodes as ``decode_reads`` does."""
        return self._columns(results, None if self._accounts is None or len(accounts) == len(self._accounts[1])
                             else list(accounts))

    def market_calls(self, chain: ChainAPI) -> list[PreparedCall]:
        p = self.protocol
        calls = [chain.prepare(p.guard.functions.check(p.tokens[s].address)) for s in self._symbols]
        calls.append(chain.prepare(p.lens.functions.poolState(p.pool.address)))
        return calls

    def decode_market(self, results: Sequence[Any]) -> MarketReads:
        """The guard's price per asset (what the pool's ``peekPrice`` and so the Lens value with), the pool's
        totals and its borrow index as of the block."""
        prices = {}
        for sym, e in zip(self._symbols, results):
            rule = GUARD_RULES[e["primaryRule"]] if e["primaryRule"] < len(GUARD_RULES) else str(e["primaryRule"])
            prices[sym] = GuardView(e["priceWad"], e["ok"], rule, e["usedFallback"])
        pool = results[len(self._symbols)]
        totals = PoolTotals(total_borrow_base=pool["totalBorrowBase"], total_supply_base=pool["totalSupplyBase"],
                            cash_base=pool["cashBase"], reserves_base=pool["totalReservesBase"])
        return MarketReads(prices, totals, pool["borrowIndexWad"])

    def invalidates_all(self, event: dict[str, Any]) -> bool:
        """A collateral's risk parameters or the pool's oracle changed (the Lens would value every account
        differently at the same prices)."""
        return event.get("event") in ("CollateralConfigured", "OracleUpdated") and self._from_pool(event)

    def _columns(self, chunks: Sequence[ScanWords], addresses: list[str] | None = None) -> AccountColumns:
        symbols: tuple[str, ...] | None = None
        for chunk in chunks:
            chunk_symbols = tuple(self._address_to_symbol[a.lower()] for a in chunk.assets)
            if symbols is not None and chunk_symbols != symbols:
                raise ChainError(f"Lens.scan chunks list the pool's assets in different orders: {symbols} vs {chunk_symbols}")
            symbols = chunk_symbols
        symbols = symbols if symbols is not None else ()
        k = len(symbols)
        if chunks:
            fields = np.concatenate([c.fields for c in chunks])
            collateral = np.concatenate([c.collateral for c in chunks])
            account_bytes = np.concatenate([c.account_bytes for c in chunks])
        else:
            fields, collateral = np.zeros((0, 8, 4), np.uint64), np.zeros((0, k, 4), np.uint64)
            account_bytes = np.zeros((0, 20), np.uint8)
        addresses, index = self._addresses(account_bytes) if addresses is None else (addresses, index_of(addresses))
        # struct words: 0 account, 1 healthFactorWad, 2 collateralValueUsdWad, 3 liquidationValueUsdWad,
        # 4 borrowLimitUsdWad, 5 debtBase, 6 debtUsdWad, 7 pricesOk (lens_codec's layout)
        return AccountColumns(addresses, U256(fields[:, 1]), U256(fields[:, 2]), U256(fields[:, 3]), U256(fields[:, 5]),
                              U256(fields[:, 6]), np.asarray(fields[:, 7].any(axis=1)), symbols,
                              tuple(U256(collateral[:, j]) for j in range(k)), index)

    def _addresses(self, account_bytes: npt.NDArray[np.uint8]) -> tuple[list[str], dict[str, int]]:
        """The accounts' checksummed addresses and row index: computed once, reused while the read's
        accounts are the same bytes (every step of a drill)."""
        last = self._accounts
        if last is not None and np.array_equal(last[0], account_bytes):
            return last[1], last[2]
        addresses: list[str] = [checksum("0x" + row.tobytes().hex()) for row in account_bytes]
        index = index_of(addresses)
        self._accounts = (account_bytes.copy(), addresses, index)
        return addresses, index

    # -- agents' transactions ------------------------------------------------------------

    @property
    def spender(self) -> str:
        return self.protocol.pool.address

    def liquidation_call(self, account: str, collateral_symbol: str, repay_base: int) -> ContractFunction:
        p = self.protocol
        call: ContractFunction = p.pool.functions.liquidate(account, p.tokens[collateral_symbol].address, repay_base)
        return call

    def flash_liquidation_call(self, pair: str, account: str, collateral_symbol: str, repay_base: int,
                               min_profit_base: int) -> ContractFunction:
        p = self.protocol
        call: ContractFunction = p.flash_liquidator.functions.liquidate(
            p.pool.address, pair, account, p.tokens[collateral_symbol].address, repay_base, min_profit_base)
        return call

    def top_up_calls(self, funder: str, account: str, collateral_symbol: str, amount_raw: int) -> list[ContractFunction]:
        p = self.protocol
        return [p.pool.functions.depositCollateralFor(account, p.tokens[collateral_symbol].address, amount_raw)]

    def repay_calls(self, funder: str, account: str, amount_base: int) -> list[ContractFunction]:
        return [self.protocol.pool.functions.repayFor(account, amount_base)]

    def price_sources(self) -> dict[str, str]:
        return {sym: feed.address for sym, feed in self.protocol.feeds.items()}

    # -- events --------------------------------------------------------------------------

    def _from_pool(self, event: dict[str, Any]) -> bool:
        return str(event.get("address", "")).lower() == self.protocol.pool.address.lower()

    def decode_liquidation(self, event: dict[str, Any], health_before_wad: int | None) -> Liquidation | None:
        if event.get("event") != "Liquidation" or not self._from_pool(event):
            return None
        a = event["args"]
        return Liquidation(account=a["account"], collateral_asset=a["collateralAsset"], repaid_base=a["repaidBase"],
                                 seized_raw=a["seizedCollateral"], health_before_wad=a["healthFactorBeforeWad"],
                                 liquidator=a["liquidator"])

    def decode_bad_debt(self, event: dict[str, Any]) -> BadDebt | None:
        if event.get("event") != "BadDebtWrittenOff" or not self._from_pool(event):
            return None
        a = event["args"]
        return BadDebt(account=a["account"], amount_base=int(a["amountBase"]))

    # -- invariants ----------------------------------------------------------------------

    def invariants(self, chain: ChainAPI, accounts: Sequence[str],
                   liquidations: Sequence[Liquidation]) -> list[InvariantResult]:
        """1. cash + total borrow == total supply + reserves, to the raw unit: the pool books every action's
        and every accrual's rounding as reserves (``roundingDustBase`` says how much), so any difference is
        base the books do not know (a donation, a token that moved the pool's balance) or a leak
        (docs/lending.md, "Invariant"). 2. every collateral's pool balance == its booked total == the sum
        of accounts' balances. 3. no Liquidation of an account whose health factor was >= 1."""
        p = self.protocol
        pool_state = chain.call(p.lens.functions.poolState(p.pool.address))
        dust = chain.call(p.pool.functions.roundingDustBase())
        lhs = pool_state["cashBase"] + pool_state["totalBorrowBase"]
        rhs = pool_state["totalSupplyBase"] + pool_state["totalReservesBase"]
        balanced = lhs == rhs
        results = [InvariantResult(
            "pool cash + borrows = supplied + reserves", balanced,
            f"cash {pool_state['cashBase']} + borrows {pool_state['totalBorrowBase']} = {lhs}; supplied "
            f"{pool_state['totalSupplyBase']} + reserves {pool_state['totalReservesBase']} = {rhs}; "
            f"difference {lhs - rhs} raw (exact: the pool booked {dust} raw of rounding as reserves)",
            () if balanced else (p.pool.address,))]

        per_account: dict[str, int] = {}
        # One batch, encoded once per account list (web3 encodes 200 addresses in ~0.3 s; invariants run every step)
        # and decoded by the step read's fast decoder.
        key = tuple(accounts)
        if self._invariant_scans is None or self._invariant_scans[0] != key:
            self._invariant_scans = (key, [chain.prepare(p.lens.functions.scan(p.pool.address, list(key[i : i + SCAN_CHUNK])),
                                                         decode_scan) for i in range(0, len(key), SCAN_CHUNK)])
        replies = chain.call_many(self._invariant_scans[1])
        for reply in replies:
            if isinstance(reply, ChainError):
                raise reply
            assets, scans = reply
            for scan in scans:
                for asset, raw in zip(assets, scan["collateralRaw"]):
                    per_account[asset.lower()] = per_account.get(asset.lower(), 0) + raw
        broken: list[str] = []
        parts = []
        for asset in pool_state["assets"]:
            addr = asset["asset"].lower()
            held, booked, summed = asset["poolBalanceRaw"], asset["totalCollateralRaw"], per_account.get(addr, 0)
            if not held == booked == summed:
                broken.append(asset["asset"])
            parts.append(f"{self._address_to_symbol.get(addr, addr)}: held {held}, booked {booked}, sum of accounts {summed}")
        results.append(InvariantResult("collateral held = sum of deposits", not broken, "; ".join(parts),
                                       tuple([p.pool.address, *broken] if broken else [])))
        results.append(no_healthy_liquidation(liquidations))
        return results

    def named_contracts(self) -> dict[str, Deployed]:
        p = self.protocol
        return {"ORACLE_GUARD": p.guard, "LENDING_POOL": p.pool, "LENS": p.lens, "FLASH_LIQUIDATOR": p.flash_liquidator}
