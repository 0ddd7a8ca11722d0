"""Every library drill, reduced (support.backend_diff), on anvil and on revm: the same run folder
(and two of them on genuine Aave V3).

steps.csv, borrowers.csv, events.jsonl and summary.json must be equal cell for cell, except the
names listed in ``backend_diff`` with their reasons (gas-derived figures, transaction hashes,
wall time). A divergence fails with the first step, column or account and both values.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from defidrill.errors import ConfigError
from defidrill.runner import run_drill
from defidrill.toolchain import project_root
from support.e2e_runs import finished_run
from support.backend_diff import DIFF_BORROWERS, GAS_DERIVED, compare_run_folders, differential_doc

ORACLES = project_root() / "oracles"
#: Every drill file in oracles/ (incidents/ included), as e2e_runs names them: "incidents/luna-may-2022".
ALL_DRILLS = sorted(str(p.relative_to(ORACLES).with_suffix("")) for p in ORACLES.rglob("*.yaml")
                    if p.relative_to(ORACLES).parts[0] != "risk")  # oracles/risk/: risk files
#: Drills with a congestion failure run on anvil only (per-block base fee and fee-cap refusal are anvil's;
#: the runner refuses them on revm: test_congestion_is_refused_on_revm).
ANVIL_ONLY = {"black-thursday"}
LIBRARY = [name for name in ALL_DRILLS if name not in ANVIL_ONLY]
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
    assert "flash-crash" in LIBRARY and "incidents/luna-may-2022" in LIBRARY and len(LIBRARY) >= 16
    congested = {name for name in ALL_DRILLS
                 if any(f.get("kind") == "congestion"
                        for f in (yaml.safe_load((ORACLES / f"{name}.yaml").read_text()).get("failures") or []))}
    assert congested == ANVIL_ONLY


def test_congestion_is_refused_on_revm(tmp_path: Path) -> None:
    drill_path = tmp_path / "black-thursday.yaml"
    drill_path.write_text(yaml.safe_dump(differential_doc("black-thursday"), sort_keys=False))
    with pytest.raises(ConfigError) as err:
        run_drill(drill_path, out_dir=tmp_path / "revm", progress=False, backend="revm")
    assert "failures[" in str(err.value) and "anvil" in str(err.value)
    assert not (tmp_path / "revm").exists()  # refused before the run folder is made


@pytest.mark.parametrize("name", LIBRARY + ON_AAVE)
def test_same_run_folder_on_both_backends(name: str, tmp_path: Path) -> None:
    anvil_dir, revm_dir = _run_pair(name, tmp_path)
    with open(anvil_dir / "borrowers.csv", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == DIFF_BORROWERS
    differences = compare_run_folders(anvil_dir, revm_dir)
    assert not differences, f"{name}: {len(differences)} differences; first: {differences[0]}"
    if name == "flash-crash":
        _check_the_comparison_bites(anvil_dir, revm_dir, tmp_path)


def _check_the_comparison_bites(anvil_dir: Path, revm_dir: Path, tmp_path: Path) -> None:
    """One changed cell in a copy of the revm folder is reported by step, column and values;
    a gas-derived column is not."""
    tampered = tmp_path / "tampered"
    shutil.copytree(revm_dir, tampered)
    with open(tampered / "steps.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    column = next(c for c in rows[0] if c not in GAS_DERIVED and c not in ("step", "t_s"))
    original = rows[7][column]
    rows[7][column] = original + "1"
    gas_column = next((c for c in rows[0] if c in GAS_DERIVED), None)
    if gas_column is not None:
        rows[3][gas_column] = "12345"
    with open(tampered / "steps.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert compare_run_folders(anvil_dir, tampered) == [
        f"steps.csv: step {rows[7]['step']} column {column}: anvil {original!r}, revm {original + '1'!r}"]
