"""One batched read of everything agents and the recorder need after a step's first block.

A single JSON-RPC batch of eth_calls: the lending protocol's read of every account, the
price it uses per asset and its totals (its adapter's ``prepare_reads``), each market
feed's latest round, each pair's reserves and agents' token balances.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from defidrill.chain import ChainAPI, Dropped, PreparedCall, Receipt, TxRequest
from defidrill.engine import health_bound
from defidrill.engine.world import World
from defidrill.errors import ChainError
from defidrill.protocol.account_columns import AccountColumns, Floats, Mask, Rows
from defidrill.protocol.bounded_reads import BoundedReads, MarketReads
from defidrill.protocol.adapter import AccountView, GuardView, PoolTotals
from defidrill.protocol_terms.fixed_point import WAD

__all__ = ["AccountColumns", "AccountView", "FeedView", "GuardView", "Observation", "Observer", "PoolTotals"]


@dataclass(frozen=True)
class FeedView:
    round_id: int
    answer_raw: int
    updated_at: int
    decimals: int

    @property
    def answer_usd(self) -> float:
        return float(self.answer_raw / 10**self.decimals)


@dataclass
class Observation:
    step: int
    t_s: float
    timestamp: int
    block: int
    reference_usd: dict[str, float]
    accounts: AccountColumns  # every account as columns; ``accounts[i]`` / ``accounts.view(i)`` is its AccountView
    feeds: dict[str, FeedView]
    guard: dict[str, GuardView]  # symbol -> the price the lending protocol uses (its guard or oracle)
    reserves: dict[str, tuple[int, int]]  # pair symbol -> (asset raw, base raw)
    totals: PoolTotals
    balances: dict[str, dict[str, int]] = field(default_factory=dict)  # agent address -> symbol -> raw
    liquidatable_below_hf_wad: int = WAD  # the protocol allows liquidations below this HF now (ProtocolReads)

    def liquidatable(self) -> list[AccountView]:
        """Accounts with debt, usable prices and a health factor under the protocol's line now, in read order
        (the filter runs over the columns; only these become AccountView objects)."""
        return [self.accounts.view(int(i)) for i in self.accounts.liquidatable_rows(self.liquidatable_below_hf_wad)]


class Observer:
    """Encodes the step's reads once (they are the same every step) and decodes each step's batch.

    With an adapter that can bound health (``LendingAdapter.bounded_reads``; off with
    ``DEFIDRILL_HEALTH_BOUND=off``) a step reads the market first and then only the accounts whose
    health can have changed enough to matter (engine/health_bound.py); the Observation is the same."""

    def __init__(self, chain: ChainAPI, world: World, balance_holders: list[str], *,
                 watched: Callable[[], Iterable[str]] = tuple, full_read_at: Callable[[int], bool] = lambda step: False,
                 watch_hf_wad: int = WAD, reactive: Iterable[str] = ()) -> None:
        self.chain = chain
        self.world = world
        m = world.market
        self.symbols = list(m.tokens)
        self.pair_syms = list(m.pairs)
        self.holders = [(h, s) for h in balance_holders for s in self.symbols]
        tail = [chain.prepare(m.feeds[s].functions.latestRoundData()) for s in self.symbols]
        tail += [chain.prepare(m.pairs[s].functions.getReserves()) for s in self.pair_syms]
        tail += [chain.prepare(m.tokens[s].functions.balanceOf(h)) for h, s in self.holders]
        self.tail = tail  # feeds, reserves, balances: every step
        self.bounded = world.lending.bounded_reads() if health_bound.enabled() else None
        self.watched, self.full_read_at, self.watch_hf_wad = watched, full_read_at, watch_hf_wad
        self.reactive = frozenset(reactive)  # the borrowers compared with ``watch_hf_wad``
        self._reactive_rows: Mask | None = None
        self.accounts = list(world.accounts)  # World.accounts builds its list at each call
        self.rule: health_bound.HealthBound | None = None
        if self.bounded is None:
            calls = world.lending.prepare_reads(chain, world.accounts)
            self.n_protocol = len(calls)
            self.calls = calls + tail
        else:
            self.market_calls = self.bounded.market_calls(chain)
            self.all_accounts = self.bounded.account_calls(chain, self.accounts)
        self.accounts_read = 0  # account reads sent (the bench's figure)

    def amm_prices_usd(self, reference_usd: dict[str, float]) -> dict[str, float]:
        """Each pair's spot price in USD now (base per asset from the reserves x the base's reference):
        one batch of getReserves, for a price leader that follows the chain (``two_way``)."""
        m = self.world.market
        base = m.config.base
        n_feeds = len(self.symbols)
        results = self.chain.call_many(self.tail[n_feeds : n_feeds + len(self.pair_syms)])
        out = {}
        for s, r in zip(self.pair_syms, results):
            if isinstance(r, ChainError):
                raise ChainError(f"AMM price read failed for {s}: {r}")
            r0, r1, _ts = r
            asset_raw, base_raw = (r0, r1) if m.pair_token0[s].lower() == m.tokens[s].address.lower() else (r1, r0)
            asset_units = asset_raw / 10**m.config.asset(s).decimals
            out[s] = (base_raw / 10**base.decimals) / asset_units * reference_usd[base.symbol] if asset_units else 0.0
        return out

    def note_blocks(self, txs: Sequence[TxRequest], results: Sequence[Receipt | ChainError | Dropped]) -> None:
        """After a step's blocks: every account a mined transaction was sent by, or an event of it names,
        is read at the next step (its amounts may have moved); an event the adapter says changes how
        every account is valued turns the bound off for the rest of the run."""
        rule, bounded = (self.rule, self.bounded) if self.bounded is not None else (None, None)
        if rule is None or bounded is None:
            return
        rows_of = rule.columns.rows_by_address if rule.columns is not None else {}
        for tx, result in zip(txs, results):
            if not isinstance(result, Receipt) or not result.ok:
                continue  # a reverted or dropped transaction moved nothing
            named = [tx.sender, result.sender]
            for event in result.events:
                if bounded.invalidates_all(event):
                    self.bounded = None
                    self._to_full_reads()
                    return
                named += [v for v in event.get("args", {}).values() if isinstance(v, str)]
            for value in named:
                row = rows_of.get(value.lower())
                if row is not None:
                    rule.dirty[row] = True

    def _to_full_reads(self) -> None:
        calls = self.world.lending.prepare_reads(self.chain, self.world.accounts)
        self.n_protocol = len(calls)
        self.calls = calls + self.tail
        self.rule = None

    def observe(self, step: int, t_s: float, reference_usd: dict[str, float]) -> Observation:
        if self.bounded is None:
            results = self._call(step, self.calls)
            self.accounts_read += len(self.accounts)
            reads = self.world.lending.decode_reads(results[: self.n_protocol])
            accounts = (reads.accounts if isinstance(reads.accounts, AccountColumns)
                        else AccountColumns.from_views(list(reads.accounts)))
            return self._observation(step, t_s, reference_usd, accounts, reads.prices, reads.totals,
                                     reads.liquidatable_below_hf_wad, results[self.n_protocol :])
        return self._observe_bounded(step, t_s, reference_usd, self.bounded)

    def _observe_bounded(self, step: int, t_s: float, reference_usd: dict[str, float],
                         bounded: BoundedReads) -> Observation:
        n_market = len(self.market_calls)
        rule = self.rule
        if rule is None or self.full_read_at(step):  # every account, in the same batch as the market
            n_acc = len(self.all_accounts)
            results = self._call(step, self.all_accounts + self.market_calls + self.tail)
            market = bounded.decode_market(results[n_acc : n_acc + n_market])
            accounts = bounded.decode_accounts(results[:n_acc], self.accounts)
            self.accounts_read += len(accounts)
            if rule is None:
                rule = self.rule = health_bound.HealthBound(len(accounts), tuple(accounts.collateral_symbols),
                                                            self.world.markets, WAD)
            rows = np.arange(len(accounts))
            rule.record(step, rows, accounts, market)
            rule.columns = accounts
            return self._observation(step, t_s, reference_usd, accounts, market.prices, market.totals,
                                     market.liquidatable_below_hf_wad, results[n_acc + n_market :])
        results = self._call(step, self.market_calls + self.tail)
        market = bounded.decode_market(results[:n_market])
        rule.threshold_wad = self._threshold_wad(market, rule)
        forced = np.zeros(rule.n, dtype=bool)
        assert rule.columns is not None
        for address in self.watched():
            row = rule.columns.row_of(address)
            if row is not None:
                forced[row] = True
        selection = rule.select(step, market, reference_usd, forced)
        if selection is None:
            self.rule = None  # nothing to bound from (a price missing): this step reads all, and sets it up again
            return self._observe_bounded(step, t_s, reference_usd, bounded)
        parts = [(selection.rows, self._read_rows(step, bounded, selection.rows))] if selection.rows.size else []
        more = rule.second_round(selection, parts)
        while more.size:  # each round reads rows no earlier one did: it ends
            parts.append((more, self._read_rows(step, bounded, more)))
            more = rule.second_round(selection, parts)
        for rows, fresh in parts:
            rule.record(step, rows, fresh, market)
        accounts = rule.merge(parts, selection.bound_wad)
        rule.columns = accounts
        return self._observation(step, t_s, reference_usd, accounts, market.prices, market.totals,
                                 market.liquidatable_below_hf_wad, results[n_market:])

    def _threshold_wad(self, market: MarketReads, rule: health_bound.HealthBound) -> Floats:
        """Per row, the highest health-factor line anything compares it with, plus the margin: the liquidation
        line and 1.0 for everyone, the reaction trigger for the borrowers who react."""
        line = max(WAD, market.liquidatable_below_hf_wad)
        low, high = (float(int(x * (1 + health_bound.MARGIN))) for x in (line, max(line, self.watch_hf_wad)))
        if self._reactive_rows is None:
            assert rule.columns is not None
            rows = [rule.columns.row_of(a) for a in self.reactive]
            self._reactive_rows = np.zeros(rule.n, dtype=bool)
            self._reactive_rows[[r for r in rows if r is not None]] = True
        return np.where(self._reactive_rows, high, low)

    def _read_rows(self, step: int, bounded: BoundedReads, rows: Rows) -> AccountColumns:
        accounts = [self.accounts[int(i)] for i in rows]
        calls = bounded.account_calls(self.chain, accounts)
        self.accounts_read += len(accounts)
        return bounded.decode_accounts(self._call(step, calls), accounts)

    def _call(self, step: int, calls: list[PreparedCall]) -> list[Any]:
        results = self.chain.call_many(calls)
        for r in results:
            if isinstance(r, ChainError):
                raise ChainError(f"step {step}: observation call failed: {r}")
        return results

    def _observation(self, step: int, t_s: float, reference_usd: dict[str, float], accounts: AccountColumns,
                     prices: dict[str, GuardView], totals: PoolTotals, line_wad: int, tail: Sequence[Any]) -> Observation:
        """Feeds, reserves and balances from the tail of the batch, and the block the reads were at."""
        m = self.world.market
        i = 0
        feeds = {}
        for s in self.symbols:
            round_id, answer, _started, updated, _answered = tail[i]
            feeds[s] = FeedView(round_id, answer, updated, m.config.asset(s).feed_decimals)
            i += 1
        reserves = {}
        for s in self.pair_syms:
            r0, r1, _ts = tail[i]
            reserves[s] = (r0, r1) if m.pair_token0[s].lower() == m.tokens[s].address.lower() else (r1, r0)
            i += 1
        balances: dict[str, dict[str, int]] = {}
        for (holder, sym), value in zip(self.holders, tail[i:]):
            balances.setdefault(holder, {})[sym] = value
        latest = self.chain.latest_block()
        return Observation(step, t_s, latest.timestamp, latest.number, dict(reference_usd),
                           accounts, feeds, prices, reserves, totals, balances, line_wad)
