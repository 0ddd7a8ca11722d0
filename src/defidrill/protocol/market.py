"""The market around any lending protocol: tokens, Chainlink-style feeds, the AMM, the sequencer feed.

Every adapter's protocol sits on the same market, so the same drill drives the same
prices, AMM pairs and oracle failures whichever protocol it crashes. Order (each step
one JSON-RPC batch; dependent transactions carry an explicit gas limit so anvil does not
estimate them against a state the batch has not reached): tokens, feeds, factory,
sequencer -> router, pairs (and TWAP oracles when the config prices by them) -> initial
rounds and liquidity; the lender is minted the base it will supply to the protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from web3.contract.contract import ContractFunction

from defidrill.chain import ChainAPI, Deployed, TxRequest
from defidrill.chain.deal import deal_more
from defidrill.errors import ChainError
from defidrill.protocol_terms.amounts import feed_bounds_raw, price_to_answer_half_even, usd_to_raw_half_even
from defidrill.protocol_terms.parameters import (
    FallbackKind,
    OracleMode,
    ProtocolSpec,
)

#: Gas for a transaction sent in a batch behind the one it depends on (never estimated).
BATCH_TX_GAS = 3_000_000
DEPLOY_GAS = 12_000_000


@dataclass(kw_only=True)
class Market:
    """Handles of the market's contracts, by role."""

    config: ProtocolSpec
    deployer: str
    base: Deployed
    tokens: dict[str, Deployed]  # symbol -> token, base included
    factory: Deployed
    router: Deployed
    pairs: dict[str, Deployed]  # collateral symbol -> its /base pair
    feeds: dict[str, Deployed]  # symbol -> Chainlink-style feed, base included
    fallback_feeds: dict[str, Deployed]
    twaps: dict[str, Deployed]
    sequencer: Deployed
    liquidity_provider: str
    lender: str
    pair_token0: dict[str, str] = field(default_factory=dict)  # collateral symbol -> its pair's token0
    extra: dict[str, Deployed] = field(default_factory=dict)
    #: The tokens are the chain's own (a fork): funded by writing balances, never minted.
    forked: bool = False
    #: Fork mode: symbol -> [whale, what it still holds for us]; the whale approved the deployer.
    whales: dict[str, list[Any]] = field(default_factory=dict)

    def fund(self, chain: ChainAPI, symbol: str, to: str, amount_raw: int) -> list[ContractFunction]:
        """The calls that give ``to`` ``amount_raw`` more of ``symbol``, sent by the deployer: a mint of
        our own token; on a fork, a ``transferFrom`` out of the symbol's whale when the drill names one,
        else nothing to send (the balance is dealt now, by storage write)."""
        token = self.tokens[symbol]
        if not self.forked:
            return [token.functions.mint(to, amount_raw)]
        if symbol in self.whales:
            whale, left_raw = self.whales[symbol]
            if amount_raw > left_raw:
                raise ChainError(f"whale {whale} holds {left_raw} raw {symbol} still unspent; the drill needs "
                                 f"{amount_raw} more (chain.whales.{symbol}: a larger holder, or leave it out to deal)")
            self.whales[symbol][1] = left_raw - amount_raw
            return [token.functions.transferFrom(whale, to, amount_raw)]
        deal_more(chain, token.address, to, amount_raw)
        return []

    @property
    def collateral_symbols(self) -> list[str]:
        return list(self.config.collaterals)

    def lender_supply_raw(self) -> int:
        return usd_to_raw_half_even(self.config.lender_supply_usd, self.config.base.price_usd, self.config.base.decimals)

    def named_contracts(self) -> dict[str, Deployed]:
        """The names `defidrill chain up` prints (stable: users script against them)."""
        base = self.config.base.symbol
        named: dict[str, Deployed] = {sym: tok for sym, tok in self.tokens.items()}
        named["AMM_FACTORY"] = self.factory
        named["AMM_ROUTER"] = self.router
        for sym, pair in self.pairs.items():
            named[f"PAIR_{sym}_{base}"] = pair
        for sym, feed in self.feeds.items():
            named[f"FEED_{sym}_USD"] = feed
        for sym, feed in self.fallback_feeds.items():
            named[f"FALLBACK_FEED_{sym}_USD"] = feed
        for sym, twap in self.twaps.items():
            named[f"TWAP_{sym}_{base}"] = twap
        named["SEQUENCER_FEED"] = self.sequencer
        named.update(self.extra)
        return named

    def with_config(self, config: ProtocolSpec) -> Market:
        """This market described by ``config`` (an adapter deploys on the drill's translated parameters)."""
        return self if self.config == config else replace(self, config=config)


