"""Genuine Morpho Blue on anvil: liquidate's seized and repaid amounts against Morpho's formula worked out here
(incentive, shares with virtual amounts, mulDiv rounding) to the wei, by repaid shares and by seized assets;
bad debt realised in the same call when the collateral runs out; the lens's health against Morpho's own rule."""

from __future__ import annotations

import pytest

from defidrill.errors import RevertError
from morpho_world import USDC, WAD, WETH, MorphoWorld

#: min(1.15, 1 / (1 - 0.3 x (1 - 0.86))) in wad, rounded as Morpho does (measured on this machine by a spike).
INCENTIVE_86 = 1_043_841_336_116_910_229
VIRTUAL_SHARES, VIRTUAL_ASSETS = 10**6, 1


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _oracle_price(collateral_usd: int, coll_decimals: int, loan_decimals: int) -> int:
    """One raw collateral unit in raw loan units x 1e36 (whole-dollar prices, USDC at $1)."""
    return collateral_usd * 10 ** (36 + loan_decimals - coll_decimals)


def _liquidate_event(morpho: MorphoWorld, receipt: object) -> dict[str, int]:
    [event] = receipt.events_named("Liquidate", morpho.adapter.spender)  # type: ignore[attr-defined]
    return event


def test_incentive_at_lltv_86_is_morphos(morpho: MorphoWorld) -> None:
    from defidrill.protocol.morpho_blue.shares import incentive_factor_wad

    # 1 / (1 - 0.042) = 1.04384133611691022964...: wDivDown floors it.
    assert incentive_factor_wad(86 * 10**16) == INCENTIVE_86 == WAD * WAD // (WAD - 3 * 10**17 * 14 * 10**16 // WAD)
    assert incentive_factor_wad(0) == 115 * 10**16  # 1 / 0.7 = 1.43 is capped at 1.15
    bonus = morpho.adapter.markets().collaterals["WETH"].liquidation_bonus_bps
    assert bonus == 438  # 4.384% reported, whatever the drill's 5%


def test_seeding_and_the_lens_health_factor(morpho: MorphoWorld) -> None:
    alice = morpho.chain.accounts[5]
    morpho.open(alice, "WETH", 10 * WETH, 25_000 * USDC)
    _, borrow_shares, collateral = morpho.position("WETH", alice)
    # The market's first borrow: toSharesUp(assets, 0, 0) = assets x 1e6.
    assert (borrow_shares, collateral) == (25_000 * USDC * VIRTUAL_SHARES, 10 * WETH)
    assert morpho.chain.call(morpho.market.base.functions.balanceOf(alice)) == 25_000 * USDC
    [view] = morpho.scan(alice).accounts
    total_assets, total_shares = 25_000 * USDC, 25_000 * USDC * VIRTUAL_SHARES
    debt = _ceil_div(borrow_shares * (total_assets + VIRTUAL_ASSETS), total_shares + VIRTUAL_SHARES)
    max_borrow = 10 * WETH * _oracle_price(3_000, 18, 6) // 10**36 * 86 * 10**16 // WAD  # 25,800 USDC
    assert max_borrow == 25_800 * USDC
    assert view.debt_base == debt == 25_000 * USDC
    assert view.health_factor_wad == max_borrow * WAD // debt == 1_032 * 10**15
    assert view.collateral_raw == {"WETH": 10 * WETH, "WBTC": 0}


def test_liquidation_by_repaid_shares_matches_morphos_formula(morpho: MorphoWorld) -> None:
    alice, keeper = morpho.chain.accounts[5], morpho.chain.accounts[6]
    morpho.open(alice, "WETH", 10 * WETH, 25_000 * USDC)
    morpho.set_price("WETH", 2_900)  # 10 x 2,900 x 86% = 24,940 < 25,000
    morpho.fund_keeper(keeper, 100_000 * USDC)
    [view] = morpho.scan(alice).accounts
    assert view.health_factor_wad < WAD
    receipt = morpho.chain.transact(morpho.adapter.liquidation_call(alice, "WETH", 10_000 * USDC), sender=keeper)
    event = _liquidate_event(morpho, receipt)
    ta, ts = 25_000 * USDC, 25_000 * USDC * VIRTUAL_SHARES
    shares = 10_000 * USDC * (ts + VIRTUAL_SHARES) // (ta + VIRTUAL_ASSETS)  # toSharesDown
    assets_down = shares * (ta + VIRTUAL_ASSETS) // (ts + VIRTUAL_SHARES)
    seized = assets_down * INCENTIVE_86 // WAD * 10**36 // _oracle_price(2_900, 18, 6)
    repaid = _ceil_div(shares * (ta + VIRTUAL_ASSETS), ts + VIRTUAL_SHARES)
    assert (event["repaidShares"], event["seizedAssets"], event["repaidAssets"]) == (shares, seized, repaid)
    assert abs(seized / WETH - 10_000 / 2_900 * 1.0438413361169102) < 1e-9  # by hand: 3.5994528 WETH
    assert event["badDebtAssets"] == 0
    assert morpho.chain.call(morpho.market.tokens["WETH"].functions.balanceOf(keeper)) == seized
    assert morpho.position("WETH", alice)[1:] == (25_000 * USDC * VIRTUAL_SHARES - shares, 10 * WETH - seized)


