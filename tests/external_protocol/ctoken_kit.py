"""The Compound-style protocol deployed over defidrill's market, for its contract and adapter tests.

One deployment per session (``conftest.py``), every test on a snapshot. Parameters:
WBTC (8 decimals, $60,000, collateral factor 78%) and WETH (18, $3,000, 82%) against USDC (6,
$1); liquidation incentive 1.08e18 (both bonuses 8%), close factor 50%, zero interest (the rate
model's slopes are 0) so balances do not move between blocks unless a test says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ctoken_adapter import CTokenAdapter, initial_exchange_rate

from defidrill.chain import Chain, Deployed
from defidrill.protocol.adapter import MAX_UINT, SeedPosition
from defidrill.protocol_terms.parameters import AssetSpec, CollateralSpec, ProtocolSpec, RateModelSpec
from defidrill.protocol.market import Market, deploy_market

WAD = 10**18
FEED_DECIMALS = 8
PRICES_USD = {"USDC": 1, "WBTC": 60_000, "WETH": 3_000}
DECIMALS = {"USDC": 6, "WBTC": 8, "WETH": 18}
COLLATERAL_FACTOR_BPS = {"WBTC": 7800, "WETH": 8200}
INCENTIVE_WAD = 108 * 10**16
LENDER_SUPPLY_USD = 5_000_000


def config() -> ProtocolSpec:
    return ProtocolSpec(
        base=AssetSpec(symbol="USDC", decimals=6, price_usd=1.0),
        collaterals={s: (AssetSpec(symbol=s, decimals=DECIMALS[s], price_usd=float(PRICES_USD[s])),
                         CollateralSpec(ltv_bps=COLLATERAL_FACTOR_BPS[s] - 500,
                                        liquidation_threshold_bps=COLLATERAL_FACTOR_BPS[s], liquidation_bonus_bps=800))
                     for s in ("WBTC", "WETH")},
        pair_liquidity_usd={"WBTC": 20_000_000.0, "WETH": 20_000_000.0},
        lender_supply_usd=LENDER_SUPPLY_USD,
        rate_model=RateModelSpec(base_rate_wad=0, slope1_wad=0, slope2_wad=0, kink_wad=8 * 10**17),
    )


def price_mantissa(symbol: str, usd: float | Fraction) -> int:
    """The oracle's price: the feed answer (8 decimals) x 10^(36 - token decimals - 8)."""
    answer = int(Fraction(usd) * 10**FEED_DECIMALS)
    return answer * 10 ** (36 - DECIMALS[symbol] - FEED_DECIMALS)


def expected_seize_tokens(repay_raw: int, price_borrowed: int, price_collateral: int, exchange_rate: int,
                          incentive: int = INCENTIVE_WAD) -> int:
    """Compound's liquidateCalculateSeizeTokens, truncation by truncation."""
    numerator = incentive * price_borrowed // WAD
    denominator = price_collateral * exchange_rate // WAD
    ratio = numerator * WAD // denominator
    return ratio * repay_raw // WAD


@dataclass
class CTokenKit:
    chain: Chain
    market: Market
    adapter: CTokenAdapter

    @classmethod
    def deploy(cls, chain: Chain) -> CTokenKit:
        cfg = config()
        market = deploy_market(chain, cfg)
        return cls(chain, market, CTokenAdapter.deploy(chain, market, cfg))

    # handles
    @property
    def comptroller(self) -> Deployed:
        return self.adapter.contracts["COMPTROLLER"]

    @property
    def oracle(self) -> Deployed:
        return self.adapter.contracts["PRICE_ORACLE"]

    @property
    def router(self) -> Deployed:
        return self.adapter.contracts["LIQUIDATION_ROUTER"]

    def c(self, symbol: str) -> Deployed:
        return self.adapter.ctokens[symbol]

    def token(self, symbol: str) -> Deployed:
        return self.market.tokens[symbol]

    # actions
    def fund(self, account: str, symbol: str, amount_raw: int, spender: str | None = None) -> None:
        self.chain.transact(self.token(symbol).functions.mint(account, amount_raw))
        self.chain.transact(self.token(symbol).functions.approve(spender or self.c(symbol).address, MAX_UINT),
                            sender=account)

    def open(self, account: str, symbol: str, collateral_raw: int, debt_raw: int) -> None:
        """Collateral supplied for ``account`` by the deployer (mintBehalf), then ``account`` borrows."""
        me = self.chain.deployer
        self.chain.transact(self.token(symbol).functions.mint(me, collateral_raw))
        self.adapter.open_positions(self.chain, me, [SeedPosition(account, symbol, collateral_raw, debt_raw, "test")])

    def set_price(self, symbol: str, usd: float) -> None:
        self.chain.transact(self.market.feeds[symbol].functions.transmit(int(Fraction(usd) * 10**FEED_DECIMALS)),
                            gas=500_000)

    def liquidity(self, account: str) -> tuple[int, int, int]:
        return self.chain.call(self.comptroller.functions.getAccountLiquidity(account))


def initial_rate(symbol: str) -> int:
    return initial_exchange_rate(DECIMALS[symbol])
