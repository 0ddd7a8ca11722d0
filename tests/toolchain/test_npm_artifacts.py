"""Hardhat artifacts from npm packages: loaded, linked at the offsets they list, refused when incomplete."""

from __future__ import annotations

import pytest

from defidrill.chain import Chain
from defidrill.errors import ChainError, ToolchainError
from defidrill.protocol.aave_v3.artifacts import aave_artifacts, error_codes
from defidrill.toolchain import Artifact
from defidrill.toolchain.npm_artifacts import load_hardhat_artifacts


def test_pool_links_seven_libraries_at_their_offsets() -> None:
    pool = aave_artifacts()["Pool"]
    assert pool.libraries == ["BorrowLogic", "BridgeLogic", "EModeLogic", "FlashLoanLogic", "LiquidationLogic",
                              "PoolLogic", "SupplyLogic"]
    addresses = {lib: "0x" + f"{i + 1:02x}" * 20 for i, lib in enumerate(pool.libraries)}
    code = bytes.fromhex(pool.linked(addresses).bytecode[2:])
    for i, lib in enumerate(pool.libraries):
        for start in pool.link_offsets[lib]:
            assert code[start : start + 20] == bytes([i + 1]) * 20
    assert b"__$" not in code and "$" not in pool.linked(addresses).bytecode


def test_missing_library_and_unknown_name_are_toolchain_errors() -> None:
    with pytest.raises(ToolchainError, match="FlashLoanLogic"):
        aave_artifacts()["Pool"].linked({"BorrowLogic": "0x" + "11" * 20})
    with pytest.raises(ToolchainError, match="no artifact named NoSuchContract"):
        load_hardhat_artifacts("@aave/core-v3", ["NoSuchContract"])
    with pytest.raises(ToolchainError, match="not installed"):
        load_hardhat_artifacts("@nobody/nothing", ["X"])


def test_error_codes_come_from_the_package() -> None:
    codes = error_codes()
    assert codes["45"] == "HEALTH_FACTOR_NOT_BELOW_THRESHOLD"
    assert codes["59"] == "PRICE_ORACLE_SENTINEL_CHECK_FAILED"


def test_chain_refuses_a_foreign_contract_named_like_ours(chain: Chain) -> None:
    ours = chain.artifacts.get("Lens")
    with pytest.raises(ChainError, match="the project has a contract of that name"):
        chain.register(Artifact(name="Lens", source="@x/y/Lens.sol", abi=ours.abi, bytecode=ours.bytecode))
