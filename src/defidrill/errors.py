"""One exception root for defidrill, a branch per layer.

The CLI maps each branch to an exit status (see ``defidrill.cli``): a user can
tell from the status alone whether their drill file, their machine's toolchain
or the chain was at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class DrillError(Exception):
    """Root of every error defidrill raises on purpose."""

    exit_status: int = 1


class ConfigError(DrillError):
    """A drill file or a typed config is invalid: the user's input is at fault."""

    exit_status = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        line: int | None = None,
        value: Any = None,
        allowed: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.path = path
        self.line = line
        self.value = value
        self.allowed = allowed
        where = file or "<config>"
        if line is not None:
            where += f":{line}"
        parts = [where]
        if path:
            parts.append(path)
        text = ": ".join(parts) + f": {message}"
        if value is not None:
            text += f" (got {quoted(value)})"
        if allowed:
            text += f"; allowed: {allowed}"
        super().__init__(text)


#: Characters of a value a message quotes: a value may be a piece of a file the user pointed at
#: (``/proc/self/environ`` as a replay CSV), so messages never echo more than this.
QUOTED_CHARS = 60


def quoted(value: Any, limit: int = QUOTED_CHARS) -> str:
    """``repr(value)`` for a message, control characters escaped, cut after ``limit`` characters."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f"... ({len(value) - limit:,} more characters)"
    text = repr(value)
    return text if len(text) <= 2 * limit else text[: 2 * limit] + f"... ({len(text) - 2 * limit:,} more characters)"


class ToolchainError(DrillError):
    """anvil or the Solidity compiler is missing or failed: the machine is at fault."""

    exit_status = 3


class CompileError(ToolchainError):
    """solc rejected the sources; the message is solc's own formatted output."""


class ChainError(DrillError):
    """The chain failed: anvil died, an RPC call errored, or a transaction reverted.

    Keeps the raw RPC reply so nothing the node said is lost.
    """

    exit_status = 4

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        revert: DecodedRevert | None = None,
        tx: dict[str, Any] | None = None,
        raw: Any = None,
    ) -> None:
        self.method = method
        self.revert = revert
        self.tx = tx
        self.raw = raw
        text = message
        if method:
            text = f"{method}: {text}"
        if revert is not None:
            text += f" [revert: {revert}]"
        super().__init__(text)


class RevertError(ChainError):
    """A call or transaction reverted; ``revert`` carries the decoded reason."""


class OutputError(DrillError):
    """The run folder could not be written (disk full, read-only, a file where a folder belongs).

    Exit status 4 like the chain: the machine, not the drill, is at fault. Raised by the run
    folder's writers (``defidrill.run_folder``) with the file and the OS's reason; what was
    already on disk stays as it was (writes are atomic, appends are cut back to whole rows).
    """

    exit_status = 4

    def __init__(self, message: str, *, file: str | None = None, reason: str | None = None) -> None:
        self.file = file
        self.reason = reason
        text = f"{file}: {message}" if file else message
        if reason:
            text += f" ({reason})"
        super().__init__(text)


class UserCodeError(DrillError):
    """The user's own code (an external adapter, a custom invariant) failed while the drill ran.

    Exit status 4, as a failing chain: the run could not go on. ``what`` says which code (``adapter``,
    ``custom invariant``), ``code`` its ``module:name``, ``method`` the method called (an adapter's
    ``deploy``, ``decode_reads``...), ``message`` what it raised (``SystemExit`` included: user code
    never ends the process). ``traceback_text`` is saved in the run folder as error.txt
    (``traceback_file`` once written), never printed.
    """

    exit_status = 4

    def __init__(self, what: str, code: str, message: str, *, method: str | None = None,
                 traceback_text: str | None = None) -> None:
        self.what = what
        self.code = code
        self.method = method
        self.message = message
        self.traceback_text = traceback_text
        self.traceback_file: str | None = None
        super().__init__(message)

    def __str__(self) -> str:
        name = f"{self.code}.{self.method}" if self.method else self.code
        text = f"{self.what} {name} {self.message}"
        if self.traceback_file:
            text += f" (traceback in {self.traceback_file})"
        return text


class Interrupted(DrillError):
    """A signal (SIGINT, SIGTERM, SIGHUP) ended the run; exit status 128 + the signal number.

    130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP: the shell convention, so a caller
    can tell an interrupted run from a failed one.
    """

    def __init__(self, signum: int, name: str) -> None:
        self.signum = signum
        self.signal_name = name
        self.exit_status = 128 + signum
        super().__init__(f"interrupted by {name}")


class InvariantError(DrillError):
    """A protocol invariant checked after a drill did not hold."""

    exit_status = 5


class ExpectationsNotMet(DrillError):
    """The run finished, but some of the drill's ``expect:`` bounds did not hold (exit status 6).

    The run folder is complete (metrics, report, ``summary.json`` with ``status: ok``,
    ``exit_status: 6``); ``outcome`` is the run's outcome (``defidrill.runner.RunOutcome``), for
    callers that go on to read it (the CLI's closing lines, the pytest fixture, the suite).
    """

    exit_status = 6

    def __init__(self, unmet: Sequence[str], *, total: int, run_dir: str | None = None, outcome: Any = None) -> None:
        self.unmet = list(unmet)
        self.total = total
        self.run_dir = run_dir
        self.outcome = outcome
        where = f" (run folder complete: {run_dir})" if run_dir else ""
        lines = "".join(f"\n  {line}" for line in self.unmet)
        super().__init__(f"{len(self.unmet)} of {total} expectations not met{where}:{lines}")


class DecodedRevert:
    """A revert reason decoded against known ABIs: a custom error, Error(string) or Panic(uint)."""

    def __init__(self, name: str, args: dict[str, Any] | None = None, data: str = "0x") -> None:
        self.name = name
        self.args = dict(args or {})
        self.data = data

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"{self.name}({inner})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DecodedRevert) and (self.name, self.args) == (other.name, other.args)
