"""The chain a fork test forks: genuine Aave V3 deployed over third-party price feeds.

Shared by the fork tests (tests/e2e/test_fork_*.py): anvil forks anvil, so "mainnet" here is a
local anvil holding a market (USDC, WETH, WBTC as MintableERC20s), one ``ForeignAggregator`` per
asset (a feed we did not write the drill's way: no ``transmit``, 8 decimals, its own round ids)
and Aave V3 from the npm package's artifacts reading them. Interest rates are zero, so amounts on
the fork can be compared with a fresh deployment to the raw unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from defidrill.chain import Chain, Deployed
from defidrill.protocol.aave_v3.deploy import AaveDeployment, deploy_aave
from defidrill.protocol_terms.parameters import OracleSpec, ProtocolSpec, RateModelSpec
from defidrill.protocol.market import Market, deploy_market
from support.foreign_feeds import with_foreign_feeds

CONFIG = ProtocolSpec(rate_model=RateModelSpec(base_rate_wad=0, slope1_wad=0, slope2_wad=0, kink_wad=8 * 10**17),
                        lender_supply_usd=1_000_000.0, oracle=OracleSpec())
PRICES_USD = {"USDC": 1, "WETH": 3_000, "WBTC": 60_000}
#: Holders of the origin's USDC, for drills that fund agents from a whale (``chain.whales``).
USDC_WHALE = "0x" + "5a" * 20
USDC_WHALE_HOLDS_RAW = 500_000_000 * 10**6
SMALL_USDC_WHALE = "0x" + "5b" * 20


@dataclass(frozen=True)
class AaveOrigin:
    chain: Chain
    market: Market
    aave: AaveDeployment
    feeds: dict[str, Deployed]  # symbol -> the ForeignAggregator Aave reads

    @property
    def provider(self) -> str:
        return self.aave.provider.address

    @property
    def tokens(self) -> dict[str, str]:
        return {s: t.address for s, t in self.market.tokens.items()}


def deploy_aave_origin(chain: Chain) -> AaveOrigin:
    market = deploy_market(chain, CONFIG)
    on_foreign_feeds = with_foreign_feeds(chain, market, PRICES_USD)
    aave = deploy_aave(chain, on_foreign_feeds)
    chain.transact(market.base.functions.mint(USDC_WHALE, USDC_WHALE_HOLDS_RAW))
    chain.transact(market.base.functions.mint(SMALL_USDC_WHALE, 10 * 10**6))
    return AaveOrigin(chain, market, aave, on_foreign_feeds.feeds)
