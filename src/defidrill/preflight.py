"""The one gate: everything a run would refuse, refused before anvil starts.

``defidrill validate`` and ``defidrill run`` both call :func:`preflight`, so a drill that
validates cannot fail later on its input (STYLE.md, "One gate"). In order:

1. the YAML, read within size, depth and alias limits (:mod:`defidrill.drill.yaml_source`);
2. the schema: types, units, stated maxima (:mod:`defidrill.drill.limits`), cross-section
   rules, replay CSVs read row by row (:mod:`defidrill.drill.schema`);
3. the built price paths: every price finite and in range, pair reserves that fit
   (:mod:`defidrill.drill.path_checks`); a positions file's rows against the drill's collateral
   and start prices (:func:`defidrill.drill.population.population_problems`);
4. the run's own translations, exercised without a chain: the protocol config the world
   builder deploys and the CEX venue's parameters. Whatever they refuse is reported like
   the rest, with the file and line;
5. the user's build (``protocol.artifacts``): loaded, or its sources compiled with the drill's solc;
6. the user's own invariants (``invariants.custom``): each "module:function" imported;
7. the expectations (``expect:``): each metric a headline name ("did you mean" otherwise), each
   bound readable in the metric's unit (:mod:`defidrill.drill.schema.expect`).

Each step reports every problem it finds as one ConfigError (exit status 2), a line per
problem naming file, line, YAML path, value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


import numpy as np
from pydantic import ValidationError

from defidrill.cex.from_drill import venue_params
from defidrill.drill.limits import MAX_SEED
from defidrill.drill.loader import DrillSource, load_drill_source
from defidrill.drill.overrides import Override
from defidrill.drill.path_checks import path_problems
from defidrill.drill.paths import MarketPath, build_paths
from defidrill.drill.population import population_problems
from defidrill.chain.backends import check_backend
from defidrill.drill.schema import Drill, Problem
from defidrill.drill.schema.checks import backend_problems
from defidrill.engine.invariants import UserInvariant
from defidrill.drill.protocol_spec import protocol_spec
from defidrill.drill.schema.expect import resolve_expectations
from defidrill.errors import ConfigError, ToolchainError
from defidrill.metrics.headline import unknown_metric_hint
from defidrill.protocol.registry import adapter_class
from defidrill.user_code import load_callable

__all__ = ["Checked", "ValidationResult", "preflight", "validate_files"]


@dataclass(frozen=True)
class Checked:
    """A drill that passed the preflight, with its price paths (the run uses these, not a rebuild)."""

    drill: Drill
    path: MarketPath
    source: DrillSource
    checks: tuple[UserInvariant, ...] = ()  # invariants.custom, imported


def preflight(drill_path: str | Path, *, seed: int | None = None, overrides: Sequence[Override | str] = (),
              backend: str | None = None, rpc_url: str | None = None) -> Checked:
    """Check ``drill_path`` as ``defidrill run`` would use it (``seed`` = ``--seed``, ``overrides`` = ``--set``
    or a sweep point's values, ``backend`` = ``--backend``, ``rpc_url`` = a running node to run on);
    raise ConfigError."""
    if backend is not None:
        check_backend(backend)
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ConfigError("--seed is out of range", file=str(drill_path), path="seed", value=seed,
                          allowed=f"a whole number from 0 to {MAX_SEED} (2^63 - 1)")
    source = load_drill_source(drill_path, seed=seed, overrides=overrides)
    if backend is not None and backend != source.drill.chain.backend:
        source = _on_backend(source, backend)
    drill = source.drill
    if rpc_url is not None and drill.chain.backend != "anvil":
        raise ConfigError("a running node (rpc_url) is an anvil: the revm backend runs in process",
                          file=str(drill_path), path="chain.backend", value=drill.chain.backend,
                          allowed="anvil with rpc_url")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        path = build_paths(drill)  # an overflowing path is refused below, as a problem, not a warning
    problems = path_problems(drill, path) + population_problems(drill, path)
    if problems:
        source.raise_problems(problems)
    _translations(source, path)
    _user_build(source)
    checks = _user_invariants(source)
    _expectations(source)
    return Checked(drill, path, source, checks)


def _expectations(source: DrillSource) -> None:
    """``expect:``: names the headline knows (else "did you mean"), bounds in each metric's unit."""
    drill = source.drill
    problems: list[Problem] = []
    readable = {}
    for metric, bounds in drill.expect.items():
        hint = unknown_metric_hint(metric)
        if hint is None:
            readable[metric] = bounds
        else:
            problems.append(Problem(("expect", metric), "unknown metric", metric, hint))
    problems.extend(resolve_expectations(readable, drill.chain.block_time_s)[1])
    if problems:
        source.raise_problems(problems)


def _on_backend(source: DrillSource, backend: str) -> DrillSource:
    """The drill with ``--backend`` applied (not an override: the drill file and its recorded overrides
    stay as written), refused here if the backend cannot run it."""
    drill = source.drill.model_copy(update={"chain": source.drill.chain.model_copy(update={"backend": backend})})
    problems = backend_problems(drill)
    if problems:
        source.raise_problems([replace(p, message=f"{p.message} (--backend {backend})") for p in problems])
    return replace(source, drill=drill)


def _user_invariants(source: DrillSource) -> tuple[UserInvariant, ...]:
    """``invariants.custom``: each spec imported from the drill's folder or the current one."""
    problems: list[Problem] = []
    loaded: list[UserInvariant] = []
    for i, spec in enumerate(source.drill.invariants.custom):
        try:
            fn = load_callable(spec, [Path(source.file).resolve().parent], field=f"invariants.custom.{i}",
                               what="a function check(chain, step) returning None or Broken")
        except ConfigError as err:
            problems.append(_problem_of(err, "invariants"))
            continue
        loaded.append(UserInvariant.of(fn, spec))
    if problems:
        source.raise_problems(problems)
    return tuple(loaded)


#: Characters of the compiler's own message a refusal quotes (it quotes the user's source lines).
COMPILER_MESSAGE_CHARS = 1_200


def _user_build(source: DrillSource) -> None:
    """``protocol.artifacts``: the user's build loaded, or their sources compiled (cached by source hash,
    so the run's load is a cache hit), with the drill's ``contracts`` and ``solc``. A source that does not
    compile, a contract the build lacks or a solc that is not installed is refused here, not at run time."""
    built = source.drill.protocol.artifacts
    if built is None:
        return
    from defidrill.toolchain.user_artifacts import load_artifacts

    try:
        load_artifacts(built.path, contracts=built.contracts, solc=built.solc)
    except ToolchainError as err:
        text = str(err)
        if len(text) > COMPILER_MESSAGE_CHARS:
            text = text[:COMPILER_MESSAGE_CHARS] + f" ... ({len(text) - COMPILER_MESSAGE_CHARS:,} more characters)"
        field = "solc" if built.solc is not None and "is not installed" in text else "path"
        allowed = ("a solc-js version installed under node_modules (solc or solc-<version>)" if field == "solc"
                   else "a build folder or .sol sources that compile, holding every contract named in contracts")
        source.raise_problems([Problem(("protocol", "artifacts") + ((field,) if field == "solc" else ()),
                                       f"the user's build: {text}", None, allowed)])


def _translations(source: DrillSource, path: MarketPath) -> None:
    """What the world builder and the CEX venue would refuse, refused now with file and line."""
    drill = source.drill
    problems: list[Problem] = []
    search = [Path(source.file).resolve().parent]
    if drill.protocol.kind == "external":
        # The user's adapter is imported here, not by the (pure) schema: a wrong path, a missing class or
        # missing interface methods are refused at protocol.adapter's line.
        try:
            adapter_class(drill.protocol.kind, drill.protocol.adapter, search)
        except ConfigError as err:
            source.raise_problems([Problem(("protocol", "adapter"), err.message, drill.protocol.adapter, err.allowed)])
    try:
        # The protocol kind's own refusals (what genuine Aave V3 cannot express) come last.
        adapter = adapter_class(drill.protocol.kind, drill.protocol.adapter, search)
        adapter.check_config(protocol_spec(drill, path, 0.0))
        if drill.protocol.address is not None and not adapter.attaches():
            problems.append(Problem(("protocol", "address"), f"the adapter {adapter.__name__} cannot attach to a "
                                    "deployed protocol (it implements no discover/attach)", drill.protocol.address,
                                    "an adapter with discover() and attach() (docs/adapters.md), or no protocol.address"))
        b = drill.borrowers
        if b.from_protocol and b.listed_accounts is None and not adapter.discovers_borrowers():
            problems.append(Problem(("borrowers", "from"), f"the adapter {adapter.__name__} cannot find the forked "
                                    "protocol's borrowers (it implements no discover_borrowers)", "protocol",
                                    "borrowers.accounts or borrowers.accounts_csv listing them (docs/drills.md)"))
    except ConfigError as err:
        problems.append(_problem_of(err, "protocol"))
    except ValidationError as err:
        problems.extend(Problem(("protocol",), f"the protocol layer refuses it: {e['msg']}",
                                None, "what the reference contracts accept (docs/lending.md)")
                        for e in err.errors(include_url=False))
    if drill.protocol.kind != "reference":
        for i, failure in enumerate(drill.failures):
            if failure.kind == "spot_manipulation":
                problems.append(Problem(
                    ("failures", i, "kind"),
                    "the spot_manipulation attacker (SpotManipulator) deposits and borrows through the reference "
                    f"pool's own functions; it has no {drill.protocol.kind} version",
                    failure.kind, "spot_manipulation only with protocol.kind: reference"))
    if drill.cex.enabled and drill.cex_asset is not None:
        try:
            venue_params(drill)
        except ConfigError as err:
            problems.append(_problem_of(err, "cex"))
    if problems:
        source.raise_problems(problems)


def _problem_of(err: ConfigError, section: str) -> Problem:
    """A layer's ConfigError (dotted ``path``, no file) as a Problem the loader can place."""
    loc: tuple[Any, ...] = tuple(part for part in (err.path or section).split(".") if part)
    return Problem(loc, err.message, err.value, err.allowed)


@dataclass(frozen=True)
class ValidationResult:
    """What ``defidrill validate`` reports per file: the checked drill, or the error."""

    path: Path
    checked: Checked | None
    error: ConfigError | None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def drill(self) -> Drill | None:
        return None if self.checked is None else self.checked.drill

    def summary(self) -> str:
        """One line for a valid drill (what it will run), the full message otherwise."""
        if self.checked is None:
            return str(self.error)
        d = self.checked.drill
        return (f"ok {self.path}: {d.name}: {d.market.step_count} steps of {d.market.step_s:g} s, "
                f"{len(d.market.assets)} assets, {d.borrowers.count} borrowers, "
                f"{len(d.keepers)} keepers, {len(d.failures)} failures")


def validate_files(paths: Iterable[str | Path], overrides: Sequence[str] = ()) -> list[ValidationResult]:
    """Preflight several drill files without running them (``defidrill validate FILE...``).

    The CLI prints ``result.summary()`` for each and exits 2 if any ``not result.ok``.
    """
    results = []
    for raw in paths:
        file = Path(raw)
        try:
            results.append(ValidationResult(file, preflight(file, overrides=overrides), None))
        except ConfigError as err:
            results.append(ValidationResult(file, None, err))
    return results
