"""A user's build in each layout defidrill reads: sources (compiled with our solc), Foundry out/,
Hardhat artifacts/, ape .build/. The Foundry, Hardhat and ape files are written here in each
tool's documented format from the real solc output (none of those tools runs on this machine);
every layout must yield the same contracts, link the same library slots, deploy on anvil and
decode the user's own event and custom error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from defidrill.errors import RevertError, ToolchainError
from defidrill.toolchain.user_artifacts import ArtifactSet, detect_layout, load_artifacts

VAULT = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

library FeeMath {
    /// @notice 1% fee, rounded down (public: called by address, so the vault links it)
    function fee(uint256 amountRaw) public pure returns (uint256) { return amountRaw / 100; }
}

contract UserVault {
    error TooSmall(uint256 amountRaw, uint256 minimumRaw);
    event Deposited(address indexed who, uint256 amountRaw, uint256 feeRaw);

    function deposit(uint256 amountRaw) external {
        if (amountRaw < 100) revert TooSmall(amountRaw, 100);
        emit Deposited(msg.sender, amountRaw, FeeMath.fee(amountRaw));
    }
}
"""


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("user") / "src"
    folder.mkdir()
    (folder / "UserVault.sol").write_text(VAULT)
    return folder


@pytest.fixture(scope="module")
def compiled(sources: Path) -> ArtifactSet:
    return load_artifacts(sources)


def _foundry(compiled: ArtifactSet, root: Path) -> Path:
    out = root / "out"
    for name in ("FeeMath", "UserVault"):
        a = compiled.get(name)
        refs = {"src/UserVault.sol": {lib: [{"start": s, "length": 20} for s in spots]
                                      for lib, spots in a.link_offsets.items()}}
        (out / "UserVault.sol").mkdir(parents=True, exist_ok=True)
        (out / "UserVault.sol" / f"{name}.json").write_text(json.dumps({
            "abi": a.abi, "bytecode": {"object": a.bytecode, "linkReferences": refs, "sourceMap": ""},
            "deployedBytecode": {"object": "0x", "linkReferences": {}},
            "metadata": {"settings": {"compilationTarget": {"src/UserVault.sol": name}}}}))
    (out / "build-info").mkdir()
    (out / "build-info" / "abc.json").write_text(json.dumps({"id": "abc", "output": {}}))
    return out


def _hardhat(compiled: ArtifactSet, root: Path) -> Path:
    out = root / "artifacts"
    folder = out / "contracts" / "UserVault.sol"
    folder.mkdir(parents=True)
    for name in ("FeeMath", "UserVault"):
        a = compiled.get(name)
        refs = {"contracts/UserVault.sol": {lib: [{"start": s, "length": 20} for s in spots]
                                            for lib, spots in a.link_offsets.items()}}
        (folder / f"{name}.json").write_text(json.dumps({
            "_format": "hh-sol-artifact-1", "contractName": name, "sourceName": "contracts/UserVault.sol",
            "abi": a.abi, "bytecode": a.bytecode, "deployedBytecode": "0x", "linkReferences": refs,
            "deployedLinkReferences": {}}))
        (folder / f"{name}.dbg.json").write_text(json.dumps({"_format": "hh-sol-dbg-1", "buildInfo": "../x.json"}))
    return out


def _ape(compiled: ArtifactSet, root: Path) -> Path:
    out = root / ".build"
    out.mkdir()
    types = {}
    for name in ("FeeMath", "UserVault"):
        a = compiled.get(name)
        refs = [{"offsets": list(spots), "length": 20, "name": lib} for lib, spots in a.link_offsets.items()]
        types[name] = {"contractName": name, "sourceId": "UserVault.sol", "abi": a.abi,
                       "deploymentBytecode": {"bytecode": a.bytecode, "linkReferences": refs}}
    (out / "__local__.json").write_text(json.dumps({"manifest": "ethpm/3", "contractTypes": types}))
    return out


