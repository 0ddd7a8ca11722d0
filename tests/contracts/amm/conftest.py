"""Fixtures for the AMM tests: three assets with real decimals, a factory, a router, and a kit.

The kit only arranges state (deploy, fund, seed pools, read reserves); assertions stay in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from amm_formulas import MINIMUM_LIQUIDITY

FAR_FUTURE_S = 2**40  # a deadline no test reaches


@dataclass
class PairHandle:
    """A deployed pair with its two tokens in the pair's own order (token0 < token1 by address)."""

    pair: Any
    token0: Any
    token1: Any

    @property
    def address(self) -> str:
        return self.pair.address


class AmmKit:
    """Arranges AMM state for tests through the `chain` fixture."""

    def __init__(self, chain: Any, factory: Any, router: Any) -> None:
        self.chain = chain
        self.factory = factory
        self.router = router
        self.deployer = chain.accounts[0]

    # ------------------------------------------------------------ deploy / bind
    def token(self, symbol: str, decimals: int) -> Any:
        return self.chain.deploy("MintableERC20", f"Test {symbol}", symbol, decimals)

    def pair_at(self, address: str) -> Any:
        """Bind the AmmPair ABI at `address` (pairs are deployed by the factory, not by the test)."""
        return self.chain.at("AmmPair", address)

    def create_pair(self, token_a: Any, token_b: Any) -> PairHandle:
        f = self.factory.contract.functions
        self.chain.transact(f.createPair(token_a.address, token_b.address), sender=self.deployer)
        pair = self.pair_at(self.chain.call(f.getPair(token_a.address, token_b.address)))
        lo, hi = sorted([token_a, token_b], key=lambda t: int(t.address, 16))
        return PairHandle(pair=pair, token0=lo, token1=hi)

    # ------------------------------------------------------------ balances
    def mint(self, token: Any, to: str, amount_raw: int) -> None:
        self.chain.transact(token.contract.functions.mint(to, amount_raw), sender=self.deployer)

    def send(self, token: Any, to: str, amount_raw: int, sender: str | None = None) -> None:
        """Transfer from `sender` (default deployer, minting to it first)."""
        if sender is None:
            sender = self.deployer
            self.mint(token, sender, amount_raw)
        self.chain.transact(token.contract.functions.transfer(to, amount_raw), sender=sender)

    def balance(self, token: Any, who: str) -> int:
        return self.chain.call(token.contract.functions.balanceOf(who))

    def approve_router(self, token: Any, owner: str) -> None:
        self.chain.transact(token.contract.functions.approve(self.router.address, 2**256 - 1), sender=owner)

    # ------------------------------------------------------------ pair state
    def reserves(self, h: PairHandle) -> tuple[int, int, int]:
        return tuple(self.chain.call(h.pair.contract.functions.getReserves()))

    def supply(self, h: PairHandle) -> int:
        return self.chain.call(h.pair.contract.functions.totalSupply())

    def seed(self, h: PairHandle, amount0_raw: int, amount1_raw: int, to: str | None = None) -> Any:
        """Deposit straight into the pair (no router) and mint shares to `to`; returns the receipt."""
        self.send(h.token0, h.address, amount0_raw)
        self.send(h.token1, h.address, amount1_raw)
        return self.chain.transact(h.pair.contract.functions.mint(to or self.deployer), sender=self.deployer)


TX_GAS = 3_000_000


@pytest.fixture(autouse=True)
def _fixed_gas(chain: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Send AMM transactions with a fixed gas limit instead of the node's estimate.

    Why: anvil estimates gas for the pending block as if no time had passed since the last one, so a
    swap/mint/burn/sync that lands in a later second also writes the cumulative prices and can run out
    of the estimated gas (measured: 3 of 300 back-to-back swaps). Reverts are still decoded (replayed).
    """
    transact = chain.transact

    def with_gas(fn: Any, *, gas: int | None = None, **kwargs: Any) -> Any:
        return transact(fn, gas=gas or TX_GAS, **kwargs)

    monkeypatch.setattr(chain, "transact", with_gas)


@pytest.fixture
def alice(chain: Any) -> str:
    return chain.accounts[1]


@pytest.fixture
def bob(chain: Any) -> str:
    return chain.accounts[2]


@pytest.fixture
def factory(chain: Any, deployer: str) -> Any:
    return chain.deploy("AmmFactory", deployer)


@pytest.fixture
def router(chain: Any, factory: Any) -> Any:
    return chain.deploy("AmmRouter", factory.address)


@pytest.fixture
def kit(chain: Any, factory: Any, router: Any) -> AmmKit:
    return AmmKit(chain, factory, router)


@pytest.fixture
def wbtc(kit: AmmKit) -> Any:
    return kit.token("WBTC", 8)


@pytest.fixture
def weth(kit: AmmKit) -> Any:
    return kit.token("WETH", 18)


@pytest.fixture
def usdc(kit: AmmKit) -> Any:
    return kit.token("USDC", 6)


@pytest.fixture
def tka(kit: AmmKit) -> Any:
    return kit.token("TKA", 18)


@pytest.fixture
def tkb(kit: AmmKit) -> Any:
    return kit.token("TKB", 18)


@pytest.fixture
def ab_pair(kit: AmmKit, tka: Any, tkb: Any) -> PairHandle:
    """An empty 18/18-decimals pair."""
    return kit.create_pair(tka, tkb)


__all__ = ["AmmKit", "PairHandle", "FAR_FUTURE_S", "MINIMUM_LIQUIDITY"]
