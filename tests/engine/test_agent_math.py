"""The agents' arithmetic without a chain: Uniswap V2 planning formulas and the ledger's keeper profit."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest

from support.uniswap_vectors import UNISWAP_SPEC_CASES

from defidrill.chain import Receipt, TxIntent, TxRequest
from defidrill.drill.actions import SpotManipulation
from defidrill.engine.agents.pricing import amount_out, base_in_for, input_to_reach_price, pair_asset, spot_price_usd
from defidrill.engine.ledger import Ledger

E18 = 10**18


# ---- pricing -----------------------------------------------------------------------------


@pytest.mark.parametrize("amount_in, reserve_in, reserve_out, expected", UNISWAP_SPEC_CASES)
def test_amount_out_matches_uniswap_vectors(amount_in: int, reserve_in: int, reserve_out: int, expected: int) -> None:
    assert amount_out(amount_in * E18, reserve_in * E18, reserve_out * E18) == expected
    # and the formula by hand: out = in x 997 x R_out / (R_in x 1000 + in x 997), floored
    a, ri, ro = amount_in * E18, reserve_in * E18, reserve_out * E18
    assert expected == a * 997 * ro // (ri * 1000 + a * 997)


def test_amount_out_of_nothing_is_nothing() -> None:
    assert amount_out(0, E18, E18) == 0
    assert amount_out(E18, 0, E18) == 0
    assert amount_out(E18, E18, 0) == 0


def test_input_to_reach_price_moves_the_pool_to_the_target_within_the_fee() -> None:
    # 1,000 / 1,000 pool, price of the input 1.0 out per in; target 0.81: without the fee the input
    # reserve must become sqrt(1e6 / 0.81) = 1,111.11 (+111.11 tokens), with it / 0.997.
    r_in, r_out = 1000 * E18, 1000 * E18
    dx = input_to_reach_price(r_in, r_out, 0.81)
    assert dx / E18 == pytest.approx((1000 / 0.9 - 1000) / 0.997, rel=1e-12)
    out = amount_out(dx, r_in, r_out)
    price_after = (r_out - out) / (r_in + dx)
    # The fee stays in the pool as input, so the price lands just below the target (by < 0.3%).
    assert 0.81 * 0.997 < price_after <= 0.81


def test_input_to_reach_price_is_zero_at_or_below_the_target() -> None:
    assert input_to_reach_price(1000 * E18, 1000 * E18, 1.0) == 0
    assert input_to_reach_price(1000 * E18, 1000 * E18, 1.5) == 0
    assert input_to_reach_price(1000 * E18, 1000 * E18, 0.0) == 0
    assert input_to_reach_price(0, 1000 * E18, 0.5) == 0


def test_spot_price_usd_scales_by_both_decimals_and_the_base_price() -> None:
    weth_raw, usdc_raw = 10 * E18, 30_000 * 10**6
    assert spot_price_usd(weth_raw, usdc_raw, 18, 6, 1.0) == pytest.approx(3000.0)
    assert spot_price_usd(weth_raw, usdc_raw, 18, 6, 0.99) == pytest.approx(2970.0)
    assert spot_price_usd(2 * 10**8, 120_000 * 10**6, 8, 6, 1.0) == pytest.approx(60_000.0)  # WBTC
    assert spot_price_usd(0, usdc_raw, 18, 6, 1.0) == 0.0


def test_pair_asset_is_the_non_base_side() -> None:
    assert pair_asset("WBTC/USDC", "USDC") == "WBTC"
    assert pair_asset("USDC/WETH", "USDC") == "WETH"


def test_base_in_for_a_size_or_a_target_multiplier() -> None:
    reserve_base = 10**12  # 1M USDC
    sized = SpotManipulation("WETH/USDC", size_usd=100_000, target_multiplier=None, borrow_usd=None)
    assert base_in_for(sized, reserve_base, 1.0, 6) == 100_000 * 10**6
    assert base_in_for(sized, reserve_base, 0.5, 6) == 200_000 * 10**6  # $100k of a $0.50 base
    # Spot x m needs the base reserve x sqrt(m) (constant product: price = R_b^2 / k), fee on the input.
    targeted = SpotManipulation("WETH/USDC", size_usd=None, target_multiplier=4.0, borrow_usd=None)
    base_in = base_in_for(targeted, reserve_base, 1.0, 6)
    assert base_in == int(reserve_base * (2.0 - 1.0) * 1000 / 997)
    reserve_asset = 333 * E18
    out = amount_out(base_in, reserve_base, reserve_asset)
    before = reserve_base / reserve_asset
    after = (reserve_base + base_in) / (reserve_asset - out)
    assert 4.0 <= after / before < 4.0 * 1.01


# ---- ledger ------------------------------------------------------------------------------

USDC = "0x" + "11" * 20
WETH = "0x" + "22" * 20
GWEI = 10**9


def _markets() -> Any:
    from defidrill.protocol.adapter import AssetInfo, CloseFactorRule, CollateralInfo, LendingMarkets

    return LendingMarkets("reference", AssetInfo("USDC", USDC, 6),
                          {"WETH": CollateralInfo(AssetInfo("WETH", WETH, 18), 7500, 8200, 500)},
                          CloseFactorRule(5000, 95 * 10**16), {})


def _world() -> Any:
    """The ledger's view of a world: the reference adapter over a pool at 0x0 (no chain needed to decode)."""
    from defidrill.protocol.reference.adapter import ReferenceAdapter

    protocol = SimpleNamespace(pool=SimpleNamespace(address="0x0"),
                               tokens={"USDC": SimpleNamespace(address=USDC), "WETH": SimpleNamespace(address=WETH)})
    market = SimpleNamespace(feeds={"USDC": None, "WETH": None}, pairs={"WETH": None})
    from defidrill.drill.schema.drill import ChainConfig

    return SimpleNamespace(drill=SimpleNamespace(assets=["WETH", "USDC"], chain=ChainConfig()), market=market,
                           lending=ReferenceAdapter(None, protocol), markets=_markets(), borrowers=[])  # type: ignore[arg-type]


