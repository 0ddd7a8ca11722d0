"""The venue's fast paths against their straightforward definitions, written out here.

Each fast path (breach queue, fund-shortfall prefix, ADL ranking, population draw, event
log) must give exactly what the plain definition gives, ties included; the last test runs
whole venues with liquidations, ADL and funding through both and compares every output.
"""

import numpy as np
import pytest

from defidrill.cex import (
    BookParams,
    FundingParams,
    LiquidationParams,
    PopulationParams,
    Positions,
    VenueParams,
    draw_population,
)
from defidrill.cex import adl as adl_module
from defidrill.cex import liquidation as liquidation_module
from defidrill.cex import venue as venue_module
from defidrill.cex.adl import adl_select, adl_select_reference
from defidrill.cex.liquidation import worst_draws_covering
from defidrill.cex.queue import BreachQueue
from defidrill.cex.results import EventLog
from defidrill.cex.tiers import BINANCE_BTCUSDT_2021_03


class ScanQueue:
    """The breach queue by definition: every step, scan every open position not yet popped."""

    def __init__(self, positions):
        self._pos = positions
        self._popped = np.zeros(len(positions), dtype=bool)

    def rebuild(self):
        pass

    def moved(self, ids):
        pass

    def pop_breached(self, mark_usd):
        pos = self._pos
        breached = np.where(pos.side > 0, mark_usd <= pos.liq_price_usd, mark_usd >= pos.liq_price_usd)
        ids = np.flatnonzero(pos.open_ & ~self._popped & breached)
        self._popped[ids] = True
        return ids


def worst_by_stable_sort(est, shortfall):
    """The shortfall prefix by definition: stable sort of the draws, shortest covering prefix."""
    neg = np.flatnonzero(est < 0)
    order = neg[np.argsort(est[neg], kind="stable")]
    k = min(int(np.searchsorted(np.cumsum(-est[order]), shortfall, side="left")) + 1, order.size)
    return order[:k]


def tied_population(rng, n):
    """Many positions share an LP exactly (same entry, leverage and size), the rest are spread."""
    side = np.where(rng.random(n) < 0.6, 1, -1)
    qty = np.where(rng.random(n) < 0.5, 0.5, rng.lognormal(-2, 1, n))
    entry = np.where(rng.random(n) < 0.5, 60_000.0, 60_000.0 * np.exp(0.02 * rng.standard_normal(n)))
    lev = rng.choice([5.0, 10.0, 20.0, 50.0], n)
    return Positions.from_arrays(BINANCE_BTCUSDT_2021_03, side, qty, entry, qty * entry / lev, lev)


def test_breach_queue_pops_exactly_what_a_full_scan_finds():
    rng = np.random.default_rng(1)
    fast, slow = tied_population(rng, 20_000), tied_population(np.random.default_rng(1), 20_000)
    queue, scan = BreachQueue(fast), ScanQueue(slow)
    # the mark falls, bounces and rises past the shorts; each step it sits exactly on an open
    # position's LP (shared by many), where "mark <= LP" and "mark < LP" differ
    targets = list(np.linspace(60_000, 55_000, 40)) + list(np.linspace(55_000, 64_000, 60))
    for i, target in enumerate(targets):
        side = 1 if i < 40 else -1
        lps = fast.liq_price_usd[fast.open_ & (fast.side == side)]
        mark = float(lps[np.argmin(np.abs(lps - target))])
        got, want = queue.pop_breached(mark), scan.pop_breached(mark)
        np.testing.assert_array_equal(got, want)
        assert got.size
        for pos in (fast, slow):
            pos.open_[got] = False
        if i == 10:  # a partial ADL halves some positions: their LP moves
            moved = np.flatnonzero(fast.open_)[::50]
            for pos in (fast, slow):
                pos.qty_btc[moved] *= 0.5
                pos.wallet_usd[moved] *= 0.5
                pos.reprice(BINANCE_BTCUSDT_2021_03, moved)
            queue.moved(moved)
        if i == 50:  # funding moves every LP: the queue is rebuilt
            for pos in (fast, slow):
                live = np.flatnonzero(pos.open_)
                pos.wallet_usd[live] -= pos.side[live] * 0.003 * pos.qty_btc[live] * mark
                pos.reprice(BINANCE_BTCUSDT_2021_03, live)
            queue.rebuild()
    assert (~fast.open_).sum() > 5_000  # most of the population was popped on the way


