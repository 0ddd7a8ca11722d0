"""End-to-end drill runs shared by tests/e2e (module, not conftest: test modules import it by name).

Each library drill runs once per session, reduced.

Every drill in ``oracles/`` is loaded, shrunk where the shrinking does not change its
character (fewer borrowers, fewer CEX positions or no CEX where the CEX side is not what
the drill is about, the tail of the path cut after the event), written to a temporary
folder and run through ``defidrill.runner.run_drill``. The reductions live in
``VARIANTS`` below, next to the reason each is safe. ``drill_runs(name)`` runs a drill the
first time a test asks for it and hands back the same :class:`DrillRun` afterwards, so
pairs (guarded versus naive, a failure versus flash-crash) cost one run per drill.

Each library drill states its characteristic outcome as ``expect:`` (its bounds live in the drill
file, nowhere else); a run whose expectations are not met still hands back its run (the folder is
complete), and the drill's test asserts them with ``assert_expectations(run)``. A control (a drill
with its failure taken out) is not the drill: its ``expect:`` is dropped with the failure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable

import numpy as np
import yaml

from defidrill import run_folder
from defidrill.chain import Chain
from defidrill.run_folder import CONTRACTS_JSON, read_contracts
from defidrill.drill.units import parse_duration
from defidrill.errors import ExpectationsNotMet
from defidrill.runner import RunOutcome, run_drill
from defidrill.toolchain import project_root

ORACLES = project_root() / "oracles"

Doc = dict[str, Any]


def _set(doc: Doc, dotted: str, value: Any) -> None:
    node = doc
    *parents, leaf = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value


def _reduce(**changes: Any) -> Callable[[Doc], None]:
    """A variant as dotted-path assignments: ``_reduce(**{"borrowers.count": 50})``."""

    def apply(doc: Doc) -> None:
        for dotted, value in changes.items():
            _set(doc, dotted, value)

    return apply


def _cut(duration: str, **changes: Any) -> Callable[[Doc], None]:
    """A shorter run of a drill with piecewise paths: points after the new end are replaced by
    one point at the end, on the line between its neighbours (the path up to the end is unchanged)."""
    reduce = _reduce(**{"market.duration": duration, **changes})

    def apply(doc: Doc) -> None:
        reduce(doc)
        end_s = parse_duration(duration)
        for market in doc["market"]["assets"].values():
            path = market.get("path") if isinstance(market, dict) else None
            if not path or path.get("kind") != "piecewise":
                continue
            points = [(parse_duration(p["at"]), float(p["price"])) for p in path["points"]]
            kept = [{"at": t, "price": p} for t, p in points if t <= end_s]
            if len(kept) < len(points) and kept[-1]["at"] < end_s:
                kept.append({"at": end_s, "price": float(np.interp(end_s, *zip(*points)))})
            path["points"] = kept

    return apply


NO_CEX = {"cex": {"enabled": False}}

#: name -> the changes applied to oracles/<name>.yaml before running it, with why they keep its character.
VARIANTS: dict[str, Callable[[Doc], object]] = {
    # The drop runs 20m..60m and half comes back by 90m: 75m keeps the crash and the start of
    # the recovery. Half the borrowers at twice the median size keeps the debt
    # (and so the collateral keepers sell into the thinned AMM: the cascade) about the same.
    # The CEX side stays on (the flagship compares venues) with 20k positions.
    "flash-crash": _reduce(**{"borrowers.count": 100, "borrowers.size_usd": {"lognormal": {"median": "40k", "sigma": 1.2}},
                              "cex.positions.count": 20_000, "market.duration": "75m"}),
    # Same market as flash-crash; keepers offline 25m..55m; 75m leaves 20 minutes after they return.
    "keeper-outage": _reduce(**{"borrowers.count": 50, "borrowers.size_usd": {"lognormal": {"median": "80k", "sigma": 1.0}},
                                "market.duration": "75m", **NO_CEX}),
    # Ramp 15m..45m, feed stale 10m..50m: 65m leaves 15 minutes after the feed resumes.
    "stale-feed-crash": _reduce(**{"borrowers.count": 50, "market.duration": "65m", **NO_CEX}),
    # Ramp 20m..80m, sequencer down 30m..108m, grace until 168m: 3h leaves 12 minutes after the grace.
    "sequencer-outage": _reduce(**{"borrowers.count": 50, "market.duration": "3h", **NO_CEX}),
    # Ramp 15m..45m, answers one hour (300 blocks) late: the last delayed answer lands at 105m.
    "osm-delay": _reduce(**{"borrowers.count": 50, "market.duration": "110m", **NO_CEX}),
    # The clamp pair: full path (bound crossed at ~129m, attack at 152m, bounds lifted at 160m).
    "minanswer-clamp": _reduce(**{"borrowers.count": 50, **NO_CEX}),
    "minanswer-clamp-naive": _reduce(**{"borrowers.count": 50, **NO_CEX}),
    # The attack is one transaction at 10m; 15m shows the aftermath.
    "spot-manipulation": _reduce(**{"borrowers.count": 20, "market.duration": "15m", **NO_CEX}),
    "spot-manipulation-guarded": _reduce(**{"borrowers.count": 20, "market.duration": "15m", **NO_CEX}),
    # The control for sequencer-outage: the same market and population with a live sequencer.
    "sequencer-outage-live": lambda doc: (VARIANTS["sequencer-outage"](doc), doc.pop("failures"), doc.pop("expect")),
    # Three of the six hours (the seeded path keeps its first three hours), 60 borrowers.
    "gbm-stress": _reduce(**{"borrowers.count": 60, "market.duration": "3h", **NO_CEX}),
    # Incidents (oracles/incidents/): the cited points are kept; only the tail after the event
    # and the population shrink (fewer, larger borrowers keep the debt near the line).
    # BTC March 2023: the first two legs (to 01:54 on 10 March) at 2-minute steps.
    "incidents/btc-march-2023": _cut("10h", **{"borrowers.count": 50, "market.step": "2m",
                                               "borrowers.size_usd": {"lognormal": {"median": "60k", "sigma": 1.0}}}),
    # The base-depeg pair up to 09:00 on 11 March: the USDC low (07:50) and the BTC low (08:07).
    "incidents/usdc-base-depeg": _cut("7h", **{"borrowers.count": 50, "market.step": "2m"}),
    "incidents/usdc-base-depeg-hardcoded": _cut("7h", **{"borrowers.count": 50, "market.step": "2m"}),
    # USDC as collateral up to 09:00: the first leg and the low.
    "incidents/usdc-depeg-march-2023": _cut("7h", **{"borrowers.count": 50}),
    # LUNA: the whole dated path (the clamp and the attack come at its end) at 30-minute steps.
    "incidents/luna-may-2022": _reduce(**{"borrowers.count": 40, "market.step": "30m"}),
    # Black Thursday: both legs at 5-minute steps.
    "black-thursday": _reduce(**{"borrowers.count": 60, "market.step": "5m"}),
    # The seed crash: the CEX side whole (its figures are the point); the chain with 40 borrowers
    # for 30 minutes (the cascade's low comes at ~13 minutes).
    "seed-crash": _reduce(**{"borrowers.count": 40, "market.duration": "30m"}),
    # Its control: the same market and keepers on a quiet chain (no congestion).
    "black-thursday-quiet": lambda doc: (VARIANTS["black-thursday"](doc), doc.pop("failures"), doc.pop("expect")),
}


def _number(cell: str) -> float | str:
    try:
        return float(cell)
    except ValueError:
        return cell


@dataclass
class DrillRun:
    """One finished run: its folder, summary, steps.csv rows (numbers as floats) and events."""

    name: str
    run_dir: Path
    drill: Doc
    summary: dict[str, Any]
    steps: list[dict[str, Any]]
    events: list[dict[str, Any]]
    wall_time_s: float
    _events_by_name: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    @property
    def onchain(self) -> dict[str, Any]:
        return self.summary["onchain"]

    def column(self, name: str) -> list[Any]:
        return [row[name] for row in self.steps]

    def events_named(self, event: str) -> list[dict[str, Any]]:
        if event not in self._events_by_name:
            self._events_by_name[event] = [e for e in self.events if e["event"] == event]
        return self._events_by_name[event]

    def rows_between(self, start_s: float, end_s: float) -> list[dict[str, Any]]:
        """steps.csv rows with start_s <= t_s < end_s."""
        return [row for row in self.steps if start_s <= row["t_s"] < end_s]

    def first_t_s(self, predicate: Callable[[dict[str, Any]], bool]) -> float | None:
        return next((row["t_s"] for row in self.steps if predicate(row)), None)

    def liquidation_times_s(self) -> list[float]:
        return [float(e["t_s"]) for e in self.events_named("Liquidation")]


def load_run(name: str, run_dir: Path, drill: Doc, wall_time_s: float) -> DrillRun:
    """Read through the run folder's owner (the only reader), then into plain rows for the tests."""
    run = run_folder.load_run(run_dir, require_summary=True)
    steps = [{k: _number(v) for k, v in row.items()} for row in run.steps.rows()]
    return DrillRun(name, run_dir, drill, run.summary or {}, steps, [e.as_dict() for e in run.events], wall_time_s)


