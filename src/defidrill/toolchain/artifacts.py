"""Compiled contracts, looked up by contract name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from defidrill.errors import ToolchainError


@dataclass(frozen=True)
class Artifact:
    name: str
    source: str  # path relative to the project root, e.g. "contracts/amm/AmmPair.sol"
    abi: list[dict[str, Any]]
    bytecode: str  # creation code, 0x-prefixed; "0x" for interfaces and abstract contracts

    @property
    def deployable(self) -> bool:
        return len(self.bytecode) > 2


@dataclass
class Artifacts:
    """Every contract of one compilation, plus what produced it (for the cache key)."""

    by_name: dict[str, Artifact]
    compiler: str
    source_hash: str
    from_cache: bool = False
    all_abis: list[list[dict[str, Any]]] = field(default_factory=list)

    def get(self, name: str) -> Artifact:
        try:
            return self.by_name[name]
        except KeyError:
            close = sorted(n for n in self.by_name if n.lower().startswith(name.lower()[:3]))
            hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
            raise ToolchainError(f"no compiled contract named {name!r}{hint}") from None

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def names(self) -> list[str]:
        return sorted(self.by_name)

    def to_json(self) -> dict[str, Any]:
        return {
            "compiler": self.compiler,
            "source_hash": self.source_hash,
            "contracts": {
                a.name: {"source": a.source, "abi": a.abi, "bytecode": a.bytecode} for a in self.by_name.values()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, from_cache: bool) -> "Artifacts":
        by_name = {
            name: Artifact(name=name, source=c["source"], abi=c["abi"], bytecode=c["bytecode"])
            for name, c in data["contracts"].items()
        }
        return cls(by_name=by_name, compiler=data["compiler"], source_hash=data["source_hash"], from_cache=from_cache)
