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
from typing import Any

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
    return out + health_bound_rows(quick)


#: The health bound's rows (engine/health_bound.py): (borrowers, step, CEX on), each run with the rule on and off.
BOUND_CASES = [(10_000, "60s", False), (1_000, "20s", True)]
BOUND_QUICK = [(200, "2m", False)]


def run_bound_case(borrowers: int, step: str, cex: bool, bound: str) -> dict[str, Any]:
    """One flagship run with ``DEFIDRILL_HEALTH_BOUND=bound``: wall, this process's CPU (Python; the CEX side
    runs here too), anvil's CPU (the children's, once it has exited), and the accounts the scans read."""
    import os
    import resource
    from unittest import mock

    from defidrill.engine import health_bound, observe

    made: list[observe.Observer] = []
    init = observe.Observer.__init__

    def capture(self: observe.Observer, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        made.append(self)

    sets = [Override.of("borrowers.count", borrowers, label="bench"), Override.of("market.step", step, label="bench"),
            Override.of("chain.gas_limit", "1000M", label="bench"), Override.of("cex.enabled", cex, label="bench")]
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = time.process_time()
    with mock.patch.dict(os.environ, {health_bound.SWITCH_ENV: bound}), \
            mock.patch.object(observe.Observer, "__init__", capture), tempfile.TemporaryDirectory() as tmp:
        outcome, seconds = timed(lambda: run_for_time(resolve_drill("flash-crash"), out_dir=Path(tmp) / "run",
                                                      progress=False, overrides=sets))
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    anvil_cpu_s = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    steps = outcome.summary["steps_completed"]
    checks = outcome.summary.get("invariant_checks") or {}
    loop_s = (checks.get("mean_step_s_without_checks") or 0.0) * steps + (checks.get("check_wall_time_s") or 0.0)
    return {"wall_s": seconds, "step_loop_s": loop_s, "python_cpu_s": time.process_time() - cpu0, "anvil_cpu_s": anvil_cpu_s,
            "steps": steps, "accounts_read_pct": 100.0 * made[-1].accounts_read / (borrowers * steps),
            "liquidations": (outcome.summary.get("onchain") or {}).get("liquidation_count")}


def health_bound_rows(quick: bool = False) -> list[Row]:
    """The rule on vs off, back to back, same drill and seed: the wall-time ratio (on / off; the run folder is
    the same, tests/e2e/test_health_bound_differential.py), with each run's Python and anvil CPU."""
    out = []
    for borrowers, step, cex in (BOUND_QUICK if quick else BOUND_CASES):
        on = run_bound_case(borrowers, step, cex, "on")
        off = run_bound_case(borrowers, step, cex, "off")
        detail = {"borrowers": borrowers, "cex": cex, "on": on, "off": off}
        out.append(Row(f"health bound {borrowers:,} x {on['steps'] - 1}{' CEX on' if cex else ''}: wall on / off",
                       on["wall_s"] / off["wall_s"], "ratio", 1.0, False, detail))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    for row in rows(parser.parse_args().quick):
        print(row.line(), row.detail)


if __name__ == "__main__":
    main()
