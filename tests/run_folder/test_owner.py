"""The run folder's owner without a chain: refusal, --force, the lock, names, atomic writes, versions."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from defidrill.errors import ConfigError, OutputError
from defidrill.run_folder import (
    LOCK_FILE, SUMMARY_JSON, RunFolderError, RunSummary, default_run_dir, load_run, open_run_folder, read_summary,
    write_summary,
)
from support.run_folders import write_cex_run, write_onchain_run


def test_a_folder_holding_a_run_is_refused_and_force_clears_only_the_runs_files(tmp_path: Path) -> None:
    old = write_cex_run(write_onchain_run(tmp_path / "run"))
    (old / "notes.txt").write_text("mine")  # not a run file: --force must leave it
    with pytest.raises(ConfigError, match="already holds a run.*--force"):
        with open_run_folder(old):
            pass
    assert (old / "cex_steps.csv").is_file()  # the refusal touched nothing
    with pytest.raises(ConfigError, match=r"not empty and holds no run \(notes.txt\)"):
        with open_run_folder(old, force=True):
            pass
    assert not (old / "cex_steps.csv").exists() and not (old / "steps.csv").exists()  # the old run is gone
    assert (old / "notes.txt").read_text() == "mine"
    (old / "notes.txt").unlink()
    with open_run_folder(old) as folder:
        assert (old / LOCK_FILE).read_text().strip() == str(os.getpid())
        folder.write_summary(RunSummary(drill="new"))
    assert not (old / LOCK_FILE).exists()
    assert sorted(p.name for p in old.iterdir()) == [SUMMARY_JSON]


def _try_lock(path: str, queue: multiprocessing.Queue[str]) -> None:
    try:
        with open_run_folder(Path(path), force=True):
            queue.put("locked")
    except ConfigError as exc:
        queue.put(str(exc))


def test_a_second_writer_in_another_process_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with open_run_folder(out) as folder:
        folder.write_summary(RunSummary(drill="first"))
        queue: multiprocessing.Queue[str] = multiprocessing.get_context("spawn").Queue()
        proc = multiprocessing.get_context("spawn").Process(target=_try_lock, args=(str(out), queue))
        proc.start()
        proc.join(60)
        message = queue.get(timeout=5)
    assert f"another defidrill process (pid {os.getpid()}) is writing this folder" in message
    assert read_summary(out / SUMMARY_JSON).drill == "first"  # --force did not clear a locked folder


@pytest.mark.parametrize("name", ["../../x", "/tmp/elsewhere", "a/b", "..", ""])
def test_names_cannot_leave_the_runs_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(ConfigError, match="cannot name another place"):
        default_run_dir(name, tmp_path / "runs")


def test_a_plain_name_lands_inside_runs(tmp_path: Path) -> None:
    path = default_run_dir("flash-crash", tmp_path / "runs")
    assert path.parent == tmp_path / "runs" and path.name.startswith("flash-crash-")


def test_out_that_is_a_file_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="it is a file, not a folder") as err:
        with open_run_folder(tmp_path / "f"):
            pass
    assert err.value.exit_status == 4
    with pytest.raises(OutputError, match="cannot create the run folder.*Not a directory"):
        with open_run_folder(tmp_path / "f" / "sub"):
            pass


def test_summary_json_refuses_an_unknown_version_and_stray_keys(tmp_path: Path) -> None:
    run = write_onchain_run(tmp_path / "r")
    (run / SUMMARY_JSON).write_text(json.dumps({"schema_version": 2, "drill": "x"}))
    with pytest.raises(RunFolderError, match="schema_version 2 is not one this defidrill reads"):
        load_run(run)
    (run / SUMMARY_JSON).write_text(json.dumps({"drill": "x", "onchain_raw": {}}))
    with pytest.raises(RunFolderError, match=r"summary.json: onchain_raw: Extra inputs are not permitted"):
        load_run(run)


def test_a_failed_atomic_write_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_summary(tmp_path, RunSummary(drill="before", status="ok"))
    before = (tmp_path / SUMMARY_JSON).read_bytes()

    def no_rename(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(OutputError, match=r"summary.json: cannot write \(No space left on device\)"):
        write_summary(tmp_path, RunSummary(drill="after"))
    assert (tmp_path / SUMMARY_JSON).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [SUMMARY_JSON]  # no temporary left behind


def test_report_refuses_a_folder_a_run_is_writing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from defidrill.cli.main import cli
    from defidrill.metrics import build_summary

    run = write_onchain_run(tmp_path / "run")
    write_summary(run, build_summary(run, header={"status": "ok"}))
    before = (run / SUMMARY_JSON).read_bytes()
    import fcntl

    fd = os.open(run / LOCK_FILE, os.O_RDWR | os.O_CREAT)
    try:  # another open file description holding the lock, as a run in another process would
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = CliRunner(mix_stderr=False).invoke(cli, ["report", str(run), "--recompute"])
    finally:
        os.close(fd)
    assert result.exit_code == 2 and "is writing this folder" in result.stderr, (result.stdout, result.stderr)
    assert (run / SUMMARY_JSON).read_bytes() == before
    done = CliRunner(mix_stderr=False).invoke(cli, ["report", str(run), "--recompute"])
    assert done.exit_code == 0, done.stderr


def test_non_finite_figures_are_written_as_null_strict_json(tmp_path: Path) -> None:
    write_summary(tmp_path, RunSummary(drill="x", wall_time_s=float("nan"),
                                       cex={"amplification": float("inf"), "series": [1.0, float("nan")]}))
    text = (tmp_path / SUMMARY_JSON).read_text()
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert data["wall_time_s"] is None and data["cex"] == {"amplification": None, "series": [1.0, None]}
