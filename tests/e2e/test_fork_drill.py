"""Fork mode from the drill file: `chain: {fork_url, fork_block}` + `protocol: {kind: aave-v3, address}`.

The "mainnet" is a local anvil holding genuine Aave V3 over third-party feeds
(``support.aave_origin``). The reduced flagship runs twice with the same seed: once on a fresh
chain where defidrill deploys Aave itself, once on a fork of the origin where it attaches to the
deployed Aave by its PoolAddressesProvider, takes over the feeds Aave reads where they stand,
funds the agents (USDC from a whale's balance, WETH and WBTC dealt by storage write) and applies
the drill's risk parameters. Interest is zero on both
(the origin's rate strategy and the drill's), so the two runs must tell the same story to the raw
unit: the same accounts liquidated in the same steps, the same debt repaid and collateral seized.
Different token addresses, feed round ids and block times must change nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from defidrill.chain import AnvilConfig, Chain
from defidrill.chain.abi_registry import checksum
from defidrill.errors import ChainError, ConfigError
from defidrill.protocol.aave_v3.deploy import VARIABLE_RATE
from defidrill.preflight import preflight
from defidrill.run_folder import CONTRACTS_JSON, load_run, read_contracts
from defidrill.runner import run_drill
from defidrill.toolchain import Artifacts
from support.aave_origin import SMALL_USDC_WHALE, USDC_WHALE, AaveOrigin, deploy_aave_origin
from support.e2e_runs import DrillRun, amounts_by_key, fresh_and_forked, on_aave, variant_doc

ROOT = Path(__file__).resolve().parents[2]
ZERO_INTEREST = {"base_rate": 0.0, "slope1": 0.0, "slope2": 0.0}


OTHER_USER = "0x" + "0e" * 20


@pytest.fixture(scope="module")
def origin(artifacts: Artifacts) -> Iterator[AaveOrigin]:
    """Aave with somebody else's position in it already (100 WETH supplied, 150,000 USDC borrowed): on a
    fork the reserves are not only the drill's, and its invariants must check what the drill changed."""
    with Chain.launch(AnvilConfig(), artifacts) as chain:
        o = deploy_aave_origin(chain)
        weth, pool = o.market.tokens["WETH"], o.aave.pool
        chain.set_balance(OTHER_USER, 10**18)
        chain.transact(weth.functions.mint(OTHER_USER, 100 * 10**18))
        chain.transact(weth.functions.approve(pool.address, 2**256 - 1), sender=OTHER_USER)
        chain.transact(pool.functions.supply(weth.address, 100 * 10**18, OTHER_USER, 0), sender=OTHER_USER)
        chain.transact(pool.functions.borrow(o.market.base.address, 150_000 * 10**6, VARIABLE_RATE, 0, OTHER_USER),
                       sender=OTHER_USER)
        yield o


def _doc() -> dict[str, Any]:
    """The flagship, reduced (40 borrowers at twice the e2e variant's size, a small CEX), zero interest,
    WETH's liquidation threshold lowered from the origin's 82% to 80%."""
    doc = on_aave(variant_doc("flash-crash"))
    doc["borrowers"]["count"] = 40
    doc["borrowers"]["size_usd"] = {"lognormal": {"median": "80k", "sigma": 1.0}}
    doc["cex"]["positions"]["count"] = 5_000
    doc["protocol"]["interest"] = dict(ZERO_INTEREST)
    # WETH at 80% where the origin's reserve states 82%: the drill's parameters are what runs.
    doc["protocol"]["collateral"]["WETH"] = {"ltv": "72%", "liquidation_threshold": "80%", "bonus": "5%"}
    return doc


