"""The ``cex`` object of summary.json: the venue's own summary plus per-minute series.

The venue's summary (``Venue.summary()``, definitions in defidrill/cex/summary.py) is
authoritative and passed through unchanged when the run loop hands it over (or it is
already in summary.json). When only the files exist, the same metrics are rebuilt from
cex_steps.csv and cex_events.csv with the same definitions; the one approximation is the
lowest traded price (the venue tracks each walk's last level; the files give the step's
end-of-walk mid and every fill's VWAP), which feeds ``amplification``.

Added here, for both paths:
- ``liquidated_per_minute``: ``liquidated_notional_usd`` (positions taken over, notional
  at the mark) summed per minute; ``liquidated_notional_per_minute_peak_usd`` and
  ``_mean_usd`` (mean over the liquidation window, see series.py).
- ``losses_socialised_usd`` = insurance_fund_draw_usd + adl_notional_usd +
  unresolved_deficit_usd (what the fund paid, what was forced onto profitable traders,
  and what nobody could absorb).
- the normalised figures (shares of open interest and of the insurance fund, time to half
  liquidated, largest last-vs-index dislocation): defined in :mod:`defidrill.metrics.normalised`.
  Open interest at start needs the population, so only the venue's summary has it: a summary
  rebuilt from the files leaves it and the shares of it null.

The two CSVs are written by ``defidrill.run_folder.write_cex_files`` (the run folder's owner).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from defidrill.cex import EVENT_KINDS, LEVERAGE_LABELS
from defidrill.cex.results import LIQUIDATION_ADL, LIQUIDATION_BOOK, leverage_bucket
from defidrill.metrics.decode import weighted_slippage_pct
from defidrill.metrics.normalised import cex_normalised
from defidrill.run_folder.reader import Table
from defidrill.metrics.series import clean, first_time, per_minute

_KIND_BY_NAME = {name: code for code, name in EVENT_KINDS.items()}


def _normalised(table: Table) -> Table:
    """Accept columns written with a ``cex_`` prefix (``cex_mark_price_usd``) as well as bare."""
    cols = {(k[4:] if k.startswith("cex_") else k): v for k, v in table.columns.items()}
    return Table(table.path, cols)


def _kinds(events: Table) -> npt.NDArray[np.int64]:
    """The ``kind`` column as codes; the writer may use the code or its name."""
    out = []
    for i, cell in enumerate(events.text("kind")):
        cell = cell.strip()
        if cell in _KIND_BY_NAME:
            out.append(_KIND_BY_NAME[cell])
        else:
            out.append(int(events.floats("kind")[i]))
    return np.asarray(out, dtype=np.int64)


def rebuild_venue_summary(steps: Table, events: Table | None) -> dict[str, Any]:
    """The venue's summary metrics from its files (see the module docstring for the one approximation)."""
    steps = _normalised(steps)
    t = steps.floats("t_s")
    index = steps.floats("index_price_usd")
    fund = steps.floats("insurance_fund_usd")
    liq_count = steps.floats("liquidation_count")
    fills = steps.floats("liquidation_fill_notional_usd")
    ev = _normalised(events) if events is not None else None
    kind = _kinds(ev) if ev is not None and len(ev) else np.zeros(0, dtype=np.int64)
    delta = ev.floats("fund_delta_usd") if ev is not None and len(ev) else np.zeros(0)
    ev_step = ev.floats("step") if ev is not None and len(ev) else np.zeros(0)
    book = kind == LIQUIDATION_BOOK
    exec_px = ev.floats("exec_price_usd")[book] if ev is not None and len(ev) else np.zeros(0)
    start = float(index[0]) if index.size else math.nan
    min_index = float(np.nanmin(index)) if index.size else math.nan
    traded = [start, float(np.nanmin(steps.floats("last_price_usd"))) if len(steps) else start]
    if exec_px.size:
        traded.append(float(np.nanmin(exec_px)))
    min_traded = min(traded)
    exo, endo = max(0.0, start - min_index), max(0.0, min_index - min_traded)
    draw = float(-delta[book & (delta < 0)].sum()) if delta.size else 0.0
    credit = float(delta[book & (delta > 0)].sum()) if delta.size else 0.0
    breach = first_time(t, liq_count > 0)
    first_fill = first_time(t, fills > 0)
    out: dict[str, Any] = {
        "steps": len(steps),
        "liquidation_count": int(np.nansum(liq_count)),
        "liquidated_notional_usd": float(np.nansum(steps.floats("liquidated_notional_usd"))),
        "first_threshold_breach_s": breach,
        "first_liquidation_s": first_fill,
        "first_liquidation_delay_s": None if breach is None or first_fill is None else first_fill - breach,
        # the fund before the first step's fills (later deltas can exceed what the fund held)
        "insurance_fund_start_usd": clean(float(fund[0]) - float(delta[ev_step == ev_step.min()].sum())
                                          if delta.size and ev_step.min() == 0 else float(fund[0])) if fund.size else None,
        "insurance_fund_end_usd": clean(float(fund[-1])) if fund.size else None,
        "insurance_fund_draw_usd": draw,
        # the fund stops at zero: what its deltas took beyond that is the unresolved deficit
        "unresolved_deficit_usd": None,
        "insurance_fund_credit_usd": credit,
        "adl_count": int(np.nansum(steps.floats("adl_count"))),
        "adl_notional_usd": float(np.nansum(steps.floats("adl_notional_usd"))),
        "max_book_depth_withdrawn_pct": clean(float(np.nanmax(steps.floats("book_depth_withdrawn_pct"))))
        if len(steps) else 0.0,
        "start_index_price_usd": clean(start),
        "min_index_price_usd": clean(min_index),
        "min_traded_price_usd": clean(min_traded),
        "exogenous_drop_pct": clean(100.0 * exo / start),
        "endogenous_drop_pct": clean(100.0 * endo / start),
        "amplification": endo / exo if exo > 0 else None,
        "net_flow_btc": float(np.nansum(steps.floats("net_flow_btc"))),
    }
    start_fund, end_fund = out["insurance_fund_start_usd"], out["insurance_fund_end_usd"]
    if start_fund is not None and end_fund is not None:
        out["unresolved_deficit_usd"] = max(0.0, end_fund - float(delta.sum()) - start_fund)
    if ev is not None and len(ev):
        side = ev.floats("side")[book]
        notional = ev.floats("notional_usd")[book]
        index_at = ev.floats("index_price_usd")[book]
        # a long's liquidation sells (adverse = below index), a short's buys (adverse = above)
        adverse_exec = index_at - side * (index_at - exec_px)
        out["slippage_vs_index_pct"] = weighted_slippage_pct(index_at, adverse_exec, notional) or 0.0
        out["net_flow_usd"] = float((side * notional).sum())
        liq = (kind == LIQUIDATION_BOOK) | (kind == LIQUIDATION_ADL)
        out["liquidations_by_leverage"] = _fills_by_leverage(ev, liq)
    return out


