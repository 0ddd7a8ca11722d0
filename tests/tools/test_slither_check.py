"""tools/slither_check.py: the triage table in docs/security.md and the comparison that gates `make slither`.

Slither itself runs under `make slither` (a minute, its own virtualenv); these tests pin the part that
decides pass or fail, on hand-made inputs and on the real table."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("slither_check", ROOT / "tools" / "slither_check.py")
assert _spec is not None and _spec.loader is not None
slither_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slither_check)

VERDICTS = {"by design", "false positive", "accepted"}


def test_every_row_has_a_verdict_and_a_reason() -> None:
    rows = [line for line in (ROOT / "docs" / "security.md").read_text().splitlines() if slither_check.ROW.match(line)]
    assert len(rows) == len(slither_check.triaged()) == 71
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[3] in VERDICTS, line
        assert len(cells[4]) > 20, line
        assert (ROOT / cells[1].strip("`")).is_file(), line


def test_the_standard_json_input_names_every_contract() -> None:
    sources = slither_check.standard_json_input()["sources"]
    assert len(sources) == len(list((ROOT / "contracts").rglob("*.sol")))
    assert sources["contracts/lending/LendingPool.sol"] == {"urls": ["contracts/lending/LendingPool.sol"]}


def test_compare_fails_on_a_new_finding_a_changed_count_and_a_stale_row() -> None:
    rows = {("timestamp", "contracts/amm/AmmPair.sol"): 5, ("calls-loop", "contracts/periphery/Lens.sol"): 5}
    assert slither_check.compare(dict(rows), rows) == []
    found = {("timestamp", "contracts/amm/AmmPair.sol"): 6,                     # one more than triaged
             ("reentrancy-no-eth", "contracts/lending/LendingPool.sol"): 1}    # never triaged
    problems = slither_check.compare(found, rows)
    assert problems == [
        "untriaged: 1 x reentrancy-no-eth in contracts/lending/LendingPool.sol (triaged: 0; add or fix a row in "
        "docs/security.md, or fix the contract)",
        "untriaged: 6 x timestamp in contracts/amm/AmmPair.sol (triaged: 5; add or fix a row in "
        "docs/security.md, or fix the contract)",
        "stale row: calls-loop in contracts/periphery/Lens.sol is no longer reported (remove the row)",
    ]
