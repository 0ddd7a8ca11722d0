"""``protocol: {kind: external, adapter: "package.module:Class"}``: a user's own adapter class.

The class is imported like any of the user's code a drill names (``defidrill.user_code``: the
drill file's folder and the current folder on ``sys.path``), then checked: it must subclass
:class:`LendingAdapter` and implement every abstract method. Each way this can fail is a
:class:`ConfigError` at ``protocol.adapter`` (exit status 2), raised while the drill validates,
before anvil starts or anything is deployed.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from pathlib import Path

from defidrill.errors import ConfigError
from defidrill.protocol.adapter import LendingAdapter
from defidrill.user_code import load_object

WHAT = "a LendingAdapter subclass"
SPEC_ALLOWED = f'"package.module:Class", {WHAT} importable from the drill\'s folder or the current folder'


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
    return cls
