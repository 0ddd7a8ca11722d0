"""The flagship on genuine Aave V3 versus the reference pool, in the same run (issue 8's speed row).

Both runs: oracles/flash-crash.yaml, 200 borrowers x 721 steps, CEX side off (the chain side
alone), same seed; the table states Aave's wall time as a ratio of the reference pool's
(target: under 2x) and each run's liquidations (the differential test asserts they match).
Run: PYTHONPATH=src python -m bench.bench_protocols [--borrowers 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from defidrill.runner import run_drill
from defidrill.toolchain import project_root

TARGET_RATIO = 2.0


def run(kind: str, borrowers: int) -> tuple[float, int, int]:
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
    return seconds, outcome.summary["steps_completed"], outcome.summary["onchain"]["liquidation_count"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--borrowers", type=int, default=200)
    args, _ = parser.parse_known_args()
    rows = {kind: run(kind, args.borrowers) for kind in ("reference", "aave-v3")}
    ratio = rows["aave-v3"][0] / rows["reference"][0]
    print(f"{'protocol':<12}{'borrowers':>10}{'steps':>8}{'seconds':>10}{'liquidations':>14}")
    for kind, (seconds, steps, liquidations) in rows.items():
        print(f"{kind:<12}{args.borrowers:>10}{steps:>8}{seconds:>10.1f}{liquidations:>14}")
    verdict = "met" if ratio < TARGET_RATIO else "NOT met"
    print(f"aave-v3 / reference wall time: {ratio:.2f}x (target < {TARGET_RATIO:.0f}x: {verdict})")


if __name__ == "__main__":
    main()
