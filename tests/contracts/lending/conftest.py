"""Fixtures for the lending pool tests: a pool over USDC (6 decimals) with WBTC (8), WETH (18) and
STK6 (6) as collateral, prices from a FixedPriceOracle, and one lender with 1,000,000 USDC supplied."""

from __future__ import annotations

import pytest

from lending_kit import LendingKit

LENDER_SUPPLY_BASE = 1_000_000 * 10**6


@pytest.fixture
def kit(chain) -> LendingKit:
    kit = LendingKit.deploy(chain)
    kit.zero_rates()
    kit.supply(chain.accounts[9], LENDER_SUPPLY_BASE)
    return kit


@pytest.fixture
def alice(chain) -> str:
    return chain.accounts[1]


@pytest.fixture
def bob(chain) -> str:
    return chain.accounts[2]


@pytest.fixture
def keeper(chain) -> str:
    return chain.accounts[5]
