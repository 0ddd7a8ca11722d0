"""The venue end to end: flat path, cascade feedback, mark modes, determinism, funding, errors."""

import numpy as np
import pytest

from defidrill.cex import (
    BookParams,
    FundingParams,
    MarkParams,
    PopulationParams,
    Venue,
    VenueParams,
    run_path,
)
from defidrill.errors import ConfigError

START = 60_000.0


def crash(steps=240, drop=0.08, step_s=10.0):
    """Flat 20 steps, then -drop linearly over 120 steps, then flat."""
    t = np.arange(steps) * step_s
    frac = np.clip((np.arange(steps) - 20) / 120, 0.0, 1.0)
    return t, START * (1 - drop * frac)


def params(count=20_000, depth=5_000_000.0, mode="index_basis", **book_kw):
    return VenueParams(population=PopulationParams(count=count),
                       book=BookParams(depth_usd_at_1pct=depth, **book_kw), mark=MarkParams(mode=mode),
                       insurance_fund_usd=10_000_000.0)


def test_population_starts_healthy():
    v = Venue(params(count=50_000), START, seed=3)
    pos = v.positions
    longs, shorts = pos.side > 0, pos.side < 0
    assert np.all(pos.liq_price_usd[longs] < START) and np.all(pos.liq_price_usd[shorts] > START)
    assert abs(longs.mean() - 0.7) < 0.01
    assert pos.leverage.max() <= 100 and np.all(pos.bankruptcy_price_usd[longs] < pos.liq_price_usd[longs])


def test_no_liquidations_on_a_flat_path():
    t = np.arange(300) * 10.0
    run = run_path(params(), t, np.full(300, START), seed=1)
    s = run.summary
    assert s["liquidation_count"] == 0 and s["adl_count"] == 0 and len(run.events["kind"]) == 0
    assert s["first_threshold_breach_s"] is None and s["amplification"] is None
    assert s["insurance_fund_end_usd"] == 10_000_000.0
    assert all(r.mark_price_usd == START and r.last_price_usd == START for r in run.steps)


def test_deeper_book_gives_smaller_endogenous_drop():
    t, p = crash()
    thin = run_path(params(depth=2_000_000.0), t, p, seed=5).summary
    deep = run_path(params(depth=50_000_000.0), t, p, seed=5).summary
    assert thin["liquidation_count"] > 0 and deep["liquidation_count"] > 0
    assert thin["endogenous_drop_pct"] > deep["endogenous_drop_pct"] > 0
    assert thin["amplification"] > deep["amplification"]
    assert thin["exogenous_drop_pct"] == pytest.approx(8.0)
    assert thin["amplification"] == pytest.approx(thin["endogenous_drop_pct"] / thin["exogenous_drop_pct"])


def test_marking_to_last_trade_cascades_further_than_index_basis():
    t, p = crash()
    damped = run_path(params(depth=3_000_000.0), t, p, seed=5).summary
    naive = run_path(params(depth=3_000_000.0, mode="last_trade"), t, p, seed=5).summary
    assert naive["liquidated_notional_usd"] > damped["liquidated_notional_usd"]
    assert naive["endogenous_drop_pct"] > damped["endogenous_drop_pct"]


def test_cascade_feeds_back_through_the_mark():
    # the same positions on an infinitely resilient book (impact gone next step) liquidate less
    t, p = crash()
    feedback = run_path(params(depth=3_000_000.0, mode="last_trade"), t, p, seed=5).summary
    no_feedback = run_path(params(depth=3_000_000.0, mode="last_trade", resiliency_per_step=1.0), t, p,
                           seed=5).summary
    assert feedback["liquidation_count"] > no_feedback["liquidation_count"]


def test_same_seed_same_run_other_seed_other_run():
    t, p = crash()
    a = run_path(params(), t, p, seed=11)
    b = run_path(params(), t, p, seed=11)
    c = run_path(params(), t, p, seed=12)
    assert a.summary == b.summary
    for k in a.events:
        np.testing.assert_array_equal(a.events[k], b.events[k])
    ta, tb = a.steps_table(), b.steps_table()
    for k in ta:
        np.testing.assert_array_equal(np.asarray(ta[k]), np.asarray(tb[k]))   # NaN == NaN here
    assert a.summary["liquidated_notional_usd"] != c.summary["liquidated_notional_usd"]


def test_summary_shape_and_leverage_buckets():
    t, p = crash()
    run = run_path(params(depth=3_000_000.0), t, p, seed=5)
    s = run.summary
    by_lev = s["liquidations_by_leverage"]
    assert sum(b["count"] for b in by_lev.values()) == s["liquidation_count"]
    assert sum(b["notional_usd"] for b in by_lev.values()) == pytest.approx(s["liquidated_notional_usd"])
    assert by_lev["51-100x"]["count"] > 0 and by_lev["1-5x"]["count"] <= by_lev["51-100x"]["count"]
    assert s["slippage_vs_index_pct"] > 0           # liquidation sells fill below the index
    assert s["net_flow_btc"] > 0                   # the book's makers bought the dip
    assert s["max_book_depth_withdrawn_pct"] >= 0
    table = run.steps_table()
    assert len(table["t_s"]) == len(t) and "insurance_fund_usd" in table


def test_funding_moves_margin_from_longs_to_shorts():
    f = FundingParams(enabled=True, interval_s=100.0, rate_per_interval=0.001)
    v = Venue(VenueParams(population=PopulationParams(count=100), funding=f), START, seed=2)
    w0 = v.positions.wallet_usd.copy()
    v.step(50.0, START)
    v.step(110.0, START)                           # crosses t = 100: one payment
    paid = w0 - v.positions.wallet_usd
    notional = v.positions.qty_btc * START
    np.testing.assert_allclose(paid, v.positions.side * 0.001 * notional, rtol=1e-9)


def test_bad_inputs_raise_config_errors():
    with pytest.raises(ConfigError):
        PopulationParams(long_share=1.5)
    with pytest.raises(ConfigError):
        BookParams(max_distance=1.0)
    with pytest.raises(ConfigError):
        MarkParams(mode="mid")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown margin tier table"):
        Venue(VenueParams(margin_tiers="nope"), START, 1)
    with pytest.raises(ConfigError):
        Venue(params(count=10), 0.0, 1)
    v = Venue(params(count=10), START, seed=1)
    v.step(0.0, START)
    with pytest.raises(ConfigError, match="increase"):
        v.step(0.0, START)
    with pytest.raises(ConfigError):
        v.step(10.0, -1.0)
    with pytest.raises(ConfigError):
        run_path(params(count=10), [0.0, 1.0], [START], seed=1)
