"""Typed configuration of a lending protocol: what `deploy` builds (the reference pool, or an adapter maps).

The protocol side's own model; :mod:`defidrill.drill.protocol_spec` translates a drill file's
`protocol:` and `amm:` sections into it. Rates and shares are in basis points or wad, named so;
prices in USD per whole token. Pure: the chain side deploys it, nothing here touches a chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Chainlink OCR aggregators' default bounds when a feed sets none: 1 raw unit and int192 max.
DEFAULT_MIN_ANSWER_RAW = 1
DEFAULT_MAX_ANSWER_RAW = 2**191 - 1


class OracleMode(str, Enum):
    GUARDED = "guarded"
    NAIVE = "naive"
    AMM_SPOT = "amm_spot"
    TWAP = "twap"


class FallbackKind(str, Enum):
    NONE = "none"
    FEED = "feed"  # a second Chainlink-style feed (the drill's fallback_divergence moves it)
    TWAP = "twap"  # the AMM TWAP oracle


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AssetSpec(_Strict):
    symbol: str
    decimals: int = Field(ge=0, le=36)
    price_usd: float = Field(gt=0)
    feed_decimals: int = Field(8, ge=0, le=36)
    min_answer_usd: float | None = Field(None, ge=0, description="feed's minAnswer (None = 1 raw unit)")
    max_answer_usd: float | None = Field(None, gt=0, description="feed's maxAnswer (None = int192 max)")
    max_staleness_s: int | None = Field(None, gt=0,
                                       description="the guard's staleness limit for this asset (None = the oracle's)")


class CollateralSpec(_Strict):
    ltv_bps: int = Field(ge=0, le=10_000)
    liquidation_threshold_bps: int = Field(gt=0, le=10_000)
    liquidation_bonus_bps: int = Field(ge=0, le=5_000)
    supply_cap_raw: int = Field(0, ge=0, description="0 = no cap")

    @model_validator(mode="after")
    def _ltv_below_threshold(self) -> CollateralSpec:
        if self.ltv_bps > self.liquidation_threshold_bps:
            raise ValueError("ltv_bps must not exceed liquidation_threshold_bps")
        return self


class OracleSpec(_Strict):
    mode: OracleMode = OracleMode.GUARDED
    max_staleness_s: int = Field(3600, gt=0)
    max_deviation_bps: int = Field(2000, ge=0, le=65_535, description="0 = breaker off")
    check_bounds: bool = True
    bound_buffer_bps: int = Field(0, ge=0, le=10_000)
    fallback: FallbackKind = FallbackKind.NONE
    sequencer: bool = False
    grace_period_s: int = Field(3600, ge=0)
    twap_window_s: int = Field(1800, gt=0)
    twap_granularity: int = Field(6, ge=1, le=1000)


class RateModelSpec(_Strict):
    """Kinked model, per year, wad. Defaults near Aave V3's USDC market (optimal usage 80-90%)."""

    base_rate_wad: int = 0
    slope1_wad: int = 4 * 10**16
    slope2_wad: int = 75 * 10**16
    kink_wad: int = 80 * 10**16


class ExternalSpec(_Strict):
    """A user's adapter (``protocol: {kind: external}``): the class, where its build is, its options."""

    adapter: str = Field(description="package.module:Class")
    artifacts_dir: Path | None = Field(None, description="the user's build or sources (resolved against the drill file)")
    contracts: list[str] = Field(default_factory=list, description="`artifacts.contracts`: sources to compile, "
                                 "contract names to require (pass both to load_artifacts)")
    solc: str | None = Field(None, description="`artifacts.solc`: the solc-js version to compile the sources with")
    options: dict[str, Any] = Field(default_factory=dict, description="free-form, for the adapter to read")


class ProtocolSpec(_Strict):
    external: ExternalSpec | None = None
    base: AssetSpec = AssetSpec(symbol="USDC", decimals=6, price_usd=1.0)
    collaterals: dict[str, tuple[AssetSpec, CollateralSpec]] = Field(
        default_factory=lambda: {
            "WBTC": (AssetSpec(symbol="WBTC", decimals=8, price_usd=60_000.0),
                     CollateralSpec(ltv_bps=7000, liquidation_threshold_bps=7800, liquidation_bonus_bps=600)),
            "WETH": (AssetSpec(symbol="WETH", decimals=18, price_usd=3_000.0),
                     CollateralSpec(ltv_bps=7500, liquidation_threshold_bps=8200, liquidation_bonus_bps=500)),
        }
    )
    pair_liquidity_usd: dict[str, float] = Field(
        default_factory=lambda: {"WBTC": 20_000_000.0, "WETH": 20_000_000.0},
        description="per collateral symbol: total value of both sides of its /base pair",
    )
    lender_supply_usd: float = Field(50_000_000.0, ge=0)
    oracle: OracleSpec = OracleSpec()
    close_factor_bps: int = Field(5000, gt=0, le=10_000)
    full_close_below_hf_wad: int = Field(95 * 10**16, gt=0)
    rate_model: RateModelSpec = RateModelSpec()
    reserve_factor_bps: int = Field(1000, ge=0, le=10_000)

    @model_validator(mode="after")
    def _pairs_name_collaterals(self) -> ProtocolSpec:
        unknown = set(self.pair_liquidity_usd) - set(self.collaterals)
        if unknown:
            raise ValueError(f"pair_liquidity_usd names unknown collaterals: {sorted(unknown)}")
        return self

    def asset(self, symbol: str) -> AssetSpec:
        if symbol == self.base.symbol:
            return self.base
        return self.collaterals[symbol][0]


@dataclass(frozen=True)
class ForkedUnits:
    """The decimals the forked tokens and feeds state: the drill's amounts are converted with these."""

    token_decimals: dict[str, int]
    feed_decimals: dict[str, int]


def token_decimals(symbol: str) -> int:
    """Decimals of the drill's tokens: the real ones for known symbols, 18 otherwise."""
    return {"USDC": 6, "USDT": 6, "WBTC": 8, "DAI": 18, "WETH": 18}.get(symbol, 18)
