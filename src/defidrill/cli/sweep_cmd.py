"""`defidrill sweep SWEEP.yaml`: run (or resume) a parameter sweep on Dask."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from defidrill.cli.exit_status import reports_errors


@click.command("sweep")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Sweep folder (default sweeps/<name>/); running again into it resumes.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="An existing Dask scheduler (default: a LocalCluster, one worker process per core).")
@click.option("--workers", type=int, default=None, help="LocalCluster worker processes (default: one per core).")
@click.option("--retry-failed", is_flag=True, help="Run again the points that failed (finished ok ones are kept).")
@reports_errors
def sweep_cmd(spec: Path, out_dir: Path | None, scheduler: str | None, workers: int | None,
              retry_failed: bool) -> None:
    """Run every point of a sweep file (validated first), each on its own anvil, and tabulate the results.

    \b
    Example:
      defidrill sweep heartbeat.yaml --out sweeps/heartbeat      (docs/sweeps.md shows a sweep file)
      python -c "import defidrill.sweep as s; print(s.load('sweeps/heartbeat'))"
    """
    from defidrill.sweep.runner import run_sweep

    try:
        outcome = run_sweep(spec, out_dir=out_dir, scheduler=scheduler, workers=workers, retry_failed=retry_failed,
                            echo=click.echo)
    except KeyboardInterrupt:
        click.echo("defidrill: sweep interrupted; the finished points are in the results table", err=True)
        sys.exit(130)
    click.echo(f"{outcome.points} points: {outcome.skipped} already finished, {outcome.ran} ran "
               f"({outcome.failed} failed) in {outcome.wall_time_s:.1f} s")
    click.echo(f"results: {outcome.sweep_dir / 'results.parquet'} (and results.csv)")
    if outcome.html is not None:
        click.echo(f"plots: {outcome.html}")
