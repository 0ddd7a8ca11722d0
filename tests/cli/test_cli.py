"""The command line: validate's exit status and messages, run refusing a bad drill before starting."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from defidrill.cli.main import cli
from defidrill.toolchain import project_root

GOOD = """name: tiny
market:
  step: 10s
  duration: 5m
  assets:
    WBTC: {start: 60000, path: {kind: step, at: 1m, change: -5%}}
    USDC: 1
"""


def test_validate_accepts_the_drill_library() -> None:
    files = sorted(str(p) for p in (project_root() / "oracles").glob("*.yaml"))
    result = CliRunner().invoke(cli, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok ") == len(files)


def test_validate_finds_a_library_drill_by_name_from_any_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "flash-crash", "incidents/luna-may-2022", "missing"])
    assert result.exit_code == 2  # one of three is no file and no library name
    assert result.output.count("ok ") == 2 and "oracles/flash-crash.yaml" in result.output
    assert "missing: drill file not found" in result.output


def test_validate_names_file_line_and_allowed_values(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD + "protocol:\n  collateral:\n    WBTC: {ltv: 90%, liquidation_threshold: 80%}\n")
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:10" in result.output
    assert "ltv" in result.output and "liquidation_threshold" in result.output
    assert "Traceback" not in result.output


def test_run_refuses_an_invalid_drill_before_starting_anything(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("duration: 5m", "duration: 5m\n  stepp: 3s"))
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "stepp" in result.output and "did you mean step" in result.output
    assert not out.exists()  # nothing was started, nothing written


def test_run_rejects_an_amm_fee_the_reference_pair_cannot_charge(tmp_path: Path) -> None:
    bad = tmp_path / "fee.yaml"
    bad.write_text(GOOD + "amm:\n  pairs: {WBTC/USDC: {liquidity: 1M, fee: 1%}}\n")
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(bad), "--out", str(out), "--quiet"])
    assert result.exit_code == 2, result.output
    assert "amm.pairs.WBTC/USDC.fee" in result.output and "0.3%" in result.output


def test_run_backend_option_is_checked_before_starting(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(good), "--out", str(out), "--backend", "geth"])
    assert result.exit_code == 2
    assert "--backend" in result.output and "anvil" in result.output and "revm" in result.output
    assert not out.exists()


def test_run_on_revm_writes_the_run_folder(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(good), "--out", str(out), "--backend", "revm", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "(seed 0, revm): ok, 31/31 steps" in result.output
    assert json.loads((out / "summary.json").read_text())["backend"] == "revm"
