"""The health bound against the reference pool's own formula, on random books and price paths.

The pool (contracts/lending/libraries/AccountLogic.sol, InterestLogic.debtUp) values an account as
    value_i = floor(balance_i x price_i / 10^decimals_i), liquidation value = sum floor(value_i x LT_i / 1e4),
    debt = ceil(principal x index / 1e18), debt USD = ceil(debt x base price / 10^base decimals),
    HF = floor(liquidation value x 1e18 / debt USD) (max uint without debt)
written out here in Python ints. Each step the rule (engine/health_bound.py) picks the rows to read, the
model "reads" them, and the merged columns must give every figure the full read gives: the liquidatable
rows, the borrowers' trigger rows, steps.csv's account figures (engine/ledger.account_figures), and the
bound is never above the true health factor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from defidrill.engine.health_bound import HealthBound, Selection
from defidrill.engine.ledger import account_figures
from defidrill.engine.observe import Observation
from defidrill.protocol.account_columns import U256, AccountColumns, index_of
from defidrill.protocol.adapter import MAX_UINT, AssetInfo, CloseFactorRule, CollateralInfo, GuardView, LendingMarkets, PoolTotals
from defidrill.protocol.bounded_reads import MarketReads

WAD = 10**18
SYMBOLS = ("WBTC", "WETH", "LINK")
DECIMALS = {"WBTC": 8, "WETH": 18, "LINK": 18, "USDC": 6}
LT_BPS = {"WBTC": 7800, "WETH": 8200, "LINK": 6500}
MARKETS = LendingMarkets(
    "reference", AssetInfo("USDC", "0x" + "0" * 39 + "9", 6),
    {s: CollateralInfo(AssetInfo(s, "0x" + "0" * 39 + str(i + 1), DECIMALS[s]), LT_BPS[s] - 500, LT_BPS[s], 500)
     for i, s in enumerate(SYMBOLS)},
    CloseFactorRule(5000, 95 * WAD // 100), {})
THRESHOLD_WAD = int(1.12 * WAD * 1.02)  # a borrowers' trigger at 1.12 plus the engine's margin
N_ACCOUNTS = 400
#: Every fifth account reacts (compared with the 1.12 trigger); the others only with the lines at 1.0.
REACTIVE = np.arange(N_ACCOUNTS) % 5 == 0
PER_ROW_WAD = np.where(REACTIVE, float(THRESHOLD_WAD), float(int(WAD * 1.02)))


@dataclass
class Book:
    balances: list[dict[str, int]]
    principals: list[int]

    def columns(self, rows: list[int], prices_wad: dict[str, int], index_wad: int) -> AccountColumns:
        """The Lens's read of ``rows``, by the pool's formula."""
        out: dict[str, list[Any]] = {k: [] for k in ("hf", "coll", "liq", "debt", "debt_usd", "ok")}
        for r in rows:
            coll = liq = 0
            for s, raw in self.balances[r].items():
                if raw == 0:
                    continue
                value = raw * prices_wad[s] // 10 ** DECIMALS[s]
                coll += value
                liq += value * LT_BPS[s] // 10_000
            debt = -(-self.principals[r] * index_wad // WAD)
            debt_usd = -(-debt * prices_wad["USDC"] // 10**6)
            for k, v in zip(out, (MAX_UINT if debt_usd == 0 else liq * WAD // debt_usd, coll, liq, debt, debt_usd, True)):
                out[k].append(v)
        addresses = [f"0x{r + 1:040x}" for r in rows]
        return AccountColumns(addresses, U256.from_ints(out["hf"]), U256.from_ints(out["coll"]),
                              U256.from_ints(out["liq"]), U256.from_ints(out["debt"]), U256.from_ints(out["debt_usd"]),
                              np.array(out["ok"], dtype=bool), SYMBOLS,
                              tuple(U256.from_ints([self.balances[r].get(s, 0) for r in rows]) for s in SYMBOLS),
                              index_of(addresses))


def random_book(rng: random.Random, n: int, prices_wad: dict[str, int]) -> Book:
    balances, principals = [], []
    for i in range(n):
        held = rng.sample(SYMBOLS, rng.randint(1, 3))
        usd = rng.lognormvariate(9, 1.5) if i % 17 else rng.choice([1e-12, 1e-6, 0.01])  # some dust accounts
        bal = {s: int(usd / len(held) * 10 ** DECIMALS[s] * WAD // prices_wad[s]) + rng.randint(0, 3) for s in held}
        liq_usd = sum(b * prices_wad[s] // 10 ** DECIMALS[s] * LT_BPS[s] // 10_000 for s, b in bal.items()) / WAD
        hf = rng.uniform(0.97, 2.5)
        principal = 0 if i % 11 == 0 else max(1, int(liq_usd / hf * 10**6))
        balances.append(bal)
        principals.append(principal)
    return Book(balances, principals)


def figures(cols: AccountColumns, ref: dict[str, float], reactive: Any = True) -> tuple[Any, ...]:
    """steps.csv's account figures, the keepers' rows, and the reacting borrowers' trigger rows."""
    obs = cast(Observation, SimpleNamespace(accounts=cols, reference_usd=ref))
    trigger = int(1.12 * WAD)
    return (account_figures(obs, MARKETS), cols.liquidatable_rows(WAD).tolist(),
            np.flatnonzero(reactive & cols.has_debt() & cols.prices_ok & cols.health_factor_wad.lt(trigger)).tolist())


