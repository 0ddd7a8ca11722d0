"""Genuine Morpho Blue from the pinned npm package ``@morpho-org/morpho-blue`` (1.0.0, BUSL-1.1 on Morpho.sol).

The package ships sources only, with ``pragma solidity 0.8.19`` exactly, so they are compiled
here from ``node_modules`` (never copied into the repository, never edited) by the pinned
solc-js 0.8.19 (package.json's ``solc-0.8.19`` npm alias) with Morpho's own settings: evmVersion
paris, viaIR, optimizer runs 999999 (~11 s once; the toolchain's cache keeps the artifacts by
source hash). Morpho emits its events through the ``EventsLib`` library, so ``Morpho``'s own ABI
has none: EventsLib's entries are added to it, so receipts and events.jsonl decode ``Liquidate``.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

from defidrill.errors import ToolchainError
from defidrill.toolchain.artifacts import Artifact
from defidrill.toolchain.compile import collect_sources, compile_sources
from defidrill.toolchain.npm_artifacts import package_dir, package_version
from defidrill.toolchain.project import cache_dir, project_root
from defidrill.toolchain.solc_binary import find_solc_exact

PACKAGE = "@morpho-org/morpho-blue"
VERSION = "1.0.0"
SOLC = "0.8.19"
#: Morpho's own build settings (its foundry.toml "build" profile), which its audits cover.
SETTINGS = {
    "optimizer": {"enabled": True, "runs": 999_999},
    "viaIR": True,
    "evmVersion": "paris",
    "outputSelection": {"*": {"*": ["abi"]},
                        f"{PACKAGE}/src/Morpho.sol": {"Morpho": ["abi", "evm.bytecode.object"]}},
}
#: Prefix of Morpho's contracts on a Chain (``morpho-blue/Morpho``): its IERC20 and SafeTransferLib would clash with ours.
PREFIX = "morpho-blue/"


def qualified(name: str) -> str:
    """The name a Morpho contract has on a Chain: ``chain.at(qualified("Morpho"), address)``."""
    return PREFIX + name


def morpho_sources(root: Path | None = None) -> tuple[Path, dict[str, str]]:
    """(node_modules, unit name -> text) of the package's sources, mocks left out."""
    package = package_dir(PACKAGE, root)
    modules = package.parent.parent
    sources = collect_sources(modules, package / "src")
    return modules, {name: text for name, text in sources.items() if "/src/mocks/" not in name}


@functools.lru_cache(maxsize=1)
def morpho_artifact() -> Artifact:
    """``morpho-blue/Morpho``: creation code, its ABI plus EventsLib's events; the pinned version checked."""
    root = project_root()
    found = package_version(PACKAGE, root)
    if found != VERSION:
        raise ToolchainError(f"{PACKAGE} {found} is installed, defidrill is pinned to {VERSION}: run `npm ci`")
    modules, sources = morpho_sources(root)
    compiled = compile_sources(modules, sources, solc=find_solc_exact(SOLC, root), settings=SETTINGS,
                               cache=cache_dir(root) / "artifacts")
    morpho, events = compiled.get("Morpho"), compiled.get("EventsLib")
    if not morpho.deployable:
        raise ToolchainError(f"{PACKAGE}: solc {SOLC} produced no creation code for Morpho")
    abi = morpho.abi + [e for e in events.abi if e.get("type") == "event"]
    return replace(morpho, name=qualified("Morpho"), abi=abi)
