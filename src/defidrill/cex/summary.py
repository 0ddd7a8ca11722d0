"""The venue's run metrics, with the same definitions the on-chain side uses where they apply.

- liquidation_count / liquidated_notional_usd: positions taken over by the engine and
  their notional at the mark at takeover (the CEX analogue of a liquidationCall).
- first_threshold_breach_s: first step time at which any position's mark reached its
  liquidation price (on chain: the first account below health factor 1).
- first_liquidation_delay_s: first liquidation fill time minus that breach time (the
  engine acts in the breach step, so 0 unless the book cannot take the order).
- insurance_fund_draw_usd / _credit_usd: gross draws and clearance fees; the fund's end
  balance; unresolved_deficit_usd: losses neither the fund nor ADL could absorb.
- adl_count / adl_notional_usd: opposite positions auto-deleveraged and their notional.
- amplification = endogenous drop / exogenous drop, where exogenous = start index - min
  index and endogenous = max(0, min index - min traded price): how much further than the
  reference path the venue's own trading pushed its price (0 = none; 1 = doubled the drop).
- slippage_vs_index_pct: notional-weighted adverse distance of liquidation fills in the
  book from the index (sells below, buys above), in percent.
- net_flow_btc / net_flow_usd: what the book's makers bought from the engine (sold if < 0).
- open_interest_start_usd: the positions' size at the start index price, sum(qty_btc) x start
  (both sides; the base of the normalised shares, defined in defidrill/metrics/normalised.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from defidrill.cex.results import LEVERAGE_LABELS, LIQUIDATION_BOOK, leverage_bucket

if TYPE_CHECKING:
    from defidrill.cex.venue import Venue


def _by_leverage(leverage: npt.NDArray[np.float64], notional_usd: npt.NDArray[np.float64]) -> dict[str, dict[str, float]]:
    b = leverage_bucket(leverage)
    counts = np.bincount(b, minlength=len(LEVERAGE_LABELS))
    notional = np.bincount(b, weights=notional_usd, minlength=len(LEVERAGE_LABELS))
    return {label: {"count": int(counts[i]), "notional_usd": float(notional[i])}
            for i, label in enumerate(LEVERAGE_LABELS)}


def summarize(venue: Venue) -> dict[str, Any]:
    """Metrics of everything the venue has stepped through so far."""
    steps = venue.steps
    engine = venue.engine
    ev = venue.events.arrays()
    start = venue.start_price_usd
    min_index = min((s.index_price_usd for s in steps), default=start)
    min_traded = venue.min_traded_price_usd
    exogenous = max(0.0, start - min_index)
    endogenous = max(0.0, min_index - min_traded)

    taken_ids, taken_notional = engine.taken_over()
    book = ev["kind"] == LIQUIDATION_BOOK
    book_notional = ev["notional_usd"][book]
    slip = ev["side"][book] * (ev["index_price_usd"][book] - ev["exec_price_usd"][book]) / ev["index_price_usd"][book]
    slippage_pct = float(100.0 * (slip * book_notional).sum() / book_notional.sum()) if book_notional.size else 0.0

    breach = venue.first_breach_t_s
    first_liq = venue.first_liquidation_t_s
    return {
        "positions_count": len(venue.positions),
        "open_interest_start_usd": venue.open_interest_start_usd,
        "steps": len(steps),
        "liquidation_count": int(taken_ids.size),
        "liquidated_notional_usd": float(taken_notional.sum()),
        "first_threshold_breach_s": breach,
        "first_liquidation_s": first_liq,
        "first_liquidation_delay_s": None if breach is None or first_liq is None else first_liq - breach,
        "insurance_fund_start_usd": venue.params.insurance_fund_usd,
        "insurance_fund_end_usd": engine.fund_usd,
        "insurance_fund_draw_usd": engine.fund_draw_usd,
        "insurance_fund_credit_usd": engine.fund_credit_usd,
        "unresolved_deficit_usd": engine.unresolved_deficit_usd,
        "adl_count": int(sum(s.adl_count for s in steps)),
        "adl_notional_usd": float(sum(s.adl_notional_usd for s in steps)),
        "max_book_depth_withdrawn_pct": max((s.book_depth_withdrawn_pct for s in steps), default=0.0),
        "start_index_price_usd": start,
        "min_index_price_usd": min_index,
        "min_traded_price_usd": min_traded,
        "exogenous_drop_pct": 100.0 * exogenous / start,
        "endogenous_drop_pct": 100.0 * endogenous / start,
        "amplification": endogenous / exogenous if exogenous > 0 else None,
        "liquidations_by_leverage": _by_leverage(venue.positions.leverage[taken_ids], taken_notional),
        "positions_by_leverage": _by_leverage(venue.positions.leverage, venue.positions.leverage * 0.0),
        "slippage_vs_index_pct": slippage_pct,
        "net_flow_btc": float(sum(s.net_flow_btc for s in steps)),
        "net_flow_usd": float((ev["side"][book] * book_notional).sum()),
        "positions_held_by_engine": engine.holding,
    }
