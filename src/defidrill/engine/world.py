"""Build a drill's world on chain: the protocol from the drill file, then the population.

Seeding order (each a block of one JSON-RPC batch):
1. deploy and wire the protocol (``defidrill.protocol.reference.deploy``), lenders supply base;
2. fund every agent with ETH for gas;
3. the funder (deployer) turns the guard's sequencer rule off (with a ``sequencer_down``
   failure: the grace period after the uptime feed's deployment would refuse every price)
   and lifts each collateral's LTV to just under its liquidation threshold, deposits every
   borrower's collateral for them, mints keepers' capital and the arbitrageur's inventory;
4. borrowers borrow; agents approve the pool and the router;
5. the funder restores the drill's LTVs and the sequencer rule.
On a fork with ``borrowers: {from: protocol}`` the protocol's own borrowers join the population after
attach (``engine.forked_book``): scanned and liquidated like the seeded ones, never funded or opened.
Step 3's temporary LTV is how a population starts below LT/LTV (a health factor of
1.02 at 78%/70% WBTC parameters cannot be borrowed into, only drifted into): it models
positions opened at higher prices. Documented in docs/drills.md ("How the world is seeded").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from defidrill.chain import ChainAPI, Receipt, TxRequest
from defidrill.drill.actions import SpotManipulation
from defidrill.engine.agents.pricing import base_in_for
from defidrill.engine.forked_book import BookReport, forked_book
from defidrill.drill.paths import MarketPath
from defidrill.drill.population import BorrowerPlan, agent_address, population
from defidrill.drill.protocol_spec import pair_symbol, protocol_spec
from defidrill.drill.schema import Drill
from defidrill.errors import ChainError
from defidrill.protocol_terms.amounts import usd_to_raw_half_even
from defidrill.protocol.adapter import ForkedProtocol, LendingAdapter, LendingMarkets, SeedPosition
from defidrill.protocol.adapter_kit import expect_ok
from defidrill.protocol.forked_market import attach_market, forked_units
from defidrill.protocol.market import BATCH_TX_GAS, Market, deploy_market
from defidrill.protocol.registry import adapter_class

MAX_UINT = 2**256 - 1
AGENT_ETH_WEI = 1_000 * 10**18
#: Arbitrage desk inventory, in multiples of its per-step capacity (it may trade every step).
ARB_INVENTORY_STEPS = 400


@dataclass
class World:
    drill: Drill
    path: MarketPath
    market: Market
    lending: LendingAdapter
    markets: LendingMarkets  # the lending protocol's assets and risk parameters, as it states them
    borrowers: list[BorrowerPlan]
    funder: str
    keepers: dict[str, str]  # keeper name -> address
    arbitrageur: str
    attacker: str
    manipulator: str | None = None  # SpotManipulator contract (the attacker's pool account)
    lp_tokens_initial: dict[str, int] = field(default_factory=dict)  # pair symbol -> LP balance at start
    seed_receipts: int = 0
    forked: ForkedProtocol | None = None  # fork mode: the protocol attached to (None: deployed fresh)
    book: BookReport | None = None  # borrowers: {from: protocol}: how the forked book was found

    @property
    def accounts(self) -> list[str]:
        """Every account that may hold a position in the pool (scanned each step): seeded, then forked."""
        return [b.address for b in self.borrowers] + ([self.manipulator] if self.manipulator else [])


def build_world(chain: ChainAPI, drill: Drill, path: MarketPath) -> World:
    """Deploy the market and the protocol, seed every agent; automine is off when this returns."""
    fork_block = chain.block_number()  # before attaching: the forked book is discovered up to here
    borrowers = population(drill, path)
    debt_usd = sum(b.debt_usd for b in borrowers)
    adapter_type = adapter_class(drill.protocol.kind, drill.protocol.adapter)
    chain.registry.add_numeric_codes(adapter_type.error_codes())  # named in decoded reverts and events
    forked: ForkedProtocol | None = None
    if drill.protocol.address is not None:  # fork mode: the protocol is on the chain already
        forked = adapter_type.discover(chain, drill.protocol.address, [drill.protocol.base_asset, *drill.collateral])
        config = protocol_spec(drill, path, debt_usd, forked_units(chain, forked))
        market = attach_market(chain, config, forked, whales=drill.chain.whales)
        lending = adapter_type.attach(chain, market, config, forked)
    else:
        config = protocol_spec(drill, path, debt_usd)
        market = deploy_market(chain, config)
        lending = adapter_type.deploy(chain, market, config)
    funder = chain.deployer
    keepers = {k.name: agent_address(f"keeper:{k.name}") for k in drill.keepers}
    arbitrageur = agent_address("arbitrageur")
    attacker = agent_address("attacker")
    world = World(drill, path, market, lending, lending.markets(), borrowers, funder, keepers, arbitrageur, attacker,
                  forked=forked)
    if forked is not None and drill.borrowers.from_protocol:  # the real book: read, never funded nor opened
        book, world.book = forked_book(chain, drill, path, lending, world.markets, fork_block, borrowers)
        world.borrowers = [*borrowers, *book]

    chain.set_balances({a: AGENT_ETH_WEI for a in [*keepers.values(), arbitrageur, attacker, market.liquidity_provider,
                                                   *(b.address for b in borrowers)]})
    chain.set_automine(False)
    base = market.base
    txs: list[TxRequest] = []

    def tx(fn, sender: str = funder, label: str = "") -> TxRequest:  # type: ignore[no-untyped-def]
        return chain.tx(fn, sender=sender, gas=BATCH_TX_GAS, label=label, agent="setup")

    # 3. Funder: collateral for borrowers, capital, inventory.
    need: dict[str, int] = {}
    positions: list[SeedPosition] = []
    for b in borrowers:
        spec = config.asset(b.collateral)
        raw = usd_to_raw_half_even(b.collateral_usd, spec.price_usd, spec.decimals)
        debt_raw = usd_to_raw_half_even(b.debt_usd, config.base.price_usd, config.base.decimals)
        positions.append(SeedPosition(b.address, b.collateral, raw, debt_raw, f"borrower:{b.index}"))
        need[b.collateral] = need.get(b.collateral, 0) + raw
    def fund(sym: str, to: str, raw: int, label: str) -> None:
        txs.extend(tx(fn, label=label) for fn in market.fund(chain, sym, to, raw))

    for sym, raw in need.items():
        fund(sym, funder, raw, f"mint {sym} for borrowers' collateral")
    base_sym = config.base.symbol
    for k in drill.keepers:
        if k.mode == "capital" and k.capital_usd > 0:
            fund(base_sym, keepers[k.name], usd_to_raw_half_even(k.capital_usd, config.base.price_usd, config.base.decimals),
                 f"mint keeper:{k.name} capital")
    if drill.arbitrage.enabled:
        inventory_usd = drill.arbitrage.capacity_usd_per_step * ARB_INVENTORY_STEPS
        for sym in market.pairs:
            spec = config.asset(sym)
            inventory_raw = usd_to_raw_half_even(inventory_usd, spec.price_usd, spec.decimals)
            fund(sym, arbitrageur, inventory_raw, f"mint arbitrageur {sym} inventory")
        fund(base_sym, arbitrageur, usd_to_raw_half_even(inventory_usd * len(market.pairs), config.base.price_usd,
                                                         config.base.decimals), "mint arbitrageur base inventory")
    attacks = [f for f in drill.failures if f.kind == "spot_manipulation"]
    if attacks:
        capital_raw = 0
        base_spec = config.base
        for f in attacks:
            sym = pair_symbol(drill, f.pair)
            base_reserve_raw = usd_to_raw_half_even(config.pair_liquidity_usd.get(sym, 0.0) / 2, base_spec.price_usd,
                                                    base_spec.decimals)
            action = SpotManipulation(f.pair, f.size_usd, f.target_multiplier, None)
            capital_raw += base_in_for(action, base_reserve_raw, base_spec.price_usd, base_spec.decimals)
        # Twice the planned size: LP withdrawals or arbitrage before the attack change the reserves.
        fund(base_sym, attacker, 2 * capital_raw + 1, "mint attacker capital")
    expect_ok(chain, txs, chain.send_block(txs), "seeding (funder)")
    if attacks:
        [receipt] = chain.send_block([chain.deploy_tx("SpotManipulator", sender=attacker, gas=3_000_000)])
        if not isinstance(receipt, Receipt) or not receipt.ok or receipt.contract_address is None:
            raise ChainError(f"seeding: the SpotManipulator deployment failed: {receipt}")
        world.manipulator = receipt.contract_address

    # 4. The protocol opens every position.
    lending.open_positions(chain, funder, positions)

    # 5. Agents approve the protocol and the router.
    txs = []
    for agent in [*keepers.values(), arbitrageur, attacker]:
        for token in market.tokens.values():
            txs.append(tx(token.functions.approve(lending.spender, MAX_UINT), sender=agent))
            txs.append(tx(token.functions.approve(market.router.address, MAX_UINT), sender=agent))
    if world.manipulator:
        txs.append(tx(base.functions.approve(world.manipulator, MAX_UINT), sender=attacker))
    expect_ok(chain, txs, chain.send_block(txs), "seeding (approvals)")
    world.lp_tokens_initial = {
        sym: chain.call(pair.functions.balanceOf(market.liquidity_provider)) for sym, pair in market.pairs.items()
    }
    return world
