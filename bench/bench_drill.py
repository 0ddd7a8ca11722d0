"""Benchmark the drill engine: the flagship drill end to end, by population size.

Prints borrowers, steps, wall seconds, steps/s and liquidations for the flagship market
(oracles/flash-crash.yaml) with the CEX side off, so the number is the chain side alone.
Run: PYTHONPATH=src python -m bench.bench_drill [--borrowers 200 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from defidrill.runner import run_drill
from defidrill.toolchain import project_root


def bench(borrowers: int, kind: str = "reference") -> dict[str, float]:
    """The flagship on ``kind`` (protocol.kind), ``borrowers`` strong, the CEX side off."""
    drill = yaml.safe_load((project_root() / "oracles" / "flash-crash.yaml").read_text())
    drill["borrowers"]["count"] = borrowers
    drill["cex"]["enabled"] = False
    drill.setdefault("protocol", {})["kind"] = kind
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(yaml.safe_dump(drill))
        t0 = time.perf_counter()
        outcome = run_drill(path, out_dir=Path(tmp) / "run", progress=False)
        seconds = time.perf_counter() - t0
    steps = outcome.summary["steps_completed"]
    return {"borrowers": borrowers, "steps": steps, "seconds": seconds, "steps_per_s": steps / seconds,
            "liquidations": outcome.summary["onchain"]["liquidation_count"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--borrowers", type=int, nargs="+", default=[200, 1000])
    args = parser.parse_args()
    print(f"{'borrowers':>10}{'steps':>8}{'seconds':>10}{'steps/s':>10}{'liquidations':>14}")
    for n in args.borrowers:
        r = bench(n)
        print(f"{r['borrowers']:>10}{r['steps']:>8}{r['seconds']:>10.1f}{r['steps_per_s']:>10.1f}{r['liquidations']:>14}")


if __name__ == "__main__":
    main()
