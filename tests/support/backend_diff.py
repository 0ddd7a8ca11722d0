"""The backend differential: one drill on anvil and on revm must write the same run folder.

``differential_doc`` shrinks a library drill to ~20 borrowers and ~40 steps (coarser steps over
the e2e variant's window, so the drill's event is still inside it); ``compare_run_folders``
lists every difference between two run folders, first difference first, naming the file, the
step (or account) and the column (or field) with both values.

Compared: every column, field and key, gas and every figure made from it included (gas used, fees,
base fees, keeper gas and profit): revm charges anvil's gas exactly (chain/revm_state.py). Left out,
by name, each for a stated reason:
- ``TX_HASH_FIELDS``: anvil hashes the signed transaction, whose signature revm has no key for;
  revm names a transaction by chain, sender and nonce (our own name). The block and position of
  every event are still compared.
- ``RUN_FACTS``: how and how fast the run went (the backend, wall times, what the invariant
  checks cost), not what it measured.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

from support.e2e_runs import Doc, variant_doc

#: Names (steps.csv / borrowers.csv columns, event fields, summary.json keys at any depth) not
#: compared: see the module docstring.
TX_HASH_FIELDS = ("tx",)
RUN_FACTS = ("backend", "wall_time_s", "check_wall_time_s", "mean_check_s", "mean_step_s_without_checks",
             "cost_pct_of_step")
IGNORED = set(TX_HASH_FIELDS) | set(RUN_FACTS)

#: The differential's size: small enough for ``make test``, large enough to liquidate.
DIFF_BORROWERS = 20
DIFF_STEPS = 40


def differential_doc(name: str) -> Doc:
    """The e2e variant of ``name`` with ``DIFF_BORROWERS`` borrowers and about ``DIFF_STEPS``
    steps: the step grows (a multiple of the drill's own step) so the window stays the same."""
    from defidrill.drill.units import parse_duration

    doc = variant_doc(name)
    market = doc["market"]
    step_s = parse_duration(market.get("step", 10))
    duration_s = parse_duration(market["duration"])
    factor = max(1, math.ceil(duration_s / step_s / DIFF_STEPS))
    market["step"] = step_s * factor
    doc["borrowers"]["count"] = DIFF_BORROWERS
    if doc.get("cex", {}).get("enabled", True) and "positions" in doc.get("cex", {}):
        doc["cex"]["positions"]["count"] = 2_000
    return doc


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _diff_rows(file: str, key: str, a: list[dict[str, str]], b: list[dict[str, str]]) -> list[str]:
    out = []
    if len(a) != len(b):
        out.append(f"{file}: {len(a)} rows on anvil, {len(b)} on revm")
    if a and b and list(a[0]) != list(b[0]):
        out.append(f"{file}: columns differ: {list(a[0])} vs {list(b[0])}")
    for row_a, row_b in zip(a, b):
        for column, value in row_a.items():
            if column not in IGNORED and row_b.get(column) != value:
                out.append(f"{file}: {key} {row_a.get(key)} column {column}: anvil {value!r}, revm {row_b.get(column)!r}")
    return out


def _diff_values(where: str, a: Any, b: Any) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in [*a, *(k for k in b if k not in a)]:
            if k not in IGNORED:
                out += _diff_values(f"{where}.{k}", a.get(k), b.get(k))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _diff_values(f"{where}[{i}]", x, y)]
    return [] if a == b else [f"{where}: anvil {a!r}, revm {b!r}"]


def _diff_events(a_path: Path, b_path: Path) -> list[str]:
    a = [json.loads(line) for line in a_path.read_text().splitlines() if line.strip()]
    b = [json.loads(line) for line in b_path.read_text().splitlines() if line.strip()]
    out = [] if len(a) == len(b) else [f"events.jsonl: {len(a)} events on anvil, {len(b)} on revm"]
    for i, (x, y) in enumerate(zip(a, b)):
        out += _diff_values(f"events.jsonl: event {i} (step {x.get('step')}, {x.get('event')})", x, y)
    return out


def compare_run_folders(anvil_dir: Path, revm_dir: Path) -> list[str]:
    """Every difference between the two run folders outside the ignored names, in file order
    (steps.csv, borrowers.csv, events.jsonl, summary.json), each list first-difference-first."""
    out = _diff_rows("steps.csv", "step", _read_csv(anvil_dir / "steps.csv"), _read_csv(revm_dir / "steps.csv"))
    out += _diff_rows("borrowers.csv", "address", _read_csv(anvil_dir / "borrowers.csv"),
                      _read_csv(revm_dir / "borrowers.csv"))
    out += _diff_events(anvil_dir / "events.jsonl", revm_dir / "events.jsonl")
    out += _diff_values("summary.json", json.loads((anvil_dir / "summary.json").read_text()),
                        json.loads((revm_dir / "summary.json").read_text()))
    return out
