"""Lending adapters by the ``protocol.kind`` a drill names."""

from __future__ import annotations

from defidrill.errors import ConfigError
from defidrill.protocol.adapter import LendingAdapter
from defidrill.protocol.reference.adapter import ReferenceAdapter


def adapter_class(kind: str) -> type[LendingAdapter]:
    adapters: dict[str, type[LendingAdapter]] = {ReferenceAdapter.kind: ReferenceAdapter}
    try:
        from defidrill.protocol.aave_v3.adapter import AaveV3Adapter
    except ImportError:  # the Aave adapter lands separately; until then only the reference pool is known
        pass
    else:
        adapters[AaveV3Adapter.kind] = AaveV3Adapter
    if kind not in adapters:
        raise ConfigError(f"unknown lending protocol kind {kind!r}", path="protocol.kind", value=kind,
                          allowed=", ".join(sorted(adapters)))
    return adapters[kind]
