"""SIGINT, SIGTERM and SIGHUP as :class:`~defidrill.errors.Interrupted`, raised where it is safe.

``catch_signals()`` (around a run) installs handlers that raise ``Interrupted`` in the main
thread, so the run's ``finally`` blocks stop anvil and write ``status: interrupted``; the
exit status is 128 + the signal (130, 143, 129). Inside ``deferred()`` (while a step's row
is being written) a signal is held and raised when the block ends: a row is never cut in two.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from defidrill.errors import Interrupted

#: The signals a run turns into ``Interrupted`` (SIGHUP: the terminal went away).
SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _State(threading.local):
    depth: int = 0
    pending: Interrupted | None = None
    delivered: bool = False
    last: Interrupted | None = None  # the one raised: user code that swallows it is caught (user_code.py)


_state = _State()


def _handler(signum: int, _frame: FrameType | None) -> None:
    exc = Interrupted(signum, signal.Signals(signum).name)
    if _state.delivered:
        return  # one interrupt is enough: the run is already unwinding through its finally blocks
    if _state.depth > 0:
        _state.pending = _state.pending or exc
        return
    _state.delivered, _state.last = True, exc
    raise exc


def delivered() -> Interrupted | None:
    """The Interrupted the handlers raised in this thread since ``catch_signals`` began (None: no signal yet)."""
    return _state.last


@contextlib.contextmanager
def catch_signals() -> Iterator[None]:
    """Handle SIGINT/SIGTERM/SIGHUP as ``Interrupted`` for the duration (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    _state.pending, _state.delivered, _state.last = None, False, None
    for s in SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold signals until the block ends (re-entrant), then raise the first one that came."""
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
    if _state.depth == 0 and _state.pending is not None and not _state.delivered:
        exc, _state.pending = _state.pending, None
        _state.delivered, _state.last = True, exc
        raise exc
