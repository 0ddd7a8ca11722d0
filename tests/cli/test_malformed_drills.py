"""The malformed-drill corpus through the real command line: exit 2, no traceback, file, path, allowed.

Every case runs through ``defidrill validate`` (the CLI entry point, in process) and must
get exit status 2, no traceback, and one message naming the file, the YAML path and what is
allowed. ``defidrill run`` goes through the same preflight: a sample of the corpus is run too,
and must refuse before anything is written. The YAML bombs also run as a real process,
with a time limit (fail fast, not after minutes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.malformed_corpus import CASES, Case
from defidrill.cli.main import cli

SRC = Path(__file__).resolve().parents[2] / "src"


def _write(case: Case, folder: Path) -> Path:
    drill = folder / "drill.yaml"
    if isinstance(case.text, bytes):
        drill.write_bytes(case.text)
    else:
        drill.write_text(case.text, encoding="utf-8")
    for name, content in case.files.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return drill


def _assert_refused(case: Case, drill: Path, exit_code: int, output: str) -> None:
    assert exit_code == 2, output
    assert "Traceback" not in output
    assert str(drill) in output, output
    if case.path is not None:
        assert f": {case.path}: " in output or f"  {case.path}" in output or f": {case.path} " in output, output
    assert "allowed: " in output and case.allowed in output, output


def test_the_corpus_is_large_and_every_case_is_distinct() -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({(c.text if isinstance(c.text, str) else c.text.decode("latin-1"), tuple(sorted(c.files.items())), c.args)
                for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [c for c in CASES if not c.args], ids=lambda c: c.id)
def test_validate_refuses(case: Case, tmp_path: Path) -> None:
    drill = _write(case, tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(drill)])
    assert isinstance(result.exception, SystemExit), result.exception  # not an unexpected exception
    _assert_refused(case, drill, result.exit_code, result.output)


RUN_SAMPLE = {"seed-cli-negative", "amm-fee", "csv-nan-price", "start-1e70", "step-1ms", "collateral-empty",
              "name-slash", "csv-start-time-unparseable", "gbm-sigma-1e6", "billion-laughs"}


@pytest.mark.parametrize("case", [c for c in CASES if c.id in RUN_SAMPLE], ids=lambda c: c.id)
def test_run_refuses_before_writing_anything(case: Case, tmp_path: Path) -> None:
    drill = _write(case, tmp_path)
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(drill), "--out", str(out), "--quiet", *case.args])
    assert isinstance(result.exception, SystemExit), result.exception
    _assert_refused(case, drill, result.exit_code, result.output)
    assert "ConfigError" in result.output
    assert not out.exists()


@pytest.mark.parametrize("case_id", ["billion-laughs", "nested-500-flow", "too-many-aliases"])
def test_hostile_yaml_fails_fast_in_a_real_process(case_id: str, tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == case_id)
    drill = _write(case, tmp_path)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "defidrill.cli", "validate", str(drill)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(SRC)})
    assert time.monotonic() - started < 60
    _assert_refused(case, drill, proc.returncode, proc.stdout + proc.stderr)


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    drill = tmp_path / "big.yaml"
    with open(drill, "w") as handle:
        for i in range(2_100_000):
            handle.write(f"unknown_key_{i:08d}: 1\n")  # 24 bytes a line: ~50 MB
    assert drill.stat().st_size > 50_000_000
    result = CliRunner().invoke(cli, ["validate", str(drill)])
    assert result.exit_code == 2
    assert "at most 1,000,000 bytes" in result.output and len(result.output) < 500


def test_many_problems_are_capped_at_fifty_lines(tmp_path: Path) -> None:
    # 900 unknown keys (under the size limit): one line each for the first 50, then a count.
    from cli.malformed_corpus import BASE

    drill = tmp_path / "many.yaml"
    drill.write_text(BASE + "".join(f"junk_{i}: 1\n" for i in range(900)))
    result = CliRunner().invoke(cli, ["validate", str(drill)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if "unknown key" in line]
    assert len(lines) == 50
    assert "900 problems" in result.output and "and 850 more problems" in result.output
