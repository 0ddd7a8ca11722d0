"""Metrics: a run folder's files -> summary.json's ``onchain``, ``cex`` and ``comparison``.

    run = load_run("runs/flash-crash-...")          # RunFolderError names any missing/bad file
    onchain = onchain_metrics(run)                    # OnchainMetrics (pydantic)
    cex = cex_metrics(run.cex_steps, run.cex_events, venue_summary)
    summary = build_summary(run_dir, venue_summary=..., invariants=[...], header={...})
    write_summary(run_dir, summary)

Pure Python + numpy: never talks to the chain. Definitions: docs/metrics.md.
"""

from defidrill.metrics.cex_metrics import cex_metrics, rebuild_venue_summary, write_cex_files
from defidrill.metrics.comparison import DEFINITIONS, compare
from defidrill.metrics.models import ComparisonEntry, Invariant, OnchainMetrics
from defidrill.metrics.onchain import amplification, onchain_metrics
from defidrill.metrics.run_folder import AddressBook, DrillInfo, Event, RunFolder, RunFolderError, Table, load_run
from defidrill.metrics.series import PerMinute, per_minute, row_durations_s
from defidrill.metrics.summary import build_summary, write_summary

__all__ = [
    "AddressBook", "ComparisonEntry", "DEFINITIONS", "DrillInfo", "Event", "Invariant", "OnchainMetrics",
    "PerMinute", "RunFolder", "RunFolderError", "Table", "amplification", "build_summary", "cex_metrics",
    "compare", "load_run", "onchain_metrics", "per_minute", "rebuild_venue_summary", "row_durations_s",
    "write_cex_files", "write_summary",
]
