"""``protocol: {kind: external, adapter: "package.module:Class"}``: a user's own adapter class.

The class is imported from the user's module with the drill file's folder and the current
folder on ``sys.path`` (added once, kept: the adapter's module may import its siblings
later). It must subclass :class:`LendingAdapter` and implement every abstract method.
Each way this can fail is a :class:`ConfigError` at ``protocol.adapter`` (exit status 2),
raised while the drill validates, before anvil starts or anything is deployed.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from defidrill.errors import ConfigError
from defidrill.protocol.adapter import LendingAdapter

#: ``package.module:Class`` (dotted module path, a colon, a class name).
ADAPTER_SPEC = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$")
SPEC_ALLOWED = '"package.module:Class", a LendingAdapter subclass importable from the drill\'s folder or the current folder'


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


def load_adapter_class(spec: str, search: Iterable[Path] = (), *, field: str = "protocol.adapter") -> type[LendingAdapter]:
    """Import and check the adapter class ``spec`` names; a ConfigError says what is wrong with it."""
    if not ADAPTER_SPEC.match(spec):
        raise ConfigError("not a module:Class path", path=field, value=spec, allowed=SPEC_ALLOWED)
    module_name, class_name = spec.split(":")
    searched = add_search_paths([*search, Path.cwd()])
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        if module_name == missing or module_name.startswith(missing + "."):
            raise ConfigError(f"module {module_name!r} not found (searched sys.path with {', '.join(searched)})",
                              path=field, value=spec, allowed=SPEC_ALLOWED) from None
        raise ConfigError(f"module {module_name!r} does not import: {exc}", path=field, value=spec,
                          allowed="a module that imports cleanly") from None
    except Exception as exc:  # the user's code runs at import: any error there is theirs to see, by type and text
        raise ConfigError(f"module {module_name!r} does not import: {type(exc).__name__}: {exc}", path=field,
                          value=spec, allowed="a module that imports cleanly") from None
    cls = getattr(module, class_name, None)
    if cls is None:
        classes = sorted(n for n, c in vars(module).items()
                         if inspect.isclass(c) and issubclass(c, LendingAdapter) and c is not LendingAdapter)
        raise ConfigError(f"module {module_name!r} ({getattr(module, '__file__', '?')}) has no {class_name!r}",
                          path=field, value=spec,
                          allowed=f"a class defined in it; its LendingAdapter subclasses: {', '.join(classes) or 'none'}")
    if not (inspect.isclass(cls) and issubclass(cls, LendingAdapter)):
        raise ConfigError(f"{spec} is not a subclass of defidrill.protocol.adapter.LendingAdapter", path=field,
                          value=spec, allowed="class MyAdapter(LendingAdapter) implementing every abstract method")
    missing_methods = sorted(getattr(cls, "__abstractmethods__", ()))
    if missing_methods:
        raise ConfigError(f"{spec} does not implement {', '.join(missing_methods)} of the LendingAdapter interface",
                          path=field, value=spec, allowed="every abstract method of LendingAdapter (docs/adapters.md)")
    return cls
