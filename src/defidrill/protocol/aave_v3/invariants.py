"""Aave V3's accounting checks after (and during) a drill, on a fresh deployment or on a fork.

On a fresh deployment every aToken holder is ours (the accounts, the lender, the treasury) and a
collateral reserve is never borrowed, so the checks are exact identities:

1. per reserve, aToken ``scaledTotalSupply`` = the sum of the holders' scaled balances;
2. base: underlying held + debt >= aToken supply (the gap is the treasury's accrued share; index
   rounding may leave it a few raw units short);
3. each collateral (index 1): underlying held = aToken supply = the sum of the accounts' balances.

On a fork the reserves also hold everybody else's positions, and collateral reserves are borrowed
(their index moves). Nobody else transacts on the fork, so the same identities hold for what
changed since the drill attached (``Baseline``, read at attach): 1. the change of the scaled
total = the change of our holders' scaled balances; 2. and 3. for every reserve, the change of
(held + debt - aToken supply) >= -2 raw: the drill may not make any reserve less solvent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from defidrill.chain import ChainAPI, PreparedCall
from defidrill.errors import ChainError
from defidrill.protocol.aave_v3.deploy import AaveDeployment
from defidrill.protocol.aave_v3.reads import decode_uint256
from defidrill.protocol.adapter import InvariantResult
from defidrill.protocol.adapter_kit import no_healthy_liquidation
from defidrill.run_folder.records import Liquidation
from defidrill.protocol.market import Market

#: Index rounding may leave (held + debt - supply) this many raw units short.
ROUNDING_RAW = 2


@dataclass(frozen=True)
class ReserveState:
    scaled_total: int
    total: int            # aToken totalSupply (scaled x liquidity index)
    held: int             # underlying held by the aToken
    debt: int             # variable + stable debt
    scaled_of: dict[str, int]   # holder (lowercase) -> scaled aToken balance
    balances_sum: int     # the accounts' aToken balances

    @property
    def gap(self) -> int:
        return self.held + self.debt - self.total


#: symbol -> the reserve's state when the drill attached (fork mode).
Baseline = dict[str, ReserveState]


@dataclass(frozen=True)
class ReserveReads:
    """The batch ``read_reserves`` sends, encoded once.

    A drill checks the invariants every few steps with the same holders and accounts; building
    web3's ContractFunction objects again each time cost ~0.6 ms a call (14,600 calls, 9 of the
    36 s of a reduced gbm-stress run on Aave), encoding them once costs that once.
    """

    symbols: tuple[str, ...]
    holders: tuple[str, ...]
    accounts: tuple[str, ...]
    calls: tuple[PreparedCall, ...]

    def matches(self, symbols: Sequence[str], holders: Sequence[str], accounts: Sequence[str]) -> bool:
        return (self.symbols, self.holders, self.accounts) == (tuple(symbols), tuple(holders), tuple(accounts))


def reserve_reads(chain: ChainAPI, aave: AaveDeployment, market: Market, symbols: Sequence[str],
                  holders: Sequence[str], accounts: Sequence[str]) -> ReserveReads:
    """Every reserve's totals and the given holders' scaled balances, as one batch to send."""
    calls: list[PreparedCall] = []
    for sym in symbols:
        r = aave.reserves[sym]
        a_token = r.a_token.functions
        fns = [a_token.scaledTotalSupply(), a_token.totalSupply(),
               market.tokens[sym].functions.balanceOf(r.a_token.address),
               r.variable_debt.functions.totalSupply(), r.stable_debt.functions.totalSupply()]
        fns += [a_token.scaledBalanceOf(h) for h in holders]
        fns += [a_token.balanceOf(a) for a in accounts]
        calls += [chain.prepare(fn, decode_uint256) for fn in fns]
    return ReserveReads(tuple(symbols), tuple(holders), tuple(accounts), tuple(calls))


def read_reserves(chain: ChainAPI, reads: ReserveReads) -> dict[str, ReserveState]:
    """Send the batch; each reserve's state."""
    values = chain.call_many(reads.calls)
    for v in values:
        if isinstance(v, ChainError):
            raise v
    holders, accounts = reads.holders, reads.accounts
    out, i = {}, 0
    for sym in reads.symbols:
        scaled_total, total, held, variable, stable = (int(v) for v in values[i : i + 5])
        i += 5
        scaled = dict(zip((h.lower() for h in holders), (int(v) for v in values[i : i + len(holders)])))
        i += len(holders)
        balances_sum = sum(int(v) for v in values[i : i + len(accounts)])
        i += len(accounts)
        out[sym] = ReserveState(scaled_total, total, held, variable + stable, scaled, balances_sum)
    return out


def check_reserves(now: dict[str, ReserveState], base_symbol: str, baseline: Baseline | None,
                   liquidations: Sequence[Liquidation], blocks: int) -> list[InvariantResult]:
    """The four checks (see the module docstring); ``baseline`` None: a fresh deployment."""
    if baseline is None:
        scaled_ok = all(s.scaled_total == sum(s.scaled_of.values()) for s in now.values())
        scaled = "; ".join(f"a{sym}: scaled total {s.scaled_total}, sum of holders {sum(s.scaled_of.values())}"
                           for sym, s in now.items())
        collaterals = {sym: s for sym, s in now.items() if sym != base_symbol}
        coll_ok = all(s.held == s.total == s.balances_sum for s in collaterals.values())
        coll = "; ".join(f"{sym}: held {s.held}, aToken supply {s.total}, sum of accounts {s.balances_sum}"
                         for sym, s in collaterals.items())
        b = now[base_symbol]
        return [
            InvariantResult("aToken supply = sum of scaled balances", scaled_ok, scaled),
            InvariantResult("base held + debt >= aToken supply", b.gap >= -ROUNDING_RAW,
                            f"held {b.held} + debt {b.debt} - aToken supply {b.total} = {b.gap} raw (treasury's "
                            f"accrued share + rounding; >= -{ROUNDING_RAW}); {blocks} blocks"),
            InvariantResult("collateral held = sum of deposits", coll_ok, coll),
            no_healthy_liquidation(liquidations),
        ]
    parts, scaled_ok = [], True
    for sym, s in now.items():
        before = baseline[sym]
        ours = sum(v - before.scaled_of.get(h, 0) for h, v in s.scaled_of.items())
        scaled_ok = scaled_ok and s.scaled_total - before.scaled_total == ours
        parts.append(f"a{sym}: scaled total {s.scaled_total - before.scaled_total:+d} since the fork, "
                     f"our holders {ours:+d}")

    def solvency(symbols: list[str]) -> tuple[bool, str]:
        changes = {sym: now[sym].gap - baseline[sym].gap for sym in symbols}
        return (all(c >= -ROUNDING_RAW for c in changes.values()),
                "; ".join(f"{sym}: held + debt - aToken supply {c:+d} raw since the fork (>= -{ROUNDING_RAW})"
                          for sym, c in changes.items()))

    base_ok, base_detail = solvency([base_symbol])
    coll_ok, coll_detail = solvency([sym for sym in now if sym != base_symbol])
    return [
        InvariantResult("aToken supply = sum of scaled balances", scaled_ok, "; ".join(parts)),
        InvariantResult("base held + debt >= aToken supply", base_ok, f"{base_detail}; {blocks} blocks"),
        InvariantResult("collateral reserves held + debt >= aToken supply", coll_ok, coll_detail),
        no_healthy_liquidation(liquidations),
    ]
