"""A risk file: a base drill, a path family drawn per run, parameter values compared on the same paths.

    drill: flash-crash                  # a library drill's name, or a path relative to this file
    name: flagship-threshold            # the study's folder name (default: the file's), a drill name's rules
    seed: 1                             # seeds every run's path and draws (run r: the same on every value)
    runs: 200                           # runs per parameter value (``--runs`` overrides)
    population: per_run                 # per_run: each run draws its borrowers too; fixed: the drill's seed
    set: {borrowers.count: 200}         # fixed overrides for every run
    parameters:                         # the values compared; several keys: every combination
      threshold:                        # a name, several keys set together...
        keys: [protocol.collateral.WBTC.liquidation_threshold, protocol.collateral.WETH.liquidation_threshold]
        values: [75%, 80%, 85%]
        permissive: higher              # which way the frontier's "most permissive" lies (default higher)
      # or a dotted key and its values: protocol.oracle.heartbeat: [10m, 1h]
    paths: {family: shock, assets: [WBTC, WETH], draws: {drop: {uniform: [5%, 30%]}}}   # risk/paths.py
    events:                             # optional draws per run (risk/events.py)
      mm_withdraw: {probability: 50%, fraction: {uniform: [20%, 60%]}}
    metrics: [onchain.bad_debt_share_of_debt_pct]          # what risk.json summarises (headline names)
    constraint: {metric: onchain.bad_debt_share_of_debt_pct, quantile: 99%, max: 0.5%}
    confidence: 95%                     # the bootstrap intervals' level
    bootstrap: 2000                     # resamples per interval

The file is read by the drills' own safe YAML reader (size, depth and alias limits,
:mod:`defidrill.drill.yaml_source`) and every problem is reported with its line, as a drill's
are. Each run's overrides then go through the drills' one preflight (:mod:`defidrill.risk.plan`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from defidrill.drill import resolve_drill
from defidrill.drill.limits import MAX_SEED
from defidrill.drill.loader import LocatedProblem, raise_located
from defidrill.drill.replay_csv import ReplayCsvError, ReplaySeries, read_replay_series
from defidrill.drill.schema.drill import folder_safe_name
from defidrill.drill.schema.market import GbmJumps
from defidrill.drill.units import Duration, Fraction, UnitError, UnitFraction, parse_duration, parse_usd
from defidrill.drill.yaml_source import Marks, dotted, read_yaml
from defidrill.metrics.headline import known_metrics, unknown_metric_hint
from defidrill.sweep.spec import Distribution

__all__ = ["MAX_RISK_RUNS", "MAX_RISK_TOTAL_RUNS", "MAX_RISK_VALUES", "Constraint", "Parameter", "RiskSpec",
           "load_risk_spec", "metric_bound"]

#: Runs per parameter value: 5,000 runs of the reduced flagship are ~a day on 2 cores.
MAX_RISK_RUNS = 5_000
#: Parameter values (combinations) compared in one study.
MAX_RISK_VALUES = 50
#: Runs in one study (values x runs): each is a run folder on disk.
MAX_RISK_TOTAL_RUNS = 20_000
#: Bootstrap resamples per interval (20,000 x 5,000 draws is 100M numbers, ~1 GiB).
MAX_BOOTSTRAP = 20_000

DEFAULT_METRICS = ("onchain.bad_debt_share_of_debt_pct", "onchain.bad_debt_usd",
                   "onchain.liquidated_share_of_debt_pct", "cex.losses_socialised_share_of_open_interest_pct",
                   "cex.losses_socialised_usd")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


#: A drawn quantity: a fixed value (``30m``, ``20%``) or a distribution (``{uniform: [5%, 30%]}``).
Drawn = Distribution | str | float | int


class GbmLaw(_Strict):
    """A stated law: the drill's own ``gbm`` path parameters, and where the numbers come from."""

    mu: Annotated[float, Ge(-10.0), Le(10.0)] = 0.0
    sigma: Annotated[Fraction, Ge(0.0), Le(10.0)]
    jumps: GbmJumps | None = None
    source: str = Field(min_length=3)