def _fills_by_leverage(ev: Table, liq: npt.NDArray[np.bool_]) -> dict[str, dict[str, float]]:
    """Positions (distinct ids) with a liquidation fill per leverage bucket and their filled notional.
    (The venue's own table uses the notional at takeover; the files hold fills.)"""
    ids = ev.floats("position_id")[liq]
    lev = ev.floats("leverage")[liq]
    notional = ev.floats("notional_usd")[liq]
    b = leverage_bucket(lev) if lev.size else np.zeros(0, dtype=np.intp)
    out: dict[str, dict[str, float]] = {}
    for i, label in enumerate(LEVERAGE_LABELS):
        m = b == i
        out[label] = {"count": int(np.unique(ids[m]).size), "notional_usd": float(notional[m].sum())}
    return out


def cex_metrics(steps: Table, events: Table | None, venue_summary: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``cex`` object: ``venue_summary`` (or one rebuilt from the files) plus per-minute series."""
    base = dict(venue_summary) if venue_summary else rebuild_venue_summary(steps, events)
    norm = _normalised(steps)
    minute = per_minute(norm.floats("t_s"), norm.floats("liquidated_notional_usd"))
    base["liquidated_per_minute"] = {"minute_start_s": minute.minute_start_s, "notional_usd": minute.amount}
    base["liquidated_notional_per_minute_peak_usd"] = minute.peak
    base["liquidated_notional_per_minute_mean_usd"] = minute.mean_over_window
    base["losses_socialised_usd"] = (float(base.get("insurance_fund_draw_usd") or 0.0)
                                     + float(base.get("adl_notional_usd") or 0.0)
                                     + float(base.get("unresolved_deficit_usd") or 0.0))
    base.update(cex_normalised(base, norm))
    return {k: (clean(v) if isinstance(v, float) else v) for k, v in base.items()}


__all__ = ["cex_metrics", "rebuild_venue_summary"]
