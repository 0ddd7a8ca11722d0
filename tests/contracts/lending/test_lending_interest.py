"""Interest by index over one year at a known utilisation, both sides of the kink, reserves, invariant."""

from __future__ import annotations

import pytest

from lending_formulas import SECONDS_PER_YEAR, WAD, accrue, borrow_rate_per_year_wad, ceil_div
from lending_kit import LendingKit

USDC = 10**6
MODEL = (2 * 10**16, 4 * 10**16, 75 * 10**16, 8 * 10**17)  # base 2%, slope1 4%, slope2 75%, kink 80%
RESERVE_FACTOR_BPS = 1000  # the pool's default, 10%


@pytest.mark.parametrize("borrow_usdc,expected_rate_wad", [
    (500_000, 2 * 10**16 + 4 * 10**16 * 5 // 8),  # U = 50% <= kink: 2% + 4% * 0.5/0.8 = 4.5%
    (900_000, 2 * 10**16 + 4 * 10**16 + 75 * 10**16 // 2),  # U = 90% > kink: 2% + 4% + 75% * 0.1/0.2 = 43.5%
], ids=["below-kink", "above-kink"])
def test_one_year_accrual_against_kinked_formula(chain, borrow_usdc, expected_rate_wad) -> None:
    kit = LendingKit.deploy(chain)
    lender, alice = chain.accounts[9], chain.accounts[1]
    kit.mint(kit.usdc, lender, 1_000_000 * USDC)
    kit.approve(kit.usdc, lender)
    kit.deposit(alice, "WBTC", 100 * 10**8)  # $6M of WBTC, far above any limit used here
    # Pin every accruing transaction's timestamp: model at t0, supply at t0+1, borrow at t0+2.
    t0 = chain.timestamp() + 10
    chain.set_next_timestamp(t0)
    kit.set_rate_model(*MODEL)  # accrues at the default model (0% at U = 0) first
    chain.set_next_timestamp(t0 + 1)
    kit.send(kit.f.supply(1_000_000 * USDC), sender=lender)
    chain.set_next_timestamp(t0 + 2)
    kit.send(kit.f.borrow(borrow_usdc * USDC), sender=alice)
    # With nothing borrowed the borrow index still grows at the base rate (as Comet's does); no interest
    # is produced, so the supply index stays 1e18.
    rate0_s = MODEL[0] // SECONDS_PER_YEAR
    bi_t1 = WAD + WAD * rate0_s // WAD
    bi_borrow = bi_t1 + bi_t1 * rate0_s // WAD
    assert kit.call(kit.f.borrowIndex()) == bi_borrow
    assert kit.call(kit.f.supplyIndex()) == WAD
    principal = ceil_div(borrow_usdc * USDC * WAD, bi_borrow)
    assert kit.call(kit.f.borrowPrincipalOf(alice)) == principal
    t_borrow = t0 + 2

    u_wad = ceil_div(principal * bi_borrow, WAD) * WAD // (1_000_000 * USDC)
    # The debt is rounded up (1 unit here), so U sits a hair above the nominal 50% / 90%.
    rate_wad = borrow_rate_per_year_wad(u_wad, *MODEL)
    assert 0 <= rate_wad - expected_rate_wad <= 10**7
    assert kit.call(kit.f.borrowRatePerYear()) == rate_wad

    chain.set_next_timestamp(t_borrow + SECONDS_PER_YEAR)
    receipt = kit.send(kit.f.accrue(), sender=lender)
    expected = accrue(
        borrow_index_wad=bi_borrow, supply_index_wad=WAD, total_borrow_principal=principal,
        total_supply_principal=1_000_000 * USDC, elapsed_s=SECONDS_PER_YEAR, rate_model=MODEL,
        reserve_factor_bps=RESERVE_FACTOR_BPS,
    )
    # By hand: per-second rate = floor(rate / 31,536,000); a year of it is within 1e-9 of the yearly rate.
    rate_s = rate_wad // SECONDS_PER_YEAR
    assert expected.borrow_index_wad == bi_borrow + bi_borrow * rate_s * SECONDS_PER_YEAR // WAD
    assert abs(expected.interest_base - borrow_usdc * USDC * expected_rate_wad // WAD) <= borrow_usdc
    [event] = chain.events(receipt, kit.pool, "InterestAccrued")
    assert event == {
        "borrowIndexWad": expected.borrow_index_wad, "supplyIndexWad": expected.supply_index_wad,
        "interestBase": expected.interest_base, "reservesAddedBase": expected.reserves_added_base,
    }
    factor_share = expected.interest_base * RESERVE_FACTOR_BPS // 10_000
    lender_balance = 1_000_000 * USDC * expected.supply_index_wad // WAD
    assert kit.call(kit.f.supplyBalanceOf(lender)) == lender_balance
    # Lenders get the interest minus the factor's share, less what the index's floor keeps back (one
    # supply principal of 1e12 units at an index near 1e18: under 1e12 / 1e18 + 1 raw): reserves take it.
    index_rounding = (expected.interest_base - factor_share) - (lender_balance - 1_000_000 * USDC)
    assert 0 <= index_rounding <= 1
    assert expected.reserves_added_base == factor_share + index_rounding
    assert kit.call(kit.f.debtOf(alice)) == ceil_div(principal * expected.borrow_index_wad, WAD)
    # The borrow's own rounding (its debt rounded up: 1 raw) was booked as reserves when it was made.
    borrow_rounding = ceil_div(principal * bi_borrow, WAD) - borrow_usdc * USDC
    assert 0 <= borrow_rounding <= 1
    assert kit.call(kit.f.totalReserves()) == expected.reserves_added_base + borrow_rounding
    assert kit.call(kit.f.roundingDustBase()) == index_rounding + borrow_rounding
    assert kit.invariant_gap_base() == 0


def test_views_accrue_to_now_without_a_transaction(chain) -> None:
    kit = LendingKit.deploy(chain)
    lender, alice = chain.accounts[9], chain.accounts[1]
    kit.set_rate_model(*MODEL)
    kit.supply(lender, 1_000_000 * USDC)
    kit.deposit(alice, "WETH", 1_000 * 10**18)
    kit.borrow(alice, 500_000 * USDC)
    bi = kit.call(kit.f.borrowIndex())
    chain.advance(30 * 24 * 3600)
    # One 30-day accrual at U = 50% (the index moved only by whole seconds since the borrow).
    rate_s = borrow_rate_per_year_wad(WAD // 2, *MODEL) // SECONDS_PER_YEAR
    elapsed = chain.timestamp() - kit.call(kit.f.lastAccrualTimestamp())
    assert kit.call(kit.f.borrowIndex()) == bi + bi * rate_s * elapsed // WAD


def test_invariant_after_a_sequence_of_actions(chain) -> None:
    """Handlers keep their own totals (solmate BalanceSum style); the pool's books must agree."""
    kit = LendingKit.deploy(chain)
    kit.set_rate_model(*MODEL)
    lenders, borrowers, keeper = chain.accounts[6:9], chain.accounts[1:4], chain.accounts[5]
    supplied = [300_000, 500_000, 200_000]
    for who, amount in zip(lenders, supplied):
        kit.supply(who, amount * USDC)
    deposits = {"WBTC": 2 * 10**8, "WETH": 30 * 10**18, "STK6": 50_000 * USDC}
    for who in borrowers:
        for symbol, amount in deposits.items():
            kit.deposit(who, symbol, amount)
    for i, who in enumerate(borrowers):
        kit.borrow(who, (50_000 + 25_000 * i) * USDC)
        chain.advance(7 * 24 * 3600)
    kit.approve(kit.usdc, borrowers[0])
    kit.send(kit.f.repay(10_000 * USDC), sender=borrowers[0])
    kit.send(kit.f.withdraw(100_000 * USDC), sender=lenders[1])
    chain.advance(90 * 24 * 3600)
    kit.set_price(kit.tokens["WBTC"], 20_000 * WAD)
    kit.set_price(kit.tokens["WETH"], 1_000 * WAD)
    kit.set_price(kit.tokens["STK6"], WAD // 2)
    kit.fund_liquidator(keeper, 1_000_000 * USDC)
    hf = kit.call(kit.f.healthFactor(borrowers[2]))
    assert hf < WAD  # 40k+30k+25k = 95k collateral, liquidation value ~74k vs 100k debt
    kit.liquidate(keeper, borrowers[2], "WETH", 2**256 - 1)
    kit.liquidate(keeper, borrowers[2], "WBTC", 2**256 - 1)
    kit.mint(kit.usdc, borrowers[1], 10**12)
    kit.approve(kit.usdc, borrowers[1])
    kit.send(kit.f.repay(2**256 - 1), sender=borrowers[1])
    assert kit.call(kit.f.debtOf(borrowers[1])) == 0

    assert kit.invariant_gap_base() == 0  # the pool books its rounding as reserves
    seized = {s: kit.balance(kit.tokens[s], keeper) for s in deposits}
    for symbol, amount in deposits.items():
        token = kit.tokens[symbol]
        held = sum(kit.call(kit.f.collateralBalance(w, token.address)) for w in borrowers)
        assert held == kit.call(kit.f.totalCollateral(token.address)) == kit.balance(token, kit.pool.address)
        assert held + seized[symbol] == 3 * amount
    principals = sum(kit.call(kit.f.borrowPrincipalOf(w)) for w in borrowers)
    assert kit.call(kit.f.totalBorrow()) <= sum(kit.call(kit.f.debtOf(w)) for w in borrowers)
    assert principals > 0
