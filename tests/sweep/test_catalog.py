"""The results table (Parquet + CSV, one type per column, resume ids) and the plot's cell means."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import defidrill.sweep as sweep
from defidrill.errors import ConfigError
from defidrill.sweep.catalog import Catalog
from defidrill.sweep.plot import cell_means


def _row(pid: str, point: int, x: Any, y: Any, status: str, metric: float | None) -> dict[str, Any]:
    return {"point_id": pid, "point": point, "seed": 1, "status": status, "error": None if status == "ok" else "boom",
            "wall_time_s": 1.5, "run_dir": f"points/{pid}", "param.x": x, "param.y": y,
            "onchain.bad_debt_usd": metric}


def test_rows_round_trip_with_one_type_per_column(tmp_path: Path) -> None:
    cat = Catalog(tmp_path, ["x", "y"])
    cat.add(_row("a", 0, 1, "10m", "ok", 100.0))
    cat.add(_row("b", 1, "2%", "1h", "failed", None))       # x mixes a number and a percentage: text
    frame = sweep.load(tmp_path)
    assert list(frame["param.x"]) == ["1", "2%"] and list(frame["param.y"]) == ["10m", "1h"]
    assert frame["onchain.bad_debt_usd"].tolist()[0] == 100.0 and pd.isna(frame["onchain.bad_debt_usd"][1])
    assert "cex.liquidation_count" in frame.columns                  # every headline column, even if empty
    assert len(pd.read_csv(tmp_path / "results.csv")) == 2
    again = Catalog(tmp_path, ["x", "y"])                             # what a re-run reads back
    assert again.finished() == {"a", "b"} and again.finished(retry_failed=True) == {"a"}


def test_a_folder_without_results_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no results table"):
        sweep.load(tmp_path)


def test_cells_are_means_of_their_ok_points_in_numeric_order() -> None:
    frame = pd.DataFrame([_row("a", 0, "10m", "5%", "ok", 100.0), _row("b", 1, "10m", "5%", "ok", 300.0),
                          _row("c", 2, "1h", "5%", "ok", 50.0), _row("d", 3, "1h", "5%", "failed", 9e9),
                          _row("e", 4, "30m", "10%", "ok", 7.0)])
    xs, ys, grid = cell_means(frame, "onchain.bad_debt_usd", "x", "y")
    assert xs == ["10m", "30m", "1h"] and ys == ["5%", "10%"]          # 600 s < 1,800 s < 3,600 s
    assert grid == [[200.0, None, 50.0], [None, 7.0, None]]           # (100 + 300) / 2; the failed point ignored
