"""The drill's events on the time axis: what the price charts mark, and the drill's end.

Scheduled events come from the run folder's drill.yaml, validated by the drill layer's own
loader with the run's ``--set`` overrides (summary.json ``overrides``), so a window is placed
exactly where the engine placed it: each ``failures:`` entry (stale, clamp, sequencer down ...),
each keeper's ``offline`` windows, the LPs' scheduled withdrawal. Events the drill triggers on
market conditions have no time in the file, so they are read from what the run recorded: the
LPs' withdrawal from steps.csv ``lp_withdrawn_pct``, the market makers' withdrawal from
cex_steps.csv ``book_depth_withdrawn_pct``. A drill.yaml the loader refuses (an older run
folder) leaves the recorded events only, and a note says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from defidrill.drill.loader import load_drill
from defidrill.drill.schema import Drill
from defidrill.errors import DrillError
from defidrill.report.format import fmt
from defidrill.report.svg import Marker
from defidrill.run_folder import DRILL_YAML, RunFolder

__all__ = ["Timeline", "drill_timeline"]


@dataclass(frozen=True)
class Timeline:
    """The drill's end (s) and its events (times in seconds from the drill start)."""

    end_s: float
    events: list[Marker] = field(default_factory=list)
    note: str | None = None

    def in_minutes(self) -> list[Marker]:
        return [Marker(m.label, m.start / 60.0, None if m.end is None else m.end / 60.0) for m in self.events]


def _failures(drill: Drill, end_s: float) -> list[Marker]:
    out = []
    for f in drill.failures:
        target = getattr(f, "feed", None) or getattr(f, "pair", None)
        label = f.kind.replace("_", " ") + (f" {target}" if target else "")
        for_s = getattr(f, "for_s", None)
        has_window = "for_s" in type(f).model_fields
        out.append(Marker(label, f.at_s, (f.at_s + for_s if for_s is not None else end_s) if has_window else None))
    return out


def _keepers_offline(drill: Drill) -> list[Marker]:
    """One marker per distinct window, naming every keeper offline in it."""
    windows: dict[tuple[float, float], list[str]] = {}
    for keeper in drill.keepers:
        for w in keeper.offline:
            windows.setdefault((w.at_s, w.for_s), []).append(keeper.name)
    return [Marker(f"keeper{'s' if len(names) > 1 else ''} {', '.join(names)} offline", at, at + length)
            for (at, length), names in windows.items()]


def _first_rise(t_s: Sequence[float], values: Sequence[float]) -> float | None:
    return next((float(t) for t, v in zip(t_s, values) if math.isfinite(v) and v > 0), None)


def _windows_above_zero(t_s: Sequence[float], values: Sequence[float], step_s: float) -> list[tuple[float, float, float]]:
    """Contiguous runs of steps with a positive value: (start, end, peak value)."""
    out: list[tuple[float, float, float]] = []
    start: float | None = None
    peak = 0.0
    for t, v in zip(t_s, values):
        if math.isfinite(v) and v > 0:
            start = float(t) if start is None else start
            peak = max(peak, float(v))
        elif start is not None:
            out.append((start, float(t), peak))
            start, peak = None, 0.0
    if start is not None:
        out.append((start, float(t_s[-1]) + step_s, peak))
    return out


def _recorded(run: RunFolder, drill: Drill | None) -> list[Marker]:
    out: list[Marker] = []
    steps = run.steps
    scheduled_lp = drill is not None and drill.amm.lps.at_s is not None
    if steps.has("lp_withdrawn_pct") and not scheduled_lp:
        t = _first_rise(steps.floats("t_s").tolist(), steps.floats("lp_withdrawn_pct").tolist())
        if t is not None:
            out.append(Marker(f"LPs withdraw {fmt(float(np.nanmax(steps.floats('lp_withdrawn_pct'))), '%')}", t))
    cex = run.cex_steps
    if cex is not None and cex.has("t_s") and cex.has("book_depth_withdrawn_pct"):
        t_s = cex.floats("t_s").tolist()
        for start, end, peak in _windows_above_zero(t_s, cex.floats("book_depth_withdrawn_pct").tolist(), run.step_s):
            out.append(Marker(f"market makers withdraw {fmt(peak, '%')} of depth", start, end))
    return out


def drill_timeline(run: RunFolder, summary: Mapping[str, Any]) -> Timeline:
    """The drill's end and events; the end is summary.json ``duration_s``, else the last step's time."""
    t = run.steps.floats("t_s")
    duration = summary.get("duration_s")
    end_s = float(duration) if isinstance(duration, (int, float)) and duration > 0 else (
        float(np.nanmax(t)) if t.size else 0.0)
    drill: Drill | None = None
    note = None
    if (run.path / DRILL_YAML).is_file():
        try:
            drill = load_drill(run.path / DRILL_YAML, overrides=list(summary.get("overrides") or []))
        except DrillError as exc:
            note = (f"the drill's scheduled events are not marked: {DRILL_YAML} does not load here "
                    f"({str(exc).splitlines()[0]})")
    else:
        note = f"the drill's scheduled events are not marked: the run folder has no {DRILL_YAML}"
    events: list[Marker] = []
    if drill is not None:
        events += _failures(drill, end_s) + _keepers_offline(drill)
        lps = drill.amm.lps
        if lps.at_s is not None and lps.withdraw > 0:
            events.append(Marker(f"LPs withdraw {fmt(lps.withdraw * 100, '%')}", lps.at_s))
    events += _recorded(run, drill)
    events.sort(key=lambda m: m.start)
    return Timeline(end_s, events, note)
