"""The one lock and the no-link rule, without a chain: a refused writer never touches the holder's lock,
nothing is written through a link planted in a folder, a dead writer's run is named killed."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from defidrill.errors import ConfigError
from defidrill.run_folder import (
    LOCK_FILE, STEPS_CSV, SUMMARY_JSON, RunSummary, folder_lock, open_run_folder, probe_lock, read_summary,
    write_summary,
)
from support.run_folders import write_onchain_run


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`defidrill ...` as a real process (the environment, PYTHONPATH included, is ours)."""
    return subprocess.run([sys.executable, "-m", "defidrill.cli", *args], capture_output=True, text=True, timeout=120)


def _hold_in_child(folder: Path) -> subprocess.Popen[str]:
    """Another process holding ``folder``'s lock the way a run does, until its stdin closes."""
    code = ("import sys; from pathlib import Path; from defidrill.run_folder import folder_lock\n"
            f"with folder_lock(Path({str(folder)!r})):\n    print('held', flush=True); sys.stdin.read()\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def test_a_refused_writer_never_removes_the_holders_lock_and_force_never_clears_a_live_run(tmp_path: Path) -> None:
    """The issue's case: the loser's clean-up deleted the live run's .lock, then --force wiped the live run.
    Here the second and third writers (--force, report) are refused, and the lock file is the holder's
    own inode with its pid every time."""
    run = write_onchain_run(tmp_path / "run")
    write_summary(run, RunSummary(drill="live", status="running"))
    child = _hold_in_child(run)
    try:
        inode = os.lstat(run / LOCK_FILE).st_ino
        for attempt in range(2):
            with pytest.raises(ConfigError, match=rf"another defidrill process \(pid {child.pid}\) is writing"):
                with open_run_folder(run, force=True):
                    pass
            assert os.lstat(run / LOCK_FILE).st_ino == inode, f"attempt {attempt} replaced the lock"
            assert (run / LOCK_FILE).read_text().strip() == str(child.pid)
        report = _cli("report", str(run))
        assert report.returncode == 2 and "is writing this folder" in report.stderr, report.stderr
        assert os.lstat(run / LOCK_FILE).st_ino == inode
        assert probe_lock(run).held
        assert read_summary(run / SUMMARY_JSON).drill == "live" and (run / STEPS_CSV).is_file()
    finally:
        child.communicate("", timeout=30)
    assert not (run / LOCK_FILE).exists()  # its holder unlinked it on the way out
    assert not probe_lock(run).held


def test_a_lock_file_whose_holder_unlinked_it_is_not_taken_twice(tmp_path: Path) -> None:
    """A writer that opened .lock before its holder released (and unlinked) it must not lock the dead inode
    while a third process locks the new file: it finds the path moved and retries on the new one."""
    folder = tmp_path / "f"
    folder.mkdir()
    stale = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT)
    try:
        os.unlink(folder / LOCK_FILE)
        fcntl.flock(stale, fcntl.LOCK_EX | fcntl.LOCK_NB)  # someone holds the unlinked inode: irrelevant now
        with folder_lock(folder) as held:
            assert os.fstat(held.fd).st_ino == os.lstat(folder / LOCK_FILE).st_ino
    finally:
        os.close(stale)


def test_a_planted_symlink_lock_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    """The issue's case: a received folder whose .lock links elsewhere made `report` overwrite the target."""
    run = write_onchain_run(tmp_path / "run")
    write_summary(run, RunSummary(drill="received", status="ok"))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    os.symlink(victim, run / LOCK_FILE)
    done = _cli("report", str(run))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "the lock file is a symbolic link" in done.stderr and "never writes through one" in done.stderr
    assert victim.read_text() == "precious\n"
    assert os.path.islink(run / LOCK_FILE) and not (run / "report.md").exists()
    with pytest.raises(ConfigError, match="lock file is a symbolic link"):
        with open_run_folder(run, force=True):
            pass
    assert victim.read_text() == "precious\n" and os.path.islink(run / LOCK_FILE)


@pytest.mark.parametrize("name", [SUMMARY_JSON, "report.md"])
def test_no_file_is_written_through_a_planted_link(tmp_path: Path, name: str) -> None:
    """`report --recompute` rewrites summary.json and the report: a link in their place is refused, the target kept."""
    run = write_onchain_run(tmp_path / "run")
    from defidrill.metrics import build_summary

    write_summary(run, build_summary(run, header={"status": "ok"}))
    victim = tmp_path / "victim.txt"
    victim.write_bytes((run / SUMMARY_JSON).read_bytes() if name == SUMMARY_JSON else b"precious\n")
    before = victim.read_bytes()
    (run / name).unlink(missing_ok=True)
    os.symlink(victim, run / name)
    done = _cli("report", str(run), "--recompute")
    assert done.returncode == 2 and "is a symbolic link" in done.stderr, (done.stdout, done.stderr)
    assert victim.read_bytes() == before and os.path.islink(run / name)


def test_a_planted_temporary_link_is_not_followed(tmp_path: Path) -> None:
    """The temporary name is predictable (.NAME.tmp-PID): a link planted there is replaced, never written through."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    folder = tmp_path / "run"
    folder.mkdir()
    os.symlink(victim, folder / f".{SUMMARY_JSON}.tmp-{os.getpid()}")
    write_summary(folder, RunSummary(drill="x"))
    assert victim.read_text() == "precious\n"
    assert read_summary(folder / SUMMARY_JSON).drill == "x"


def test_force_removes_a_planted_link_itself_never_its_target(tmp_path: Path) -> None:
    run = write_onchain_run(tmp_path / "run")
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    os.symlink(target, run / "replay")
    with open_run_folder(run, force=True) as folder:
        folder.write_summary(RunSummary(drill="new"))
    assert (target / "keep.txt").read_text() == "mine" and not (run / "replay").exists()


def test_report_names_a_dead_writer_and_marks_its_run_killed(tmp_path: Path) -> None:
    """A writer killed with SIGKILL leaves status running and its pid in .lock, the lock itself free:
    report takes the lock (the proof) and writes status killed with the rows on disk."""
    run = write_onchain_run(tmp_path / "run")
    write_summary(run, RunSummary(drill="dead", status="running", steps_total=40))
    child = subprocess.Popen([sys.executable, "-c", f"import time, os\nfd = os.open({str(run / LOCK_FILE)!r}, "
                              "os.O_RDWR | os.O_CREAT)\nimport fcntl; fcntl.flock(fd, fcntl.LOCK_EX)\n"
                              "os.write(fd, str(os.getpid()).encode()); print('x', flush=True); time.sleep(60)"],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline()
    child.kill()
    child.wait(10)
    rows = len((run / STEPS_CSV).read_text().splitlines()) - 1
    done = _cli("report", str(run))
    assert done.returncode == 0, done.stderr
    assert f"writer (pid {child.pid}) died without finishing" in done.stderr
    summary = json.loads((run / SUMMARY_JSON).read_text())
    assert summary["status"] == "killed" and summary["steps_completed"] == rows == 13
    assert f"{rows} of 40 steps on disk in steps.csv" in summary["error"]
    assert not (run / LOCK_FILE).exists()
