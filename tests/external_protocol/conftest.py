"""The Compound-style protocol deployed once per session over defidrill's market; a snapshot per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ctoken_kit import CTokenKit

from defidrill.chain import Chain


@pytest.fixture(scope="session")
def _ctoken_session(session_chain: Chain) -> CTokenKit:
    return CTokenKit.deploy(session_chain)


@pytest.fixture
def kit(_ctoken_session: CTokenKit, chain: Chain) -> Iterator[CTokenKit]:
    yield _ctoken_session


@pytest.fixture
def alice(chain: Chain) -> str:
    return chain.accounts[3]


@pytest.fixture
def keeper(chain: Chain) -> str:
    return chain.accounts[5]
