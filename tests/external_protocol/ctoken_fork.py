"""Fork mode for the Compound-style adapter: find a deployed Comptroller's markets, then take them over.

Part of the user's adapter (``ctoken_adapter.CTokenAdapter.discover`` / ``attach``), kept in a module
of its own as a protocol team would. Discovery starts from the Comptroller alone, through views a
real Compound V2 has too: ``getAllMarkets()`` lists the cTokens, each one's ``underlying()`` is its
token and the token's ERC-20 ``symbol()`` is what a drill's asset is matched against (a missing
one is refused, naming what the Comptroller lists); ``oracle()`` is the FeedPriceOracle whose
``sources(cToken)`` names the AggregatorV3 each market is priced by (the feed the engine takes
over); ``markets(cToken)`` states each collateral factor, kept for the report. The protocol has no
sequencer check, so no sequencer feed is found.

Attaching impersonates whoever holds each admin role on the fork (anvil lets any address send;
each is given ETH for gas): the Comptroller's ``admin`` sets the drill's collateral factors, close
factor and liquidation incentive; the oracle's ``owner`` re-points each source at the same feed
with the drill's staleness limit; the base market's ``admin`` sets the drill's reserve factor.
The user's periphery (LiquidationRouter, MarketLens) is deployed beside the protocol, and the
lender supplies the drill's base (dealt to it by the market).

The forked book (``borrowers: {from: protocol}``): ``ctoken_borrowers`` lists every ``borrower`` of the
base market's ``Borrow(address indexed borrower, ...)`` events in the range, through defidrill's chunked
log scan (``protocol.log_scan``); the engine reads and keeps those still owing.

Not handled: positions in the forked markets that the drill neither opened nor drills. The adapter's
invariants sum the drill's accounts (seeded and forked) against the markets' totals, so a fork with
other suppliers or borrowers in them (an account dropped by ``min_debt_usd``, say) would report those
as discrepancies.
"""

from __future__ import annotations

from dataclasses import dataclass

from web3.contract.contract import ContractFunction

from defidrill.chain import ChainAPI, Deployed, TxRequest
from defidrill.errors import ChainError, ConfigError
from defidrill.protocol.adapter import MAX_UINT, ForkedProtocol, FoundBorrowers
from defidrill.protocol.log_scan import event_topic, scan_logs, topic_address
from defidrill.protocol.adapter_kit import expect_ok
from defidrill.protocol_terms.fixed_point import WAD
from defidrill.protocol_terms.parameters import ProtocolSpec
from defidrill.protocol.market import BATCH_TX_GAS, DEPLOY_GAS, Market

ZERO = "0x" + "00" * 20
#: ETH given to each impersonated admin: a batch checks gas x the fee cap (10^13 wei) against the balance.
ADMIN_GAS_WEI = 1_000 * 10**18
WHERE = "protocol.address"


@dataclass(frozen=True)
class ForkedComptroller:
    """What discovery found (``ForkedProtocol.handle``): the contracts and who administers them."""

    comptroller: Deployed
    oracle: Deployed
    rate_model: Deployed
    ctokens: dict[str, Deployed]  # drill symbol -> its market, base first
    comptroller_admin: str
    oracle_owner: str
    base_admin: str


def discover_comptroller(chain: ChainAPI, address: str, symbols: list[str]) -> ForkedProtocol:
    """The drill's ``symbols`` (base first) matched to the markets the Comptroller at ``address`` lists."""
    if str(chain.rpc.request("eth_getCode", [address, "latest"])) in ("0x", ""):
        raise ConfigError(f"no contract at {address}: not a Compound-style Comptroller", path=WHERE, value=address)
    comptroller = chain.at("Comptroller", address)
    c = comptroller.functions
    answered = chain.call_many([c.getAllMarkets(), c.oracle(), c.admin(), c.liquidationIncentiveMantissa()])
    if any(isinstance(v, ChainError) for v in answered):
        raise ConfigError(f"{address} does not answer as a Compound-style Comptroller (getAllMarkets, oracle, "
                          "admin)", path=WHERE, value=address)
    all_markets, oracle_a, comptroller_admin, incentive_wad = answered
    markets = [chain.at("CToken", m) for m in all_markets]
    underlyings = _answers(chain, [m.functions.underlying() for m in markets], f"{address}'s markets (underlying)")
    listed_symbols = _answers(chain, [chain.at("IERC20", u).functions.symbol() for u in underlyings],
                              f"{address}'s underlying tokens (symbol)")
    listed = dict(zip((str(s) for s in listed_symbols), markets))
    missing = [s for s in symbols if s not in listed]
    if missing:
        raise ConfigError(f"the Comptroller at {address} lists no market for {', '.join(missing)}", path=WHERE,
                          value=address, allowed=", ".join(sorted(listed)) or "(no markets listed)")
    ctokens = {s: listed[s] for s in symbols}
    oracle = chain.at("FeedPriceOracle", oracle_a)
    per_market = _answers(chain, [fn for m in ctokens.values() for fn in (
        oracle.functions.sources(m.address), c.markets(m.address), m.functions.admin(), m.functions.borrowable())],
        f"{address}'s markets (sources, markets, admin, borrowable)")
    rows = {s: per_market[4 * i : 4 * i + 4] for i, s in enumerate(symbols)}
    unpriced = [s for s in symbols if rows[s][0][0] == ZERO]
    if unpriced:
        raise ConfigError(f"the oracle {oracle_a} of the Comptroller at {address} has no price source for "
                          f"{', '.join(unpriced)}", path=WHERE, value=address)
    base = symbols[0]
    if not rows[base][3]:
        raise ConfigError(f"the {base} market {ctokens[base].address} of the Comptroller at {address} lends nothing "
                          "(borrowable is false): it cannot be the drill's base asset", path="protocol.base_asset",
                          value=base, allowed=", ".join(s for s in listed if s != base))
    oracle_owner, rate_model_a = _answers(chain, [oracle.functions.owner(), ctokens[base].functions.rateModel()],
                                          f"{address}'s oracle owner and base rate model")
    bonus_bps = (int(incentive_wad) - WAD) // 10**14
    forked = {s: {"collateral_factor_bps": int(rows[s][1][1]) // 10**14, "liquidation_bonus_bps": bonus_bps,
                  "max_age_s": int(rows[s][0][3])} for s in symbols[1:]}
    handle = ForkedComptroller(comptroller, oracle, chain.at("KinkRateModel", rate_model_a), ctokens,
                               comptroller_admin, oracle_owner, rows[base][2])
    underlying_of = {str(s): str(u) for s, u in zip(listed_symbols, underlyings)}
    return ForkedProtocol(address=address, tokens={s: underlying_of[s] for s in symbols},
                          price_sources={s: rows[s][0][0] for s in symbols}, sequencer_feed=None, handle=handle,
                          forked_params=forked)


