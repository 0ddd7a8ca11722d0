"""Fork mode's drill keys: what each one needs, refused with the key, the value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from defidrill.drill import parse_drill
from defidrill.errors import ConfigError
from defidrill.protocol.aave_v3.adapter import AaveV3Adapter
from defidrill.protocol.adapter import ForkedProtocol, LendingAdapter
from defidrill.protocol.reference.adapter import ReferenceAdapter

PROVIDER = "0x" + "ab" * 20


def drill(chain: dict[str, Any], protocol: dict[str, Any]) -> Any:
    return parse_drill({"chain": chain, "market": {"assets": {"WETH": 3000, "USDC": 1}},
                        "protocol": {"kind": "aave-v3", **protocol}, "amm": {"pairs": {"WETH/USDC": "1M"}}})


def refusal(chain: dict[str, Any], protocol: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        drill(chain, protocol)
    return str(info.value)


def test_a_fork_drill_with_a_pinned_block_and_an_address_validates() -> None:
    d = drill({"fork_url": "http://127.0.0.1:8545", "fork_block": 17}, {"address": PROVIDER})
    assert (d.chain.fork_url, d.chain.fork_block, d.protocol.address) == ("http://127.0.0.1:8545", 17, PROVIDER)


@pytest.mark.parametrize(("chain", "protocol", "words"), [
    ({"fork_block": 17}, {}, ["chain.fork_block", "a fork block without a fork URL"]),
    ({}, {"address": PROVIDER}, ["protocol.address", "needs a chain to find it on"]),
    ({"fork_url": "http://x:1", "backend": "revm"}, {}, ["chain.backend", "fork mode needs the anvil backend"]),
    ({"fork_url": "http://x:1"}, {"kind": "reference", "address": PROVIDER}, ["protocol.kind", "cannot attach"]),
    ({"fork_url": "localhost:8545"}, {}, ["chain.fork_url"]),
    ({"fork_url": "http://x:1"}, {"address": "0x1234"}, ["protocol.address"]),
    ({"fork_url": "http://x:1", "fork_block": -1}, {}, ["chain.fork_block"]),
])
def test_fork_mistakes_name_the_key(chain: dict[str, Any], protocol: dict[str, Any], words: list[str]) -> None:
    text = refusal(chain, protocol)
    for word in words:
        assert word in text, text


def test_an_adapter_attaches_only_when_it_implements_discover_and_attach() -> None:
    assert AaveV3Adapter.attaches()
    assert not ReferenceAdapter.attaches()

    class HalfDone(ReferenceAdapter):
        @classmethod
        def discover(cls, chain: Any, address: str, symbols: Any) -> ForkedProtocol:
            return ForkedProtocol(address, {}, {}, None)

    class Whole(HalfDone):
        @classmethod
        def attach(cls, chain: Any, market: Any, config: Any, found: ForkedProtocol) -> LendingAdapter:
            raise AssertionError

    assert not HalfDone.attaches() and Whole.attaches()
    with pytest.raises(ConfigError, match="cannot attach to a deployed protocol"):
        ReferenceAdapter.discover(None, PROVIDER, ["USDC"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="kind reference cannot attach to a deployed protocol"):
        ReferenceAdapter.attach(None, None, None, ForkedProtocol(PROVIDER, {}, {}, None))  # type: ignore[arg-type]


def test_whales_need_a_fork_and_a_market_asset() -> None:
    text = refusal({"whales": {"USDC": PROVIDER, "DAI": PROVIDER}}, {})
    assert "chain.whales.USDC" in text and "whales fund agents on a fork only" in text
    assert "chain.whales.DAI" in text and "unknown asset" in text


def test_an_unquoted_yaml_address_keeps_its_forty_digits() -> None:
    """YAML 1.1 reads 0x... as an integer: 0x000000000000000000000000000000000000dEaD must not become 0xdead."""
    doc = yaml.safe_load("address: 0x000000000000000000000000000000000000dEaD\nwhale: 0x2f39d218133AFaB8F2B819B1066c7E434Ad94E9e")
    d = drill({"fork_url": "http://x:1", "whales": {"USDC": doc["whale"]}}, {"address": doc["address"]})
    assert d.protocol.address == "0x000000000000000000000000000000000000dead"
    assert d.chain.whales["USDC"] == "0x2f39d218133afab8f2b819b1066c7e434ad94e9e"
    assert "protocol.address" in refusal({"fork_url": "http://x:1"}, {"address": 2**160})
