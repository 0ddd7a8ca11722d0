"""Lending adapters by the ``protocol.kind`` a drill names."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from defidrill.errors import ConfigError
from defidrill.protocol.adapter import LendingAdapter
from defidrill.protocol.reference.adapter import ReferenceAdapter

#: ``kind: external`` takes the adapter class from the user's module (``protocol.adapter``).
EXTERNAL = "external"


def adapter_class(kind: str, adapter: str | None = None, search: Iterable[Path] = ()) -> type[LendingAdapter]:
    """The adapter class for ``kind``; for ``external``, the class ``adapter`` names (``module:Class``),
    imported with ``search`` folders and the current folder on sys.path (``protocol.external``)."""
    if kind == EXTERNAL:
        from defidrill.protocol.external import SPEC_ALLOWED, load_adapter_class

        if not adapter:
            raise ConfigError("kind: external needs the adapter class", path="protocol.adapter", allowed=SPEC_ALLOWED)
        return load_adapter_class(adapter, search)
    adapters: dict[str, type[LendingAdapter]] = {ReferenceAdapter.kind: ReferenceAdapter}
    try:
        from defidrill.protocol.aave_v3.adapter import AaveV3Adapter
    except ImportError:  # the Aave adapter lands separately; until then only the reference pool is known
        pass
    else:
        adapters[AaveV3Adapter.kind] = AaveV3Adapter
    if kind not in adapters:
        raise ConfigError(f"unknown lending protocol kind {kind!r}", path="protocol.kind", value=kind,
                          allowed=", ".join(sorted([*adapters, EXTERNAL])))
    return adapters[kind]
