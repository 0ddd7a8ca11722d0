"""`defidrill`: the console entry point. Ctrl-C at any moment exits 130 with one line, never a traceback.

The entry point imports nothing heavy at module level: :func:`main` first makes SIGINT end the process
with status 130 (the shell's 128 + 2) and one line on stderr, then imports the commands (click, numpy,
web3: ~1 s during which a Ctrl-C used to print an import traceback), then hands SIGINT back to Python so
a run's own handler (:func:`defidrill.interrupts.catch_signals`) can stop anvil and write ``interrupted``.
A KeyboardInterrupt that reaches here (``validate``, ``report``, click's own parsing) is the same one line
and 130. ``cli`` (the click group) is importable from here as before (``from defidrill.cli.main import cli``).
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType
from typing import Any

INTERRUPTED_LINE = b"defidrill: Interrupted: interrupted by SIGINT\n"


def _exit_while_starting(signum: int, _frame: FrameType | None) -> None:
    """SIGINT while the commands are imported: nothing is open yet, so leave at once (no traceback)."""
    os.write(2, INTERRUPTED_LINE)
    os._exit(128 + signum)


def main() -> None:
    """``defidrill ...``: run the command line, mapping an interrupt anywhere to exit status 130."""
    signal.signal(signal.SIGINT, _exit_while_starting)
    import click

    from defidrill.cli.app import cli

    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        status = cli.main(prog_name="defidrill", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        signal.signal(signal.SIGINT, _exit_while_starting)  # a second Ctrl-C while we print
        sys.stderr.write(INTERRUPTED_LINE.decode())
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(status if isinstance(status, int) else 0)


def __getattr__(name: str) -> Any:
    """``cli`` (the click group) on first use, so importing this module stays cheap."""
    if name == "cli":
        from defidrill.cli.app import cli

        return cli
    raise AttributeError(f"module 'defidrill.cli.main' has no attribute {name!r}")
