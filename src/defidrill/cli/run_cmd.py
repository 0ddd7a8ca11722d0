"""`defidrill run`, `defidrill validate` and `defidrill demo`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click

from defidrill.cli.exit_status import RPC_TIMEOUT_OPTION, reports_errors
from defidrill.metrics.expectations import describe
from defidrill.metrics.headline import side_by_side
from defidrill.report.format import fmt
from defidrill.report.verdict import verdict_paragraph
from defidrill.run_folder import REPORT_HTML, Expectation
from defidrill.toolchain import project_root

#: What `make demo` runs: the seed story itself (a 3% push, the CEX cascade to ~8% and ~$1.7B over
#: ~200k positions, the chain coupled both ways), whose verdict states the fit to those figures.
DEMO_DRILL = "oracles/seed-crash.yaml"


SET_HELP = ("Override a field of the drill, PATH=VALUE (repeatable; a whole number indexes a list), "
            "e.g. --set protocol.kind=aave-v3 --set failures.0.for=10m.")


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
def validate_cmd(files: tuple[Path, ...], overrides: tuple[str, ...]) -> None:
    """Check drill files without running anything (exit 2 if any is invalid).

    The same preflight as `run`: a drill that validates does not fail later on its input. A name of
    the library (`flash-crash`) is found from any folder, as `run` finds it.
    Example: defidrill validate oracles/*.yaml --set protocol.kind=aave-v3
    """
    from defidrill.drill import resolve_drill
    from defidrill.errors import ConfigError
    from defidrill.preflight import validate_files

    def found(ref: Path) -> Path:
        try:
            return resolve_drill(ref)
        except ConfigError:
            return ref  # reported by validate_files with the file's name

    results = validate_files([found(f) for f in files], overrides)
    bad = 0
    for result in results:
        click.echo(result.summary(), err=not result.ok)
        bad += 0 if result.ok else 1
    if bad:
        raise SystemExit(2)


@click.command("run")
@click.argument("drill")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Run folder (default runs/<drill>-<UTC timestamp>/).")
@click.option("--seed", type=int, default=None, help="Override the drill's seed.")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object (no progress bar).")
@click.option("--force", is_flag=True, help="Clear the run already in --out first (refused otherwise).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--backend", type=click.Choice(["anvil", "revm"]), default=None,
              help="Chain backend (default: the drill's chain.backend, else anvil). revm runs in process, "
                   "without RPC; the same run folder, gas included (docs/chain-backends.md).")
@RPC_TIMEOUT_OPTION
@reports_errors
def run_cmd(drill: str, out_dir: Path | None, seed: int | None, overrides: tuple[str, ...], as_json: bool,
            force: bool, quiet: bool, backend: str | None, rpc_timeout_s: float) -> None:
    """Run a drill (a file, or a library drill's name) on a fresh chain (anvil unless told otherwise)
    and write its run folder.

    Exit status: 0 ok, 2 bad input (or --out holds a run), 3 toolchain, 4 chain or output
    (disk full, read-only), 5 an invariant broke, 6 an expectation of the drill's `expect:` was
    not met (the run folder is complete), 129/130/143 SIGHUP/SIGINT/SIGTERM.

    \b
    Examples:
      defidrill run flash-crash --out runs/flash
      defidrill run oracles/stale-feed-crash.yaml --set borrowers.count=50 --set failures.0.for=10m --json
      defidrill run flash-crash --set protocol.kind=aave-v3
      defidrill run flash-crash --backend revm --out runs/flash-revm
    """
    from defidrill.drill import resolve_drill
    from defidrill.errors import ExpectationsNotMet
    from defidrill.runner import RunOutcome, run_drill

    def show(outcome: RunOutcome) -> None:
        if as_json:
            click.echo(json.dumps(outcome_json(outcome.run_dir, outcome.summary), indent=2))
        else:
            print_outcome(outcome.run_dir, outcome.summary)

    try:
        show(run_drill(resolve_drill(drill), out_dir=out_dir, seed=seed, progress=not (quiet or as_json),
                       force=force, overrides=overrides, backend=backend, rpc_timeout_s=rpc_timeout_s))
    except ExpectationsNotMet as err:  # a finished run: its lines, then the error (exit 6) on stderr
        if isinstance(err.outcome, RunOutcome):
            show(err.outcome)
        raise


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None)
@click.option("--force", is_flag=True, help="Clear the run already in --out first (refused otherwise).")
@reports_errors
def demo_cmd(out_dir: Path | None, force: bool) -> None:
    """Run the seed story's drill (oracles/seed-crash.yaml), print its verdict and where the report is."""
    from defidrill.runner import run_drill

    from defidrill.errors import ExpectationsNotMet
    from defidrill.runner import RunOutcome

    try:
        outcome = run_drill(project_root() / DEMO_DRILL, out_dir=out_dir, force=force)
    except ExpectationsNotMet as err:
        if isinstance(err.outcome, RunOutcome):
            print_outcome(err.outcome.run_dir, err.outcome.summary)
        raise
    print_outcome(outcome.run_dir, outcome.summary)


def outcome_json(run_dir: Path, summary: dict[str, Any]) -> dict[str, Any]:
    """The run's outcome for scripts: status, the on-chain and CEX headline side by side, invariants."""
    return {
        "drill": summary.get("drill"), "seed": summary.get("seed"), "backend": summary.get("backend", "anvil"),
        "status": summary.get("status"), "exit_status": summary.get("exit_status"),
        "error": summary.get("error"), "steps_completed": summary.get("steps_completed"),
        "steps_total": summary.get("steps_total"), "wall_time_s": summary.get("wall_time_s"),
        "run_dir": str(run_dir),
        "headline": {row.metric: {"onchain": row.onchain, "cex": row.cex, "unit": row.unit}
                     for row in side_by_side(summary)},
        "overrides": summary.get("overrides") or [],
        "invariants": [{"name": i["name"], "passed": i["passed"]} for i in _invariants(summary)],
        "expectations": [e.model_dump(mode="json") for e in _expectations(summary)],
    }


def print_outcome(run_dir: Path, summary: dict[str, Any]) -> None:
    """The run's closing lines: status, the on-chain and CEX headline side by side, invariants, where,
    then each expectation (``expect met: ...`` / ``expect NOT MET: ...``) last."""
    click.echo(f"drill {summary['drill']} (seed {summary['seed']}, {summary.get('backend', 'anvil')}): {summary['status']}, "
               f"{summary['steps_completed']}/{summary['steps_total']} steps in {summary['wall_time_s']:.1f} s")
    if summary.get("onchain") is not None:
        click.echo(textwrap.fill(verdict_paragraph(summary), width=110))
    rows = side_by_side(summary)
    if rows:
        click.echo(f"{'':<42}{'on chain':>20} {'CEX':>20}")
        for row in rows:
            label = row.metric.replace("_", " ")
            click.echo(f"{label:<42}{fmt(row.onchain, row.unit):>20} {fmt(row.cex, row.unit):>20}")
    for inv in _invariants(summary):
        click.echo(f"invariant {'PASS' if inv['passed'] else 'FAIL'}: {inv['name']}")
    click.echo(f"run folder: {run_dir}")
    report = run_dir / REPORT_HTML
    if report.is_file():
        click.echo(f"report: {report}")
    for e in _expectations(summary):
        click.echo(f"expect {'met' if e.met else 'NOT MET'}: {describe(e)}")


def _expectations(summary: dict[str, Any]) -> list[Expectation]:
    return [Expectation.model_validate(e) for e in summary.get("expectations") or []]


def _invariants(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return list((summary.get("onchain") or {}).get("invariants") or [])
