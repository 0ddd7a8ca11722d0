"""`defidrill report RUN_DIR`: (re)build report.md and report.html from a run folder."""

from __future__ import annotations

from pathlib import Path

import click

from defidrill.cli.exit_status import reports_errors
from defidrill.metrics import build_summary
from defidrill.report import write_report
from defidrill.run_folder import RunFolderError, lock_run_folder, mark_killed, write_summary


@click.command("report")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--recompute", is_flag=True,
              help="Recompute summary.json's onchain, cex and comparison objects from the CSVs first "
                   "(keeps its header and invariants); use it on a run that died before writing one.")
@reports_errors
def report_cmd(run_dir: Path, recompute: bool) -> None:
    """Write RUN_DIR/report.md and RUN_DIR/report.html (self-contained, offline) from the run's files.

    Refused (exit 2) while another process writes the folder. A run whose writer died (killed: its lock
    is free while summary.json still says running) is marked ``killed`` first, with its steps on disk."""
    if not run_dir.is_dir():
        raise RunFolderError("run folder not found", file=run_dir)
    with lock_run_folder(run_dir) as held:  # never while a run is still writing the folder
        killed = mark_killed(run_dir, held)
        if killed is not None:
            click.echo(f"defidrill: warning: {run_dir}: {killed.error}; summary.json now says killed", err=True)
        if recompute:
            path = write_summary(run_dir, build_summary(run_dir))
            click.echo(f"summary: {path}")
        md_path, html_path = write_report(run_dir)
    click.echo(f"report: {md_path}")
    click.echo(f"report: {html_path}")
