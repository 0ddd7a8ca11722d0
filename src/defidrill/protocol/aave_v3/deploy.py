"""Deploy genuine, unmodified Aave V3 (npm @aave/core-v3 1.19.3) over a drill's market.

Aave's own order (DESIGN.md, verified): PoolAddressesProvider(marketId, owner) ->
setACLAdmin -> ACLManager(provider) -> setACLManager -> addPoolAdmin -> the logic
libraries (FlashLoanLogic links BorrowLogic) -> Pool impl(provider) -> setPoolImpl (the
provider makes the proxy and initialises it) -> PoolConfigurator impl ->
setPoolConfiguratorImpl -> AaveOracle(provider, assets, sources = the market's feeds,
fallback 0, base currency 0 = USD, unit 1e8) -> setPriceOracle ->
AaveProtocolDataProvider -> setPoolDataProvider -> AToken / StableDebtToken /
VariableDebtToken impls(pool) -> DefaultReserveInterestRateStrategy (ray) ->
initReserves (base + collaterals) -> configureReserveAsCollateral(ltv, lt, 10000 + bonus)
-> setReserveBorrowing(base) -> supply caps, reserve factor -> PriceOracleSentinel on the
market's sequencer feed when the config has one -> the lender supplies.

Six blocks: each is one JSON-RPC batch from the deployer, whose nonce order keeps the
dependent transactions in order inside a block (they carry explicit gas so anvil does
not estimate them against a state the batch has not reached).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from defidrill.chain import ChainAPI, Deployed, TxRequest
from defidrill.errors import ChainError
from defidrill.protocol.aave_v3.artifacts import LIBRARIES, aave_artifacts, error_codes, qualified
from defidrill.protocol.aave_v3.mapping import BASE_CURRENCY_UNIT, rate_strategy, reserve_risk
from defidrill.protocol.config import ProtocolConfig
from defidrill.protocol.market import DEPLOY_GAS, Market

ZERO = "0x" + "0" * 40
MARKET_ID = "defidrill"
#: Variable-rate mode in Pool.borrow / repay (stable = 1, disabled here).
VARIABLE_RATE = 2
INIT_RESERVES_GAS = 8_000_000  # per reserve: three token proxies and their initialisation
CONFIG_GAS = 1_000_000

@dataclass(frozen=True)
class ReserveTokens:
    a_token: Deployed
    stable_debt: Deployed
    variable_debt: Deployed

@dataclass(kw_only=True)
class AaveDeployment:
    """Handles of the deployed Aave V3 market (proxies where Aave uses them)."""

    provider: Deployed
    acl: Deployed
    pool: Deployed  # the proxy, with Pool's ABI
    configurator: Deployed  # the proxy, with PoolConfigurator's ABI
    oracle: Deployed
    data_provider: Deployed
    rate_strategy: Deployed
    sentinel: Deployed | None
    reserves: dict[str, ReserveTokens]  # symbol -> its aToken and debt tokens
    lens: Deployed
    flash_liquidator: Deployed
    treasury: str

def register_aave(chain: ChainAPI) -> None:
    """Let ``chain`` decode Aave's events (LiquidationCall...) and its string error codes."""
    for artifact in aave_artifacts().values():
        if artifact.name not in chain.foreign_artifacts:
            chain.register(artifact.linked({lib: ZERO for lib in artifact.link_offsets}))
    chain.registry.add_string_codes(error_codes())

def _deploy_block(chain: ChainAPI, items: list[TxRequest]) -> list[Any]:
    receipts = chain.send_many(items)
    return [r.contract_address for r in receipts]

def _deploy(chain: ChainAPI, name: str, *args: Any, libraries: dict[str, str] | None = None) -> TxRequest:
    artifact = aave_artifacts()[name]
    if artifact.link_offsets:
        chain.register(artifact.linked(libraries or {}))
    return chain.deploy_tx(artifact.name, *args, gas=DEPLOY_GAS)

