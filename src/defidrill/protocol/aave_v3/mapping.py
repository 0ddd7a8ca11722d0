"""What a drill's protocol config becomes on Aave V3, and what Aave cannot express (refused).

Aave V3 states risk in basis points (``liquidationBonus`` 10500 = a 5% bonus), rates in
ray (1e27) per year, supply caps in whole tokens, prices in the oracle's base currency
(here USD, 1e8 per dollar). It fixes the close factor (50%, 100% at HF <= 0.95:
``LiquidationLogic.CLOSE_FACTOR_HF_THRESHOLD``) and has no oracle guard: ``AaveOracle``
returns the source's ``latestAnswer()`` as is (no staleness, bound or deviation check); its
only defence against a broken L2 is the ``PriceOracleSentinel``.
"""

from __future__ import annotations

from dataclasses import dataclass

from defidrill.protocol.adapter_kit import raise_refusals
from defidrill.protocol_terms.fixed_point import BPS, div_up
from defidrill.protocol_terms.parameters import FallbackKind, OracleMode, ProtocolSpec

RAY_PER_WAD = 10**9
#: The only close factor rule Aave V3 has (LiquidationLogic constants).
AAVE_CLOSE_FACTOR_BPS = 5000
AAVE_FULL_CLOSE_BELOW_HF_WAD = 95 * 10**16
#: AaveOracle's base currency: address(0) = USD, 1e8 per dollar (Chainlink USD feeds' decimals).
BASE_CURRENCY_UNIT = 10**8
FEED_DECIMALS = 8

FIXED_BY_PROTOCOL = {
    "close_factor": "50%, 100% at HF <= 0.95 (Aave V3 LiquidationLogic CLOSE_FACTOR_HF_THRESHOLD)",
    "oracle": "AaveOracle reads each feed's latestAnswer() as is: no staleness, bound, deviation or round checks",
    "interest": "variable debt compounds per second (Aave's MathUtils); the reference pool accrues simple interest",
    "supply_cap": "whole tokens (a drill's cap is rounded up to the next whole token)",
}


@dataclass(frozen=True)
class ReserveRisk:
    """One collateral reserve as ``configureReserveAsCollateral`` takes it (basis points)."""

    ltv_bps: int
    liquidation_threshold_bps: int
    liquidation_bonus_bps: int  # Aave's form: 10000 + the bonus (10500 = 5%)
    supply_cap_tokens: int  # 0 = no cap


@dataclass(frozen=True)
class RateStrategy:
    """DefaultReserveInterestRateStrategy's variable-rate arguments, ray per year."""

    optimal_usage_ratio_ray: int
    base_variable_borrow_rate_ray: int
    variable_rate_slope1_ray: int
    variable_rate_slope2_ray: int


def refusals(config: ProtocolSpec) -> list[tuple[str, str]]:
    """(config path, why Aave V3 cannot express it) for every field it cannot run as asked."""
    out: list[tuple[str, str]] = []
    if config.close_factor_bps != AAVE_CLOSE_FACTOR_BPS or config.full_close_below_hf_wad != AAVE_FULL_CLOSE_BELOW_HF_WAD:
        out.append(("close_factor", "Aave V3 fixes the close factor at 50%, 100% at HF <= 0.95; "
                                    "leave close_factor out or set {default: 50%, full_below_hf: 0.95}"))
    if config.oracle.mode in (OracleMode.AMM_SPOT, OracleMode.TWAP):
        out.append(("oracle.mode", f"AaveOracle reads Chainlink-style feeds only, not {config.oracle.mode.value} "
                                   "prices; use guarded or naive (both mean Aave's own oracle)"))
    if config.oracle.fallback is not FallbackKind.NONE:
        out.append(("failures", "a fallback_divergence failure needs a fallback feed: AaveOracle's fallback is consulted only "
                                "when a feed answers <= 0 and must be an IPriceOracleGetter, not a second feed or a TWAP"))
    for sym in [config.base.symbol, *config.collaterals]:
        if config.asset(sym).feed_decimals != FEED_DECIMALS:
            out.append((f"oracle.feeds.{sym}.decimals", "AaveOracle takes every answer in its base currency "
                                                        f"unit (USD, 1e8): feeds must have {FEED_DECIMALS} decimals"))
    for sym, (_, coll) in config.collaterals.items():
        if coll.liquidation_bonus_bps == 0:
            out.append((f"collateral.{sym}.bonus", "Aave V3 requires a liquidation bonus above 0%"))
        elif coll.liquidation_threshold_bps * (BPS + coll.liquidation_bonus_bps) > BPS * BPS:
            out.append((f"collateral.{sym}", "Aave V3 requires liquidation_threshold x (1 + bonus) <= 100% "
                                             "(a liquidation must not seize more than the collateral backs)"))
    if not 0 < config.rate_model.kink_wad <= 10**18:
        out.append(("interest.kink", "Aave's optimal usage ratio must be in (0%, 100%]"))
    return out


def check_expressible(config: ProtocolSpec, *, file: str | None = None) -> None:
    """Raise ConfigError naming the first field Aave V3 cannot express (all of them in the message)."""
    raise_refusals("aave-v3", refusals(config), file=file)


def reserve_risk(config: ProtocolSpec, symbol: str) -> ReserveRisk:
    spec, coll = config.collaterals[symbol]
    unit = 10**spec.decimals
    return ReserveRisk(ltv_bps=coll.ltv_bps, liquidation_threshold_bps=coll.liquidation_threshold_bps,
                       liquidation_bonus_bps=BPS + coll.liquidation_bonus_bps,
                       supply_cap_tokens=div_up(coll.supply_cap_raw, unit))


def rate_strategy(config: ProtocolSpec) -> RateStrategy:
    rm = config.rate_model
    return RateStrategy(optimal_usage_ratio_ray=rm.kink_wad * RAY_PER_WAD,
                        base_variable_borrow_rate_ray=rm.base_rate_wad * RAY_PER_WAD,
                        variable_rate_slope1_ray=rm.slope1_wad * RAY_PER_WAD,
                        variable_rate_slope2_ray=rm.slope2_wad * RAY_PER_WAD)
