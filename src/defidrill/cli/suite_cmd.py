"""`defidrill suite [DRILLS...]`: the drill library (or the drills named) at suite sizes, as a scorecard."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from defidrill.cli.errors import reports_errors
from defidrill.cli.run_cmd import SET_HELP

if TYPE_CHECKING:
    from defidrill.suite import SuiteRow

COLUMNS = f"{'drill':<38}{'status':<9}{'invariants':>11}{'expectations':>14}{'wall s':>9}"


@click.command("suite")
@click.argument("drills", nargs=-1)
@click.option("--set", "overrides", multiple=True, metavar="PATH=VALUE",
              help=SET_HELP + " Applied to every drill after its suite size.")
@click.option("--junit", "junit", type=click.Path(path_type=Path), default=None,
              help="Write JUnit XML here: one testcase per drill (failure, error or skipped with the reason).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of the run folders, one per drill (default runs/suite-<UTC timestamp>/); a drill's folder "
                   "from an earlier suite there is replaced.")
@reports_errors
def suite_cmd(drills: tuple[str, ...], overrides: tuple[str, ...], junit: Path | None, out_dir: Path | None) -> None:
    """Run DRILLS (files or library names; default the whole library) at their documented reduced
    sizes (defidrill/suite/sizes.py), against one protocol, and print a scorecard.

    A row is passed (every invariant held, every `expect:` bound met), failed (one was not), error
    (the drill could not run) or skipped (the --set makes it one the protocol refuses, e.g. a
    spot_manipulation attacker on aave-v3). Exit status 0 when no row failed or errored, else 1.

    \b
    Examples:
      defidrill suite --set protocol.kind=aave-v3 --junit suite.xml
      defidrill suite flash-crash incidents/luna-may-2022 --out runs/suite
    """
    from defidrill.drill import resolve_drill
    from defidrill.run_folder import default_run_dir
    from defidrill.suite import run_suite, suite_drills, write_junit

    paths = [resolve_drill(d) for d in drills] if drills else suite_drills()
    folder = out_dir or default_run_dir("suite")
    click.echo(COLUMNS)
    rows = run_suite(paths, folder, overrides, progress=lambda row: click.echo(scorecard_line(row)))
    failed = [r for r in rows if not r.ok]
    for row in failed + [r for r in rows if r.status == "skipped"]:
        click.echo(f"\n{row.drill}: {row.status}")
        for problem in row.problems:
            click.echo("  " + problem.replace("\n", "\n  "))
    passed = sum(r.status == "passed" for r in rows)
    skipped = sum(r.status == "skipped" for r in rows)
    click.echo(f"\n{passed} passed, {len(failed)} failed, {skipped} skipped of {len(rows)} drills "
               f"in {sum(r.wall_time_s for r in rows):.1f} s; run folders: {folder}")
    if junit is not None:
        click.echo(f"junit: {write_junit(junit, rows)}")
    if failed:
        raise SystemExit(1)


def scorecard_line(row: SuiteRow) -> str:
    """drill, status, invariants passed/total, expectations met/total, wall time (s)."""
    ran = row.status in ("passed", "failed")
    invariants = f"{row.invariants_passed}/{row.invariants_total}" if ran else "-"
    expectations = f"{row.expectations_met}/{row.expectations_total}" if ran else "-"
    return f"{row.drill:<38}{row.status:<9}{invariants:>11}{expectations:>14}{row.wall_time_s:>9.1f}"
