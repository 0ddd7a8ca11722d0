"""`python -m bench --quick` runs to the end: every group prints its rows with their targets and
results.json holds them (issue 22: `make bench` once failed after 200 s on its 50,000-borrower row,
unnoticed because nothing ran it). The figures themselves are not asserted: this machine is shared,
and a target is a goal, not a test."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Rows of the quick run: chain (tx path against raw with and without receipts, health read, seeding's
#: open_positions), drill (one size; the health bound on over off), cex, sweep, risk (wall, s per run,
#: overhead), protocols (Aave and Morpho over reference), backends (anvil over revm, and the gas figures
#: that differ between them), forkbook (the forked book found and read, its run per account-step, over the
#: same book seeded fresh).
EXPECTED_ROWS = 18


@pytest.mark.slow
def test_quick_bench_completes_and_writes_every_row(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    run = subprocess.run([sys.executable, "-m", "bench", "--quick", "--results", str(results)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    doc = json.loads(results.read_text())
    assert doc["quick"] is True
    rows = doc["rows"]
    assert len(rows) == EXPECTED_ROWS, [r["name"] for r in rows]
    for row in rows:
        assert row["error"] is None, row
        assert math.isfinite(row["value"]) and math.isfinite(row["target"]), row
        assert row["met"] == (row["value"] >= row["target"] if row["higher_is_better"] else row["value"] < row["target"])
        # printed with its target: the row's line carries the comparison and the target
        line = next(x for x in run.stdout.splitlines() if x.startswith(row["name"]))
        assert (">=" if row["higher_is_better"] else "<") in line and f"{row['target']:g}" in line, line
    assert f"of {EXPECTED_ROWS} targets met, 0 failed" in run.stdout
    assert "== feed takeover ==" in run.stdout and "== Aave V3 reads ==" in run.stdout
