"""Run a drill end to end: chain side, CEX side, invariants, metrics, report.

The one place that knows every layer (it comes after all of them): the CLI and the
pytest plugin call ``run_drill``. Everything it computes lands in the run folder
(``defidrill.run_folder``, the only writer) as soon as it exists: summary.json says
``running`` from the start; a failure at step N leaves N steps on disk and a summary.json
with ``status: "failed"``, the error and the exit status; SIGINT/SIGTERM/SIGHUP leave
``status: "interrupted"``. Invariants run during the loop (``invariants: {every, on_failure}``):
a broken one with ``stop`` is an InvariantError (exit 5) at that step, the steps so far and
their metrics and report on disk; with ``flag`` it is recorded and the run goes on. Then the
error is re-raised for the CLI's exit status. A finished run whose ``expect:`` bounds do not all
hold ends with ExpectationsNotMet (exit 6, ``status: ok``), its folder complete and its outcome on the error.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from defidrill.cex import events_with_kind_names
from defidrill.cex.from_drill import venue_params
from defidrill.cex.venue import Venue
from defidrill.chain import AnvilConfig, Chain
from defidrill.chain.backends import AnyChain, check_backend, launch_chain
from defidrill.chain.fork import probe_fork_url
from defidrill.drill.overrides import Override, as_overrides
from defidrill.coupling import TwoWayCoupler, attribute
from defidrill.run_folder.models import Attribution, Expectation
from defidrill.drill.paths import MarketPath
from defidrill.drill.schema import Drill
from defidrill.drill.schema.market import ReplayPath
from defidrill.engine.invariant_monitor import InvariantMonitor
from defidrill.engine.invariants import UserCheckFn, UserInvariant
from defidrill.engine.ledger import step_columns
from defidrill.engine.loop import LoopResult, run_loop, terminal_progress
from defidrill.engine.world import World, build_world
from defidrill.errors import ConfigError, DrillError, ExpectationsNotMet, Interrupted, OutputError
from defidrill.interrupts import catch_signals
from defidrill.metrics import build_summary
from defidrill.metrics.expectations import not_met_error
from defidrill.preflight import preflight
from defidrill.report import write_report
from defidrill.run_folder import (
    STEPS_CSV, Activity, ContractsBook, ForkInfo, InvariantChecks, ProtocolInfo, RunFolder, RunFolderWriter, RunSummary,
    StepRecorder, default_run_dir, load_run, open_run_folder,
)
from defidrill.toolchain import Artifacts, compile_project


#: Genesis of every drill chain (2024-01-01T00:00:00Z): fixed, so block times are reproducible.
GENESIS_TIMESTAMP = 1_704_067_200
#: The first step's block time, after genesis: room for seeding's blocks (one second each).
START_OFFSET_S = 86_400
#: Blocks whose state a drill's anvil keeps in memory (``AnvilConfig.state_history_blocks``, anvil's
#: ``--prune-history``). anvil otherwise keeps hundreds, about 8 MiB each with 10,000 borrowers (measured:
#: anvil at 1.2 GiB after 31 steps; README). A drill reads old state in
#: two places, both within the step being settled: the trace of a failed transaction without revert
#: data (out of gas; ``Chain.revert_reasons``, which reads other reasons without state) and Aave's
#: health factor before a liquidation the scan did not see (the block before it). A step mines two
#: blocks, one more per 250 transactions of a batch: 32 blocks cover steps of up to ~7,000 transactions,
#: and a read past them raises ChainError rather than change a result. Logs and receipts are not state:
#: they stay whole (the token-supply invariant reads Transfer logs from block 0).
DRILL_STATE_HISTORY_BLOCKS: int | None = 32


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


class CexLeader:
    """``cex.coupling: cex_leads``: the venue steps first; the chain sees its traded price."""

    def __init__(self, drill: Drill, venue: Venue, asset: str) -> None:
        self.drill = drill
        self.venue = venue
        self.asset = asset
        self.start_usd: float | None = None

    def prices(self, step: int, t_s: float, reference_usd: dict[str, float]) -> dict[str, float]:
        result = self.venue.step(t_s, reference_usd[self.asset])
        out = dict(reference_usd)
        out[self.asset] = float(result.last_price_usd)
        return out


#: Block gas limit while the protocol deploys and the world is seeded (then the drill's own applies).
SETUP_GAS_LIMIT = 60_000_000


def replay_csvs(drill: Drill) -> list[str]:
    """The replay CSVs the drill reads (absolute paths): copied into the run folder."""
    return [a.path.csv for a in drill.market.assets.values() if isinstance(a.path, ReplayPath)]


def _attribution(drill: Drill, path: MarketPath, coupler: TwoWayCoupler, asset: str) -> Attribution:
    """summary.json's ``coupling``: the venue replayed alone on the same path, set beside the coupled run."""
    exogenous = [path.price_usd(asset, k) for k in range(path.step_count + 1)]
    alone = Venue(venue_params(drill), exogenous[0], drill.seed)
    for k, price in enumerate(exogenous):
        alone.step(float(path.times_s[k]), price)
    return attribute(drill, coupler, alone, exogenous)


