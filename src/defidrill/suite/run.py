"""Run a set of drills (default: the whole library) at their suite sizes and score each.

What an auditor runs against a protocol before signing off: every drill, one protocol
(``--set protocol.kind=aave-v3`` or an external adapter), one row each:

- ``passed``: the run finished, every invariant held and every ``expect:`` bound was met;
- ``failed``: it finished, but an expectation was not met or an invariant broke (flagged or stopped);
- ``error``: the drill could not run (its file is invalid at the suite's size, the chain or the
  toolchain failed);
- ``skipped``: the drill is valid at its size, but the caller's ``--set`` makes it one the preflight
  refuses (a spot_manipulation attacker on aave-v3): not a failure of the protocol.

Each drill runs through :func:`defidrill.runner.run_drill` into ``<out>/<name>/`` with
``SUITE_SIZES[name]`` then the caller's overrides.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from defidrill.drill.overrides import library_drills, library_name
from defidrill.errors import ConfigError, DrillError, ExpectationsNotMet, Interrupted, InvariantError
from defidrill.metrics.expectations import describe
from defidrill.preflight import preflight
from defidrill.run_folder import Expectation
from defidrill.runner import RunOutcome, run_drill
from defidrill.suite.sizes import SUITE_SIZES

__all__ = ["SuiteRow", "Status", "drill_name", "run_one", "run_suite", "suite_drills"]

Status = Literal["passed", "failed", "error", "skipped"]


@dataclass(frozen=True)
class SuiteRow:
    """One drill of the suite: how it ended, what held, and why not."""

    drill: str
    status: Status
    wall_time_s: float
    run_dir: Path | None = None
    invariants_passed: int = 0
    invariants_total: int = 0
    expectations_met: int = 0
    expectations_total: int = 0
    #: what a reader needs when the row is not ``passed``: unmet expectations, broken invariants, the error
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.status in ("passed", "skipped")


def suite_drills() -> list[Path]:
    """The default set: every library drill (oracles/*.yaml and oracles/incidents/*.yaml), by name."""
    return library_drills()


def drill_name(path: Path) -> str:
    """A library drill's name (``incidents/luna-may-2022``), else the file's stem."""
    try:
        return library_name(path.resolve())
    except ValueError:  # not under oracles/
        return path.stem


def _scored(name: str, outcome: RunOutcome, wall_time_s: float, error: DrillError | None = None) -> SuiteRow:
    summary = outcome.summary
    invariants: list[dict[str, Any]] = list((summary.get("onchain") or {}).get("invariants") or [])
    expectations: list[Expectation] = outcome.expectations
    broken = [f"invariant broken: {i['name']}" + (f" ({i['detail']})" if i.get("detail") else "")
              for i in invariants if not i.get("passed")]
    unmet = [f"expectation not met: {describe(e)}" for e in expectations if not e.met]
    problems = [*unmet, *broken]
    if error is not None and not isinstance(error, ExpectationsNotMet):
        problems.append(f"{type(error).__name__}: {error}")
    return SuiteRow(name, "passed" if not problems and summary.get("status") == "ok" else "failed", wall_time_s,
                    outcome.run_dir, invariants_passed=len(invariants) - len(broken), invariants_total=len(invariants),
                    expectations_met=len(expectations) - len(unmet), expectations_total=len(expectations),
                    problems=tuple(problems))


def run_one(path: Path, out_dir: Path, overrides: Sequence[str] = ()) -> SuiteRow:
    """One drill at its suite size with the caller's overrides (see the module docstring)."""
    name = drill_name(path)
    sizes = SUITE_SIZES.get(name, ())
    started = time.monotonic()
    try:
        preflight(path, overrides=sizes)
    except ConfigError as err:  # the drill itself (at the suite's size) is at fault
        return SuiteRow(name, "error", time.monotonic() - started, problems=(f"ConfigError: {err}",))
    try:
        preflight(path, overrides=[*sizes, *overrides])
    except ConfigError as err:  # refused because of the caller's --set (the protocol it names)
        return SuiteRow(name, "skipped", time.monotonic() - started, problems=(str(err),))
    run_dir = out_dir / name
    try:
        outcome = run_drill(path, out_dir=run_dir, progress=False, force=True, overrides=[*sizes, *overrides])
    except ExpectationsNotMet as err:
        assert isinstance(err.outcome, RunOutcome)  # run_drill puts the finished run's outcome on it
        return _scored(name, err.outcome, time.monotonic() - started, err)
    except Interrupted:
        raise
    except InvariantError as err:  # on_failure: stop: the folder holds the steps so far and their metrics
        outcome = RunOutcome(run_dir, _summary_or_empty(run_dir))
        return _scored(name, outcome, time.monotonic() - started, err)
    except DrillError as err:
        return SuiteRow(name, "error", time.monotonic() - started, run_dir, problems=(f"{type(err).__name__}: {err}",))
    return _scored(name, outcome, time.monotonic() - started)


def _summary_or_empty(run_dir: Path) -> dict[str, Any]:
    from defidrill.metrics.headline import read_run_summary

    try:
        return read_run_summary(run_dir)
    except DrillError:
        return {}


def run_suite(drills: Sequence[Path], out_dir: Path, overrides: Sequence[str] = (),
              progress: Any = None) -> list[SuiteRow]:
    """Every drill in order; ``progress(row)`` is called after each (the CLI prints the row)."""
    rows = []
    for path in drills:
        row = run_one(path, out_dir, overrides)
        rows.append(row)
        if progress is not None:
            progress(row)
    return rows
