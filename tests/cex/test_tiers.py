"""Binance BTCUSDT brackets (2021-03-18): lookup and maintenance-amount continuity."""

import numpy as np
import pytest

from defidrill.cex.tiers import BINANCE_BTCUSDT_2021_03 as T
from defidrill.cex.tiers import MarginTier, MarginTiers, margin_tiers
from defidrill.errors import ConfigError

# cum_i = cum_{i-1} + lower_edge_i * (mmr_i - mmr_{i-1}), worked by hand:
HAND_CUM = [
    0.0,
    0 + 50_000 * (0.005 - 0.004),               # 50
    50 + 250_000 * (0.01 - 0.005),              # 1,300
    1_300 + 1_000_000 * (0.025 - 0.01),         # 16,300 (Binance's published figure)
    16_300 + 10_000_000 * (0.05 - 0.025),       # 266,300
    266_300 + 20_000_000 * (0.10 - 0.05),       # 1,266,300
    1_266_300 + 50_000_000 * (0.125 - 0.10),    # 2,516,300
    2_516_300 + 100_000_000 * (0.15 - 0.125),   # 5,016,300
    5_016_300 + 200_000_000 * (0.25 - 0.15),    # 25,016,300
    25_016_300 + 300_000_000 * (0.50 - 0.25),   # 100,016,300
]


def test_maintenance_amounts_match_hand_values():
    np.testing.assert_allclose(T.maintenance_amount_usd, HAND_CUM, rtol=0, atol=1e-6)
    assert T.maintenance_amount_usd[3] == pytest.approx(16_300.0)


@pytest.mark.parametrize(
    "notional, bracket, mmr, max_lev",
    [(1.0, 0, 0.004, 125), (50_000.0, 0, 0.004, 125), (50_000.01, 1, 0.005, 100), (250_000.0, 1, 0.005, 100),
     (250_001.0, 2, 0.01, 50), (5_000_000.0, 3, 0.025, 20), (15_000_000.0, 4, 0.05, 10),
     (300_000_000.0, 8, 0.25, 2), (400_000_000.0, 9, 0.5, 1), (9e9, 9, 0.5, 1)],
)
def test_lookup(notional, bracket, mmr, max_lev):
    assert int(T.bracket(notional)) == bracket
    got_mmr, got_cum = T.lookup(notional)
    assert float(got_mmr) == mmr
    assert float(got_cum) == pytest.approx(HAND_CUM[bracket])
    assert float(T.max_leverage_for(notional)) == max_lev


@pytest.mark.parametrize("i", range(len(HAND_CUM) - 1))
def test_maintenance_margin_is_continuous_at_every_edge(i):
    edge = T.tiers[i].max_notional_usd
    below = edge * T.tiers[i].mmr - HAND_CUM[i]            # the edge belongs to bracket i
    above = edge * T.tiers[i + 1].mmr - HAND_CUM[i + 1]    # bracket i+1's formula at its lower edge
    assert below == pytest.approx(above, abs=1e-6)
    eps = 1e-3
    jump = float(T.maintenance_margin_usd(edge + eps) - T.maintenance_margin_usd(edge))
    assert 0 <= jump <= eps * T.tiers[i + 1].mmr + 1e-6


def test_unknown_table_and_bad_table():
    assert margin_tiers("binance-btcusdt-2021-03") is T
    with pytest.raises(ConfigError, match="unknown margin tier table"):
        margin_tiers("nope")
    with pytest.raises(ConfigError):
        MarginTiers("bad", "test", (MarginTier(100.0, 10, 0.01), MarginTier(50.0, 5, 0.02)))
