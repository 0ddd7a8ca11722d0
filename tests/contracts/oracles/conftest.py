"""Fixtures shared by the oracle-family tests: feeds and tokens deployed on the session anvil."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

FEED_DECIMALS = 8
MIN_ANSWER_RAW = 10_000_000  # $0.10 at 8 decimals (LUNA/USD's floor)
MAX_ANSWER_RAW = 10**8 * 1_000_000  # $1,000,000 at 8 decimals


@pytest.fixture
def owner(chain: Any) -> str:
    return chain.accounts[0]


@pytest.fixture
def transmitter(chain: Any) -> str:
    return chain.accounts[1]


@pytest.fixture
def stranger(chain: Any) -> str:
    return chain.accounts[5]


@pytest.fixture
def feed(chain: Any, transmitter: str) -> Any:
    """An 8-decimals USD feed bounded to [$0.10, $1,000,000], transmitter = accounts[1]."""
    return chain.deploy(
        "ChainlinkFeed", FEED_DECIMALS, "WBTC / USD", MIN_ANSWER_RAW, MAX_ANSWER_RAW, transmitter
    )


@pytest.fixture
def push(chain: Any) -> Callable[..., Any]:
    """push(feed, answer_raw, transmitter, at_s=None): transmit, optionally in a block stamped `at_s`."""

    def _push(feed: Any, answer_raw: int, transmitter: str, at_s: int | None = None) -> Any:
        if at_s is not None:
            chain.set_next_timestamp(at_s)
        return chain.transact(feed.contract.functions.transmit(answer_raw), sender=transmitter)

    return _push
