"""The user's code (an external adapter, a custom invariant) cannot fake an outcome, with real `defidrill`
processes: sys.exit in it is a failure of that code (exit 4, never 0 with a failed summary; a `validate`
exit 2, never a silent 0), Ctrl-C in it is SIGINT (130), a SIGTERM that lands in it is SIGTERM (143) even
when it swallows it; an adapter's exception is named with its method (exit 4), its traceback kept in
error.txt and not printed, the steps kept; with --json stdout is only the JSON; and a check that sends
transactions leaves the run folder byte for byte as without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from defidrill.chain import ChainAPI
from defidrill.engine.invariants import StepCheck
from defidrill.run_folder import ERROR_TXT, SUMMARY_JSON
from support.faults import rows_on_disk

#: 7 steps of 10 s, 3 borrowers, no CEX: the cheapest run that reaches the step loop.
TINY = """name: tiny
seed: 2
market:
  step: 10s
  duration: 1m
  assets:
    WETH: {start: 3000, path: {kind: step, at: 30s, change: -20%}}
    USDC: 1
amm: {pairs: {WETH/USDC: 2M}}
borrowers: {count: 3, health: {uniform: [1.02, 1.1]}}
cex: {enabled: false}
"""

#: A custom invariant that misbehaves at step 2 the way MODE says.
CHECK = '''
import os, signal, sys, time

def check(chain, step):
    print("hello from the check")
    if step.step != 2:
        return None
    mode = os.environ["MODE"]
    if mode == "exit0":
        sys.exit(0)
    if mode == "keyboard":
        raise KeyboardInterrupt
    if mode == "sigterm":
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    if mode == "swallow":
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        except Exception:
            pass
    return None
'''

#: The reference pool's adapter as a user's external one, failing where MODE says.
ADAPTER = '''
import os, sys
from defidrill.protocol.reference.adapter import ReferenceAdapter

class MyAdapter(ReferenceAdapter):
    reads = 0

    @classmethod
    def deploy(cls, chain, market, config):
        if os.environ["MODE"] == "deploy_exit":
            sys.exit(0)
        return super().deploy(chain, market, config)

    def decode_reads(self, results):
        print("hello from the adapter")
        MyAdapter.reads += 1
        if os.environ["MODE"] == "reads_raise" and MyAdapter.reads == 4:
            raise ValueError("boom at read 4")
        return super().decode_reads(results)
'''


def _run(tmp_path: Path, mode: str, drill_extra: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "ucheck.py").write_text(CHECK)
    (tmp_path / "uadapter.py").write_text(ADAPTER)
    drill = tmp_path / "d.yaml"
    drill.write_text(TINY + drill_extra)
    env = {**os.environ, "MODE": mode}
    return subprocess.run([sys.executable, "-m", "defidrill.cli", "run", str(drill), "--out", str(tmp_path / "run"),
                           "--quiet", *args], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)


CUSTOM = 'invariants: {custom: ["ucheck:check"], every: 1}\n'
EXTERNAL = 'protocol: {kind: external, adapter: "uadapter:MyAdapter"}\n'


def _summary(tmp_path: Path) -> dict[str, Any]:
    return dict(json.loads((tmp_path / "run" / SUMMARY_JSON).read_text()))


@pytest.mark.parametrize(("mode", "status", "exit_status"), [
    ("exit0", "failed", 4), ("keyboard", "interrupted", 130), ("sigterm", "interrupted", 143),
    ("swallow", "interrupted", 143)])
def test_a_custom_invariant_cannot_fake_its_outcome(tmp_path: Path, mode: str, status: str, exit_status: int) -> None:
    done = _run(tmp_path, mode, CUSTOM)
    assert done.returncode == exit_status, (done.stdout, done.stderr)
    summary = _summary(tmp_path)
    assert summary["status"] == status and summary["exit_status"] == exit_status
    assert summary["steps_completed"] == 3 == rows_on_disk(tmp_path / "run")  # steps 0, 1, 2: the check ran after 2
    assert "Traceback" not in done.stderr
    if mode == "exit0":
        error_txt = tmp_path / "run" / ERROR_TXT
        assert done.stderr.splitlines()[-1] == (
            "defidrill: UserCodeError: custom invariant ucheck:check called sys.exit(0): user code must return or "
            f"raise, never end the process at step 2 (traceback in {error_txt})")
        assert "SystemExit: 0" in error_txt.read_text() and 'ucheck.py", line' in error_txt.read_text()
        assert summary["error"] in done.stderr


def test_an_adapter_that_raises_at_run_time_is_named_with_its_method_and_its_traceback_kept(tmp_path: Path) -> None:
    done = _run(tmp_path, "reads_raise", EXTERNAL)
    assert done.returncode == 4, (done.stdout, done.stderr)
    error_txt = tmp_path / "run" / ERROR_TXT
    assert done.stderr.splitlines()[-1] == ("defidrill: UserCodeError: adapter uadapter:MyAdapter.decode_reads raised "
                                            f"ValueError: boom at read 4 (traceback in {error_txt})"), done.stderr
    assert "Traceback" not in done.stderr
    text = error_txt.read_text()
    assert text.startswith("Traceback") and 'uadapter.py", line' in text and "ValueError: boom at read 4" in text
    summary = _summary(tmp_path)
    assert summary["status"] == "failed" and summary["exit_status"] == 4
    assert summary["steps_completed"] == rows_on_disk(tmp_path / "run") >= 1


def test_an_adapter_that_calls_sys_exit_in_deploy_fails_with_exit_4(tmp_path: Path) -> None:
    done = _run(tmp_path, "deploy_exit", EXTERNAL)
    assert done.returncode == 4, (done.stdout, done.stderr)
    assert "adapter uadapter:MyAdapter.deploy called sys.exit(0)" in done.stderr
    assert _summary(tmp_path)["status"] == "failed"


def test_with_json_stdout_carries_only_the_json(tmp_path: Path) -> None:
    done = _run(tmp_path, "none", EXTERNAL + CUSTOM, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "ok"
    assert "hello from the adapter" in done.stderr and "hello from the check" in done.stderr


@pytest.mark.parametrize(("module", "field"), [("ucheck_exit", "invariants.custom.0"), ("uadapter_exit", "protocol.adapter")])
def test_validate_refuses_user_code_that_exits_at_import(tmp_path: Path, module: str, field: str) -> None:
    (tmp_path / f"{module}.py").write_text("import sys\nprint('imported')\nsys.exit(0)\n")
    extra = (f'invariants: {{custom: ["{module}:check"]}}\n' if field.startswith("invariants")
             else f'protocol: {{kind: external, adapter: "{module}:MyAdapter"}}\n')
    (tmp_path / "d.yaml").write_text(TINY + extra)
    done = subprocess.run([sys.executable, "-m", "defidrill.cli", "validate", str(tmp_path / "d.yaml")],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert field in done.stderr and f"module '{module}' does not import: it called sys.exit(0)" in done.stderr


def test_a_check_that_sends_transactions_leaves_the_run_as_without_it(defidrill_run: Any, tmp_path: Path) -> None:
    """The issue's case: a check changed the chain (a transaction moved, a base fee decayed). Checks run on a
    snapshot reverted after: every data file of the run is byte-identical with and without them."""
    import yaml

    drill = yaml.safe_load(TINY)

    def meddles(chain: ChainAPI, step: StepCheck) -> None:
        weth = step.contracts["WETH"]
        chain.transact(weth.functions.totalSupply())  # a "read" sent as a transaction: one mined block
        chain.mine(2)
        with chain.isolated():
            chain.advance(60)

    plain = defidrill_run(drill, **{"invariants.every": 1})
    checked = defidrill_run(drill, checks=[meddles], **{"invariants.every": 1})
    assert checked.summary["invariant_checks"]["checks_run"] == 7
    for name in ("steps.csv", "events.jsonl", "borrowers.csv", "contracts.json", "drill.yaml", "seed.txt"):
        assert (plain.run_dir / name).read_bytes() == (checked.run_dir / name).read_bytes(), name
    for key in ("onchain", "activity"):
        a, b = dict(plain.summary[key]), dict(checked.summary[key])
        a.pop("invariants", None), b.pop("invariants", None)
        assert a == b, key