def _receipt(n: int, ok: bool, gas_used: int, price_wei: int, events: list[dict[str, Any]]) -> Receipt:
    return Receipt(tx_hash=f"0x{n:064x}", status=1 if ok else 0, block_number=10, tx_index=n, gas_used=gas_used,
                   effective_gas_price_wei=price_wei, sender="0x" + "33" * 20, to="0x" + "44" * 20,
                   contract_address=None, logs=[], events=events)


def _event(name: str, **args: Any) -> dict[str, Any]:
    return {"event": name, "args": args, "block": 10, "tx": "0x0", "contract": "LendingPool", "address": "0x0"}


def test_ledger_keeper_profit_gas_failures_and_bad_debt() -> None:
    ledger = Ledger(_world())
    def tx(label, agent, intent):
        return TxRequest(sender="0x" + "33" * 20, to="0x" + "44" * 20, data="0x", label=label, agent=agent, intent=intent)

    txs = [tx("liquidate 0xabc WETH", "keeper:fast", TxIntent("liquidate")),
           tx("liquidate 0xabc WETH", "keeper:slow", TxIntent("liquidate")),
           tx("transmit WETH deviation", "feeder", TxIntent("oracle_transmit"))]
    # Keeper fast: repays 10,000 USDC, seizes 3.5 WETH (3.5 x 3,000 = 10,500 USD); 400k gas at 3 gwei.
    # The liquidation leaves 250 USDC of bad debt. Keeper slow: reverted, 100k gas at 3 gwei.
    # The feeder's gas is not a keeper's.
    results = [
        _receipt(1, True, 400_000, 3 * GWEI, [
            _event("Liquidation", liquidator="0x0", account="0xabc", collateralAsset=WETH,
                   repaidBase=10_000 * 10**6, seizedCollateral=35 * E18 // 10, healthFactorBeforeWad=9 * E18 // 10),
            _event("BadDebtWrittenOff", account="0xabc", amountBase=250 * 10**6)]),
        _receipt(2, False, 100_000, 3 * GWEI, []),
        _receipt(3, True, 60_000, 3 * GWEI, []),
    ]
    reason = SimpleNamespace(name="HealthyAccount", args={"account": "0xabc"})
    outcome, lines = ledger.settle(4, 120.0, txs, results, {"WETH": 3000.0, "USDC": 1.0},
                                   {results[1].tx_hash: reason})
    gas_eth = (400_000 + 100_000) * 3 * GWEI / 1e18
    assert gas_eth == pytest.approx(0.0015)
    # profit = seized x ref - repaid x ref - gas x ref(WETH), the loser's gas included
    assert ledger.keeper_profit_usd == pytest.approx(10_500 - 10_000 - 0.0015 * 3000)
    assert ledger.keeper_gas_eth == pytest.approx(gas_eth)
    assert ledger.bad_debt_usd == pytest.approx(250.0)
    assert (ledger.liquidation_count, ledger.failed_liquidation_count) == (1, 1)
    assert (outcome.liquidations, outcome.failed_liquidations, outcome.failed_txs) == (1, 1, 1)
    assert outcome.liquidated_debt_usd == pytest.approx(10_000.0)
    assert outcome.seized_collateral_usd == pytest.approx(10_500.0)
    [failed] = [line.as_dict() for line in lines if line.event == "TxFailed"]
    assert failed["agent"] == "keeper:slow"
    assert failed["args"] == {"label": "liquidate 0xabc WETH", "revert": "HealthyAccount",
                              "revert_args": {"account": "0xabc"}, "gas_used": 100_000,
                              "fee_wei": 100_000 * 3 * GWEI}
    assert [line.event for line in lines] == ["Liquidation", "BadDebtWrittenOff", "TxFailed"]


def test_ledger_values_at_the_reference_of_the_step() -> None:
    # The same liquidation with WETH at 2,000 and USDC at 0.98: seized 3.5 x 2,000 = 7,000,
    # repaid 10,000 x 0.98 = 9,800: the keeper lost 2,800 plus gas at the 2,000 WETH price.
    ledger = Ledger(_world())
    tx = TxRequest(sender="0x" + "33" * 20, to="0x" + "44" * 20, data="0x", label="liquidate 0xabc WETH",
                   agent="keeper:k", intent=TxIntent("liquidate"))
    receipt = _receipt(1, True, 200_000, 5 * GWEI, [
        _event("Liquidation", liquidator="0x0", account="0xabc", collateralAsset=WETH,
               repaidBase=10_000 * 10**6, seizedCollateral=35 * E18 // 10, healthFactorBeforeWad=0)])
    ledger.settle(0, 0.0, [tx], [receipt], {"WETH": 2000.0, "USDC": 0.98}, {})
    assert ledger.keeper_profit_usd == pytest.approx(7_000 - 9_800 - 200_000 * 5 * GWEI / 1e18 * 2000)
    assert math.isclose(ledger.keeper_gas_eth, 0.001)


def test_flash_capacity_bound_by_hand() -> None:
    """B <= y - x P / (0.997 (1 + b)): a 100 WETH / 300,000 USDC pair, WETH at 3,000, bonus 5%."""
    from types import SimpleNamespace

    from defidrill.engine.agents.keepers import flash_capacity_base
    from defidrill.engine.observe import GuardView
    cfg = _markets()
    obs = SimpleNamespace(
        reserves={"WETH": (100 * 10**18, 300_000 * 10**6)},
        guard={"USDC": GuardView(10**18, True, "OK", False), "WETH": GuardView(3000 * 10**18, True, "OK", False)},
    )
    # P in raw units: 3000e6 base raw per 1e18 collateral raw.
    bound_usdc = 300_000 - 100 * 3000 / (0.997 * 1.05)  # = 300,000 - 286,574.0... = 13,425.99...
    assert flash_capacity_base(obs, "WETH", 0.05, cfg) == pytest.approx(0.9 * bound_usdc * 10**6, rel=1e-9)
    # A guard that refuses the price: no flash liquidation is sized.
    obs.guard["WETH"] = GuardView(0, False, "STALE", False)
    assert flash_capacity_base(obs, "WETH", 0.05, cfg) == 0


def test_ledger_and_loop_read_intent_never_the_label() -> None:
    """Labels are reworded freely: a label saying "liquidate" without the intent counts as nothing, an
    intent under any label counts; the arbitrage volume is the intents' USD sizes of mined swaps."""
    from defidrill.engine.loop import _arb_volume

    ledger = Ledger(_world())
    def tx(label, intent):
        return TxRequest(sender="0x" + "33" * 20, to="0x" + "44" * 20, data="0x", label=label, agent="keeper:k",
                         intent=intent)

    txs = [tx("liquidate 0xabc WETH", None),                                    # reworded label, no intent
           tx("a keeper's attempt", TxIntent("liquidate")),                     # intent, any label
           tx("transmit WETH deviation", TxIntent("oracle_transmit", expect_revert=True)),
           tx("transmit WETH (expected rejection)", TxIntent("oracle_transmit"))]
    results = [_receipt(n, False, 50_000, GWEI, []) for n in range(1, 5)]
    outcome, _ = ledger.settle(0, 0.0, txs, results, {"WETH": 3000.0, "USDC": 1.0}, {})
    assert (outcome.failed_liquidations, outcome.failed_txs) == (1, 4)
    assert ledger.transmit_rejections == 1

    swaps = [tx("arbitrage WETH 999999 USD", TxIntent("arbitrage", size_usd=1_250.0)),
             tx("arbitrage WETH 5 USD", TxIntent("arbitrage", size_usd=750.5)),
             tx("arbitrage WETH 7 USD", TxIntent("arbitrage", size_usd=10_000.0)),   # reverted: not counted
             tx("arbitrage WETH 100 USD", None)]                                      # no intent: not counted
    mined = [_receipt(1, True, 1, 1, []), _receipt(2, True, 1, 1, []), _receipt(3, False, 1, 1, []),
             _receipt(4, True, 1, 1, [])]
    assert _arb_volume(swaps, mined) == 1_250.0 + 750.5
