"""``protocol: {kind: external, adapter: "package.module:Class"}``: a user's own adapter class.

The class is imported like any of the user's code a drill names (``defidrill.user_code``: the
drill file's folder and the current folder on ``sys.path``), then checked: it must subclass
:class:`LendingAdapter` and implement every abstract method. Each way this can fail is a
:class:`ConfigError` at ``protocol.adapter`` (exit status 2), raised while the drill validates,
before anvil starts or anything is deployed.

The class handed to the engine is the user's class seen through the user-code boundary
(:func:`guarded`): a subclass whose every public method runs inside
:func:`defidrill.user_code.running_user_code`, so an exception (or ``sys.exit``) in ``deploy``, the
reads or the calls is a UserCodeError naming the adapter, the method and the message (exit 4, the
traceback in the run folder's error.txt), Ctrl-C in it is SIGINT, and its prints go to stderr.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from defidrill.errors import ConfigError
from defidrill.drill.schema.external_checks import ADAPTER_WHAT
from defidrill.protocol.adapter import LendingAdapter
from defidrill.user_code import load_object, running_user_code

#: Set on a guarded class (the spec it came from): never guarded twice.
GUARDED = "__defidrill_user_code__"
#: Methods the preflight calls: their failure is a ConfigError at protocol.adapter (exit 2), not exit 4.
PREFLIGHT_METHODS = frozenset({"check_config"})

WHAT = ADAPTER_WHAT


def load_adapter_class(spec: str, search: Iterable[Path] = (), *, field: str = "protocol.adapter") -> type[LendingAdapter]:
    """Import and check the adapter class ``spec`` names; a ConfigError says what is wrong with it."""
    cls = load_object(spec, search, field=field, what=WHAT)
    if not (inspect.isclass(cls) and issubclass(cls, LendingAdapter)):
        raise ConfigError(f"{spec} is not a subclass of defidrill.protocol.adapter.LendingAdapter", path=field,
                          value=spec, allowed="class MyAdapter(LendingAdapter) implementing every abstract method")
    missing_methods = sorted(getattr(cls, "__abstractmethods__", ()))
    if missing_methods:
        raise ConfigError(f"{spec} does not implement {', '.join(missing_methods)} of the LendingAdapter interface",
                          path=field, value=spec, allowed="every abstract method of LendingAdapter (docs/adapters.md)")
    return guarded(cls, spec, field)


@functools.cache
def guarded(cls: type[LendingAdapter], spec: str, field: str = "protocol.adapter") -> type[LendingAdapter]:
    """``cls`` with every public method it (or a parent other than LendingAdapter) defines wrapped in the
    user-code boundary; same name, module and ``attaches()`` answer. An instance of ``cls`` itself that
    a guarded classmethod returns (a ``deploy`` that names its class) becomes an instance of the guard."""
    if getattr(cls, GUARDED, None) is not None:
        return cls
    own: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass in (object, LendingAdapter) or not issubclass(klass, LendingAdapter):
            continue
        own.update((name, raw) for name, raw in vars(klass).items() if not name.startswith("_"))
    holder: list[type[LendingAdapter]] = []
    namespace: dict[str, Any] = {GUARDED: spec, "__module__": cls.__module__, "__qualname__": cls.__qualname__,
                                 "__doc__": cls.__doc__}
    for name, raw in own.items():
        at = field if name in PREFLIGHT_METHODS else None
        if isinstance(raw, classmethod):
            namespace[name] = classmethod(_guard(raw.__func__, spec, name, at, cls, holder))
        elif isinstance(raw, staticmethod):
            namespace[name] = staticmethod(_guard(raw.__func__, spec, name, at, cls, holder))
        elif isinstance(raw, property) and raw.fget is not None:
            namespace[name] = property(_guard(raw.fget, spec, name, at, cls, holder), raw.fset, raw.fdel, raw.__doc__)
        elif inspect.isfunction(raw):
            namespace[name] = _guard(raw, spec, name, at, cls, holder)
    meta: Any = type(cls)  # ABCMeta: the guard is an ABC like the class it wraps
    guard: type[LendingAdapter] = meta(cls.__name__, (cls,), namespace)
    holder.append(guard)
    return guard


def _guard(fn: Callable[..., Any], spec: str, method: str, preflight_field: str | None,
           cls: type[LendingAdapter], holder: list[type[LendingAdapter]]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        with running_user_code("adapter", spec, method, preflight_field=preflight_field):
            result = fn(*args, **kwargs)
        if type(result) is cls and holder:  # noqa: E721 - exactly the user's class, not a subclass of its own
            result.__class__ = holder[0]
        return result

    return call
