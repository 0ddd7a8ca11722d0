"""A risk study of the flagship: 200 runs x 3 thresholds, 200 borrowers, 2 h at 20 s steps, 2 workers (< 15 min).

The study is oracles/risk/flagship-threshold.yaml itself (its ``set:`` is the reduced size). The
row's figure is the end-to-end wall time (planning, preflight of every run, the cluster, the runs,
the statistics); its detail has the overhead outside the drills as % of workers x wall time.
``RISK_BENCH_RUNS`` runs fewer per value and extrapolates linearly to 200 (the row says so).
Run: PYTHONPATH=src python -m bench --only risk
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.rows import Row
from defidrill.risk.runner import run_risk
from defidrill.toolchain import project_root

FULL_RUNS = 200
TARGET_S = 15 * 60.0


def rows(quick: bool = False) -> list[Row]:
    """``quick``: one run per threshold (the smoke run), extrapolated as ``RISK_BENCH_RUNS`` is."""
    runs = 1 if quick else int(os.environ.get("RISK_BENCH_RUNS", FULL_RUNS))
    spec = project_root() / "oracles" / "risk" / "flagship-threshold.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run_risk(spec, out_dir=Path(tmp) / "study", runs=runs, workers=2, echo=lambda _: None)
    timing = outcome.result.timing
    per_run_s = timing["runs_s"] / max(1, outcome.ran)
    fixed_s = outcome.wall_time_s - timing["runs_s"]
    total_s = outcome.wall_time_s if runs == FULL_RUNS else fixed_s + per_run_s * 3 * FULL_RUNS
    name = "risk: flagship 200 runs x 3 thresholds, 2 workers" + ("" if runs == FULL_RUNS else
                                                                   f" (extrapolated from {runs} runs)")
    return [Row(name, total_s, "s", TARGET_S, False,
                {"runs_per_value": runs, "wall_time_s": outcome.wall_time_s, "failed": outcome.failed,
                 "overhead_outside_drills_pct": timing.get("overhead_outside_drills_pct"),
                 "plan_and_preflight_s": timing["plan_and_preflight_s"], "aggregate_s": timing["aggregate_s"],
                 "mean_drill_s": timing["drill_time_sum_s"] / max(1.0, timing["runs_ran"])})]


if __name__ == "__main__":
    for row in rows():
        print(row.line(), row.detail)
