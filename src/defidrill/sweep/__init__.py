"""Parameter sweeps on Dask: many variants of one drill, one results table, one page of plots.

    defidrill sweep sweeps/heartbeat.yaml                  # a LocalCluster, one worker per core
    defidrill sweep sweeps/heartbeat.yaml --scheduler tcp://10.0.0.5:8786
    frame = defidrill.sweep.load("sweeps/heartbeat")       # pandas DataFrame, one row per point

Modules: ``spec`` (the sweep file, its points), ``runner`` (Dask, resume, Ctrl-C),
``catalog`` (the Parquet/CSV table), ``plot`` (sweep.html).
"""

from defidrill.sweep.catalog import load
from defidrill.sweep.spec import Point, SweepSpec, expand, load_spec


def run_sweep(*args, **kwargs):  # type: ignore[no-untyped-def]
    """See :func:`defidrill.sweep.runner.run_sweep` (imported lazily: Dask loads only for a sweep)."""
    from defidrill.sweep.runner import run_sweep as _run

    return _run(*args, **kwargs)


__all__ = ["Point", "SweepSpec", "expand", "load", "load_spec", "run_sweep"]
