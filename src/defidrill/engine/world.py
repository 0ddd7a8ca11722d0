"""Build a drill's world on chain: the protocol from the drill file, then the population.

Seeding order (each a block of one JSON-RPC batch):
1. deploy and wire the protocol (``defidrill.protocol.deploy``), lenders supply base;
2. fund every agent with ETH for gas;
3. the funder (deployer) turns the guard's sequencer rule off (with a ``sequencer_down``
   failure: the grace period after the uptime feed's deployment would refuse every price)
   and lifts each collateral's LTV to just under its liquidation threshold, deposits every
   borrower's collateral for them, mints keepers' capital and the arbitrageur's inventory;
4. borrowers borrow; agents approve the pool and the router;
5. the funder restores the drill's LTVs and the sequencer rule.
Step 3's temporary LTV is how a population starts below LT/LTV (a health factor of
1.02 at 78%/70% WBTC parameters cannot be borrowed into, only drifted into): it models
positions opened at higher prices. Documented in the README.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from defidrill.chain import Chain, Receipt, TxRequest
from defidrill.drill.actions import SpotManipulation
from defidrill.engine.agents.pricing import base_in_for
from defidrill.drill.paths import MarketPath
from defidrill.drill.population import BorrowerPlan, agent_address, draw_population
from defidrill.drill.schema import Drill
from defidrill.errors import ChainError, ConfigError
from defidrill.protocol.amounts import to_raw, usd_to_raw
from defidrill.protocol.config import (
    AssetSpec,
    CollateralSpec,
    FallbackKind,
    OracleMode,
    OracleSpec,
    ProtocolConfig,
    RateModelSpec,
)
from defidrill.protocol.deploy import BATCH_TX_GAS, Protocol, deploy

WAD = 10**18
MAX_UINT = 2**256 - 1
ZERO_ADDRESS = "0x" + "0" * 40
AGENT_ETH_WEI = 1_000 * 10**18
#: Arbitrage desk inventory, in multiples of its per-step capacity (it may trade every step).
ARB_INVENTORY_STEPS = 400


@dataclass
class World:
    drill: Drill
    path: MarketPath
    protocol: Protocol
    borrowers: list[BorrowerPlan]
    funder: str
    keepers: dict[str, str]  # keeper name -> address
    arbitrageur: str
    attacker: str
    manipulator: str | None = None  # SpotManipulator contract (the attacker's pool account)
    lp_tokens_initial: dict[str, int] = field(default_factory=dict)  # pair symbol -> LP balance at start
    seed_receipts: int = 0

    @property
    def accounts(self) -> list[str]:
        """Every account that may hold a position in the pool (scanned each step)."""
        return [b.address for b in self.borrowers] + ([self.manipulator] if self.manipulator else [])


def pair_symbol(drill: Drill, pair_name: str) -> str:
    """`WBTC/USDC` -> `WBTC` (the non-base side)."""
    a, b = pair_name.split("/")
    return a if b == drill.protocol.base_asset else b


def protocol_config(drill: Drill, path: MarketPath, total_debt_usd: float) -> ProtocolConfig:
    """Translate the drill's `protocol:` and `amm:` sections into the protocol layer's config."""
    base = drill.protocol.base_asset
    start = {a: path.price_usd(a, 0) for a in drill.assets}

    def spec(sym: str, decimals: int) -> AssetSpec:
        fp = drill.feed_params(sym)
        return AssetSpec(symbol=sym, decimals=decimals, price_usd=start[sym], feed_decimals=fp.decimals,
                         min_answer_usd=fp.min_answer_usd, max_answer_usd=fp.max_answer_usd,
                         max_staleness_s=int(fp.max_staleness_s))

    collaterals = {}
    for sym, params in drill.collateral.items():
        cap_raw = 0
        if params.supply_cap_usd is not None:
            cap_raw = usd_to_raw(params.supply_cap_usd, start[sym], token_decimals(sym))
        collaterals[sym] = (
            spec(sym, token_decimals(sym)),
            CollateralSpec(ltv_bps=_bps(params.ltv), liquidation_threshold_bps=_bps(params.liquidation_threshold),
                           liquidation_bonus_bps=_bps(params.bonus), supply_cap_raw=cap_raw),
        )
    oracle = drill.protocol.oracle
    has_divergence = any(f.kind == "fallback_divergence" for f in drill.failures)
    has_sequencer = any(f.kind == "sequencer_down" for f in drill.failures)
    oracle_spec = OracleSpec(
        mode=OracleMode(oracle.mode),
        max_staleness_s=int(oracle.max_staleness_s),
        max_deviation_bps=min(65_535, _bps(oracle.max_jump)),
        fallback=FallbackKind.FEED if has_divergence else FallbackKind.NONE,
        sequencer=has_sequencer,
        grace_period_s=int(oracle.sequencer_grace_s),
        twap_window_s=int(oracle.twap_window_s),
    )
    interest = drill.protocol.interest
    for name, pair in drill.amm.pairs.items():
        if abs(pair.fee - 0.003) > 1e-12:
            raise ConfigError("the reference AMM is Uniswap V2: its fee is fixed at 0.3%", path=f"amm.pairs.{name}.fee",
                              value=f"{pair.fee:.4%}", allowed="0.3% (or leave fee out)")
    pairs = {pair_symbol(drill, name): float(p.liquidity_usd) for name, p in drill.amm.pairs.items()}
    supply = drill.protocol.base_supply_usd
    lender_supply = float(supply) if supply is not None else max(2.0 * total_debt_usd, 1_000_000.0)
    return ProtocolConfig(
        base=spec(base, token_decimals(base)),
        collaterals=collaterals,
        pair_liquidity_usd=pairs,
        lender_supply_usd=lender_supply,
        oracle=oracle_spec,
        close_factor_bps=_bps(drill.protocol.close_factor.default),
        full_close_below_hf_wad=int(round(drill.protocol.close_factor.full_below_hf * WAD)),
        rate_model=RateModelSpec(base_rate_wad=_wad(interest.base_rate), slope1_wad=_wad(interest.slope1),
                                 slope2_wad=_wad(interest.slope2), kink_wad=_wad(interest.kink)),
        reserve_factor_bps=_bps(interest.reserve_factor),
    )


def token_decimals(symbol: str) -> int:
    """Decimals of the drill's tokens: the real ones for known symbols, 18 otherwise."""
    return {"USDC": 6, "USDT": 6, "WBTC": 8, "DAI": 18, "WETH": 18}.get(symbol, 18)