@pytest.mark.parametrize("seed", range(6))
def test_the_rule_reads_whatever_a_figure_needs(seed: int) -> None:
    run_random_book(seed, THRESHOLD_WAD)


@pytest.mark.parametrize("seed", range(6, 10))
def test_a_threshold_per_row_for_the_borrowers_who_react(seed: int) -> None:
    run_random_book(seed, PER_ROW_WAD, REACTIVE)


def run_random_book(seed: int, threshold_wad: Any, reactive: Any = True) -> None:
    rng = random.Random(seed)
    n = N_ACCOUNTS
    prices = {"WBTC": 60_000 * WAD, "WETH": 3_000 * WAD, "LINK": 15 * WAD, "USDC": WAD}
    index = WAD
    book = random_book(rng, n, prices)
    rows_all = list(range(n))
    rule = HealthBound(n, SYMBOLS, MARKETS, threshold_wad)
    totals = PoolTotals(0, 0, 0, 0)

    def market() -> MarketReads:
        return MarketReads({s: GuardView(p, True, "OK", False) for s, p in prices.items()}, totals, index)

    rule.columns = book.columns(rows_all, prices, index)
    rule.record(0, np.arange(n), rule.columns, market())
    read_total = 0
    for step in range(1, 60):
        for s in SYMBOLS:  # a random walk with jumps, down and up
            move = rng.choice([rng.gauss(0, 0.01)] * 8 + [rng.uniform(-0.3, 0.2)])
            prices[s] = max(1, int(prices[s] * (1 + move)))
        prices["USDC"] = int(WAD * rng.uniform(0.97, 1.03))
        index += int(index * rng.uniform(0, 1e-4))
        moved = rng.sample(rows_all, 3)  # accounts that deposit, borrow or are liquidated: their event marks them
        for r in moved:
            s = rng.choice(SYMBOLS)
            book.balances[r][s] = max(0, book.balances[r].get(s, 0) + rng.randint(-10**6, 10**6))
            book.principals[r] = max(0, book.principals[r] + rng.randint(-10**4, 10**4))
            rule.dirty[r] = True
        weakest = int(np.argmin(np.where(rule.columns.has_debt(), rule.columns.health_factor_wad.approx, np.inf)))
        if rng.random() < 0.3:  # the weakest account (the lowest bound, read first) repays in full
            book.principals[weakest] = 0
            rule.dirty[weakest] = True
        ref = {s: p / WAD * rng.uniform(0.9, 1.1) for s, p in prices.items()}
        full = book.columns(rows_all, prices, index)
        selection = rule.select(step, market(), ref, np.zeros(n, dtype=bool))
        assert isinstance(selection, Selection)
        exact_hf = np.array([float(full.health_factor_wad.int_at(i)) for i in range(n)])
        debt = full.has_debt()
        unread = np.ones(n, dtype=bool)
        unread[selection.rows] = False
        stale = unread & debt
        assert (selection.bound_wad[stale] <= exact_hf[stale]).all(), "the bound is above a true health factor"
        parts = [(selection.rows, book.columns(selection.rows.tolist(), prices, index))]
        more = rule.second_round(selection, parts)
        while more.size:
            parts.append((more, book.columns(more.tolist(), prices, index)))
            more = rule.second_round(selection, parts)
        merged = rule.merge(parts, selection.bound_wad)
        for rows, fresh in parts:
            rule.record(step, rows, fresh, market())
            read_total += len(rows)
        rule.columns = merged
        assert figures(merged, ref, reactive) == figures(full, ref, reactive), f"step {step}"
        for i in full.liquidatable_rows(WAD).tolist():
            assert merged.view(i) == full.view(i)  # what a keeper acts on is the exact read
    assert read_total < 0.8 * n * 59  # and it does skip reads


