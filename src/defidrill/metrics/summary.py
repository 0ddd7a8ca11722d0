"""Assemble summary.json's ``onchain``, ``cex``, ``comparison`` and ``expectations`` from a run folder.

The run loop owns the header (drill, seed, status, steps, timings, activity) and the
invariants; it calls :func:`build_summary` at the end (also after a failure: the metrics of
the steps on disk are still worth having) and writes the result through the run folder
(``defidrill.run_folder.write_summary``). Fields of summary.json this module does not
compute are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from defidrill.metrics.cex_metrics import cex_metrics
from defidrill.metrics.comparison import compare
from defidrill.metrics.expectations import evaluate, exit_status, specs_from_document
from defidrill.metrics.headline import headline
from defidrill.metrics.onchain import onchain_metrics
from defidrill.metrics.targets import fit
from defidrill.run_folder import RunSummary, dump, load_run


def build_summary(run_dir: str | Path, *, venue_summary: dict[str, Any] | None = None,
                  invariants: list[dict[str, Any]] | None = None,
                  header: dict[str, Any] | None = None) -> RunSummary:
    """summary.json's content: the existing file (if any), updated by ``header``, then the metrics.

    ``venue_summary``: ``VenueRun.summary`` / ``Venue.summary()``; default: the ``cex`` object
    already in summary.json, else rebuilt from cex_steps.csv / cex_events.csv.
    ``invariants``: the on-chain checks (``[{name, passed, detail}]``); default: summary.json's
    ``onchain.invariants``. ``expectations`` are evaluated again (metrics/expectations.py), and a
    finished run's ``exit_status`` follows them (6 when one is not met, else 0).
    """
    run = load_run(run_dir)
    existing = dict(run.summary or {"drill": run.drill.name, "seed": run.drill.seed})
    onchain = onchain_metrics(run, invariants)
    cex: dict[str, Any] | None = None
    if run.cex_steps is not None:
        prior = existing.get("cex") if isinstance(existing.get("cex"), dict) else None
        cex = cex_metrics(run.cex_steps, run.cex_events, venue_summary or prior)
    out = {**existing, **(header or {}),
           "onchain": dump(onchain), "cex": cex, "comparison": compare(onchain, cex, run.drill.cex_asset)}
    if run.drill.targets:
        out["fit"] = [dump(f) for f in fit(out, run.drill.targets)]
    specs = specs_from_document(run.drill.document, out.get("overrides") or [])
    out["expectations"] = [dump(e) for e in evaluate(specs, headline(out))]
    summary = RunSummary.model_validate(out)
    return summary.model_copy(update={"exit_status": exit_status(summary)})
