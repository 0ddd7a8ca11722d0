"""Session-wide fixtures: one anvil for the whole session, one snapshot per test.

titanoboa and ape isolate tests the same way: ``evm_snapshot`` before, ``evm_revert``
after, so no test sees another's state.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from defidrill.chain import AnvilConfig, Chain
from defidrill.toolchain import Artifacts, compile_project


@pytest.fixture(scope="session")
def artifacts() -> Artifacts:
    return compile_project()


@pytest.fixture(scope="session")
def session_chain(artifacts: Artifacts) -> Iterator[Chain]:
    with Chain.launch(AnvilConfig(gas_limit=60_000_000), artifacts) as chain:
        yield chain


@pytest.fixture
def chain(session_chain: Chain) -> Iterator[Chain]:
    with session_chain.isolated():
        yield session_chain


@pytest.fixture
def accounts(chain: Chain) -> list[str]:
    return chain.accounts


@pytest.fixture
def deployer(chain: Chain) -> str:
    return chain.deployer