def deploy_market(chain: ChainAPI, config: ProtocolSpec, *, liquidity_provider: str | None = None,
                  lender: str | None = None) -> Market:
    """Deploy tokens, feeds (with their first rounds), the sequencer feed and the AMM with its liquidity."""
    me = chain.deployer
    base_sym = config.base.symbol
    symbols = [base_sym, *config.collaterals]
    specs = {sym: config.asset(sym) for sym in symbols}
    first: list[tuple[str, list[Any]]] = [("MintableERC20", [_token_name(sym), sym, specs[sym].decimals]) for sym in symbols]
    first += feed_deployments(config, symbols, me)
    fallback = config.oracle.fallback is FallbackKind.FEED
    if fallback:
        first += feed_deployments(config, symbols, me, fallback=True)
    first += [("AmmFactory", [me]), ("SequencerUptimeFeed", [me, False])]
    handles = chain.deploy_many(first, gas=DEPLOY_GAS)
    n = len(symbols)
    tokens = dict(zip(symbols, handles[:n]))
    feeds = dict(zip(symbols, handles[n : 2 * n]))
    fallback_feeds = dict(zip(symbols, handles[2 * n : 3 * n])) if fallback else {}
    factory, sequencer = handles[-2:]
    return open_market(chain, config, tokens=tokens, feeds=feeds, fallback_feeds=fallback_feeds, factory=factory,
                       sequencer=sequencer, liquidity_provider=liquidity_provider, lender=lender)


def feed_deployments(config: ProtocolSpec, symbols: list[str], owner: str, *,
                     fallback: bool = False) -> list[tuple[str, list[Any]]]:
    """One ChainlinkFeed per symbol with the drill's decimals and answer bounds, ``owner`` its transmitter."""
    out: list[tuple[str, list[Any]]] = []
    for sym in symbols:
        spec = config.asset(sym)
        low, high = feed_bounds_raw(spec.min_answer_usd, spec.max_answer_usd, spec.feed_decimals)
        label = f"{sym} / USD (fallback)" if fallback else f"{sym} / USD"
        out.append(("ChainlinkFeed", [spec.feed_decimals, label, low, high, owner]))
    return out


