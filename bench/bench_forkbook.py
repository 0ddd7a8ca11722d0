"""The forked book at scale (issue 21's bench row): a book of 10,000 accounts opened on an origin anvil
holding genuine Aave V3, forked, drilled with ``borrowers: {from: protocol}``.

The origin is the fork tests' (``tests/support/aave_origin``: Aave V3 over third-party feeds, zero
interest); the book is the flagship's own draw at 10,000 borrowers, opened there by each account with
Aave's ``supply`` and ``borrow`` (``tests/support/origin_book.open_on_aave``: the drill sends none of
it). The drill is the library flagship on Aave at a 60 s step (121 steps), CEX side off, no drawn
borrower: every scanned account is a forked one. Measured: the discovery (the Pool's Borrow events over
the origin's blocks, then one read of every candidate: summary.json ``protocol.fork.book``), the run end
to end per account-step against the speed issue's target for a seeded book of that size
(``bench_drill.PER_BORROWER_STEP_TARGET_US``), and the run's wall time as a ratio of the same book
seeded by the drill on a fresh Aave deployment (what the forked book itself costs: target under
``FORK_RATIO_TARGET``). ``--quick``: 500 accounts.
Run: PYTHONPATH=src python -m bench.bench_forkbook [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from bench.bench_drill import PER_BORROWER_STEP_TARGET_US
from bench.rows import Row, run_for_time, timed
from defidrill.chain import AnvilConfig, Chain
from defidrill.toolchain import compile_project, project_root

TESTS = project_root() / "tests"
#: Finding and reading the book, seconds, at 10,000 accounts: a small share of a run over it.
DISCOVERY_TARGET_S = 30.0
#: The forked book's run over the same book seeded fresh: reading a forked state costs the fork's node
#: its first fetch of each slot from the origin, nothing else should differ.
FORK_RATIO_TARGET = 1.5


def _doc(accounts: int) -> dict[str, Any]:
    doc = yaml.safe_load((project_root() / "oracles" / "flash-crash.yaml").read_text())
    doc["borrowers"].update({"count": accounts, "reaction": {"probability": 0.0}})
    doc["market"]["step"] = "60s"
    doc["cex"] = {"enabled": False}
    doc["protocol"].update({"kind": "aave-v3", "interest": {"base_rate": 0.0, "slope1": 0.0, "slope2": 0.0}})
    doc.setdefault("chain", {})["gas_limit"] = "1000M"
    doc.pop("expect", None)
    return doc


def rows(quick: bool = False) -> list[Row]:
    accounts = 500 if quick else 10_000
    sys.path.insert(0, str(TESTS))  # the fork tests' origin and book helpers
    from support.aave_origin import deploy_aave_origin
    from support.origin_book import drawn_book, open_on_aave, raw_positions

    with tempfile.TemporaryDirectory() as tmp:
        drill, path, plans = drawn_book(Path(tmp) / "draw", _doc(accounts))
        book = raw_positions(drill, path, plans)
        thresholds = {s: (round(c.liquidation_threshold * 10_000), round(c.bonus * 10_000))
                      for s, c in drill.collateral.items()}
        fresh_path = Path(tmp) / "fresh.yaml"
        fresh_path.write_text(yaml.safe_dump(_doc(accounts), sort_keys=False))
        fresh, fresh_s = timed(lambda: run_for_time(fresh_path, out_dir=Path(tmp) / "fresh", progress=False))
        with Chain.launch(AnvilConfig(gas_limit=1_000_000_000), compile_project()) as origin_chain:
            origin = deploy_aave_origin(origin_chain)
            _, open_s = timed(lambda: open_on_aave(origin, book, thresholds))
            doc = _doc(accounts)
            doc["borrowers"] = {"from": "protocol"}
            doc["chain"].update({"fork_url": origin_chain.rpc_url, "fork_block": origin_chain.block_number()})
            doc["protocol"]["address"] = origin.provider
            drill_path = Path(tmp) / "forkbook.yaml"
            drill_path.write_text(yaml.safe_dump(doc, sort_keys=False))
            outcome, seconds = timed(lambda: run_for_time(drill_path, out_dir=Path(tmp) / "run", progress=False))
    summary = outcome.summary
    info = summary["protocol"]["fork"]["book"]
    steps = summary["steps_completed"] - 1
    detail = {"accounts": accounts, "kept": info["kept"], "steps": steps, "run_s": seconds, "origin_open_s": open_s,
              "discovery_s": info["discovery_wall_time_s"], "book_s": info["wall_time_s"],
              "log_requests": info["log_requests"], "blocks": info["to_block"] - info["from_block"] + 1,
              "liquidations": (summary.get("onchain") or {}).get("liquidation_count"), "status": summary["status"],
              "fresh_s": fresh_s, "fresh_liquidations": (fresh.summary.get("onchain") or {}).get("liquidation_count")}
    return [Row(f"forked book {accounts:,} accounts: found and read", info["wall_time_s"], "s", DISCOVERY_TARGET_S,
                False, detail),
            Row(f"forked book {accounts:,} x {steps}: us per account-step", 1e6 * seconds / (accounts * steps), "us",
                PER_BORROWER_STEP_TARGET_US, False, detail),
            Row(f"forked book {accounts:,}: wall time / same book seeded fresh", seconds / fresh_s, "x",
                FORK_RATIO_TARGET, False, detail)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print(Row.header())
    for row in rows(parser.parse_args().quick):
        print(row.line())
        print(f"    {row.detail}")


if __name__ == "__main__":
    main()
