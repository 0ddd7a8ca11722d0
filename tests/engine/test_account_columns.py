"""The step read as columns gives, exactly, what one AccountView per account gave.

The definitions below are the per-account loops the engine ran before the columns (issue 22),
copied as the specification: the steps.csv figures, the keepers' liquidatable list and the
reactive borrowers' triggers must come out the same, bit for bit, on random books whose values
sit at the edges (0, 2^64 +- 1, uint max, health factors one wei either side of 1.0, liquidation
values equal to the debt in USD)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from defidrill.engine.ledger import account_figures
from defidrill.engine.observe import Observation
from defidrill.protocol.account_columns import U256, AccountColumns
from defidrill.protocol.adapter import (
    MAX_UINT, AccountView, AssetInfo, CloseFactorRule, CollateralInfo, LendingMarkets, PoolTotals,
)
from defidrill.protocol_terms.fixed_point import WAD

MARKETS = LendingMarkets("reference", AssetInfo("USDC", "0x" + "11" * 20, 6),
                         {"WBTC": CollateralInfo(AssetInfo("WBTC", "0x" + "22" * 20, 8), 7000, 7800, 600),
                          "WETH": CollateralInfo(AssetInfo("WETH", "0x" + "33" * 20, 18), 7500, 8200, 500)},
                         CloseFactorRule(5000, 95 * 10**16), {})
REF = {"USDC": 1.0, "WBTC": 60_000.0, "WETH": 3_000.0}


def figures_by_definition(views: list[AccountView], ref: dict[str, float]) -> tuple[int, int, float | None, float]:
    """ledger.row's account loop before the columns (the specification)."""
    base_decimals = MARKETS.base.decimals
    thresholds = {s: c.liquidation_threshold_bps / 10_000 for s, c in MARKETS.collaterals.items()}
    decimals = {s: c.asset.decimals for s, c in MARKETS.collaterals.items()}
    below = below_ref = 0
    uncovered, min_hf = 0.0, float("inf")
    for account in views:
        if account.debt_base == 0:
            continue
        min_hf = min(min_hf, account.health_factor)
        if account.prices_ok and account.health_factor_wad < WAD:
            below += 1
        debt_usd = account.debt_base / 10**base_decimals * ref["USDC"]
        liq_usd = sum(raw / 10**decimals[s] * ref[s] * thresholds[s]
                      for s, raw in account.collateral_raw.items() if raw and s in thresholds)
        if liq_usd < debt_usd:
            below_ref += 1
        coll_usd = sum(raw / 10**decimals[s] * ref[s] for s, raw in account.collateral_raw.items() if raw and s in thresholds)
        uncovered += max(0.0, debt_usd - coll_usd)
    return below, below_ref, (None if min_hf == float("inf") else min_hf), uncovered


def random_book(rng: random.Random, n: int) -> list[AccountView]:
    edges = [0, 1, WAD - 1, WAD, WAD + 1, 2**64 - 1, 2**64, 2**64 + 1, MAX_UINT // 2, MAX_UINT]
    views = []
    for i in range(n):
        debt = rng.choice([0, 1, rng.randrange(1, 10**12), rng.randrange(1, 10**14)])
        btc = rng.choice([0, rng.randrange(1, 10**9)])
        eth = rng.choice([0, rng.randrange(1, 10**20), rng.getrandbits(100)])
        if i % 7 == 0 and debt:  # collateral worth exactly the debt at reference prices (a tie in floats)
            btc, eth = 0, debt * 10**12 // 3_000
        hf = rng.choice(edges + [rng.randrange(9 * 10**17, 11 * 10**17), rng.getrandbits(rng.choice([60, 70, 130, 256]))])
        views.append(AccountView(f"0x{i + 1:040x}", hf, rng.getrandbits(120), rng.getrandbits(120), debt,
                                 rng.choice([0, rng.getrandbits(110)]), rng.random() < 0.8, {"WBTC": btc, "WETH": eth}))
    return views


def observation(columns: AccountColumns, ref: dict[str, float]) -> Observation:
    return Observation(0, 0.0, 0, 0, ref, columns, {}, {}, {}, PoolTotals(0, 0, 0, 0))


@pytest.mark.parametrize("seed", range(40))
def test_row_figures_equal_the_per_account_definition(seed: int) -> None:
    rng = random.Random(seed)
    views = random_book(rng, rng.choice([0, 1, 5, 300]))
    ref = {s: p * rng.choice([1.0, 0.5, 1.0 + 1e-12, 0.08]) for s, p in REF.items()}
    columns = AccountColumns.from_views(views)
    assert account_figures(observation(columns, ref), MARKETS) == figures_by_definition(views, ref)
    # the columns built from words (as the reference adapter's decoder builds them) agree too
    from_words = AccountColumns(columns.addresses, *(U256(c.limbs.copy()) for c in (
        columns.health_factor_wad, columns.collateral_value_usd_wad, columns.liquidation_value_usd_wad,
        columns.debt_base, columns.debt_usd_wad)), columns.prices_ok, columns.collateral_symbols,
        tuple(U256(c.limbs.copy()) for c in columns.collateral_raw), columns.rows_by_address)
    assert [from_words.view(i) for i in range(len(views))] == views
    assert account_figures(observation(from_words, ref), MARKETS) == figures_by_definition(views, ref)


@pytest.mark.parametrize("seed", range(20))
def test_liquidatable_rows_equal_the_filter(seed: int) -> None:
    rng = random.Random(100 + seed)
    views = random_book(rng, 200)
    columns = AccountColumns.from_views(views)
    for below in (WAD, 95 * 10**16, 2**64 + 5, 0):
        expected = [a for a in views if a.debt_base > 0 and a.prices_ok and a.health_factor_wad < below]
        assert [views[i] for i in columns.liquidatable_rows(below)] == expected
        assert observation(columns, REF).__class__(0, 0.0, 0, 0, REF, columns, {}, {}, {}, PoolTotals(0, 0, 0, 0),
                                                   {}, below).liquidatable() == expected


def test_u256_is_exact_at_the_limb_edges() -> None:
    values = [0, 1, 2**64 - 1, 2**64, 2**128 - 1, 2**128, 2**192 + 7, 2**255, MAX_UINT]
    col = U256.from_ints(values)
    assert [col.int_at(i) for i in range(len(values))] == values
    for t in [1, 2, 2**63, 2**64 - 1, 2**64, 2**64 + 1, 2**200, MAX_UINT]:
        assert col.lt(t).tolist() == [v < t for v in values]
    assert col.nonzero().tolist() == [v != 0 for v in values]
    assert np.allclose(col.approx, [float(v) for v in values], rtol=1e-15, atol=0)
