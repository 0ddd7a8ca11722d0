"""The report's charts, drawn from the run folder's CSVs and summary.json (never the chain).

- per collateral asset: reference vs feed vs guard vs AMM price over time, the drill's events marked;
- liquidated notional per minute, one panel per venue (a $100k on-chain minute beside a $500M
  CEX minute on one linear axis is a bar no one can see), each on its own axis;
- accounts below health factor 1, and debt under water (not covered at reference) beside bad debt written off;
- the CEX: index, mark and last traded price (events marked); its insurance fund.

Every time axis runs from the drill's start to its end (:mod:`defidrill.report.timeline`).
"""

from __future__ import annotations

import math
from typing import Any

from defidrill.run_folder import RunFolder
from defidrill.report.svg import Series, bar_chart, line_chart
from defidrill.report.timeline import Timeline, drill_timeline

MINUTES = "time since drill start (minutes)"


def _col(run: RunFolder, table: Any, name: str) -> list[float | None] | None:
    alt = f"cex_{name}"
    if table.has(name):
        vals = table.floats(name)
    elif table.has(alt):
        vals = table.floats(alt)
    else:
        return None
    return [float(v) if math.isfinite(v) else None for v in vals]


def _x_range(timeline: Timeline) -> tuple[float, float]:
    return (0.0, timeline.end_s / 60.0)


def price_chart(run: RunFolder, asset: str, timeline: Timeline | None = None) -> str | None:
    """Reference, feed, guard (0 = no price: a gap) and AMM spot of one asset."""
    steps = run.steps
    if not steps.has(f"ref_{asset}_usd"):
        return None
    t_min = (steps.floats("t_s") / 60.0).tolist()
    # the reference is drawn first, wide and grey, so the lines that follow it stay visible
    series = [Series("reference", t_min, _col(run, steps, f"ref_{asset}_usd") or [], color="#9a9a9a", width=4.0)]
    for kind, label, color, dashed in (("feed", "feed", "#1f77b4", False), ("guard", "guard", "#2ca02c", True),
                                       ("amm", "AMM spot", "#d62728", False)):
        vals = _col(run, steps, f"{kind}_{asset}_usd")
        if vals is None:
            continue
        if kind in ("guard", "amm"):
            vals = [v if v is not None and v > 0 else None for v in vals]
        series.append(Series(label, t_min, vals, color=color, dashed=dashed))
    timeline = timeline or Timeline(float(steps.floats("t_s").max()))
    return line_chart(f"{asset}: reference, oracle feed, guard and AMM price", series,
                      x_label=MINUTES, y_label=f"{asset} price (USD)", x_range=_x_range(timeline),
                      markers=timeline.in_minutes())


VENUES = (("onchain", "on chain", "seized collateral at reference"), ("cex", "CEX", "position notional at mark"))


def per_minute_charts(summary: dict[str, Any], timeline: Timeline) -> list[tuple[str, str]]:
    """Liquidated notional per minute, one bar chart per venue on its own y axis: (venue label, svg)."""
    out = []
    for key, venue, measure in VENUES:
        series = (summary.get(key) or {}).get("liquidated_per_minute") or {}
        starts, amounts = series.get("minute_start_s") or [], series.get("notional_usd") or []
        if not starts:
            continue
        svg = bar_chart(f"Liquidated notional per minute: {venue} ({measure})", [m / 60.0 for m in starts],
                        [(venue, list(amounts))], x_label=MINUTES, y_label="USD per minute", bar_width_x=1.0,
                        height=220, x_range=_x_range(timeline))
        out.append((venue, svg))
    return out


def health_chart(run: RunFolder, timeline: Timeline) -> str | None:
    """Accounts below health factor 1 at each step: at reference prices and by the protocol's own prices."""
    steps = run.steps
    t_min = (steps.floats("t_s") / 60.0).tolist()
    series = []
    for name, label, color, dashed in (("accounts_below_1_ref", "at reference prices", "#9a9a9a", False),
                                       ("accounts_below_1", "by the protocol's prices", "#1f77b4", True)):
        vals = _col(run, steps, name)
        if vals is not None:
            series.append(Series(label, t_min, vals, color=color, dashed=dashed,
                                 width=4.0 if name.endswith("_ref") else 1.8))
    if not series:
        return None
    return line_chart("Accounts below health factor 1", series, x_label=MINUTES, y_label="accounts", y_zero=True,
                      x_range=_x_range(timeline), markers=timeline.in_minutes())


