"""The user's own Python, named in a drill as ``"package.module:name"``: found, imported, checked.

Imported with the drill file's folder and the current folder at the front of ``sys.path``
(added once and kept: the module may import its siblings later). Every way this fails is a
:class:`ConfigError` at the drill field that named it (exit status 2), raised by the preflight
before anvil starts; a module that calls ``sys.exit`` at import is one of them.

While the drill runs, every call into the user's code goes through :func:`running_user_code`, the one
boundary that decides what the code's outcome was, so user code cannot fake one:

- an exception, or ``SystemExit`` (any code: user code never ends our process), is a
  :class:`UserCodeError` naming the code, the method and the message (exit 4; the traceback kept for
  the run folder's error.txt, not printed);
- ``KeyboardInterrupt`` is what it stands for, SIGINT: :class:`Interrupted` (130, status interrupted);
- a real signal that arrived while the code ran stays a signal (143 for SIGTERM), even when the code
  caught it (``except Exception`` swallows our ``Interrupted``) or raised something else; an
  ``Interrupted`` the code made up without a signal is a UserCodeError;
- defidrill's own errors raised through it (a RevertError of a call it made) pass unchanged;
- what it prints goes to stderr: stdout is ours (``run --json`` prints only the JSON there).
"""

from __future__ import annotations

import contextlib
import importlib
import re
import signal
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from defidrill.errors import ConfigError, DrillError, Interrupted, UserCodeError
from defidrill.interrupts import delivered

#: At most this much of what the user's code raised goes into a message (the traceback keeps it all).
MESSAGE_CHARS = 500

#: ``package.module:name`` (a dotted module path, a colon, an attribute name).
SPEC = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$")


def add_search_paths(folders: Iterable[Path]) -> list[str]:
    """Put ``folders`` (absolute) at the front of sys.path once each; returns them as searched."""
    searched: list[str] = []
    for folder in folders:
        text = str(Path(folder).resolve())
        if text not in searched:
            searched.append(text)
        if text not in sys.path:
            sys.path.insert(0, text)
    return searched


def load_object(spec: str, search: Iterable[Path] = (), *, field: str, what: str) -> Any:
    """The attribute ``spec`` names; ``what`` says what it must be (for the messages)."""
    allowed = f'"package.module:name", {what} importable from the drill\'s folder or the current folder'
    if not SPEC.match(spec):
        raise ConfigError("not a module:name path", path=field, value=spec, allowed=allowed)
    module_name, attr = spec.split(":")
    searched = add_search_paths([*search, Path.cwd()])
    try:
        with contextlib.redirect_stdout(sys.stderr):  # the module's prints at import are not our output
            module = importlib.import_module(module_name)
    except SystemExit as exc:  # a module never ends the process (a silent `validate` exit 0 otherwise)
        raise ConfigError(f"module {module_name!r} does not import: it called sys.exit({exc.code!r})", path=field,
                          value=spec, allowed="a module that imports cleanly (no sys.exit at import)") from None
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        if module_name == missing or module_name.startswith(missing + "."):
            raise ConfigError(f"module {module_name!r} not found (searched sys.path with {', '.join(searched)})",
                              path=field, value=spec, allowed=allowed) from None
        raise ConfigError(f"module {module_name!r} does not import: {exc}", path=field, value=spec,
                          allowed="a module that imports cleanly") from None
    except Exception as exc:  # the user's code runs at import: any error there is theirs to see, by type and text
        raise ConfigError(f"module {module_name!r} does not import: {type(exc).__name__}: {exc}", path=field,
                          value=spec, allowed="a module that imports cleanly") from None
    if not hasattr(module, attr):
        raise ConfigError(f"module {module_name!r} ({getattr(module, '__file__', '?')}) has no {attr!r}",
                          path=field, value=spec, allowed=allowed)
    return getattr(module, attr)


def load_callable(spec: str, search: Iterable[Path] = (), *, field: str, what: str) -> Callable[..., Any]:
    """:func:`load_object`, refusing anything that cannot be called."""
    obj = load_object(spec, search, field=field, what=what)
    if not callable(obj):
        raise ConfigError(f"{spec} is a {type(obj).__name__}, not a function", path=field, value=spec,
                          allowed=what)
    return obj  # type: ignore[no-any-return]


def _raised(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r}): user code must return or raise, never end the process"
    text = str(exc)
    if len(text) > MESSAGE_CHARS:
        text = text[:MESSAGE_CHARS] + "..."
    return f"raised {type(exc).__name__}" + (f": {text}" if text else "")


def _signal_since(before: Interrupted | None) -> Interrupted | None:
    now = delivered()
    return now if now is not None and now is not before else None


@contextlib.contextmanager
def running_user_code(what: str, code: str, method: str | None = None, *, at: str = "",
                      preflight_field: str | None = None) -> Iterator[None]:
    """The boundary around one call into the user's code (see the module docstring).

    ``what``/``code``/``method`` name it in the message (``adapter``, ``my_adapter:MyAdapter``, ``deploy``);
    ``at`` adds where (``at step 12``). ``preflight_field``: the call is part of the preflight, so a failure
    is a ConfigError at that drill field (exit 2) rather than a UserCodeError."""
    before = delivered()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    except Interrupted as exc:
        if exc is delivered():
            raise  # a real signal, passing through
        raise _failure(what, code, method, at, preflight_field, exc) from None  # made up: no signal came
    except DrillError:
        swallowed = _signal_since(before)
        if swallowed is not None:
            raise swallowed from None
        raise
    except KeyboardInterrupt:
        swallowed = _signal_since(before)
        raise (swallowed or Interrupted(signal.SIGINT, signal.SIGINT.name)) from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the user's code: any failure is theirs, named
        swallowed = _signal_since(before)
        if swallowed is not None:
            raise swallowed from None
        raise _failure(what, code, method, at, preflight_field, exc) from None
    swallowed = _signal_since(before)
    if swallowed is not None:  # the code caught the signal and returned: the run still ends on it
        raise swallowed


def _failure(what: str, code: str, method: str | None, at: str, preflight_field: str | None,
             exc: BaseException) -> DrillError:
    message = _raised(exc) + (f" {at}" if at else "")
    if preflight_field is not None:
        name = f"{code}.{method}" if method else code
        return ConfigError(f"{what} {name} {message}", path=preflight_field, value=code,
                           allowed="code that returns or raises ConfigError")
    return UserCodeError(what, code, message, method=method,
                         traceback_text="".join(traceback.format_exception(exc)))
