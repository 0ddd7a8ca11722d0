"""Lending adapters by the ``protocol.kind`` a drill names."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from defidrill.errors import ConfigError
from defidrill.protocol.aave_v3.adapter import AaveV3Adapter
from defidrill.protocol.adapter import LendingAdapter
from defidrill.protocol.morpho_blue.adapter import MorphoBlueAdapter
from defidrill.protocol.reference.adapter import ReferenceAdapter

#: Every built-in adapter by the ``protocol.kind`` that selects it.
ADAPTERS: dict[str, type[LendingAdapter]] = {ReferenceAdapter.kind: ReferenceAdapter, AaveV3Adapter.kind: AaveV3Adapter,
                                             MorphoBlueAdapter.kind: MorphoBlueAdapter}
#: ``kind: external`` takes the adapter class from the user's module (``protocol.adapter``).
EXTERNAL = "external"


def adapter_class(kind: str, adapter: str | None = None, search: Iterable[Path] = ()) -> type[LendingAdapter]:
    """The adapter class for ``kind``; for ``external``, the class ``adapter`` names (``module:Class``),
    imported with ``search`` folders and the current folder on sys.path (``protocol.external``)."""
    if kind == EXTERNAL:
        from defidrill.drill.schema.external_checks import SPEC_ALLOWED
        from defidrill.protocol.external import load_adapter_class

        if not adapter:
            raise ConfigError("kind: external needs the adapter class", path="protocol.adapter", allowed=SPEC_ALLOWED)
        return load_adapter_class(adapter, search)
    if kind not in ADAPTERS:
        raise ConfigError(f"unknown lending protocol kind {kind!r}", path="protocol.kind", value=kind,
                          allowed=", ".join(sorted([*ADAPTERS, EXTERNAL])))
    return ADAPTERS[kind]
