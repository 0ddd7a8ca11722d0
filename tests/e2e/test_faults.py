"""Faults injected into real `defidrill run` processes: signals, a full disk, unwritable output, a
second run into a busy folder. Each leaves every completed step on disk, a readable summary, a
documented exit status, one message and no traceback, and no anvil behind (docs/reliability.md)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from defidrill.run_folder import LOCK_FILE, SUMMARY_JSON, load_run, read_summary
from support.faults import FAULT_DRILL, children, fill, finish, rows_on_disk, start_run, tmpfs, wait_rows
from support.processes import wait_dead


@pytest.fixture
def drill(tmp_path: Path) -> Path:
    path = tmp_path / "faults.yaml"
    path.write_text(FAULT_DRILL)
    return path


def _assert_whole_rows(out: Path, expected_rows: int) -> None:
    """Every row on disk is whole and the rows are steps 0..n-1 (load_run refuses a torn row)."""
    run = load_run(out)
    assert [int(s) for s in run.steps.text("step")] == list(range(expected_rows))
    assert {e.step for e in run.events} <= set(range(expected_rows))  # no event of a step without its row


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)])
def test_a_signal_mid_run_ends_it_interrupted_with_every_completed_step_on_disk(
        drill: Path, tmp_path: Path, signum: signal.Signals, status: int) -> None:
    out = tmp_path / "run"
    proc = start_run(drill, out)
    wait_rows(proc, out, 3)
    anvils = children(proc.pid)
    assert anvils, "anvil should be a child of the run"
    seen = rows_on_disk(out)
    os.kill(proc.pid, signum)
    code, stdout, stderr = finish(proc)

    assert code == status, (code, stdout, stderr)
    assert "Traceback" not in stdout + stderr
    assert stderr.strip() == f"defidrill: Interrupted: interrupted by {signum.name}"
    summary = read_summary(out / SUMMARY_JSON)
    assert (summary.status, summary.exit_status, summary.error) == ("interrupted", status,
                                                                    f"interrupted by {signum.name}")
    rows = rows_on_disk(out)
    assert summary.steps_completed == rows >= seen  # zero completed steps lost
    assert rows < summary.steps_total
    _assert_whole_rows(out, rows)
    assert summary.onchain is not None  # the metrics of the steps on disk were still computed
    assert (out / "report.html").is_file()
    assert not (out / LOCK_FILE).exists()
    for pid in anvils:
        assert wait_dead(pid), f"anvil {pid} outlived the interrupted run"


def test_a_full_disk_mid_run_exits_4_and_keeps_rows_and_the_previous_summary(drill: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "size=2m") as disk:
        out = disk / "run"
        proc = start_run(drill, out)
        wait_rows(proc, out, 3)
        anvils = children(proc.pid)
        before = (out / SUMMARY_JSON).read_bytes()  # written when the run started: status running
        fill(disk)
        code, stdout, stderr = finish(proc)

        assert code == 4, (code, stdout, stderr)
        assert "Traceback" not in stdout + stderr
        assert stderr.startswith("defidrill: OutputError: ") and "No space left on device" in stderr
        assert len(stderr.strip().splitlines()) == 1
        assert (out / SUMMARY_JSON).read_bytes() == before  # the previous summary, intact
        assert read_summary(out / SUMMARY_JSON).status == "running"
        rows = rows_on_disk(out)
        assert rows >= 3
        _assert_whole_rows(out, rows)
        for pid in anvils:
            assert wait_dead(pid)


def test_report_recompute_on_a_full_disk_keeps_the_summary(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from defidrill.cli.main import cli
    from defidrill.metrics import build_summary
    from defidrill.run_folder import write_summary
    from support.run_folders import write_onchain_run

    with tmpfs(tmp_path / "disk", "size=512k") as disk:
        run = write_onchain_run(disk / "run")
        write_summary(run, build_summary(run, header={"status": "ok", "steps_completed": 13}))
        before = (run / SUMMARY_JSON).read_bytes()
        fill(disk)
        result = CliRunner(mix_stderr=False).invoke(cli, ["report", str(run), "--recompute"])
        assert result.exit_code == 4, (result.stdout, result.stderr)
        assert "No space left on device" in result.stderr and "Traceback" not in result.stderr
        assert (run / SUMMARY_JSON).read_bytes() == before
        assert not [p for p in run.iterdir() if ".tmp-" in p.name]  # no temporary left behind


def test_a_read_only_output_folder_exits_4_before_anything_starts(drill: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "size=64k", "ro") as ro:
        proc = start_run(drill, ro / "run")
        code, stdout, stderr = finish(proc)
    assert code == 4, (code, stdout, stderr)
    assert "Traceback" not in stdout + stderr
    assert stderr.strip() == f"defidrill: OutputError: {ro / 'run'}: cannot create the run folder (Read-only file system)"


@pytest.mark.parametrize("where", ["file", "file/sub"])
def test_a_file_where_the_run_folder_should_be_exits_4(drill: Path, tmp_path: Path, where: str) -> None:
    (tmp_path / "file").write_text("not a folder")
    proc = start_run(drill, tmp_path / where)
    code, stdout, stderr = finish(proc)
    assert code == 4, (code, stdout, stderr)
    assert "Traceback" not in stdout + stderr
    assert stderr.startswith(f"defidrill: OutputError: {tmp_path / where}: ")
    assert (tmp_path / "file").read_text() == "not a folder"


def test_a_second_run_into_a_busy_folder_is_refused_even_with_force(drill: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    first = start_run(drill, out)
    wait_rows(first, out, 2)
    first.send_signal(signal.SIGSTOP)  # held mid-run (with its lock) however fast this machine is
    try:
        rows = rows_on_disk(out)
        second = start_run(drill, out, "--force")
        code, stdout, stderr = finish(second)
    finally:
        first.send_signal(signal.SIGCONT)
    assert code == 2, (code, stdout, stderr)
    assert f"another defidrill process (pid {first.pid}) is writing this folder" in stderr and "Traceback" not in stderr
    assert rows_on_disk(out) == rows  # --force cleared nothing
    wait_rows(first, out, rows + 1)  # the first run goes on
    first.send_signal(signal.SIGTERM)
    code, _, _ = finish(first)
    assert code in (0, 143)  # interrupted, or already done on a fast machine
    summary = read_summary(out / SUMMARY_JSON)
    assert summary.steps_completed == rows_on_disk(out)
    _assert_whole_rows(out, summary.steps_completed)
