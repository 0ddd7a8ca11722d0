"""Fixtures for the periphery tests: the lending kit (shared with tests/contracts/lending) and an AMM pair."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The lending kit and formulas live with the lending tests; the periphery drives the same pool.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lending"))

from lending_kit import LendingKit  # noqa: E402

USDC = 10**6


@pytest.fixture
def kit(chain) -> LendingKit:
    kit = LendingKit.deploy(chain)
    kit.zero_rates()
    kit.supply(chain.accounts[9], 1_000_000 * USDC)
    return kit
