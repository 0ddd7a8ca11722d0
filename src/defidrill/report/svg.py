"""Inline SVG charts, written by hand so report.html needs no network and no plotting library.

Two kinds: a line chart (several series over a shared x axis; a None/NaN point breaks the
line, so "no price this step" shows as a gap, not a drop to zero) and a grouped bar
chart. Both have axes with "nice" ticks, axis labels, a title and a legend. Output is a
standalone ``<svg xmlns=...>`` element that parses as XML.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeGuard
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 760, 300
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 78, 16, 34, 62
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")


@dataclass(frozen=True)
class Series:
    label: str
    x: Sequence[float]
    y: Sequence[float | None]
    color: str | None = None
    dashed: bool = False
    width: float = 1.8


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 x 10^k)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0]
    if hi <= lo:
        pad = abs(lo) * 0.01 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 12))
        v += step
    if ticks[-1] < hi:
        ticks.append(ticks[-1] + step)
    return ticks


def compact(v: float) -> str:
    """Tick label: 1.2M, 58.8k, 0.25."""
    a = abs(v)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{v / div:.4g}{suffix}"
    return f"{v:.4g}"


def _finite(v: float | None) -> TypeGuard[float]:
    return v is not None and math.isfinite(v)


@dataclass(frozen=True)
class Marker:
    """A drill event on the time axis: a window [start, end) shaded, or a point (end None) as a line."""

    label: str
    start: float
    end: float | None = None


class _Frame:
    """Maps data coordinates to pixels inside the plotting area.

    ``x_range`` pins the x axis to exactly [lo, hi] (the drill's start and end), ticks inside it;
    without it the axis runs to the nice ticks around the data."""

    def __init__(self, xs: list[float], ys: list[float], width: int, height: int, y_zero: bool,
                 x_range: tuple[float, float] | None = None) -> None:
        self.w, self.h = width, height
        ylo, yhi = (min(ys), max(ys)) if ys else (0.0, 1.0)
        if y_zero:
            ylo, yhi = min(0.0, ylo), max(0.0, yhi)
        self.yt = nice_ticks(ylo, yhi)
        if x_range is not None and x_range[1] > x_range[0]:
            self.x0, self.x1 = x_range
            self.xt = [t for t in nice_ticks(self.x0, self.x1, 8) if self.x0 - 1e-9 <= t <= self.x1 + 1e-9]
        else:
            self.xt = nice_ticks(min(xs), max(xs)) if xs else [0.0, 1.0]
            self.x0, self.x1 = self.xt[0], self.xt[-1]
        self.y0, self.y1 = self.yt[0], self.yt[-1]

    def px(self, x: float) -> float:
        span = (self.x1 - self.x0) or 1.0
        return MARGIN_L + (x - self.x0) / span * (self.w - MARGIN_L - MARGIN_R)

    def py(self, y: float) -> float:
        span = (self.y1 - self.y0) or 1.0
        return self.h - MARGIN_B - (y - self.y0) / span * (self.h - MARGIN_T - MARGIN_B)


def _axes(f: _Frame, title: str, x_label: str, y_label: str, fmt: Callable[[float], str]) -> list[str]:
    out = [f'<text x="{f.w / 2:.1f}" y="20" text-anchor="middle" class="title">{escape(title)}</text>']
    left, right, bottom, top = MARGIN_L, f.w - MARGIN_R, f.h - MARGIN_B, MARGIN_T
    for y in f.yt:
        p = f.py(y)
        out.append(f'<line x1="{left}" y1="{p:.1f}" x2="{right}" y2="{p:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{p + 4:.1f}" text-anchor="end" class="tick">{escape(fmt(y))}</text>')
    for x in f.xt:
        p = f.px(x)
        out.append(f'<line x1="{p:.1f}" y1="{bottom}" x2="{p:.1f}" y2="{bottom + 5}" class="axis"/>')
        out.append(f'<text x="{p:.1f}" y="{bottom + 18}" text-anchor="middle" class="tick">{escape(compact(x))}</text>')
    out.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" class="axis"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" class="axis"/>')
    out.append(f'<text x="{(left + right) / 2:.1f}" y="{bottom + 36}" text-anchor="middle" class="label">'
               f'{escape(x_label)}</text>')
    out.append(f'<text x="14" y="{(top + bottom) / 2:.1f}" text-anchor="middle" class="label" '
               f'transform="rotate(-90 14 {(top + bottom) / 2:.1f})">{escape(y_label)}</text>')
    return out


def _legend(items: list[tuple[str, str, bool]], f: _Frame) -> list[str]:
    out, x = [], float(MARGIN_L)
    y = f.h - 10
    for label, color, dashed in items:
        dash = ' stroke-dasharray="6 3"' if dashed else ""
        out.append(f'<line x1="{x:.1f}" y1="{y - 4}" x2="{x + 22:.1f}" y2="{y - 4}" stroke="{color}" '
                   f'stroke-width="3"{dash}/>')
        out.append(f'<text x="{x + 27:.1f}" y="{y}" class="legend">{escape(label)}</text>')
        x += 40 + 7 * len(label)
    return out


MARKER_COLOR = "#ff7f0e"


def _markers(markers: Sequence[Marker], f: _Frame) -> list[str]:
    """Shaded windows and point lines behind the series, labels staggered on three rows at the top."""
    out: list[str] = []
    top, bottom = MARGIN_T, f.h - MARGIN_B
    for i, m in enumerate(markers):
        x0 = min(max(f.px(m.start), MARGIN_L), f.w - MARGIN_R)
        row_y = top + 11 + 12 * (i % 3)
        if m.end is not None and m.end > m.start:
            x1 = min(max(f.px(m.end), MARGIN_L), f.w - MARGIN_R)
            out.append(f'<rect x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 1.0):.1f}" height="{bottom - top}" '
                       f'fill="{MARKER_COLOR}" fill-opacity="0.12" class="marker"><title>{escape(m.label)}</title></rect>')
        else:
            out.append(f'<line x1="{x0:.1f}" y1="{top}" x2="{x0:.1f}" y2="{bottom}" stroke="{MARKER_COLOR}" '
                       f'stroke-width="1.5" stroke-dasharray="4 3" class="marker"/>')
        anchor = "end" if x0 > f.w - MARGIN_R - 150 else "start"
        dx = -3 if anchor == "end" else 3
        out.append(f'<text x="{x0 + dx:.1f}" y="{row_y}" text-anchor="{anchor}" class="mlabel">{escape(m.label)}</text>')
    return out


def _svg(f: _Frame, body: list[str], desc: str) -> str:
    style = ("<style>.title{font:bold 14px sans-serif}.tick{font:11px sans-serif;fill:#444}"
             ".label{font:12px sans-serif;fill:#222}.legend{font:12px sans-serif}"
             ".grid{stroke:#e5e5e5}.axis{stroke:#333}"
             ".mlabel{font:10px sans-serif;fill:#a04a00;paint-order:stroke;stroke:#fff;stroke-width:3px}</style>")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{f.w}" height="{f.h}" '
            f'viewBox="0 0 {f.w} {f.h}" role="img"><desc>{escape(desc)}</desc>{style}'
            f'<rect x="0" y="0" width="{f.w}" height="{f.h}" fill="#fff"/>' + "".join(body) + "</svg>")


def _clip(s: Series, lo: float, hi: float) -> Series:
    """The series without its points outside [lo, hi] on x (a point with no x is kept: it breaks the line)."""
    kept = [(x, y) for x, y in zip(s.x, s.y) if not _finite(x) or lo <= x <= hi]
    return Series(s.label, [x for x, _ in kept], [y for _, y in kept], color=s.color, dashed=s.dashed, width=s.width)


def line_chart(title: str, series: Sequence[Series], *, x_label: str, y_label: str,
               y_format: Callable[[float], str] = compact, width: int = WIDTH, height: int = HEIGHT,
               y_zero: bool = False, x_range: tuple[float, float] | None = None,
               markers: Sequence[Marker] = ()) -> str:
    """Lines over a shared x axis; None/NaN values leave gaps; points outside ``x_range`` are left out."""
    lo, hi = x_range if x_range is not None else (-math.inf, math.inf)
    series = [_clip(s, lo, hi) for s in series]
    xs = [float(x) for s in series for x in s.x if _finite(x)]
    ys = [float(y) for s in series for y in s.y if _finite(y)]
    f = _Frame(xs, ys, width, height, y_zero, x_range)
    body = _axes(f, title, x_label, y_label, y_format) + _markers(markers, f)
    items = []
    for i, s in enumerate(series):
        color = s.color or PALETTE[i % len(PALETTE)]
        dash = ' stroke-dasharray="6 3"' if s.dashed else ""
        run: list[str] = []
        segments: list[list[str]] = []
        for x, y in zip(s.x, s.y):
            if _finite(x) and _finite(y):
                run.append(f"{f.px(float(x)):.1f},{f.py(float(y)):.1f}")
            elif run:
                segments.append(run)
                run = []
        if run:
            segments.append(run)
        for seg in segments:
            if len(seg) == 1:
                cx, cy = seg[0].split(",")
                body.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{color}" data-series="{escape(s.label)}"/>')
            else:
                body.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{color}" '
                            f'stroke-width="{s.width}" stroke-linejoin="round"{dash} data-series="{escape(s.label)}"/>')
        items.append((s.label, color, s.dashed))
    body += _legend(items, f)
    return _svg(f, body, f"{title}: {', '.join(s.label for s in series)}")


def bar_chart(title: str, x: Sequence[float], groups: Sequence[tuple[str, Sequence[float | None]]], *,
              x_label: str, y_label: str, bar_width_x: float, y_format: Callable[[float], str] = compact,
              width: int = WIDTH, height: int = HEIGHT, x_range: tuple[float, float] | None = None) -> str:
    """Grouped bars: at each x, one bar per group side by side within ``bar_width_x`` data units
    (a bar that would cross the end of ``x_range`` is cut at it, 2 px at the least)."""
    xs = [float(v) for v in x] + ([float(x[-1]) + bar_width_x] if len(x) else [])
    ys = [float(v) for _, vals in groups for v in vals if _finite(v)] or [0.0]
    f = _Frame(xs, ys, width, height, y_zero=True, x_range=x_range)
    right_edge = f.px(f.x1)
    body = _axes(f, title, x_label, y_label, y_format)
    n = max(1, len(groups))
    slot = (f.px(bar_width_x) - f.px(0.0)) * 0.85 / n
    items = []
    for gi, (label, vals) in enumerate(groups):
        color = PALETTE[gi % len(PALETTE)]
        for xv, yv in zip(x, vals):
            if not _finite(yv) or yv == 0:
                continue
            left = f.px(float(xv)) + gi * slot
            # the minute that starts at the drill's last step is cut at the axis end, never dropped
            bar_w = max(min(max(slot, 1.0), right_edge - left), 2.0)
            left = min(left, right_edge - bar_w)
            top, base = f.py(max(0.0, float(yv))), f.py(min(0.0, float(yv)))
            body.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{bar_w:.1f}" '
                        f'height="{max(base - top, 0.5):.1f}" fill="{color}" data-series="{escape(label)}"/>')
        items.append((label, color, False))
    body += _legend(items, f)
    return _svg(f, body, f"{title}: {', '.join(g for g, _ in groups)}")


def _blend(lo: str, hi: str, t: float) -> str:
    a = [int(lo[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(hi[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


HEAT_LOW, HEAT_HIGH, HEAT_EMPTY = "#f7fbff", "#08306b", "#e0e0e0"


def heat_map(title: str, x_labels: Sequence[str], y_labels: Sequence[str],
             values: Sequence[Sequence[float | None]], *, x_label: str, y_label: str,
             value_format: Callable[[float], str] = compact, width: int = WIDTH, height: int | None = None) -> str:
    """A grid of cells, ``values[row][column]`` (rows = ``y_labels`` bottom-up), shaded light (low) to dark
    (high) with the value written in each cell; a None cell is grey with a dash (no finished point)."""
    rows, cols = max(1, len(y_labels)), max(1, len(x_labels))
    height = height or min(560, MARGIN_T + MARGIN_B + 20 + 34 * rows)
    f = _Frame([0.0, 1.0], [0.0, 1.0], width, height, y_zero=False)
    left, right, bottom, top = MARGIN_L + 40, width - MARGIN_R - 90, height - MARGIN_B, MARGIN_T
    cw, ch = (right - left) / cols, (bottom - top) / rows
    finite = [float(v) for row in values for v in row if _finite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    body = [f'<text x="{width / 2:.1f}" y="20" text-anchor="middle" class="title">{escape(title)}</text>']
    for r, row in enumerate(values):
        y = bottom - (r + 1) * ch
        for c, v in enumerate(row):
            x = left + c * cw
            if _finite(v):
                t = (float(v) - lo) / (hi - lo) if hi > lo else 0.5
                fill, ink, text = _blend(HEAT_LOW, HEAT_HIGH, t), ("#fff" if t > 0.55 else "#111"), value_format(float(v))
            else:
                fill, ink, text = HEAT_EMPTY, "#555", "—"
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{cw:.1f}" height="{ch:.1f}" fill="{fill}" '
                        f'stroke="#fff"><title>{escape(text)}</title></rect>')
            body.append(f'<text x="{x + cw / 2:.1f}" y="{y + ch / 2 + 4:.1f}" text-anchor="middle" class="tick" '
                        f'style="fill:{ink}">{escape(text)}</text>')
    for c, label in enumerate(x_labels):
        body.append(f'<text x="{left + (c + 0.5) * cw:.1f}" y="{bottom + 18}" text-anchor="middle" class="tick">'
                    f'{escape(label)}</text>')
    for r, label in enumerate(y_labels):
        body.append(f'<text x="{left - 6}" y="{bottom - (r + 0.5) * ch + 4:.1f}" text-anchor="end" class="tick">'
                    f'{escape(label)}</text>')
    body.append(f'<text x="{(left + right) / 2:.1f}" y="{bottom + 36}" text-anchor="middle" class="label">'
                f'{escape(x_label)}</text>')
    body.append(f'<text x="14" y="{(top + bottom) / 2:.1f}" text-anchor="middle" class="label" '
                f'transform="rotate(-90 14 {(top + bottom) / 2:.1f})">{escape(y_label)}</text>')
    # colour key: low to high
    kx = right + 24
    for i in range(10):
        body.append(f'<rect x="{kx}" y="{top + (9 - i) * (bottom - top) / 10:.1f}" width="16" '
                    f'height="{(bottom - top) / 10 + 0.5:.1f}" fill="{_blend(HEAT_LOW, HEAT_HIGH, i / 9)}"/>')
    body.append(f'<text x="{kx + 20}" y="{top + 10}" class="tick">{escape(value_format(hi))}</text>')
    body.append(f'<text x="{kx + 20}" y="{bottom}" class="tick">{escape(value_format(lo))}</text>')
    return _svg(f, body, f"{title}: {rows} x {cols} cells")