#: Variants that are not a library file of their own: name -> the file they start from.
CONTROLS = {"sequencer-outage-live": "sequencer-outage", "black-thursday-quiet": "black-thursday"}


#: ``aave-v3/<variant>``: the same reduced variant on genuine Aave V3 (``protocol.kind: aave-v3``).
AAVE_PREFIX = "aave-v3/"


def variant_doc(name: str) -> Doc:
    if name.startswith(AAVE_PREFIX):
        return on_aave(variant_doc(name[len(AAVE_PREFIX):]))
    doc = yaml.safe_load((ORACLES / f"{CONTROLS.get(name, name)}.yaml").read_text())
    VARIANTS[name](doc)
    return doc


def on_aave(doc: Doc) -> Doc:
    """The drill on genuine Aave V3. A spot_manipulation attacker drives the reference pool's own
    functions (refused on other kinds at validation), so it is left out; nothing else changes."""
    doc.setdefault("protocol", {})["kind"] = "aave-v3"
    if "failures" in doc:
        doc["failures"] = [f for f in doc["failures"] if f.get("kind") != "spot_manipulation"]
    return doc


class DrillRuns:
    """Runs each library drill at most once per session (the reduced variant)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, DrillRun] = {}

    def __call__(self, name: str) -> DrillRun:
        if name not in self.cache:
            self.cache[name] = run_doc(self.root, name, variant_doc(name))
        return self.cache[name]


def run_doc(root: Path, name: str, doc: Doc) -> DrillRun:
    """Write ``doc`` to ``root/name/`` and run it there (``incidents/x`` -> ``x.yaml``), timed."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    drill_path = folder / f"{Path(name).name}.yaml"
    drill_path.write_text(yaml.safe_dump(doc, sort_keys=False))
    started = time.monotonic()
    outcome = finished_run(drill_path, out_dir=folder / "run")
    return load_run(name, outcome.run_dir, doc, time.monotonic() - started)