def open_market(chain: ChainAPI, config: ProtocolSpec, *, tokens: dict[str, Deployed], feeds: dict[str, Deployed],
                fallback_feeds: dict[str, Deployed], factory: Deployed, sequencer: Deployed,
                liquidity_provider: str | None = None, lender: str | None = None, forked: bool = False,
                whales: dict[str, list[Any]] | None = None) -> Market:
    """The AMM over ``tokens`` (router, pairs, TWAP oracles when the config prices by them), each feed's
    first round at the drill's start price, the pairs' liquidity and the lender's base: shared by a
    fresh market and one around a forked protocol (``forked``: funded by storage writes or ``whales``)."""
    me = chain.deployer
    lp = liquidity_provider or chain.accounts[1]
    lender = lender or chain.accounts[2]
    base_sym = config.base.symbol
    symbols = [base_sym, *config.collaterals]
    specs = {sym: config.asset(sym) for sym in symbols}
    base = tokens[base_sym]

    [router] = chain.deploy_many([("AmmRouter", [factory.address])], gas=DEPLOY_GAS)
    chain.send_many([chain.tx(factory.functions.createPair(tokens[s].address, base.address), gas=BATCH_TX_GAS)
                     for s in config.collaterals])
    pair_addresses = chain.call_many([factory.functions.getPair(tokens[s].address, base.address) for s in config.collaterals])
    pairs = {s: chain.at("AmmPair", a) for s, a in zip(config.collaterals, pair_addresses)}
    pair_token0 = dict(zip(pairs, chain.call_many([pair.functions.token0() for pair in pairs.values()])))

    twaps: dict[str, Deployed] = {}
    if config.oracle.mode is OracleMode.TWAP or config.oracle.fallback is FallbackKind.TWAP:
        twap_handles = chain.deploy_many([
            # TwapOracle's "base token" is the token it prices (the collateral); the pair's other side is the quote.
            ("TwapOracle", [pairs[s].address, tokens[s].address, config.oracle.twap_window_s, config.oracle.twap_granularity])
            for s in config.collaterals
        ], gas=DEPLOY_GAS)
        twaps = dict(zip(config.collaterals, twap_handles))

    market = Market(config=config, deployer=me, base=base, tokens=tokens, factory=factory, router=router, pairs=pairs,
                    feeds=feeds, fallback_feeds=fallback_feeds, twaps=twaps, sequencer=sequencer,
                    liquidity_provider=lp, lender=lender, pair_token0=pair_token0, forked=forked, whales=whales or {})
    txs: list[TxRequest] = []
    for sym in symbols:
        answer = price_to_answer_half_even(specs[sym].price_usd, specs[sym].feed_decimals)
        txs.append(chain.tx(feeds[sym].functions.transmit(answer), gas=BATCH_TX_GAS))
        if sym in fallback_feeds:
            txs.append(chain.tx(fallback_feeds[sym].functions.transmit(answer), gas=BATCH_TX_GAS))
    for sym, pair in pairs.items():
        usd_per_side = config.pair_liquidity_usd.get(sym, 0.0) / 2
        if usd_per_side <= 0:
            continue
        amount_asset = usd_to_raw_half_even(usd_per_side, specs[sym].price_usd, specs[sym].decimals)
        amount_base = usd_to_raw_half_even(usd_per_side, config.base.price_usd, config.base.decimals)
        funding = [*market.fund(chain, sym, pair.address, amount_asset), *market.fund(chain, base_sym, pair.address, amount_base)]
        txs += [chain.tx(fn, gas=BATCH_TX_GAS) for fn in [*funding, pair.functions.mint(lp)]]
    supply_raw = market.lender_supply_raw()
    if supply_raw > 0:
        txs += [chain.tx(fn, gas=BATCH_TX_GAS) for fn in market.fund(chain, base_sym, lender, supply_raw)]
    chain.send_many(txs)
    if twaps:
        warm_up_twaps(chain, list(twaps.values()), config.oracle.twap_window_s, config.oracle.twap_granularity,
                      end_timestamp=chain.timestamp() + config.oracle.twap_window_s + 60)
        # The warm-up aged the feeds' first rounds by a window: report the same prices again.
        chain.send_many([chain.tx(feed.functions.transmit(price_to_answer_half_even(specs[sym].price_usd,
                                                                                    specs[sym].feed_decimals)),
                                  gas=BATCH_TX_GAS)
                         for group in (feeds, fallback_feeds) for sym, feed in group.items()])
    return market


def warm_up_twaps(chain: ChainAPI, twaps: list[Deployed], window_s: int, granularity: int, *, end_timestamp: int) -> None:
    """Record a full window of TWAP observations, one per period, the last at ``end_timestamp``.

    A TwapOracle averages from its newest observation at least one window old (and refuses
    history older than two windows), so a pool priced by it needs a window of history before
    the first borrow and again before a drill's first step.
    """
    period = max(1, window_s // granularity)
    first = end_timestamp - period * granularity
    if first <= chain.timestamp():
        raise ValueError(f"TWAP warm-up must start after the latest block (first observation at {first})")
    for k in range(granularity + 1):
        chain.set_next_timestamp(first + k * period)
        chain.send_many([chain.tx(t.functions.update(), gas=BATCH_TX_GAS, label="twap warm-up") for t in twaps])


def _token_name(symbol: str) -> str:
    return {"WBTC": "Wrapped BTC", "WETH": "Wrapped Ether", "USDC": "USD Coin"}.get(symbol, symbol)
