"""Run slither over contracts/ through the project's solc and hold every finding to docs/security.md.

Why a script: our solc is solc-js behind a launcher that answers only ``--version`` and ``--standard-json``,
so slither is fed one standard-JSON input naming every ``contracts/**/*.sol`` (crytic-compile's own
directory mode globs only the top folder, and its per-file mode asks for ``--combined-json``).

A finding is keyed by (detector, file): line numbers move with every edit, the reason a detector's hit is
acceptable in a file does not. docs/security.md holds one table row per key with its verdict; this script
fails (exit 1) on a finding without a row and on a row no finding needs any more (a fix lands with its row
removed). Usage: ``python tools/slither_check.py SLITHER SOLC`` (``make slither`` builds both).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIAGE_DOC = ROOT / "docs" / "security.md"
INPUT_JSON = ROOT / ".defidrill" / "slither-input.json"
OUTPUT_JSON = ROOT / ".defidrill" / "slither-output.json"
#: A triage row: | `detector` | `contracts/...sol` | n | verdict | why |
ROW = re.compile(r"^\|\s*`(?P<check>[a-z0-9-]+)`\s*\|\s*`(?P<file>contracts/[^`]+)`\s*\|\s*(?P<count>\d+)\s*\|")


def standard_json_input() -> dict:
    """Every contract as a source by path (the launcher's import callback reads them), the ape settings."""
    sources = {p.relative_to(ROOT).as_posix(): {"urls": [p.relative_to(ROOT).as_posix()]}
               for p in sorted((ROOT / "contracts").rglob("*.sol"))}
    return {"language": "Solidity", "sources": sources,
            "settings": {"evmVersion": "cancun", "optimizer": {"enabled": True, "runs": 200}}}


def findings(slither: str, solc: str) -> dict[tuple[str, str], int]:
    """(detector, file) -> number of findings, from one slither run."""
    INPUT_JSON.parent.mkdir(parents=True, exist_ok=True)
    INPUT_JSON.write_text(json.dumps(standard_json_input(), indent=1))
    OUTPUT_JSON.unlink(missing_ok=True)
    proc = subprocess.run([slither, str(INPUT_JSON.relative_to(ROOT)), "--compile-force-framework", "solc-json",
                           "--solc", solc, "--json", str(OUTPUT_JSON.relative_to(ROOT))],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if not OUTPUT_JSON.exists():
        sys.exit(f"slither wrote no results (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    report = json.loads(OUTPUT_JSON.read_text())
    if not report.get("success"):
        sys.exit(f"slither failed: {report.get('error')}")
    counts: dict[tuple[str, str], int] = {}
    for result in report["results"].get("detectors", []):
        key = (result["check"], result["elements"][0]["source_mapping"]["filename_relative"])
        counts[key] = counts.get(key, 0) + 1
    return counts


def triaged() -> dict[tuple[str, str], int]:
    """(detector, file) -> the count docs/security.md accounts for."""
    rows = {}
    for line in TRIAGE_DOC.read_text().splitlines():
        m = ROW.match(line)
        if m:
            rows[(m["check"], m["file"])] = int(m["count"])
    return rows


def compare(found: dict[tuple[str, str], int], rows: dict[tuple[str, str], int]) -> list[str]:
    """One line per finding group without a matching row (or with another count) and per stale row."""
    problems = [f"untriaged: {n} x {check} in {file} (triaged: {rows.get((check, file), 0)}; add or fix a row in "
                "docs/security.md, or fix the contract)"
                for (check, file), n in sorted(found.items()) if rows.get((check, file)) != n]
    problems += [f"stale row: {check} in {file} is no longer reported (remove the row)"
                 for (check, file) in sorted(rows) if (check, file) not in found]
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        sys.exit("usage: slither_check.py SLITHER SOLC")
    found, rows = findings(argv[1], argv[2]), triaged()
    problems = compare(found, rows)
    for p in problems:
        print(p)
    print(f"slither: {sum(found.values())} findings in {len(found)} (detector, file) groups, "
          f"{len(rows)} triaged rows, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
