"""Morpho Blue's accounting checks after (and during) a drill, in Morpho's own terms, on its stored state.

On our own deployment every supplier is ours (the lender, the fee recipient) and every borrower is a
drill account, so per market these are exact identities:

1. supply shares: ``totalSupplyShares`` = the sum of the suppliers' ``supplyShares``;
2. borrow shares: ``totalBorrowShares`` = the sum of the accounts' ``borrowShares``;
3. collateral held: Morpho's balance of the collateral token = the sum of the accounts' ``collateral``
   (one market per collateral token);
4. the market's totals: ``totalBorrowAssets <= totalSupplyAssets``;

and over the loan token: 5. Morpho's balance >= the sum of (totalSupplyAssets - totalBorrowAssets)
(``liquidate`` and ``repay`` floor the borrow total at zero, so the balance may exceed it by a few raw
units, never fall short). Token supplies are the engine's own check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from defidrill.chain import ChainAPI, PreparedCall
from defidrill.errors import ChainError
from defidrill.protocol.adapter import InvariantResult, Liquidation
from defidrill.protocol.adapter_kit import no_healthy_liquidation
from defidrill.protocol.market import Market
from defidrill.protocol.morpho_blue.deploy import MorphoDeployment


@dataclass(frozen=True)
class MarketState:
    total_supply_assets: int
    total_supply_shares: int
    total_borrow_assets: int
    total_borrow_shares: int
    supply_shares_sum: int
    borrow_shares_sum: int
    collateral_sum: int
    collateral_held: int


@dataclass(frozen=True)
class MorphoReads:
    """The invariants' batch, encoded once per (suppliers, accounts)."""

    key: tuple[tuple[str, ...], tuple[str, ...]]
    calls: tuple[PreparedCall, ...]


def morpho_reads(chain: ChainAPI, d: MorphoDeployment, market: Market, suppliers: Sequence[str],
                 accounts: Sequence[str]) -> MorphoReads:
    fns = d.morpho.functions
    calls = [chain.prepare(market.base.functions.balanceOf(d.morpho.address))]
    for sym, market_id in d.ids().items():
        calls.append(chain.prepare(fns.market(market_id)))
        calls.append(chain.prepare(market.tokens[sym].functions.balanceOf(d.morpho.address)))
        calls += [chain.prepare(fns.position(market_id, s)) for s in suppliers]
        calls += [chain.prepare(fns.position(market_id, a)) for a in accounts]
    return MorphoReads((tuple(suppliers), tuple(accounts)), tuple(calls))


def read_markets(chain: ChainAPI, d: MorphoDeployment, reads: MorphoReads) -> tuple[int, dict[str, MarketState]]:
    """(loan token held by Morpho, per collateral symbol its market's state)."""
    values = chain.call_many(list(reads.calls))
    for v in values:
        if isinstance(v, ChainError):
            raise v
    suppliers, accounts = reads.key
    held_base, i, out = int(values[0]), 1, {}
    for sym in d.params:
        m, held = values[i], int(values[i + 1])
        i += 2
        supplied = sum(int(p[0]) for p in values[i : i + len(suppliers)])
        i += len(suppliers)
        borrowed = values[i : i + len(accounts)]
        i += len(accounts)
        out[sym] = MarketState(int(m[0]), int(m[1]), int(m[2]), int(m[3]), supplied,
                               sum(int(p[1]) for p in borrowed), sum(int(p[2]) for p in borrowed), held)
    return held_base, out


def check_markets(held_base: int, markets: dict[str, MarketState], liquidations: Sequence[Liquidation],
                  blocks: int) -> list[InvariantResult]:
    def each(ok: bool, parts: list[str]) -> tuple[bool, str]:
        return ok, "; ".join(parts)

    supply = each(all(m.total_supply_shares == m.supply_shares_sum for m in markets.values()),
                  [f"{s}: totalSupplyShares {m.total_supply_shares}, suppliers' {m.supply_shares_sum}"
                   for s, m in markets.items()])
    borrow = each(all(m.total_borrow_shares == m.borrow_shares_sum for m in markets.values()),
                  [f"{s}: totalBorrowShares {m.total_borrow_shares}, accounts' {m.borrow_shares_sum}"
                   for s, m in markets.items()])
    collateral = each(all(m.collateral_held == m.collateral_sum for m in markets.values()),
                      [f"{s}: held {m.collateral_held}, accounts' collateral {m.collateral_sum}"
                       for s, m in markets.items()])
    totals = each(all(m.total_borrow_assets <= m.total_supply_assets for m in markets.values()),
                  [f"{s}: totalBorrowAssets {m.total_borrow_assets} <= totalSupplyAssets {m.total_supply_assets}"
                   for s, m in markets.items()])
    net = sum(m.total_supply_assets - m.total_borrow_assets for m in markets.values())
    return [
        InvariantResult("supply shares = sum of suppliers' shares", *supply),
        InvariantResult("borrow shares = sum of accounts' shares", *borrow),
        InvariantResult("collateral held = sum of positions' collateral", *collateral),
        InvariantResult("market totals: borrowed <= supplied", *totals),
        InvariantResult("loan token held >= supplied - borrowed", held_base >= net,
                        f"held {held_base} - (supplied - borrowed) {net} = {held_base - net} raw (>= 0); {blocks} blocks"),
        no_healthy_liquidation(liquidations),
    ]
