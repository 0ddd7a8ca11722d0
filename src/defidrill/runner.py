"""Run a drill end to end: chain side, CEX side, invariants, metrics, report.

The one place that knows every layer (it comes after all of them): the CLI and the
pytest plugin call ``run_drill``. Everything it computes lands in the run folder
(``defidrill.run_folder``, the only writer) as soon as it exists: summary.json says
``running`` from the start; a failure at step N leaves N steps on disk and a summary.json
with ``status: "failed"``, the error and the exit status; SIGINT/SIGTERM/SIGHUP leave
``status: "interrupted"``; the user's code failing (an adapter, a custom invariant: a UserCodeError)
leaves ``failed`` with its traceback in error.txt. Invariants run during the loop (``invariants: {every, on_failure}``):
a broken one with ``stop`` is an InvariantError (exit 5) at that step, the steps so far and
their metrics and report on disk; with ``flag`` it is recorded and the run goes on. Then the
error is re-raised for the CLI's exit status. A finished run whose ``expect:`` bounds do not all
hold ends with ExpectationsNotMet (exit 6, ``status: ok``), its folder complete and its outcome on the error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from defidrill.chain.rpc import DEFAULT_RPC_TIMEOUT_S
from defidrill.cex.coupling import CEX_STEP_COLUMNS, CexSide
from defidrill.drill.overrides import Override, as_overrides
from defidrill.run_folder.models import Expectation, ForkedBook
from defidrill.drill.paths import MarketPath
from defidrill.drill.schema import Drill
from defidrill.drill.schema.market import ReplayPath
from defidrill.engine.chain_setup import apply_drill_gas_limit, drill_chain, first_step_timestamp
from defidrill.engine.invariant_monitor import InvariantMonitor
from defidrill.engine.invariants import UserCheckFn, UserInvariant
from defidrill.engine.ledger import step_columns
from defidrill.engine.loop import LoopResult, run_loop, terminal_progress
from defidrill.engine.world import World, build_world
from defidrill.errors import DrillError, ExpectationsNotMet, Interrupted, OutputError, UserCodeError
from defidrill.interrupts import catch_signals
from defidrill.metrics import build_summary
from defidrill.metrics.expectations import not_met_error
from defidrill.preflight import preflight
from defidrill.report import write_report
from defidrill.run_folder import (
    STEPS_CSV, Activity, ContractsBook, ForkInfo, InvariantChecks, ProtocolInfo, RunFolder, RunFolderWriter, RunSummary,
    StepRecorder, default_run_dir, load_run, open_run_folder,
)
from defidrill.toolchain import compile_project


@dataclass
class RunOutcome:
    """Where the run went and its summary.json (as JSON); ``folder()`` reads the whole folder back."""

    run_dir: Path
    summary: dict[str, Any]

    def folder(self) -> RunFolder:
        return load_run(self.run_dir, require_summary=True)

    @property
    def expectations(self) -> list[Expectation]:
        """The drill's ``expect:`` bounds, each with the run's value and ``met`` (summary.json's list)."""
        return [Expectation.model_validate(e) for e in self.summary.get("expectations") or []]

    @property
    def exit_status(self) -> int | None:
        """What `defidrill run` exits with: 0 ok, 6 when an expectation is not met."""
        status = self.summary.get("exit_status")
        return status if isinstance(status, int) else None


def replay_csvs(drill: Drill) -> list[str]:
    """The CSVs the drill reads (absolute paths: replay paths, a positions file): copied into the run folder."""
    csvs = [a.path.csv for a in drill.market.assets.values() if isinstance(a.path, ReplayPath)]
    listed = [drill.borrowers.positions_file, drill.borrowers.accounts_csv]
    return csvs + [f for f in listed if f is not None]


def run_drill(drill_path: Path, *, out_dir: Path | None = None, seed: int | None = None,
              progress: bool = True, force: bool = False, overrides: Sequence[Override | str] = (),
              checks: Sequence[UserCheckFn] = (), rpc_url: str | None = None,
              backend: str | None = None, rpc_timeout_s: float = DEFAULT_RPC_TIMEOUT_S,
              lean: bool = False) -> RunOutcome:
    """Run a drill into ``out_dir`` (default ``runs/<name>-<stamp>``); see the module docstring.

    ``force``: clear a folder that already holds a run (otherwise refused). SIGINT, SIGTERM and
    SIGHUP end the run as :class:`~defidrill.errors.Interrupted` with the folder finished.
    ``overrides``: ``PATH=VALUE`` edits of the drill (``--set`` texts, or a sweep point's
    :class:`Override` values), validated with the drill and recorded in the folder.
    ``checks``: the caller's own invariants (``check(chain, step) -> Broken | None``, as the drill's
    ``invariants.custom``), run with the built-in ones. ``rpc_url``: run on a node someone else started
    (an anvil: ape's, `defidrill chain up`'s) instead of a fresh one; see :func:`defidrill.engine.chain_setup.drill_chain`.
    ``backend`` (``anvil`` | ``revm``): overrides the drill's ``chain.backend``. ``rpc_timeout_s``: how long one
    JSON-RPC call may wait for the node (``--rpc-timeout``; the ChainError names it when it fires).
    ``lean``: a run inside a risk study, which reads only summary.json: the same run and the same summary,
    without report.html/report.md and cex_events.csv (the CEX's one row per fill: 240k rows and 34 MB in a
    deep crash of the flagship, written and read back in ~3 s of a ~6 s run; the summary's CEX figures come
    from the venue in memory, not from that file). ``defidrill report`` on a lean folder still works."""
    sets = as_overrides(overrides, file=str(drill_path))
    # the same gate as `validate`: the backend and the node are part of what it checks
    checked = preflight(drill_path, seed=seed, overrides=sets, backend=backend, rpc_url=rpc_url)
    drill, path = checked.drill, checked.path
    run_dir = out_dir or default_run_dir(drill.name)
    texts = [o.text for o in sets]
    with catch_signals(), open_run_folder(run_dir, force=force) as folder:
        folder.copy_drill(drill_path, drill.seed, replay_csvs(drill), overrides=texts)
        user = [*checked.checks, *(UserInvariant.of(fn) for fn in checks)]
        return _run(folder, drill, path, progress, texts, user, rpc_url, str(Path(drill_path).resolve().parent),
                    rpc_timeout_s, lean)


def _run(folder: RunFolderWriter, drill: Drill, path: MarketPath, progress: bool, overrides: list[str],
         user_invariants: list[UserInvariant], rpc_url: str | None, drill_dir: str,
         rpc_timeout_s: float = DEFAULT_RPC_TIMEOUT_S, lean: bool = False) -> RunOutcome:
    """The run's phases in order: header -> chain and world -> the step loop -> the CEX side ->
    metrics and report (:func:`_finish`, also after a failure). ``drill_dir``: the drill file's folder."""
    run_dir = folder.path
    header = RunSummary(drill=drill.name, description=drill.description, drill_dir=drill_dir,
                        seed=drill.seed, status="running",
                        backend=drill.chain.backend, overrides=overrides, steps_total=path.step_count + 1,
                        duration_s=float(path.times_s[-1]))
    folder.write_summary(header)
    started = time.monotonic()
    cex = CexSide.of(drill, path)
    loop_result: LoopResult | None = None
    monitor: InvariantMonitor | None = None
    recorder: StepRecorder | None = None
    invariants: list[dict[str, Any]] | None = None
    venue_summary: dict[str, Any] | None = None
    update: dict[str, Any] = {"status": "ok", "exit_status": 0}
    try:
        with drill_chain(drill, compile_project(), rpc_url, rpc_timeout_s=rpc_timeout_s) as chain:
            fork_block = chain.block_number()
            world = build_world(chain, drill, path)
            apply_drill_gas_limit(chain, drill)
            header = header.model_copy(update={"protocol": ProtocolInfo(
                kind=world.markets.protocol, fixed_by_protocol=dict(world.markets.fixed_by_protocol),
                fork=_fork_info(drill, world, fork_block),
                liquidator_incentive_wad={s: c.liquidator_incentive_wad for s, c in world.markets.collaterals.items()},
                seize_share_bps={s: c.seize_share_bps for s, c in world.markets.collaterals.items()},
                close_factor_bps=world.markets.close_factor.default_bps,
                full_close_below_hf_wad=world.markets.close_factor.full_close_below_hf_wad)})
            folder.write_contracts(_address_book(world))
            folder.write_borrowers(world.borrowers)
            with folder.open_recorder(step_columns(world)) as recorder:
                monitor = InvariantMonitor(chain, world, drill.invariants, user_invariants)
                loop_result = run_loop(chain, world, recorder, leader=cex.leader if cex is not None else None,
                                       progress=terminal_progress() if progress else None,
                                       start_timestamp=first_step_timestamp(), monitor=monitor)
        if cex is not None:
            venue = cex.finish()
            if venue.attribution is not None:
                header = header.model_copy(update={"coupling": venue.attribution})
            folder.write_cex(venue.steps, None if lean else venue.events)
            folder.join_cex_columns(venue.steps, CEX_STEP_COLUMNS)
            venue_summary = venue.summary
    except BaseException as exc:  # recorded, then re-raised: the summary never stays at "running"
        if isinstance(exc, UserCodeError) and exc.traceback_text:  # the user's traceback, kept, not printed
            with contextlib.suppress(DrillError):  # a full disk must not hide what the user's code did
                exc.traceback_file = str(folder.write_error(exc.traceback_text))
        interrupted = isinstance(exc, (Interrupted, KeyboardInterrupt))
        update = {"status": "interrupted" if interrupted else "failed",
                  "error": str(exc) or type(exc).__name__,
                  "exit_status": getattr(exc, "exit_status", 130 if isinstance(exc, KeyboardInterrupt) else 1)}
        raise
    finally:
        update["wall_time_s"] = time.monotonic() - started
        if recorder is not None:
            update["steps_completed"] = recorder.rows_written  # the truth on disk, whatever the loop reached
        if monitor is not None:
            invariants = monitor.results()
            update["invariant_checks"] = InvariantChecks(**monitor.policy())
        if loop_result is not None:
            update["activity"] = Activity(borrower_reactions=loop_result.reactions, attacks=loop_result.attacks,
                                          rejected_transmits=loop_result.ledger.transmit_rejections)
        summary = _finish(folder, header.model_copy(update=update), venue_summary, invariants, report=not lean)
    outcome = RunOutcome(run_dir, summary.as_json())
    if summary.exit_status == ExpectationsNotMet.exit_status:  # the folder is complete; the status says it
        raise not_met_error(summary, str(run_dir), outcome)
    return outcome


def _finish(folder: RunFolderWriter, header: RunSummary, venue_summary: dict[str, Any] | None,
            invariants: list[dict[str, Any]] | None, *, report: bool = True) -> RunSummary:
    """Metrics and report from what is on disk; on a failed run, whatever can be computed."""
    header = RunSummary.model_validate(header.as_json())  # the updates above, validated
    folder.write_summary(header)
    if not (folder.path / STEPS_CSV).is_file():
        return header
    try:
        summary = build_summary(folder.path, venue_summary=venue_summary, invariants=invariants,
                                header=header.as_json())
        folder.write_summary(summary)
        if report:
            write_report(folder.path)
        return summary
    except OutputError:
        raise
    except DrillError as exc:
        if header.status == "ok":
            raise
        # keep the original failure as the headline; the venue's own summary is still worth having
        header = header.model_copy(update={"report_error": str(exc), "cex": venue_summary})
        folder.write_summary(header)
        return header


def _fork_info(drill: Drill, world: World, block: int) -> ForkInfo | None:
    """What summary.json says of a fork: the node without its path (a provider URL's path holds the API key)."""
    if world.forked is None or drill.chain.fork_url is None:
        return None
    parts = urlsplit(drill.chain.fork_url)
    book = ForkedBook.model_validate(dataclasses.asdict(world.book)) if world.book is not None else None
    return ForkInfo(node=f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}", block=block,
                    address=world.forked.address, forked_params=world.forked.forked_params, book=book)


def _address_book(world: World) -> ContractsBook:
    """contracts.json: written at deploy time so a run that dies later still decodes its events."""
    m = world.market
    return ContractsBook(
        protocol=world.markets.protocol,
        contracts={name: h.address for name, h in {**m.named_contracts(), **world.lending.named_contracts()}.items()},
        decimals={sym: m.config.asset(sym).decimals for sym in m.tokens},
        agents={**{f"keeper:{n}": a for n, a in world.keepers.items()}, "arbitrageur": world.arbitrageur,
                "lp": m.liquidity_provider, "attacker": world.attacker,
                **({"attacker_contract": world.manipulator} if world.manipulator else {})},
    )
