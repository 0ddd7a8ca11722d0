"""`make bench`: every figure with its target, each engine rate as a ratio to the raw chain measured
in the same run; the table is printed and written to bench/results.json.

    python -m bench            # every row (the 50,000-borrower row takes minutes)
    python -m bench --quick    # smaller sizes, same shape (a smoke run)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
from pathlib import Path

import sys

from bench import (bench_aave, bench_backends, bench_cex, bench_chain, bench_drill, bench_feed_takeover, bench_protocols,
                   bench_risk, bench_sweep)
from bench.rows import Row

RESULTS = Path(__file__).with_name("results.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (not the issue's targets)")
    parser.add_argument("--only", nargs="+", default=None,
                        choices=["chain", "drill", "cex", "sweep", "risk", "protocols", "backends", "tables"])
    args = parser.parse_args()
    groups = {"chain": lambda: bench_chain.rows(500 if args.quick else 2000, 500 if args.quick else 2000),
              "drill": lambda: bench_drill.rows(args.quick), "cex": lambda: bench_cex.rows(args.quick),
              "sweep": bench_sweep.rows, "risk": bench_risk.rows, "protocols": bench_protocols.rows,
              "backends": bench_backends.rows}
    rows: list[Row] = []
    print(f"{'row':<58}{'measured':>10} {'unit':<6}{'target':>12}{'':>8}")
    for name in args.only or [*groups, "tables"]:
        if name == "tables":
            continue
        for row in groups[name]():
            print(row.line(), flush=True)
            rows.append(row)
    RESULTS.write_text(json.dumps({
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "quick": args.quick, "rows": [r.as_dict() for r in rows]}, indent=2) + "\n")
    print(f"{sum(r.met for r in rows)} of {len(rows)} targets met; written to {RESULTS}")
    if args.only is None or "tables" in args.only:
        sys.argv = sys.argv[:1]  # the table benchmarks parse their own (default) options
        for title, module in (("feed takeover", bench_feed_takeover), ("Aave V3 reads", bench_aave)):
            print(f"\n== {title} ==")
            module.main()


main()
