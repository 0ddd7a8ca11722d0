"""Risk as a distribution: Monte Carlo over price paths, quantiles with intervals, a parameter frontier.

    defidrill risk oracles/risk/flagship-threshold.yaml        # a LocalCluster, one worker per core
    frame = defidrill.risk.load("risk/flagship-threshold")      # pandas DataFrame, one row per run
    result = defidrill.risk.load_result("risk/flagship-threshold")   # risk.json as its model

Modules: ``spec`` (the risk file), ``paths`` (path families), ``plan`` (runs, draws, preflight),
``stats`` (pure statistics), ``result`` (risk.json), ``html`` (risk.html), ``runner`` (the sweep's
Dask loop). docs/risk.md states every estimator.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from defidrill.risk.spec import RiskSpec, load_risk_spec

if TYPE_CHECKING:
    import pandas as pd

    from defidrill.risk.result import RiskResult

__all__ = ["RiskSpec", "load", "load_result", "load_risk_spec", "run_risk"]


def load(risk_dir: str | Path) -> pd.DataFrame:
    """A study folder's results table (one row per run: ``variant``, ``run``, ``param.*``, ``draw.*``, metrics)."""
    from defidrill.sweep.catalog import load as load_table

    return load_table(risk_dir)


def load_result(risk_dir: str | Path) -> RiskResult:
    """risk.json of a finished study, as its versioned model."""
    from defidrill.risk.result import read_result

    return read_result(risk_dir)


def run_risk(*args: Any, **kwargs: Any) -> Any:
    """See :func:`defidrill.risk.runner.run_risk` (imported lazily: Dask loads only for a study)."""
    from defidrill.risk.runner import run_risk as _run

    return _run(*args, **kwargs)
