"""The Python front door's verbs, for notebooks and scripts (re-exported by ``defidrill``).

    import defidrill
    outcome = defidrill.run("flash-crash", overrides=["borrowers.count=50"])   # a library name or a file
    run = defidrill.load_run(outcome.run_dir)        # the run folder, typed
    drill = defidrill.validate("oracles/stale-feed-crash.yaml")   # the preflight `run` uses; ConfigError

Each verb is the one the CLI uses, under a short name: nothing here adds behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from defidrill.drill.overrides import Override, as_overrides, resolve_drill
from defidrill.drill.schema import Drill
from defidrill.engine.invariants import UserCheckFn
from defidrill.preflight import preflight
from defidrill.runner import RunOutcome, run_drill


def run(drill: str | Path, *, out_dir: str | Path | None = None, seed: int | None = None,
        overrides: Sequence[Override | str] = (), force: bool = False, progress: bool = False,
        checks: Sequence[UserCheckFn] = (), rpc_url: str | None = None, backend: str | None = None) -> RunOutcome:
    """Run a drill (a file, or a library drill's name) as ``defidrill run`` does; quiet by default.

    Raises the branch of :class:`~defidrill.errors.DrillError` the CLI maps to its exit status
    (ConfigError 2, ToolchainError 3, ChainError/OutputError 4, InvariantError 5); the run folder
    is finished whatever happens."""
    return run_drill(resolve_drill(drill), out_dir=Path(out_dir) if out_dir is not None else None, seed=seed,
                     progress=progress, force=force, overrides=overrides, checks=checks, rpc_url=rpc_url,
                     backend=backend)


def validate(drill: str | Path, *, seed: int | None = None, overrides: Sequence[Override | str] = (),
             backend: str | None = None) -> Drill:
    """The validated drill, through the same preflight as ``run`` (raises ConfigError naming file and line)."""
    path = resolve_drill(drill)
    return preflight(path, seed=seed, overrides=as_overrides(overrides, file=str(path)), backend=backend).drill
