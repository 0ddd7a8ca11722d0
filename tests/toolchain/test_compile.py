"""Compiling through py-solc-x with a source-hash cache, and solc's own error messages."""

from __future__ import annotations

import json
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
    compile_project(mini_project)  # fills the cache the next compile must not trust
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


def _cache_file(root: Path) -> Path:
    from defidrill.toolchain.project import cache_dir

    [path] = list((cache_dir(root) / "artifacts").glob("*.json"))
    return path


def _flip_bytecode_digit(text: str) -> str:
    data = json.loads(text)
    code = data["contracts"]["Counter"]["bytecode"]
    i = len(code) // 2
    data["contracts"]["Counter"]["bytecode"] = code[:i] + ("0" if code[i] != "0" else "1") + code[i + 1:]
    return json.dumps(data)


@pytest.mark.parametrize(("damage", "why"), [
    (lambda text: text[: len(text) // 2], "Expecting|Unterminated|delimiter"),        # truncated
    (lambda text: "\x00\xff garbage \x07", "Expecting value"),                         # not JSON
    (lambda text: json.dumps([1, 2, 3]), "file: Input should be a valid dictionary"),  # wrong shape
    (lambda text: json.dumps({**json.loads(text), "contracts": {}}), "contracts: Dictionary should have at least 1"),
    (_flip_bytecode_digit, "contract Counter: content does not match its sha256"),     # corrupted bytecode
])
def test_a_damaged_cache_is_rebuilt_never_a_hit(mini_project: Path, damage, why: str) -> None:  # type: ignore[no-untyped-def]
    import re

    good = compile_project(mini_project)
    path = _cache_file(mini_project)
    path.write_text(damage(path.read_text(encoding="latin-1")), encoding="latin-1")
    rebuilt = compile_project(mini_project)
    assert not rebuilt.from_cache
    assert rebuilt.cache_rebuilt_because and re.search(why, rebuilt.cache_rebuilt_because), rebuilt.cache_rebuilt_because
    assert rebuilt.get("Counter").bytecode == good.get("Counter").bytecode
    again = compile_project(mini_project)  # the rebuilt file is whole again: a verified hit
    assert again.from_cache and again.cache_rebuilt_because is None
    assert again.get("Counter").bytecode == good.get("Counter").bytecode
