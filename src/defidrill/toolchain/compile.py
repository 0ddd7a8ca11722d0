"""Compile ``contracts/`` once through py-solc-x standard JSON and cache by source hash.

solc-js costs about a second per invocation, so a warm run must not call the
compiler at all: the cache key is the hash of every source's path and bytes, the
compiler's long version and the settings. A cache file that fails its own checks
(not JSON, wrong shape, another key, a contract whose digest does not match) is
rebuilt, never used: ``Artifacts.cache_rebuilt_because`` says why.
"""

from __future__ import annotations

import hashlib
import os
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import solcx
from solcx.exceptions import SolcError

from defidrill.errors import CompileError, ToolchainError
from defidrill.toolchain.artifacts import Artifact, Artifacts, CacheDamaged
from defidrill.toolchain.project import cache_dir, project_root
from defidrill.toolchain.solc_binary import SolcBinary, find_solc

EVM_VERSION = "cancun"
OPTIMIZER_RUNS = 200


def evm_version_for(solc_version: str) -> str:
    """The newest EVM the compiler knows, up to EVM_VERSION: solc < 0.8.20 stops at paris, < 0.8.24 at
    shanghai (a user's sources pinned to 0.8.19, as Morpho Blue's are, need paris; anvil runs both)."""
    try:
        patch = int(solc_version.split(".")[2]) if solc_version.startswith("0.8.") else 99
    except (IndexError, ValueError):
        patch = 99
    return "paris" if patch < 20 else "shanghai" if patch < 24 else EVM_VERSION


def compiler_settings(solc_version: str | None = None) -> dict[str, Any]:
    return {
        "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
        "evmVersion": EVM_VERSION if solc_version is None else evm_version_for(solc_version),
        "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
    }


def collect_sources(root: Path, contracts_dir: Path, only: Sequence[Path] | None = None) -> dict[str, str]:
    """Source unit name (path relative to the root) -> file content, sorted for a stable hash (``only``:
    these files, not every one under ``contracts_dir``; solc reads their imports from the root)."""
    files = sorted(only) if only else sorted(contracts_dir.rglob("*.sol"))
    if not files:
        raise ToolchainError(f"no Solidity sources under {contracts_dir}")
    return {str(f.relative_to(root)): f.read_text() for f in files}


def source_hash(sources: dict[str, str], compiler_long_version: str, settings: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(compiler_long_version.encode())
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name].encode() + b"\0")
    return digest.hexdigest()


def _format_errors(errors: list[dict[str, Any]]) -> str:
    return "\n".join(e.get("formattedMessage") or e.get("message", "") for e in errors).strip()


def _run_solc(solc: SolcBinary, root: Path, sources: dict[str, str], settings: dict[str, Any]) -> dict[str, Any]:
    standard_input = {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": settings,
    }
    try:
        output = solcx.compile_standard(
            standard_input, solc_binary=solc.path, base_path=str(root), allow_paths=str(root)
        )
    except SolcError as exc:
        stdout = getattr(exc, "stdout_data", "") or ""
        try:
            errors = json.loads(stdout).get("errors", [])
        except json.JSONDecodeError:
            errors = [{"formattedMessage": stdout or str(exc)}]
        hard = [e for e in errors if e.get("severity") == "error"] or errors
        raise CompileError(f"solc {solc.version} rejected the contracts:\n{_format_errors(hard)}") from None
    hard = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if hard:
        raise CompileError(f"solc {solc.version} rejected the contracts:\n{_format_errors(hard)}")
    return output


def _artifacts_from_output(output: dict[str, Any]) -> dict[str, Artifact]:
    by_name: dict[str, Artifact] = {}
    for source, contracts in sorted(output.get("contracts", {}).items()):
        for name, data in contracts.items():
            if name in by_name:
                raise ToolchainError(
                    f"two contracts are named {name!r} ({by_name[name].source} and {source}); "
                    "contract names must be unique across contracts/"
                )
            bytecode = data.get("evm", {}).get("bytecode", {}).get("object", "")
            by_name[name] = Artifact(name=name, source=source, abi=data.get("abi", []), bytecode="0x" + bytecode)
    return by_name


def source_asts(root: Path | None = None, *, contracts_dir: Path | None = None,
                solc: SolcBinary | None = None) -> dict[str, dict[str, Any]]:
    """Source unit name -> solc's JSON AST, for static checks over the contracts (the hygiene test).

    Analysis only (no code generation), so it costs a fraction of ``compile_project``; never cached
    because nothing on the drill path needs it.
    """
    root = (root or project_root()).resolve()
    sources = collect_sources(root, contracts_dir or root / "contracts")
    settings = {"evmVersion": EVM_VERSION, "outputSelection": {"*": {"": ["ast"]}}}
    output = _run_solc(solc or find_solc(root), root, sources, settings)
    return {name: unit["ast"] for name, unit in output.get("sources", {}).items()}


def compile_project(root: Path | None = None, *, contracts_dir: Path | None = None, solc: SolcBinary | None = None,
                    cache: Path | None = None, only: Sequence[Path] | None = None) -> Artifacts:
    """Compile every ``.sol`` under ``contracts/``, from the cache when nothing changed.

    ``cache`` is the folder for the cached artifacts (default ``<root>/.defidrill/artifacts``);
    a user's sources compiled by ``user_artifacts`` are cached in defidrill's own folder instead,
    so nothing is written into the user's project.
    """
    root = (root or project_root()).resolve()
    contracts_dir = contracts_dir or root / "contracts"
    solc = solc or find_solc(root)
    return compile_sources(root, collect_sources(root, contracts_dir, only), solc=solc,
                           settings=compiler_settings(solc.version), cache=cache or cache_dir(root) / "artifacts")


def compile_sources(root: Path, sources: dict[str, str], *, solc: SolcBinary, settings: dict[str, Any],
                    cache: Path) -> Artifacts:
    """Compile ``sources`` (unit name -> text; imports resolved from ``root``) with ``solc`` and
    ``settings``, from ``cache/<key>.json`` when the sources, compiler and settings are unchanged.

    Shared by our contracts and genuine protocols compiled from a pinned npm package with their
    own compiler and settings (Morpho Blue: solc 0.8.19, viaIR), so both get the same checked cache.
    """
    key = source_hash(sources, solc.long_version, settings)
    cache_file = cache / f"{key}.json"
    damaged: str | None = None
    if cache_file.is_file():
        try:
            return Artifacts.from_json(json.loads(cache_file.read_bytes()), from_cache=True, expect_source_hash=key,
                                       expect_compiler=solc.long_version)
        except (CacheDamaged, ValueError, OSError) as exc:  # not JSON (truncated, garbage), wrong shape or digest
            damaged = f"{cache_file.name}: {exc}"
    output = _run_solc(solc, root, sources, settings)
    artifacts = Artifacts(by_name=_artifacts_from_output(output), compiler=solc.long_version, source_hash=key,
                          cache_rebuilt_because=damaged)
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(artifacts.to_json()))
    tmp.replace(cache_file)
    return artifacts