def test_sources_compile_and_the_library_slot_is_found(compiled: ArtifactSet) -> None:
    assert compiled.layout == "solidity"
    vault = compiled.get("UserVault")
    assert vault.libraries == ["FeeMath"] and len(vault.link_offsets["FeeMath"]) == 1
    assert compiled.get("FeeMath").link_offsets == {}


@pytest.mark.parametrize("layout, write", [("foundry", _foundry), ("hardhat", _hardhat), ("ape", _ape)])
def test_every_layout_reads_the_same_contracts(compiled: ArtifactSet, tmp_path: Path, layout: str, write) -> None:
    folder = write(compiled, tmp_path)
    assert detect_layout(folder) == layout
    loaded = load_artifacts(folder)
    assert loaded.layout == layout and loaded.names() == ["FeeMath", "UserVault"]
    for name in ("FeeMath", "UserVault"):
        got, want = loaded.get(name), compiled.get(name)
        assert (got.abi, got.bytecode, got.link_offsets) == (want.abi, want.bytecode, want.link_offsets)


@pytest.mark.parametrize("layout, write", [("solidity", None), ("foundry", _foundry), ("hardhat", _hardhat), ("ape", _ape)])
def test_a_registered_build_deploys_and_decodes_its_event_and_error(chain, compiled: ArtifactSet, tmp_path: Path,
                                                                    layout: str, write) -> None:
    build = compiled if write is None else load_artifacts(write(compiled, tmp_path))
    build.register(chain)
    lib = chain.deploy("FeeMath")
    linked = build.get("UserVault").linked({"FeeMath": lib.address})
    chain.register(linked)
    vault = chain.deploy("UserVault")
    receipt = chain.transact(vault.functions.deposit(12_345))
    [event] = receipt.events
    assert event["event"] == "Deposited" and event["args"] == {"who": chain.deployer, "amountRaw": 12_345, "feeRaw": 123}
    with pytest.raises(RevertError) as err:
        chain.transact(vault.functions.deposit(99), gas=200_000)
    assert err.value.revert.name == "TooSmall" and err.value.revert.args == {"amountRaw": 99, "minimumRaw": 100}


def test_unlinked_contract_is_registered_without_code(chain, compiled: ArtifactSet) -> None:
    compiled.register(chain)
    assert not chain._artifact("UserVault").deployable
    with pytest.raises(ToolchainError, match="links FeeMath"):
        compiled.get("UserVault").linked({})


def test_a_name_of_defidrills_own_needs_a_prefix(chain, tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "Pool.sol").write_text("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"
                                     "interface IERC20 { function totalSupply() external view returns (uint256); }\n"
                                     "contract LendingPool { uint256 public x = 1; }\n")
    build = load_artifacts(folder)
    with pytest.raises(ToolchainError, match="prefix"):
        build.register(chain)
    build.register(chain, prefix="my/")
    pool = chain.deploy("my/LendingPool")
    assert chain.call(pool.functions.x()) == 1


def test_duplicate_names_are_qualified_by_source(compiled: ArtifactSet, tmp_path: Path) -> None:
    out = _foundry(compiled, tmp_path)
    (out / "Other.sol").mkdir()
    (out / "Other.sol" / "FeeMath.json").write_text((out / "UserVault.sol" / "FeeMath.json").read_text()
                                                   .replace("src/UserVault.sol", "src/Other.sol"))
    loaded = load_artifacts(out)
    assert "src/Other.sol:FeeMath" in loaded.names() and "src/UserVault.sol:FeeMath" in loaded.names()
    with pytest.raises(ToolchainError, match="2 contracts are named FeeMath"):
        loaded.get("FeeMath")


def test_folders_that_hold_no_build(tmp_path: Path) -> None:
    with pytest.raises(ToolchainError, match="no such folder"):
        load_artifacts(tmp_path / "missing")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.json").write_text('{"hello": 1}')
    with pytest.raises(ToolchainError, match="no compiled contracts and no .sol sources"):
        load_artifacts(tmp_path / "notes")
