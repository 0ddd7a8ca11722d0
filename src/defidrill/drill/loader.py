"""Load drill files: YAML with line numbers kept, every problem reported in ONE ConfigError.

A user who mistypes ``liquidation_treshold`` on line 14 must read, without a traceback::

    oracles/mine.yaml:14: protocol.collateral.WBTC.liquidation_treshold: unknown key
    (got 'liquidation_treshold'); allowed: ltv, liquidation_threshold, bonus, supply_cap
    (did you mean liquidation_threshold?)

so this module keeps each YAML node's line (``yaml.compose`` marks), validates with the
pydantic schema, and maps each pydantic error location back to the YAML path and line.
Several problems are collected into one message (one line each), and the error keeps them
typed in ``err.problems``.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Union

from pydantic import BaseModel, ValidationError

from defidrill.drill.limits import MAX_PROBLEMS_SHOWN
from defidrill.drill.overrides import Override, apply_overrides, as_overrides, override_path
from defidrill.drill.schema import Drill, Problem
from defidrill.drill.yaml_source import Marks, dotted, read_yaml
from defidrill.errors import ConfigError, quoted

__all__ = ["load_drill", "load_drill_source", "parse_drill", "DrillSource", "LocatedProblem"]


@dataclass(frozen=True)
class LocatedProblem:
    """A problem placed in the file: dotted YAML ``path`` and 1-based ``line`` (None if unknown)."""

    path: str
    line: int | None
    message: str
    value: Any = None
    allowed: str | None = None
    #: the override (``--set key=value``) the problem lies under; named instead of the file and line
    source: str | None = None

    def render(self, file: str) -> str:
        where = self.source or (f"{file}:{self.line}" if self.line is not None else file)
        text = f"{where}: {self.path or '<top>'}: {self.message}"
        if self.value is not None:
            text += f" (got {quoted(self.value)})"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        return text


# ---- pydantic error -> YAML path ----------------------------------------------------


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Map a pydantic ``loc`` onto keys/indexes that exist in ``data``.

    pydantic adds elements that are not in the file: the discriminator tag of a union
    (``flash_crash``), union member names (``str``, ``list[...]``), ``[key]``. They are
    dropped; a missing field's name is kept as the last element.
    """
    out: list[Any] = []
    cur: Any = data
    for el in loc:
        if isinstance(cur, Mapping):
            if el in cur:
                out.append(el)
                cur = cur[el]
            elif cur.get("kind") == el or not isinstance(el, str) or "[" in el:
                continue
            else:
                out.append(el)  # a missing (required) field
                cur = None
        elif isinstance(cur, list) and isinstance(el, int) and 0 <= el < len(cur):
            out.append(el)
            cur = cur[el]
        # anything else (a union member name on a scalar) is not in the file
    return tuple(out)


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class at ``loc`` (best effort; None when a union makes it ambiguous)."""
    tp: Any = root
    for el in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if origin in (Union, types.UnionType):
            members = [_unwrap(m) for m in typing.get_args(tp) if m is not type(None)]
            tagged = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)
                      and "kind" in m.model_fields and m.model_fields["kind"].default == el]
            if tagged:
                tp = tagged[0]
                continue
            structured = [m for m in members if (isinstance(m, type) and issubclass(m, BaseModel))
                          or typing.get_origin(m) in (dict, list)]
            if len(structured) != 1:
                return None
            tp = structured[0]
            origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = next((f for n, f in tp.model_fields.items() if el in (n, f.alias)), None)
            if field is None:
                return None
            tp = field.annotation
        elif origin is dict and isinstance(el, str):
            tp = typing.get_args(tp)[1]
        elif origin is list and isinstance(el, int):
            tp = typing.get_args(tp)[0]
        else:
            return None
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (Union, types.UnionType):
        models = [m for m in typing.get_args(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
        tp = models[0] if len(models) == 1 else None
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def _allowed_for(err: Mapping[str, Any], model: type[BaseModel] | None) -> str | None:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if "allowed" in ctx:
        return str(ctx["allowed"])
    if kind == "literal_error":
        return str(ctx.get("expected"))
    if kind == "union_tag_invalid":
        return f"kind one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"a `{ctx.get('discriminator', 'kind').strip(chr(39))}` key"
    if kind == "missing":
        return "this key is required"
    for bound, word in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
        if bound in ctx:
            return f"a value {word} {ctx[bound]}"
    if kind in ("too_short", "too_long"):
        return f"at least {ctx.get('min_length')} item(s)" if kind == "too_short" else f"at most {ctx.get('max_length')}"
    if kind in ("model_type", "dict_type", "model_attributes_type") and model is not None:
        return "a mapping with keys: " + ", ".join(_keys_of(model))
    return _ALLOWED_BY_TYPE.get(kind, "what docs/drills.md lists for this key")


#: What is allowed, by pydantic error type, when the schema gave nothing more precise.
_ALLOWED_BY_TYPE = {
    "finite_number": "a finite number",
    "float_type": "a number", "float_parsing": "a number",
    "int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
    "string_type": "text", "bool_type": "true or false", "bool_parsing": "true or false",
    "list_type": "a list", "tuple_type": "a list", "dict_type": "a mapping", "model_type": "a mapping",
}


def _problems_from(error: ValidationError, data: Any) -> list[Problem]:
    out: list[Problem] = []
    for err in error.errors(include_url=False):
        ctx = err.get("ctx") or {}
        if err["type"] == "drill_cross_check":
            out.extend(ctx["problems"])
            continue
        raw_loc = tuple(err["loc"])
        loc = _data_path(data, raw_loc)
        if "field" in ctx:
            loc = loc + (ctx["field"],)
        if err["type"] == "extra_forbidden":
            key = loc[-1] if loc else raw_loc[-1]
            parent = _model_at(Drill, raw_loc[:-1])
            known = _keys_of(parent) if parent is not None else []
            allowed = ", ".join(known) or None
            close = difflib.get_close_matches(str(key), known, n=1)
            if close and allowed:
                allowed += f" (did you mean {close[0]}?)"
            out.append(Problem(loc, "unknown key", key, allowed))
            continue
        value = ctx.get("value", err.get("input"))
        if isinstance(value, (Mapping, list)) or err["type"] == "missing":
            value = None  # a whole section is not a useful "got"
        model = _model_at(Drill, raw_loc)
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        out.append(Problem(loc, message, value, _allowed_for(err, model)))
    return out


def _override_for(loc: tuple[Any, ...], overrides: Sequence[Override]) -> Override | None:
    """The last override at, under or above ``loc`` (the value that put the problem there).

    A key holding dots (an ``expect:`` metric, ``onchain.bad_debt_usd``) matches the override that
    spelled it as dotted parts (``--set expect.onchain.bad_debt_usd.max=1M``)."""
    found = None
    loc = tuple(q for p in loc for q in (override_path(p) if isinstance(p, str) and "." in p else (p,)))
    for override in overrides:
        parts = override.parts
        n = min(len(parts), len(loc))
        if n and tuple(loc[:n]) == parts[:n]:
            found = override
    return found


def _locate(problems: Iterable[Problem], marks: Marks, overrides: Sequence[Override] = ()) -> list[LocatedProblem]:
    out = []
    for p in problems:
        is_key = p.message in ("unknown key",) or p.message == "Field required"
        override = _override_for(tuple(p.loc), overrides)
        line = None if override is not None else marks.line_for(tuple(p.loc), key=is_key)
        out.append(LocatedProblem(dotted(p.loc), line, p.message, p.value, p.allowed,
                                  None if override is None else override.source))
    return out


def _duplicates(marks: Marks) -> list[LocatedProblem]:
    return [LocatedProblem(dotted(p.loc), line, p.message, p.value, p.allowed) for p, line in marks.duplicates]


def raise_located(problems: list[LocatedProblem], file: str) -> NoReturn:
    """Raise ONE ConfigError for ``problems``: a line each, by line, the first MAX_PROBLEMS_SHOWN shown.

    A file with 50,000 unknown keys gets 50 lines and "and 49,950 more", not a 500 MB message.
    ``err.problems`` keeps them all, typed; the error's own fields describe the first.
    """
    problems = sorted(problems, key=lambda p: (p.line if p.line is not None else 10**9, p.path))
    if len(problems) == 1:
        p = problems[0]
        err = ConfigError(p.message, file=p.source or file, path=p.path or None, line=p.line, value=p.value,
                          allowed=p.allowed)
    else:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        body = "\n".join("  " + p.render(file) for p in shown)
        if len(problems) > len(shown):
            body += f"\n  and {len(problems) - len(shown):,} more problems (fix these first)"
        err = ConfigError(f"{len(problems):,} problems in the drill file:\n{body}", file=file)
        # The typed fields point at the first problem, so callers can still branch on them.
        first = problems[0]
        err.path, err.line, err.value, err.allowed = first.path, first.line, first.value, first.allowed
    err.problems = problems  # type: ignore[attr-defined]
    raise err


# ---- public API -------------------------------------------------------------------


@dataclass(frozen=True)
class DrillSource:
    """A validated drill and where it came from, so later checks can point at a line too."""

    drill: Drill
    file: str
    marks: Marks
    overrides: tuple[Override, ...] = ()

    def raise_problems(self, problems: Iterable[Problem]) -> NoReturn:
        """Raise one ConfigError locating each problem (YAML path tuple) in this file, or in an override."""
        raise_located(_locate(problems, self.marks, self.overrides), self.file)

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        """The line of the key at ``path`` (or its nearest ancestor in the file)."""
        return self.marks.line_for(path, key=True)


def parse_drill(data: Any, *, file: str = "<drill>", base_dir: Path | str | None = None,
                marks: Marks | None = None, overrides: Sequence[Override] = ()) -> Drill:
    """Validate a mapping (already-parsed YAML, or built in Python) into a :class:`Drill`.

    ``base_dir`` resolves relative CSV paths (defaults to the current directory).
    ``overrides`` (already applied to ``data``) are named in the problems under their keys.
    Raises one :class:`ConfigError` listing every problem found.
    """
    marks = marks or Marks()
    if not isinstance(data, Mapping):
        raise ConfigError("a drill file must be a mapping of sections", file=file,
                          line=marks.value_line.get(()), value=None if data is None else type(data).__name__,
                          allowed="name, description, seed, chain, market, protocol, amm, borrowers, "
                                  "keepers, arbitrage, failures, cex")
    try:
        drill = Drill.model_validate(data, context={"base_dir": Path(base_dir) if base_dir is not None else Path.cwd()})
    except ValidationError as error:
        raise_located(_duplicates(marks) + _locate(_problems_from(error, data), marks, overrides), file)
    if marks.duplicates:
        raise_located(_duplicates(marks), file)
    return drill


def load_drill_source(path: str | Path, *, seed: int | None = None,
                      overrides: Sequence[Override | str] = ()) -> DrillSource:
    """Read and validate a drill file, keeping its lines; ``seed`` overrides the file's (``--seed``).

    ``overrides`` (``--set``, sweep points) are applied to the parsed document first, so they
    pass the same validation; a problem under an overridden key names the override instead
    of the file's line.

    The drill's ``name`` defaults to the file name without ``.yaml``; CSV paths are
    resolved against the file's folder. Raises one :class:`ConfigError` (exit status 2)
    naming file, YAML path, line, value and what is allowed for every problem.
    """
    file = Path(path)
    overrides = as_overrides(overrides, file=str(file))
    data, marks = read_yaml(file)
    if overrides:
        data = apply_overrides(data, overrides)
    if isinstance(data, dict):
        if "name" not in data:
            data = {"name": file.stem.removesuffix(".yaml"), **data}
        if seed is not None:
            data = {**data, "seed": seed}
            marks.value_line.pop(("seed",), None)  # the value is the command line's, not the file's
            marks.key_line.pop(("seed",), None)
    drill = parse_drill(data, file=str(file), base_dir=file.parent, marks=marks, overrides=overrides)
    return DrillSource(drill, str(file), marks, tuple(overrides))


def load_drill(path: str | Path, overrides: Sequence[Override | str] = ()) -> Drill:
    """Read and validate a drill file's schema (see :func:`load_drill_source`).

    ``defidrill validate`` and ``run`` go further through :func:`defidrill.preflight.preflight`
    (price paths, contract limits), which starts from this.
    """
    return load_drill_source(path, overrides=overrides).drill
