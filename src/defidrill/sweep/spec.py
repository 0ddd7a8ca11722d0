"""A sweep file: a base drill, a grid and/or seeded random samples over dotted keys, what to plot.

    drill: flash-crash                     # a library drill's name, or a path relative to this file
    name: heartbeat-vs-bonus               # the sweep folder's default name (else the file's)
    set: {borrowers.count: 50}             # fixed overrides for every point
    grid:                                  # every combination (3 x 2 = 6 points)
      protocol.oracle.heartbeat: [10m, 30m, 1h]
      protocol.collateral.WBTC.bonus: [5%, 10%]
    samples:                               # and/or: seeded random draws (per grid combination)
      count: 4
      seed: 1
      params:
        keepers.0.latency: {int: [0, 3]}               # whole numbers, both ends included
        protocol.oracle.deviation: {uniform: [0.2%, 1%]}
        keepers.1.mode: {choice: [flash, capital]}
    seeds: [1, 2]                          # each point once per drill seed (default: the drill's own)
    metrics: [onchain.bad_debt_usd, cex.insurance_fund_draw_usd]   # what sweep.html plots
    plot: {x: protocol.oracle.heartbeat, y: protocol.collateral.WBTC.bonus}

Every headline metric (``defidrill.metrics.headline``) is always collected; ``metrics``
chooses the plots. A point is identified by its parameters and seed (``point_id``), so a
re-run finds the points it already finished.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from defidrill.drill import Override, resolve_drill
from defidrill.drill.limits import MAX_PROBLEMS_SHOWN, MAX_SEED, MAX_STUDY_FILE_BYTES, MAX_STUDY_RUNS
from defidrill.drill.schema.drill import folder_safe_name
from defidrill.drill.yaml_source import dotted, read_yaml
from defidrill.drill.units import UnitError, parse_duration, parse_fraction
from defidrill.errors import ConfigError
from defidrill.metrics.headline import known_metrics

__all__ = ["Point", "SweepSpec", "load_spec", "numeric_value"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Distribution(_Strict):
    """Exactly one of ``uniform: [low, high]`` (numbers, both ``%``, or both durations such as ``10m``),
    ``int: [low, high]``, ``choice: [...]``. A uniform draw keeps the unit of its ends (``17.2%``, ``754.1s``)."""

    uniform: tuple[Any, Any] | None = None
    int_: tuple[int, int] | None = Field(default=None, alias="int")
    choice: list[Any] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one(self) -> Distribution:
        given = [k for k in ("uniform", "int_", "choice") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of uniform: [low, high], int: [low, high], choice: [values]")
        if self.uniform is not None:
            low, high = self.uniform
            if _unit(low) is None or _unit(low) != _unit(high):
                raise ValueError("uniform takes two numbers, two percentages or two durations, e.g. [0.2%, 1%] "
                                 "or [10m, 40m]")
            if _number(low) > _number(high):
                raise ValueError("uniform: low is above high")
        if self.int_ is not None and self.int_[0] > self.int_[1]:
            raise ValueError("int: low is above high")
        return self

    def draw(self, rng: random.Random) -> Any:
        if self.choice is not None:
            return self.choice[rng.randrange(len(self.choice))]
        if self.int_ is not None:
            return rng.randint(*self.int_)
        assert self.uniform is not None
        low, high = self.uniform
        value = rng.uniform(_number(low), _number(high))
        unit = _unit(low)
        if unit == "duration":
            return f"{value:.6g}s"
        return f"{value * 100:.6g}%" if unit == "percent" else value


Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]


class Samples(_Strict):
    count: int = Field(ge=1)
    seed: Seed = 0
    params: dict[str, Distribution] = Field(min_length=1)

    @field_validator("count")
    @classmethod
    def _bounded(cls, count: int) -> int:
        if count > MAX_STUDY_RUNS:
            raise ValueError(f"{count:,} samples is above the maximum of {MAX_STUDY_RUNS:,} (each is a drill run)")
        return count


class Plot(_Strict):
    x: str | None = None
    y: str | None = None


class SweepSpec(_Strict):
    drill: str
    name: str | None = None
    set: dict[str, Any] = Field(default_factory=dict)
    grid: dict[str, list[Any]] = Field(default_factory=dict)
    samples: Samples | None = None
    seeds: list[Seed] | None = Field(default=None, min_length=1, max_length=MAX_STUDY_RUNS)
    metrics: list[str] = Field(default_factory=lambda: ["onchain.bad_debt_usd", "cex.losses_socialised_usd"],
                               min_length=1)
    plot: Plot = Field(default_factory=Plot)

    @field_validator("name")
    @classmethod
    def _folder_safe(cls, value: str | None) -> str | None:
        # The name names the sweep folder (sweeps/<name>/): the drill name's rule (``name: ../..`` climbed out).
        return None if value is None else folder_safe_name(value)

    @field_validator("grid")
    @classmethod
    def _grid_values(cls, grid: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in grid.items():
            if not values:
                raise ValueError(f"grid.{key}: give at least one value")
        return grid

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, metrics: list[str]) -> list[str]:
        return known_metrics(metrics)

    @model_validator(mode="after")
    def _axes(self) -> SweepSpec:
        if not self.grid and self.samples is None:
            raise ValueError("a sweep needs a grid, samples, or both")
        points = self.point_count
        if points > MAX_STUDY_RUNS:
            raise ValueError(f"grid x samples x seeds is {points:,} points; at most {MAX_STUDY_RUNS:,} "
                             "(each is a drill run): split the sweep")
        params = self.parameters
        for axis in (self.plot.x, self.plot.y):
            if axis is not None and axis not in params:
                raise ValueError(f"plot axis {axis!r} is not a swept key; allowed: {', '.join(params)}")
        return self

    @property
    def point_count(self) -> int:
        """How many points :func:`expand` will make, from the sizes alone (nothing is drawn)."""
        combos = math.prod(len(values) for values in self.grid.values())
        return combos * (self.samples.count if self.samples else 1) * (len(self.seeds) if self.seeds else 1)

    @property
    def parameters(self) -> list[str]:
        """The swept keys: grid first, then sampled."""
        return list(self.grid) + ([k for k in self.samples.params if k not in self.grid] if self.samples else [])


@dataclass(frozen=True)
class Point:
    """One drill variant: its swept values (dotted key -> value) and the seed (None: the drill's)."""

    index: int
    params: dict[str, Any]
    seed: int | None
    #: what else tells two points with the same values and seed apart (a risk study's run and its drawn
    #: path); None for a sweep's points, whose ids are then the hash of values and seed alone
    key: str | None = None

    @property
    def point_id(self) -> str:
        """Stable across runs and orderings: a hash of the values and the seed (and ``key`` when given)."""
        fields: dict[str, Any] = {"params": self.params, "seed": self.seed}
        if self.key is not None:
            fields["key"] = self.key
        blob = json.dumps(fields, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    @property
    def folder(self) -> str:
        return f"p{self.index:04d}-{self.point_id}"

    def overrides(self, fixed: dict[str, Any], label: str) -> list[Override]:
        where = f"{label} (point {self.index})"
        return ([Override.of(k, v, label=f"{label} set:") for k, v in fixed.items()]
                + [Override.of(k, v, label=where) for k, v in self.params.items()])


def expand(spec: SweepSpec) -> list[Point]:
    """Grid combinations x samples x seeds, in a stable order."""
    keys = list(spec.grid)
    combos = [dict(zip(keys, values)) for values in itertools.product(*(spec.grid[k] for k in keys))] or [{}]
    rng = random.Random(spec.samples.seed) if spec.samples else None
    variants: list[dict[str, Any]] = []
    for combo in combos:
        if spec.samples is None or rng is None:
            variants.append(combo)
            continue
        for _ in range(spec.samples.count):
            drawn = {k: d.draw(rng) for k, d in spec.samples.params.items()}
            variants.append({**combo, **drawn})
    seeds: list[int | None] = list(spec.seeds) if spec.seeds else [None]
    points = [Point(i, params, seed) for i, (params, seed) in
              enumerate((p, s) for p in variants for s in seeds)]
    return points


def load_spec(path: str | Path) -> tuple[SweepSpec, Path]:
    """Read a sweep file; returns the spec and the base drill's resolved path (ConfigError on a problem).

    Read as a drill file is (:func:`defidrill.drill.yaml_source.read_yaml`: a regular file within the
    size, depth, alias and value limits), then validated; a problem names the file, its line and key.
    """
    file = Path(path)
    data, marks = read_yaml(file, what="sweep file", max_bytes=MAX_STUDY_FILE_BYTES)
    if not isinstance(data, dict):
        raise ConfigError("a sweep file must be a mapping", file=str(file), allowed="keys: " + _keys())
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as error:
        problems = [(tuple(e["loc"]), e["msg"].removeprefix("Value error, ")) for e in error.errors(include_url=False)]
        if len(problems) == 1:
            loc, message = problems[0]
            raise ConfigError(message, file=str(file), line=marks.line_for(loc, key=True), path=dotted(loc) or None,
                              allowed="keys: " + _keys()) from None
        lines = [f"{file}:{marks.line_for(loc, key=True) or '?'}: {dotted(loc) or '<top>'}: {message}"
                 for loc, message in problems[:MAX_PROBLEMS_SHOWN]]
        raise ConfigError(f"{len(problems)} problems:\n" + "\n".join("  " + s for s in lines), file=str(file),
                          allowed="keys: " + _keys()) from None
    drill = Path(spec.drill)
    local = file.parent / drill
    return spec, resolve_drill(local if local.exists() else spec.drill)


def _keys() -> str:
    return ", ".join(f.alias or n for n, f in SweepSpec.model_fields.items())


def _unit(value: Any) -> str | None:
    """A uniform end's unit: ``number``, ``percent`` (``8%``), ``duration`` (``10m``), or None (neither)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        if value.strip().endswith("%"):
            return "percent"
        try:
            parse_duration(value)
        except (UnitError, ValueError):
            return None
        return "duration"
    return None


def _number(value: Any) -> float:
    if isinstance(value, str):
        return parse_duration(value) if _unit(value) == "duration" else parse_fraction(value)
    return float(value)


def numeric_value(value: Any) -> float | None:
    """A swept value as a number for a plot axis: 8% -> 0.08, 10m -> 600, 5 -> 5; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        for parse in (parse_fraction, parse_duration):
            try:
                return parse(value)
            except (UnitError, ValueError):
                continue
    return None
