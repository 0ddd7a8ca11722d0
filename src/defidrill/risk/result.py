"""risk.json: the study's statistics as one versioned pydantic model, built from the results table.

The table (``results.parquet``, the sweep catalog's format) holds one row per run; this module
groups it by parameter value and calls the pure statistics (:mod:`defidrill.risk.stats`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from defidrill.run_folder.atomic import write_text_atomic
from defidrill.errors import ConfigError
from defidrill.risk.plan import Variant
from defidrill.risk.spec import RiskSpec
from defidrill.risk.stats import QUANTILE_METHOD, Estimate, MetricStats, convergence, frontier, summarise

__all__ = ["RISK_JSON", "RiskResult", "SIDE_BY_SIDE", "build_result", "read_result", "summarised_metrics", "write_result"]

RISK_JSON = "risk.json"
SCHEMA_VERSION = 1
#: The chain's bad debt beside the CEX's socialised losses, in USD and as a share of each venue's book.
SIDE_BY_SIDE = (("onchain.bad_debt_usd", "cex.losses_socialised_usd"),
                ("onchain.bad_debt_share_of_debt_pct", "cex.losses_socialised_share_of_open_interest_pct"))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Interval(_Model):
    value: float
    low: float
    high: float


class Stats(_Model):
    n: int
    n_null: int
    mean: Interval | None
    quantiles: dict[str, Interval]       # "p50", "p90", "p95", "p99"
    p_positive: Interval | None


class VariantResult(_Model):
    index: int
    values: dict[str, Any]
    runs: int
    ok: int
    failed: int
    metrics: dict[str, Stats]


class ConvergencePoint(_Model):
    n: int
    value: float
    low: float
    high: float


class ConstraintVariant(_Model):
    variant: int
    values: dict[str, Any]
    estimate: Interval | None
    met: bool


class FrontierEntry(_Model):
    parameter: str
    fixed: dict[str, Any]
    meets: list[Any]
    fails: list[Any]
    most_permissive: Any | None


class ConstraintResult(_Model):
    metric: str
    quantile: float
    max: float
    judged_on: str = "the upper bound of the interval"
    variants: list[ConstraintVariant]
    frontier: list[FrontierEntry]


class RiskResult(_Model):
    schema_version: int = SCHEMA_VERSION
    name: str
    drill: str
    runs_per_value: int
    seed: int
    population: str
    paired: str = "common random numbers: run r has the same path, events and seeds for every parameter value"
    family: dict[str, Any]
    parameters: list[dict[str, Any]]
    confidence: float
    bootstrap_resamples: int
    quantile_method: str = QUANTILE_METHOD
    interval_method: str = "percentile bootstrap"
    variants: list[VariantResult]
    side_by_side: list[dict[str, str]]
    convergence: dict[str, dict[str, list[ConvergencePoint]]]   # metric -> variant index -> points (p99)
    convergence_quantile: float = 0.99
    constraints: list[ConstraintResult]
    timing: dict[str, float]


def _label(q: float) -> str:
    return f"p{q * 100:g}"


def _interval(e: Estimate | None) -> Interval | None:
    return None if e is None else Interval(value=e.value, low=e.low, high=e.high)


def _stats(s: MetricStats) -> Stats:
    return Stats(n=s.n, n_null=s.n_null, mean=_interval(s.mean), p_positive=_interval(s.p_positive),
                 quantiles={_label(q): Interval(value=e.value, low=e.low, high=e.high) for q, e in s.quantiles.items()})


def _values(frame: pd.DataFrame, metric: str) -> list[float | None]:
    if metric not in frame:
        return []
    series = pd.to_numeric(frame.sort_values("run")[metric], errors="coerce")
    return [None if pd.isna(v) else float(v) for v in series]


def summarised_metrics(spec: RiskSpec) -> list[str]:
    """The file's metrics, then the side-by-side pairs (always: the CEX's socialised losses beside bad debt)."""
    return list(dict.fromkeys([*spec.metrics, *(m for pair in SIDE_BY_SIDE for m in pair)]))


def build_result(spec: RiskSpec, name: str, frame: pd.DataFrame, variants: list[Variant], runs: int,
                 family: dict[str, Any], timing: dict[str, float]) -> RiskResult:
    """Group the table by variant and summarise every metric (each with its own seeded bootstrap)."""
    per: list[VariantResult] = []
    conv: dict[str, dict[str, list[ConvergencePoint]]] = {}
    summaries: dict[tuple[int, str], list[float | None]] = {}
    for v in variants:
        rows = frame[frame["variant"] == v.index] if len(frame) else frame
        ok = rows[rows["status"] == "ok"] if len(rows) else rows
        metrics = {}
        for i, metric in enumerate(summarised_metrics(spec)):
            values = _values(ok, metric)
            summaries[(v.index, metric)] = values
            metrics[metric] = _stats(summarise(values, level=spec.confidence, resamples=spec.bootstrap,
                                               seed=spec.seed * 1000 + i))
        per.append(VariantResult(index=v.index, values=v.values, runs=len(rows), ok=len(ok),
                                 failed=len(rows) - len(ok), metrics=metrics))
    for metric in dict.fromkeys([*(c.metric for c in spec.constraints), spec.metrics[0]]):
        conv[metric] = {str(v.index): [ConvergencePoint(n=n, value=e.value, low=e.low, high=e.high) for n, e in
                                       convergence(summaries[(v.index, metric)], 0.99, level=spec.confidence,
                                                   resamples=spec.bootstrap, seed=spec.seed)]
                        for v in variants}
    constraints = []
    for c in spec.constraints:
        judged = []
        for v in variants:
            s = summarise(summaries[(v.index, c.metric)], level=spec.confidence, resamples=spec.bootstrap,
                          quantiles=(c.quantile,), seed=spec.seed)
            e = s.quantiles.get(float(c.quantile))
            judged.append(ConstraintVariant(variant=v.index, values=v.values, estimate=_interval(e),
                                            met=e is not None and e.high <= c.max_value))
        slices = frontier([v.values for v in variants], [j.estimate.high if j.estimate else None for j in judged],
                          c.max_value, orders={p.name: p.values for p in spec.parameters},
                          permissive={p.name: p.permissive for p in spec.parameters})
        constraints.append(ConstraintResult(metric=c.metric, quantile=c.quantile, max=c.max_value, variants=judged,
                                            frontier=[FrontierEntry(**s.__dict__) for s in slices]))
    return RiskResult(
        name=name, drill=spec.drill, runs_per_value=runs, seed=spec.seed, population=spec.population, family=family,
        parameters=[p.model_dump(mode="json") for p in spec.parameters], confidence=spec.confidence,
        bootstrap_resamples=spec.bootstrap, variants=per,
        side_by_side=[{"onchain": a, "cex": b} for a, b in SIDE_BY_SIDE], convergence=conv, constraints=constraints,
        timing=timing)


def write_result(risk_dir: Path, result: RiskResult) -> Path:
    # atomic, never through a link planted in the study's folder (the run folder's own writer)
    return write_text_atomic(risk_dir / RISK_JSON, result.model_dump_json(indent=2) + "\n")


def read_result(risk_dir: str | Path) -> RiskResult:
    """risk.json of a study folder, validated by its model."""
    path = Path(risk_dir) / RISK_JSON
    if not path.is_file():
        raise ConfigError("no risk.json: not a risk study folder, or the study has not finished", file=str(path),
                          allowed="a folder written by `defidrill risk`")
    return RiskResult.model_validate(json.loads(path.read_text()))

