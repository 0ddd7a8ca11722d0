"""Compiling through py-solc-x with a source-hash cache, and solc's own error messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from defidrill.errors import CompileError, ToolchainError
from defidrill.toolchain import compile_project, project_root

GOOD = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
contract Counter {
    error TooBig(uint256 n);
    uint256 public n;
    function set(uint256 v) external { if (v > 10) revert TooBig(v); n = v; }
}
"""


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """A throwaway project root with one contract (and the real node_modules for solc-js)."""
    root = tmp_path / "proj"
    (root / "contracts").mkdir(parents=True)
    (root / "contracts" / "Counter.sol").write_text(GOOD)
    (root / "package.json").write_text("{}")
    (root / "node_modules").symlink_to(project_root() / "node_modules")
    return root


def test_compiles_then_hits_the_cache(mini_project: Path) -> None:
    first = compile_project(mini_project)
    assert not first.from_cache
    counter = first.get("Counter")
    assert counter.deployable
    assert {item["name"] for item in counter.abi if item.get("type") == "error"} == {"TooBig"}
    second = compile_project(mini_project)
    assert second.from_cache
    assert second.source_hash == first.source_hash
    assert second.get("Counter").bytecode == counter.bytecode


def test_cache_is_invalidated_by_a_source_change(mini_project: Path) -> None:
    first = compile_project(mini_project)
    (mini_project / "contracts" / "Counter.sol").write_text(GOOD.replace("v > 10", "v > 11"))
    second = compile_project(mini_project)
    assert not second.from_cache
    assert second.source_hash != first.source_hash
    assert second.get("Counter").bytecode != first.get("Counter").bytecode


def test_cache_is_invalidated_by_a_new_file(mini_project: Path) -> None:
    first = compile_project(mini_project)
    (mini_project / "contracts" / "Other.sol").write_text("pragma solidity ^0.8.24; contract Other {}")
    second = compile_project(mini_project)
    assert not second.from_cache and "Other" in second


def test_compile_error_shows_solc_message_with_file_and_line(mini_project: Path) -> None:
    (mini_project / "contracts" / "Broken.sol").write_text(
        "pragma solidity ^0.8.24;\ncontract Broken {\n    uint256 x = ;\n}\n"
    )
    with pytest.raises(CompileError) as err:
        compile_project(mini_project)
    text = str(err.value)
    assert "contracts/Broken.sol:3" in text
    assert "ParserError" in text


def test_duplicate_contract_names_are_refused(mini_project: Path) -> None:
    (mini_project / "contracts" / "Again.sol").write_text(GOOD)
    with pytest.raises(ToolchainError, match="two contracts are named 'Counter'"):
        compile_project(mini_project)


def test_unknown_artifact_name_suggests_close_ones(mini_project: Path) -> None:
    artifacts = compile_project(mini_project)
    with pytest.raises(ToolchainError, match="did you mean Counter"):
        artifacts.get("Countr")
