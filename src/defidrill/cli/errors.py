"""Map defidrill's error branches to exit statuses: a message, never a traceback."""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable, TypeVar

import click

from defidrill.errors import DrillError

F = TypeVar("F", bound=Callable[..., Any])


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

    return wrapper  # type: ignore[return-value]
