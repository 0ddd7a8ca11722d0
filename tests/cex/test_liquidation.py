"""Liquidation engine: clearance fee into the fund, draws below bankruptcy, ADL, chunking."""

import numpy as np
import pytest

from defidrill.cex.results import ADL, LIQUIDATION_ADL, LIQUIDATION_BOOK

D1 = 1_000_000.0
LONG_10X = (1, 1.0, 60_000.0, 6_000.0, 10.0)   # LP 54,221.11, BP 54,000 (see test_margin)


def sell_vwap(mid, qty):
    """Uniform-density book: x* = 1 % x q mid / D1, VWAP = mid (1 - x*/2)."""
    return mid * (1 - 0.5 * 0.01 * qty * mid / D1)


def test_liquidation_above_bankruptcy_credits_the_fund(venue_factory):
    v = venue_factory([LONG_10X], fund_usd=1_000_000.0)
    v.step(0.0, 60_000.0)
    r = v.step(10.0, 54_200.0)                      # mark 54,200 <= LP 54,221.11
    fee = sell_vwap(54_200.0, 1.0) - 54_000.0       # 1 BTC x (VWAP - BP) = 185.31 USD
    assert fee == pytest.approx(185.3118, abs=1e-4)
    assert r.liquidation_count == 1
    assert r.liquidated_notional_usd == pytest.approx(54_200.0)
    assert r.insurance_fund_usd == pytest.approx(1_000_000.0 + fee)
    assert r.vwap_price_usd == pytest.approx(sell_vwap(54_200.0, 1.0))
    assert r.net_flow_btc == pytest.approx(1.0)     # the makers bought the BTC
    ev = v.events.arrays()
    assert ev["kind"].tolist() == [LIQUIDATION_BOOK]
    assert ev["fund_delta_usd"][0] == pytest.approx(fee)
    assert ev["bankruptcy_price_usd"][0] == pytest.approx(54_000.0)
    s = v.summary()
    assert s["insurance_fund_credit_usd"] == pytest.approx(fee) and s["insurance_fund_draw_usd"] == 0.0
    assert s["first_threshold_breach_s"] == 10.0 and s["first_liquidation_delay_s"] == 0.0


def test_liquidation_below_bankruptcy_draws_the_fund(venue_factory):
    v = venue_factory([LONG_10X], fund_usd=1_000_000.0)
    v.step(0.0, 60_000.0)
    r = v.step(10.0, 53_000.0)                      # gap through LP and BP
    draw = 54_000.0 - sell_vwap(53_000.0, 1.0)      # 1,014.05 USD
    assert draw == pytest.approx(1_014.045, abs=1e-3)
    assert r.insurance_fund_usd == pytest.approx(1_000_000.0 - draw)
    assert v.summary()["insurance_fund_draw_usd"] == pytest.approx(draw)
    assert r.adl_count == 0


def test_short_liquidation_buys_from_the_asks(venue_factory):
    v = venue_factory([(-1, 1.0, 60_000.0, 6_000.0, 10.0)], fund_usd=1_000_000.0)   # LP 65,721.39, BP 66,000
    v.step(0.0, 60_000.0)
    r = v.step(10.0, 65_800.0)
    buy_vwap = 65_800.0 * (1 + 0.5 * 0.01 * 65_800.0 / D1)
    assert r.insurance_fund_usd == pytest.approx(1_000_000.0 + (66_000.0 - buy_vwap))
    assert r.net_flow_btc == pytest.approx(-1.0)


def test_adl_ranking_and_fill_when_the_fund_is_empty(venue_factory):
    rows = [
        LONG_10X,                                    # 0: bankrupt at 53,000 (BP 54,000)
        (-1, 0.6, 60_000.0, 3_600.0, 10.0),          # 1: short A, score (4200/3600) x (31800/7800) = 4.76 at 53,000
        (-1, 0.6, 62_000.0, 1_860.0, 20.0),          # 2: short B, score (5400/1860) x (31800/7260) = 12.72
        (-1, 0.6, 60_000.0, 18_000.0, 2.0),          # 3: short C, score (4200/18000) x (31800/22200) = 0.33
    ]
    v = venue_factory(rows, fund_usd=0.0)
    v.step(0.0, 60_000.0)
    r = v.step(10.0, 53_000.0)
    assert r.liquidation_count == 1
    assert r.adl_count == 2
    assert r.adl_notional_usd == pytest.approx(1.0 * 54_000.0)   # closed at the bankruptcy price
    assert r.insurance_fund_usd == 0.0 and r.net_flow_btc == 0.0  # nothing went to the book
    ev = v.events.arrays()
    adl = ev["kind"] == ADL
    assert ev["position_id"][adl].tolist() == [2, 1]             # B first, then A in part
    np.testing.assert_allclose(ev["qty_btc"][adl], [0.6, 0.4])
    np.testing.assert_allclose(ev["exec_price_usd"][adl], [54_000.0, 54_000.0])
    liq = ev["kind"] == LIQUIDATION_ADL
    assert ev["position_id"][liq].tolist() == [0] and ev["qty_btc"][liq][0] == pytest.approx(1.0)
    pos = v.positions
    assert not pos.open_[2] and pos.open_[1] and pos.open_[3]
    assert pos.qty_btc[1] == pytest.approx(0.2)
    assert pos.wallet_usd[1] == pytest.approx(3_600.0 / 3)       # margin kept pro rata
    assert pos.qty_btc[3] == 0.6
    r2 = v.step(20.0, 53_000.0)                 # nothing left to do
    assert r2.adl_count == 0 and r2.liquidation_count == 0
    s = v.summary()
    assert s["adl_count"] == 2 and s["unresolved_deficit_usd"] == 0.0


def test_fund_covers_what_it_can_and_adl_takes_only_the_rest(venue_factory):
    rows = [LONG_10X, (1, 1.0, 60_000.0, 6_000.0, 10.0), (-1, 5.0, 60_000.0, 30_000.0, 10.0)]
    v = venue_factory(rows, fund_usd=1_500.0)
    v.step(0.0, 60_000.0)
    r = v.step(10.0, 53_000.0)
    # two bankrupt longs; quoted together (2 BTC) each would draw 54,000 - VWAP(2 BTC) = 1,028.09,
    # 2,056.18 in all > 1,500: the fewest chunks that cover the 556.18 shortfall (one) go to ADL;
    # the other is sold alone (1 BTC), drawing 1,014.05 from the fund
    assert r.adl_count == 1
    assert r.net_flow_btc == pytest.approx(1.0)
    assert r.insurance_fund_usd == pytest.approx(1_500.0 - (54_000.0 - sell_vwap(53_000.0, 1.0)))


def test_large_positions_close_in_chunks(venue_factory):
    big = (1, 10.0, 60_000.0, 60_000.0, 10.0)        # 600k notional: chunked 20 % per step
    v = venue_factory([big], fund_usd=10_000_000.0, depth_usd_at_1pct=100_000_000.0)
    v.step(0.0, 60_000.0)
    lp = float(v.positions.liq_price_usd[0])
    price = lp * 0.999
    fills = []
    for k in range(1, 8):
        r = v.step(10.0 * k, price)
        fills.append(r.net_flow_btc)
    np.testing.assert_allclose(fills, [2.0, 2.0, 2.0, 2.0, 2.0, 0.0, 0.0])
    assert v.summary()["liquidation_count"] == 1
    assert v.engine.holding == 0
