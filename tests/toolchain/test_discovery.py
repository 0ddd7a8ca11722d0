"""Which anvil and solc we pick, in the documented order, and what we say when there is none."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from defidrill.errors import ToolchainError
from defidrill.toolchain import find_anvil, find_solc
from defidrill.toolchain.anvil_binary import node_modules_anvil


def _fake_binary(path: Path, version_line: str) -> Path:
    path.write_text(f"#!/bin/sh\necho '{version_line}'\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_anvil_bin_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _fake_binary(tmp_path / "anvil", "anvil Version: 9.9.9-test")
    monkeypatch.setenv("ANVIL_BIN", str(fake))
    found = find_anvil()
    assert (found.path, found.version, found.source) == (fake, "9.9.9-test", "ANVIL_BIN")


def test_anvil_on_path_comes_before_node_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_binary(tmp_path / "anvil", "anvil Version: 8.8.8-path")
    monkeypatch.delenv("ANVIL_BIN", raising=False)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    found = find_anvil()
    assert found.source == "PATH" and found.version == "8.8.8-path"


def test_anvil_falls_back_to_node_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANVIL_BIN", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    found = find_anvil()
    assert found.source == "node_modules"
    assert found.path == node_modules_anvil()
    assert found.version.startswith("1.7.1")  # the version package.json pins


def test_missing_anvil_is_one_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANVIL_BIN", str(tmp_path / "nope"))
    with pytest.raises(ToolchainError) as err:
        find_anvil()
    text = str(err.value)
    assert "ANVIL_BIN" in text and "npm ci" in text and "foundryup" in text


def test_solc_falls_back_to_the_solcjs_launcher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOLC_BIN", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("HOME", "/nonexistent-home")
    solc = find_solc()
    assert solc.kind == "solc-js"
    assert solc.version == "0.8.28"
    assert solc.path.name == "solc-v0.8.28"  # the name py-solc-x looks for in SOLCX_BINARY_PATH


def test_solcjs_launcher_speaks_solc_standard_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """py-solc-x must be able to use it unchanged: pure JSON on stdout for --standard-json."""
    import solcx

    monkeypatch.delenv("SOLC_BIN", raising=False)
    solc = find_solc()
    assert str(solcx.wrapper.get_solc_version(solc.path)) == "0.8.28"
    out = solcx.compile_standard(
        {"language": "Solidity", "sources": {"A.sol": {"content": "pragma solidity ^0.8.0; contract A { uint x; }"}},
         "settings": {"outputSelection": {"*": {"*": ["abi"]}}}},
        solc_binary=solc.path,
    )
    assert "A" in out["contracts"]["A.sol"]


def test_solc_bin_env_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLC_BIN", str(tmp_path / "missing-solc"))
    with pytest.raises(ToolchainError, match="SOLC_BIN"):
        find_solc()