def test_a_price_the_protocol_cannot_use_now_means_a_read() -> None:
    prices = {"WBTC": 60_000 * WAD, "WETH": 3_000 * WAD, "LINK": 15 * WAD, "USDC": WAD}
    book = Book([{"WBTC": 10**8}, {"WETH": 10**18}], [10**9, 10**8])  # HF ~46.8 and ~24.6
    rule = HealthBound(2, SYMBOLS, MARKETS, THRESHOLD_WAD)
    rule.columns = book.columns([0, 1], prices, WAD)
    guards = {s: GuardView(p, True, "OK", False) for s, p in prices.items()}
    rule.record(0, np.arange(2), rule.columns, MarketReads(guards, PoolTotals(0, 0, 0, 0), WAD))
    # step 1 is neither row's staggered read (16 steps): the lowest bound (row 1) is read, row 0 is not
    ref = {s: p / WAD for s, p in prices.items()}
    ok = rule.select(1, MarketReads(guards, PoolTotals(0, 0, 0, 0), WAD), ref, np.zeros(2, bool))
    assert ok is not None and ok.rows.tolist() == [1]
    stale = dict(guards, WBTC=GuardView(60_000 * WAD, False, "STALE", False))
    sel = rule.select(1, MarketReads(stale, PoolTotals(0, 0, 0, 0), WAD), ref, np.zeros(2, bool))
    assert sel is not None and sel.rows.tolist() == [0]  # WBTC's price at 0: row 0's bound is -1, the lowest
    base_down = dict(guards, USDC=GuardView(0, False, "STALE", False))
    assert rule.select(1, MarketReads(base_down, PoolTotals(0, 0, 0, 0), WAD), {}, np.zeros(2, bool)) is None


def test_the_comparison_bites() -> None:
    """A rule whose threshold sits under the borrowers' trigger (1.12) hides accounts the full read shows
    under it: the property test's comparison must see that."""
    with pytest.raises(AssertionError):
        run_random_book(0, WAD // 2)
    with pytest.raises(AssertionError):  # the reacting borrowers held to the lines' threshold only
        run_random_book(6, np.full(N_ACCOUNTS, float(int(WAD * 1.02))), REACTIVE)


def test_an_unread_health_factor_past_two_to_the_64() -> None:
    """The written bound of a very healthy account (HF above 18.4, past a uint64 limb) stays exact in limbs."""
    from defidrill.engine.health_bound import _wad_limbs

    limbs = _wad_limbs(np.array([2.0**70, 5e18, float("inf")]), 3 * WAD)
    values = U256(limbs)
    assert [values.int_at(i) for i in range(3)] == [2**70, 5 * WAD, MAX_UINT]


def test_the_minimum_when_the_weakest_account_repaid() -> None:
    """Every account far above the lines, the lowest-bound one repaid since its read: the read of it has no
    debt, so the step's minimum health factor is another account's, which must then be read too."""
    prices = {"WBTC": 60_000 * WAD, "WETH": 3_000 * WAD, "LINK": 15 * WAD, "USDC": WAD}
    book = Book([{"WBTC": 10**8}, {"WETH": 10**18}, {"LINK": 10**18}], [10**9, 10**8, 10**5])  # HF 46.8, 24.6, 97.5
    rule = HealthBound(3, SYMBOLS, MARKETS, THRESHOLD_WAD)
    rule.columns = book.columns([0, 1, 2], prices, WAD)
    market = MarketReads({s: GuardView(p, True, "OK", False) for s, p in prices.items()}, PoolTotals(0, 0, 0, 0), WAD)
    rule.record(0, np.arange(3), rule.columns, market)
    book.principals[1] = 0  # row 1 (the lowest) repays: its event marks it
    rule.dirty[1] = True
    ref = {s: p / WAD for s, p in prices.items()}
    selection = rule.select(1, market, ref, np.zeros(3, bool))
    assert selection is not None and selection.rows.tolist() == [1]
    parts = [(selection.rows, book.columns([1], prices, WAD))]
    more = rule.second_round(selection, parts)
    assert more.tolist() == [0, 2]  # no row read has debt: the lowest bounds next (at most 8)
    parts.append((more, book.columns(more.tolist(), prices, WAD)))
    assert rule.second_round(selection, parts).size == 0
    merged = rule.merge(parts, selection.bound_wad)
    assert figures(merged, ref) == figures(book.columns([0, 1, 2], prices, WAD), ref)
    assert figures(merged, ref)[0][2] == 46.8  # row 0's: 1 WBTC x 60,000 x 78% over 1,000 USDC