def underwater_chart(run: RunFolder, timeline: Timeline) -> str | None:
    """Debt its collateral no longer covers at reference (under water) beside bad debt written off (cumulative)."""
    steps = run.steps
    t_min = (steps.floats("t_s") / 60.0).tolist()
    series = []
    for name, label, color in (("uncovered_debt_usd", "under water, not written off", "#d62728"),
                               ("bad_debt_usd", "bad debt written off (cumulative)", "#9467bd")):
        vals = _col(run, steps, name)
        if vals is not None:
            series.append(Series(label, t_min, vals, color=color))
    if not series:
        return None
    return line_chart("Debt under water", series, x_label=MINUTES, y_label="USD", y_zero=True,
                      x_range=_x_range(timeline), markers=timeline.in_minutes())


def cex_price_chart(run: RunFolder, timeline: Timeline) -> str | None:
    table = run.cex_steps
    if table is None:
        return None
    t = _col(run, table, "t_s")
    if t is None:
        return None
    t_min = [v / 60.0 if v is not None else None for v in t]
    series = []
    for name, label, color, dashed in (("index_price_usd", "index (reference)", "#9a9a9a", False),
                                       ("mark_price_usd", "mark", "#1f77b4", True),
                                       ("last_price_usd", "last traded", "#d62728", False)):
        vals = _col(run, table, name)
        if vals is not None:
            series.append(Series(label, t_min, vals, color=color, dashed=dashed,  # type: ignore[arg-type]
                                 width=4.0 if name == "index_price_usd" else 1.8))
    return line_chart("CEX: index, mark and last traded price", series, x_label=MINUTES, y_label="price (USD)",
                      x_range=_x_range(timeline), markers=timeline.in_minutes())


def insurance_fund_chart(run: RunFolder, timeline: Timeline) -> str | None:
    table = run.cex_steps
    if table is None:
        return None
    t, fund = _col(run, table, "t_s"), _col(run, table, "insurance_fund_usd")
    if t is None or fund is None:
        return None
    t_min = [v / 60.0 if v is not None else None for v in t]
    return line_chart("CEX: insurance fund", [Series("insurance fund", t_min, fund, color="#9467bd")],  # type: ignore[arg-type]
                      x_label=MINUTES, y_label="USD", y_zero=True, x_range=_x_range(timeline))


def all_charts(run: RunFolder, summary: dict[str, Any], timeline: Timeline | None = None) -> list[tuple[str, str]]:
    """(svg, caption) pairs in report order."""
    timeline = timeline or drill_timeline(run, summary)
    marked = (" Shaded bands and dashed lines: the drill's events (failures, keepers offline, LP and "
              "market-maker withdrawals)." if timeline.events else "")
    out: list[tuple[str, str]] = []
    for asset in run.drill.collateral:
        svg = price_chart(run, asset, timeline)
        if svg:
            out.append((svg, f"{asset}: the exogenous reference path (wide grey), what the Chainlink-style feed "
                             "reported, what the guard let the pool use (gaps: no source passed), and the "
                             "AMM pair's spot price." + marked))
    for venue, svg in per_minute_charts(summary, timeline):
        out.append((svg, f"Liquidated notional summed per minute, {venue} (minute m covers [60m, 60m+60) s), "
                         "on its own axis: compare the shapes and timing, the sizes are in the tables."))
    svg = health_chart(run, timeline)
    if svg:
        out.append((svg, "Accounts with health factor below 1 at each step: valued at reference prices (wide grey) "
                         "and by the protocol's own oracle prices (what keepers can act on)." + marked))
    svg = underwater_chart(run, timeline)
    if svg:
        out.append((svg, "Debt whose collateral no longer covers it at reference prices (bad debt nobody has "
                         "written off yet) and the debt liquidations wrote off as bad debt, cumulative."))
    svg = cex_price_chart(run, timeline)
    if svg:
        out.append((svg, "The CEX perpetual: index = the reference path (wide grey); mark = the price liquidations "
                         "trigger on; last = where its book traded (below the index: the cascade)." + marked))
    svg = insurance_fund_chart(run, timeline)
    if svg:
        out.append((svg, "The CEX insurance fund: clearance fees credit it, fills below bankruptcy draw it; "
                         "at zero, auto-deleveraging takes over."))
    return out


__all__ = ["all_charts", "cex_price_chart", "health_chart", "insurance_fund_chart", "per_minute_charts", "price_chart",
           "underwater_chart"]
