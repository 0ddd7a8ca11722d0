"""Deploy genuine, unmodified Morpho Blue (npm @morpho-org/morpho-blue 1.0.0) over a drill's market.

Order: our OracleGuard (the drill's price rules, wired as the reference pool's), Morpho(owner),
the interest rate model (our MorphoKinkedIrm, or none: ``irm = address(0)``), one
MorphoGuardOracle per collateral, our MorphoLens and MorphoFlashLiquidator -> the guard's wiring,
enableIrm, enableLltv for each distinct LLTV, setFeeRecipient, createMarket per collateral, setFee
-> the lender supplies an equal share to each market (``open_positions`` rebalances it to the
seeded debt). Each step is one JSON-RPC batch from the deployer (explicit gas: never estimated
against a state the batch has not reached).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi.abi import encode
from eth_utils.crypto import keccak

from defidrill.chain import ChainAPI, Deployed, TxRequest
from defidrill.errors import ChainError
from defidrill.protocol.market import BATCH_TX_GAS, DEPLOY_GAS, Market
from defidrill.protocol.morpho_blue.artifacts import morpho_artifact, qualified
from defidrill.protocol.morpho_blue.mapping import fee_wad, has_interest, lltv_wad
from defidrill.protocol.reference.deploy import _guard_wiring

ZERO = "0x" + "0" * 40
#: Morpho's deployment: 3.4M gas measured; creation code 16 kB.
MORPHO_DEPLOY_GAS = 6_000_000

MarketParams = tuple[str, str, str, str, int]  # (loanToken, collateralToken, oracle, irm, lltv)


def market_id(params: MarketParams) -> bytes:
    """Morpho's MarketParamsLib.id: keccak256 of the ABI-encoded params."""
    return keccak(encode(["address", "address", "address", "address", "uint256"], list(params)))


@dataclass(kw_only=True)
class MorphoDeployment:
    """Handles of the deployed Morpho Blue markets and our contracts around them."""

    morpho: Deployed
    guard: Deployed
    irm: Deployed | None  # None: irm = address(0), no interest
    oracles: dict[str, Deployed]  # collateral symbol -> its market's MorphoGuardOracle
    params: dict[str, MarketParams]  # collateral symbol -> its market's params
    lens: Deployed
    flash_liquidator: Deployed
    fee_recipient: str

    def market_of(self, collateral_symbol: str) -> MarketParams:
        return self.params[collateral_symbol]

    def ids(self) -> dict[str, bytes]:
        return {sym: market_id(p) for sym, p in self.params.items()}


def register_morpho(chain: ChainAPI) -> None:
    """Let ``chain`` deploy Morpho and decode its events (EventsLib's, added to its ABI)."""
    artifact = morpho_artifact()
    if artifact.name not in chain.foreign_artifacts:
        chain.register(artifact)


def deploy_morpho(chain: ChainAPI, market: Market) -> MorphoDeployment:
    """Deploy Morpho Blue, one market per collateral of ``market.config``, and our periphery."""
    register_morpho(chain)
    config = market.config
    me = chain.deployer
    base_sym = config.base.symbol
    tokens = market.tokens
    rm = config.rate_model
    first: list[TxRequest] = [chain.deploy_tx("OracleGuard", gas=DEPLOY_GAS),
                              chain.deploy_tx(qualified("Morpho"), me, gas=MORPHO_DEPLOY_GAS),
                              chain.deploy_tx("MorphoLens", gas=DEPLOY_GAS),
                              chain.deploy_tx("MorphoFlashLiquidator", gas=DEPLOY_GAS)]
    if has_interest(config):
        first.append(chain.deploy_tx("MorphoKinkedIrm", rm.base_rate_wad, rm.slope1_wad, rm.slope2_wad, rm.kink_wad,
                                     gas=DEPLOY_GAS))
    addrs = [r.contract_address or "" for r in chain.send_many(first)]
    if not all(addrs):
        raise ChainError("Morpho Blue deploy: a contract creation left no address")
    guard, morpho = chain.at("OracleGuard", addrs[0]), chain.at(qualified("Morpho"), addrs[1])
    lens, flash = chain.at("MorphoLens", addrs[2]), chain.at("MorphoFlashLiquidator", addrs[3])
    irm = chain.at("MorphoKinkedIrm", addrs[4]) if len(addrs) > 4 else None
    irm_address = irm.address if irm is not None else ZERO

    oracles = dict(zip(config.collaterals, chain.deploy_many(
        [("MorphoGuardOracle", [guard.address, tokens[s].address, config.asset(s).decimals, tokens[base_sym].address,
                                config.base.decimals]) for s in config.collaterals], gas=DEPLOY_GAS)))
    params: dict[str, MarketParams] = {
        s: (tokens[base_sym].address, tokens[s].address, oracles[s].address, irm_address,
            lltv_wad(coll.liquidation_threshold_bps))
        for s, (_, coll) in config.collaterals.items()}

    fns = morpho.functions
    txs = _guard_wiring(chain, config, guard, market.feeds, market.fallback_feeds, market.twaps, market.pairs,
                        market.sequencer, tokens)
    txs.append(chain.tx(fns.enableIrm(irm_address), gas=BATCH_TX_GAS))
    txs += [chain.tx(fns.enableLltv(lltv), gas=BATCH_TX_GAS) for lltv in sorted({p[4] for p in params.values()})]
    txs.append(chain.tx(fns.setFeeRecipient(me), gas=BATCH_TX_GAS))
    txs += [chain.tx(fns.createMarket(p), gas=BATCH_TX_GAS) for p in params.values()]
    fee = fee_wad(config)
    if fee:
        txs += [chain.tx(fns.setFee(p, fee), gas=BATCH_TX_GAS) for p in params.values()]
    chain.send_many(txs)
    deployment = MorphoDeployment(morpho=morpho, guard=guard, irm=irm, oracles=oracles, params=params, lens=lens,
                                  flash_liquidator=flash, fee_recipient=me)
    supply_raw = market.lender_supply_raw()
    if supply_raw > 0:
        shares = split_raw(supply_raw, [1] * len(params))
        chain.send_many(lender_txs(chain, market, deployment, dict(zip(params, shares))))
    return deployment


def split_raw(total_raw: int, weights: list[int]) -> list[int]:
    """``total_raw`` in parts proportional to ``weights`` (equal when all are 0), summing to it exactly."""
    if not any(weights):
        weights = [1] * len(weights)
    parts = [total_raw * w // sum(weights) for w in weights]
    parts[-1] += total_raw - sum(parts)
    return parts


def lender_txs(chain: ChainAPI, market: Market, d: MorphoDeployment, change_raw: dict[str, int]) -> list[TxRequest]:
    """The lender supplies (positive) or withdraws (negative) ``change_raw`` of base per market, withdrawals first."""
    lender, fns = market.lender, d.morpho.functions
    out = [chain.tx(market.base.functions.approve(d.morpho.address, 2**256 - 1), sender=lender, gas=BATCH_TX_GAS)]
    for sym, raw in sorted(change_raw.items(), key=lambda kv: kv[1]):
        if raw < 0:
            out.append(chain.tx(fns.withdraw(d.params[sym], -raw, 0, lender, lender), sender=lender, gas=BATCH_TX_GAS,
                                label=f"lender withdraws from the {sym} market"))
        elif raw > 0:
            out.append(chain.tx(fns.supply(d.params[sym], raw, 0, lender, b""), sender=lender, gas=BATCH_TX_GAS,
                                label=f"lender supplies the {sym} market"))
    return out
