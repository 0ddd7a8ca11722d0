"""`make bench`: every figure with its target, each engine rate as a ratio to the raw chain measured
in the same run; the table is printed and written to bench/results.json.

    python -m bench            # every row (the 50,000-borrower row takes minutes)
    python -m bench --quick    # smaller sizes, same shape: the smoke run `make test` runs

A row group that raises is reported as a failed row (its error next to its name) and the run goes
on to the next group: one broken group used to end the run before results.json was written (the
50,000-borrower row once failed after 200 s on the drill's borrower limit). results.json is
rewritten after every row, so it holds every row measured so far; the exit status is 1 when a group
failed (an unmet target is a figure, not a failure).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import (bench_aave, bench_backends, bench_cex, bench_chain, bench_drill, bench_feed_takeover, bench_forkbook,
                   bench_protocols, bench_risk, bench_sweep)
from bench.rows import Row

RESULTS = Path(__file__).with_name("results.json")
GROUPS = ["chain", "drill", "cex", "sweep", "risk", "protocols", "backends", "forkbook", "tables"]


def groups(quick: bool) -> dict[str, Callable[[], list[Row]]]:
    return {"chain": lambda: bench_chain.rows(500 if quick else 2000, 500 if quick else 2000, 500 if quick else 10_000),
            "drill": lambda: bench_drill.rows(quick), "cex": lambda: bench_cex.rows(quick),
            "sweep": lambda: bench_sweep.rows(quick), "risk": lambda: bench_risk.rows(quick),
            "protocols": lambda: bench_protocols.rows(quick=quick),
            "backends": lambda: bench_backends.rows(quick=quick), "forkbook": lambda: bench_forkbook.rows(quick)}


def write_results(path: Path, quick: bool, rows: list[Row]) -> None:
    path.write_text(json.dumps({
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average": list(os.getloadavg())},
        "quick": quick, "rows": [r.as_dict() for r in rows]}, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (not the issue's targets)")
    parser.add_argument("--only", nargs="+", default=None, choices=GROUPS)
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"where to write the rows (default {RESULTS})")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    print(Row.header())
    for name in args.only or GROUPS:
        if name == "tables":
            continue
        try:
            for row in groups(args.quick)[name]():
                print(row.line(), flush=True)
                rows.append(row)
                write_results(args.results, args.quick, rows)
        except Exception as exc:  # noqa: BLE001 (a broken group is reported as a row; the others still run)
            traceback.print_exc()
            row = Row.failed(name, exc)
            print(row.line(), flush=True)
            rows.append(row)
            write_results(args.results, args.quick, rows)
    write_results(args.results, args.quick, rows)
    met = sum(r.met for r in rows)
    failed = [r for r in rows if r.error is not None]
    print(f"{met} of {len(rows)} targets met, {len(failed)} failed; written to {args.results}")
    if args.only is None or "tables" in args.only:
        print("\n== feed takeover ==")
        bench_feed_takeover.print_table(20 if args.quick else 200)
        print("\n== Aave V3 reads ==")
        bench_aave.print_table(40 if args.quick else 200, 3 if args.quick else 7)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
