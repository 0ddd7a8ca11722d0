"""A user's compiled contracts, wherever their toolchain put them.

An external adapter (``protocol: {kind: external}``) deploys or attaches the user's own
contracts, so it needs their ABIs and creation code. ``load_artifacts(folder)`` reads
the four layouts a Solidity project comes in and returns one :class:`ArtifactSet`:

- Foundry ``out/``: ``out/<File>.sol/<Name>.json`` with ``abi`` and ``bytecode.object`` /
  ``bytecode.linkReferences`` (``<Name>.<version>.json`` when several compilers built it);
- ape ``.build/``: the ethPM v3 manifest ``__local__.json`` (``contractTypes``, ape 0.7+) or
  one ContractType JSON per contract (older ape), ``deploymentBytecode.bytecode``;
- Hardhat ``artifacts/``: ``artifacts/<source>/<Name>.json`` (``hh-sol-artifact-1``);
- a folder of ``.sol`` sources: compiled with defidrill's own solc (``compile.py``), cached
  by source hash in defidrill's cache, never in the user's folder.

``ArtifactSet.register(chain)`` makes the contracts usable by name on a :class:`Chain`
(``chain.at``/``chain.deploy``) and, just as important, puts every event and custom error
of the user's ABIs into the chain's decoder, so receipts, events.jsonl and reverts read
``LiquidateBorrow(...)`` and ``InsufficientShortfall()`` rather than hex.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_utils.crypto import keccak

from defidrill.errors import ToolchainError
from defidrill.toolchain.artifacts import Artifact
from defidrill.toolchain.compile import compile_project
from defidrill.toolchain.npm_artifacts import LinkableArtifact, _parse as parse_hardhat
from defidrill.toolchain.project import cache_dir
from defidrill.toolchain.solc_binary import find_solc, find_solc_exact

if TYPE_CHECKING:
    from defidrill.chain import ChainAPI

LAYOUTS = ("foundry", "ape", "hardhat", "solidity")
ALLOWED = ("a Foundry out/ folder, an ape .build/ folder, a Hardhat artifacts/ folder, "
           "or a folder of .sol sources")


@dataclass(frozen=True)
class ArtifactSet:
    """Every contract of one user build, by name (``Source.sol:Name`` where a name is not unique)."""

    layout: str  # one of LAYOUTS
    folder: Path
    by_name: dict[str, LinkableArtifact]

    def names(self) -> list[str]:
        return sorted(self.by_name)

    def get(self, name: str) -> LinkableArtifact:
        """The contract ``name`` (or ``path/File.sol:Name``); a ToolchainError lists what there is."""
        if name in self.by_name:
            return self.by_name[name]
        qualified = [n for n in self.by_name if n.endswith(f":{name}")]
        if len(qualified) > 1:
            raise ToolchainError(f"{self.folder}: {len(qualified)} contracts are named {name}: "
                                 f"ask for one of {', '.join(sorted(qualified))}")
        raise ToolchainError(f"{self.folder} ({self.layout}) has no contract named {name!r}; "
                             f"it has: {', '.join(self.names()) or 'nothing'}")

    def register(self, chain: ChainAPI, *, prefix: str = "") -> None:
        """Make every contract usable by ``prefix + name`` on ``chain`` and decode its events and errors.

        A contract that links libraries is registered without creation code (link it with
        ``get(name).linked({...})`` and register that). An interface or abstract contract named like
        one of defidrill's own (``IERC20``) only adds its events and errors to the decoder; a
        deployable one is refused: pass a ``prefix``.
        """
        own = chain.artifacts
        for name, artifact in self.by_name.items():
            registered = prefix + name
            code = artifact.bytecode if not artifact.link_offsets else "0x"
            plain = Artifact(name=registered, source=artifact.source, abi=artifact.abi, bytecode=code)
            if registered in own:
                if plain.deployable and own.get(registered).bytecode != plain.bytecode:
                    raise ToolchainError(
                        f"{artifact.source}: contract {name} has the name of one of defidrill's own contracts "
                        f"({own.get(registered).source}); register the user's build with a prefix, e.g. "
                        f"artifacts.register(chain, prefix='my/') and use chain.at('my/{name}', address)")
                chain.registry.add(registered, artifact.abi)
                continue
            chain.register(plain)


def detect_layout(folder: Path) -> str:
    """Which toolchain wrote ``folder`` (one of LAYOUTS); a ToolchainError naming what is allowed."""
    if not folder.is_dir():
        raise ToolchainError(f"{folder}: no such folder; expected {ALLOWED}")
    if (folder / "__local__.json").is_file() or (folder.name == ".build" and any(folder.glob("*.json"))):
        return "ape"
    for path in _json_files(folder):
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if not isinstance(data, dict):
            continue
        if data.get("_format", "").startswith("hh-sol-artifact") or ("contractName" in data and "sourceName" in data):
            return "hardhat"
        if isinstance(data.get("bytecode"), dict) and "object" in data["bytecode"]:
            return "foundry"
        if "deploymentBytecode" in data or "contractTypes" in data:
            return "ape"
    if any(folder.rglob("*.sol")):
        return "solidity"
    raise ToolchainError(f"{folder} holds no compiled contracts and no .sol sources; expected {ALLOWED}")


def load_artifacts(folder: str | Path, *, contracts: Sequence[str] = (), solc: str | None = None) -> ArtifactSet:
    """Read a user's build (or compile their sources) from ``folder``, whichever layout it is.

    ``contracts`` (a drill's ``artifacts: {contracts: [...]}``): ``.sol`` entries are the only sources
    compiled (their imports come along), other entries are contract names the build must hold.
    ``solc``: the compiler version to compile with (``find_solc_exact``: a native one, else an installed solc-js).
    The preflight calls this too, so a source that does not compile is refused by ``validate``.
    """
    folder = Path(folder).resolve()
    layout = detect_layout(folder)
    sources = [c for c in contracts if c.endswith(".sol")]
    if layout != "solidity" and (sources or solc):
        raise ToolchainError(f"{folder} is a {layout} build: there is nothing to compile, so `solc` and `.sol` "
                             "entries of `contracts` apply to a folder of .sol sources only")
    if layout == "solidity":
        found = _solidity(folder, sources=sources, solc=solc)
    else:
        found = {"foundry": _foundry, "ape": _ape, "hardhat": _hardhat}[layout](folder)
    if not found:
        raise ToolchainError(f"{folder} ({layout}) holds no contracts; expected {ALLOWED}")
    built = ArtifactSet(layout, folder, _index(found))
    for name in (c for c in contracts if not c.endswith(".sol")):
        built.get(name)  # a ToolchainError listing what the build has
    return built


def _json_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.json")
                  if "build-info" not in p.parts and not p.name.endswith(".dbg.json") and p.name != "cache.json")


def _index(found: list[LinkableArtifact]) -> dict[str, LinkableArtifact]:
    """By plain name where unique, else ``source:Name`` for each of the same name."""
    counts: dict[str, int] = {}
    for a in found:
        counts[a.name] = counts.get(a.name, 0) + 1
    out: dict[str, LinkableArtifact] = {}
    for a in found:
        out[a.name if counts[a.name] == 1 else f"{a.source}:{a.name}"] = a
    return out


def _foundry(folder: Path) -> list[LinkableArtifact]:
    out: list[LinkableArtifact] = []
    seen: set[tuple[str, str]] = set()
    for path in _json_files(folder):
        data = json.loads(path.read_text())
        code = data.get("bytecode") if isinstance(data, dict) else None
        if not isinstance(code, dict) or "abi" not in data:
            continue
        name = path.name.split(".")[0]
        metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        target = metadata.get("settings", {}).get("compilationTarget", {})
        source = next(iter(target), None) or (data.get("ast") or {}).get("absolutePath") or path.parent.name
        if (source, name) in seen:  # the same contract built by two compiler versions
            continue
        seen.add((source, name))
        bytecode = code.get("object") or "0x"
        # Foundry's linkReferences have Hardhat's shape ({source: {library: [{start, length}]}}).
        out.append(_hardhat_artifact({"contractName": name, "sourceName": source, "abi": data["abi"],
                                      "bytecode": bytecode if bytecode.startswith("0x") else "0x" + bytecode,
                                      "linkReferences": code.get("linkReferences") or {}}))
    return out


def _hardhat(folder: Path) -> list[LinkableArtifact]:
    out: list[LinkableArtifact] = []
    for path in _json_files(folder):
        data = json.loads(path.read_text())
        if isinstance(data, dict) and "contractName" in data and "abi" in data:
            out.append(_hardhat_artifact(data))
    return out


def _hardhat_artifact(data: dict[str, Any]) -> LinkableArtifact:
    artifact = parse_hardhat(data, "")
    return replace(artifact, source=str(data.get("sourceName", "")), bytecode=artifact.bytecode or "0x")


def _ape(folder: Path) -> list[LinkableArtifact]:
    manifest = folder / "__local__.json"
    if manifest.is_file():
        types = json.loads(manifest.read_text()).get("contractTypes") or {}
        items = list(types.values())
    else:
        items = [json.loads(p.read_text()) for p in _json_files(folder)]
    out: list[LinkableArtifact] = []
    for ct in items:
        if not isinstance(ct, dict) or "abi" not in ct:
            continue
        name = ct.get("contractName") or ct.get("name")
        if not name:
            continue
        deployment = ct.get("deploymentBytecode") or {}
        offsets: dict[str, tuple[int, ...]] = {}
        for ref in deployment.get("linkReferences") or []:
            offsets[ref["name"]] = offsets.get(ref["name"], ()) + tuple(ref["offsets"])
        out.append(LinkableArtifact(name=name, source=ct.get("sourceId") or "", abi=ct["abi"],
                                    bytecode=deployment.get("bytecode") or "0x", link_offsets=offsets))
    return out


def _solidity(folder: Path, *, sources: Sequence[str] = (), solc: str | None = None) -> list[LinkableArtifact]:
    binary = find_solc_exact(solc) if solc is not None else find_solc()
    files = []
    for name in sources:
        path = (folder / name).resolve()
        if not path.is_file() or not path.is_relative_to(folder):
            raise ToolchainError(f"{folder}: no source {name!r} in the folder; it has: "
                                 + ", ".join(sorted(str(p.relative_to(folder)) for p in folder.rglob("*.sol"))[:20]))
        files.append(path)
    compiled = compile_project(folder, contracts_dir=folder, solc=binary, cache=cache_dir() / "user-artifacts",
                               only=files or None)
    # solc marks where a library's address goes with __$<34 hex of keccak("<source>:<Library>")>$__.
    placeholders = {f"__${keccak(text=f'{a.source}:{a.name}').hex()[:34]}$__": a.name for a in compiled.by_name.values()}
    out = []
    for a in compiled.by_name.values():
        offsets: dict[str, tuple[int, ...]] = {}
        if "__$" in a.bytecode:
            code = a.bytecode[2:]
            for marker, lib in placeholders.items():
                spots = tuple(i // 2 for i in _find_all(code, marker))
                if spots:
                    offsets[lib] = spots
        out.append(LinkableArtifact(name=a.name, source=a.source, abi=a.abi, bytecode=a.bytecode, link_offsets=offsets))
    return out


def _find_all(text: str, needle: str) -> list[int]:
    found, start = [], text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found
