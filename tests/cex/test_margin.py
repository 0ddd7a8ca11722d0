"""Liquidation and bankruptcy prices by Binance's isolated formula, worked by hand."""

import numpy as np
import pytest

from defidrill.cex.adl import adl_scores, adl_select
from defidrill.cex.margin import bankruptcy_price_usd, liquidation_price_usd, margin_ratio
from defidrill.cex.tiers import BINANCE_BTCUSDT_2021_03 as T

# LP = (WB + cum - s q EP) / (q MMR - s q);  BP = EP - s WB / q
CASES = [
    # side, qty, entry, wallet, LP by hand, BP by hand
    # 10x long 1 BTC @ 60k: notional 60k -> bracket 1 (0.5 %, cum 50), WB 6,000
    (1, 1.0, 60_000.0, 6_000.0, (6_000 + 50 - 60_000) / (0.005 - 1), 54_000.0),
    # 10x short 1 BTC @ 60k
    (-1, 1.0, 60_000.0, 6_000.0, (6_000 + 50 + 60_000) / (0.005 + 1), 66_000.0),
    # 100x long 0.5 BTC @ 60k: notional 30k -> bracket 0 (0.4 %, cum 0), WB 300
    (1, 0.5, 60_000.0, 300.0, (300 - 30_000) / (0.5 * 0.004 - 0.5), 59_400.0),
    # 100x short 0.5 BTC @ 60k
    (-1, 0.5, 60_000.0, 300.0, (300 + 30_000) / (0.5 * 0.004 + 0.5), 60_600.0),
]


@pytest.mark.parametrize("side, qty, entry, wallet, lp, bp", CASES)
def test_liquidation_and_bankruptcy_price_by_hand(side, qty, entry, wallet, lp, bp):
    assert float(liquidation_price_usd(T, side, qty, entry, wallet)) == pytest.approx(lp, rel=1e-12)
    assert float(bankruptcy_price_usd(side, qty, entry, wallet)) == pytest.approx(bp, rel=1e-12)
    # at LP, equity equals maintenance margin: margin ratio is exactly 1
    assert float(margin_ratio(T, side, qty, entry, wallet, lp)) == pytest.approx(1.0, rel=1e-9)


def test_hand_values_are_the_expected_numbers():
    assert CASES[0][4] == pytest.approx(54_221.1055, abs=1e-3)
    assert CASES[2][4] == pytest.approx(59_638.5542, abs=1e-3)


def test_lp_uses_the_bracket_of_the_notional_at_lp():
    # 10x long worth 52k at entry (bracket 1) is worth ~47k at LP (bracket 0): Binance's note
    q, ep, wb = 52_000 / 60_000, 60_000.0, 5_200.0
    lp = float(liquidation_price_usd(T, 1, q, ep, wb))
    assert lp == pytest.approx((wb + 0 - q * ep) / (q * 0.004 - q), rel=1e-12)
    equity = wb + q * (lp - ep)
    assert equity == pytest.approx(q * lp * 0.004, rel=1e-9)


def test_low_leverage_long_never_liquidates():
    assert float(liquidation_price_usd(T, 1, 1.0, 60_000.0, 70_000.0)) == 0.0


def test_adl_scores_by_hand():
    mark = 53_000.0
    # short A: 10x @ 60k, 0.6 BTC, WB 3,600: upnl 4,200, PnL% 4200/3600, eff lev 31,800/7,800
    # short B: 20x @ 55k, 0.6 BTC, WB 1,650: upnl 1,200, PnL% 1200/1650, eff lev 31,800/2,850
    # short C: 2x @ 60k, 0.6 BTC, WB 18,000: upnl 4,200, PnL% 4200/18000, eff lev 31,800/22,200
    # long D: 10x @ 55k, 0.6 BTC, WB 3,300: upnl -1,200, PnL% -1200/3300, eff lev 31,800/2,100 -> divided
    got = adl_scores([-1, -1, -1, 1], [0.6] * 4, [60_000, 55_000, 60_000, 55_000],
                     [3_600, 1_650, 18_000, 3_300], mark)
    hand = [(4200 / 3600) * (31800 / 7800), (1200 / 1650) * (31800 / 2850), (4200 / 18000) * (31800 / 22200),
            (-1200 / 3300) / (31800 / 2100)]
    np.testing.assert_allclose(got, hand, rtol=1e-12)
    chosen, fill = adl_select(got[:3], np.array([0.6, 0.6, 0.6]), 1.0)
    assert chosen.tolist() == [1, 0]           # B (8.12) before A (4.76); C (0.33) untouched
    np.testing.assert_allclose(fill, [0.6, 0.4])


def test_adl_select_short_supply_and_ties():
    chosen, fill = adl_select(np.array([1.0, 1.0]), np.array([0.5, 0.5]), 3.0)
    assert chosen.tolist() == [0, 1] and fill.sum() == pytest.approx(1.0)
