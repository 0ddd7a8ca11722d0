"""The drill engine end to end: the flagship market by population size, wall time and peak memory.

Each row runs ``oracles/flash-crash.yaml`` (its CEX side included: end to end) with the
borrower count of the issue's target and the step stretched to give its step count over
the flagship's two hours (360 steps: 20 s; 120: 60 s; 60: 2 min; the crash, the LP
withdrawal and the recovery keep their times), and samples the resident memory of the whole
process tree (Python and anvil) every 50 ms.
Run: PYTHONPATH=src python -m bench.bench_drill [--quick]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.rows import PeakMemory, Row, run_for_time, timed
from defidrill.drill import Override, resolve_drill

#: (borrowers, step over the 2 h flagship, wall-time target s, peak-memory target MiB or None): issue 22's targets.
CASES = [(1_000, "20s", 6.0, None), (10_000, "60s", 15.0, 1024.0), (50_000, "2m", 60.0, 2048.0)]
QUICK = [(100, "2m", 15.0, None)]
#: Per borrower-step, microseconds, end to end (seeding included), at 10,000 borrowers (issue 22).
PER_BORROWER_STEP_TARGET_US = 5.0


def run_case(borrowers: int, step: str) -> tuple[dict, float, float, float]:
    """(summary.json, wall seconds, the tree's peak MiB, this process's CPU seconds: Python's own share, anvil
    excluded, which a loaded machine moves far less than the wall time)."""
    cpu0 = time.process_time()
    sets = [Override.of("borrowers.count", borrowers, label="bench"), Override.of("market.step", step, label="bench"),
            Override.of("chain.gas_limit", "1000M", label="bench")]
    with tempfile.TemporaryDirectory() as tmp, PeakMemory() as mem:
        outcome, seconds = timed(lambda: run_for_time(resolve_drill("flash-crash"), out_dir=Path(tmp) / "run",
                                                      progress=False, overrides=sets))
    return outcome.summary, seconds, mem.peak_mib, time.process_time() - cpu0


def rows(quick: bool = False) -> list[Row]:
    out = []
    for borrowers, step, target_s, target_mib in (QUICK if quick else CASES):
        summary, seconds, peak_mib, python_cpu_s = run_case(borrowers, step)
        steps = summary["steps_completed"] - 1
        checks = summary.get("invariant_checks") or {}
        loop_s = (checks.get("mean_step_s_without_checks") or 0.0) * (steps + 1) + (checks.get("check_wall_time_s") or 0.0)
        detail = {"borrowers": borrowers, "steps": steps, "seconds": seconds, "peak_mib": peak_mib,
                  "python_cpu_s": python_cpu_s, "load_average_1m": os.getloadavg()[0],
                  "step_loop_s": loop_s, "outside_loop_s": seconds - loop_s,
                  "liquidations": (summary.get("onchain") or {}).get("liquidation_count")}
        out.append(Row(f"flagship {borrowers:,} borrowers x {steps} steps: wall time", seconds, "s", target_s, False,
                       detail))
        if borrowers == 10_000:
            out.append(Row(f"flagship {borrowers:,} x {steps}: us per borrower-step (seeding included)",
                           1e6 * seconds / (borrowers * steps), "us", PER_BORROWER_STEP_TARGET_US, False, detail))
        if target_mib is not None:
            out.append(Row(f"flagship {borrowers:,} borrowers x {steps} steps: peak memory (tree)", peak_mib, "MiB",
                           target_mib, False, detail))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    for row in rows(parser.parse_args().quick):
        print(row.line(), row.detail)


if __name__ == "__main__":
    main()
