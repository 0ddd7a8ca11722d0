"""Map defidrill's error branches to exit statuses: a message, never a traceback.

0 ok; 2 ConfigError (the input: a drill file, an option, an --out that holds a run) and
RunFolderError (a damaged run folder); 3 ToolchainError; 4 ChainError and OutputError (the
machine: anvil, a full disk, a read-only folder) and UserCodeError (the user's adapter or custom
invariant failed while the drill ran); 5 InvariantError; 6 ExpectationsNotMet (the run is complete, some of
the drill's `expect:` bounds did not hold); 128 + N for signal N
(Interrupted: 130 SIGINT, 143 SIGTERM, 129 SIGHUP). docs/cli.md ("Exit statuses") lists the same.
"""

from __future__ import annotations

import functools
import sys
from typing import Any, TypeVar
from collections.abc import Callable

import click

from defidrill.errors import DrillError

F = TypeVar("F", bound=Callable[..., Any])

#: ``--rpc-timeout SECONDS`` on every command that talks to a node (run, chain up, feed ...).
RPC_TIMEOUT_OPTION = click.option(
    "--rpc-timeout", "rpc_timeout_s", type=click.FloatRange(min=0.1, max=3600), default=120.0, show_default=True,
    help="Seconds to wait for the node's answer to one JSON-RPC call before giving up (exit 4, named).")


def reports_errors(func: F) -> F:
    """Turn a DrillError into its branch's exit status and a one-paragraph message on stderr."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DrillError as exc:
            kind = type(exc).__name__
            click.echo(f"defidrill: {kind}: {exc}", err=True)
            sys.exit(exc.exit_status)
        except KeyboardInterrupt:  # Ctrl-C outside a run (a run turns it into Interrupted itself)
            click.echo("defidrill: Interrupted: interrupted by SIGINT", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]
