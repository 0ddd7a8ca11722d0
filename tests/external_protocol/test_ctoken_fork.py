"""A user's own protocol on a fork: `protocol: {kind: external, address: <Comptroller>}` + `chain.fork_url`.

The "mainnet" is a local anvil holding the Compound-style protocol (this folder's ``contracts/``,
deployed by the adapter's own ``deploy``) over third-party feeds (``ForeignAggregator``: 8 decimals,
phase-encoded round ids, no ``transmit``), governed by an address nobody holds a key for, with
risk parameters other than the drill's: collateral factors WBTC 75% / WETH 85%, incentive 1.10,
close factor 40%, a 2 h staleness limit. The reduced flagship runs twice with the same seed: on a
fresh chain where the adapter deploys the protocol, and on a fork of the origin where it attaches
by the Comptroller's address (``CTokenAdapter.discover``/``attach``), the engine takes over the
origin's feeds where they stand and deals the agents their tokens. Interest is zero on both, so
the two runs must liquidate the same accounts in the same steps for the same raw amounts: only
if the fork really runs the drill's parameters (78% / 82%, 1.06, 50%) rather than the origin's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ctoken_adapter import CTokenAdapter

from defidrill.chain import AnvilConfig, Chain, Deployed
from defidrill.chain.abi_registry import checksum
from defidrill.errors import ConfigError
from defidrill.protocol_terms.parameters import AssetSpec, CollateralSpec, OracleSpec, ProtocolSpec, RateModelSpec
from defidrill.protocol.market import Market, deploy_market
from defidrill.run_folder import CONTRACTS_JSON, read_contracts
from defidrill.toolchain import Artifacts
from support.e2e_runs import DrillRun, amounts_by_key, fresh_and_forked, variant_doc
from support.foreign_feeds import with_foreign_feeds

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
#: The origin's governance: an address without a key (a timelock on a real chain); the fork impersonates it.
GOVERNOR = checksum("0x" + "6f" * 20)
PRICES_USD = {"USDC": 1, "WBTC": 60_000, "WETH": 3_000}
DECIMALS = {"USDC": 6, "WBTC": 8, "WETH": 18}
#: What the origin states; the drill (oracles/flash-crash.yaml) says WBTC 78%, WETH 82%, bonus 6%, close 50%, 1 h.
ORIGIN_FACTOR_BPS = {"WBTC": 7_500, "WETH": 8_500}
ORIGIN_BONUS_BPS = 1_000
ORIGIN_CLOSE_FACTOR_BPS = 4_000
ORIGIN_MAX_AGE_S = 7_200


@dataclass(frozen=True)
class CTokenOrigin:
    chain: Chain
    market: Market
    adapter: CTokenAdapter
    feeds: dict[str, Deployed]  # symbol -> the ForeignAggregator the protocol's oracle reads

    @property
    def comptroller(self) -> str:
        return self.adapter.contracts["COMPTROLLER"].address


def _origin_config() -> ProtocolSpec:
    def asset(sym: str) -> AssetSpec:
        return AssetSpec(symbol=sym, decimals=DECIMALS[sym], price_usd=float(PRICES_USD[sym]))

    return ProtocolSpec(
        base=asset("USDC"),
        collaterals={s: (asset(s), CollateralSpec(ltv_bps=ORIGIN_FACTOR_BPS[s] - 500,
                                                  liquidation_threshold_bps=ORIGIN_FACTOR_BPS[s],
                                                  liquidation_bonus_bps=ORIGIN_BONUS_BPS)) for s in ("WBTC", "WETH")},
        lender_supply_usd=1_000_000.0, close_factor_bps=ORIGIN_CLOSE_FACTOR_BPS,
        oracle=OracleSpec(max_staleness_s=ORIGIN_MAX_AGE_S),
        rate_model=RateModelSpec(base_rate_wad=0, slope1_wad=0, slope2_wad=0, kink_wad=8 * 10**17))


@contextmanager
def _deployer(chain: Chain, address: str) -> Iterator[None]:
    """Deploy as ``address`` (anvil impersonates it): the protocol's admin roles go to it."""
    saved = chain.accounts[0]
    chain.accounts[0] = address
    try:
        yield
    finally:
        chain.accounts[0] = saved


@pytest.fixture(scope="module")
def origin(artifacts: Artifacts) -> Iterator[CTokenOrigin]:
    with Chain.launch(AnvilConfig(), artifacts) as chain:
        config = _origin_config()
        market = deploy_market(chain, config)
        on_foreign_feeds = with_foreign_feeds(chain, market, PRICES_USD)
        chain.set_balance(GOVERNOR, 10**22)
        with _deployer(chain, GOVERNOR):
            adapter = CTokenAdapter.deploy(chain, on_foreign_feeds, config)
        chain.set_balance(GOVERNOR, 0)  # the fork must give the admin its gas
        yield CTokenOrigin(chain, market, adapter, on_foreign_feeds.feeds)


