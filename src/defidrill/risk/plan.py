"""A risk study's runs: parameter values x runs, each run's path and events drawn once, then checked.

Common random numbers: run ``r``'s path, shock draws, events and (``population: per_run``)
borrower seed come from streams seeded by ``(seed, r)`` only, never by the parameter value,
so every value is run on exactly the same ``runs`` paths and the comparison between values is
paired (their difference has no path-to-path noise in it).

A generated path reaches the drill as its own ``replay`` path: ``paths/rNNNNN.csv`` in the
study's folder (one ``time`` column, one price column per asset), named by an override of
``market.assets.<asset>.path``; the run folder copies it as it copies any replay CSV. A
``shock`` draw is an override of the drill's own path fields. Every task is then checked by
the drills' one preflight, with its overrides, exactly as ``defidrill run --set`` would be.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from defidrill.drill.overrides import Override, apply_overrides
from defidrill.drill.paths import grid_times
from defidrill.drill.schema import Drill
from defidrill.drill.yaml_source import read_yaml
from defidrill.errors import ConfigError
from defidrill.risk.paths import (
    STREAM_EVENTS, STREAM_PATH, STREAM_SHOCK, RelativePath, block_bootstrap, estimate_gbm_jumps, gbm_jumps_path,
    run_rng, shock_draws,
)
from defidrill.risk.spec import BootstrapFamily, Drawn, GbmJumpsFamily, RiskSpec, ShockFamily
from defidrill.sweep.runner import POINTS, PointTask
from defidrill.sweep.spec import Distribution, Point

__all__ = ["Base", "RunDraw", "Variant", "base_of", "draw_columns", "draw_runs", "family_info", "make_tasks", "validate_tasks",
           "variants", "PATHS"]

PATHS = "paths"
DRAW = "draw."


@dataclass(frozen=True)
class Variant:
    """One parameter value (or combination): by parameter name, and as the dotted keys it sets."""

    index: int
    values: dict[str, Any]
    params: dict[str, Any]


@dataclass(frozen=True)
class RunDraw:
    """Run ``run``'s draws, the same for every variant: its overrides and the table columns they show as."""

    run: int
    seed: int | None
    overrides: tuple[tuple[str, Any], ...]
    columns: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Identifies the draws (a changed family or event changes the run's id, so resume reruns it)."""
        blob = json.dumps([self.run, self.overrides, self.columns], sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Base:
    """The base drill after ``set:``: as validated (grid, start prices) and as the YAML document (lists to extend)."""

    drill: Drill
    doc: dict[str, Any]


def variants(spec: RiskSpec) -> list[Variant]:
    """Every combination of the parameters' values, in the file's order."""
    out = []
    for i, combo in enumerate(itertools.product(*(p.values for p in spec.parameters))):
        values = {p.name: v for p, v in zip(spec.parameters, combo)}
        params = {k: v for p, v in zip(spec.parameters, combo) for k in p.keys}
        out.append(Variant(i, values, params))
    return out


def base_of(spec: RiskSpec, drill_path: Path, label: str) -> Base:
    """The drill with ``set:`` and the first value applied, through the preflight (its refusals first)."""
    from defidrill.preflight import preflight

    fixed = [Override.of(k, v, label=f"{label} set:") for k, v in spec.set.items()]
    first = [Override.of(k, v, label=f"{label} parameters:") for k, v in variants(spec)[0].params.items()]
    drill = preflight(drill_path, overrides=[*fixed, *first]).drill
    data, _ = read_yaml(drill_path)
    return Base(drill, apply_overrides(data, fixed))


def _value(value: Drawn, rng: random.Random) -> Any:
    return value.draw(rng) if isinstance(value, Distribution) else value


def _run_seed(spec: RiskSpec, run: int) -> int | None:
    if spec.population == "fixed":
        return None
    return int(np.random.SeedSequence([spec.seed, run, 0]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def family_info(spec: RiskSpec) -> dict[str, Any]:
    """What the family draws from, as risk.json states it (the estimated law, with its estimator's figures)."""
    fam = spec.paths
    if isinstance(fam, GbmJumpsFamily):
        if fam.law is not None:
            return {"family": "gbm_jumps", "assets": fam.assets, "law": fam.law.model_dump(mode="json", by_alias=True)}
        assert fam.estimate is not None
        series = fam.estimate.series()
        law = estimate_gbm_jumps(series.times_s, series.prices, jump_threshold=fam.estimate.jump_threshold)
        return {"family": "gbm_jumps", "assets": fam.assets, "law": {**law.as_gbm(),
                "source": f"estimated from {fam.estimate.csv} ({fam.estimate.price_column}): {law.returns} returns "
                          f"at {law.interval_s:g} s, {law.jumps} beyond {fam.estimate.jump_threshold:g} robust sd"},
                "estimate": law.__dict__}
    if isinstance(fam, BootstrapFamily):
        series = fam.series()
        interval = float(np.median(np.diff(series.times_s)))
        return {"family": "bootstrap", "assets": fam.assets, "csv": fam.csv, "price_column": fam.price_column,
                "interval_s": interval, "block_s": fam.block_s, "block_returns": _block(fam.block_s, interval),
                "returns": len(series.prices) - 1}
    return {"family": "shock", "assets": fam.assets, "path": fam.path,
            "draws": {k: d.model_dump(mode="json", by_alias=True, exclude_none=True) for k, d in fam.draws.items()}}


def _block(block_s: float, interval_s: float) -> int:
    return max(1, round(block_s / interval_s))


def draw_runs(spec: RiskSpec, base: Base, runs: int, risk_dir: Path, label: str) -> list[RunDraw]:
    """Each run's path (a CSV under ``paths/`` when generated) and events."""
    fam = spec.paths
    drill = base.drill
    for i, asset in enumerate(fam.assets):
        market = drill.market.assets.get(asset)
        if market is None or (not isinstance(fam, ShockFamily) and market.start_price_usd is None):
            raise ConfigError("each asset of the path family is a drill asset with a start price", file=label,
                              path=f"paths.assets.{i}", value=asset,
                              allowed=", ".join(a for a, m in drill.market.assets.items() if m.start_price_usd))
    info = family_info(spec)
    (risk_dir / PATHS).mkdir(parents=True, exist_ok=True)
    out = []
    for r in range(runs):
        overrides: list[tuple[str, Any]] = []
        columns: dict[str, Any] = {}
        if isinstance(fam, ShockFamily):
            drawn = shock_draws(fam.draws, random.Random(f"{spec.seed}:{r}:{STREAM_SHOCK}"))
            columns.update({DRAW + k: v for k, v in drawn.items()})
            for asset in fam.assets:
                if fam.path is not None:
                    overrides.append((f"market.assets.{asset}.path", {**fam.path, **drawn}))
                else:
                    overrides += [(f"market.assets.{asset}.path.{k}", v) for k, v in drawn.items()]
        else:
            path = _generated(spec, info, drill, r)
            csv = risk_dir / PATHS / f"r{r:05d}.csv"
            path.write_csv(csv, {a: float(drill.market.assets[a].start_price_usd or 0.0) for a in fam.assets})
            columns[DRAW + "path_drawdown_pct"] = path.drawdown_pct
            for asset in fam.assets:
                overrides.append((f"market.assets.{asset}.path", {"kind": "replay", "csv": str(csv.resolve()),
                                                                  "time_column": "time", "price_column": asset}))
        overrides += _events(spec, base, r, columns)
        out.append(RunDraw(r, _run_seed(spec, r), tuple(overrides), columns))
    return out


def _generated(spec: RiskSpec, info: dict[str, Any], drill: Drill, run: int) -> RelativePath:
    rng = run_rng(spec.seed, run, STREAM_PATH)
    if info["family"] == "gbm_jumps":
        law = info["law"]
        jumps = law.get("jumps")
        return gbm_jumps_path(grid_times(drill), drill.market.step_s, mu=law["mu"], sigma=law["sigma"],
                              jumps=jumps if jumps else None, rng=rng)
    fam = spec.paths
    assert isinstance(fam, BootstrapFamily)
    series = fam.series()
    return block_bootstrap(np.diff(np.log(series.prices)), interval_s=info["interval_s"],
                           duration_s=drill.market.duration_s, block=info["block_returns"], rng=rng)


def _events(spec: RiskSpec, base: Base, run: int, columns: dict[str, Any]) -> list[tuple[str, Any]]:
    """The optional events: each draws its occurrence and sizes every run (the streams stay aligned)."""
    rng = random.Random(f"{spec.seed}:{run}:{STREAM_EVENTS}")
    ev = spec.events
    out: list[tuple[str, Any]] = []
    if ev.mm_withdraw is not None:
        happens, fraction = rng.random() < ev.mm_withdraw.probability, _value(ev.mm_withdraw.fraction, rng)
        columns[DRAW + "mm_withdraw_fraction"] = fraction if happens else "0%"
        out.append(("cex.book.mm_withdraw.fraction", fraction if happens else "0%"))
    if ev.feed_failure is not None:
        f = ev.feed_failure
        happens, at, length = rng.random() < f.probability, _value(f.at, rng), _value(f.for_, rng)
        columns[DRAW + "feed_failure_at"] = at if happens else None
        columns[DRAW + "feed_failure_for"] = length if happens else None
        if happens:
            out.append(("failures", [*(base.doc.get("failures") or []), {**f.failure, "at": at, "for": length}]))
    if ev.keeper_outage is not None:
        k = ev.keeper_outage
        happens, at, length = rng.random() < k.probability, _value(k.at, rng), _value(k.for_, rng)
        columns[DRAW + "keeper_outage_at"] = at if happens else None
        columns[DRAW + "keeper_outage_for"] = length if happens else None
        keepers = base.doc.get("keepers") or []
        names = [kp.get("name") for kp in keepers]
        chosen = names if k.keepers == "all" else k.keepers
        for name in chosen:
            if name not in names:
                raise ConfigError("no keeper of that name in the drill", file="events.keeper_outage.keepers",
                                  value=name, allowed=", ".join(str(n) for n in names) or "the drill has no keepers")
        if happens:
            for i, keeper in enumerate(keepers):
                if keeper.get("name") in chosen:
                    out.append((f"keepers.{i}.offline", [*(keeper.get("offline") or []), {"at": at, "for": length}]))
    return out


def make_tasks(spec: RiskSpec, drill_path: Path, draws: list[RunDraw], risk_dir: Path,
               label: str) -> list[PointTask]:
    """One sweep task per (variant, run): ``set:``, the value, then the run's draws; each a lean run
    (:func:`defidrill.runner.run_drill`: the study reads its summary, so no report and no CEX fill table).

    Run by run (run 0 of every value, then run 1...): the workers take them in that order, so a study
    stopped part way has the same runs done at every value (paired, comparable), not one value done."""
    tasks = []
    runs = len(draws)
    for d in draws:
        for variant in variants(spec):
            point = Point(variant.index * runs + d.run, variant.params, d.seed, key=d.key)
            tasks.append(PointTask(point, str(drill_path.resolve()), spec.set, label,
                                   str((risk_dir / POINTS / point.folder).resolve()), str(risk_dir.resolve()),
                                   extra=d.overrides, lean=True,
                                   columns=(("variant", variant.index), ("run", d.run), *d.columns.items())))
    return tasks


def validate_tasks(tasks: list[PointTask], drill_path: Path, label: str) -> None:
    """The preflight of every task (each value applied as an override, checked like ``--set``)."""
    from defidrill.preflight import preflight

    problems: list[str] = []
    for task in tasks:
        try:
            preflight(drill_path, seed=task.point.seed, overrides=task.overrides())
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
        raise ConfigError(f"{len(problems)} of {len(tasks)} runs do not validate (nothing was started):\n"
                          + "\n".join("  " + p for p in shown), file=label)


def draw_columns(draws: list[RunDraw]) -> list[str]:
    """The table's draw columns, in the order the runs have them."""
    seen: dict[str, None] = {}
    for d in draws:
        seen.update(dict.fromkeys(d.columns))
    return list(seen)

