"""Metrics: a run folder's files -> summary.json's ``onchain``, ``cex`` and ``comparison``.

    run = defidrill.run_folder.load_run("runs/...")  # RunFolderError names any missing/bad file
    onchain = onchain_metrics(run)                    # OnchainMetrics (pydantic)
    cex = cex_metrics(run.cex_steps, run.cex_events, venue_summary)
    summary = build_summary(run_dir, venue_summary=..., invariants=[...], header={...})  # a RunSummary
    defidrill.run_folder.write_summary(run_dir, summary)     # the run folder owns the files

Pure Python + numpy: never talks to the chain. Definitions: docs/metrics.md.
"""

from defidrill.metrics.cex_metrics import cex_metrics, rebuild_venue_summary
from defidrill.metrics.comparison import DEFINITIONS, compare
from defidrill.metrics.onchain import amplification, onchain_metrics
from defidrill.metrics.series import PerMinute, per_minute, row_durations_s
from defidrill.metrics.summary import build_summary

__all__ = [
    "DEFINITIONS", "PerMinute", "amplification", "build_summary", "cex_metrics", "compare", "onchain_metrics",
    "per_minute", "rebuild_venue_summary", "row_durations_s",
]
