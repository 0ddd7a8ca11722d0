"""Benchmark the drill engine: the flagship drill end to end on both chain backends.

Each row runs the flagship market (oracles/flash-crash.yaml, CEX side off so the number is the
chain side alone) at one population size and step count on anvil and on revm in the same
process, one after the other, and prints both wall times and their ratio (anvil / revm), and
both liquidation counts (they must agree: tests/e2e/test_backend_differential.py checks the
whole run folder). Sizes are BORROWERSxSTEPS; steps are 10 s each (the flagship's step).
Run: PYTHONPATH=src python -m bench.bench_drill [--sizes 200x720 1000x360]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from defidrill.runner import run_drill
from defidrill.toolchain import project_root

BACKENDS = ("anvil", "revm")


def bench(borrowers: int, steps: int, backend: str) -> dict[str, float]:
    drill = yaml.safe_load((project_root() / "oracles" / "flash-crash.yaml").read_text())
    drill["borrowers"]["count"] = borrowers
    drill["cex"]["enabled"] = False
    drill["market"]["duration"] = steps * 10
    drill["market"]["step"] = 10
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(yaml.safe_dump(drill))
        t0 = time.perf_counter()
        outcome = run_drill(path, out_dir=Path(tmp) / "run", progress=False, backend=backend)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "steps": outcome.summary["steps_completed"],
            "liquidations": outcome.summary["onchain"]["liquidation_count"]}


def _size(text: str) -> tuple[int, int]:
    borrowers, _, steps = text.partition("x")
    return int(borrowers), int(steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=_size, nargs="+", default=[(200, 720), (1000, 360)],
                        help="BORROWERSxSTEPS, e.g. 200x720")
    args = parser.parse_args()
    print(f"{'borrowers':>10}{'steps':>7}{'anvil s':>9}{'revm s':>8}{'anvil/revm':>12}{'liq anvil':>11}{'liq revm':>10}")
    for borrowers, steps in args.sizes:
        r = {b: bench(borrowers, steps, b) for b in BACKENDS}
        print(f"{borrowers:>10}{r['revm']['steps']:>7}{r['anvil']['seconds']:>9.1f}{r['revm']['seconds']:>8.1f}"
              f"{r['anvil']['seconds'] / r['revm']['seconds']:>11.1f}x"
              f"{r['anvil']['liquidations']:>11}{r['revm']['liquidations']:>10}", flush=True)


if __name__ == "__main__":
    main()
