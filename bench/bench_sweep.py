"""A 16-point sweep of small points with 2 workers versus 1 (target speed-up >= 1.6).

Both sweeps run the same points from scratch on a fresh LocalCluster; the speed-up is the
ratio of their wall times, cluster start included (what a user waits for).
Run: PYTHONPATH=src python -m bench.bench_sweep
"""

from __future__ import annotations

import functools

import tempfile
from pathlib import Path

from bench.rows import Row, timed
from defidrill.sweep.runner import run_sweep

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
grid:
  market.assets.WBTC.path.change: [-2%, -4%, -6%, -8%]
  cex.positions.count: [200, 400]
seeds: [1, 2]
"""
#: The smoke run's sweep: 4 points (the speed-up of so few points is noise; the row checks the path runs).
QUICK_SWEEP = """drill: tiny.yaml
grid:
  market.assets.WBTC.path.change: [-2%, -8%]
seeds: [1, 2]
"""


def rows(quick: bool = False) -> list[Row]:
    seconds = {}
    points = 4 if quick else 16
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "tiny.yaml").write_text(DRILL)
            (root / "sweep.yaml").write_text(QUICK_SWEEP if quick else SWEEP)
            outcome, seconds[workers] = timed(functools.partial(run_sweep, root / "sweep.yaml", out_dir=root / "out",
                                                                workers=workers, echo=lambda _: None))
            assert outcome.ran == points and outcome.failed == 0, (outcome.ran, outcome.failed)
    return [Row(f"{points}-point sweep: speed-up of 2 workers over 1", seconds[1] / seconds[2], "x", 1.6, True,
                {"one_worker_s": seconds[1], "two_workers_s": seconds[2]})]


if __name__ == "__main__":
    for row in rows():
        print(row.line(), row.detail)
