"""Fixtures of tests/protocol/morpho_blue: one Morpho Blue deployment per module, a snapshot per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from defidrill.chain import ChainAPI
from defidrill.protocol.market import deploy_market
from defidrill.protocol.morpho_blue.adapter import MorphoBlueAdapter
from morpho_world import CONFIG, MorphoWorld


@pytest.fixture(scope="module")
def morpho_module(session_chain: ChainAPI) -> Iterator[MorphoWorld]:
    snapshot = session_chain.snapshot()
    market = deploy_market(session_chain, CONFIG)
    adapter = MorphoBlueAdapter.deploy(session_chain, market, CONFIG)
    try:
        yield MorphoWorld(session_chain, market, adapter)
    finally:
        session_chain.revert(snapshot)


@pytest.fixture
def morpho(morpho_module: MorphoWorld) -> Iterator[MorphoWorld]:
    with morpho_module.chain.isolated():
        yield morpho_module
