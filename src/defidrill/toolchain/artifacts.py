"""Compiled contracts, looked up by contract name, and their cache file that checks itself.

Each cached contract carries the SHA-256 of its own content (source, ABI, bytecode): a
truncated, garbled or hand-edited cache file, or one flipped byte of bytecode, fails
:meth:`Artifacts.from_json` with :class:`CacheDamaged` and the compiler runs again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pydantic

from defidrill.errors import ToolchainError


class CacheDamaged(ValueError):
    """A cache file that is not what this code wrote: the caller rebuilds it (never an error to the user)."""


class _CachedContract(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", strict=True)
    source: str
    abi: list[dict[str, Any]]
    bytecode: str = pydantic.Field(pattern=r"^0x([0-9a-fA-F]{2})*$")
    sha256: str = pydantic.Field(pattern=r"^[0-9a-f]{64}$")


class _CacheFile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", strict=True)
    compiler: str
    source_hash: str
    contracts: dict[str, _CachedContract] = pydantic.Field(min_length=1)


def artifact_sha256(source: str, abi: list[dict[str, Any]], bytecode: str) -> str:
    """The digest a cached contract is checked against (canonical JSON of what it holds)."""
    blob = json.dumps({"source": source, "abi": abi, "bytecode": bytecode}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


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
    cache_rebuilt_because: str | None = None  # why a cache file for these sources was not used
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
                a.name: {"source": a.source, "abi": a.abi, "bytecode": a.bytecode,
                         "sha256": artifact_sha256(a.source, a.abi, a.bytecode)}
                for a in self.by_name.values()
            },
        }

    @classmethod
    def from_json(cls, data: Any, *, from_cache: bool, expect_source_hash: str | None = None,
                  expect_compiler: str | None = None) -> Artifacts:
        """Artifacts from a cache file's JSON; :class:`CacheDamaged` when its shape, its key or any
        contract's digest is not what was written."""
        try:
            cache = _CacheFile.model_validate(data)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            raise CacheDamaged(f"{'.'.join(map(str, first['loc'])) or 'file'}: {first['msg']}") from None
        if expect_source_hash is not None and cache.source_hash != expect_source_hash:
            raise CacheDamaged(f"built for sources {cache.source_hash[:12]}, not {expect_source_hash[:12]}")
        if expect_compiler is not None and cache.compiler != expect_compiler:
            raise CacheDamaged(f"built by {cache.compiler}, not {expect_compiler}")
        for name, c in cache.contracts.items():
            if artifact_sha256(c.source, c.abi, c.bytecode) != c.sha256:
                raise CacheDamaged(f"contract {name}: content does not match its sha256")
        by_name = {name: Artifact(name=name, source=c.source, abi=c.abi, bytecode=c.bytecode)
                   for name, c in cache.contracts.items()}
        return cls(by_name=by_name, compiler=cache.compiler, source_hash=cache.source_hash, from_cache=from_cache)