def run_drill(drill_path: Path, *, out_dir: Path | None = None, seed: int | None = None,
              progress: bool = True, force: bool = False, overrides: Sequence[Override | str] = (),
              checks: Sequence[UserCheckFn] = (), rpc_url: str | None = None,
              backend: str | None = None) -> RunOutcome:
    """Run a drill into ``out_dir`` (default ``runs/<name>-<stamp>``); see the module docstring.

    ``force``: clear a folder that already holds a run (otherwise refused). SIGINT, SIGTERM and
    SIGHUP end the run as :class:`~defidrill.errors.Interrupted` with the folder finished.
    ``overrides``: ``PATH=VALUE`` edits of the drill (``--set`` texts, or a sweep point's
    :class:`Override` values), validated with the drill and recorded in the folder.
    ``checks``: the caller's own invariants (``check(chain, step) -> Broken | None``, as the drill's
    ``invariants.custom``), run with the built-in ones. ``rpc_url``: run on a node someone else started
    (an anvil: ape's, `defidrill chain up`'s) instead of a fresh one; see :func:`drill_chain`.
    ``backend`` (``anvil`` | ``revm``): overrides the drill's ``chain.backend``."""
    if backend is not None:
        check_backend(backend)
    sets = as_overrides(overrides, file=str(drill_path))
    checked = preflight(drill_path, seed=seed, overrides=sets)  # the same gate as `validate`
    drill, path = checked.drill, checked.path
    if backend is not None and backend != drill.chain.backend:
        drill = drill.model_copy(update={"chain": drill.chain.model_copy(update={"backend": backend})})
    if drill.chain.backend == "revm":
        congested = [i for i, f in enumerate(drill.failures) if f.kind == "congestion"]
        if congested:
            raise ConfigError("congestion needs the anvil backend: it sets each block's base fee and relies on the "
                              "node refusing fee caps under it, which the revm backend does not model yet",
                              file=str(drill_path), path=f"failures[{congested[0]}].kind", value="congestion",
                              allowed="chain.backend: anvil (or --backend anvil) for a congestion drill")
    if rpc_url is not None and drill.chain.backend != "anvil":
        raise ConfigError("a running node (rpc_url) is an anvil: the revm backend runs in process",
                          path="chain.backend", value=drill.chain.backend, allowed="anvil with rpc_url")
    run_dir = out_dir or default_run_dir(drill.name)
    texts = [o.text for o in sets]
    with catch_signals(), open_run_folder(run_dir, force=force) as folder:
        folder.copy_drill(drill_path, drill.seed, replay_csvs(drill), overrides=texts)
        user = [*checked.checks, *(UserInvariant.of(fn) for fn in checks)]
        return _run(folder, drill, path, progress, texts, user, rpc_url)


@contextlib.contextmanager
def drill_chain(drill: Drill, artifacts: Artifacts, rpc_url: str | None = None) -> Iterator[AnyChain]:
    """A fresh chain on the drill's backend configured from the drill, or, given ``rpc_url``, a
    running anvil made to match.

    On a running node the drill's chain settings are applied over anvil's RPC (any sender
    impersonated, the block gas limit, the next base fee); the genesis time cannot be, so block
    times start a minute after the node's latest block and differ from a fresh run's. The node
    is never stopped; the drill's contracts stay on it."""
    # Deployment and seeding get a roomy block (Aave's contracts take more than 12M gas); the runner
    # applies the drill's own block gas limit from its first step (a congested 10M chain, say).
    setup_gas_limit = max(int(drill.chain.gas_limit), SETUP_GAS_LIMIT)
    if rpc_url is None:
        fork_url = drill.chain.fork_url
        if fork_url is not None:  # one clear message (exit 4) before anvil retries a dead URL
            probe_fork_url(fork_url, fork_block=drill.chain.fork_block)
        # A fork keeps the forked block's time (its contracts' clocks run from it); a fresh chain starts at a fixed one.
        config = AnvilConfig(gas_limit=setup_gas_limit, base_fee_wei=int(drill.chain.base_fee_gwei * 10**9),
                             timestamp=None if fork_url else GENESIS_TIMESTAMP, fork_url=fork_url,
                             fork_block=drill.chain.fork_block, state_history_blocks=DRILL_STATE_HISTORY_BLOCKS)
        with launch_chain(drill.chain.backend, config, artifacts) as fresh:
            yield fresh
        return
    chain = Chain.attach(rpc_url, artifacts)
    try:
        chain.rpc.request("anvil_autoImpersonateAccount", [True])
        chain.rpc.request("evm_setBlockGasLimit", [hex(setup_gas_limit)])
        chain.rpc.request("anvil_setNextBlockBaseFeePerGas", [hex(int(drill.chain.base_fee_gwei * 10**9))])
        yield chain
    finally:
        chain.rpc.close()


