"""`run --set ... --json`, the run's closing lines, `compare` and `list`."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from defidrill.cli.main import cli
from defidrill.metrics import build_summary
from defidrill.metrics.comparison import DEFINITIONS
from defidrill.run_folder import write_summary
from defidrill.toolchain import project_root
from support.run_folders import write_cex_run, write_onchain_run

# WBTC drops 5% at 30 s; its feed is stale from 30 s for 30 s (the drill) or 90 s (the override)
DRILL = """name: tiny
market:
  step: 10s
  duration: 5m
  assets:
    WBTC: {start: 60000, path: {kind: step, at: 30s, change: -5%}}
    USDC: 1
borrowers: {count: 6}
failures:
  - {kind: stale, feed: WBTC, at: 30s, for: 30s}
cex: {positions: {count: 300}}
"""


@pytest.mark.slow
def test_run_applies_overrides_and_prints_json_side_by_side(tmp_path: Path) -> None:
    drill = tmp_path / "tiny.yaml"
    drill.write_text(DRILL)
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(drill), "--out", str(out), "--json",
                                      "--set", "market.duration=2m", "--set", "failures.0.for=90s"])
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert outcome["status"] == "ok"
    assert outcome["steps_completed"] == outcome["steps_total"] == 2 * 60 // 10 + 1     # the overridden duration
    assert list(outcome["headline"]) == list(DEFINITIONS)
    count = outcome["headline"]["liquidation_count"]
    with open(out / "cex_events.csv") as fh:   # positions the engine took over (a position may fill in chunks)
        cex_liquidations = len({row["position_id"] for row in csv.DictReader(fh) if row["kind"].startswith("liquidation")})
    assert count["cex"] == cex_liquidations > 0 and count["onchain"] == 0 and count["unit"] == "count"
    # the stale window now lasts 90 s: the feed still shows the pre-drop price at t = 110 s
    with open(out / "steps.csv") as fh:
        feed = {float(r["t_s"]): float(r["feed_WBTC_usd"]) for r in csv.DictReader(fh)}
    assert feed[110.0] == 60_000 and feed[120.0] == 57_000
    kept = (out / "drill.yaml").read_text()
    assert kept.startswith(DRILL) and kept.endswith("\n# --set market.duration=2m\n# --set failures.0.for=90s\n")
    assert outcome["overrides"] == ["market.duration=2m", "failures.0.for=90s"]


@pytest.mark.slow
def test_run_closing_lines_put_both_venues_side_by_side(tmp_path: Path) -> None:
    drill = tmp_path / "tiny.yaml"
    drill.write_text(DRILL)
    result = CliRunner().invoke(cli, ["run", str(drill), "--out", str(tmp_path / "run"), "--quiet",
                                      "--set", "market.duration=1m"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(i for i, line in enumerate(lines) if "on chain" in line and "CEX" in line)
    rows = lines[header + 1: header + 1 + len(DEFINITIONS)]
    assert [r.split("  ")[0] for r in rows] == [m.replace("_", " ") for m in DEFINITIONS]


def test_an_override_error_names_the_override_and_starts_nothing(tmp_path: Path) -> None:
    drill = tmp_path / "tiny.yaml"
    drill.write_text(DRILL)
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(drill), "--out", str(out), "--set", "failures.0.for=soon"])
    assert result.exit_code == 2
    assert "ConfigError: --set failures.0.for=soon: failures[0].for: cannot read 'soon' as a duration" in result.output
    assert str(drill) not in result.output and not out.exists()


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[Path, Path]:
    a = write_cex_run(write_onchain_run(tmp_path / "guarded"))
    write_summary(a, build_summary(a, header={"status": "ok", "steps_completed": 13, "steps_total": 13}))
    b = tmp_path / "naive"
    shutil.copytree(a, b)
    summary = json.loads((b / "summary.json").read_text())
    summary["onchain"]["liquidation_count"] = 6
    summary["onchain"]["bad_debt_usd"] += 2_500.0
    (b / "summary.json").write_text(json.dumps(summary))
    return a, b


def test_compare_gives_every_metric_and_its_difference(two_runs: tuple[Path, Path]) -> None:
    a, b = two_runs
    result = CliRunner().invoke(cli, ["compare", str(a), str(b), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)["metrics"]
    # four liquidations in the hand-made run folder (tests/support/run_folders.py), six after the edit
    assert metrics["onchain.liquidation_count"] == {"values": [4, 6], "differences": [2]}
    assert metrics["onchain.bad_debt_usd"]["differences"] == [2_500.0]
    # seized collateral at reference (the hand-made folder's figure, as tests/metrics/test_onchain.py), unchanged
    assert metrics["onchain.seized_collateral_usd"]["values"][0] == pytest.approx(14_293.65)
    assert metrics["onchain.seized_collateral_usd"]["differences"][0] == pytest.approx(0.0, abs=1e-9)
    assert "cex.liquidation_count" in metrics and "comparison.liquidation_count.cex" in metrics

    text = CliRunner().invoke(cli, ["compare", str(a), str(b), "--changed"]).output
    rows = {line.split()[0]: line for line in text.splitlines()[1:]}
    assert set(rows) == {"onchain.liquidation_count", "onchain.bad_debt_usd"}   # only what was edited
    assert rows["onchain.bad_debt_usd"].split()[-1] == "+$2,500"


def test_compare_names_a_folder_without_summary(tmp_path: Path, two_runs: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(cli, ["compare", str(two_runs[0]), str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "nowhere/summary.json: file not found" in result.output


def test_list_prints_one_line_per_library_drill(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)          # the library is the package's, from any folder
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 0, result.output
    library = project_root() / "oracles"
    names = sorted(p.relative_to(library).with_suffix("").as_posix() for p in library.rglob("*.yaml")
                   if p.relative_to(library).parts[0] != "risk")  # oracles/risk/: risk files, not drills
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == names
    flash = next(line for line in lines if line.startswith("flash-crash "))
    assert "720 steps of 10 s" in flash and flash.rstrip().endswith(".")
