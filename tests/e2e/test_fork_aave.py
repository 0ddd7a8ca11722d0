"""Fork mode, offline: genuine Aave V3 deployed on one anvil (the "mainnet", its price feeds third-party
aggregators), a second anvil FORKING it; on the fork defidrill attaches to Aave by its PoolAddressesProvider,
maps reserves by symbol, takes over the WETH feed Aave reads, deals the keeper USDC by storage write, crashes
the price and sees Aave liquidate, seizing exactly what Aave's formula says. The origin never changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pytest

from defidrill.chain import AnvilConfig, Chain
from defidrill.chain.deal import deal
from defidrill.chain.fork import probe_fork_url
from defidrill.errors import ChainError, ConfigError
from defidrill.protocol.aave_v3.attach import attach_aave
from defidrill.protocol.aave_v3.deploy import VARIABLE_RATE
from defidrill.protocol.feeds import take_over_feed
from defidrill.toolchain import Artifacts
from support.aave_origin import deploy_aave_origin

ROOT = Path(__file__).resolve().parents[2]
USDC, WETH = 10**6, 10**18
def wad_div_half_up(a: int, b: int) -> int:
    """Aave's WadRayMath.wadDiv: a x 1e18 / b rounded half up."""
    return (a * 10**18 + b // 2) // b


@pytest.fixture(scope="module")
def origin(artifacts: Artifacts) -> Iterator[dict[str, Any]]:
    """The chain being forked: Aave over third-party feeds; a borrower with 10 WETH owing 22,000 USDC."""
    with Chain.launch(AnvilConfig(), artifacts) as chain:
        o = deploy_aave_origin(chain)
        borrower = chain.accounts[5]
        weth = o.market.tokens["WETH"]
        chain.transact(weth.functions.mint(borrower, 10 * WETH))
        chain.transact(weth.functions.approve(o.aave.pool.address, 2**256 - 1), sender=borrower)
        chain.transact(o.aave.pool.functions.supply(weth.address, 10 * WETH, borrower, 0), sender=borrower)
        chain.transact(o.aave.pool.functions.borrow(o.market.base.address, 22_000 * USDC, VARIABLE_RATE, 0, borrower),
                       sender=borrower)
        yield {"chain": chain, "provider": o.provider, "borrower": borrower, "feeds": o.feeds, "tokens": o.tokens}


def test_fork_attaches_takes_over_the_feed_and_liquidates(origin: dict[str, Any], artifacts: Artifacts) -> None:
    borrower = origin["borrower"]
    probe_fork_url(origin["chain"].rpc_url)
    with Chain.launch(AnvilConfig(fork_url=origin["chain"].rpc_url), artifacts) as fork:
        found = attach_aave(fork, origin["provider"], ["USDC", "WETH", "WBTC"])
        aave = found.deployment
        assert found.tokens == origin["tokens"]
        assert found.price_sources["WETH"] == origin["feeds"]["WETH"].address
        hf_wad = fork.call(aave.pool.functions.getUserAccountData(borrower))[5]
        assert hf_wad == wad_div_half_up(30_000 * 8_200, 22_000 * 10_000)  # 10 WETH x $3,000 x LT 82% / $22,000

        taken = take_over_feed(fork, found.price_sources["WETH"])
        old_round = (2 << 64) + 1
        assert fork.call(taken.handle.functions.getRoundData(old_round))[1] == 3_000 * 10**8  # forked storage, old code
        fork.transact(taken.handle.functions.transmit(2_600 * 10**8))
        assert fork.call(aave.oracle.functions.getAssetPrice(found.tokens["WETH"])) == 2_600 * 10**8
        hf_wad = fork.call(aave.pool.functions.getUserAccountData(borrower))[5]
        assert hf_wad == wad_div_half_up(26_000 * 8_200, 22_000 * 10_000) < 10**18

        keeper = fork.accounts[6]
        deal(fork, found.tokens["USDC"], keeper, 11_000 * USDC)
        usdc = fork.at("MintableERC20", found.tokens["USDC"])
        assert fork.call(usdc.functions.balanceOf(keeper)) == 11_000 * USDC
        fork.transact(usdc.functions.approve(aave.pool.address, 2**256 - 1), sender=keeper)
        receipt = fork.transact(aave.pool.functions.liquidationCall(found.tokens["WETH"], found.tokens["USDC"],
                                                                    borrower, 11_000 * USDC, False), sender=keeper)
        [event] = receipt.events_named("LiquidationCall")
        # Aave: base = debtPrice x repay x 10^collDecimals / (collPrice x 10^debtDecimals), then percentMul(10500)
        base = 10**8 * 11_000 * USDC * WETH // (2_600 * 10**8 * USDC)
        assert event["user"] == borrower and event["debtToCover"] == 11_000 * USDC
        assert event["liquidatedCollateralAmount"] == (base * 10_500 + 5_000) // 10_000

    # the origin never saw any of it
    o = origin["chain"]
    assert o.call(origin["feeds"]["WETH"].functions.latestAnswer()) == 3_000 * 10**8


def test_attach_refuses_a_missing_reserve_by_symbol(origin: dict[str, Any], artifacts: Artifacts) -> None:
    with Chain.launch(AnvilConfig(fork_url=origin["chain"].rpc_url), artifacts) as fork:
        with pytest.raises(ConfigError, match="has no reserve LUNA.*allowed: USDC, WBTC, WETH"):
            attach_aave(fork, origin["provider"], ["USDC", "LUNA"])
        with pytest.raises(ConfigError, match="no contract at"):
            attach_aave(fork, fork.accounts[8], ["USDC"])


def test_a_dead_fork_url_is_one_message_before_anything_starts() -> None:
    with pytest.raises(ChainError, match="fork URL http://127.0.0.1:9 does not answer") as info:
        probe_fork_url("http://127.0.0.1:9", timeout_s=2)
    assert info.value.exit_status == 4
    with pytest.raises(ConfigError, match="a fork URL is an http"):
        probe_fork_url("localhost:8545")
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    out = subprocess.run([sys.executable, "-m", "defidrill.cli", "chain", "up", "--fork-url", "http://127.0.0.1:9"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 4 and "does not answer" in out.stderr and out.stdout == "" and "Traceback" not in out.stderr


def test_fork_block_past_the_head_is_refused(origin: dict[str, Any]) -> None:
    head = origin["chain"].block_number()
    with pytest.raises(ConfigError, match=f"fork block {head + 100} is past the head"):
        probe_fork_url(origin["chain"].rpc_url, fork_block=head + 100)
