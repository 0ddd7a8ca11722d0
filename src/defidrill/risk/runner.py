"""Run (or resume) a risk study: plan and check every run, run them on the sweep's Dask loop, summarise.

The study folder (default ``risk/<name>/``)::

    risk.yaml           the risk file as given
    paths/rNNNNN.csv    each run's generated path (a replay CSV; each run folder copies it)
    points/pNNNN-<id>/  one run folder per (value, run)
    results.parquet     the table (sweep catalog format; results.csv beside it): one row per run
    risk.json, risk.html

A run already in the table is skipped, a failed one is a row (``--retry-failed`` reruns it),
Ctrl-C stops the cluster and leaves the table (``KeyboardInterrupt``: the CLI exits 130).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defidrill.errors import ConfigError
from defidrill.risk.html import write_risk_html
from defidrill.risk.plan import base_of, draw_columns, draw_runs, make_tasks, validate_tasks, variants
from defidrill.risk.result import RiskResult, build_result, write_result
from defidrill.risk.spec import RiskSpec, load_risk_spec
from defidrill.sweep.catalog import Catalog
from defidrill.run_folder import folder_lock
from defidrill.run_folder.atomic import write_bytes_atomic
from defidrill.sweep.runner import POINTS, TaskLoop, refuse_run_folder

__all__ = ["RiskOutcome", "SPEC_COPY", "run_risk"]

SPEC_COPY = "risk.yaml"


@dataclass
class RiskOutcome:
    risk_dir: Path
    total: int
    skipped: int
    ran: int
    failed: int
    result: RiskResult
    html: Path
    wall_time_s: float


def run_risk(spec_path: Path, *, out_dir: Path | None = None, runs: int | None = None, scheduler: str | None = None,
             workers: int | None = None, retry_failed: bool = False, echo: Callable[[str], None] = print,
             on_progress: Callable[[int, int], None] | None = None) -> RiskOutcome:
    """Run the study ``spec_path`` (``runs`` overrides the file's); ``on_progress(done, total)`` after each run."""
    started = time.monotonic()
    spec, drill_path = load_risk_spec(spec_path)
    n_runs = spec.runs if runs is None else runs
    _check_runs(spec, n_runs)
    label = str(spec_path)
    name = spec.name or spec_path.stem
    risk_dir = out_dir or Path("risk") / name
    risk_dir.mkdir(parents=True, exist_ok=True)
    refuse_run_folder(risk_dir)  # a study never writes into a run folder
    # One writer: the study's folder is held for its whole length (each run also locks its own folder).
    with folder_lock(risk_dir, field="--out"):
        base = base_of(spec, drill_path, label)
        draws = draw_runs(spec, base, n_runs, risk_dir, label)
        tasks = make_tasks(spec, drill_path, draws, risk_dir, label)
        validate_tasks(tasks, drill_path, label)
        planned = time.monotonic()
        (risk_dir / POINTS).mkdir(exist_ok=True)
        write_bytes_atomic(risk_dir / SPEC_COPY, spec_path.read_bytes())
        catalog = Catalog(risk_dir, spec.keys, ["variant", "run", *draw_columns(draws)])
        done = catalog.finished(retry_failed=retry_failed)
        ids = {t.point.point_id for t in tasks}
        catalog.rows = {pid: row for pid, row in catalog.rows.items() if pid in ids}  # a changed file's old runs go
        todo = [t for t in tasks if t.point.point_id not in done]
        outcome_counts = {"ran": 0, "failed": 0}
        skipped = len(tasks) - len(todo)
        echo(f"risk {name}: {len(variants(spec))} values x {n_runs} runs = {len(tasks)}, {skipped} already finished, "
             f"{len(todo)} to run")

        def on_row(row: dict[str, Any]) -> None:
            outcome_counts["ran"] += 1
            outcome_counts["failed"] += row["status"] != "ok"
            if on_progress is not None:
                on_progress(skipped + outcome_counts["ran"], len(tasks))

        loop = TaskLoop(catalog, scheduler=scheduler, workers=workers, echo=echo)
        ran_from = time.monotonic()
        if not loop.run(todo, on_row):
            echo(f"interrupted: {skipped + outcome_counts['ran']} of {len(tasks)} runs finished; "
                 "run the same command again to resume")
            raise KeyboardInterrupt
        ran_s = time.monotonic() - ran_from
        catalog.write()
        frame = catalog.frame()
        aggregate_from = time.monotonic()
        timing = _timing(frame, planned - started, ran_s, loop.worker_count, {t.point.point_id for t in todo})
        result = build_result(spec, name, frame, variants(spec), n_runs, _family(spec), timing)
        timing["aggregate_s"] = time.monotonic() - aggregate_from
        timing["wall_time_s"] = time.monotonic() - started
        _overhead(timing)
        result = result.model_copy(update={"timing": timing})
        write_result(risk_dir, result)
        html = write_risk_html(risk_dir, result)
        return RiskOutcome(risk_dir, len(tasks), skipped, outcome_counts["ran"], outcome_counts["failed"], result, html,
                           time.monotonic() - started)


def _family(spec: RiskSpec) -> dict[str, Any]:
    from defidrill.risk.plan import family_info

    return family_info(spec)


def _check_runs(spec: RiskSpec, runs: int) -> None:
    from defidrill.risk.spec import MAX_RISK_RUNS

    if not 1 <= runs <= MAX_RISK_RUNS:
        raise ConfigError("--runs is out of range", file="--runs", value=runs,
                          allowed=f"a whole number from 1 to {MAX_RISK_RUNS:,}")
    try:
        spec.check_total(runs)
    except ValueError as err:
        raise ConfigError(str(err), file="--runs", value=runs, allowed="fewer runs or fewer values") from None


def _timing(frame: Any, plan_s: float, ran_s: float, workers: int, ran_ids: set[str]) -> dict[str, float]:
    """Where the time went: the drills themselves (their runs' wall time on the workers) against the rest."""
    mine = frame[frame["point_id"].isin(ran_ids)] if len(frame) else frame
    drill_s = float(mine["wall_time_s"].fillna(0).sum()) if len(mine) else 0.0
    return {"plan_and_preflight_s": plan_s, "runs_s": ran_s, "workers": float(workers), "runs_ran": float(len(mine)),
            "drill_time_sum_s": drill_s}


def _overhead(timing: dict[str, float]) -> None:
    """Overhead outside the drills: the wall time x workers not spent inside a drill, as % of the total."""
    workers = max(timing["workers"], 1.0)
    total = timing["wall_time_s"] * workers
    if timing["runs_ran"] and total > 0:
        timing["overhead_outside_drills_pct"] = max(0.0, (total - timing["drill_time_sum_s"]) / total * 100.0)
