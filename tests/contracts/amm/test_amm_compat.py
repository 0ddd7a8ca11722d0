"""Drop-in compatibility: the selectors and event topics of Uniswap V2 (literals from mainnet ABIs)."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from defidrill.chain.abi_registry import signature

PAIR_SELECTORS = {
    "022c0d9f": "swap", "0902f1ac": "getReserves", "6a627842": "mint", "89afcb44": "burn", "fff6cae9": "sync",
    "bc25cf77": "skim", "5909c0d5": "price0CumulativeLast", "5a3d5493": "price1CumulativeLast", "7464fc3d": "kLast",
    "ba9a7a56": "MINIMUM_LIQUIDITY", "0dfe1681": "token0", "d21220a7": "token1", "c45a0155": "factory",
    "a9059cbb": "transfer", "23b872dd": "transferFrom", "095ea7b3": "approve", "70a08231": "balanceOf",
    "18160ddd": "totalSupply",
}
FACTORY_SELECTORS = {"c9c65396": "createPair", "e6a43905": "getPair", "1e3dd18b": "allPairs",
                     "574f2ba3": "allPairsLength", "017e7e58": "feeTo"}
ROUTER_SELECTORS = {
    "38ed1739": "swapExactTokensForTokens", "8803dbee": "swapTokensForExactTokens", "e8e33700": "addLiquidity",
    "baa2abde": "removeLiquidity", "d06ca61f": "getAmountsOut", "1f00ca74": "getAmountsIn",
    "054d50d4": "getAmountOut", "85f8c259": "getAmountIn", "ad615dec": "quote",
}
EVENT_TOPICS = {
    "AmmPair": {"1c411e9a96e071241c2f21f7726b17ae89e3cab4c78be50e062b03a9fffbbad1": "Sync",
                "d78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822": "Swap"},
    "AmmFactory": {"0d3648bd0f6ba80134a33ba9275ac585d9d315f0ad8355cddefde31afa28d0e9": "PairCreated"},
}


def _selectors(abi, kind: str) -> dict[str, str]:
    out = {}
    for item in abi:
        if item["type"] == kind:
            digest = keccak(text=signature(item)).hex()
            out[digest[:8] if kind == "function" else digest] = item["name"]
    return out


@pytest.mark.parametrize(("name", "expected"), [("AmmPair", PAIR_SELECTORS), ("AmmFactory", FACTORY_SELECTORS),
                                                ("AmmRouter", ROUTER_SELECTORS)])
def test_functions_have_uniswap_v2_selectors(artifacts, name, expected):
    have = _selectors(artifacts.by_name[name].abi, "function")
    assert {k: have.get(k) for k in expected} == expected


@pytest.mark.parametrize("name", ["AmmPair", "AmmFactory"])
def test_events_have_uniswap_v2_topics(artifacts, name):
    have = _selectors(artifacts.by_name[name].abi, "event")
    assert {k: have.get(k) for k in EVENT_TOPICS[name]} == EVENT_TOPICS[name]


def test_pair_implements_every_function_and_event_of_the_shared_interface(artifacts):
    iface = artifacts.by_name["IUniswapV2Pair"].abi
    pair = artifacts.by_name["AmmPair"].abi
    assert {signature(i) for i in iface} <= {signature(i) for i in pair if "name" in i}
