"""Every library drill, reduced (support.backend_diff), on anvil and on revm: the same run folder
(and two of them on genuine Aave V3).

steps.csv, borrowers.csv, events.jsonl and summary.json must be equal cell for cell, gas and every
figure made from it included (gas used, fees, keeper gas and profit, base fees), except the names
listed in ``backend_diff`` with their reasons (transaction hashes, wall time). A divergence fails
with the first step, column or account and both values. black-thursday (a congested chain: the
crowd's blocks, a set base fee per block, fee caps refused under it) is one of them.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml

from defidrill.toolchain import project_root
from support.e2e_runs import finished_run
from support.backend_diff import DIFF_BORROWERS, compare_run_folders, differential_doc

ORACLES = project_root() / "oracles"
#: Every drill file in oracles/ (incidents/ included), as e2e_runs names them: "incidents/luna-may-2022".
ALL_DRILLS = sorted(str(p.relative_to(ORACLES).with_suffix("")) for p in ORACLES.rglob("*.yaml")
                    if p.relative_to(ORACLES).parts[0] != "risk")  # oracles/risk/: risk files
LIBRARY = ALL_DRILLS
#: The congested drill, whose blocks, base fees and dropped transactions must match too.
CONGESTED = "black-thursday"
#: Genuine Aave V3 on both backends: the flagship, and the LUNA clamp (a failure, many liquidations).
ON_AAVE = ["aave-v3/flash-crash", "aave-v3/minanswer-clamp"]


def _run_pair(name: str, root: Path) -> tuple[Path, Path]:
    drill_path = root / f"{Path(name).name}.yaml"
    drill_path.write_text(yaml.safe_dump(differential_doc(name), sort_keys=False))
    runs = {}
    for backend in ("anvil", "revm"):
        outcome = finished_run(drill_path, out_dir=root / backend, backend=backend)  # expectations aside: 20 borrowers
        assert outcome.summary["status"] == "ok", outcome.summary.get("error")
        assert outcome.summary["backend"] == backend
        runs[backend] = outcome.run_dir
    return runs["anvil"], runs["revm"]


def test_library_is_covered() -> None:
    assert "flash-crash" in LIBRARY and "incidents/luna-may-2022" in LIBRARY and len(LIBRARY) >= 17
    congested = {name for name in ALL_DRILLS
                 if any(f.get("kind") == "congestion"
                        for f in (yaml.safe_load((ORACLES / f"{name}.yaml").read_text()).get("failures") or []))}
    assert congested == {CONGESTED}


@pytest.mark.parametrize("name", LIBRARY + ON_AAVE)
def test_same_run_folder_on_both_backends(name: str, tmp_path: Path) -> None:
    anvil_dir, revm_dir = _run_pair(name, tmp_path)
    with open(anvil_dir / "borrowers.csv", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == DIFF_BORROWERS
    differences = compare_run_folders(anvil_dir, revm_dir)
    assert not differences, f"{name}: {len(differences)} differences; first: {differences[0]}"
    if name == "flash-crash":
        _check_the_comparison_bites(anvil_dir, revm_dir, tmp_path)
    if name == CONGESTED:
        _check_the_congestion_was_exercised(anvil_dir)


def _check_the_congestion_was_exercised(anvil_dir: Path) -> None:
    """The reduced black-thursday still congests: the run folder the two backends agree on holds
    the fast keeper's fee-cap refusals (its cap is 100 gwei) and base fees set above that cap."""
    events = [json.loads(line) for line in (anvil_dir / "events.jsonl").read_text().splitlines() if line.strip()]
    reasons = {e["args"]["reason"] for e in events if e["event"] == "TxDropped"}
    assert "fee_cap_below_base_fee" in reasons, reasons
    with open(anvil_dir / "steps.csv", newline="") as fh:
        fees_gwei = [float(row["base_fee_gwei"]) for row in csv.DictReader(fh)]
    assert max(fees_gwei) > 100


def _check_the_comparison_bites(anvil_dir: Path, revm_dir: Path, tmp_path: Path) -> None:
    """One changed cell in a copy of the revm folder is reported by step, column and values, a
    gas column as any other; a transaction hash is not compared."""
    tampered = tmp_path / "tampered"
    shutil.copytree(revm_dir, tampered)
    with open(tampered / "steps.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    column = next(c for c in rows[0] if c not in ("step", "t_s", "keeper_gas_eth"))
    original, gas = rows[7][column], rows[3]["keeper_gas_eth"]
    rows[7][column] = original + "1"
    rows[3]["keeper_gas_eth"] = gas + "1"
    with open(tampered / "steps.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = (tampered / "events.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    if "tx" in first:
        first["tx"] = "0x" + "ab" * 32
        (tampered / "events.jsonl").write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    assert compare_run_folders(anvil_dir, tampered) == [
        f"steps.csv: step {rows[3]['step']} column keeper_gas_eth: anvil {gas!r}, revm {gas + '1'!r}",
        f"steps.csv: step {rows[7]['step']} column {column}: anvil {original!r}, revm {original + '1'!r}"]
