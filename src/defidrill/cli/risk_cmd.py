"""`defidrill risk RISK.yaml`: a risk study (Monte Carlo over paths, quantiles with intervals, a frontier)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from defidrill.cli.exit_status import reports_errors


@click.command("risk")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Study folder (default risk/<name>/); running again into it resumes.")
@click.option("--runs", type=int, default=None, help="Runs per parameter value (default: the file's runs).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="An existing Dask scheduler (default: a LocalCluster, one worker process per core).")
@click.option("--workers", type=int, default=None, help="LocalCluster worker processes (default: one per core).")
@click.option("--retry-failed", is_flag=True, help="Run again the runs that failed (finished ok ones are kept).")
@reports_errors
def risk_cmd(spec: Path, out_dir: Path | None, runs: int | None, scheduler: str | None, workers: int | None,
             retry_failed: bool) -> None:
    """Run every (value, run) of a risk file (all validated first) and write risk.json and risk.html.

    \b
    Example:
      defidrill risk oracles/risk/flagship-threshold.yaml --runs 50
      python -c "import defidrill.risk as r; print(r.load('risk/flagship-threshold'))"
    """
    from defidrill.risk.runner import run_risk

    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="runs", show_pos=True, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        outcome = run_risk(spec, out_dir=out_dir, runs=runs, scheduler=scheduler, workers=workers,
                           retry_failed=retry_failed, echo=click.echo, on_progress=progress)
    except KeyboardInterrupt:
        click.echo("\ndefidrill: risk study interrupted; the finished runs are in the results table", err=True)
        sys.exit(130)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"{outcome.total} runs: {outcome.skipped} already finished, {outcome.ran} ran "
               f"({outcome.failed} failed) in {outcome.wall_time_s:.1f} s")
    for c in outcome.result.constraints:
        q = f"p{c.quantile * 100:g}"
        for f in c.frontier:
            where = f" with {f.fixed}" if f.fixed else ""
            click.echo(f"constraint {q} {c.metric} <= {c.max:g}: {f.parameter}{where} meets "
                       f"{', '.join(map(str, f.meets)) or 'none'}; most permissive: {f.most_permissive}")
    click.echo(f"results: {outcome.risk_dir / 'risk.json'}, {outcome.html}, {outcome.risk_dir / 'results.parquet'}")
