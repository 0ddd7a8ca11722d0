"""The run folder's promises through the real CLI and a real chain: a broken invariant exits 5, a
folder holding a run is refused and --force leaves nothing of the old run, names stay inside
runs/, and a replay run's folder reruns itself from the line its report prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import defidrill.runner as runner_module
from defidrill.cli.main import cli
from defidrill.engine.loop import LoopResult
from defidrill.run_folder import CEX_STEPS_CSV, REPORT_MD, STEPS_CSV, SUMMARY_JSON, load_run, read_summary
from support.faults import FAULT_DRILL
from support.run_folders import write_cex_run

SHORT_DRILL = FAULT_DRILL.replace("duration: 30m", "duration: 3m").replace("at: 1m, over: 20m", "at: 30s, over: 2m")

#: BaseERC20's storage: slot 0 name, slot 1 symbol (decimals is immutable), slot 2 totalSupply.
TOTAL_SUPPLY_SLOT = "0x2"


def _cli(*args: str) -> Any:
    return CliRunner(mix_stderr=False).invoke(cli, list(args))


def _tamper_usdc_supply_after(steps: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """After ``steps`` steps, USDC's totalSupply is raised by one unit straight in storage (no Transfer event)."""
    real_run_loop = runner_module.run_loop
    tampered: dict[str, Any] = {}

    def run_loop_tampering(chain, world, recorder, **kwargs):  # type: ignore[no-untyped-def]
        def on_step(result: LoopResult) -> None:
            if result.steps_completed == steps and not tampered:
                usdc = world.market.tokens["USDC"]
                supply = chain.call(usdc.functions.totalSupply())
                chain.rpc.request("anvil_setStorageAt", [usdc.address, TOTAL_SUPPLY_SLOT, f"0x{supply + 1:064x}"])
                tampered.update(supply=supply + 1, address=usdc.address)
        return real_run_loop(chain, world, recorder, on_step=on_step, **kwargs)

    monkeypatch.setattr(runner_module, "run_loop", run_loop_tampering)
    return tampered


def test_a_broken_invariant_stops_the_drill_at_its_step_and_exits_5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tampered after step 2 (3 steps done): the real "token supply changes only by mint/burn" check of
    step 3 (invariants.every: 1) catches it, names the step and USDC, and stops: exit 5."""
    drill = tmp_path / "d.yaml"
    drill.write_text(SHORT_DRILL)
    out = tmp_path / "run"
    tampered = _tamper_usdc_supply_after(3, monkeypatch)
    result = _cli("run", str(drill), "--out", str(out), "--quiet", "--set", "invariants.every=1")

    assert tampered, "the tamper hook never ran"
    assert result.exit_code == 5, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.startswith("defidrill: InvariantError: invariant broken at step 3 (t = 30 s, block ")
    assert "token supply changes only by mint/burn (" in result.stderr
    assert f"USDC: supply {tampered['supply']}" in result.stderr
    assert f"accounts: {tampered['address']}" in result.stderr
    summary = read_summary(out / SUMMARY_JSON)
    assert (summary.status, summary.exit_status) == ("failed", 5)
    assert (summary.steps_completed, summary.steps_total) == (4, 19)  # stopped at the broken step, its row on disk
    assert summary.onchain is not None
    [broken] = [i for i in summary.onchain.invariants if not i.passed]
    assert (broken.name, broken.first_broken_step, broken.accounts) == (
        "token supply changes only by mint/burn", 3, [tampered["address"]])
    assert (broken.checks, broken.broken_checks) == (4, 1)
    assert summary.invariant_checks is not None and summary.invariant_checks.checks_run == 4
    assert (out / "report.html").is_file()


def test_a_flagged_invariant_is_recorded_and_the_drill_runs_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same tampering with on_failure: flag: all 19 steps run, exit 0, every check from step 3 on
    (16 of 19) is broken, and summary.json and the report say so."""
    drill = tmp_path / "d.yaml"
    drill.write_text(SHORT_DRILL)
    out = tmp_path / "run"
    tampered = _tamper_usdc_supply_after(3, monkeypatch)
    result = _cli("run", str(drill), "--out", str(out), "--quiet", "--set", "invariants.on_failure=flag",
                  "--set", "invariants.every=1")

    assert tampered and result.exit_code == 0, (result.exit_code, result.stderr)
    assert "invariant FAIL: token supply changes only by mint/burn" in result.stdout
    summary = read_summary(out / SUMMARY_JSON)
    assert (summary.status, summary.steps_completed, summary.steps_total) == ("ok", 19, 19)
    assert summary.onchain is not None and summary.invariant_checks is not None
    [broken] = [i for i in summary.onchain.invariants if not i.passed]
    assert (broken.first_broken_step, broken.checks, broken.broken_checks) == (3, 19, 16)
    assert summary.invariant_checks.flagged == 16 and summary.invariant_checks.on_failure == "flag"
    report = (out / REPORT_MD).read_text()
    assert "Flagged: 16 broken check(s)" in report and f"step 3 (16 of 19 checks); accounts {tampered['address']}" in report


