"""defidrill: a crash-test lab for DeFi (README.md; the manual in docs/).

The documented Python API, importable from here (``import defidrill``)::

    defidrill.run(drill, *, out_dir=None, seed=None, overrides=(), ...)  -> RunOutcome
    defidrill.validate(drill, *, seed=None, overrides=())                 -> Drill
    defidrill.load_run(run_dir)                                          -> RunFolder
    defidrill.load_drill(path)                                           -> Drill
    defidrill.DrillError, ConfigError, ToolchainError, ChainError, RevertError, OutputError,
    InvariantError, ExpectationsNotMet, Interrupted                      (the error tree)

Names load on first use (PEP 562), so ``import defidrill`` stays cheap for the CLI and the pytest
plugin: the chain side (web3, the compiler) is imported only when a verb needs it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from defidrill.errors import (
    ChainError, ConfigError, DrillError, ExpectationsNotMet, Interrupted, InvariantError, OutputError, RevertError,
    ToolchainError,
)

if TYPE_CHECKING:
    from defidrill.api import run, validate
    from defidrill.drill import Drill, load_drill
    from defidrill.run_folder import RunFolder, load_run
    from defidrill.runner import RunOutcome, run_drill

#: public name -> the module that defines it
_LAZY = {
    "run": "defidrill.api", "validate": "defidrill.api",
    "run_drill": "defidrill.runner", "RunOutcome": "defidrill.runner",
    "load_run": "defidrill.run_folder", "RunFolder": "defidrill.run_folder",
    "load_drill": "defidrill.drill", "Drill": "defidrill.drill",
}

__all__ = [
    "ChainError", "ConfigError", "Drill", "DrillError", "ExpectationsNotMet",
    "Interrupted", "InvariantError", "OutputError", "RevertError",
    "RunFolder", "RunOutcome", "ToolchainError", "load_drill", "load_run", "run", "run_drill", "validate",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'defidrill' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
