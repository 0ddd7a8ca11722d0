"""The chain the Compound-style fork tests fork: the example protocol over third-party feeds.

Shared by ``test_ctoken_fork.py`` (the drill's own book on a fork) and ``test_ctoken_fork_book.py``
(the forked book): a local anvil holding this folder's protocol, deployed by the adapter's own
``deploy`` as an address nobody holds a key for (``GOVERNOR``), over ``ForeignAggregator`` feeds, with
risk parameters other than the drill's (collateral factors WBTC 75% / WETH 85%, incentive 1.10, close
factor 40%, a 2 h staleness limit) and zero interest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctoken_adapter import CTokenAdapter

from defidrill.chain import Chain, Deployed
from defidrill.chain.abi_registry import checksum
from defidrill.protocol_terms.parameters import AssetSpec, CollateralSpec, OracleSpec, ProtocolSpec, RateModelSpec
from defidrill.protocol.market import Market, deploy_market
from support.e2e_runs import variant_doc
from support.foreign_feeds import with_foreign_feeds

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


def origin_config() -> ProtocolSpec:
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
def deployer(chain: Chain, address: str) -> Iterator[None]:
    """Deploy as ``address`` (anvil impersonates it): the protocol's admin roles go to it."""
    saved = chain.accounts[0]
    chain.accounts[0] = address
    try:
        yield
    finally:
        chain.accounts[0] = saved


def deploy_ctoken_origin(chain: Chain) -> CTokenOrigin:
    """The protocol deployed as ``GOVERNOR``, who is then left without ETH (the fork must give the admin its gas)."""
    config = origin_config()
    market = deploy_market(chain, config)
    on_foreign_feeds = with_foreign_feeds(chain, market, PRICES_USD)
    chain.set_balance(GOVERNOR, 10**22)
    with deployer(chain, GOVERNOR):
        adapter = CTokenAdapter.deploy(chain, on_foreign_feeds, config)
    chain.set_balance(GOVERNOR, 0)
    return CTokenOrigin(chain, market, adapter, on_foreign_feeds.feeds)


def flagship_doc() -> dict[str, Any]:
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
