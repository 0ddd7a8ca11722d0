"""The pure layers import nothing from the chain side (DESIGN.md: data flows one way).

drill/, cex/, metrics/, report/, run_folder/ and protocol_terms/ compute from a drill file or a run
folder alone: they must import, even lazily or only for type checking, none of the chain-side
packages (defidrill.chain, .engine, .protocol, the runner) nor a chain client library (web3, ape,
eth_*). Read with ``ast``, not by importing, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PURE = ["drill", "cex", "metrics", "report", "run_folder", "protocol_terms"]
CHAIN_SIDE = ("defidrill.chain", "defidrill.engine", "defidrill.protocol", "defidrill.runner", "defidrill.coupling",
              "web3", "ape", "eth_")

#: Imports into a pure module that stay, each with its reason. A new one fails the test; a stale one too.
ALLOWED = {
    # Pure functions (Keccak-256 and the EIP-55 checksum) that name each agent's address; no chain client, no I/O.
    ("defidrill.drill.population", "eth_utils.address"),
    ("defidrill.drill.population", "eth_utils.crypto"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names; relative ones resolved against its package)."""
    found: set[str] = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
    return found


def _chain_side(name: str) -> bool:
    return any(name == p or name.startswith(p if p.endswith("_") else f"{p}.") for p in CHAIN_SIDE)


def _pure_imports() -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for layer in PURE:
        folder = SRC / "defidrill" / layer
        assert folder.is_dir(), f"pure layer {layer}/ is missing"
        for path in sorted(folder.rglob("*.py")):
            pairs.update((_module_name(path), name) for name in _imports(path) if _chain_side(name))
    return pairs


def test_no_pure_module_imports_the_chain_side() -> None:
    wrong = sorted(_pure_imports() - ALLOWED)
    assert not wrong, "pure modules importing the chain side:\n" + "\n".join(f"  {m} imports {n}" for m, n in wrong)


def test_every_allowed_import_still_exists() -> None:
    assert not ALLOWED - _pure_imports(), f"stale entries in ALLOWED: {sorted(ALLOWED - _pure_imports())}"


@pytest.mark.parametrize("name, chain_side", [("web3", True), ("web3.types", True), ("eth_abi", True),
                                              ("defidrill.protocol_terms.amounts", False), ("defidrill.chain", True),
                                              ("defidrill.drill.schema", False), ("ethics", False)])
def test_chain_side_names(name: str, chain_side: bool) -> None:
    assert _chain_side(name) is chain_side
