"""Compiled contracts shipped by pinned npm packages (Hardhat artifacts), linked at deploy.

Genuine third-party protocols come in as registry packages, never copied into the repo
(DESIGN.md): ``@aave/core-v3`` ships ``artifacts/**/<Name>.json`` with the creation code,
the ABI and ``linkReferences`` (where each external library's address goes). A library
call compiles to a 20-byte placeholder; linking writes the deployed library's address at
every ``start`` offset (bytes into the creation code) the artifact lists, so no
placeholder format has to be parsed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defidrill.errors import ToolchainError
from defidrill.toolchain.artifacts import Artifact
from defidrill.toolchain.project import project_root


@dataclass(frozen=True)
class LinkableArtifact:
    """A Hardhat artifact: creation code with unresolved library slots."""

    name: str
    source: str  # e.g. "@aave/core-v3/contracts/protocol/pool/Pool.sol"
    abi: list[dict[str, Any]]
    bytecode: str  # 0x-prefixed, placeholders where libraries go
    #: library name -> byte offsets into the creation code of each 20-byte slot
    link_offsets: dict[str, tuple[int, ...]]

    @property
    def libraries(self) -> list[str]:
        return sorted(self.link_offsets)

    def linked(self, libraries: Mapping[str, str]) -> Artifact:
        """The deployable artifact with every library slot filled from ``libraries`` (name -> address)."""
        missing = [lib for lib in self.link_offsets if lib not in libraries]
        if missing:
            raise ToolchainError(f"{self.name} links {', '.join(sorted(missing))}: deploy it first and pass its address")
        code = bytearray.fromhex(self.bytecode[2:].replace("_", "0").replace("$", "0"))
        for lib, offsets in self.link_offsets.items():
            address = bytes.fromhex(libraries[lib].removeprefix("0x"))
            if len(address) != 20:
                raise ToolchainError(f"{self.name}: library {lib} address {libraries[lib]!r} is not 20 bytes")
            for start in offsets:
                code[start : start + 20] = address
        return Artifact(name=self.name, source=self.source, abi=self.abi, bytecode="0x" + code.hex())

    def plain(self) -> Artifact:
        """The artifact as is (for a contract that links no library, or to use its ABI only)."""
        if self.link_offsets:
            raise ToolchainError(f"{self.name} links {', '.join(self.libraries)}: use linked()")
        return Artifact(name=self.name, source=self.source, abi=self.abi, bytecode=self.bytecode)


def package_dir(package: str, root: Path | None = None) -> Path:
    """``node_modules/<package>`` of the project, or a ToolchainError saying how to install it."""
    path = (root or project_root()) / "node_modules" / package
    if not (path / "package.json").is_file():
        raise ToolchainError(f"npm package {package} is not installed under {path.parent}: run `npm ci` "
                             "(it is pinned in package-lock.json)")
    return path


def package_version(package: str, root: Path | None = None) -> str:
    return str(json.loads((package_dir(package, root) / "package.json").read_text())["version"])


def load_hardhat_artifacts(package: str, names: list[str], *, root: Path | None = None,
                           artifacts_dir: str = "artifacts") -> dict[str, LinkableArtifact]:
    """Load the named contracts' artifacts from ``node_modules/<package>/<artifacts_dir>``.

    A name must be unique in the package (Hardhat writes ``<Source>.sol/<Name>.json``).
    """
    base = package_dir(package, root) / artifacts_dir
    index: dict[str, list[Path]] = {}
    for path in base.rglob("*.json"):
        if not path.name.endswith(".dbg.json"):
            index.setdefault(path.stem, []).append(path)
    out: dict[str, LinkableArtifact] = {}
    for name in names:
        found = index.get(name, [])
        if len(found) != 1:
            problem = "no artifact" if not found else f"{len(found)} artifacts"
            raise ToolchainError(f"{package}: {problem} named {name} under {base}")
        out[name] = _parse(json.loads(found[0].read_text()), package)
    return out


def _parse(raw: dict[str, Any], package: str) -> LinkableArtifact:
    offsets: dict[str, tuple[int, ...]] = {}
    for libs in raw.get("linkReferences", {}).values():
        for lib, refs in libs.items():
            if any(r["length"] != 20 for r in refs):
                raise ToolchainError(f"{raw['contractName']}: a link reference to {lib} is not 20 bytes")
            offsets[lib] = offsets.get(lib, ()) + tuple(r["start"] for r in refs)
    return LinkableArtifact(name=raw["contractName"], source=f"{package}/{raw['sourceName']}", abi=raw["abi"],
                            bytecode=raw["bytecode"], link_offsets=offsets)
