"""Dotted overrides of a drill document (``--set failures.0.for=10m``) and library drill names.

An override is applied to the parsed YAML document, before validation, so an overridden
drill goes through exactly the loader and preflight a drill file does. Each override keeps
the text the user wrote as its ``source`` (``--set market.step=abc``, or a sweep point's
label): the loader names it, instead of the drill file and a line, in any problem found
at or under the overridden key::

    --set market.step=abc: market.step: not a duration (got 'abc'); allowed: ...

Keys are dotted YAML paths; a part that is a whole number indexes a list
(``failures.0.for``, ``keepers.1.latency``). Values are parsed as YAML scalars or flow
collections, as they would be in the file: ``50`` is a number, ``8%`` and ``10m`` stay text,
``{kind: stale, feed: WBTC}`` is a mapping.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from defidrill.errors import ConfigError

__all__ = ["Override", "apply_overrides", "as_overrides", "library_drills", "library_name", "resolve_drill", "override_path"]

_FORMAT = "KEY=VALUE with a dotted YAML key, e.g. borrowers.count=50 or failures.0.for=10m"


@dataclass(frozen=True)
class Override:
    """One assignment: ``key`` (dotted), ``value`` (parsed YAML), ``source`` (how the user named it)."""

    key: str
    value: Any
    source: str

    @classmethod
    def parse(cls, text: str, *, label: str = "--set", file: str | None = None) -> Override:
        """``KEY=VALUE`` as typed on the command line (the value parsed as YAML); ``file`` is the drill's."""
        key, sep, raw = text.partition("=")
        key = key.strip()
        source = f"{label} {text}"
        if not sep or not key or any(not part for part in key.split(".")):
            raise ConfigError("an override must read PATH=VALUE", file=file or label,
                              path=label if file else None, value=text, allowed=_FORMAT)
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError as err:
            raise ConfigError(f"the value is not valid YAML: {getattr(err, 'problem', err)}", file=source,
                              path=key, value=raw, allowed="a YAML scalar, [list] or {mapping}") from None
        return cls(key, value, source)

    @classmethod
    def of(cls, key: str, value: Any, *, label: str) -> Override:
        """An override built in Python (a sweep point, a test's keyword argument)."""
        return cls(key, value, f"{label} {key}={_show(value)}")

    @property
    def text(self) -> str:
        """``KEY=VALUE`` as a run folder records it (drill.yaml's comments, summary.json's ``overrides``)."""
        return f"{self.key}={_show(self.value)}"

    @property
    def parts(self) -> tuple[str | int, ...]:
        return override_path(self.key)


def as_overrides(items: Iterable[Override | str], *, file: str | None = None) -> tuple[Override, ...]:
    """Overrides from ``--set`` texts (``"borrowers.count=50"``) or already built ones."""
    return tuple(item if isinstance(item, Override) else Override.parse(item, file=file) for item in items)


def override_path(key: str) -> tuple[str | int, ...]:
    """``failures.0.for`` -> ``("failures", 0, "for")`` (whole numbers index lists)."""
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True, width=10**6).strip().removesuffix("...").strip()


def apply_overrides(data: Any, overrides: Iterable[Override]) -> dict[str, Any]:
    """A deep copy of ``data`` with every override assigned, in order.

    Missing mapping keys are created (``protocol.oracle.heartbeat`` on a drill without a
    ``protocol`` section); a list index must exist; a key cannot reach inside a scalar.
    Each refusal is a ConfigError naming the override.
    """
    doc: dict[str, Any] = copy.deepcopy(dict(data)) if isinstance(data, Mapping) else {}
    for override in overrides:
        node: Any = doc
        parts = override.parts
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            here = ".".join(str(p) for p in parts[:depth]) or "<top>"
            if isinstance(node, list):
                if not isinstance(part, int) or not 0 <= part < len(node):
                    allowed = f"an index 0..{len(node) - 1}" if node else "nothing (the list is empty)"
                    raise ConfigError(f"{here} is a list of {len(node)}", file=override.source,
                                      path=override.key, value=part, allowed=allowed)
                if last:
                    node[part] = copy.deepcopy(override.value)
                else:
                    node = node[part]
            elif isinstance(node, dict):
                key: Any = str(part)
                if last:
                    node[key] = copy.deepcopy(override.value)
                else:
                    if node.get(key) is None:
                        node[key] = [] if isinstance(parts[depth + 1], int) else {}
                    node = node[key]
            else:
                raise ConfigError(f"cannot set {override.key}: {here} is not a mapping (it holds {node!r})",
                                  file=override.source, path=override.key,
                                  allowed="a key inside a mapping or an index inside a list")
    return doc


# ---- library drills ---------------------------------------------------------------------


def _library() -> Path:
    from defidrill.toolchain import project_root

    return project_root() / "oracles"


def library_name(path: Path) -> str:
    """A library drill's name: its path under oracles/ without ``.yaml`` (``incidents/luna-may-2022``)."""
    return path.relative_to(_library()).with_suffix("").as_posix()


#: Folders of oracles/ that hold other files than drills (risk files: ``defidrill risk``, docs/risk.md).
NOT_DRILLS = ("risk",)


def library_drills() -> list[Path]:
    """The drill library: every ``oracles/**/*.yaml`` of the package but ``oracles/risk/``, ordered by name."""
    root = _library()
    return sorted((p for p in root.rglob("*.yaml") if p.relative_to(root).parts[0] not in NOT_DRILLS),
                  key=library_name)


def resolve_drill(ref: str | Path) -> Path:
    """A drill file from a path, or from the name of a library drill (``flash-crash``), from any folder."""
    path = Path(ref)
    if path.is_file():
        return path
    name = str(ref).removesuffix(".yaml").removeprefix("oracles/")
    candidate = _library() / f"{name}.yaml"
    if not path.is_absolute() and candidate.is_file():
        return candidate
    if path.exists():
        # A FIFO, a device, a folder: the drill reader refuses it by what it is, for validate and run alike.
        return path
    names = ", ".join(library_name(p) for p in library_drills())
    raise ConfigError("drill file not found", file=str(ref),
                      allowed=f"a path to a .yaml drill file, or a library drill: {names}")
