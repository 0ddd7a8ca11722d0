"""Third-party price feeds for the chains the fork tests fork (an "origin" we did not write).

A ``ForeignAggregator`` is a feed built another protocol's way (8 decimals, phase-encoded round
ids, no ``transmit``): a fork drill must take it over where it stands, not through our own feed's
functions. Shared by the Aave origin (support/aave_origin.py) and the Compound-style one
(tests/external_protocol/test_ctoken_fork.py).
"""

from __future__ import annotations

from dataclasses import replace

from defidrill.chain import Chain
from defidrill.protocol.market import Market


def with_foreign_feeds(chain: Chain, market: Market, prices_usd: dict[str, int]) -> Market:
    """``market`` with one ForeignAggregator per symbol, each reporting its price, as its feeds."""
    feeds = {}
    for sym, price in prices_usd.items():
        feed = chain.deploy("ForeignAggregator", 8, f"{sym} / USD", 2)
        chain.transact(feed.functions.report(price * 10**8))
        feeds[sym] = feed
    return replace(market, feeds=feeds)
