"""A `defidrill chain up` process for tests: its JSON line, then SIGTERM and no orphan anvil."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from support.processes import wait_dead


@contextlib.contextmanager
def chain_up(*args: str) -> Iterator[dict[str, Any]]:
    """Start `defidrill chain up ARGS`, yield its JSON line; stop it and check its anvil is gone."""
    proc = subprocess.Popen([sys.executable, "-m", "defidrill.cli", "chain", "up", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    anvil_pids: list[str] = []
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line:
            raise AssertionError(f"chain up printed nothing: {proc.stderr.read() if proc.stderr else ''}")
        anvil_pids = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        yield json.loads(line)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    for pid in anvil_pids:
        assert wait_dead(int(pid))
