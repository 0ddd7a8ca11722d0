"""Run a drill end to end: chain side, CEX side, invariants, metrics, report.

The one place that knows every layer (it comes after all of them): the CLI and the
pytest plugin call ``run_drill``. Everything it computes lands in the run folder as
soon as it exists; a failure at step N leaves N steps on disk and a summary.json with
``status: "failed"`` and the error, then re-raises for the CLI's exit status.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defidrill.cex.from_drill import venue_params
from defidrill.cex.venue import Venue
from defidrill.chain import AnvilConfig, Chain
from defidrill.drill.schema import Drill
from defidrill.engine.invariants import check_invariants
from defidrill.engine.ledger import step_columns
from defidrill.engine.loop import LoopResult, run_loop, terminal_progress
from defidrill.engine.record import RunRecorder
from defidrill.engine.world import World, build_world
from defidrill.metrics import build_summary, write_summary
from defidrill.metrics.leverage import write_borrowers
from defidrill.report import write_report
from defidrill.errors import DrillError
from defidrill.preflight import preflight
from defidrill.toolchain import compile_project


#: Genesis of every drill chain (2024-01-01T00:00:00Z): fixed, so block times are reproducible.
GENESIS_TIMESTAMP = 1_704_067_200
#: The first step's block time, after genesis: room for seeding's blocks (one second each).
START_OFFSET_S = 86_400


@dataclass
class RunOutcome:
    run_dir: Path
    summary: dict[str, Any]


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


def default_run_dir(drill: Drill, root: Path | None = None) -> Path:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return (root or Path("runs")) / f"{drill.name}-{stamp}"


def run_drill(drill_path: Path, *, out_dir: Path | None = None, seed: int | None = None,
              progress: bool = True, overrides: Sequence[str] = ()) -> RunOutcome:
    checked = preflight(drill_path, seed=seed, overrides=overrides)  # the same gate as `validate`: nothing starts before it passes
    drill, path = checked.drill, checked.path
    run_dir = out_dir or default_run_dir(drill)
    run_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(drill_path, run_dir / "drill.yaml")
    if overrides:  # the run folder must say how its drill differs from the file
        with (run_dir / "drill.yaml").open("a", encoding="utf-8") as f:
            f.write("".join(f"\n# --set {item}" for item in overrides) + "\n")
    (run_dir / "seed.txt").write_text(f"{drill.seed}\n")
    artifacts = compile_project()
    summary: dict[str, Any] = {"drill": drill.name, "description": drill.description, "seed": drill.seed,
                               "status": "running", "error": None, "steps_total": path.step_count + 1,
                               "steps_completed": 0, "duration_s": float(path.times_s[-1])}
    started = time.monotonic()
    venue: Venue | None = None
    leader: CexLeader | None = None
    cex_asset = drill.cex_asset
    if drill.cex.enabled and cex_asset is not None:
        venue = Venue(venue_params(drill), path.price_usd(cex_asset, 0), drill.seed)
        if drill.cex.coupling == "cex_leads":
            leader = CexLeader(drill, venue, cex_asset)
    loop_result: LoopResult | None = None
    recorder: RunRecorder | None = None
    try:
        config = AnvilConfig(gas_limit=int(drill.chain.gas_limit), base_fee_wei=int(drill.chain.base_fee_gwei * 10**9),
                             timestamp=GENESIS_TIMESTAMP)
        with Chain.launch(config, artifacts) as chain:
            # Block times never come from the wall clock: the same drill and seed give the same chain.
            chain.set_block_interval(1)
            world = build_world(chain, drill, path)
            _write_address_book(run_dir, world)
            write_borrowers(run_dir, world.borrowers)
            with RunRecorder(run_dir, step_columns(world)) as recorder:
                loop_result = run_loop(chain, world, recorder, leader=leader,
                                       progress=terminal_progress() if progress else None,
                                       start_timestamp=GENESIS_TIMESTAMP + START_OFFSET_S)
            summary["invariants"] = check_invariants(chain, world, run_dir / "events.jsonl")
        if venue is not None:
            if leader is None:
                for k in range(path.step_count + 1):
                    venue.step(float(path.times_s[k]), path.price_usd(cex_asset, k))
            _write_cex(run_dir, venue)
            _join_cex_columns(run_dir, venue)
            summary["cex_raw"] = venue.summary()
        summary["status"] = "ok"
    except (DrillError, KeyboardInterrupt) as exc:
        summary["status"] = "failed" if not isinstance(exc, KeyboardInterrupt) else "interrupted"
        summary["error"] = str(exc) or type(exc).__name__
        raise
    finally:
        summary["wall_time_s"] = time.monotonic() - started
        if loop_result is None and recorder is not None:
            summary["steps_completed"] = recorder.rows_written  # the loop died: count the rows on disk
        if loop_result is not None:
            summary["steps_completed"] = loop_result.steps_completed
            summary["onchain_raw"] = {
                "liquidation_count": loop_result.ledger.liquidation_count,
                "failed_liquidation_txs": loop_result.ledger.failed_liquidation_count,
                "bad_debt_usd": loop_result.ledger.bad_debt_usd,
                "keeper_profit_usd": loop_result.ledger.keeper_profit_usd,
                "keeper_gas_eth": loop_result.ledger.keeper_gas_eth,
                "borrower_reactions": loop_result.reactions,
                "attacks": loop_result.attacks,
                "rejected_transmits": loop_result.ledger.transmit_rejections,
            }
        summary = _finish(run_dir, summary)
    return RunOutcome(run_dir, summary)


def _finish(run_dir: Path, header: dict[str, Any]) -> dict[str, Any]:
    """Metrics and report from what is on disk; on a failed run, whatever can be computed."""
    (run_dir / "summary.json").write_text(json.dumps(header, indent=2, default=str))
    if not (run_dir / "steps.csv").is_file():
        return header
    try:
        summary = build_summary(run_dir, venue_summary=header.get("cex_raw"), invariants=header.get("invariants"),
                                header=header)
        write_summary(run_dir, summary)
        write_report(run_dir)
        return summary
    except DrillError as exc:
        if header.get("status") == "ok":
            raise
        header["report_error"] = str(exc)  # keep the original failure as the headline
        (run_dir / "summary.json").write_text(json.dumps(header, indent=2, default=str))
        return header


def _write_address_book(run_dir: Path, world: World) -> None:
    """contracts.json: written at deploy time so a run that dies later still decodes its events."""
    m = world.market
    book = {
        "protocol": world.markets.protocol,
        "contracts": {name: h.address for name, h in {**m.named_contracts(), **world.lending.named_contracts()}.items()},
        "decimals": {sym: m.config.asset(sym).decimals for sym in m.tokens},
        "agents": {**{f"keeper:{n}": a for n, a in world.keepers.items()}, "arbitrageur": world.arbitrageur,
                   "lp": m.liquidity_provider, "attacker": world.attacker,
                   **({"attacker_contract": world.manipulator} if world.manipulator else {})},
    }
    (run_dir / "contracts.json").write_text(json.dumps(book, indent=2))


def _write_cex(run_dir: Path, venue: Venue) -> None:
    import csv

    steps = [s.as_dict() for s in venue.steps]
    if steps:
        with open(run_dir / "cex_steps.csv", "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(steps[0]))
            writer.writeheader()
            writer.writerows(steps)
    events = venue.events.arrays()
    if events:
        names = list(events)
        with open(run_dir / "cex_events.csv", "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(names)
            for row in zip(*(events[n].tolist() for n in names)):
                writer.writerow(row)


#: The CEX columns steps.csv gains (prefixed ``cex_``), from the venue's StepResult of the same step.
CEX_STEP_COLUMNS = ("index_price_usd", "mark_price_usd", "last_price_usd", "liquidation_count", "liquidated_notional_usd",
                    "insurance_fund_usd", "adl_count", "adl_notional_usd", "book_depth_withdrawn_pct")


def _join_cex_columns(run_dir: Path, venue: Venue) -> None:
    """Add the CEX's per-step columns to steps.csv, side by side with the chain's (atomic rewrite)."""
    import csv

    path = run_dir / "steps.csv"
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return
    by_step = {s.step: s.as_dict() for s in venue.steps}
    fields = list(rows[0]) + [f"cex_{c}" for c in CEX_STEP_COLUMNS]
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            cex = by_step.get(int(row["step"]), {})
            writer.writerow({**row, **{f"cex_{c}": (f"{cex[c]:.10g}" if isinstance(cex.get(c), float) else cex.get(c, ""))
                                       for c in CEX_STEP_COLUMNS}})
    tmp.replace(path)
