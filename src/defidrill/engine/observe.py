"""One batched read of everything agents and the recorder need after a step's first block.

A single JSON-RPC batch of eth_calls: the lending protocol's read of every account, the
price it uses per asset and its totals (its adapter's ``prepare_reads``), each market
feed's latest round, each pair's reserves and agents' token balances.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from defidrill.chain import ChainAPI
from defidrill.engine.world import World
from defidrill.errors import ChainError
from defidrill.protocol.account_columns import AccountColumns
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
    """Encodes the step's reads once (they are the same every step) and decodes each step's batch."""

    def __init__(self, chain: ChainAPI, world: World, balance_holders: list[str]) -> None:
        self.chain = chain
        self.world = world
        m = world.market
        self.symbols = list(m.tokens)
        self.pair_syms = list(m.pairs)
        calls = world.lending.prepare_reads(chain, world.accounts)
        self.n_protocol = len(calls)
        calls += [chain.prepare(m.feeds[s].functions.latestRoundData()) for s in self.symbols]
        calls += [chain.prepare(m.pairs[s].functions.getReserves()) for s in self.pair_syms]
        self.holders = [(h, s) for h in balance_holders for s in self.symbols]
        calls += [chain.prepare(m.tokens[s].functions.balanceOf(h)) for h, s in self.holders]
        self.calls = calls

    def amm_prices_usd(self, reference_usd: dict[str, float]) -> dict[str, float]:
        """Each pair's spot price in USD now (base per asset from the reserves x the base's reference):
        one batch of getReserves, for a price leader that follows the chain (``two_way``)."""
        m = self.world.market
        base = m.config.base
        n_pairs = len(self.pair_syms)
        results = self.chain.call_many(self.calls[len(self.calls) - len(self.holders) - n_pairs:
                                                  len(self.calls) - len(self.holders)])
        out = {}
        for s, r in zip(self.pair_syms, results):
            if isinstance(r, ChainError):
                raise ChainError(f"AMM price read failed for {s}: {r}")
            r0, r1, _ts = r
            asset_raw, base_raw = (r0, r1) if m.pair_token0[s].lower() == m.tokens[s].address.lower() else (r1, r0)
            asset_units = asset_raw / 10**m.config.asset(s).decimals
            out[s] = (base_raw / 10**base.decimals) / asset_units * reference_usd[base.symbol] if asset_units else 0.0
        return out

    def observe(self, step: int, t_s: float, reference_usd: dict[str, float]) -> Observation:
        results = self.chain.call_many(self.calls)
        for r in results:
            if isinstance(r, ChainError):
                raise ChainError(f"step {step}: observation call failed: {r}")
        m = self.world.market
        reads = self.world.lending.decode_reads(results[: self.n_protocol])
        i = self.n_protocol
        feeds = {}
        for s in self.symbols:
            round_id, answer, _started, updated, _answered = results[i]
            feeds[s] = FeedView(round_id, answer, updated, m.config.asset(s).feed_decimals)
            i += 1
        reserves = {}
        for s in self.pair_syms:
            r0, r1, _ts = results[i]
            reserves[s] = (r0, r1) if m.pair_token0[s].lower() == m.tokens[s].address.lower() else (r1, r0)
            i += 1
        balances: dict[str, dict[str, int]] = {}
        for (holder, sym), value in zip(self.holders, results[i:]):
            balances.setdefault(holder, {})[sym] = value
        latest = self.chain.latest_block()
        accounts = (reads.accounts if isinstance(reads.accounts, AccountColumns)
                    else AccountColumns.from_views(list(reads.accounts)))
        return Observation(step, t_s, latest.timestamp, latest.number, dict(reference_usd),
                           accounts, feeds, reads.prices, reserves, reads.totals, balances,
                           reads.liquidatable_below_hf_wad)
