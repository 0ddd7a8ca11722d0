"""Inputs that are not what they claim (issue 18, "Every input through one bounded reader").

A drill, replay CSV or sweep path that is a FIFO, a device or a folder is refused at once, with the same
words by ``validate`` and ``run`` (``validate`` used to wait forever on a FIFO); a CSV that is really
``/proc/self/environ`` is refused without printing the environment; a run folder's non-UTF-8
summary.json is exit 2, not a traceback; ``feed push/fail`` refuse nan, inf and out-of-range numbers
before anything is sent; the report's rerun line survives a shell. Real processes with time limits
where a hang is the failure.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from defidrill.cli.main import cli
from defidrill.report.document import rerun_command

SRC = Path(__file__).resolve().parents[2] / "src"
DRILL = """name: tiny
market:
  step: 10s
  duration: 1m
  assets:
    WETH: {start: 3000, path: {kind: replay, csv: CSV}}
    USDC: 1
cex: {enabled: false}
"""


def _defidrill(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "defidrill.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(SRC), **(env or {})})


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_drill_path_that_is_not_a_file_is_refused_alike_by_validate_and_run(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        path, words = tmp_path / "drill.yaml", "is a FIFO (named pipe), not a regular file"
        os.mkfifo(path)
    elif kind == "device":
        path, words = Path("/dev/zero"), "is a character device, not a regular file"
    else:
        path, words = tmp_path / "a-folder", "is a directory"
        path.mkdir()
    outputs = []
    for command in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]):
        proc = _defidrill(*command, timeout=30)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 2, output
        assert "Traceback" not in output and words in output and str(path) in output, output
        [line] = [line for line in output.splitlines() if words in line]
        outputs.append(line.removeprefix("defidrill: ConfigError: "))
    assert outputs[0] == outputs[1]  # the same refusal, word for word
    assert not (tmp_path / "out").exists()


def test_a_replay_csv_that_is_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "prices.csv"
    os.mkfifo(fifo)
    drill = tmp_path / "drill.yaml"
    drill.write_text(DRILL.replace("CSV", "prices.csv"))
    proc = _defidrill("validate", str(drill), timeout=30)
    assert proc.returncode == 2 and "is a FIFO (named pipe), not a regular file" in proc.stdout + proc.stderr


def test_a_csv_that_is_the_environment_is_refused_without_printing_it(tmp_path: Path) -> None:
    secret = "s3cr3t-" + "x" * 40
    drill = tmp_path / "drill.yaml"
    drill.write_text(DRILL.replace("CSV", "/proc/self/environ"))
    proc = _defidrill("validate", str(drill), env={"DEFIDRILL_TEST_SECRET": secret, "ZZ_SECOND": secret})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert secret not in output and "DEFIDRILL_TEST_SECRET" not in output and "PATH=" not in output, output
    assert len(output) < 1_500 and "Traceback" not in output


def test_a_csv_error_quotes_a_bounded_piece_of_a_row(tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text("time,price\n" + "1700000000," + "9" * 5_000 + "z\n")
    drill = tmp_path / "drill.yaml"
    drill.write_text(DRILL.replace("CSV", "prices.csv"))
    result = CliRunner().invoke(cli, ["validate", str(drill)])
    assert result.exit_code == 2
    assert "the price is not a number" in result.output and "more characters" in result.output
    assert len(result.output) < 1_000


@pytest.mark.parametrize("content", [b"\xff\xfe{}", b'{"drill": "x", "status": "ok"' + b"x" * 10])
def test_a_damaged_summary_is_exit_2_not_a_traceback(tmp_path: Path, content: bytes) -> None:
    from support.run_folders import write_onchain_run

    run = write_onchain_run(tmp_path / "run")
    (run / "summary.json").write_bytes(content)
    for command in (["report", str(run)], ["compare", str(run), str(run)]):
        result = CliRunner().invoke(cli, command)
        assert isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == 2 and "summary.json" in result.output, result.output


def test_run_folder_files_are_read_with_a_size_cap(tmp_path: Path) -> None:
    from defidrill.run_folder import load_run
    from defidrill.run_folder.reader import RunFolderError
    from support.run_folders import write_onchain_run

    run = write_onchain_run(tmp_path / "run")
    (run / "summary.json").unlink(missing_ok=True)
    os.mkfifo(run / "summary.json")
    with pytest.raises(RunFolderError, match="FIFO"):
        load_run(run)


@pytest.mark.parametrize("args", [["push", "0x" + "1" * 40, "nan"], ["push", "0x" + "1" * 40, "inf"],
                                  ["push", "0x" + "1" * 40, "-5"], ["push", "0x" + "1" * 40, "1e300"],
                                  ["push", "0x" + "1" * 40, "1.5", "--raw"],
                                  ["fail", "0x" + "1" * 40, "spike", "--factor", "nan"],
                                  ["fail", "0x" + "1" * 40, "clamp", "--min", "-inf"],
                                  ["fail", "0x" + "1" * 40, "clamp", "--max", "1e400"],
                                  ["sequencer", "0x" + "1" * 40, "sideways"]])
def test_feed_numbers_are_checked_before_anything_is_sent(args: list[str]) -> None:
    # The RPC URL points nowhere: a refusal at parse time never gets as far as connecting.
    result = CliRunner().invoke(cli, ["feed", *args, "--rpc-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "no answer" not in result.output, result.output


def test_the_rerun_line_is_shell_quoted() -> None:
    folder = Path("/tmp/runs/a b; touch pwned")
    line = rerun_command(folder, 7, ["protocol.oracle.heartbeat=1 h"]).strip("`")
    assert shlex.split(line) == ["defidrill", "run", f"{folder}/drill.yaml", "--seed", "7", "--out",
                                 f"{folder}-rerun", "--set", "protocol.oracle.heartbeat=1 h"]


@pytest.fixture(scope="module")
def python_start_s() -> float:
    """How long this machine takes to start Python and import the package root (defidrill/__init__.py)
    before any of our code can install a handler: a signal before then is the interpreter's business."""
    import time

    times = []
    for _ in range(3):  # the slowest of three: the machine is shared, a start can take twice as long
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", "import defidrill.cli.main"], check=True,
                       env={**os.environ, "PYTHONPATH": str(SRC)})
        times.append(time.monotonic() - started)
    return max(times)


@pytest.mark.parametrize("after_start_s", [0.05, 0.15, 0.4, 0.8])
def test_ctrl_c_at_any_moment_of_validate_exits_130_without_a_traceback(python_start_s: float,
                                                                        after_start_s: float) -> None:
    """The signal lands while Python imports click, numpy or web3, or while the preflight runs."""
    import signal
    import time

    drill = Path(__file__).resolve().parents[2] / "oracles" / "flash-crash.yaml"
    proc = subprocess.Popen([sys.executable, "-m", "defidrill.cli", "validate", str(drill)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(SRC)})
    time.sleep(python_start_s + after_start_s)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    if proc.returncode != 0:  # 0: it finished before the signal came
        assert proc.returncode == 130 and "interrupted by SIGINT" in err, (proc.returncode, err)


def test_the_rpc_timeout_is_an_option_and_named_when_it_fires() -> None:
    """A node that accepts the connection and never answers: the message names the wait and the option."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        result = CliRunner().invoke(cli, ["feed", "show", "0x" + "1" * 40, "--rpc-url", url, "--rpc-timeout", "0.5"])
    finally:
        for conn in held:
            conn.close()
        server.close()
    assert result.exit_code == 4, result.output
    assert "within 0.5 s" in result.output and "--rpc-timeout" in result.output, result.output
