"""Run a sweep on Dask: every point validated first, then one task per point, results as they finish.

By default a ``LocalCluster`` with one single-threaded worker process per core: each point
runs ``run_drill`` in its worker on its own anvil (a free loopback port of its own), into
``<sweep>/points/<folder>/``. ``scheduler="tcp://host:8786"`` uses an existing cluster
instead (``dask scheduler`` / ``dask worker``; the workers need defidrill installed and the
sweep folder on a shared path).

One writer per folder (:func:`defidrill.run_folder.folder_lock`): the sweep holds its folder's lock for
its whole length (a second sweep into the same ``--out`` is refused, exit 2, and touches nothing), and
each point's run holds its point folder's (a point folder another process is writing is never cleared:
that point fails with the refusal). A ``--out`` that holds a run folder is refused; nothing is written
through a symbolic link planted in the sweep folder.

A point that fails is a row with its error; a point already in the table is skipped (resume).
Ctrl-C cancels what is queued, stops the workers (their anvils die with them) and leaves the
table of finished points; the CLI exits 130.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defidrill.errors import ConfigError, DrillError, ExpectationsNotMet
from defidrill.run_folder import ensure_dir, folder_lock, holds_run, write_bytes_atomic
from defidrill.run_folder.atomic import os_errors_as_output_errors
from defidrill.sweep.catalog import PARAM, Catalog
from defidrill.sweep.spec import Point, SweepSpec, expand, load_spec

__all__ = ["PointTask", "SweepOutcome", "TaskLoop", "run_point", "run_sweep", "validate_points"]

SPEC_COPY = "sweep.yaml"
POINTS = "points"
#: how often the driver looks for finished points (and for Ctrl-C)
POLL_S = 0.2
#: the table on disk is rewritten at most this often while points finish (and once at the end, also after
#: Ctrl-C): a rewrite costs ~90 ms at 600 rows, on the same cores as the workers (~1.5% of a risk study's
#: CPU when written per point); a sweep killed outright loses at most this many seconds of rows (resume reruns them)
WRITE_EVERY_S = 2.0
#: Dask settings for the local cluster's workers: its statistical profiler samples every worker thread
#: every 10 ms, which made a lean flagship run 5-9 s on a worker against ~3 s in a plain process (measured
#: 12-08: a 12-run study 47.6 s with it, 27.8 s without); nothing here reads Dask's profiles.
LOCAL_WORKER_CONFIG = {"distributed.worker.profile.enabled": False,
                       "distributed.admin.system-monitor.gil.enabled": False}


@dataclass(frozen=True)
class PointTask:
    """What a worker needs to run one point (plain data: it travels to the worker pickled)."""

    point: Point
    drill_path: str
    fixed: dict[str, Any]
    label: str
    run_dir: str
    sweep_dir: str
    #: overrides applied after the point's own (a risk run's drawn path and events), as (dotted key, value)
    extra: tuple[tuple[str, Any], ...] = ()
    #: columns the row carries besides the point's (a risk run's index and its draws)
    columns: tuple[tuple[str, Any], ...] = ()
    #: ``run_drill(lean=True)``: no report and no CEX fill table in the point's folder (a risk study reads
    #: only each run's summary; a sweep keeps its points' reports)
    lean: bool = False

    def overrides(self) -> list[Any]:
        """Everything the point's drill is run with: ``set:``, the point's values, then ``extra``."""
        from defidrill.drill import Override

        where = f"{self.label} (point {self.point.index})"
        return [*self.point.overrides(self.fixed, self.label), *(Override.of(k, v, label=where) for k, v in self.extra)]


@dataclass
class SweepOutcome:
    sweep_dir: Path
    points: int
    skipped: int
    ran: int
    failed: int
    html: Path | None = None
    wall_time_s: float = 0.0
    rows: list[dict[str, Any]] = field(default_factory=list)


def run_point(task: PointTask) -> dict[str, Any]:
    """Run one point on this worker; never raises for the drill's own failure (it becomes the row)."""
    from defidrill.metrics.headline import headline, read_run_summary
    from defidrill.runner import run_drill

    run_dir = Path(task.run_dir)
    started = time.monotonic()
    error = None
    summary: dict[str, Any] = {}
    try:
        # The point's folder belongs to the sweep: what an interrupted attempt left there (a run cut short,
        # a temporary file) is cleared by the run's own --force, under the point's lock (never while
        # another process writes it); a link planted there is refused, never followed.
        ensure_dir(run_dir, "the point's folder")
        summary = run_drill(Path(task.drill_path), out_dir=run_dir, seed=task.point.seed, progress=False,
                            force=True, overrides=task.overrides(), lean=task.lean).summary
        status = str(summary.get("status", "ok"))
    except ExpectationsNotMet:
        # The run finished and its metrics are the point's row: a sweep or a risk study measures how
        # far a metric moves, and the base drill's bounds (stated for its own path) are not its question.
        # The folder keeps them (summary.json `expectations`, `exit_status: 6`).
        summary = read_run_summary(run_dir)
        status = str(summary.get("status", "ok"))
    except DrillError as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        try:
            summary = read_run_summary(run_dir)  # a failed run still wrote what it computed
        except DrillError:
            summary = {}
    wall_time_s = time.monotonic() - started
    row: dict[str, Any] = {
        "point_id": task.point.point_id, "point": task.point.index,
        "seed": summary.get("seed", task.point.seed), "status": status, "error": error,
        "wall_time_s": wall_time_s, "run_dir": os.path.relpath(run_dir, task.sweep_dir),
    }
    row.update({PARAM + k: v for k, v in task.point.params.items()})
    row.update(dict(task.columns))
    row.update(headline(summary))
    return row


