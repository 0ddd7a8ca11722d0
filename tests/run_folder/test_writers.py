"""One writer per run folder with real `defidrill` processes: a second run, a --force and a report into a
folder a run is writing are refused and leave it whole; a run killed with SIGKILL is named killed by
`report` and `compare`, its steps on disk counted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from defidrill.run_folder import LOCK_FILE, SUMMARY_JSON, RunSummary, write_summary
from support.faults import FAULT_DRILL, finish, rows_on_disk, start_run, wait_rows
from support.processes import wait_dead
from support.run_folders import write_onchain_run

#: FAULT_DRILL: 30 minutes of 10 s steps.
STEPS_TOTAL = 30 * 6 + 1


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "defidrill.cli", *args], capture_output=True, text=True, timeout=180)


def _cli_started(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "defidrill.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)




def test_a_second_run_a_force_and_a_report_into_a_live_run_are_refused_and_the_run_stays_whole(
        tmp_path: Path) -> None:
    """The issue's case: the refused second run deleted the live run's .lock, then `--force` got it, wiped the
    live run and both exited 0 into one folder (summary from one, steps from the other)."""
    drill = tmp_path / "faults.yaml"
    drill.write_text(FAULT_DRILL)
    out = tmp_path / "run"
    first = start_run(drill, out)
    wait_rows(first, out, 3)
    first.send_signal(signal.SIGSTOP)  # held mid-run (with its lock) however fast this machine is
    try:
        inode = os.lstat(out / LOCK_FILE).st_ino
        others = {"run": _cli_started("run", str(drill), "--out", str(out), "--quiet"),
                  "run --force": _cli_started("run", str(drill), "--out", str(out), "--quiet", "--force"),
                  "report": _cli_started("report", str(out), "--recompute")}
        results = {name: finish(proc) for name, proc in others.items()}
        assert os.lstat(out / LOCK_FILE).st_ino == inode, "a refused command replaced the live run's lock"
    finally:
        first.send_signal(signal.SIGCONT)
    for name, (status, stdout, stderr) in results.items():
        assert status == 2, (name, stdout, stderr)
        assert f"another defidrill process (pid {first.pid}) is writing this folder" in stderr, (name, stderr)
    status, _, stderr = finish(first, timeout_s=400)
    assert status == 0, stderr
    summary = json.loads((out / SUMMARY_JSON).read_text())
    assert summary["status"] == "ok" and summary["steps_completed"] == STEPS_TOTAL == rows_on_disk(out)
    assert not (out / LOCK_FILE).exists()


def test_a_run_killed_with_sigkill_is_named_killed_by_compare_and_report(tmp_path: Path) -> None:
    drill = tmp_path / "faults.yaml"
    drill.write_text(FAULT_DRILL)
    out = tmp_path / "killed"
    proc = start_run(drill, out)
    wait_rows(proc, out, 5)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert wait_dead(proc.pid)
    rows = rows_on_disk(out)
    assert rows >= 5 and json.loads((out / SUMMARY_JSON).read_text())["status"] == "running"
    other = write_onchain_run(tmp_path / "other")
    write_summary(other, RunSummary(drill="other", status="failed", error="boom", steps_total=13))

    compared = _cli("compare", str(out), str(other), "--json")
    assert compared.returncode == 0, compared.stderr
    assert json.loads(compared.stdout)["statuses"] == ["killed", "failed"]
    assert (f"warning: {out}: status killed (summary.json says running but no process is writing it: its writer "
            f"died); {rows} of {STEPS_TOTAL} steps on disk") in compared.stderr
    assert f"warning: {other}: status failed; 13 of 13 steps on disk; error: boom" in compared.stderr

    reported = _cli("report", str(out))
    assert reported.returncode == 0, reported.stderr
    assert f"writer (pid {proc.pid}) died without finishing" in reported.stderr
    summary = json.loads((out / SUMMARY_JSON).read_text())
    assert summary["status"] == "killed" and summary["steps_completed"] == rows
    assert f"{rows} of {STEPS_TOTAL} steps on disk in steps.csv" in summary["error"]
    assert "killed" in (out / "report.md").read_text()
    again = _cli("compare", str(out), str(other))
    assert f"warning: {out}: status killed; {rows} of {STEPS_TOTAL} steps on disk" in again.stderr
