"""Helpers for the fault tests: a real `defidrill run` subprocess, its run folder, small disks.

The faults are real: signals go to the real process, a full disk is a real tmpfs filled
to the last byte, a read-only folder is a read-only mount (root only; without root those
tests skip and the ENOSPC unit test in tests/run_folder stands in).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from defidrill.run_folder import STEPS_CSV

#: A short WETH ramp, long enough (181 steps) that a fault always lands mid-run.
FAULT_DRILL = """\
name: faults
description: a short WETH ramp for the fault tests
seed: 1
market:
  step: 10s
  duration: 30m
  assets:
    WETH: {start: 3000, path: {kind: ramp, at: 1m, over: 20m, change: -10%}}
    USDC: 1
amm: {pairs: {WETH/USDC: 2M}}
borrowers: {count: 5}
cex: {enabled: false}
"""


def start_run(drill: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    """`defidrill run DRILL --out OUT --quiet` as a child process (the environment, PYTHONPATH included, is ours)."""
    return subprocess.Popen([sys.executable, "-m", "defidrill.cli", "run", str(drill), "--out", str(out), "--quiet",
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def rows_on_disk(out: Path) -> int:
    """Complete data rows of steps.csv (lines ending in a newline, header excluded)."""
    path = out / STEPS_CSV
    if not path.is_file():
        return 0
    return max(0, path.read_bytes().count(b"\n") - 1)


def wait_rows(proc: subprocess.Popen[str], out: Path, rows: int, timeout_s: float = 240.0) -> None:
    deadline = time.monotonic() + timeout_s
    while rows_on_disk(out) < rows:
        if proc.poll() is not None:
            raise AssertionError(f"the run ended (status {proc.returncode}) before {rows} rows: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"no {rows} rows within {timeout_s} s")
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (anvil is one)."""
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def finish(proc: subprocess.Popen[str], timeout_s: float = 120.0) -> tuple[int, str, str]:
    stdout, stderr = proc.communicate(timeout=timeout_s)
    return proc.returncode, stdout, stderr


def can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and sys.platform.startswith("linux")


@contextlib.contextmanager
def tmpfs(path: Path, *options: str) -> Iterator[Path]:
    """A real tmpfs at ``path`` (``size=...``, ``ro``); skips the test where mounting is not allowed."""
    if not can_mount():
        pytest.skip("mounting a tmpfs needs root on Linux")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options or ("size=1m",)), "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(disk: Path) -> int:
    """Write a filler file until the disk refuses (ENOSPC); returns the bytes written."""
    written = 0
    chunk = b"\0" * 4096
    with open(disk / "filler", "wb", buffering=0) as fh:
        while True:
            try:
                written += fh.write(chunk)
            except OSError:
                break
    for size in (512, 64, 1):  # the last few bytes too: nothing is left for the run
        with open(disk / "filler", "ab", buffering=0) as fh:
            while True:
                try:
                    written += fh.write(b"\0" * size)
                except OSError:
                    break
    return written
