"""Hand-built venues for the CEX tests (no chain needed)."""

from __future__ import annotations

import pytest

from defidrill.cex import BookParams, Positions, Venue, VenueParams
from defidrill.cex.tiers import BINANCE_BTCUSDT_2021_03

D1_USD = 1_000_000.0  # depth within 1 % of mid, one side


def make_venue(rows, *, fund_usd=1_000_000.0, start_usd=60_000.0, **book_kw):
    """rows: (side, qty_btc, entry_usd, wallet_usd, leverage). Book: D1 = 1M USD, alpha 1,
    no resiliency, makers never withdraw: every walk is computable by hand."""
    side, qty, entry, wallet, lev = zip(*rows)
    pos = Positions.from_arrays(BINANCE_BTCUSDT_2021_03, side, qty, entry, wallet, lev)
    book = dict(depth_usd_at_1pct=D1_USD, depth_exponent=1.0, resiliency_per_step=0.0,
                mm_withdraw_when_volatility_above=0.9)
    book.update(book_kw)
    params = VenueParams(book=BookParams(**book), insurance_fund_usd=fund_usd)
    return Venue(params, start_usd, seed=0, positions=pos)


@pytest.fixture
def venue_factory():
    return make_venue
