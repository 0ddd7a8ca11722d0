"""A 16-point sweep on Dask: interrupted with Ctrl-C, resumed on an existing cluster, tabulated and plotted.

Small points (2 minutes of 10 s steps, 8 borrowers, a few hundred CEX positions) so the
whole test stays well under a minute and a half on two cores. Expectations come from the
drill itself: the CEX replays the reference path, so its exogenous drop is the step's
``change`` and its position count is the swept ``cex.positions.count``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import psutil
import pytest

import defidrill.sweep as sweep
from defidrill.sweep.runner import run_sweep
from support.processes import wait_dead

DRILL = """name: tiny
market:
  step: 10s
  duration: 2m
  assets:
    WBTC: {start: 60000, path: {kind: step, at: 30s, change: -5%}}
    USDC: 1
borrowers: {count: 8}
cex: {positions: {count: 300}}
"""

SWEEP = """drill: tiny.yaml
name: tiny-grid
grid:
  market.assets.WBTC.path.change: [-2%, -4%, -6%, -8%]
  cex.positions.count: [200, 400]
seeds: [1, 2]
metrics: [cex.liquidation_count, onchain.min_health_factor]
"""


def _rows(csv: Path) -> int:
    try:
        return max(0, len(csv.read_text().splitlines()) - 1)
    except FileNotFoundError:
        return 0


@pytest.mark.slow
def test_sweep_interrupts_resumes_and_plots(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(DRILL)
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SWEEP)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}

    # 1. Ctrl-C once a few points have finished: a clean stop, a readable table, no process left behind
    proc = subprocess.Popen([sys.executable, "-m", "defidrill.cli", "sweep", str(spec), "--out", str(out),
                             "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while _rows(out / "results.csv") < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    tree = [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
    assert any("anvil" in " ".join(_cmdline(pid)) for pid in tree) or _rows(out / "results.csv") >= 3
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, output
    assert "interrupted" in output and "Traceback" not in output
    assert all(wait_dead(pid, 20) for pid in tree), "a worker or an anvil outlived the interrupted sweep"
    before = sweep.load(out)
    assert 3 <= len(before) < 16 and set(before["status"]) == {"ok"}
    stamps = {r: (out / r / "summary.json").stat().st_mtime_ns for r in before["run_dir"]}

    # 2. resume on an existing Dask cluster (what --scheduler tcp://HOST:PORT reaches)
    from dask.distributed import LocalCluster

    lines: list[str] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        outcome = run_sweep(spec, out_dir=out, scheduler=cluster.scheduler_address, echo=lines.append)
    assert outcome.points == 16 and outcome.skipped == len(before) and outcome.ran == 16 - len(before)
    assert outcome.failed == 0, lines
    assert {r: (out / r / "summary.json").stat().st_mtime_ns for r in before["run_dir"]} == stamps  # not re-run

    # 3. one row per point with its parameters, seed and headline metrics; CSV copy alike
    frame = sweep.load(out)
    assert len(frame) == 16 and frame["point_id"].is_unique and set(frame["status"]) == {"ok"}
    assert sorted(frame["seed"].tolist()) == [1] * 8 + [2] * 8
    for row in frame.to_dict("records"):
        change_pct = float(row["param.market.assets.WBTC.path.change"].rstrip("%"))
        assert row["cex.exogenous_drop_pct"] == pytest.approx(-change_pct, abs=1e-9)
        assert row["cex.start_index_price_usd"] == 60_000
        assert row["cex.positions_count"] == row["param.cex.positions.count"]
        assert row["wall_time_s"] > 0 and (out / row["run_dir"] / "steps.csv").is_file()
        assert len((out / row["run_dir"] / "steps.csv").read_text().splitlines()) == 1 + 13  # 2m / 10s + 1
    assert len(pd.read_csv(out / "results.csv")) == 16

    # 4. sweep.html: one heatmap per metric, 4 changes x 2 position counts, every cell filled
    page = (out / "sweep.html").read_text()
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    svgs = [ET.fromstring(s) for s in _svgs(page)]
    assert len(svgs) == 2
    ns = "{http://www.w3.org/2000/svg}"
    cells = [r for r in svgs[0].iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert len(cells) == 8 and all(c.get("fill") != "#e0e0e0" for c in cells)
    labels = {t.text for t in svgs[0].iter(f"{ns}text")}
    assert {"-8%", "-2%", "200", "400"} <= labels

    # 5. a second run finds nothing to do
    again = run_sweep(spec, out_dir=out, echo=lines.append)
    assert again.skipped == 16 and again.ran == 0


def _cmdline(pid: int) -> list[str]:
    try:
        return psutil.Process(pid).cmdline()
    except psutil.Error:
        return []


def _svgs(page: str) -> list[str]:
    import re

    return re.findall(r"<svg.*?</svg>", page, re.S)