@pytest.mark.parametrize("ties", ["none", "pairs", "many"])
def test_adl_select_matches_the_growing_partition(ties):
    rng = np.random.default_rng(2)
    for n in (1, 7, 300, 5_000, 60_000):
        scores = rng.integers(0, 20, n).astype(float) if ties == "many" else rng.standard_normal(n)
        if ties == "pairs":  # a few equal scores inside the ranked head, rarely at a cut
            scores[1::50] = scores[0::50][:scores[1::50].size]
        qty = rng.lognormal(0, 1.5, n)
        for share in (1e-4, 0.01, 0.3, 0.999, 2.0):
            got, want = adl_select(scores, qty, share * qty.sum()), adl_select_reference(scores, qty, share * qty.sum())
            np.testing.assert_array_equal(got[0], want[0])
            np.testing.assert_array_equal(got[1], want[1])
        # the ranked head itself is the head of the order (score descending, id ascending)
        head = adl_module._ranked_head(-scores, max(1, n // 10))
        np.testing.assert_array_equal(head, np.lexsort((np.arange(n), -scores))[:head.size])


@pytest.mark.parametrize("tied", [False, True])
def test_shortfall_prefix_matches_a_stable_sort(tied):
    rng = np.random.default_rng(3)
    for n in (1, 9, 4_000, 80_000):
        est = np.where(rng.random(n) < 0.8, -1.0, 1.0) * rng.lognormal(0, 1, n)
        est = np.round(est) if tied else est
        total = -est[est < 0].sum()
        for shortfall in (1e-6 * total, 0.5 * total, total, 1.5 * total):
            got = worst_draws_covering(est, shortfall)
            np.testing.assert_array_equal(np.sort(got), np.sort(worst_by_stable_sort(est, shortfall)))


def test_drawn_prices_equal_a_fresh_reprice():
    pos = draw_population(PopulationParams(count=50_000, entry_spread=0.2), BINANCE_BTCUSDT_2021_03, 60_000.0,
                          np.random.default_rng(4))
    again = Positions.from_arrays(BINANCE_BTCUSDT_2021_03, pos.side, pos.qty_btc, pos.entry_price_usd,
                                  pos.wallet_usd, pos.leverage, pos.cross)
    assert (pos.entry_price_usd == 60_000.0).any()  # some positions fell back to the start price
    np.testing.assert_array_equal(pos.liq_price_usd, again.liq_price_usd)
    np.testing.assert_array_equal(pos.bankruptcy_price_usd, again.bankruptcy_price_usd)


def test_event_log_is_the_concatenation_of_its_batches():
    log, batches = EventLog(), []
    for step, n in enumerate((3, 0, 1500, 7, 4000)):
        batch = dict(step=step, t_s=10.0 * step, kind=step % 3, position_id=np.arange(n) + step,
                     side=np.ones(n, dtype=np.int8), leverage=np.full(n, 5.0), qty_btc=np.linspace(0, 1, n),
                     notional_usd=np.linspace(1, 2, n), exec_price_usd=60_000.0 - step,
                     bankruptcy_price_usd=np.linspace(3, 4, n), index_price_usd=60_000.0, fund_delta_usd=np.zeros(n))
        log.append(**batch)
        batches.append({k: np.broadcast_to(np.asarray(v), (n,)) for k, v in batch.items()})
        if step == 2:
            early = log.arrays()
    out = log.arrays()
    assert len(log) == 3 + 1500 + 7 + 4000
    for key, col in out.items():
        np.testing.assert_array_equal(col, np.concatenate([b[key] for b in batches]))
    assert early["position_id"].size == 1503 and early["step"][-1] == 2  # later appends leave it as it was


@pytest.mark.parametrize("case", ["adl", "funding"])
def test_venue_runs_identically_through_the_definitions(case, monkeypatch):
    if case == "adl":
        params = VenueParams(population=PopulationParams(count=30_000, long_share=0.6), insurance_fund_usd=2e5,
                             book=BookParams(depth_usd_at_1pct=1e6),
                             liquidation=LiquidationParams(chunk_min_notional_usd=20_000.0))
    else:  # every entry at the start price: ADL scores tie
        params = VenueParams(population=PopulationParams(count=30_000, entry_spread=0.0),
                             book=BookParams(depth_usd_at_1pct=1e6), insurance_fund_usd=0.0,
                             funding=FundingParams(enabled=True, interval_s=300.0, rate_per_interval=0.002))
    steps = 200
    t = np.arange(steps) * 10.0
    p = 60_000.0 * (1 - 0.07 * np.clip((np.arange(steps) - 20) / 120, 0, 1))
    fast = venue_module.run_path(params, t, p, seed=5)
    monkeypatch.setattr(venue_module, "BreachQueue", ScanQueue)
    monkeypatch.setattr(liquidation_module, "adl_select", adl_select_reference)
    monkeypatch.setattr(liquidation_module, "worst_draws_covering", worst_by_stable_sort)
    slow = venue_module.run_path(params, t, p, seed=5)
    assert fast.summary["liquidation_count"] > 5_000 and fast.summary["adl_count"] > 5_000
    assert fast.summary == slow.summary
    assert fast.steps == slow.steps
    for key in slow.events:
        np.testing.assert_array_equal(fast.events[key], slow.events[key])
