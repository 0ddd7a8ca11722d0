"""The run folder when things go wrong: a chain that dies mid-run, a drill that does not validate.

A run is written as it goes (docs/run-folder.md): when anvil dies at step N the folder keeps
the N completed steps.csv rows and a summary.json with ``status: "failed"`` and the error,
and ``defidrill run`` exits with the chain branch's status (4) and a one-paragraph message.
An invalid drill is refused before anything starts: exit status 2, file and line named, no
anvil launched, no run folder.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import defidrill.runner as runner_module
from defidrill.chain import anvil as anvil_module
from defidrill.cli.main import cli
from defidrill.engine.loop import LoopResult

KILL_AFTER_STEPS = 8

SMALL_DRILL = """\
name: dies-midway
description: A short WETH ramp whose chain is killed after a few steps.
seed: 1
market:
  step: 10s
  duration: 5m
  assets:
    WETH: {start: 3000, path: {kind: ramp, at: 30s, over: 4m, change: -10%}}
    USDC: 1
amm: {pairs: {WETH/USDC: 2M}}
borrowers: {count: 10}
cex: {enabled: false}
"""

# Line 7 holds the misspelt key.
INVALID_DRILL = """\
name: broken
seed: 1
market:
  step: 10s
  duration: 5m
  assets:
    WETH: {start: 3000, path: {kind: ramp, at: 30s, over: 4m, chnage: -10%}}
    USDC: 1
"""


def _runner() -> CliRunner:
    return CliRunner(mix_stderr=False)


def test_chain_dying_midway_leaves_completed_rows_failed_summary_and_exit_4(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drill_path = tmp_path / "dies-midway.yaml"
    drill_path.write_text(SMALL_DRILL)
    out = tmp_path / "run"
    killed: dict[str, Any] = {}
    real_run_loop = runner_module.run_loop

    def run_loop_killing_anvil(chain, world, recorder, **kwargs):  # type: ignore[no-untyped-def]
        def on_step(result: LoopResult) -> None:
            if result.steps_completed == KILL_AFTER_STEPS and "pid" not in killed:
                killed["pid"] = chain.node.process.pid
                chain.node.process.kill()  # SIGKILL: the chain dies without a word
                chain.node.process.wait(timeout=10)

        return real_run_loop(chain, world, recorder, on_step=on_step, **kwargs)

    monkeypatch.setattr(runner_module, "run_loop", run_loop_killing_anvil)
    result = _runner().invoke(cli, ["run", str(drill_path), "--out", str(out), "--quiet"])

    assert killed, "the hook never ran: the drill did not reach the kill step"
    assert result.exit_code == 4, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("defidrill: ChainError: "), result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3, result.stderr

    with open(out / "steps.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["step"]) for r in rows] == list(range(KILL_AFTER_STEPS))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "failed"
    assert summary["error"] and summary["error"] in result.stderr
    assert summary["steps_completed"] == KILL_AFTER_STEPS
    assert summary["steps_total"] == 31
    assert (out / "drill.yaml").read_text() == SMALL_DRILL
    assert (out / "events.jsonl").is_file()


def test_invalid_drill_exits_2_naming_file_and_line_before_anything_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drill_path = tmp_path / "broken.yaml"
    drill_path.write_text(INVALID_DRILL)
    launched: list[object] = []

    def no_anvil(*args: object, **kwargs: object) -> None:
        launched.append(args)
        raise AssertionError("anvil must not start for an invalid drill")

    monkeypatch.setattr(anvil_module.AnvilNode, "start", classmethod(no_anvil))
    monkeypatch.chdir(tmp_path)  # the default run folder would land in ./runs
    result = _runner().invoke(cli, ["run", str(drill_path)])

    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert not launched
    assert "Traceback" not in result.stderr + result.stdout
    assert f"{drill_path}:7" in result.stderr, result.stderr
    assert "chnage" in result.stderr and "change" in result.stderr
    assert not (tmp_path / "runs").exists()
