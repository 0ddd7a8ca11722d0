"""An inline `cex.margin_tiers` table (docs/drills.md allows it) reaches the venue with Binance's maintenance amounts."""

from __future__ import annotations

import pytest

from defidrill.cex.from_drill import venue_params
from defidrill.cex.venue import Venue
from defidrill.drill import parse_drill


def test_inline_tiers_drive_the_venue() -> None:
    drill = parse_drill({
        "market": {"step": "10s", "duration": "5m", "assets": {"WBTC": 60_000, "USDC": 1}},
        "cex": {"positions": {"count": 100},
                "margin_tiers": [{"up_to_usd": "100k", "max_leverage": 50, "mmr": "1%"},
                                 {"up_to_usd": "1M", "max_leverage": 20, "mmr": "2.5%"}]},
    })
    tiers = Venue(venue_params(drill), 60_000.0, 1).tiers
    # cum_1 = 100k x (2.5% - 1%) = 1,500; margin = notional x MMR - cum.
    assert list(tiers.maintenance_amount_usd) == pytest.approx([0.0, 1_500.0])
    assert tiers.maintenance_margin_usd(500_000.0) == pytest.approx(500_000 * 0.025 - 1_500)   # 11,000
    assert tiers.maintenance_margin_usd(100_000.0) == pytest.approx(1_000.0)                    # continuous at the edge
    assert tiers.max_leverage_for(50_000.0) == 50.0 and tiers.max_leverage_for(200_000.0) == 20.0
