"""The Compound-style protocol's liquidation rule and health mapping, checked by hand on a real anvil.

Position: 1 WBTC supplied ($60,000, collateral factor 78%: borrowing power $46,800), 45,000 USDC
borrowed. WBTC then falls to $57,000: power 57,000 x 0.78 = $44,460 < $45,000 debt, shortfall $540,
health factor 44,460 / 45,000 = 0.988.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from ctoken_kit import WAD, expected_seize_tokens, initial_rate, price_mantissa

from defidrill.errors import RevertError

ONE_WBTC = 10**8
#: Explicit, as keepers send it: an estimate made at the latest block's timestamp misses the interest
#: accrual the mined block (one second later) runs, and a nested call can then run out of gas.
LIQUIDATION_GAS = 2_000_000
DEBT_RAW = 45_000 * 10**6


def _underwater(kit, alice) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, DEBT_RAW)
    kit.set_price("WBTC", 57_000)


def test_account_liquidity_is_power_minus_debt(kit, alice) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, DEBT_RAW)
    # cTokens = 1e8 x 1e18 / 2e16 = 5e9; power = 0.78 x 0.02e18(rate) ... in USD wad: 46,800e18
    assert kit.chain.call(kit.c("WBTC").functions.balanceOf(alice)) == ONE_WBTC * WAD // initial_rate("WBTC")
    assert kit.liquidity(alice) == (0, (46_800 - 45_000) * WAD, 0)
    kit.set_price("WBTC", 57_000)
    assert kit.liquidity(alice) == (0, 0, 540 * WAD)


def test_adapter_maps_shortfall_to_health_factor(kit, alice) -> None:
    _underwater(kit, alice)
    calls = kit.adapter.prepare_reads(kit.chain, [alice])
    reads = kit.adapter.decode_reads(kit.chain.call_many(calls))
    [view] = reads.accounts
    assert view.health_factor_wad == 44_460 * WAD * WAD // (45_000 * WAD)  # (D + liquidity - shortfall) / D
    assert view.health_factor < 1 and view.prices_ok
    assert view.debt_base == DEBT_RAW and view.debt_usd_wad == 45_000 * WAD
    assert view.collateral_raw == {"WBTC": ONE_WBTC, "WETH": 0}
    assert view.collateral_value_usd_wad == 57_000 * WAD
    assert reads.prices["WBTC"].price_wad == 57_000 * WAD and reads.prices["USDC"].price_wad == WAD
    assert reads.totals.total_borrow_base == DEBT_RAW


def test_liquidation_seizes_repay_times_incentive_times_price_ratio_over_exchange_rate(kit, alice, keeper) -> None:
    _underwater(kit, alice)
    repay = 10_000 * 10**6
    kit.fund(keeper, "USDC", repay)
    receipt = kit.chain.transact(kit.c("USDC").functions.liquidateBorrow(alice, repay, kit.c("WBTC").address),
                                 sender=keeper, gas=LIQUIDATION_GAS)
    [event] = [e for e in receipt.events if e["event"] == "LiquidateBorrow"]
    seize = expected_seize_tokens(repay, price_mantissa("USDC", 1), price_mantissa("WBTC", 57_000), initial_rate("WBTC"))
    assert event["args"]["seizeTokens"] == seize
    # in whole units: 10,000 USDC x 1.08 x $1 / $57,000 = 0.189474 WBTC, at 0.02 WBTC per cWBTC = 9.4737 cWBTC
    human = Fraction(10_000) * Fraction(108, 100) * 1 / 57_000 / Fraction(2, 100)
    assert abs(Fraction(seize, 10**8) - human) < Fraction(1, 10**8)
    assert kit.chain.call(kit.c("WBTC").functions.balanceOf(keeper)) == seize
    assert kit.chain.call(kit.c("USDC").functions.borrowBalanceStored(alice)) == DEBT_RAW - repay
    record = kit.adapter.decode_liquidation(event, 988 * 10**15)
    assert record is not None and record.account == alice and record.repaid_base == repay
    assert record.collateral_asset == kit.token("WBTC").address
    assert record.seized_raw == seize * initial_rate("WBTC") // WAD  # WBTC raw units


def test_router_pays_the_keeper_in_collateral(kit, alice, keeper) -> None:
    _underwater(kit, alice)
    repay = 10_000 * 10**6
    kit.fund(keeper, "USDC", repay, spender=kit.router.address)
    # the adapter asks one raw unit less than it is given (Compound's close factor rounds down)
    kit.chain.transact(kit.adapter.liquidation_call(alice, "WBTC", repay + 1), sender=keeper, gas=LIQUIDATION_GAS)
    seize = expected_seize_tokens(repay, price_mantissa("USDC", 1), price_mantissa("WBTC", 57_000), initial_rate("WBTC"))
    assert kit.chain.call(kit.token("WBTC").functions.balanceOf(keeper)) == seize * initial_rate("WBTC") // WAD
    assert kit.chain.call(kit.token("USDC").functions.balanceOf(keeper)) == 0
    assert kit.chain.call(kit.c("WBTC").functions.balanceOf(kit.router.address)) == 0


def test_flash_liquidation_pays_profit_in_base(kit, alice, keeper) -> None:
    _underwater(kit, alice)
    pair = kit.market.pairs["WBTC"].address
    repay = 10_000 * 10**6
    wbtc_is_token0 = kit.chain.call(kit.market.pairs["WBTC"].functions.token0()) == kit.token("WBTC").address
    r0, r1, _ = kit.chain.call(kit.market.pairs["WBTC"].functions.getReserves())
    r_wbtc, r_usdc = (r0, r1) if wbtc_is_token0 else (r1, r0)
    kit.chain.transact(kit.adapter.flash_liquidation_call(pair, alice, "WBTC", repay + 1, 0), sender=keeper,
                       gas=LIQUIDATION_GAS)
    seized = expected_seize_tokens(repay, price_mantissa("USDC", 1), price_mantissa("WBTC", 57_000),
                                   initial_rate("WBTC")) * initial_rate("WBTC") // WAD
    owed = r_wbtc * repay * 1000 // ((r_usdc - repay) * 997) + 1  # Uniswap V2 getAmountIn
    left = seized - owed
    sold_for = left * 997 * (r_usdc - repay) // ((r_wbtc + owed) * 1000 + left * 997)  # getAmountOut after the swap
    # seized 0.18947 WBTC ($10,800 at the oracle's $57,000) is worth ~$11,368 at the pair's $60,000: ~$1,320 profit
    assert kit.chain.call(kit.token("USDC").functions.balanceOf(keeper)) == sold_for
    assert 1_250 * 10**6 < sold_for < 1_350 * 10**6


@pytest.mark.parametrize("repay_usd, error", [(22_500, None), (22_501, "TooMuchRepay")])
def test_close_factor_caps_the_repay_at_half_the_debt(kit, alice, keeper, repay_usd, error) -> None:
    _underwater(kit, alice)
    repay = repay_usd * 10**6
    kit.fund(keeper, "USDC", repay)
    fn = kit.c("USDC").functions.liquidateBorrow(alice, repay, kit.c("WBTC").address)
    if error is None:
        kit.chain.transact(fn, sender=keeper, gas=LIQUIDATION_GAS)
        return
    with pytest.raises(RevertError) as err:
        kit.chain.transact(fn, sender=keeper, gas=LIQUIDATION_GAS)
    assert err.value.revert.name == error
    assert err.value.revert.args == {"repayRaw": repay, "maxRepayRaw": DEBT_RAW // 2}


def test_healthy_account_cannot_be_liquidated(kit, alice, keeper) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, DEBT_RAW)
    kit.fund(keeper, "USDC", 10**9)
    with pytest.raises(RevertError) as err:
        kit.chain.transact(kit.c("USDC").functions.liquidateBorrow(alice, 10**9, kit.c("WBTC").address), sender=keeper,
                           gas=LIQUIDATION_GAS)
    assert err.value.revert.name == "InsufficientShortfall"


def test_seizure_beyond_the_borrowers_collateral_reverts(kit, alice, keeper) -> None:
    kit.open(alice, "WBTC", ONE_WBTC, DEBT_RAW)
    kit.set_price("WBTC", 20_000)  # seizing for half the debt is $24,300 > $20,000 held: refused, no partial seizure
    repay = 22_500 * 10**6
    kit.fund(keeper, "USDC", repay)
    with pytest.raises(RevertError) as err:
        kit.chain.transact(kit.c("USDC").functions.liquidateBorrow(alice, repay, kit.c("WBTC").address), sender=keeper,
                           gas=LIQUIDATION_GAS)
    assert err.value.revert.name == "SeizeTooMuch"
    assert err.value.revert.args["borrowerTokens"] == ONE_WBTC * WAD // initial_rate("WBTC")