def _run(folder: RunFolderWriter, drill: Drill, path: MarketPath, progress: bool, overrides: list[str],
         user_invariants: list[UserInvariant], rpc_url: str | None) -> RunOutcome:
    run_dir = folder.path
    header = RunSummary(drill=drill.name, description=drill.description, seed=drill.seed, status="running",
                        backend=drill.chain.backend, overrides=overrides, steps_total=path.step_count + 1,
                        duration_s=float(path.times_s[-1]))
    folder.write_summary(header)
    started = time.monotonic()
    venue: Venue | None = None
    leader: CexLeader | TwoWayCoupler | None = None
    cex_asset = drill.cex_asset
    if drill.cex.enabled and cex_asset is not None:
        venue = Venue(venue_params(drill), path.price_usd(cex_asset, 0), drill.seed)
        if drill.cex.coupling == "cex_leads":
            leader = CexLeader(drill, venue, cex_asset)
        elif drill.cex.coupling == "two_way":
            leader = TwoWayCoupler(drill, venue, cex_asset)
    loop_result: LoopResult | None = None
    monitor: InvariantMonitor | None = None
    recorder: StepRecorder | None = None
    invariants: list[dict[str, Any]] | None = None
    venue_summary: dict[str, Any] | None = None
    update: dict[str, Any] = {"status": "ok", "exit_status": 0}
    try:
        with drill_chain(drill, compile_project(), rpc_url) as any_chain:
            # The engine is typed against Chain; RevmChain answers the same interface (the backend
            # boundary, tests/chain/test_backends.py), so either backend runs it.
            chain = cast(Chain, any_chain)
            # Block times never come from the wall clock: the same drill and seed give the same chain.
            chain.set_block_interval(1)
            fork_block = chain.block_number()
            world = build_world(chain, drill, path)
            if int(drill.chain.gas_limit) < SETUP_GAS_LIMIT:  # the drill's blocks from its first step
                chain.set_block_gas_limit(int(drill.chain.gas_limit))
            header = header.model_copy(update={"protocol": ProtocolInfo(
                kind=world.markets.protocol, fixed_by_protocol=dict(world.markets.fixed_by_protocol),
                fork=_fork_info(drill, world, fork_block))})
            folder.write_contracts(_address_book(world))
            folder.write_borrowers(world.borrowers)
            with folder.open_recorder(step_columns(world)) as recorder:
                monitor = InvariantMonitor(chain, world, drill.invariants, user_invariants)
                loop_result = run_loop(chain, world, recorder, leader=leader,
                                       progress=terminal_progress() if progress else None,
                                       start_timestamp=GENESIS_TIMESTAMP + START_OFFSET_S, monitor=monitor)
        if venue is not None:
            if leader is None:
                assert cex_asset is not None  # a venue exists only with a CEX asset
                for k in range(path.step_count + 1):
                    venue.step(float(path.times_s[k]), path.price_usd(cex_asset, k))
            if isinstance(leader, TwoWayCoupler):
                assert cex_asset is not None  # coupling needs a CEX asset (checked by the schema)
                header = header.model_copy(update={"coupling": _attribution(drill, path, leader, cex_asset)})
            steps = [s.as_dict() for s in venue.steps]
            folder.write_cex(steps, events_with_kind_names(venue.events.arrays()))
            folder.join_cex_columns(steps, CEX_STEP_COLUMNS)
            venue_summary = venue.summary()
    except BaseException as exc:  # recorded, then re-raised: the summary never stays at "running"
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
        summary = _finish(folder, header.model_copy(update=update), venue_summary, invariants)
    outcome = RunOutcome(run_dir, summary.as_json())
    if summary.exit_status == ExpectationsNotMet.exit_status:  # the folder is complete; the status says it
        raise not_met_error(summary, str(run_dir), outcome)
    return outcome


def _finish(folder: RunFolderWriter, header: RunSummary, venue_summary: dict[str, Any] | None,
            invariants: list[dict[str, Any]] | None) -> RunSummary:
    """Metrics and report from what is on disk; on a failed run, whatever can be computed."""
    header = RunSummary.model_validate(header.as_json())  # the updates above, validated
    folder.write_summary(header)
    if not (folder.path / STEPS_CSV).is_file():
        return header
    try:
        summary = build_summary(folder.path, venue_summary=venue_summary, invariants=invariants,
                                header=header.as_json())
        folder.write_summary(summary)
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
    return ForkInfo(node=f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}", block=block,
                    address=world.forked.address, forked_params=world.forked.forked_params)


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


#: The CEX columns steps.csv gains (prefixed ``cex_``), from the venue's StepResult of the same step.
CEX_STEP_COLUMNS = ("index_price_usd", "mark_price_usd", "last_price_usd", "liquidation_count", "liquidated_notional_usd",
                    "insurance_fund_usd", "adl_count", "adl_notional_usd", "book_depth_withdrawn_pct")
