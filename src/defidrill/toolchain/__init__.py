"""Find anvil and solc, compile the contracts, cache the artifacts."""

from defidrill.toolchain.anvil_binary import AnvilBinary, find_anvil
from defidrill.toolchain.artifacts import Artifact, Artifacts
from defidrill.toolchain.compile import compile_project, source_asts
from defidrill.toolchain.project import project_root
from defidrill.toolchain.solc_binary import SOLC_VERSION, SolcBinary, find_solc

__all__ = [
    "AnvilBinary",
    "Artifact",
    "Artifacts",
    "SOLC_VERSION",
    "SolcBinary",
    "compile_project",
    "find_anvil",
    "find_solc",
    "project_root",
    "source_asts",
]