def test_liquidation_by_seized_assets_matches_morphos_formula(morpho: MorphoWorld) -> None:
    alice, keeper = morpho.chain.accounts[5], morpho.chain.accounts[6]
    morpho.open(alice, "WETH", 10 * WETH, 25_000 * USDC)
    morpho.set_price("WETH", 2_900)
    morpho.fund_keeper(keeper, 100_000 * USDC)
    params = morpho.adapter.d.params["WETH"]
    receipt = morpho.chain.transact(morpho.morpho.functions.liquidate(params, alice, WETH, 0, b""), sender=keeper)
    event = _liquidate_event(morpho, receipt)
    ta, ts = 25_000 * USDC, 25_000 * USDC * VIRTUAL_SHARES
    quoted = _ceil_div(WETH * _oracle_price(2_900, 18, 6), 10**36)  # 2,900 USDC exactly
    assert quoted == 2_900 * USDC
    shares = _ceil_div(_ceil_div(quoted * WAD, INCENTIVE_86) * (ts + VIRTUAL_SHARES), ta + VIRTUAL_ASSETS)
    repaid = _ceil_div(shares * (ta + VIRTUAL_ASSETS), ts + VIRTUAL_SHARES)
    assert (event["seizedAssets"], event["repaidShares"], event["repaidAssets"]) == (WETH, shares, repaid)
    assert abs(repaid / USDC - 2_900 / 1.0438413361169102) < 1e-3  # 2,778.21 USDC


def test_bad_debt_is_realised_when_the_collateral_runs_out(morpho: MorphoWorld) -> None:
    """At $2,000 the 10 WETH (20,000) cannot pay for the 25,000 debt at the incentive: the keeper's full repay
    is sized as 'seize everything' (by shares Morpho would underflow), and Morpho writes the rest off."""
    alice, keeper = morpho.chain.accounts[5], morpho.chain.accounts[6]
    morpho.open(alice, "WETH", 10 * WETH, 25_000 * USDC)
    morpho.set_price("WETH", 2_000)
    morpho.fund_keeper(keeper, 100_000 * USDC)
    supply_before = morpho.market_state("WETH")[0]
    [view] = morpho.scan(alice).accounts
    receipt = morpho.chain.transact(morpho.adapter.liquidation_call(alice, "WETH", view.debt_base), sender=keeper)
    event = _liquidate_event(morpho, receipt)
    ta, ts = 25_000 * USDC, 25_000 * USDC * VIRTUAL_SHARES
    quoted = 10 * WETH * _oracle_price(2_000, 18, 6) // 10**36  # 20,000 USDC exactly
    shares = _ceil_div(_ceil_div(quoted * WAD, INCENTIVE_86) * (ts + VIRTUAL_SHARES), ta + VIRTUAL_ASSETS)
    repaid = _ceil_div(shares * (ta + VIRTUAL_ASSETS), ts + VIRTUAL_SHARES)
    ta_after, ts_after = ta - repaid, ts - shares
    bad_shares = ts_after  # alice is the market's only borrower
    bad_assets = min(ta_after, _ceil_div(bad_shares * (ta_after + VIRTUAL_ASSETS), ts_after + VIRTUAL_SHARES))
    assert (event["seizedAssets"], event["repaidShares"], event["repaidAssets"]) == (10 * WETH, shares, repaid)
    assert (event["badDebtAssets"], event["badDebtShares"]) == (bad_assets, bad_shares)
    assert abs(bad_assets / USDC - (25_000 - 20_000 / 1.0438413361169102)) < 1e-2  # ~5,840 USDC
    total_supply_after, _, total_borrow_after, total_borrow_shares_after, _, _ = morpho.market_state("WETH")
    assert total_supply_after == supply_before - bad_assets
    assert (total_borrow_after, total_borrow_shares_after) == (0, 0)
    assert morpho.position("WETH", alice)[1:] == (0, 0)
    written_off = morpho.adapter.decode_bad_debt({"event": "Liquidate", "address": morpho.adapter.spender, "args": event})
    assert written_off is not None and (written_off.account, written_off.amount_base) == (alice, bad_assets)


def test_a_healthy_position_is_refused_by_morpho(morpho: MorphoWorld) -> None:
    alice, keeper = morpho.chain.accounts[5], morpho.chain.accounts[6]
    morpho.open(alice, "WETH", 10 * WETH, 25_000 * USDC)
    morpho.fund_keeper(keeper, 100_000 * USDC)
    morpho.scan(alice)
    with pytest.raises(RevertError) as err:
        morpho.chain.transact(morpho.adapter.liquidation_call(alice, "WETH", 1_000 * USDC), sender=keeper)
    assert "position is healthy" in str(err.value)


def test_invariants_hold_after_liquidations(morpho: MorphoWorld) -> None:
    alice, bob, keeper = morpho.chain.accounts[5], morpho.chain.accounts[7], morpho.chain.accounts[6]
    morpho.open(alice, "WETH", 10 * WETH, 25_000 * USDC)
    morpho.open(bob, "WETH", 10 * WETH, 20_000 * USDC)
    morpho.set_price("WETH", 2_000)
    morpho.fund_keeper(keeper, 100_000 * USDC)
    [view, _] = morpho.scan(alice, bob).accounts
    morpho.chain.transact(morpho.adapter.liquidation_call(alice, "WETH", view.debt_base), sender=keeper)
    results = morpho.adapter.invariants(morpho.chain, [alice, bob], [])
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    names = {r.name for r in results}
    assert {"supply shares = sum of suppliers' shares", "borrow shares = sum of accounts' shares",
            "collateral held = sum of positions' collateral"} <= names
