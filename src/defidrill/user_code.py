"""The user's own Python, named in a drill as ``"package.module:name"``: found, imported, checked.

Imported with the drill file's folder and the current folder at the front of ``sys.path``
(added once and kept: the module may import its siblings later). Every way this fails is a
:class:`ConfigError` at the drill field that named it (exit status 2), raised by the preflight
before anvil starts.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from defidrill.errors import ConfigError

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
        module = importlib.import_module(module_name)
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