def test_a_folder_holding_a_run_is_refused_and_force_leaves_nothing_of_it(tmp_path: Path) -> None:
    drill = tmp_path / "d.yaml"
    drill.write_text(SHORT_DRILL)
    out = tmp_path / "run"
    assert _cli("run", str(drill), "--out", str(out), "--quiet").exit_code == 0
    write_cex_run(out)  # as if the earlier run had a CEX side: its files must not leak into the next
    before = (out / STEPS_CSV).read_bytes()

    refused = _cli("run", str(drill), "--out", str(out), "--quiet")
    assert refused.exit_code == 2, refused.stderr
    assert "the folder already holds a run" in refused.stderr and "--force" in refused.stderr
    assert (out / STEPS_CSV).read_bytes() == before and (out / CEX_STEPS_CSV).is_file()

    forced = _cli("run", str(drill), "--out", str(out), "--quiet", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert not (out / CEX_STEPS_CSV).exists()
    summary = read_summary(out / SUMMARY_JSON)
    assert summary.cex is None and summary.status == "ok"
    assert summary.comparison and all(entry.cex is None for entry in summary.comparison.values())


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/defidrill-escaped"])
def test_a_drill_name_cannot_write_outside_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    drill = work / "d.yaml"
    drill.write_text(SHORT_DRILL.replace("name: faults", f"name: {name!r}"))
    monkeypatch.chdir(work)
    result = _cli("run", str(drill), "--quiet")
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "name" in result.stderr
    assert not list(tmp_path.glob("**/escaped-*")) and not list(Path("/tmp").glob("defidrill-escaped-*"))
    assert not (work / "runs").exists() or not any((work / "runs").iterdir())


def test_a_replay_run_folder_reruns_itself_from_its_report_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    csv_path = data / "weth.csv"
    # 3,000 falling 30 USD a minute for 4 minutes, then flat
    csv_path.write_text("time,price\n" + "".join(f"{60 * m},{3000 - 30 * min(m, 4)}\n" for m in range(6)))
    drill = tmp_path / "replay.yaml"
    drill.write_text(SHORT_DRILL.replace("name: faults", "name: replayed").replace(
        "{start: 3000, path: {kind: ramp, at: 30s, over: 2m, change: -10%}}",
        "{start: 3000, path: {kind: replay, csv: data/weth.csv}}"))
    out = tmp_path / "runs" / "first"
    first = _cli("run", str(drill), "--out", str(out), "--quiet")
    assert first.exit_code == 0, first.stderr
    assert (out / "replay" / "0-weth.csv").read_bytes() == csv_path.read_bytes()
    csv_path.unlink()  # the original is gone: the folder must be enough

    line = re.search(r"`(defidrill run [^`]+)`", (out / REPORT_MD).read_text())
    assert line, "the report prints no rerun line"
    argv = shlex.split(line.group(1))
    assert argv[:2] == ["defidrill", "run"] and argv[2] == str(out / "drill.yaml")
    rerun = _cli(*argv[1:], "--quiet")
    assert rerun.exit_code == 0, rerun.stderr
    again = Path(argv[argv.index("--out") + 1])
    assert (again / STEPS_CSV).read_text() == (out / STEPS_CSV).read_text()  # the same drill, the same chain
    ref = [float(r["ref_WETH_usd"]) for r in load_run(again).steps.rows()]
    assert ref[0] == 3000.0 and ref[-1] == 2910.0  # the replayed path at t = 180 s: three minutes down 30 USD each
