"""Liquidated share by leverage bucket, one definition for both venues.

Leverage of a position = its exposure / its own equity at the start:
- on chain, a borrower with collateral C and debt D (USD at start, from borrowers.csv):
  L = C / (C - D);
- at the CEX, the position's nominal leverage.
Share liquidated in a bucket = positions of the bucket liquidated at least once / positions
of the bucket. Buckets are the CEX model's (``defidrill.cex.results.LEVERAGE_LABELS``).

What the model predicts (docs/metrics.md): at equal leverage L a lending position is
liquidated after a smaller drop than a perpetual: on chain at d = 1 - (1 - 1/L) / LT
(e.g. L = 4, LT = 78%: 3.8%), at the CEX at d ~ 1/L - MMR (L = 4, MMR 0.4%: 24.6%),
because the liquidation threshold is a far larger maintenance margin than a CEX's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from defidrill.cex.results import LEVERAGE_LABELS, leverage_bucket
from defidrill.run_folder import Table


def trigger_drop_onchain(leverage: float, liquidation_threshold: float) -> float:
    """Price drop at which a lending position of this leverage reaches health factor 1."""
    return 1.0 - (1.0 - 1.0 / leverage) / liquidation_threshold


def trigger_drop_cex(leverage: float, maintenance_margin_rate: float) -> float:
    """Price drop at which an isolated long of this leverage reaches maintenance (entry at the start price)."""
    return 1.0 / leverage - maintenance_margin_rate


def onchain_by_leverage(borrowers: Table | None, liquidated_accounts: set[str]) -> dict[str, dict[str, Any]] | None:
    """Per bucket: positions, liquidated, share_pct; None without borrowers.csv (``RunFolder.borrowers``)."""
    if borrowers is None:
        return None
    leverage = borrowers.floats("leverage")
    hit = np.array([a.lower() in liquidated_accounts for a in borrowers.text("address")], dtype=bool)
    buckets = leverage_bucket(leverage) if len(borrowers) else np.zeros(0, dtype=np.intp)
    out = {}
    for i, label in enumerate(LEVERAGE_LABELS):
        in_bucket = buckets == i
        n = int(in_bucket.sum())
        k = int((in_bucket & hit).sum())
        out[label] = {"positions": n, "liquidated": k, "share_pct": (100.0 * k / n) if n else None}
    return out


def cex_by_leverage(cex_summary: dict[str, Any] | None) -> dict[str, dict[str, Any]] | None:
    if not cex_summary or "positions_by_leverage" not in cex_summary:
        return None
    out = {}
    for label in LEVERAGE_LABELS:
        n = int(cex_summary["positions_by_leverage"].get(label, {}).get("count", 0))
        k = int(cex_summary.get("liquidations_by_leverage", {}).get(label, {}).get("count", 0))
        out[label] = {"positions": n, "liquidated": k, "share_pct": (100.0 * k / n) if n else None}
    return out
