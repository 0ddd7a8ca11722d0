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
from typing import Any

import pytest
from ctoken_adapter import CTokenAdapter
from ctoken_fork_origin import (
    ORIGIN_BONUS_BPS, ORIGIN_FACTOR_BPS, ORIGIN_MAX_AGE_S, CTokenOrigin, deploy_ctoken_origin, flagship_doc,
)

from defidrill.chain import AnvilConfig, Chain
from defidrill.errors import ConfigError
from defidrill.run_folder import CONTRACTS_JSON, read_contracts
from defidrill.toolchain import Artifacts
from support.e2e_runs import DrillRun, amounts_by_key, fresh_and_forked

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def origin(artifacts: Artifacts) -> Iterator[CTokenOrigin]:
    with Chain.launch(AnvilConfig(), artifacts) as chain:
        yield deploy_ctoken_origin(chain)


@pytest.fixture(scope="module")
def runs(origin: CTokenOrigin, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    runs = fresh_and_forked(tmp_path_factory.mktemp("ctoken-fork"), flagship_doc, origin.chain, origin.comptroller)
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
