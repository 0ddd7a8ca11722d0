"""The drill's risk parameters in Morpho Blue's terms, and what Morpho Blue cannot express (refused).

Morpho Blue (1.0.0) has isolated markets ``(loanToken, collateralToken, oracle, irm, lltv)``: one
per drill collateral against the base asset. Mapping:

- liquidation threshold -> the market's LLTV (wad). The owner enables each LLTV; our own deployment
  enables the drill's (mainnet governance has enabled 0, 38.5, 62.5, 77, 86, 91.5, 94.5, 96.5, 98%);
- ltv -> nothing on chain: Morpho lets a position borrow up to its LLTV; the drill's ltv only
  describes how the population was seeded (reported);
- bonus -> reported as fixed: Morpho derives the incentive from the LLTV, ``min(1.15, 1 / (1 - 0.3
  (1 - LLTV)))`` (86% -> 4.384%), whatever the drill says;
- close factor -> none: one liquidation may repay the whole debt (reported);
- interest -> our MorphoKinkedIrm with the drill's kinked model, or ``irm = address(0)`` (Morpho's
  own no-interest markets) when every rate is zero; reserve factor -> the market's fee (<= 25%).
"""

from __future__ import annotations

from defidrill.protocol.adapter_kit import raise_refusals
from defidrill.protocol_terms.parameters import ProtocolSpec
from defidrill.protocol.morpho_blue.shares import incentive_factor_wad
from defidrill.protocol_terms.fixed_point import WAD

BPS = 10_000
#: Morpho's ConstantsLib.MAX_FEE: at most 25% of the interest goes to the fee recipient.
MAX_FEE_WAD = 25 * 10**16
#: What mainnet governance has enabled (for the report; our own deployment enables the drill's LLTVs).
MAINNET_LLTVS_WAD = (0, 385 * 10**15, 625 * 10**15, 770 * 10**15, 860 * 10**15, 915 * 10**15, 945 * 10**15,
                     965 * 10**15, 980 * 10**15)

FIXED_BY_PROTOCOL = {
    "close_factor": "none: one Morpho Blue liquidation may repay the whole debt",
    "liquidation_bonus": "fixed by the LLTV: incentive factor min(1.15, 1 / (1 - 0.3 (1 - LLTV))); the drill's bonus "
                         "is not used",
    "ltv": "Morpho Blue has no borrow LTV below the LLTV: positions may borrow up to it (the drill's ltv only shaped "
           "the seeded population)",
    "oracle": "Morpho Blue trusts its oracle's price() as is; defidrill's MorphoGuardOracle reads the drill's oracle "
              "guard, so the drill's guard rules (or naive mode) apply",
    "bad_debt": "a liquidation that leaves debt without collateral writes it off against the market's suppliers at once",
    "interest": "our MorphoKinkedIrm (the drill's kinked model per second, compounded by Morpho); none when all rates are 0",
    "markets": "isolated: one market per collateral, each with its own share of the lender's supply",
}


def lltv_wad(threshold_bps: int) -> int:
    return threshold_bps * WAD // BPS


def incentive_bonus_bps(threshold_bps: int) -> int:
    """The incentive as a bonus in basis points, rounded to nearest (LLTV 86% -> 438), for ``LendingMarkets``."""
    return (incentive_factor_wad(lltv_wad(threshold_bps)) - WAD + WAD // BPS // 2) * BPS // WAD


def fee_wad(config: ProtocolSpec) -> int:
    return config.reserve_factor_bps * WAD // BPS


def has_interest(config: ProtocolSpec) -> bool:
    rm = config.rate_model
    return any((rm.base_rate_wad, rm.slope1_wad, rm.slope2_wad))


def refusals(config: ProtocolSpec) -> list[tuple[str, str]]:
    """(config path, why Morpho Blue cannot express it) for every field it cannot run as asked."""
    out: list[tuple[str, str]] = []
    for sym, (_, coll) in config.collaterals.items():
        if coll.liquidation_threshold_bps >= BPS:
            out.append((f"collateral.{sym}.liquidation_threshold", "Morpho Blue requires an LLTV below 100%"))
        if coll.supply_cap_raw:
            out.append((f"collateral.{sym}.supply_cap", "Morpho Blue markets have no supply cap on collateral"))
    if fee_wad(config) > MAX_FEE_WAD:
        out.append(("interest.reserve_factor", "Morpho Blue's fee (the reserve factor) is at most 25% of the interest"))
    if has_interest(config) and not 0 < config.rate_model.kink_wad <= WAD:
        out.append(("interest.kink", "the kinked IRM's kink must be in (0%, 100%]"))
    return out


def check_expressible(config: ProtocolSpec, *, file: str | None = None) -> None:
    """Raise ConfigError naming the first field Morpho Blue cannot express (all of them in the message)."""
    raise_refusals("morpho-blue", refusals(config), file=file)
