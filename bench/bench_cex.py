"""Benchmark the CEX venue: positions x steps through an 8 % flash crash.

Prints a table: positions, steps, seconds (population draw + step loop), steps/s,
liquidations, ADL'd positions, peak resident memory of the process (ru_maxrss, so a
later row includes earlier ones). Run:
    PYTHONPATH=src python bench/bench_cex.py [--positions 100000 1000000] [--steps 1000]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from bench.rows import Row
from defidrill.cex import PopulationParams, VenueParams, run_path


def crash_path(steps: int, step_s: float = 10.0, start_usd: float = 60_000.0) -> tuple[np.ndarray, np.ndarray]:
    """Flat for 20 % of the run, -8 % linearly over the next 40 %, half recovered after."""
    t = np.arange(steps) * step_s
    u = np.arange(steps) / max(steps - 1, 1)
    drop = np.clip((u - 0.2) / 0.4, 0.0, 1.0) * 0.08
    recover = np.clip((u - 0.6) / 0.3, 0.0, 1.0) * 0.04
    return t, start_usd * (1.0 - drop + recover)


def bench(n_positions: int, steps: int, seed: int = 7) -> dict[str, float]:
    params = VenueParams(population=PopulationParams(count=n_positions))
    t, p = crash_path(steps)
    t0 = time.perf_counter()
    run = run_path(params, t, p, seed)
    seconds = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"positions": n_positions, "steps": steps, "seconds": seconds, "steps_per_s": steps / seconds,
            "liquidations": run.summary["liquidation_count"], "adl": run.summary["adl_count"],
            "peak_mib": peak_kib / 1024}


def rows(quick: bool = False) -> list[Row]:
    """The issue's target: 10M positions x 1,000 steps in < 20 s (``quick``: 1M, same target scaled by 10)."""

    n = 1_000_000 if quick else 10_000_000
    r = bench(n, 1_000)
    target = 20.0 if not quick else 2.0
    return [Row(f"CEX venue {n:,} positions x 1,000 steps: wall time", r["seconds"], "s", target, False, r)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--positions", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--steps", type=int, default=1_000)
    args = ap.parse_args()
    print(f"{'positions':>10} {'steps':>6} {'seconds':>8} {'steps/s':>9} {'liquidated':>10} {'adl':>8} {'peak RSS MiB':>13}")
    for n in args.positions:
        r = bench(n, args.steps)
        print(f"{r['positions']:>10,} {r['steps']:>6} {r['seconds']:>8.2f} {r['steps_per_s']:>9.0f} "
              f"{r['liquidations']:>10,} {r['adl']:>8,} {r['peak_mib']:>13.0f}")


if __name__ == "__main__":
    main()
