"""Attach to an Aave V3 market already on the chain (a fork), from its PoolAddressesProvider alone.

The provider names the Pool, the configurator, the oracle, the data provider, the ACL and the
sentinel; the data provider lists the reserves with their symbols, and the drill's assets are
matched to them BY SYMBOL (a missing one is refused, naming what the market has). Our read
and liquidation periphery (AaveLens, AaveFlashLiquidator) is deployed beside it. Governance is
impersonated (anvil): the ACL admin makes the drill's deployer a pool admin and the provider's
owner hands it ownership, so seeding can lift LTVs and park the sentinel as on a fresh deploy.
Each asset's price source is read from AaveOracle.getSourceOfAsset: that is the feed a drill
takes over (``defidrill.protocol.feeds``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from defidrill.chain import ChainAPI, Deployed
from defidrill.errors import ChainError, ConfigError
from defidrill.protocol.aave_v3.artifacts import qualified
from defidrill.protocol.aave_v3.deploy import CONFIG_GAS, ZERO, AaveDeployment, _reserve_tokens, register_aave
from defidrill.protocol.market import DEPLOY_GAS

#: ETH given to impersonated governance accounts for their few transactions.
GOVERNANCE_GAS_WEI = 10 * 10**18


@dataclass(frozen=True)
class AttachedAave:
    deployment: AaveDeployment
    tokens: dict[str, str]        # drill symbol -> the reserve's underlying
    price_sources: dict[str, str]  # drill symbol -> the feed AaveOracle reads
    sequencer_feed: str | None     # the sentinel's sequencer oracle, when the market has one


def attach_aave(chain: ChainAPI, provider_address: str, symbols: list[str], *,
                where: str = "protocol.address") -> AttachedAave:
    """Find every Aave contract from the provider, map ``symbols`` to reserves, take the admin roles."""
    register_aave(chain)
    if chain.code_at(provider_address) in ("0x", ""):
        raise ConfigError(f"no contract at {provider_address}: not an Aave V3 PoolAddressesProvider", path=where)
    provider = chain.at(qualified("PoolAddressesProvider"), provider_address)
    p = provider.functions
    found = chain.call_many([p.getPool(), p.getPoolConfigurator(), p.getPriceOracle(), p.getPoolDataProvider(),
                             p.getACLManager(), p.getPriceOracleSentinel(), p.getACLAdmin(), p.owner()])
    if any(isinstance(v, ChainError) for v in found) or found[0] == ZERO:
        raise ConfigError(f"{provider_address} does not answer as an Aave V3 PoolAddressesProvider "
                          "(getPool, getPriceOracle, getPoolDataProvider...)", path=where)
    pool_a, configurator_a, oracle_a, data_provider_a, acl_a, sentinel_a, acl_admin, owner = found
    data_provider = chain.at(qualified("AaveProtocolDataProvider"), data_provider_a)
    listed = dict(_symbol_and_address(r) for r in chain.call(data_provider.functions.getAllReservesTokens()))
    missing = [s for s in symbols if s not in listed]
    if missing:
        raise ConfigError(f"the Aave market at {provider_address} has no reserve {', '.join(missing)}", path=where,
                          allowed=", ".join(sorted(listed)))
    tokens = {s: listed[s] for s in symbols}
    oracle = chain.at(qualified("AaveOracle"), oracle_a)
    sources = dict(zip(symbols, chain.call_many([oracle.functions.getSourceOfAsset(a) for a in tokens.values()])))
    sentinel = chain.at(qualified("PriceOracleSentinel"), sentinel_a) if sentinel_a != ZERO else None
    sequencer = chain.call(sentinel.functions.getSequencerOracle()) if sentinel is not None else None
    strategy_a = chain.call(data_provider.functions.getInterestRateStrategyAddress(tokens[symbols[0]]))

    me = chain.deployer
    acl = chain.at(qualified("ACLManager"), acl_a)
    for governor in {acl_admin, owner}:
        chain.set_balance(governor, chain.balance(governor) + GOVERNANCE_GAS_WEI)
    with_roles = [chain.tx(acl.functions.addPoolAdmin(me), sender=acl_admin, gas=CONFIG_GAS, label="attach: pool admin")]
    if owner.lower() != me.lower():
        with_roles.append(chain.tx(p.transferOwnership(me), sender=owner, gas=CONFIG_GAS, label="attach: provider owner"))
    lens_tx = chain.deploy_tx("AaveLens", gas=DEPLOY_GAS)
    flash_tx = chain.deploy_tx("AaveFlashLiquidator", gas=DEPLOY_GAS)
    receipts = chain.send_many([*with_roles, lens_tx, flash_tx])
    reserves = _reserve_tokens(chain, data_provider, tokens)
    treasury = chain.call(reserves[symbols[0]].a_token.functions.RESERVE_TREASURY_ADDRESS())
    deployment = AaveDeployment(
        provider=provider, acl=acl, pool=chain.at(qualified("Pool"), pool_a),
        configurator=chain.at(qualified("PoolConfigurator"), configurator_a), oracle=oracle,
        data_provider=data_provider, rate_strategy=chain.at(qualified("DefaultReserveInterestRateStrategy"), strategy_a),
        sentinel=sentinel, reserves=reserves, lens=_at(chain, "AaveLens", receipts[-2].contract_address),
        flash_liquidator=_at(chain, "AaveFlashLiquidator", receipts[-1].contract_address), treasury=treasury)
    return AttachedAave(deployment, tokens, sources, sequencer)


def _symbol_and_address(row: object) -> tuple[str, str]:
    """A ``TokenData`` struct as decoded (a mapping by field name, or a tuple)."""
    if isinstance(row, dict):
        return str(row["symbol"]), str(row["tokenAddress"])
    symbol, address = cast(tuple[object, object], row)
    return str(symbol), str(address)


def _at(chain: ChainAPI, name: str, address: str | None) -> Deployed:
    if not address:
        raise ChainError(f"attach: deploying {name} returned no address")
    return chain.at(name, address)
