"""risk.html: the quantiles with their intervals, the convergence view and the frontier, offline.

Drawn from risk.json only, with the report's blocks, CSS and hand-written SVG (report/svg.py):
no network, no plotting library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from defidrill.run_folder.atomic import write_text_atomic
from defidrill.report.blocks import Block, Bullets, Chart, Heading, Para, TableBlock
from defidrill.report.render import to_html
from defidrill.report.svg import PALETTE, Series, line_chart
from defidrill.risk.result import ConstraintResult, Interval, RiskResult, Stats
from defidrill.sweep.spec import numeric_value

__all__ = ["RISK_HTML", "write_risk_html"]

RISK_HTML = "risk.html"


def _fmt(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.4g}"


def _ci(i: Interval | None) -> str:
    return "—" if i is None else f"{_fmt(i.value)} [{_fmt(i.low)}, {_fmt(i.high)}]"


def _label(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def _quantile_table(result: RiskResult, metric: str) -> TableBlock:
    headers = ["value", "n (ok)", "failed", "mean", "p50", "p90", "p95", "p99", "P(> 0)"]
    rows = []
    for v in result.variants:
        s: Stats | None = v.metrics.get(metric)
        if s is None:
            continue
        rows.append([_label(v.values), f"{s.n}" + (f" ({s.n_null} null)" if s.n_null else ""), str(v.failed),
                     _ci(s.mean), *(_ci(s.quantiles.get(q)) for q in ("p50", "p90", "p95", "p99")), _ci(s.p_positive)])
    return TableBlock(headers, rows)


def _convergence_chart(result: RiskResult, metric: str) -> Chart:
    series = []
    for i, v in enumerate(result.variants):
        points = result.convergence.get(metric, {}).get(str(v.index), [])
        color = PALETTE[i % len(PALETTE)]
        xs = [float(p.n) for p in points]
        series += [Series(f"p99 {_label(v.values)}", xs, [p.value for p in points], color=color),
                   Series(f"interval {_label(v.values)}", xs, [p.low for p in points], color=color, dashed=True,
                          width=1.0),
                   Series("", xs, [p.high for p in points], color=color, dashed=True, width=1.0)]
    svg = line_chart(f"{metric}: p99 as runs accumulate", series, x_label="runs (n)", y_label=metric)
    return Chart(svg, f"The p99 of {metric} on the first n runs (solid) and its {result.confidence:.0%} interval "
                      "(dashed): where the lines flatten and the band narrows, n was enough.")


def _frontier_chart(result: RiskResult, c: ConstraintResult) -> Chart | None:
    if len(result.parameters) != 1:
        return None
    name = result.parameters[0]["name"]
    xs = [numeric_value(j.values[name]) for j in c.variants]
    if any(x is None for x in xs) or not xs:
        return None
    x = [float(v) * (100 if isinstance(j.values[name], str) and j.values[name].strip().endswith("%") else 1)
         for v, j in zip(xs, c.variants) if v is not None]
    est = [j.estimate.value if j.estimate else None for j in c.variants]
    lo = [j.estimate.low if j.estimate else None for j in c.variants]
    hi = [j.estimate.high if j.estimate else None for j in c.variants]
    q = f"p{c.quantile * 100:g}"
    svg = line_chart(f"{q} of {c.metric} by {name}", [
        Series(q, x, est), Series("interval low", x, lo, dashed=True, width=1.0),
        Series("interval high (decides)", x, hi, dashed=True),
        Series(f"constraint max {c.max:g}", [min(x), max(x)], [c.max, c.max], color="#000000", dashed=True)],
        x_label=name, y_label=c.metric, y_zero=True)
    return Chart(svg, f"The {q} with its {result.confidence:.0%} interval at each value; a value meets the "
                      "constraint when the interval's upper bound is at or below the line.")


def _constraint_blocks(result: RiskResult, c: ConstraintResult) -> list[Block]:
    q = f"p{c.quantile * 100:g}"
    blocks: list[Block] = [Heading(f"Constraint: {q} of {c.metric} <= {c.max:g}", 2)]
    rows = [[_label(j.values), _ci(j.estimate), "met" if j.met else "NOT MET"] for j in c.variants]
    blocks.append(TableBlock(["value", f"{q} [interval]", "upper bound <= max"], rows,
                             ["pass" if j.met else "fail" for j in c.variants]))
    items = []
    for f in c.frontier:
        where = f" with {_label(f.fixed)}" if f.fixed else ""
        best = f.most_permissive if f.most_permissive is not None else "none"
        items.append(f"{f.parameter}{where}: meets {', '.join(map(str, f.meets)) or 'none'}; most permissive: {best}")
    blocks.append(Bullets(items))
    chart = _frontier_chart(result, c)
    if chart is not None:
        blocks.append(chart)
    return blocks


def write_risk_html(risk_dir: Path, result: RiskResult) -> Path:
    """Render risk.html beside risk.json."""
    fam = result.family
    blocks: list[Block] = [
        Heading(f"Risk study {result.name}", 1),
        Para(f"Base drill `{result.drill}`; {result.runs_per_value} runs per value, path family "
             f"`{fam.get('family')}` on {', '.join(fam.get('assets', []))}; seed {result.seed}. "
             f"Every value sees the same runs' paths ({result.paired}), so the comparison between values is paired. "
             f"Quantiles: {result.quantile_method}; intervals: {result.interval_method}, "
             f"{result.confidence:.0%}, {result.bootstrap_resamples:,} resamples. Each cell: estimate [low, high]."),
    ]
    for c in result.constraints:
        blocks += _constraint_blocks(result, c)
    blocks.append(Heading("The chain's bad debt beside the CEX's socialised losses", 2))
    for pair in result.side_by_side:
        for side in ("onchain", "cex"):
            blocks += [Heading(pair[side], 3), _quantile_table(result, pair[side])]
    shown = {m for pair in result.side_by_side for m in pair.values()}
    others = [m for m in result.variants[0].metrics if m not in shown] if result.variants else []
    if others:
        blocks.append(Heading("Other metrics", 2))
        for metric in others:
            blocks += [Heading(metric, 3), _quantile_table(result, metric)]
    blocks.append(Heading("Convergence", 2))
    blocks += [_convergence_chart(result, metric) for metric in result.convergence]
    timing = result.timing
    if timing:
        blocks += [Heading("Timing", 2), TableBlock(["figure", "value"], [[k, _fmt(v)] for k, v in timing.items()])]
    return write_text_atomic(risk_dir / RISK_HTML, to_html(blocks, f"defidrill risk {result.name}"))
