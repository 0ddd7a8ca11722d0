"""`defidrill run`, `defidrill validate` and `defidrill demo`."""

from __future__ import annotations

from pathlib import Path

import click

from defidrill.cli.errors import reports_errors
from defidrill.run_folder import REPORT_HTML
from defidrill.toolchain import project_root

FLAGSHIP = "oracles/flash-crash.yaml"


SET_HELP = "Override a field of the drill, PATH=VALUE (repeatable), e.g. --set protocol.kind=aave-v3."


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
def validate_cmd(files: tuple[Path, ...], overrides: tuple[str, ...]) -> None:
    """Check drill files without running anything (exit 2 if any is invalid).

    The same preflight as `run`: a drill that validates does not fail later on its input.
    Example: defidrill validate oracles/*.yaml --set protocol.kind=aave-v3
    """
    from defidrill.preflight import validate_files

    results = validate_files(list(files), overrides)
    bad = 0
    for result in results:
        click.echo(result.summary(), err=not result.ok)
        bad += 0 if result.ok else 1
    if bad:
        raise SystemExit(2)


@click.command("run")
@click.argument("drill", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Run folder (default runs/<drill>-<UTC timestamp>/).")
@click.option("--seed", type=int, default=None, help="Override the drill's seed.")
@click.option("--force", is_flag=True, help="Clear the run already in --out first (refused otherwise).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
@reports_errors
def run_cmd(drill: Path, out_dir: Path | None, seed: int | None, force: bool, quiet: bool,
            overrides: tuple[str, ...]) -> None:
    """Run a drill on a fresh anvil and write its run folder.

    Exit status: 0 ok, 2 bad input (or --out holds a run), 3 toolchain, 4 chain or output
    (disk full, read-only), 5 an invariant broke, 129/130/143 SIGHUP/SIGINT/SIGTERM.

    Example: defidrill run oracles/flash-crash.yaml --out runs/flash --set protocol.kind=aave-v3
    """
    from defidrill.runner import run_drill

    outcome = run_drill(drill, out_dir=out_dir, seed=seed, progress=not quiet, force=force, overrides=overrides)
    print_outcome(outcome.run_dir, outcome.summary)


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None)
@click.option("--force", is_flag=True, help="Clear the run already in --out first (refused otherwise).")
@reports_errors
def demo_cmd(out_dir: Path | None, force: bool) -> None:
    """Run the flagship drill (oracles/flash-crash.yaml) and print where the report is."""
    from defidrill.runner import run_drill

    outcome = run_drill(project_root() / FLAGSHIP, out_dir=out_dir, force=force)
    print_outcome(outcome.run_dir, outcome.summary)


def print_outcome(run_dir: Path, summary: dict) -> None:  # type: ignore[type-arg]
    onchain = summary.get("onchain") or {}
    click.echo(f"drill {summary['drill']} (seed {summary['seed']}): {summary['status']}, "
               f"{summary['steps_completed']}/{summary['steps_total']} steps in {summary['wall_time_s']:.1f} s")
    if onchain:
        click.echo(f"on chain: {onchain.get('liquidation_count')} liquidations, "
                   f"bad debt ${onchain.get('bad_debt_usd', 0):,.0f}")
    for inv in onchain.get("invariants") or []:
        click.echo(f"invariant {'PASS' if inv['passed'] else 'FAIL'}: {inv['name']}")
    click.echo(f"run folder: {run_dir}")
    report = run_dir / REPORT_HTML
    if report.is_file():
        click.echo(f"report: {report}")
