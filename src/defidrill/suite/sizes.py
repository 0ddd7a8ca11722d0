"""The one table of reduced sizes at which ``defidrill suite`` runs each library drill.

Each entry is a list of ``--set`` texts applied to the library drill before the user's own
(``defidrill suite --set protocol.kind=aave-v3`` comes after them, so it wins on a shared key).
A reduction keeps the drill's character: the same price path and failure timings, fewer and
larger borrowers (the book's debt about the same), fewer CEX positions from the same
distributions (shares of open interest about the same), and the tail after the event cut where
the path allows it. A piecewise path (the incidents, Black Thursday) cannot be cut (its points
must lie inside the drill), so it is walked at a coarser step instead. Together the library
runs in a few minutes; the drills' ``expect:`` bounds hold at these sizes as at their own
(normalised figures, shares and delays rather than totals, where the size matters).

A drill not named here (a drill added to the library, or a file given by path) runs at its own size.
"""

from __future__ import annotations

from typing import Final

__all__ = ["SUITE_SIZES"]

#: CEX positions in the suite: a tenth of the flagship's 200k, from the same notional and leverage draws.
_CEX = "cex.positions.count=20k"

SUITE_SIZES: Final[dict[str, tuple[str, ...]]] = {
    # The drop runs 20m..60m, half comes back by 90m: 75m keeps the crash and the start of the
    # recovery; a quarter of the borrowers at four times the median size keeps the debt.
    "flash-crash": ("borrowers.count=50", "borrowers.size_usd={lognormal: {median: 80k, sigma: 1.2}}",
                    "market.duration=75m", _CEX),
    # Same market; keepers offline 25m..55m: 75m leaves 20 minutes after they return.
    "keeper-outage": ("borrowers.count=50", "borrowers.size_usd={lognormal: {median: 80k, sigma: 1.0}}",
                      "market.duration=75m", _CEX),
    # Ramp 15m..45m, feed stale 10m..50m: 65m leaves 15 minutes after the feed resumes.
    "stale-feed-crash": ("borrowers.count=50", "borrowers.size_usd={lognormal: {median: 80k, sigma: 1.0}}",
                         "market.duration=65m", _CEX),
    # Ramp 20m..80m, sequencer down 30m..108m, grace until 168m: 3h leaves 12 minutes after the grace.
    "sequencer-outage": ("borrowers.count=50", "market.duration=3h", _CEX),
    # Ramp 15m..45m, answers one hour late: the last delayed answer lands at 105m.
    "osm-delay": ("borrowers.count=50", "market.duration=110m", _CEX),
    # The clamp pair: the whole path (bound crossed at ~129m, attack at 152m, bounds lifted at 160m).
    "minanswer-clamp": ("borrowers.count=50", _CEX),
    "minanswer-clamp-naive": ("borrowers.count=50", _CEX),
    # The attack is one transaction at 10m; 15m shows the aftermath.
    "spot-manipulation": ("borrowers.count=20", "market.duration=15m", _CEX),
    "spot-manipulation-guarded": ("borrowers.count=20", "market.duration=15m", _CEX),
    # Three of the six hours (the seeded path keeps its first three hours).
    "gbm-stress": ("borrowers.count=60", "market.duration=3h", _CEX),
    # The seed crash: the CEX side whole (its figures are the point); the chain's cascade low
    # comes at ~13 minutes, so 30 minutes with 40 borrowers.
    "seed-crash": ("borrowers.count=40", "market.duration=30m"),
    # Black Thursday: both legs of the piecewise path at 5-minute steps (congestion unchanged).
    "black-thursday": ("borrowers.count=40", "market.step=5m"),
    # The incidents: every cited point kept, walked at 5-minute (LUNA: 30-minute) steps.
    "incidents/btc-march-2023": ("borrowers.count=50", "borrowers.size_usd={lognormal: {median: 60k, sigma: 1.0}}",
                                 "market.step=5m"),
    "incidents/usdc-base-depeg": ("borrowers.count=50", "market.step=5m"),
    "incidents/usdc-base-depeg-hardcoded": ("borrowers.count=50", "market.step=5m"),
    "incidents/usdc-depeg-march-2023": ("borrowers.count=50", "market.step=5m"),
    "incidents/luna-may-2022": ("borrowers.count=40", "market.step=30m"),
}