def _bps(fraction: float) -> int:
    return int(round(fraction * 10_000))


def _wad(fraction: float) -> int:
    return int(round(fraction * WAD))


def build_world(chain: Chain, drill: Drill, path: MarketPath) -> World:
    """Deploy the protocol and seed every agent; automine is off when this returns."""
    borrowers = draw_population(drill)
    config = protocol_config(drill, path, sum(b.debt_usd for b in borrowers))
    protocol = deploy(chain, config)
    funder = chain.deployer
    keepers = {k.name: agent_address(f"keeper:{k.name}") for k in drill.keepers}
    arbitrageur = agent_address("arbitrageur")
    attacker = agent_address("attacker")
    world = World(drill, path, protocol, borrowers, funder, keepers, arbitrageur, attacker)

    chain.rpc.batch([("anvil_setBalance", [a, hex(AGENT_ETH_WEI)])
                     for a in [*keepers.values(), arbitrageur, attacker, protocol.liquidity_provider,
                               *(b.address for b in borrowers)]])
    chain.set_automine(False)
    pool = protocol.pool
    base_sym = config.base.symbol
    base = protocol.base
    txs: list[TxRequest] = []

    def tx(fn, sender: str = funder, label: str = "") -> TxRequest:  # type: ignore[no-untyped-def]
        return chain.tx(fn, sender=sender, gas=BATCH_TX_GAS, label=label, agent="setup")

    # 3. Funder: temporary LTVs, collateral for borrowers, capital, inventory.
    for sym, (spec, coll) in config.collaterals.items():
        txs.append(tx(pool.functions.listCollateral(protocol.tokens[sym].address, coll.liquidation_threshold_bps - 1,
                                                    coll.liquidation_threshold_bps, coll.liquidation_bonus_bps,
                                                    coll.supply_cap_raw)))
    need: dict[str, int] = {}
    deposits: list[tuple[BorrowerPlan, int]] = []
    for b in borrowers:
        spec = config.asset(b.collateral)
        raw = usd_to_raw(b.collateral_usd, spec.price_usd, spec.decimals)
        deposits.append((b, raw))
        need[b.collateral] = need.get(b.collateral, 0) + raw
    for sym, raw in need.items():
        txs.append(tx(protocol.tokens[sym].functions.mint(funder, raw)))
        txs.append(tx(protocol.tokens[sym].functions.approve(pool.address, MAX_UINT)))
    txs.append(tx(base.functions.approve(pool.address, MAX_UINT)))
    for b, raw in deposits:
        txs.append(tx(pool.functions.depositCollateralFor(b.address, protocol.tokens[b.collateral].address, raw),
                      label=f"seed borrower:{b.index}"))
    for k in drill.keepers:
        if k.mode == "capital" and k.capital_usd > 0:
            txs.append(tx(base.functions.mint(keepers[k.name], usd_to_raw(k.capital_usd, config.base.price_usd,
                                                                            config.base.decimals))))
    if drill.arbitrage.enabled:
        inventory_usd = drill.arbitrage.capacity_usd_per_step * ARB_INVENTORY_STEPS
        for sym in protocol.pairs:
            spec = config.asset(sym)
            txs.append(tx(protocol.tokens[sym].functions.mint(arbitrageur, usd_to_raw(inventory_usd, spec.price_usd, spec.decimals))))
        txs.append(tx(base.functions.mint(arbitrageur, usd_to_raw(inventory_usd * len(protocol.pairs),
                                                                  config.base.price_usd, config.base.decimals))))
    attacks = [f for f in drill.failures if f.kind == "spot_manipulation"]
    if attacks:
        capital_raw = 0
        base_spec = config.base
        for f in attacks:
            sym = pair_symbol(drill, f.pair)
            base_reserve_raw = usd_to_raw(config.pair_liquidity_usd.get(sym, 0.0) / 2, base_spec.price_usd, base_spec.decimals)
            action = SpotManipulation(f.pair, f.size_usd, f.target_multiplier, None)
            capital_raw += base_in_for(action, base_reserve_raw, base_spec.price_usd, base_spec.decimals)
        # Twice the planned size: LP withdrawals or arbitrage before the attack change the reserves.
        txs.append(tx(base.functions.mint(attacker, 2 * capital_raw + 1)))
    if config.oracle.sequencer:
        # The guard refuses every price for the grace period after the uptime feed's deployment,
        # so borrowers could not borrow: unwire the sequencer check while seeding (step 5 restores it;
        # the loop starts after the grace period, so the drill sees the check from its first step).
        txs.append(tx(protocol.guard.functions.setSequencerFeed(ZERO_ADDRESS, config.oracle.grace_period_s)))
    _expect_ok(chain.send_block(txs), "seeding (funder)")
    if attacks:
        [receipt] = chain.send_block([chain.deploy_tx("SpotManipulator", sender=attacker, gas=3_000_000)])
        if isinstance(receipt, ChainError) or not receipt.ok or receipt.contract_address is None:
            raise ChainError(f"seeding: the SpotManipulator deployment failed: {receipt}")
        world.manipulator = receipt.contract_address

    # 4. Borrowers borrow; agents approve.
    txs = []
    for b in borrowers:
        debt_raw = usd_to_raw(b.debt_usd, config.base.price_usd, config.base.decimals)
        if debt_raw > 0:
            txs.append(tx(pool.functions.borrow(debt_raw), sender=b.address, label=f"seed borrow:{b.index}"))
    agents = [*keepers.values(), arbitrageur, attacker]
    for agent in agents:
        for token in protocol.tokens.values():
            txs.append(tx(token.functions.approve(pool.address, MAX_UINT), sender=agent))
            txs.append(tx(token.functions.approve(protocol.router.address, MAX_UINT), sender=agent))
    if world.manipulator:
        txs.append(tx(base.functions.approve(world.manipulator, MAX_UINT), sender=attacker))
    _expect_ok(chain.send_block(txs), "seeding (borrowers)")

    # 5. Restore the drill's LTVs.
    txs = [tx(pool.functions.listCollateral(protocol.tokens[sym].address, coll.ltv_bps, coll.liquidation_threshold_bps,
                                            coll.liquidation_bonus_bps, coll.supply_cap_raw))
           for sym, (spec, coll) in config.collaterals.items()]
    if config.oracle.sequencer:
        txs.append(tx(protocol.guard.functions.setSequencerFeed(protocol.sequencer.address, config.oracle.grace_period_s)))
    _expect_ok(chain.send_block(txs), "seeding (risk parameters)")
    world.lp_tokens_initial = {
        sym: chain.call(pair.functions.balanceOf(protocol.liquidity_provider)) for sym, pair in protocol.pairs.items()
    }
    return world


def _expect_ok(results: list[Receipt | ChainError], phase: str) -> None:
    for result in results:
        if isinstance(result, ChainError):
            raise ChainError(f"{phase}: a transaction was refused: {result}")
    failed = [r for r in results if isinstance(r, Receipt) and not r.ok]
    if failed:
        raise ChainError(f"{phase}: {len(failed)} transaction(s) reverted, first {failed[0].tx_hash}")
