"""A genuine Morpho Blue deployment (npm @morpho-org/morpho-blue 1.0.0) on the session's anvil, for the tests here.

No interest (``irm = address(0)``) and no fee so amounts can be worked out by hand: WETH at $3,000
(LLTV 86%), WBTC at $60,000 (LLTV 77%), USDC at $1, feeds with 8 decimals, the guard in naive
mode (Morpho's own behaviour: the feed's answer as is) unless a test deploys its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from defidrill.chain import ChainAPI
from defidrill.protocol.adapter import SeedPosition
from defidrill.protocol_terms.amounts import price_to_answer_half_even
from defidrill.protocol_terms.parameters import AssetSpec, CollateralSpec, OracleMode, OracleSpec, ProtocolSpec, RateModelSpec
from defidrill.protocol.market import Market
from defidrill.protocol.morpho_blue.adapter import MorphoBlueAdapter

USDC = 10**6
WETH = 10**18
WBTC = 10**8
WAD = 10**18
ZERO_RATES = RateModelSpec(base_rate_wad=0, slope1_wad=0, slope2_wad=0, kink_wad=8 * 10**17)
CONFIG = ProtocolSpec(
    rate_model=ZERO_RATES, reserve_factor_bps=0, lender_supply_usd=1_000_000.0,
    oracle=OracleSpec(mode=OracleMode.NAIVE),
    collaterals={
        "WETH": (AssetSpec(symbol="WETH", decimals=18, price_usd=3_000.0),
                 CollateralSpec(ltv_bps=8000, liquidation_threshold_bps=8600, liquidation_bonus_bps=500)),
        "WBTC": (AssetSpec(symbol="WBTC", decimals=8, price_usd=60_000.0),
                 CollateralSpec(ltv_bps=7000, liquidation_threshold_bps=7700, liquidation_bonus_bps=600)),
    },
    pair_liquidity_usd={"WETH": 20_000_000.0, "WBTC": 20_000_000.0},
)


@dataclass
class MorphoWorld:
    chain: ChainAPI
    market: Market
    adapter: MorphoBlueAdapter

    @property
    def funder(self) -> str:
        return self.chain.deployer

    @property
    def morpho(self) -> Any:
        return self.adapter.d.morpho

    def set_price(self, symbol: str, price_usd: float) -> None:
        self.chain.transact(self.market.feeds[symbol].functions.transmit(price_to_answer_half_even(price_usd, 8)))

    def open(self, account: str, symbol: str, collateral_raw: int, debt_base: int) -> None:
        self.chain.transact(self.market.tokens[symbol].functions.mint(self.funder, collateral_raw))
        self.chain.set_automine(False)  # as the engine seeds: each phase one mined block
        try:
            self.adapter.open_positions(self.chain, self.funder,
                                        [SeedPosition(account, symbol, collateral_raw, debt_base, f"borrower {account}")])
        finally:
            self.chain.set_automine(True)

    def scan(self, *accounts: str) -> Any:
        reads = self.adapter.prepare_reads(self.chain, list(accounts))
        return self.adapter.decode_reads(self.chain.call_many(reads))

    def market_state(self, symbol: str) -> tuple[int, ...]:
        """(totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares, lastUpdate, fee)."""
        return tuple(self.chain.call(self.morpho.functions.market(self.adapter.d.ids()[symbol])))

    def position(self, symbol: str, account: str) -> tuple[int, int, int]:
        """(supplyShares, borrowShares, collateral)."""
        return tuple(self.chain.call(self.morpho.functions.position(self.adapter.d.ids()[symbol], account)))

    def fund_keeper(self, keeper: str, amount_base: int) -> None:
        self.chain.transact(self.market.base.functions.mint(keeper, amount_base))
        self.chain.transact(self.market.base.functions.approve(self.adapter.spender, 2**256 - 1), sender=keeper)
