"""The market around a protocol already on the chain (fork mode): its tokens, its feeds taken over.

On a fresh chain the engine deploys the tokens and feeds a protocol reads
(``market.deploy_market``). On a fork the protocol has its own: the drill's assets are its
tokens (matched by the adapter's ``discover``), and the feeds it reads are put under drill
control where they stand (``protocol.feeds.take_over_feed``: same address, decimals and round
ids), so every failure kind of the engine drives the protocol's real price path. What the
engine adds beside them is ours as on a fresh chain: the AMM pairs and their TWAP oracles, a
fallback feed when a drill asks for one, the sequencer uptime feed when the protocol has none.
Balances are dealt (storage writes: ``chain.deal``), never minted, or, for a token the drill
names a whale for (``chain.whales``), moved out of that holder's balance: ``Market.fund``.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

from defidrill.chain import ChainAPI, Deployed, TxRequest
from defidrill.chain.abi_registry import checksum
from defidrill.protocol.adapter import ForkedProtocol
from defidrill.protocol.amounts import feed_bounds_raw
from defidrill.protocol.config import FallbackKind, ProtocolConfig
from defidrill.protocol.feeds import take_over_feed
from defidrill.protocol.feeds.takeover import check_aggregator, take_over_sequencer
from defidrill.protocol.market import BATCH_TX_GAS, DEPLOY_GAS, Market, feed_deployments, open_market


#: ETH given to each whale for its approval.
WHALE_GAS_WEI = 10**18


@dataclass(frozen=True)
class ForkedUnits:
    """The decimals the forked tokens and feeds state: the drill's amounts are converted with these."""

    token_decimals: dict[str, int]
    feed_decimals: dict[str, int]


def forked_units(chain: ChainAPI, found: ForkedProtocol) -> ForkedUnits:
    """Read each matched token's ``decimals()`` and each price source's (checked as an AggregatorV3)."""
    symbols = list(found.tokens)
    decimals = chain.call_many([chain.at("MintableERC20", found.tokens[s]).functions.decimals() for s in symbols])
    feeds = {s: check_aggregator(chain, found.price_sources[s], where=f"protocol.address ({s} price source)").decimals
             for s in symbols}
    return ForkedUnits(dict(zip(symbols, (int(d) for d in decimals))), feeds)


def attach_market(chain: ChainAPI, config: ProtocolConfig, found: ForkedProtocol, *, whales: Mapping[str, str] | None = None,
                  liquidity_provider: str | None = None, lender: str | None = None) -> Market:
    """Take over the protocol's feeds, deploy our AMM over its tokens and fund it (see the module doc).
    ``whales``: symbol -> a holder (impersonated: anvil) that approves the deployer and funds the agents."""
    me = chain.deployer
    symbols = [config.base.symbol, *config.collaterals]
    tokens = {s: chain.at("MintableERC20", found.tokens[s]) for s in symbols}
    funds = _approve_whales(chain, tokens, whales or {})
    feeds: dict[str, Deployed] = {}
    bounds: list[TxRequest] = []
    for sym in symbols:
        taken = take_over_feed(chain, found.price_sources[sym], controller=me, where=f"protocol.address ({sym} price source)")
        feeds[sym] = taken.handle
        spec = config.asset(sym)
        if spec.min_answer_usd is not None or spec.max_answer_usd is not None:
            # The drill states the feed's answer bounds: they replace the original aggregator's.
            low, high = feed_bounds_raw(spec.min_answer_usd, spec.max_answer_usd, spec.feed_decimals)
            bounds.append(chain.tx(taken.handle.functions.setBounds(low, high), gas=BATCH_TX_GAS, label=f"bounds {sym}"))
    deploys: list[tuple[str, list[Any]]] = [("AmmFactory", [me])]
    fallback = config.oracle.fallback is FallbackKind.FEED
    if fallback:
        deploys = [*feed_deployments(config, symbols, me, fallback=True), *deploys]
    if found.sequencer_feed is None:
        deploys.append(("SequencerUptimeFeed", [me, False]))
    handles = chain.deploy_many(deploys, gas=DEPLOY_GAS)
    fallback_feeds = dict(zip(symbols, handles)) if fallback else {}
    factory = handles[len(symbols) if fallback else 0]
    if found.sequencer_feed is None:
        sequencer = handles[-1]
    else:
        sequencer = take_over_sequencer(chain, found.sequencer_feed, controller=me,
                                        where="protocol.address (sequencer uptime feed)").handle
    if bounds:
        chain.send_many(bounds)
    return open_market(chain, config, tokens=tokens, feeds=feeds, fallback_feeds=fallback_feeds, factory=factory,
                       sequencer=sequencer, liquidity_provider=liquidity_provider, lender=lender, forked=True,
                       whales=funds)


def _approve_whales(chain: ChainAPI, tokens: dict[str, Deployed], whales: Mapping[str, str]) -> dict[str, list[Any]]:
    """Each whale (given ETH for gas) approves the deployer; its balance is what the drill may spend."""
    out: dict[str, list[Any]] = {}
    txs = []
    for sym, whale in whales.items():
        if sym not in tokens:
            continue  # a market asset the protocol does not list: nothing of ours to fund with it
        whale = checksum(whale)
        chain.set_balance(whale, chain.balance(whale) + WHALE_GAS_WEI)
        out[sym] = [whale, int(chain.call(tokens[sym].functions.balanceOf(whale)))]
        txs.append(chain.tx(tokens[sym].functions.approve(chain.deployer, 2**256 - 1), sender=whale, gas=BATCH_TX_GAS,
                            label=f"whale approves the funder ({sym})"))
    if txs:
        chain.send_many(txs)
    return out