def finished_run(drill_path: Path, **kwargs: Any) -> RunOutcome:
    """``run_drill`` (no progress bar) that hands back the outcome of a run whose ``expect:`` bounds
    are not all met (exit status 6: the folder is complete) instead of raising: a reduced or changed
    drill may not show its character, and the test decides (``assert_expectations``) where it does."""
    try:
        return run_drill(drill_path, progress=False, **kwargs)
    except ExpectationsNotMet as err:
        outcome: RunOutcome = err.outcome
        return outcome


def fresh_and_forked(root: Path, make_doc: Callable[[], Doc], origin: Chain, address: str,
                     on_fork: Callable[[Doc], None] | None = None, **fork_chain: Any) -> dict[str, Any]:
    """The same drill twice, same seed: on a fresh chain, then on a fork of ``origin`` at its current
    block, attached to the protocol at ``address`` (``fork_chain``: more ``chain`` keys, e.g. whales;
    ``on_fork``: what else the fork's drill changes, e.g. ``borrowers: {from: protocol}``).
    Returns ``{"fresh": DrillRun, "fork": DrillRun, "fork_block": int}``."""
    fork_block = origin.block_number()
    fresh = run_doc(root, "fresh", make_doc())
    forked_doc = make_doc()
    if on_fork is not None:
        on_fork(forked_doc)
    forked_doc["chain"].update({"fork_url": origin.rpc_url, "fork_block": fork_block, **fork_chain})
    forked_doc["protocol"]["address"] = address
    return {"fresh": fresh, "fork": run_doc(root, "fork", forked_doc), "fork_block": fork_block}


LiquidationKey = tuple[int, str, str]


def liquidations_by_key(run: DrillRun) -> dict[LiquidationKey, dict[str, Any]]:
    """(step, account, collateral symbol) -> the ``Liquidation`` line's args: the key two runs of one
    drill on different chains share (token addresses differ, symbols do not)."""
    contracts = read_contracts(run.run_dir / CONTRACTS_JSON).contracts  # token names are their symbols
    symbol = {addr.lower(): name for name, addr in contracts.items()}
    out: dict[LiquidationKey, dict[str, Any]] = {}
    for event in run.events_named("Liquidation"):
        a = event["args"]
        asset = str(a["collateralAsset"])
        key = (int(event["step"]), str(a["account"]).lower(), symbol.get(asset.lower(), asset))
        assert key not in out, f"two liquidations of one account and collateral in step {key[0]}"
        out[key] = a
    return out


def amounts_by_key(run: DrillRun) -> dict[LiquidationKey, tuple[int, int]]:
    """(step, account, collateral symbol) -> (base repaid, collateral seized), raw."""
    return {k: (int(a["repaidBase"]), int(a["seizedCollateral"])) for k, a in liquidations_by_key(run).items()}


def assert_clean(run: DrillRun) -> None:
    """What every drill must show: the run finished and every invariant held."""
    assert run.summary["status"] == "ok", run.summary.get("error")
    assert run.summary["error"] is None
    assert run.summary["steps_completed"] == run.summary["steps_total"] == len(run.steps)
    invariants = run.onchain["invariants"]
    assert len(invariants) >= 4
    failed = [inv for inv in invariants if not inv["passed"]]
    assert not failed, failed