def validate_points(spec: SweepSpec, drill_path: Path, points: list[Point], label: str) -> None:
    """Preflight every point (the same as ``defidrill run``); one ConfigError lists all refusals."""
    from defidrill.preflight import preflight

    problems: list[str] = []
    for point in points:
        try:
            preflight(drill_path, seed=point.seed, overrides=point.overrides(spec.set, label))
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
        raise ConfigError(f"{len(problems)} of {len(points)} points do not validate (nothing was started):\n"
                          + "\n".join("  " + p for p in shown), file=label)


def _client(scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except OSError as exc:
            raise ConfigError(f"cannot reach the Dask scheduler: {exc}", file="--scheduler", value=scheduler,
                              allowed="tcp://HOST:PORT of a running `dask scheduler`") from None
    import dask

    with dask.config.set(LOCAL_WORKER_CONFIG):  # the nannies hand this config to their worker processes
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
    return Client(cluster), cluster


def run_sweep(spec_path: Path, *, out_dir: Path | None = None, scheduler: str | None = None,
              workers: int | None = None, retry_failed: bool = False,
              echo: Callable[[str], None] = print) -> SweepOutcome:
    """Run (or resume) the sweep ``spec_path`` into ``out_dir`` (default ``sweeps/<name>``)."""
    started = time.monotonic()
    spec, drill_path = load_spec(spec_path)
    label = str(spec_path)
    points = expand(spec)
    validate_points(spec, drill_path, points, label)
    sweep_dir = out_dir or Path("sweeps") / (spec.name or spec_path.stem)
    refuse_run_folder(sweep_dir)
    with os_errors_as_output_errors(sweep_dir, "create the sweep folder"):
        sweep_dir.mkdir(parents=True, exist_ok=True)
    with folder_lock(sweep_dir, field="--out"):
        refuse_run_folder(sweep_dir)  # again under the lock: a run may have started there meanwhile
        return _sweep_locked(spec, spec_path, drill_path, label, points, sweep_dir, scheduler, workers,
                             retry_failed, echo, started)


def refuse_run_folder(folder: Path) -> None:
    """A sweep (or a risk study) never writes into a run folder: its files would mix with the run's."""
    if folder.is_dir() and holds_run(folder):
        raise ConfigError("the folder holds a run, not a sweep", file=str(folder), path="--out",
                          allowed="a new or empty folder, or a sweep folder to resume")


def _sweep_locked(spec: SweepSpec, spec_path: Path, drill_path: Path, label: str, points: list[Point],
                  sweep_dir: Path, scheduler: str | None, workers: int | None, retry_failed: bool,
                  echo: Callable[[str], None], started: float) -> SweepOutcome:
    """The sweep, its folder's lock held: the spec copy, the points not yet in the table, the plots."""
    from defidrill.sweep.plot import write_sweep_html

    ensure_dir(sweep_dir / POINTS, "the points folder")
    write_bytes_atomic(sweep_dir / SPEC_COPY, spec_path.read_bytes())
    catalog = Catalog(sweep_dir, spec.parameters)
    done = catalog.finished(retry_failed=retry_failed)
    todo = [p for p in points if p.point_id not in done]
    outcome = SweepOutcome(sweep_dir, len(points), len(points) - len(todo), 0, 0)
    echo(f"sweep {spec.name or spec_path.stem}: {len(points)} points, {outcome.skipped} already finished, "
         f"{len(todo)} to run")
    tasks = [PointTask(p, str(drill_path.resolve()), spec.set, label, str((sweep_dir / POINTS / p.folder).resolve()),
                       str(sweep_dir.resolve())) for p in todo]

    def on_row(row: dict[str, Any]) -> None:
        outcome.ran += 1
        outcome.failed += row["status"] != "ok"
        took = f" in {row['wall_time_s']:.1f} s" if row["wall_time_s"] is not None else ""
        echo(f"[{outcome.skipped + outcome.ran}/{len(points)}] point {row['point']} {row['status']}{took}"
             + (f": {row['error']}" if row["error"] else ""))

    loop = TaskLoop(catalog, scheduler=scheduler, workers=workers, echo=echo)
    if not loop.run(tasks, on_row):
        echo(f"interrupted: {outcome.skipped + outcome.ran} of {len(points)} points finished; "
             "run the same command again to resume")
        raise KeyboardInterrupt
    catalog.write()
    outcome.html = write_sweep_html(sweep_dir, spec, catalog.frame())
    outcome.wall_time_s = time.monotonic() - started
    outcome.rows = list(catalog.rows.values())
    return outcome


@dataclass
class TaskLoop:
    """Points on Dask, each row into ``catalog`` as it finishes: a sweep's loop, also a risk study's.

    ``run`` starts the cluster (a LocalCluster of ``workers`` single-threaded processes, or the
    ``scheduler``), submits every task, streams each row (a worker lost or a drill failed is a
    failed row) and stops the cluster. Ctrl-C cancels what is queued and ``run`` returns False.
    """

    catalog: Catalog
    scheduler: str | None = None
    workers: int | None = None
    echo: Callable[[str], None] = print
    #: set by ``run``: how many workers the cluster had (for a caller's timing figures)
    worker_count: int = 0

    def run(self, tasks: list[PointTask], on_row: Callable[[dict[str, Any]], None]) -> bool:
        """Run ``tasks``; True when every one finished (ok or failed), False after Ctrl-C."""
        if not tasks:
            return True
        client, cluster = _client(self.scheduler, self.workers)
        stop = threading.Event()
        restore = _on_ctrl_c(stop)
        try:
            self.worker_count = len(client.scheduler_info()["workers"])
            self.echo(f"dask: {self.worker_count} workers at {client.scheduler.address}")
            by_id = {t.point.point_id: t for t in tasks}
            pending = {client.submit(run_point, task, key=f"defidrill-point-{pid}", pure=False)
                       for pid, task in by_id.items()}
            written = time.monotonic()
            while pending and not stop.is_set():
                finished = [f for f in pending if f.done()]
                if not finished:
                    stop.wait(POLL_S)
                    continue
                for future in finished:
                    pending.discard(future)
                    row = _result(future, by_id)
                    self.catalog.add(row, write=False)
                    on_row(row)
                if time.monotonic() - written >= WRITE_EVERY_S:  # streamed: what finished is on disk within seconds
                    self.catalog.write()
                    written = time.monotonic()
            if stop.is_set():
                for future in pending:
                    future.cancel()
        finally:
            self.catalog.write()  # every finished point, also after Ctrl-C or a failure of the loop
            restore()
            if cluster is not None:
                _quiet_shutdown(client)
            client.close()
            if cluster is not None:
                cluster.close()  # the workers exit; each anvil dies with its worker
        return not stop.is_set()


def _silence_distributed() -> None:
    """Raise Dask's own loggers above ERROR in this process (runs on each worker too)."""
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


def _quiet_shutdown(client: Any) -> None:
    """Silence Dask's loggers in the workers and here before the local cluster stops.

    Stopping a cluster races the workers' heartbeats against the scheduler's exit; the loser
    logs a "Stream is closed" traceback at ERROR although nothing went wrong. Every point's
    outcome is already in the table by then (a failed point is a row with its error), so
    nothing a user needs is lost by hiding Dask's shutdown chatter.
    """
    _silence_distributed()
    try:
        client.run(_silence_distributed)
    except Exception:  # noqa: BLE001 - a worker already gone has nothing left to log
        pass


def _on_ctrl_c(stop: threading.Event) -> Callable[[], None]:
    """Ctrl-C sets ``stop`` instead of raising inside Dask's event loop; returns what restores the handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGINT, lambda signum, frame: stop.set())

    def restore() -> None:
        signal.signal(signal.SIGINT, previous)

    return restore


def _result(future: Any, tasks: dict[str, PointTask]) -> dict[str, Any]:
    """The point's row; a worker that died (not the drill failing) still gives a failed row."""
    try:
        return dict(future.result())
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - a lost worker, a pickling error: the point failed, the sweep goes on
        pid = str(future.key).removeprefix("defidrill-point-")
        task = tasks[pid]
        return {"point_id": pid, "point": task.point.index, "seed": task.point.seed, "status": "failed",
                "error": f"{type(exc).__name__}: {exc}", "wall_time_s": None,
                "run_dir": os.path.relpath(task.run_dir, task.sweep_dir),
                **{PARAM + k: v for k, v in task.point.params.items()}, **dict(task.columns)}
