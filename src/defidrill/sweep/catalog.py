"""A sweep's results table: one row per finished point, in Parquet (pyarrow) with a CSV copy.

Columns: ``point_id``, ``point`` (index), ``param.<dotted key>`` for each swept key,
``seed``, ``status`` (ok / failed), ``error``, ``wall_time_s`` (the point's run, on its
worker), ``run_dir`` (relative to the sweep folder), then every headline metric
(``onchain.*``, ``cex.*``, ``comparison.<metric>.onchain|cex``; see metrics/headline.py).

The table is rewritten atomically (temporary file, then rename) as points finish (at most every
``sweep.runner.WRITE_EVERY_S`` seconds, and at the end or on Ctrl-C), so a sweep killed at any moment
leaves a readable table of what finished; a re-run reads it and skips those points. Query many
sweeps at once with DuckDB or pandas (docs/sweeps.md).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

from defidrill.errors import ConfigError
from defidrill.metrics.headline import headline_names
from defidrill.run_folder import write_bytes_atomic

__all__ = ["Catalog", "RESULTS_CSV", "RESULTS_PARQUET", "load"]

RESULTS_PARQUET = "results.parquet"
RESULTS_CSV = "results.csv"
BASE_COLUMNS = ["point_id", "point", "seed", "status", "error", "wall_time_s", "run_dir"]
PARAM = "param."

Row = dict[str, Any]


def load(sweep_dir: str | Path) -> pd.DataFrame:
    """A sweep folder's results as a pandas DataFrame (one row per finished point)."""
    path = Path(sweep_dir) / RESULTS_PARQUET
    if not path.is_file():
        raise ConfigError("no results table: not a sweep folder, or no point has finished yet", file=str(path),
                          allowed="a folder written by `defidrill sweep`")
    return pd.read_parquet(path)


class Catalog:
    """The results table of one sweep folder, kept in memory and written on every change."""

    def __init__(self, sweep_dir: Path, parameters: list[str], extra_columns: list[str] | None = None) -> None:
        self.dir = sweep_dir
        self.parameters = parameters
        #: columns after the parameters (a risk study's run index and draws); none for a sweep
        self.extra_columns = list(extra_columns or [])
        self.rows: dict[str, Row] = {}
        path = sweep_dir / RESULTS_PARQUET
        if path.is_file():
            for row in pd.read_parquet(path).to_dict("records"):
                self.rows[str(row["point_id"])] = {k: (None if _missing(v) else v) for k, v in row.items()}

    def finished(self, *, retry_failed: bool = False) -> set[str]:
        """Point ids a re-run skips: every recorded point, or only the ok ones with ``retry_failed``."""
        return {pid for pid, row in self.rows.items() if not retry_failed or row.get("status") == "ok"}

    def add(self, row: Row, *, write: bool = True) -> None:
        """Record a finished point; ``write=False`` leaves the files to the caller's next :meth:`write`."""
        self.rows[str(row["point_id"])] = row
        if write:
            self.write()

    def columns(self) -> list[str]:
        return BASE_COLUMNS + [PARAM + p for p in self.parameters] + self.extra_columns + headline_names()

    def frame(self) -> pd.DataFrame:
        rows = sorted(self.rows.values(), key=lambda r: int(r.get("point") or 0))
        frame = pd.DataFrame(rows, columns=self.columns())
        for name in frame.columns:
            if name.startswith(PARAM) or name in self.extra_columns or name in ("error", "status", "run_dir", "point_id"):
                frame[name] = _one_type(frame[name])
            elif name != "seed":
                frame[name] = pd.to_numeric(frame[name], errors="coerce")
        frame["seed"] = pd.array(frame["seed"], dtype="Int64")
        return frame

    def write(self) -> None:
        """Both tables through the run folder's atomic writer (never through a link planted in the folder)."""
        frame = self.frame()
        parquet = io.BytesIO()
        frame.to_parquet(parquet, index=False)
        write_bytes_atomic(self.dir / RESULTS_PARQUET, parquet.getvalue())
        write_bytes_atomic(self.dir / RESULTS_CSV, frame.to_csv(index=False).encode("utf-8"))


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _one_type(column: pd.Series) -> pd.Series:
    """Parquet needs one type per column: numbers stay numbers, anything mixed becomes text."""
    values = [v for v in column if v is not None and not _missing(v)]
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return pd.to_numeric(column)
    return column.map(lambda v: None if v is None or _missing(v) else str(v)).astype("string")
