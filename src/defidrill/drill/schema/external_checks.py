"""Checks of ``protocol: {kind: external, adapter, artifacts, options}`` (run while the drill validates).

Pure: the fields' consistency and the build folder are checked here; the user's adapter module
is imported by the one preflight (:mod:`defidrill.preflight`, with the drill file's folder and the
current folder on sys.path), so this layer never loads chain-side code. Either way a wrong path, a
missing class, a class missing interface methods or a build that is not where the drill says fails
``defidrill validate`` and ``defidrill run`` with the file, line and field (exit 2) before anvil starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_core import PydanticCustomError

from defidrill.errors import ToolchainError

if TYPE_CHECKING:
    from defidrill.drill.schema.protocol import ProtocolConfig


def _problem(field: str, message: str, value: Any, allowed: str | None) -> PydanticCustomError:
    return PydanticCustomError("external_adapter", "{message}",
                               {"message": message, "field": field, "value": value, "allowed": allowed or ""})


#: What an external adapter is, and how ``protocol.adapter`` names it (the chain side's loader says the same).
ADAPTER_WHAT = "a LendingAdapter subclass"
SPEC_ALLOWED = f'"package.module:Class", {ADAPTER_WHAT} importable from the drill\'s folder or the current folder'


def check_external(protocol: ProtocolConfig, base_dir: str | Path | None) -> None:
    """Raise a PydanticCustomError pointing at ``adapter``/``options`` for the first inconsistency."""
    if protocol.kind != "external":
        for field in ("adapter", "artifacts", "options"):
            if getattr(protocol, field):
                raise _problem(field, f"{field} is only read with kind: external", getattr(protocol, field) if
                               field != "options" else None, "kind: external, or leave it out")
        return
    if not protocol.adapter:
        raise _problem("adapter", "kind: external needs the adapter class", None, SPEC_ALLOWED)


def resolve_artifacts(value: str | None, base_dir: str | Path | None) -> str | None:
    """The build folder, absolute (relative paths count from the drill file's folder), checked to hold
    a build or sources."""
    from defidrill.toolchain.user_artifacts import detect_layout

    if value is None:
        return None
    folder = Path(value)
    if not folder.is_absolute():
        folder = (Path(base_dir) if base_dir is not None else Path.cwd()) / folder
    try:
        detect_layout(folder)
    except ToolchainError as exc:
        allowed = "a path relative to the drill file's folder (or absolute)"
        raise PydanticCustomError("missing_artifacts", "{message}", {"message": str(exc), "allowed": allowed}) from None
    return str(folder.resolve())
