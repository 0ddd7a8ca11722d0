"""Assemble summary.json's ``onchain``, ``cex`` and ``comparison`` objects from a run folder.

The run loop owns the header (drill, seed, status, steps, timings) and the invariants; it
calls :func:`build_summary` at the end (also after a failure: the metrics of the steps on
disk are still worth having) and writes the result with :func:`write_summary`. Keys already
in summary.json that this module does not compute are kept.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from defidrill.metrics.cex_metrics import cex_metrics
from defidrill.metrics.comparison import compare
from defidrill.metrics.models import dump
from defidrill.metrics.onchain import onchain_metrics
from defidrill.metrics.run_folder import SUMMARY_JSON, load_run
from defidrill.metrics.targets import fit


def build_summary(run_dir: str | Path, *, venue_summary: dict[str, Any] | None = None,
                  invariants: list[dict[str, Any]] | None = None,
                  header: dict[str, Any] | None = None) -> dict[str, Any]:
    """summary.json's content: the existing file (if any), then ``header``, then the metrics.

    ``venue_summary``: ``VenueRun.summary`` / ``Venue.summary()``; default: the ``cex`` (or
    ``cex_raw``) object already in summary.json, else rebuilt from cex_steps.csv / cex_events.csv.
    ``invariants``: the on-chain checks (``[{name, passed, detail}]``); default: summary.json's
    ``onchain.invariants``, else its top-level ``invariants``.
    """
    run = load_run(run_dir)
    existing = dict(run.summary or {})
    onchain = onchain_metrics(run, invariants)
    cex: dict[str, Any] | None = None
    if run.cex_steps is not None:
        # the venue's own summary: a previous pass's ``cex`` or the run loop's ``cex_raw``
        prior = next((existing[k] for k in ("cex", "cex_raw") if isinstance(existing.get(k), dict)), None)
        cex = cex_metrics(run.cex_steps, run.cex_events, venue_summary or prior)
    out = {**existing, **(header or {})}
    out.setdefault("drill", run.drill.name)
    if run.drill.seed is not None:
        out.setdefault("seed", run.drill.seed)
    out["onchain"] = dump(onchain)
    out["cex"] = cex
    out["comparison"] = compare(onchain, cex, run.drill.cex_asset)
    if run.drill.targets:
        out["fit"] = [dump(f) for f in fit(out, run.drill.targets)]
    return out


def write_summary(run_dir: str | Path, summary: dict[str, Any]) -> Path:
    """Write summary.json atomically (a reader never sees half a file)."""
    path = Path(run_dir) / SUMMARY_JSON
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n")
    os.replace(tmp, path)
    return path
