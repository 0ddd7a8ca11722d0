"""Morpho Blue's parameter mapping and the keeper's liquidation sizing, without a chain."""

from __future__ import annotations

import pytest

from defidrill.errors import ConfigError
from defidrill.protocol_terms.parameters import AssetSpec, CollateralSpec, ProtocolSpec
from defidrill.protocol.morpho_blue.adapter import MorphoBlueAdapter
from defidrill.protocol.morpho_blue.mapping import incentive_bonus_bps, lltv_wad
from defidrill.protocol.morpho_blue.shares import LiquidationSize, PositionState, size_liquidation

WAD = 10**18


def _config(**collateral: object) -> ProtocolSpec:
    spec = CollateralSpec(**{"ltv_bps": 7000, "liquidation_threshold_bps": 7800, "liquidation_bonus_bps": 600,
                             **collateral})  # type: ignore[arg-type]
    return ProtocolSpec(collaterals={"WBTC": (AssetSpec(symbol="WBTC", decimals=8, price_usd=60_000.0), spec)},
                          pair_liquidity_usd={"WBTC": 1e6})


def test_defaults_are_expressible_and_the_bonus_is_the_lltvs() -> None:
    MorphoBlueAdapter.check_config(ProtocolSpec())
    assert lltv_wad(8600) == 86 * 10**16
    # 1 / (1 - 0.3 x 0.22) = 1.07066; 1 / (1 - 0.3 x 0.18) = 1.05708; LLTV 50%: 1 / 0.85 = 1.17647 -> capped 1.15.
    assert (incentive_bonus_bps(7800), incentive_bonus_bps(8200), incentive_bonus_bps(5000)) == (707, 571, 1500)


@pytest.mark.parametrize(("change", "field", "why"), [
    ({"liquidation_threshold_bps": 10_000, "ltv_bps": 9000}, "protocol.collateral.WBTC.liquidation_threshold",
     "LLTV below 100%"),
    ({"supply_cap_raw": 10**8}, "protocol.collateral.WBTC.supply_cap", "no supply cap"),
])
def test_what_morpho_cannot_express_is_refused_with_the_field(change: dict[str, int], field: str, why: str) -> None:
    with pytest.raises(ConfigError) as err:
        MorphoBlueAdapter.check_config(_config(**change), file="drill.yaml")
    assert err.value.path == field and why in str(err.value) and "drill.yaml" in str(err.value)


def test_a_fee_above_morphos_max_is_refused() -> None:
    with pytest.raises(ConfigError) as err:
        MorphoBlueAdapter.check_config(ProtocolSpec(reserve_factor_bps=2600))
    assert err.value.path == "protocol.interest.reserve_factor" and "25%" in str(err.value)


#: 10 WETH against 25,000 USDC (the market's only borrower: shares = assets x 1e6), LLTV 86%.
def _state(price_usd: int, collateral_raw: int = 10 * WAD) -> PositionState:
    return PositionState(collateral_raw, 25_000 * 10**6 * 10**6, 25_000 * 10**6, 25_000 * 10**12, price_usd * 10**24,
                         86 * 10**16)


def test_sizing_repays_by_shares_when_the_collateral_covers_it() -> None:
    state = _state(2_900)
    # 10,000 USDC buys floor(1e10 x (2.5e16 + 1e6) / (2.5e10 + 1)) shares; the full debt all of them.
    assert size_liquidation(state, 10_000 * 10**6) == LiquidationSize(0, 10**10 * (25 * 10**15 + 10**6) // (25 * 10**9 + 1))
    assert size_liquidation(state, 25_000 * 10**6) == LiquidationSize(0, state.borrow_shares)
    assert size_liquidation(state, 2**256 - 1) == LiquidationSize(0, state.borrow_shares)


def test_sizing_seizes_everything_when_the_repay_would_take_more_than_is_held() -> None:
    # At $2,000 the whole debt at the incentive is 13.05 WETH: Morpho would underflow, so seize the 10 held.
    assert size_liquidation(_state(2_000), 25_000 * 10**6) == LiquidationSize(10 * WAD, 0)
    assert size_liquidation(_state(2_000, collateral_raw=0), 25_000 * 10**6) is None
    assert size_liquidation(_state(2_000), 0) is None


def test_sizing_never_asks_for_more_shares_than_the_position_owes() -> None:
    """Collateral worth just under the full repay's seizure: by shares too much is seized, and pricing the
    whole collateral back rounds up past the shares owed; a unit less is seized instead."""
    state = _state(2_900)
    full = state.seized_for_shares(state.borrow_shares)
    edge = PositionState(full - 1, *list(state.__dict__.values())[1:])
    size = size_liquidation(edge, 25_000 * 10**6)
    assert size is not None and size.repaid_shares == 0
    assert edge.shares_for_seized(size.seized_assets) <= edge.borrow_shares
    assert size.seized_assets <= edge.collateral_raw


def test_the_stated_incentive_is_morphos_exact_factor_not_the_bps_figure() -> None:
    from defidrill.protocol.adapter import AssetInfo, CollateralInfo
    from defidrill.protocol.morpho_blue.shares import incentive_factor_wad

    weth = AssetInfo("WETH", "0x" + "11" * 20, 18)
    exact = incentive_factor_wad(86 * 10**16)
    assert exact == 1043841336116910229  # min(1.15, 1 / (1 - 0.3 x 0.14)) in wad, Morpho's rounding
    stated = CollateralInfo(weth, 8000, 8600, 438, incentive_wad=exact)
    assert stated.liquidator_incentive_wad == exact                       # not 1.0438e18 (438 bps)
    assert CollateralInfo(weth, 8000, 8600, 438).liquidator_incentive_wad == 10438 * 10**14
    shared = CollateralInfo(weth, 8000, 8600, 438, seize_share_bps=280, incentive_wad=exact)
    assert shared.liquidator_incentive_wad == exact * 9720 // 10_000     # net of a 2.8% share, rounded down