@pytest.fixture(scope="module")
def runs(origin: AaveOrigin, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # USDC out of a holder's balance, WETH and WBTC dealt
    return fresh_and_forked(tmp_path_factory.mktemp("fork-drill"), _doc, origin.chain, origin.provider,
                            whales={"USDC": USDC_WHALE})


def test_the_fork_attaches_where_the_protocol_stands(runs: dict[str, Any], origin: AaveOrigin) -> None:
    fork: DrillRun = runs["fork"]
    assert fork.summary["status"] == "ok", fork.summary.get("error")
    info = fork.summary["protocol"]
    assert info["kind"] == "aave-v3"
    assert info["fork"]["address"] == origin.provider and info["fork"]["block"] == runs["fork_block"]
    assert info["fork"]["node"].startswith("http://127.0.0.1:")
    # what the origin's reserves stated before the drill's parameters replaced them (the origin's config)
    weth = info["fork"]["forked_params"]["WETH"]
    assert weth["liquidation_threshold_bps"] == 8_200
    # Every invariant held, checked on what the drill changed (somebody else's position is in the reserves).
    invariants = {i["name"]: i for i in fork.onchain["invariants"]}
    assert all(i["passed"] for i in invariants.values()), invariants
    assert "since the fork" in invariants["aToken supply = sum of scaled balances"]["detail"]
    # nothing minted on the fork: every token's supply is the origin's (deals and whale transfers mint nothing)
    usdc_supply = origin.chain.call(origin.market.base.functions.totalSupply())
    assert f"USDC: supply {usdc_supply}, at start {usdc_supply} + minted 0 - burned 0" in \
        invariants["token supply changes only by mint/burn"]["detail"]
    contracts = read_contracts(fork.run_dir / CONTRACTS_JSON).contracts
    # the drill drove Aave's own tokens and feeds, at their own addresses (taken over, not replaced)
    for sym in ("USDC", "WETH", "WBTC"):
        assert contracts[sym] == origin.tokens[sym]
        assert contracts[f"FEED_{sym}_USD"] == origin.feeds[sym].address
    assert contracts["LENDING_POOL"] == origin.aave.pool.address
    # the origin never saw the drill: its feed still answers the price it was given
    assert origin.chain.call(origin.feeds["WETH"].functions.latestAnswer()) == 3_000 * 10**8


def test_the_forked_protocol_liquidates_exactly_like_a_fresh_deployment(runs: dict[str, Any]) -> None:
    fresh, fork = amounts_by_key(runs["fresh"]), amounts_by_key(runs["fork"])
    assert len(fresh) >= 3, "the reduced flagship must liquidate on Aave"
    assert fork == fresh
    assert runs["fork"].onchain["bad_debt_usd"] == runs["fresh"].onchain["bad_debt_usd"]


def test_fork_mode_mistakes_are_refused_before_anything_starts(tmp_path: Path) -> None:
    doc = _doc()
    doc["protocol"]["address"] = "0x" + "11" * 20
    path = tmp_path / "no-fork.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(ConfigError, match="needs a chain to find it on") as info:
        preflight(path)
    assert "protocol.address" in str(info.value)
    doc = _doc()
    doc["protocol"]["kind"] = "reference"
    doc["chain"].update({"fork_url": "http://127.0.0.1:9", "backend": "revm"})
    doc["protocol"]["address"] = "0x" + "11" * 20
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(ConfigError) as info:
        preflight(path)
    text = str(info.value)
    assert "fork mode needs the anvil backend" in text and "cannot attach" in text


def test_a_dead_fork_url_is_exit_4_with_one_line_and_a_failed_summary(tmp_path: Path) -> None:
    doc = _doc()
    doc["chain"]["fork_url"] = "http://127.0.0.1:9"
    doc["protocol"]["address"] = "0x" + "11" * 20
    path = tmp_path / "dead.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = subprocess.run([sys.executable, "-m", "defidrill.cli", "run", str(path), "--out", str(tmp_path / "run")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 4, out.stdout + out.stderr
    assert "fork URL http://127.0.0.1:9 does not answer" in out.stderr and "Traceback" not in out.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "failed" and summary["exit_status"] == 4 and summary["steps_completed"] == 0


def test_a_whale_too_small_for_the_drill_is_one_clear_message(origin: AaveOrigin, tmp_path: Path) -> None:
    doc = _doc()
    doc["cex"] = {"enabled": False}
    doc["chain"].update({"fork_url": origin.chain.rpc_url, "whales": {"USDC": SMALL_USDC_WHALE}})
    doc["protocol"]["address"] = origin.provider
    path = tmp_path / "small-whale.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    expected = f"whale {checksum(SMALL_USDC_WHALE)} holds 10000000 raw USDC still unspent; the drill needs"
    with pytest.raises(ChainError, match=expected):
        run_drill(path, out_dir=tmp_path / "run", progress=False)
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["status"] == "failed"


def test_seeded_and_forked_borrowers_together(origin: AaveOrigin, tmp_path: Path) -> None:
    """`count` beside `from: protocol`: the drill's 5 drawn accounts and the origin's own borrower (100 WETH
    supplied, 150,000 USDC borrowed by somebody else), each tagged; the invariants hold with both."""
    doc = _doc()
    doc["cex"] = {"enabled": False}
    doc["market"]["duration"] = "2m"
    doc["amm"]["lps"] = {}
    doc.pop("expect", None)  # two minutes of the flagship: before its crash
    doc["borrowers"].update({"from": "protocol", "count": 5})
    doc["chain"].update({"fork_url": origin.chain.rpc_url})
    doc["protocol"]["address"] = origin.provider
    path = tmp_path / "both.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    run_drill(path, out_dir=tmp_path / "run", progress=False)
    run = load_run(tmp_path / "run", require_summary=True)
    assert run.summary is not None and run.summary["status"] == "ok", run.summary
    assert all(i["passed"] for i in run.summary["onchain"]["invariants"]), run.summary["onchain"]["invariants"]
    book = run.summary["protocol"]["fork"]["book"]
    assert (book["found"], book["kept"]) == (1, 1)
    rows = list(run.borrowers.rows())  # type: ignore[union-attr]
    assert [r["source"] for r in rows] == ["seeded"] * 5 + ["forked"]
    other = rows[-1]
    assert other["address"] == checksum(OTHER_USER) and other["collateral"] == "WETH" and other["index"] == "5"
    # 100 WETH x $3,000 (the drill's start price); 150,000 USDC; health 300,000 x 80% (the drill's WETH threshold) / 150,000
    assert float(other["collateral_usd"]) == 300_000.0 and float(other["debt_usd"]) == 150_000.0
    assert float(other["health"]) == pytest.approx(1.6, rel=1e-9)