def attach_comptroller(chain: ChainAPI, market: Market, config: ProtocolSpec, found: ForkedComptroller,
                       incentive_wad: int, close_factor_wad: int) -> dict[str, Deployed]:
    """Apply the drill's parameters as the admins, deploy the periphery, supply the lender's base;
    returns the adapter's named contracts."""
    base = config.base.symbol
    cbase = found.ctokens[base]
    admins = {found.comptroller_admin, found.oracle_owner, found.base_admin}
    chain.set_balances({a: chain.balance(a) + ADMIN_GAS_WEI for a in admins})

    def tx(fn: ContractFunction, sender: str, label: str) -> TxRequest:
        return chain.tx(fn, sender=sender, gas=BATCH_TX_GAS, label=f"attach: {label}", agent="setup")

    c = found.comptroller.functions
    txs = [tx(c.setCloseFactor(close_factor_wad), found.comptroller_admin, "close factor"),
           tx(c.setLiquidationIncentive(incentive_wad), found.comptroller_admin, "liquidation incentive")]
    txs += [tx(c.setCollateralFactor(found.ctokens[s].address, coll.liquidation_threshold_bps * 10**14),
               found.comptroller_admin, f"collateral factor {s}") for s, (_spec, coll) in config.collaterals.items()]
    for s, ctoken in found.ctokens.items():
        spec = config.asset(s)
        feed = market.feeds[s].address  # the forked source, taken over where it stands
        max_age_s = spec.max_staleness_s or config.oracle.max_staleness_s
        txs.append(tx(found.oracle.functions.setSource(ctoken.address, feed, spec.decimals, max_age_s),
                      found.oracle_owner, f"price source {s}"))
    txs.append(tx(cbase.functions.setReserveFactor(config.reserve_factor_bps * 10**14), found.base_admin,
                  "reserve factor"))
    supply_raw = market.lender_supply_raw()
    if supply_raw > 0:
        txs += [tx(market.base.functions.approve(cbase.address, MAX_UINT), market.lender, "lender approves"),
                tx(cbase.functions.mint(supply_raw), market.lender, "lender supplies")]
    expect_ok(chain, txs, chain.send_many(txs, raise_on_revert=False), "attaching the Compound-style protocol")
    router, lens = chain.deploy_many([("LiquidationRouter", []), ("MarketLens", [])], gas=DEPLOY_GAS)
    return {"COMPTROLLER": found.comptroller, "PRICE_ORACLE": found.oracle, "RATE_MODEL": found.rate_model,
            "LIQUIDATION_ROUTER": router, "MARKET_LENS": lens, **{f"c{s}": m for s, m in found.ctokens.items()}}


#: topic0 of the CToken's ``Borrow(address indexed borrower, uint256 borrowAmountRaw, uint256 accountBorrowsRaw,
#: uint256 totalBorrowsRaw)`` (contracts/interfaces/ICToken.sol).
BORROW_TOPIC = event_topic("Borrow(address,uint256,uint256,uint256)")


def ctoken_borrowers(chain: ChainAPI, cbase: Deployed, from_block: int, to_block: int) -> FoundBorrowers:
    """Every borrower of the base market in the range, first borrow first (each once)."""
    scan = scan_logs(chain, cbase.address, [BORROW_TOPIC], from_block, to_block)
    accounts = dict.fromkeys(topic_address(log["topics"][1]) for log in scan.logs)
    return FoundBorrowers(tuple(accounts), f"Borrow events of the base market {cbase.address}", scan)


def _answers(chain: ChainAPI, calls: list[ContractFunction], what: str) -> list[object]:
    """Every call's answer, or a ConfigError at ``protocol.address`` naming what did not answer."""
    values = chain.call_many(calls)
    failed = [v for v in values if isinstance(v, ChainError)]
    if failed:
        raise ConfigError(f"{what} did not answer as a Compound-style protocol: {failed[0]}", path=WHERE)
    return values