def deploy_aave(chain: ChainAPI, market: Market) -> AaveDeployment:
    """Deploy and configure Aave V3 over ``market``; the lender supplies ``market.lender_supply_raw()``."""
    register_aave(chain)
    config = market.config
    me = chain.deployer
    base_sym = config.base.symbol
    symbols = [base_sym, *config.collaterals]
    tokens = {s: market.tokens[s].address for s in symbols}

    # 1. The provider, the independent libraries and our periphery.
    independent = [lib for lib in LIBRARIES if lib != "FlashLoanLogic"]
    addrs = _deploy_block(chain, [_deploy(chain, "PoolAddressesProvider", MARKET_ID, me),
                                  *[_deploy(chain, lib) for lib in independent],
                                  chain.deploy_tx("AaveLens", gas=DEPLOY_GAS),
                                  chain.deploy_tx("AaveFlashLiquidator", gas=DEPLOY_GAS)])
    provider = chain.at(qualified("PoolAddressesProvider"), addrs[0])
    libs = dict(zip(independent, addrs[1 : 1 + len(independent)]))
    lens, flash = chain.at("AaveLens", addrs[-2]), chain.at("AaveFlashLiquidator", addrs[-1])

    # 2. ACL admin then its manager; FlashLoanLogic; the configurator impl, the oracle, the data provider.
    addrs = _deploy_block(chain, [
        chain.tx(provider.functions.setACLAdmin(me), gas=CONFIG_GAS),
        _deploy(chain, "ACLManager", provider.address),
        _deploy(chain, "FlashLoanLogic", libraries=libs),
        _deploy(chain, "PoolConfigurator", libraries=libs),
        _deploy(chain, "AaveOracle", provider.address, list(tokens.values()),
                [market.feeds[s].address for s in symbols], ZERO, ZERO, BASE_CURRENCY_UNIT),
        _deploy(chain, "AaveProtocolDataProvider", provider.address),
    ])
    acl = chain.at(qualified("ACLManager"), addrs[1])
    libs["FlashLoanLogic"] = addrs[2]
    configurator_impl, oracle_addr, data_provider_addr = addrs[3:6]

    # 3. Wire the ACL, deploy the pool impl (every library linked).
    [_, _, pool_impl] = _deploy_block(chain, [
        chain.tx(provider.functions.setACLManager(acl.address), gas=CONFIG_GAS),
        chain.tx(acl.functions.addPoolAdmin(me), gas=CONFIG_GAS),
        _deploy(chain, "Pool", provider.address, libraries=libs),
    ])

    # 4. The provider makes the pool's proxy, then the configurator's (whose initialize reads getPool()).
    chain.send_many([
        chain.tx(provider.functions.setPoolImpl(pool_impl), gas=DEPLOY_GAS),
        chain.tx(provider.functions.setPoolConfiguratorImpl(configurator_impl), gas=DEPLOY_GAS),
        chain.tx(provider.functions.setPriceOracle(oracle_addr), gas=CONFIG_GAS),
        chain.tx(provider.functions.setPoolDataProvider(data_provider_addr), gas=CONFIG_GAS),
    ])
    pool_addr, configurator_addr = chain.call_many([provider.functions.getPool(), provider.functions.getPoolConfigurator()])
    pool = chain.at(qualified("Pool"), pool_addr)
    configurator = chain.at(qualified("PoolConfigurator"), configurator_addr)

    # 5. Token implementations and the rate strategy, then the reserves and their risk parameters.
    rates = rate_strategy(config)
    addrs = _deploy_block(chain, [
        _deploy(chain, "AToken", pool.address), _deploy(chain, "StableDebtToken", pool.address),
        _deploy(chain, "VariableDebtToken", pool.address),
        _deploy(chain, "DefaultReserveInterestRateStrategy", provider.address, rates.optimal_usage_ratio_ray,
                rates.base_variable_borrow_rate_ray, rates.variable_rate_slope1_ray, rates.variable_rate_slope2_ray,
                0, 0, 0, 0, 0),
    ])
    a_impl, stable_impl, variable_impl, strategy_addr = addrs
    inputs = [(a_impl, stable_impl, variable_impl, config.asset(s).decimals, strategy_addr, tokens[s], me, ZERO,
               f"Aave drill {s}", f"a{s}", f"Aave drill variable debt {s}", f"variableDebt{s}",
               f"Aave drill stable debt {s}", f"stableDebt{s}", b"") for s in symbols]
    txs = [chain.tx(configurator.functions.initReserves(inputs), gas=INIT_RESERVES_GAS * len(symbols)),
           *risk_txs(chain, configurator, config, tokens),
           chain.tx(configurator.functions.setReserveFactor(tokens[base_sym], config.reserve_factor_bps), gas=CONFIG_GAS)]
    sentinel_tx = None
    if config.oracle.sequencer:
        sentinel_tx = _deploy(chain, "PriceOracleSentinel", provider.address, market.sequencer.address,
                              config.oracle.grace_period_s)
        txs.append(sentinel_tx)
    receipts = chain.send_many(txs)
    data_provider = chain.at(qualified("AaveProtocolDataProvider"), data_provider_addr)
    reserves = _reserve_tokens(chain, data_provider, tokens)

    # 6. The sentinel goes live; the lender supplies base.
    sentinel = None
    final: list[TxRequest] = []
    if sentinel_tx is not None:
        sentinel = chain.at(qualified("PriceOracleSentinel"), receipts[-1].contract_address or "")
        final.append(chain.tx(provider.functions.setPriceOracleSentinel(sentinel.address), gas=CONFIG_GAS))
    final += lender_supply_txs(chain, market, pool)
    if final:
        chain.send_many(final)
    return AaveDeployment(provider=provider, acl=acl, pool=pool, configurator=configurator,
                          oracle=chain.at(qualified("AaveOracle"), oracle_addr), data_provider=data_provider,
                          rate_strategy=chain.at(qualified("DefaultReserveInterestRateStrategy"), strategy_addr),
                          sentinel=sentinel, reserves=reserves, lens=lens, flash_liquidator=flash, treasury=me)

