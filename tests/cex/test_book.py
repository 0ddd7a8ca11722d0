"""Order book: walk prices for a known order, depth withdrawal, refill, impact decay."""

import math

import numpy as np
import pytest

from defidrill.cex.book import OrderBook, walk_profile
from defidrill.cex.params import BookParams


def discrete_walk(mid, d1, alpha, direction, qty, dx=1e-6):
    """Independent model: levels every dx, each holding D(x_k) - D(x_{k-1}) USD (valued at mid)."""
    edges = np.arange(0.0, 0.05 + dx, dx)
    usd = d1 * (edges / 0.01) ** alpha
    level_btc = np.diff(usd) / mid
    level_px = mid * (1 + direction * edges[1:])
    cum = np.cumsum(level_btc)
    k = int(np.searchsorted(cum, qty))
    take = level_btc[: k + 1].copy()
    take[-1] -= cum[k] - qty
    return level_px[k], float((take * level_px[: k + 1]).sum() / qty)


def test_walk_known_order_by_hand():
    # D1 = 1M USD within 1 %, alpha 1, mid 100: selling 5,000 BTC (500k USD) reaches x* = 0.5 %
    w = walk_profile(100.0, 1_000_000.0, 1.0, 0.5, -1, 5_000.0)
    assert w.distance == pytest.approx(0.005)
    assert w.last_price_usd == pytest.approx(99.5)
    assert w.vwap_usd == pytest.approx(99.75)        # uniform density: average of 100 and 99.5
    assert w.filled_btc == 5_000.0
    buy = walk_profile(100.0, 1_000_000.0, 1.0, 0.5, 1, 5_000.0)
    assert (buy.last_price_usd, buy.vwap_usd) == (pytest.approx(100.5), pytest.approx(100.25))


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("direction", [-1, 1])
def test_walk_matches_discrete_levels(alpha, direction):
    mid, d1, qty = 60_000.0, 2_000_000.0, 40.0
    w = walk_profile(mid, d1, alpha, 0.5, direction, qty)
    last, vwap = discrete_walk(mid, d1, alpha, direction, qty)
    assert w.last_price_usd == pytest.approx(last, rel=2e-6)
    assert w.vwap_usd == pytest.approx(vwap, rel=2e-6)


def test_walk_beyond_the_book_fills_in_part():
    w = walk_profile(100.0, 1_000_000.0, 1.0, 0.1, -1, 1e9)
    assert w.distance == 0.1
    assert w.filled_btc == pytest.approx(1_000_000.0 * 10 / 100.0)   # D(10 %) / mid
    assert w.last_price_usd == pytest.approx(90.0)


def _book(**kw):
    base = dict(depth_usd_at_1pct=1_000_000.0, resiliency_per_step=0.1, mm_withdraw_fraction=0.4,
                mm_withdraw_when_volatility_above=0.01, mm_return_below_ratio=0.5, volatility_window_s=60.0)
    base.update(kw)
    return OrderBook(BookParams(**base), 100.0)


def test_mm_withdrawal_reduces_depth_by_the_fraction():
    b = _book()
    b.begin_step(0.0, 100.0)
    assert b.depth_withdrawn_pct == 0.0
    b.begin_step(10.0, 99.5)                       # range 0.5 %: below 1 %
    assert not b.withdrawn and b.depth_usd_within(0.01) == pytest.approx(1_000_000.0)
    b.begin_step(20.0, 98.0)                       # range 2 %: makers pull 40 %
    assert b.withdrawn
    assert b.depth_withdrawn_pct == pytest.approx(40.0)
    assert b.depth_usd_within(0.01) == pytest.approx(600_000.0)
    w = b.quote(-1, 1_000.0)                       # 60k USD on a 600k-per-1% side
    assert w.distance == pytest.approx(0.01 * 1_000 * 98.0 / 600_000.0)


def test_mm_return_has_hysteresis_and_refills_at_resiliency():
    b = _book()
    b.begin_step(0.0, 100.0)
    b.begin_step(10.0, 98.0)
    assert b.withdrawn
    # the price then swings 0.7 %: below the 1 % threshold, above the 0.5 % return level
    for k, t in enumerate(range(20, 90, 10)):
        b.begin_step(float(t), 98.7 if k % 2 == 0 else 98.0)
    assert b.volatility == pytest.approx(0.7 / 98.7)   # the 100 -> 98 move has left the window
    assert b.withdrawn and b.depth_withdrawn_pct == pytest.approx(40.0)
    for t in range(90, 150, 10):
        b.begin_step(float(t), 98.0)
    assert b.withdrawn                             # 98.7 at t=80 is still in the window
    b.begin_step(150.0, 98.0)                      # calm window: range 0 -> makers return
    assert not b.withdrawn
    assert b.scale == pytest.approx(0.6 + 0.1 * 0.4)
    b.begin_step(160.0, 98.0)
    assert b.scale == pytest.approx(1 - 0.4 * 0.9 ** 2)


def test_execution_moves_mid_and_impact_decays():
    b = _book(mm_withdraw_when_volatility_above=0.5)
    b.begin_step(0.0, 100.0)
    w = b.execute(-1, 5_000.0)                     # x* = 0.5 %
    assert b.mid_price_usd == pytest.approx(w.last_price_usd) == pytest.approx(99.5)
    b.begin_step(10.0, 100.0)
    assert b.log_impact == pytest.approx(0.9 * math.log(0.995))
    assert b.mid_price_usd == pytest.approx(100.0 * 0.995 ** 0.9)
