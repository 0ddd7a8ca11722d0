"""A run folder's borrowers.csv is a positions file: the drill re-run from it liquidates the same way.

The first run draws its book (source ``seeded``); the second opens exactly the rows of the first
run's borrowers.csv (``borrowers: {from: ...}``, source ``file``). Same accounts, same collateral,
same steps: the same liquidations, step for step. borrowers.csv keeps 10 significant digits of each
USD amount (run_folder.atomic.cell), so the re-run's raw amounts may differ from the first run's in
the digits past the tenth: the amounts are compared to 1e-8 relative (a raw unit of a $20k position
in 6-decimal USDC is 5e-11 of it; ten significant digits allow 5e-10 of each cell, twice over).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from defidrill.run_folder import BORROWER_COLUMNS
from defidrill.toolchain import project_root
from support.e2e_runs import amounts_by_key, assert_clean, run_doc

pytestmark = pytest.mark.slow

#: borrowers.csv's columns before the source column (issue 21): a drill without from: writes these, then source.
COLUMNS_BEFORE_SOURCE = ["index", "address", "collateral", "collateral_usd", "debt_usd", "health", "leverage", "reacts"]


def _small_flagship() -> dict:
    doc = yaml.safe_load((project_root() / "oracles" / "flash-crash.yaml").read_text())
    doc["borrowers"]["count"] = 60
    doc["borrowers"]["health"] = {"uniform": [1.01, 1.12]}  # most of the book inside the 8% drop: many liquidations
    doc["market"]["duration"] = "50m"
    for asset in ("WBTC", "WETH"):
        doc["market"]["assets"][asset]["path"]["at"] = "5m"
    doc["amm"]["lps"]["at"] = "2m"
    doc["cex"]["enabled"] = False
    doc.pop("expect", None)
    return doc


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_rerun_from_borrowers_csv_liquidates_the_same(tmp_path: Path) -> None:
    first = run_doc(tmp_path, "drawn", _small_flagship())
    assert_clean(first)
    drawn_csv = first.run_dir / "borrowers.csv"
    drawn = _rows(drawn_csv)
    assert list(drawn[0]) == COLUMNS_BEFORE_SOURCE + ["source"] == BORROWER_COLUMNS
    assert {r["source"] for r in drawn} == {"seeded"} and len(drawn) == 60

    doc = _small_flagship()
    reaction = {k: v for k, v in doc["borrowers"].get("reaction", {}).items() if k != "probability"}
    doc["borrowers"] = {"from": str(drawn_csv), **({"reaction": reaction} if reaction else {})}
    second = run_doc(tmp_path, "from-file", doc)
    assert_clean(second)

    reread = _rows(second.run_dir / "borrowers.csv")
    assert [r["address"] for r in reread] == [r["address"] for r in drawn]
    assert [r["collateral"] for r in reread] == [r["collateral"] for r in drawn]
    assert [r["collateral_usd"] for r in reread] == [r["collateral_usd"] for r in drawn]
    assert [r["debt_usd"] for r in reread] == [r["debt_usd"] for r in drawn]
    assert [r["reacts"] for r in reread] == [r["reacts"] for r in drawn]
    assert {r["source"] for r in reread} == {"file"}

    a, b = amounts_by_key(first), amounts_by_key(second)
    assert len(a) >= 10, "too few liquidations for the round trip to prove much"
    assert list(a) == list(b)  # (step, account, collateral): the same liquidations in the same steps
    for key, (repaid, seized) in a.items():
        assert b[key][0] == pytest.approx(repaid, rel=1e-8), key
        assert b[key][1] == pytest.approx(seized, rel=1e-8), key
    # the second run's folder holds its positions file, and its drill.yaml names the copy: it re-validates alone
    import yaml

    from defidrill.preflight import preflight

    copied = yaml.safe_load((second.run_dir / "drill.yaml").read_text())["borrowers"]["from"]
    assert copied.startswith("replay/") and (second.run_dir / copied).read_bytes() == drawn_csv.read_bytes()
    assert preflight(second.run_dir / "drill.yaml").drill.borrowers.count == 60
