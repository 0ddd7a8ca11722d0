"""Benchmark an external protocol against the reference pool: the flagship's wall time on each.

The flagship drill (oracles/flash-crash.yaml: 200 borrowers, 721 steps; CEX side off so the
number is the chain side alone) runs on the reference pool and on the Compound-style protocol
of tests/external_protocol (Comptroller + cToken markets through its own adapter, one
``getAccountLiquidity`` and one ``getAccountSnapshot`` per market per account per step, no
lens contract), alternating, ``--repeats`` times each; prints each run, the medians and their
ratio (target: the external protocol within 2x of the reference pool).
Run: PYTHONPATH=src python -m bench.bench_external [--borrowers 200] [--repeats 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.rows import run_for_time
from defidrill.toolchain import project_root

EXTERNAL = project_root() / "tests" / "external_protocol"


def bench(kind: str, borrowers: int) -> tuple[float, int, int]:
    """(wall seconds, steps, liquidations) of one flagship run on ``kind`` ("reference" or "external")."""
    drill = yaml.safe_load((project_root() / "oracles" / "flash-crash.yaml").read_text())
    drill["borrowers"]["count"] = borrowers
    drill["cex"]["enabled"] = False
    if kind == "external":
        drill["protocol"].update({"kind": "external", "adapter": "ctoken_adapter:CTokenAdapter",
                                  "artifacts": str(EXTERNAL / "contracts")})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{kind}.yaml"
        path.write_text(yaml.safe_dump(drill))
        t0 = time.perf_counter()
        outcome = run_for_time(path, out_dir=Path(tmp) / "run", progress=False)
        seconds = time.perf_counter() - t0
    return seconds, outcome.summary["steps_completed"], outcome.summary["onchain"]["liquidation_count"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--borrowers", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(EXTERNAL))  # the user's adapter module, as a drill beside it would find it
    times: dict[str, list[float]] = {"reference": [], "external": []}
    print(f"{'protocol':>12}{'borrowers':>10}{'steps':>8}{'seconds':>10}{'liquidations':>14}")
    for _ in range(args.repeats):
        for kind in times:
            seconds, steps, liquidations = bench(kind, args.borrowers)
            times[kind].append(seconds)
            print(f"{kind:>12}{args.borrowers:>10}{steps:>8}{seconds:>10.1f}{liquidations:>14}")
    ref, ext = statistics.median(times["reference"]), statistics.median(times["external"])
    print(f"median: reference {ref:.1f} s, external {ext:.1f} s, ratio {ext / ref:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