class _CsvSource(_Strict):
    """A replay CSV (relative to the risk file), read once and checked row by row."""

    csv: str
    time_column: str = "time"
    price_column: str = "price"

    @field_validator("csv")
    @classmethod
    def _resolve(cls, value: str, info: ValidationInfo) -> str:
        path = Path(value)
        base = (info.context or {}).get("base_dir")
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        if not path.is_file():
            raise ValueError(f"CSV file not found: {path}")
        return str(path.resolve())

    def series(self) -> ReplaySeries:
        return read_replay_series(Path(self.csv), self.time_column, self.price_column)

    @model_validator(mode="after")
    def _rows(self) -> _CsvSource:
        try:
            series = self.series()
        except ReplayCsvError as err:
            raise ValueError(f"{self.csv}: {err}; allowed: {err.allowed}") from None
        if len(series.times_s) < 31:
            raise ValueError(f"{self.csv}: {len(series.times_s)} rows; allowed: at least 31 rows (30 returns)")
        return self


class Estimate(_CsvSource):
    """Estimate the law from a CSV's log returns (risk/paths.py: ``estimate_gbm_jumps``)."""

    #: a return further than this many robust standard deviations from the median is a jump
    jump_threshold: Annotated[float, Gt(1.0), Le(20.0)] = 4.0


class GbmJumpsFamily(_Strict):
    family: Literal["gbm_jumps"]
    assets: list[str] = Field(min_length=1)
    law: GbmLaw | None = None
    estimate: Estimate | None = None

    @model_validator(mode="after")
    def _one_law(self) -> GbmJumpsFamily:
        if (self.law is None) == (self.estimate is None):
            raise ValueError("give exactly one of law: {sigma, jumps, source} or estimate: {csv, ...}")
        return self


class BootstrapFamily(_CsvSource):
    family: Literal["bootstrap"]
    assets: list[str] = Field(min_length=1)
    block_s: Duration = Field(alias="block")


class ShockFamily(_Strict):
    family: Literal["shock"]
    assets: list[str] = Field(min_length=1)
    #: the path to shock (a drill path mapping, e.g. {kind: flash_crash, ...}); default: each asset's own
    path: dict[str, Any] | None = None
    #: fields of that path drawn per run, e.g. {drop: {uniform: [5%, 30%]}, at: {uniform: [10m, 40m]}}
    draws: dict[str, Distribution] = Field(min_length=1)


PathFamily = Annotated[GbmJumpsFamily | BootstrapFamily | ShockFamily, Field(discriminator="family")]


class MmWithdrawEvent(_Strict):
    probability: UnitFraction
    fraction: Drawn


class FeedFailureEvent(_Strict):
    probability: UnitFraction
    failure: dict[str, Any]          # a drill failure without at/for, e.g. {kind: stale, feed: WBTC}
    at: Drawn
    for_: Drawn = Field(alias="for")


class KeeperOutageEvent(_Strict):
    probability: UnitFraction
    keepers: list[str] | Literal["all"] = "all"
    at: Drawn
    for_: Drawn = Field(alias="for")


class Events(_Strict):
    mm_withdraw: MmWithdrawEvent | None = None
    feed_failure: FeedFailureEvent | None = None
    keeper_outage: KeeperOutageEvent | None = None


class Parameter(_Strict):
    """One compared parameter: its values, the dotted keys each value is set on, the permissive side."""

    name: str
    keys: list[str] = Field(min_length=1)
    values: list[Any] = Field(min_length=1)
    permissive: Literal["higher", "lower"] = "higher"


class Constraint(_Strict):
    """``metric``'s ``quantile`` must stay at or below ``max`` (in the metric's unit), judged on the upper bound."""

    metric: str
    quantile: Annotated[UnitFraction, Gt(0.0), Lt(1.0)]
    max: Any

    @model_validator(mode="after")
    def _bound(self) -> Constraint:
        hint = unknown_metric_hint(self.metric)
        if hint is not None:
            raise ValueError(f"unknown metric {self.metric!r}; allowed: {hint}")
        metric_bound(self.metric, self.max)
        return self

    @property
    def max_value(self) -> float:
        return metric_bound(self.metric, self.max)


def metric_bound(metric: str, value: Any) -> float:
    """A bound in the metric's own unit: ``_pct`` "0.5%" -> 0.5 (a percent number), ``_usd`` "20k",
    ``_s`` "10m"; else a plain number. A bare number for a ``_pct`` metric is refused (ambiguous)."""
    try:
        if metric.endswith("_pct"):
            if not (isinstance(value, str) and value.strip().endswith("%")):
                raise ValueError(f"{metric} is a percentage: write the bound with %, e.g. 0.5% (got {value!r})")
            return float(value.strip().removesuffix("%"))
        if metric.endswith("_usd"):
            return parse_usd(value)
        if metric.endswith("_s"):
            return parse_duration(value)
    except (UnitError, TypeError) as err:
        raise ValueError(f"cannot read the bound {value!r} for {metric}: {err}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{metric} takes a plain number as its bound (got {value!r})")
    return float(value)