def risk_txs(chain: ChainAPI, configurator: Deployed, config: ProtocolConfig, tokens: dict[str, str]) -> list[TxRequest]:
    """The drill's risk parameters on each collateral reserve (and its supply cap), base borrowable."""
    txs = []
    for sym in config.collaterals:
        risk = reserve_risk(config, sym)
        txs.append(chain.tx(configurator.functions.configureReserveAsCollateral(
            tokens[sym], risk.ltv_bps, risk.liquidation_threshold_bps, risk.liquidation_bonus_bps), gas=CONFIG_GAS))
        if risk.supply_cap_tokens:
            txs.append(chain.tx(configurator.functions.setSupplyCap(tokens[sym], risk.supply_cap_tokens), gas=CONFIG_GAS))
    txs.append(chain.tx(configurator.functions.setReserveBorrowing(tokens[config.base.symbol], True), gas=CONFIG_GAS))
    return txs


def lender_supply_txs(chain: ChainAPI, market: Market, pool: Deployed) -> list[TxRequest]:
    """The lender supplies ``market.lender_supply_raw()`` of base (already funded by the market)."""
    supply_raw = market.lender_supply_raw()
    if supply_raw <= 0:
        return []
    return [chain.tx(market.base.functions.approve(pool.address, 2**256 - 1), sender=market.lender, gas=CONFIG_GAS),
            chain.tx(pool.functions.supply(market.base.address, supply_raw, market.lender, 0), sender=market.lender,
                     gas=CONFIG_GAS)]


def _reserve_tokens(chain: ChainAPI, data_provider: Deployed, tokens: dict[str, str]) -> dict[str, ReserveTokens]:
    found = chain.call_many([data_provider.functions.getReserveTokensAddresses(a) for a in tokens.values()])
    out = {}
    for sym, result in zip(tokens, found):
        if isinstance(result, ChainError):
            raise result
        a_token, stable, variable = result
        if a_token == ZERO:
            raise ChainError(f"Aave V3 deploy: reserve {sym} was not initialised")
        out[sym] = ReserveTokens(chain.at(qualified("AToken"), a_token), chain.at(qualified("StableDebtToken"), stable),
                                 chain.at(qualified("VariableDebtToken"), variable))
    return out
