"""One batched read of everything agents and the recorder need after a step's first block.

A single JSON-RPC batch of eth_calls: the lens scan of every account (in chunks, so
no call hits the node's gas cap), each feed's latest round, the guard's verdict per
asset, each pair's reserves, the pool's totals and agents' token balances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from defidrill.chain import Chain
from defidrill.engine.world import World
from defidrill.errors import ChainError
from defidrill.protocol.lens_codec import decode_scan

WAD = 10**18
SCAN_CHUNK = 250
MAX_UINT = 2**256 - 1

#: IOracleGuard.Rule names, by enum value (contracts/interfaces/IOracleGuard.sol).
GUARD_RULES = [
    "OK", "NOT_CONFIGURED", "SEQUENCER_DOWN", "SEQUENCER_GRACE_PERIOD", "SOURCE_CALL_FAILED", "INCOMPLETE_ROUND",
    "NON_POSITIVE_ANSWER", "FUTURE_TIMESTAMP", "STALE", "AT_MIN_ANSWER", "AT_MAX_ANSWER", "DEVIATION",
    "ANSWER_OUT_OF_RANGE", "NO_LIQUIDITY", "NO_FALLBACK",
]


@dataclass(frozen=True)
class AccountView:
    address: str
    health_factor_wad: int
    collateral_value_usd_wad: int
    liquidation_value_usd_wad: int
    debt_base: int
    debt_usd_wad: int
    prices_ok: bool
    collateral_raw: dict[str, int]  # symbol -> raw units

    @property
    def health_factor(self) -> float:
        return float("inf") if self.health_factor_wad >= MAX_UINT // 2 else self.health_factor_wad / WAD


@dataclass(frozen=True)
class FeedView:
    round_id: int
    answer_raw: int
    updated_at: int
    decimals: int

    @property
    def answer_usd(self) -> float:
        return self.answer_raw / 10**self.decimals


@dataclass(frozen=True)
class GuardView:
    price_wad: int
    ok: bool
    rule: str
    used_fallback: bool


@dataclass
class Observation:
    step: int
    t_s: float
    timestamp: int
    block: int
    reference_usd: dict[str, float]
    accounts: list[AccountView]
    feeds: dict[str, FeedView]
    guard: dict[str, GuardView]
    reserves: dict[str, tuple[int, int]]  # pair symbol -> (asset raw, base raw)
    pool: dict[str, Any]
    balances: dict[str, dict[str, int]] = field(default_factory=dict)  # agent address -> symbol -> raw

    def liquidatable(self) -> list[AccountView]:
        return [a for a in self.accounts if a.debt_base > 0 and a.prices_ok and a.health_factor_wad < WAD]


class Observer:
    """Encodes the step's reads once (they are the same every step) and decodes each step's batch."""

    def __init__(self, chain: Chain, world: World, balance_holders: list[str]) -> None:
        self.chain = chain
        self.world = world
        p = world.protocol
        accounts = world.accounts
        self.symbols = list(p.tokens)
        self.pair_syms = list(p.pairs)
        calls = [chain.prepare(p.lens.functions.scan(p.pool.address, accounts[start : start + SCAN_CHUNK]), decode_scan)
                 for start in range(0, len(accounts), SCAN_CHUNK)]
        self.n_scan = len(calls)
        calls += [chain.prepare(p.feeds[s].functions.latestRoundData()) for s in self.symbols]
        calls += [chain.prepare(p.guard.functions.check(p.tokens[s].address)) for s in self.symbols]
        calls += [chain.prepare(p.pairs[s].functions.getReserves()) for s in self.pair_syms]
        calls.append(chain.prepare(p.lens.functions.poolState(p.pool.address)))
        self.holders = [(h, s) for h in balance_holders for s in self.symbols]
        calls += [chain.prepare(p.tokens[s].functions.balanceOf(h)) for h, s in self.holders]
        self.calls = calls

    def observe(self, step: int, t_s: float, reference_usd: dict[str, float]) -> Observation:
        chain, world = self.chain, self.world
        return _decode(chain, world, self, step, t_s, reference_usd, chain.call_many(self.calls))


def _decode(chain: Chain, world: World, obs: Observer, step: int, t_s: float, reference_usd: dict[str, float],
            results: list[Any]) -> Observation:
    p = world.protocol
    symbols, pair_syms, holders, n_scan = obs.symbols, obs.pair_syms, obs.holders, obs.n_scan
    for r in results:
        if isinstance(r, ChainError):
            raise ChainError(f"step {step}: observation call failed: {r}")
    address_to_symbol = {tok.address.lower(): sym for sym, tok in p.tokens.items()}

    views: list[AccountView] = []
    for assets, scans in results[:n_scan]:
        asset_syms = [address_to_symbol[a.lower()] for a in assets]
        for s in scans:
            views.append(AccountView(
                address=s["account"], health_factor_wad=s["healthFactorWad"],
                collateral_value_usd_wad=s["collateralValueUsdWad"],
                liquidation_value_usd_wad=s["liquidationValueUsdWad"], debt_base=s["debtBase"],
                debt_usd_wad=s["debtUsdWad"], prices_ok=s["pricesOk"],
                collateral_raw=dict(zip(asset_syms, s["collateralRaw"])),
            ))
    i = n_scan
    feeds = {}
    for s in symbols:
        round_id, answer, _started, updated, _answered = results[i]
        feeds[s] = FeedView(round_id, answer, updated, p.config.asset(s).feed_decimals)
        i += 1
    guard = {}
    for s in symbols:
        e = results[i]
        guard[s] = GuardView(e["priceWad"], e["ok"], GUARD_RULES[e["primaryRule"]] if e["primaryRule"] < len(GUARD_RULES)
                             else str(e["primaryRule"]), e["usedFallback"])
        i += 1
    reserves = {}
    for s in pair_syms:
        r0, r1, _ts = results[i]
        token0 = world.protocol.pair_token0[s]
        reserves[s] = (r0, r1) if token0.lower() == p.tokens[s].address.lower() else (r1, r0)
        i += 1
    pool = results[i]
    i += 1
    balances: dict[str, dict[str, int]] = {}
    for (holder, sym), value in zip(holders, results[i:]):
        balances.setdefault(holder, {})[sym] = value
    latest = chain.rpc.request("eth_getBlockByNumber", ["latest", False])
    return Observation(step, t_s, int(latest["timestamp"], 16), int(latest["number"], 16), dict(reference_usd),
                       views, feeds, guard, reserves, pool, balances)
