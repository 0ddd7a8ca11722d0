"""`defidrill suite`: a scorecard and JUnit XML over a set of drills; the library's sizes in one table."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from defidrill.cli.main import cli
from defidrill.drill.overrides import library_drills, library_name
from defidrill.preflight import preflight
from defidrill.suite import SUITE_SIZES, run_one

# The CEX index is 60,000 until 30 s, then 57,000 (-5%): "holds" expects what the path gives, "cannot"
# a lowest index of at least 60,000, which the -5% step rules out.
DRILL = """name: {name}
market:
  step: 10s
  duration: 1m
  assets:
    WBTC: {{start: 60000, path: {{kind: step, at: 30s, change: -5%}}}}
    USDC: 1
borrowers: {{count: 4}}
cex: {{positions: {{count: 200}}}}
expect:
  cex.start_index_price_usd: {{min: 59.9k, max: 60.1k}}
  cex.min_index_price_usd: {{min: {low}}}
"""


def _write(folder: Path, name: str, low: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(DRILL.format(name=name, low=low))
    return path


@pytest.mark.slow
def test_suite_scores_each_drill_and_writes_junit(tmp_path: Path) -> None:
    holds, cannot = _write(tmp_path, "holds", "56k"), _write(tmp_path, "cannot", "60k")
    junit = tmp_path / "suite.xml"
    result = CliRunner(mix_stderr=False).invoke(cli, ["suite", str(holds), str(cannot), "--junit", str(junit),
                                                      "--out", str(tmp_path / "runs")])
    assert result.exit_code == 1, result.output
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:3]}
    # drill, status, invariants passed/total, expectations met/total, wall time
    assert rows["holds"][1:4] == ["passed", "4/4", "2/2"] and rows["cannot"][1:4] == ["failed", "4/4", "1/2"]
    assert "expectation not met: cex.min_index_price_usd = $57,000 (min $60,000)" in result.stdout
    assert "1 passed, 1 failed, 0 skipped of 2 drills" in result.stdout

    suite = ET.parse(junit).getroot()
    assert suite.tag == "testsuite" and (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == ["holds", "cannot"]
    assert cases["holds"].find("failure") is None
    failure = cases["cannot"].find("failure")
    assert failure is not None and "cex.min_index_price_usd = $57,000 (min $60,000)" in (failure.text or "")
    assert (tmp_path / "runs" / "cannot" / "report.html").is_file()


def test_a_drill_the_protocol_refuses_is_skipped_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "attack.yaml"
    path.write_text(DRILL.format(name="attack", low="56k") + "amm: {pairs: {WBTC/USDC: 2M}}\n"
                    "failures:\n  - {kind: spot_manipulation, pair: WBTC/USDC, at: 20s, target: 3.0, borrow: max}\n")
    row = run_one(path, tmp_path / "runs", ["protocol.kind=aave-v3"])   # refused at validation: nothing runs
    assert row.status == "skipped" and row.ok and "spot_manipulation only with protocol.kind: reference" in row.problems[0]
    assert not (tmp_path / "runs").exists()


def test_a_drill_invalid_at_its_own_size_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(DRILL.format(name="typo", low="56k").replace("cex.min_index_price_usd", "cex.min_index_prize_usd"))
    row = run_one(path, tmp_path / "runs", ["protocol.kind=aave-v3"])
    assert row.status == "error" and not row.ok and "did you mean cex.min_index_price_usd" in row.problems[0]


def test_the_sizes_table_names_every_library_drill_and_each_validates_at_its_size() -> None:
    names = [library_name(p) for p in library_drills()]
    assert sorted(SUITE_SIZES) == sorted(names)
    for path in library_drills():
        drill = preflight(path, overrides=SUITE_SIZES[library_name(path)]).drill
        assert drill.borrowers.count <= 60 and drill.market.step_count <= 600, library_name(path)