class RiskSpec(_Strict):
    drill: str
    name: str | None = None
    seed: Annotated[int, Ge(0), Le(MAX_SEED)] = 0
    runs: Annotated[int, Ge(1), Le(MAX_RISK_RUNS)]
    population: Literal["per_run", "fixed"] = "per_run"
    set: dict[str, Any] = Field(default_factory=dict)
    parameters: list[Parameter] = Field(min_length=1)
    paths: PathFamily
    events: Events = Field(default_factory=Events)
    metrics: list[str] = Field(default_factory=lambda: list(DEFAULT_METRICS), min_length=1)
    constraints: list[Constraint] = Field(default_factory=list, alias="constraint")
    confidence: Annotated[UnitFraction, Ge(0.5), Lt(1.0)] = 0.95
    bootstrap: Annotated[int, Ge(100), Le(MAX_BOOTSTRAP)] = 2000

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else folder_safe_name(value)

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameters(cls, value: Any) -> Any:
        """``{dotted.key: [values]}`` or ``{name: {keys, values, permissive}}`` -> a list of Parameter."""
        if not isinstance(value, dict):
            return value
        out = []
        for name, body in value.items():
            if isinstance(body, list):
                out.append({"name": str(name), "keys": [str(name)], "values": body})
            elif isinstance(body, dict):
                out.append({"name": str(name), "keys": [str(name)], **body})
            else:
                out.append(body)
        return out

    @field_validator("constraints", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, metrics: list[str]) -> list[str]:
        return known_metrics(metrics)

    @model_validator(mode="after")
    def _sizes(self) -> RiskSpec:
        if self.variant_count > MAX_RISK_VALUES:
            raise ValueError(f"{self.variant_count} parameter values (every combination): at most {MAX_RISK_VALUES}")
        self.check_total(self.runs)
        for c in self.constraints:  # a constraint's metric is always summarised
            if c.metric not in self.metrics:
                self.metrics.append(c.metric)
        return self

    def check_total(self, runs: int) -> None:
        if self.variant_count * runs > MAX_RISK_TOTAL_RUNS:
            raise ValueError(f"{self.variant_count} values x {runs} runs is more than {MAX_RISK_TOTAL_RUNS:,} runs")

    @property
    def variant_count(self) -> int:
        n = 1
        for p in self.parameters:
            n *= len(p.values)
        return n

    @property
    def keys(self) -> list[str]:
        """Every dotted key a parameter sets (the table's ``param.<key>`` columns)."""
        return [k for p in self.parameters for k in p.keys]


def load_risk_spec(path: str | Path) -> tuple[RiskSpec, Path]:
    """Read a risk file through the drills' safe reader; the spec and the base drill's path (ConfigError)."""
    file = Path(path)
    data, marks = read_yaml(file, "risk file")
    try:
        spec = RiskSpec.model_validate(data, context={"base_dir": str(file.parent)})
    except ValidationError as error:
        raise_located(_located(error, marks), str(file))
    drill = Path(spec.drill)
    local = file.parent / drill
    return spec, resolve_drill(local if local.is_file() else spec.drill)


def _located(error: ValidationError, marks: Marks) -> list[LocatedProblem]:
    out = []
    allowed = "keys: " + ", ".join(f.alias or n for n, f in RiskSpec.model_fields.items())
    for err in error.errors(include_url=False):
        loc = tuple(err["loc"])
        # a union's branch names (e.g. "shock", "function-after[...]") are not YAML keys
        loc = tuple(p for p in loc if isinstance(p, int) or not any(c in str(p) for c in "[]()") and p not in
                    ("gbm_jumps", "bootstrap", "shock", "str", "float", "int", "Distribution"))
        message = err["msg"].removeprefix("Value error, ")
        value = err.get("input")
        if isinstance(value, (dict, list)) or err["type"] == "missing":
            value = None
        is_key = err["type"] in ("extra_forbidden", "missing")
        out.append(LocatedProblem(dotted(loc), marks.line_for(loc, key=is_key), message, value,
                                  allowed if len(loc) <= 1 and err["type"] == "extra_forbidden" else None))
    return out
