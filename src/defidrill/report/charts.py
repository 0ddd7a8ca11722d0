"""The report's charts, drawn from the run folder's CSVs and summary.json (never the chain).

- per collateral asset: reference vs feed vs guard vs AMM price over time;
- liquidated notional per minute, both venues (from summary.json's series);
- the CEX: index, mark and last traded price; its insurance fund.
"""

from __future__ import annotations

import math
from typing import Any

from defidrill.run_folder import RunFolder
from defidrill.report.svg import Series, bar_chart, line_chart

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


def price_chart(run: RunFolder, asset: str) -> str | None:
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
    return line_chart(f"{asset}: reference, oracle feed, guard and AMM price", series,
                      x_label=MINUTES, y_label=f"{asset} price (USD)")


def per_minute_chart(summary: dict[str, Any]) -> str | None:
    """Liquidated notional per minute, on chain and at the CEX, as grouped bars."""
    groups: list[tuple[str, dict[float, float]]] = []
    for key, label in (("onchain", "on chain (seized collateral at reference)"),
                       ("cex", "CEX (position notional at mark)")):
        obj = summary.get(key) or {}
        series = obj.get("liquidated_per_minute") or {}
        starts, amounts = series.get("minute_start_s") or [], series.get("notional_usd") or []
        if starts:
            groups.append((label, dict(zip(starts, amounts))))
    if not groups:
        return None
    minutes = sorted({m for _, g in groups for m in g})
    x = [m / 60.0 for m in minutes]
    return bar_chart("Liquidated notional per minute", x,
                     [(label, [g.get(m) for m in minutes]) for label, g in groups],
                     x_label=MINUTES, y_label="USD per minute", bar_width_x=1.0)


def cex_price_chart(run: RunFolder) -> str | None:
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
    return line_chart("CEX: index, mark and last traded price", series, x_label=MINUTES, y_label="price (USD)")


def insurance_fund_chart(run: RunFolder) -> str | None:
    table = run.cex_steps
    if table is None:
        return None
    t, fund = _col(run, table, "t_s"), _col(run, table, "insurance_fund_usd")
    if t is None or fund is None:
        return None
    t_min = [v / 60.0 if v is not None else None for v in t]
    return line_chart("CEX: insurance fund", [Series("insurance fund", t_min, fund, color="#9467bd")],  # type: ignore[arg-type]
                      x_label=MINUTES, y_label="USD", y_zero=True)


def all_charts(run: RunFolder, summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(svg, caption) pairs in report order."""
    out: list[tuple[str, str]] = []
    for asset in run.drill.collateral:
        svg = price_chart(run, asset)
        if svg:
            out.append((svg, f"{asset}: the exogenous reference path (wide grey), what the Chainlink-style feed "
                             "reported, what the guard let the pool use (gaps: no source passed), and the "
                             "AMM pair's spot price."))
    svg = per_minute_chart(summary)
    if svg:
        out.append((svg, "Liquidated notional summed per minute (minute m covers [60m, 60m+60) s)."))
    svg = cex_price_chart(run)
    if svg:
        out.append((svg, "The CEX perpetual: index = the reference path (wide grey); mark = the price liquidations "
                         "trigger on; last = where its book traded (below the index: the cascade)."))
    svg = insurance_fund_chart(run)
    if svg:
        out.append((svg, "The CEX insurance fund: clearance fees credit it, fills below bankruptcy draw it; "
                         "at zero, auto-deleveraging takes over."))
    return out


__all__ = ["all_charts", "cex_price_chart", "insurance_fund_chart", "per_minute_chart", "price_chart"]
