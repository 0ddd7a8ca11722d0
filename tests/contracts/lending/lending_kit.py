"""Arranges lending-pool state for tests: tokens with real decimals, a fixed-price oracle, the pool.

The kit only deploys, funds and sends; every expected number is worked out in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from defidrill.chain import Chain
from defidrill.chain.types import Deployed, Receipt

WAD = 10**18
MAX_UINT = 2**256 - 1
# Explicit gas for every transaction: the node's estimate runs in a block whose timestamp may equal the
# pool's last accrual (accrual skipped) while the mined block's is one second later (accrual paid), so an
# estimated limit can fall a few thousand gas short. Failed txs are still decoded by replay.
TX_GAS = 3_000_000


@dataclass(frozen=True)
class Listing:
    """A collateral's test parameters (ltv, threshold, bonus in bps; price USD per whole token, Wad)."""

    symbol: str
    decimals: int
    price_usd_wad: int
    ltv_bps: int
    threshold_bps: int
    bonus_bps: int
    supply_cap_raw: int = 0


# WBTC and WETH parameters follow DESIGN.md's example drill; STK6 is a 6-decimals collateral.
DEFAULT_LISTINGS = (
    Listing("WBTC", 8, 60_000 * WAD, 7000, 7800, 600),
    Listing("WETH", 18, 3_000 * WAD, 7500, 8200, 500),
    Listing("STK6", 6, 2 * WAD, 6000, 7000, 1000),
)


@dataclass
class LendingKit:
    chain: Chain
    pool: Deployed
    oracle: Deployed
    usdc: Deployed
    tokens: dict[str, Deployed] = field(default_factory=dict)
    listings: dict[str, Listing] = field(default_factory=dict)

    @property
    def deployer(self) -> str:
        return self.chain.accounts[0]

    @property
    def f(self) -> Any:
        """The pool's bound functions."""
        return self.pool.functions

    # ------------------------------------------------------------ deploy
    @classmethod
    def deploy(cls, chain: Chain, listings: tuple[Listing, ...] = DEFAULT_LISTINGS, base_decimals: int = 6) -> LendingKit:
        usdc = chain.deploy("MintableERC20", "Test USDC", "USDC", base_decimals)
        oracle = chain.deploy("FixedPriceOracle")
        pool = chain.deploy("LendingPool", usdc.address, oracle.address)
        kit = cls(chain, pool, oracle, usdc)
        kit.set_price(usdc, WAD)
        for listing in listings:
            kit.list(listing)
        return kit

    def list(self, listing: Listing) -> Deployed:
        token = self.chain.deploy("MintableERC20", f"Test {listing.symbol}", listing.symbol, listing.decimals)
        self.tokens[listing.symbol] = token
        self.listings[listing.symbol] = listing
        self.set_price(token, listing.price_usd_wad)
        self.send(
            self.f.listCollateral(
                token.address, listing.ltv_bps, listing.threshold_bps, listing.bonus_bps, listing.supply_cap_raw
            ),
            sender=self.deployer,
        )
        return token

    def send(self, fn: Any, *, sender: str) -> Receipt:
        """One transaction with a fixed gas limit (see TX_GAS)."""
        return self.chain.transact(fn, sender=sender, gas=TX_GAS)

    # ------------------------------------------------------------ admin
    def set_price(self, token: Deployed, price_usd_wad: int) -> None:
        self.send(self.oracle.functions.setPrice(token.address, price_usd_wad), sender=self.deployer)

    def set_available(self, token: Deployed, available: bool) -> None:
        self.send(self.oracle.functions.setAvailable(token.address, available), sender=self.deployer)

    def set_rate_model(self, base: int, slope1: int, slope2: int, kink: int) -> None:
        self.send(self.f.setRateModel(base, slope1, slope2, kink), sender=self.deployer)

    def zero_rates(self) -> None:
        """Indices stay at 1e18, so debts are exactly what was borrowed whatever the block times."""
        self.set_rate_model(0, 0, 0, 8 * 10**17)

    # ------------------------------------------------------------ tokens
    def mint(self, token: Deployed, to: str, amount_raw: int) -> None:
        self.send(token.functions.mint(to, amount_raw), sender=self.deployer)

    def approve(self, token: Deployed, owner: str, spender: str | None = None) -> None:
        self.send(token.functions.approve(spender or self.pool.address, MAX_UINT), sender=owner)

    def balance(self, token: Deployed, who: str) -> int:
        return self.chain.call(token.functions.balanceOf(who))

    # ------------------------------------------------------------ actions
    def supply(self, who: str, amount_base: int) -> Receipt:
        self.mint(self.usdc, who, amount_base)
        self.approve(self.usdc, who)
        return self.send(self.f.supply(amount_base), sender=who)

    def deposit(self, who: str, symbol: str, amount_raw: int) -> Receipt:
        token = self.tokens[symbol]
        self.mint(token, who, amount_raw)
        self.approve(token, who)
        return self.send(self.f.depositCollateral(token.address, amount_raw), sender=who)

    def borrow(self, who: str, amount_base: int) -> Receipt:
        return self.send(self.f.borrow(amount_base), sender=who)

    def fund_liquidator(self, who: str, amount_base: int) -> None:
        self.mint(self.usdc, who, amount_base)
        self.approve(self.usdc, who)

    def liquidate(self, liquidator: str, account: str, symbol: str, repay_base: int) -> Receipt:
        token = self.tokens[symbol]
        return self.send(self.f.liquidate(account, token.address, repay_base), sender=liquidator)

    # ------------------------------------------------------------ views
    def call(self, fn: Any) -> Any:
        return self.chain.call(fn)

    def account_data(self, who: str) -> tuple[int, ...]:
        return tuple(self.chain.call(self.f.accountData(who)))

    def invariant_gap_base(self) -> int:
        """cash + totalBorrow - totalSupply - totalReserves: 0 to the raw unit (the pool books its rounding as reserves)."""
        c = self.chain
        return (
            c.call(self.f.cash()) + c.call(self.f.totalBorrow()) - c.call(self.f.totalSupply())
            - c.call(self.f.totalReserves())
        )