def _doc() -> dict[str, Any]:
    """The flagship reduced as the Aave fork test reduces it (40 borrowers at 80k, 75 minutes), zero
    interest, no CEX (the venue model does not depend on the chain side)."""
    doc = variant_doc("flash-crash")
    doc["borrowers"]["count"] = 40
    doc["borrowers"]["size_usd"] = {"lognormal": {"median": "80k", "sigma": 1.0}}
    doc["cex"] = {"enabled": False}
    doc["protocol"]["interest"] = {"base_rate": 0.0, "slope1": 0.0, "slope2": 0.0}
    doc["protocol"].update({"kind": "external", "adapter": "ctoken_adapter:CTokenAdapter",
                            "artifacts": str(HERE / "contracts")})
    return doc


@pytest.fixture(scope="module")
def runs(origin: CTokenOrigin, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    runs = fresh_and_forked(tmp_path_factory.mktemp("ctoken-fork"), _doc, origin.chain, origin.comptroller)
    print(f"\n[external fork] flagship (40 borrowers, 451 steps): fresh {runs['fresh'].wall_time_s:.1f} s, "
          f"fork {runs['fork'].wall_time_s:.1f} s wall")
    return runs


def test_the_fork_attaches_to_the_comptroller_where_it_stands(runs: dict[str, Any], origin: CTokenOrigin) -> None:
    fork: DrillRun = runs["fork"]
    assert fork.summary["status"] == "ok", fork.summary.get("error")
    invariants = fork.onchain["invariants"]
    assert [i["passed"] for i in invariants] == [True] * 4, invariants  # the adapter's three and the token supply
    assert "collateral cTokens = sum of deposits, backed by cash" in [i["name"] for i in invariants]
    info = fork.summary["protocol"]
    assert info["kind"] == "compound-v2-style"
    assert info["fork"]["address"] == origin.comptroller and info["fork"]["block"] == runs["fork_block"]
    # what the origin stated before the drill's parameters replaced them
    assert info["fork"]["forked_params"] == {
        s: {"collateral_factor_bps": ORIGIN_FACTOR_BPS[s], "liquidation_bonus_bps": ORIGIN_BONUS_BPS,
            "max_age_s": ORIGIN_MAX_AGE_S} for s in ("WBTC", "WETH")}
    assert "1.0600" in info["fixed_by_protocol"]["bonus"]  # the drill's largest bonus, not the origin's 1.10
    contracts = read_contracts(fork.run_dir / CONTRACTS_JSON).contracts
    # the drill drove the origin's own tokens, feeds and markets, at their own addresses
    for sym in ("USDC", "WBTC", "WETH"):
        assert contracts[sym] == origin.market.tokens[sym].address
        assert contracts[f"FEED_{sym}_USD"] == origin.feeds[sym].address
        assert contracts[f"c{sym}"] == origin.adapter.ctokens[sym].address
    assert contracts["COMPTROLLER"] == origin.comptroller
    assert contracts["PRICE_ORACLE"] == origin.adapter.contracts["PRICE_ORACLE"].address
    # the origin never saw the drill: its feed and its parameters are as it deployed them
    assert origin.chain.call(origin.feeds["WETH"].functions.latestAnswer()) == 3_000 * 10**8
    comptroller = origin.adapter.contracts["COMPTROLLER"].functions
    assert origin.chain.call(comptroller.liquidationIncentiveMantissa()) == 110 * 10**16


def test_the_forked_protocol_liquidates_exactly_like_a_fresh_deployment(runs: dict[str, Any]) -> None:
    fresh, fork = amounts_by_key(runs["fresh"]), amounts_by_key(runs["fork"])
    assert runs["fresh"].summary["status"] == "ok", runs["fresh"].summary.get("error")
    assert len(fresh) >= 3, "the reduced flagship must liquidate on the Compound-style protocol"
    assert fork == fresh


def test_a_symbol_the_comptroller_does_not_list_is_refused_naming_what_it_lists(origin: CTokenOrigin) -> None:
    chain = origin.chain
    with pytest.raises(ConfigError) as info:
        CTokenAdapter.discover(chain, origin.comptroller, ["USDC", "WBTC", "LINK"])
    err = info.value
    assert err.path == "protocol.address"
    assert f"the Comptroller at {origin.comptroller} lists no market for LINK" in str(err)
    assert err.allowed == "USDC, WBTC, WETH"
    with pytest.raises(ConfigError, match="does not answer as a Compound-style Comptroller") as info:
        CTokenAdapter.discover(chain, origin.market.tokens["USDC"].address, ["USDC", "WBTC"])
    assert info.value.path == "protocol.address"
    with pytest.raises(ConfigError, match="no contract at 0x") as info:
        CTokenAdapter.discover(chain, "0x" + "11" * 20, ["USDC", "WBTC"])
    assert info.value.path == "protocol.address"
