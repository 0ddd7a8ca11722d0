"""Lending adapters by the ``protocol.kind`` a drill names."""

from __future__ import annotations

from defidrill.errors import ConfigError
from defidrill.protocol.aave_v3.adapter import AaveV3Adapter
from defidrill.protocol.adapter import LendingAdapter
from defidrill.protocol.reference.adapter import ReferenceAdapter

#: Every built-in adapter by the ``protocol.kind`` that selects it.
ADAPTERS: dict[str, type[LendingAdapter]] = {ReferenceAdapter.kind: ReferenceAdapter, AaveV3Adapter.kind: AaveV3Adapter}


def adapter_class(kind: str) -> type[LendingAdapter]:
    adapters = ADAPTERS
    if kind not in adapters:
        raise ConfigError(f"unknown lending protocol kind {kind!r}", path="protocol.kind", value=kind,
                          allowed=", ".join(sorted(adapters)))
    return adapters[kind]
