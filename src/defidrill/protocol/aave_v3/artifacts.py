"""Genuine Aave V3 from the pinned npm package ``@aave/core-v3`` (1.19.3, BUSL-1.1): artifacts and error codes.

Nothing of Aave's is copied into the repository: the Hardhat artifacts (creation code,
ABIs, link references) and ``Errors.sol`` are read from ``node_modules`` at run time.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from defidrill.errors import ToolchainError
from defidrill.toolchain.npm_artifacts import LinkableArtifact, load_hardhat_artifacts, package_dir, package_version

PACKAGE = "@aave/core-v3"
VERSION = "1.19.3"

#: External libraries, in deploy order (FlashLoanLogic links BorrowLogic; PoolConfigurator links ConfiguratorLogic).
LIBRARIES = ["BorrowLogic", "BridgeLogic", "ConfiguratorLogic", "EModeLogic", "LiquidationLogic", "PoolLogic",
             "SupplyLogic", "FlashLoanLogic"]
CONTRACTS = ["PoolAddressesProvider", "ACLManager", "Pool", "PoolConfigurator", "AaveOracle", "AaveProtocolDataProvider",
             "AToken", "StableDebtToken", "VariableDebtToken", "DefaultReserveInterestRateStrategy",
             "PriceOracleSentinel"]


#: Prefix of Aave's contracts on a Chain (``aave-v3/Pool``): Aave's LiquidationLogic would clash with ours.
PREFIX = "aave-v3/"


def qualified(name: str) -> str:
    """The name an Aave contract has on a Chain: ``chain.at(qualified("Pool"), address)``."""
    return PREFIX + name


@functools.lru_cache(maxsize=1)
def aave_artifacts() -> dict[str, LinkableArtifact]:
    """Every Aave contract defidrill deploys (libraries included), checked to be the pinned version.
    Keyed by Aave's name; each artifact's ``name`` is ``qualified(name)``."""
    found = package_version(PACKAGE)
    if found != VERSION:
        raise ToolchainError(f"{PACKAGE} {found} is installed, defidrill is pinned to {VERSION}: run `npm ci`")
    loaded = load_hardhat_artifacts(PACKAGE, LIBRARIES + CONTRACTS)
    return {name: replace(artifact, name=qualified(name)) for name, artifact in loaded.items()}


_CODE_LINE = re.compile(r"string\s+public\s+constant\s+(\w+)\s*=\s*'(\d+)'")


@functools.lru_cache(maxsize=1)
def error_codes() -> dict[str, str]:
    """Aave's revert codes -> names, read from the installed package's ``Errors.sol`` ('45' ->
    'HEALTH_FACTOR_NOT_BELOW_THRESHOLD'). Aave V3 reverts with ``Error(string)`` carrying the code."""
    path = package_dir(PACKAGE) / "contracts" / "protocol" / "libraries" / "helpers" / "Errors.sol"
    codes = {code: name for name, code in _CODE_LINE.findall(path.read_text())}
    if not codes:
        raise ToolchainError(f"no error codes found in {path}")
    return codes
