"""A genuine Aave V3 market (npm @aave/core-v3 1.19.3) on the session's anvil, deployed once per module.

Interest rates are zero so debts do not grow between blocks and every amount can be
worked out by hand: WETH at $3,000 (LTV 75%, LT 82%, bonus 5%), WBTC at $60,000 (70%,
78%, 6%), USDC at $1, feeds with 8 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterator

import pytest

from defidrill.chain import Chain
from defidrill.protocol.aave_v3.adapter import AaveV3Adapter
from defidrill.protocol.adapter import SeedPosition
from defidrill.protocol_terms.amounts import price_to_answer_half_even
from defidrill.protocol_terms.parameters import OracleSpec, ProtocolSpec, RateModelSpec
from defidrill.protocol.market import Market, deploy_market

USDC = 10**6
WETH = 10**18
ZERO_RATES = RateModelSpec(base_rate_wad=0, slope1_wad=0, slope2_wad=0, kink_wad=8 * 10**17)
CONFIG = ProtocolSpec(rate_model=ZERO_RATES, lender_supply_usd=1_000_000.0,
                        oracle=OracleSpec(sequencer=True, grace_period_s=3600))


@dataclass
class AaveWorld:
    chain: Chain
    market: Market
    adapter: AaveV3Adapter

    @property
    def funder(self) -> str:
        return self.chain.deployer

    def set_price(self, symbol: str, price_usd: float) -> None:
        feed = self.market.feeds[symbol]
        self.chain.transact(feed.functions.transmit(price_to_answer_half_even(price_usd, 8)))

    def open(self, account: str, symbol: str, collateral_raw: int, debt_base: int) -> None:
        token = self.market.tokens[symbol]
        self.chain.transact(token.functions.mint(self.funder, collateral_raw))
        self.chain.set_automine(False)  # as the engine seeds: each phase one mined block
        try:
            self.adapter.open_positions(self.chain, self.funder,
                                        [SeedPosition(account, symbol, collateral_raw, debt_base, f"borrower {account}")])
        finally:
            self.chain.set_automine(True)

    def debt(self, account: str) -> int:
        return self.chain.call(self.adapter.aave.reserves["USDC"].variable_debt.functions.balanceOf(account))

    def a_balance(self, symbol: str, account: str) -> int:
        return self.chain.call(self.adapter.aave.reserves[symbol].a_token.functions.balanceOf(account))

    def fund_keeper(self, keeper: str, amount_base: int) -> None:
        self.chain.transact(self.market.base.functions.mint(keeper, amount_base))
        self.chain.transact(self.market.base.functions.approve(self.adapter.spender, 2**256 - 1), sender=keeper)

    def past_grace(self) -> None:
        """Move past the sentinel's grace period (the uptime feed was deployed with the market)."""
        self.chain.advance(3601)


@pytest.fixture(scope="module")
def aave_module(session_chain: Chain) -> Iterator[AaveWorld]:
    snapshot = session_chain.snapshot()
    market = deploy_market(session_chain, CONFIG)
    adapter = AaveV3Adapter.deploy(session_chain, market, CONFIG)
    try:
        yield AaveWorld(session_chain, market, adapter)
    finally:
        session_chain.revert(snapshot)


@pytest.fixture
def aave(aave_module: AaveWorld) -> Iterator[AaveWorld]:
    with aave_module.chain.isolated():
        yield aave_module
