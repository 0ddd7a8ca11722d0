"""sweep.html: each chosen metric over one or two swept parameters, offline like the run report.

Two parameters: a heatmap (x = ``plot.x``, y = ``plot.y``; default the first two swept keys),
each cell the mean over that cell's finished points (several seeds or samples share a cell).
One parameter: a line over its values when they are numbers (8%, 10m and 5 all are), else a
one-row heatmap. Then a table of every point. The page reuses the report's blocks, CSS and
hand-written SVG (report/svg.py), so it needs no network and no plotting library.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from defidrill.report.document import Block, Chart, Heading, Para, TableBlock
from defidrill.report.render import to_html
from defidrill.report.svg import Series, heat_map, line_chart
from defidrill.run_folder import write_text_atomic
from defidrill.sweep.catalog import PARAM
from defidrill.sweep.spec import SweepSpec, numeric_value

__all__ = ["SWEEP_HTML", "axes", "cell_means", "write_sweep_html"]

SWEEP_HTML = "sweep.html"


def axes(spec: SweepSpec) -> tuple[str, str | None]:
    """The swept keys on x and (for a heatmap) y."""
    params = spec.parameters
    x = spec.plot.x or params[0]
    y = spec.plot.y or next((p for p in params if p != x), None)
    return x, y


def _order(values: list[Any]) -> list[str]:
    """Distinct values as labels, in numeric order where they are numbers or quantities."""
    distinct = {str(v): v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))}
    return sorted(distinct, key=lambda k: (numeric_value(distinct[k]) is None, numeric_value(distinct[k]) or 0.0, k))


def cell_means(frame: pd.DataFrame, metric: str, x: str, y: str | None) -> tuple[list[str], list[str], list[list[float | None]]]:
    """(x labels, y labels, mean of ``metric`` over ok points per cell) from a results table."""
    ok = frame[frame["status"] == "ok"]
    xs = _order(list(frame[PARAM + x]))
    ys = _order(list(frame[PARAM + y])) if y else [""]
    grid: list[list[float | None]] = []
    for yl in ys:
        row: list[float | None] = []
        for xl in xs:
            mask = ok[PARAM + x].astype(str) == xl
            if y:
                mask &= ok[PARAM + y].astype(str) == yl
            vals = pd.to_numeric(ok.loc[mask, metric], errors="coerce").dropna()
            row.append(float(vals.mean()) if len(vals) else None)
        grid.append(row)
    return xs, ys, grid


def _chart(frame: pd.DataFrame, metric: str, x: str, y: str | None) -> str:
    xs, ys, grid = cell_means(frame, metric, x, y)
    numeric_x = [numeric_value(v) for v in xs]
    if y is None and all(v is not None for v in numeric_x):
        return line_chart(f"{metric} over {x}", [Series(metric, numeric_x, grid[0])],  # type: ignore[arg-type]
                          x_label=x, y_label=metric)
    return heat_map(f"{metric} over {x}" + (f" and {y}" if y else ""), xs, ys, grid,
                    x_label=x, y_label=y or "")


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


def write_sweep_html(sweep_dir: Path, spec: SweepSpec, frame: pd.DataFrame) -> Path:
    """Render sweep.html from the results table (rewritten whenever the sweep runs)."""
    x, y = axes(spec)
    n_ok = int((frame["status"] == "ok").sum()) if len(frame) else 0
    blocks: list[Block] = [
        Heading(f"Sweep {spec.name or sweep_dir.name}", 1),
        Para(f"Base drill `{spec.drill}`; {len(frame)} points finished, {n_ok} ok, {len(frame) - n_ok} failed. "
             f"Swept: {', '.join(f'`{p}`' for p in spec.parameters)}. Each cell is the mean over its ok points; "
             "a grey cell has none."),
    ]
    if len(frame):
        for metric in spec.metrics:
            blocks.append(Chart(_chart(frame, metric, x, y),
                                f"{metric} (mean over the ok points of each cell) by {x}" + (f" and {y}." if y else ".")))
    params = [PARAM + p for p in spec.parameters]
    headers = ["point", *spec.parameters, "seed", "status", *spec.metrics, "wall time (s)", "error"]
    rows = [[_cell(r["point"]), *(_cell(r[p]) for p in params), _cell(r["seed"]), _cell(r["status"]),
             *(_cell(r[m]) for m in spec.metrics), _cell(r["wall_time_s"]), _cell(r["error"])]
            for r in frame.to_dict("records")]
    blocks += [Heading("Points"), TableBlock(headers, rows)]
    path = sweep_dir / SWEEP_HTML
    write_text_atomic(path, to_html(blocks, f"defidrill sweep {spec.name or sweep_dir.name}"))
    return path
