"""A risk study of the flagship: 200 runs x 3 thresholds, 200 borrowers, 2 h at 20 s steps, 2 workers (< 15 min).

The study is oracles/risk/flagship-threshold.yaml itself (its ``set:`` is the reduced size). Three rows:
the end-to-end wall time (planning, preflight of every run, the cluster, the runs, the statistics)
against 15 minutes; the seconds per run (wall x workers / runs) against what 15 minutes allows
(2 x 900 s / 600 runs = 3 s); the overhead outside the drills (cluster, catalog, aggregation) as %
of workers x wall time, against 5%. ``RISK_BENCH_RUNS`` runs fewer per value and extrapolates
linearly to 200 (the rows say so); ``RISK_BENCH_OUT`` keeps the study folder there (risk.json,
risk.html: the figures docs/risk.md quotes) instead of a temporary one.
Run: PYTHONPATH=src python -m bench --only risk
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.rows import Row
from defidrill.risk.runner import run_risk
from defidrill.toolchain import project_root

FULL_RUNS = 200
VALUES = 3
WORKERS = 2
TARGET_S = 15 * 60.0
TARGET_OVERHEAD_PCT = 5.0


@contextlib.contextmanager
def _study_dir() -> Iterator[Path]:
    kept = os.environ.get("RISK_BENCH_OUT")
    if kept:
        yield Path(kept)
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp) / "study"


def rows(quick: bool = False) -> list[Row]:
    """``quick``: one run per threshold (the smoke run), extrapolated as ``RISK_BENCH_RUNS`` is."""
    runs = 1 if quick else int(os.environ.get("RISK_BENCH_RUNS", FULL_RUNS))
    spec = project_root() / "oracles" / "risk" / "flagship-threshold.yaml"
    with _study_dir() as out:
        outcome = run_risk(spec, out_dir=out, runs=runs, workers=WORKERS, echo=lambda _: None)
    timing = outcome.result.timing
    per_run_s = timing["runs_s"] / max(1, outcome.ran)            # wall time of the runs phase per run
    fixed_s = outcome.wall_time_s - timing["runs_s"]
    total_s = outcome.wall_time_s if runs == FULL_RUNS else fixed_s + per_run_s * VALUES * FULL_RUNS
    seconds_per_run = total_s * WORKERS / (VALUES * FULL_RUNS)    # worker-seconds each run costs, end to end
    overhead_pct = float(timing.get("overhead_outside_drills_pct") or 0.0)
    size = "" if runs == FULL_RUNS else f" (extrapolated from {runs} runs)"
    detail = {"runs_per_value": runs, "wall_time_s": outcome.wall_time_s, "failed": outcome.failed,
              "overhead_outside_drills_pct": overhead_pct, "plan_and_preflight_s": timing["plan_and_preflight_s"],
              "aggregate_s": timing["aggregate_s"], "runs_per_hour": 3600.0 * VALUES * FULL_RUNS / total_s,
              "mean_drill_s": timing["drill_time_sum_s"] / max(1.0, timing["runs_ran"])}
    name = f"risk: flagship {FULL_RUNS} runs x {VALUES} thresholds, {WORKERS} workers"
    return [Row(f"{name}{size}", total_s, "s", TARGET_S, False, detail),
            Row(f"risk: s per run (wall x workers / runs){size}", seconds_per_run, "s",
                TARGET_S * WORKERS / (VALUES * FULL_RUNS), False, detail),
            Row(f"risk: overhead outside the drills (% of wall x workers){size}", overhead_pct, "%",
                TARGET_OVERHEAD_PCT, False, detail)]


if __name__ == "__main__":
    for row in rows():
        print(row.line(), row.detail)
