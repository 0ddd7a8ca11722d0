"""Pair swaps against the Uniswap V2 formula: exact outputs, the K check to the wei, and every swap revert."""

from __future__ import annotations

import pytest

from amm_formulas import amount_in, amount_out, k_check
from defidrill.errors import RevertError
from support.uniswap_vectors import UNISWAP_SPEC_CASES

E18 = 10**18


@pytest.mark.parametrize(("swap", "r0", "r1", "expected_wei"), UNISWAP_SPEC_CASES)
def test_formula_matches_uniswap_spec_table(swap: int, r0: int, r1: int, expected_wei: int) -> None:
    # Guards the independent model itself before it judges the contracts.
    assert amount_out(swap * E18, r0 * E18, r1 * E18) == expected_wei


def _swap_exact_in(chain, kit, h, token_in_is_0: bool, amount_in_raw: int, amount_out_raw: int, to: str):
    token_in = h.token0 if token_in_is_0 else h.token1
    kit.send(token_in, h.address, amount_in_raw)
    args = (0, amount_out_raw) if token_in_is_0 else (amount_out_raw, 0)
    return chain.transact(h.pair.contract.functions.swap(*args, to, b""), sender=kit.deployer)


@pytest.mark.parametrize(("swap", "r0", "r1", "expected_wei"), UNISWAP_SPEC_CASES)
def test_spec_case_exact_output_passes_and_one_wei_more_reverts(chain, kit, ab_pair, alice, swap, r0, r1, expected_wei):
    h = ab_pair
    kit.seed(h, r0 * E18, r1 * E18)
    kit.send(h.token0, h.address, swap * E18)
    swap_fn = h.pair.contract.functions.swap
    balance0, balance1 = (r0 + swap) * E18, (r1 * E18) - (expected_wei + 1)
    want_adj, want_res = k_check(balance0, balance1, swap * E18, 0, r0 * E18, r1 * E18)
    with pytest.raises(RevertError) as err:
        chain.transact(swap_fn(0, expected_wei + 1, alice, b""), sender=kit.deployer)
    assert err.value.revert.name == "KInvariant"
    assert err.value.revert.args == {"balanceProductAdjusted": want_adj, "reserveProductScaled": want_res}
    assert want_adj < want_res

    receipt = chain.transact(swap_fn(0, expected_wei, alice, b""), sender=kit.deployer)
    assert kit.balance(h.token1, alice) == expected_wei
    assert kit.reserves(h)[:2] == ((r0 + swap) * E18, r1 * E18 - expected_wei)
    (ev,) = chain.events(receipt, h.pair, "Swap")
    assert (ev["amount0In"], ev["amount1In"], ev["amount0Out"], ev["amount1Out"], ev["to"]) == (
        swap * E18, 0, 0, expected_wei, alice)


# Real-decimals pools: (token_in, token_out, reserve_in whole, reserve_out whole, amount_in whole).
DECIMAL_CASES = [
    ("wbtc", "usdc", 100, 6_000_000, 1),  # 8 -> 6 decimals: sell 1 BTC into a 60k pool
    ("usdc", "wbtc", 6_000_000, 100, 25_000),  # 6 -> 8
    ("weth", "usdc", 1_000, 3_000_000, 10),  # 18 -> 6
    ("usdc", "weth", 3_000_000, 1_000, 12_345),  # 6 -> 18
    ("wbtc", "weth", 50, 1_000, 3),  # 8 -> 18
    ("weth", "wbtc", 20_000, 1_000, 7),  # 18 -> 8, large pool
]
DECIMALS = {"wbtc": 8, "weth": 18, "usdc": 6}


@pytest.mark.parametrize(("sym_in", "sym_out", "res_in", "res_out", "whole_in"), DECIMAL_CASES)
def test_swap_across_decimals_matches_formula_to_the_raw_unit(
    chain, kit, request, alice, sym_in, sym_out, res_in, res_out, whole_in
):
    t_in, t_out = request.getfixturevalue(sym_in), request.getfixturevalue(sym_out)
    raw_in = whole_in * 10 ** DECIMALS[sym_in]
    r_in, r_out = res_in * 10 ** DECIMALS[sym_in], res_out * 10 ** DECIMALS[sym_out]
    h = kit.create_pair(t_in, t_out)
    in_is_0 = h.token0.address == t_in.address
    kit.seed(h, *((r_in, r_out) if in_is_0 else (r_out, r_in)))

    expected = amount_out(raw_in, r_in, r_out)
    # The fee is 0.3% of the input: the output lies strictly between the fee-free price impact
    # output and the one with a 0.4% fee (sanity bounds on the model itself).
    assert raw_in * 996 * r_out // (r_in * 1000 + raw_in * 996) < expected < raw_in * r_out // (r_in + raw_in)
    kit.send(t_in, h.address, raw_in)
    out_args = (lambda n: (0, n)) if in_is_0 else (lambda n: (n, 0))
    with pytest.raises(RevertError) as err:
        chain.transact(h.pair.contract.functions.swap(*out_args(expected + 1), alice, b""), sender=kit.deployer)
    assert err.value.revert.name == "KInvariant"
    chain.transact(h.pair.contract.functions.swap(*out_args(expected), alice, b""), sender=kit.deployer)
    assert kit.balance(t_out, alice) == expected
    # getAmountIn inverts getAmountOut up to rounding: buying `expected` costs at most raw_in.
    assert amount_in(expected, r_in, r_out) <= raw_in


def test_swap_both_directions_and_k_grows_by_the_fee(chain, kit, ab_pair, alice):
    h = ab_pair
    r0, r1 = 40 * E18, 90 * E18
    kit.seed(h, r0, r1)
    out1 = amount_out(3 * E18, r0, r1)
    _swap_exact_in(chain, kit, h, True, 3 * E18, out1, alice)
    r0, r1 = r0 + 3 * E18, r1 - out1
    assert kit.reserves(h)[:2] == (r0, r1)
    out0 = amount_out(5 * E18, r1, r0)
    _swap_exact_in(chain, kit, h, False, 5 * E18, out0, alice)
    r0, r1 = r0 - out0, r1 + 5 * E18
    assert kit.reserves(h)[:2] == (r0, r1)
    assert r0 * r1 > 40 * E18 * 90 * E18


def test_swap_paying_in_both_tokens_charges_fee_on_both(chain, kit, ab_pair, alice):
    h = ab_pair
    r0, r1 = 10 * E18, 10 * E18
    kit.seed(h, r0, r1)
    in0, in1, out1 = 2 * E18, E18 // 2, 0
    # Find by hand the largest token1 output the K check allows when paying in0 and in1 at once.
    lo, hi = 0, r1 - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        adj, res = k_check(r0 + in0, r1 + in1 - mid, in0, in1, r0, r1)
        lo, hi = (mid, hi) if adj >= res else (lo, mid - 1)
    out1 = lo
    kit.send(h.token0, h.address, in0)
    kit.send(h.token1, h.address, in1)
    with pytest.raises(RevertError) as err:
        chain.transact(h.pair.contract.functions.swap(0, out1 + 1, alice, b""), sender=kit.deployer)
    assert err.value.revert.name == "KInvariant"
    receipt = chain.transact(h.pair.contract.functions.swap(0, out1, alice, b""), sender=kit.deployer)
    (ev,) = chain.events(receipt, h.pair, "Swap")
    assert (ev["amount0In"], ev["amount1In"]) == (in0, in1)


def test_swap_with_zero_outputs_reverts(chain, kit, ab_pair, alice):
    kit.seed(ab_pair, 10 * E18, 10 * E18)
    with pytest.raises(RevertError) as err:
        chain.transact(ab_pair.pair.contract.functions.swap(0, 0, alice, b""), sender=alice)
    assert err.value.revert.name == "InsufficientOutputAmount"


@pytest.mark.parametrize("side", [0, 1])
def test_swap_draining_a_reserve_reverts(chain, kit, ab_pair, alice, side):
    kit.seed(ab_pair, 10 * E18, 20 * E18)
    reserve = (10 * E18, 20 * E18)[side]
    args = (reserve, 0) if side == 0 else (0, reserve)
    with pytest.raises(RevertError) as err:
        chain.transact(ab_pair.pair.contract.functions.swap(*args, alice, b""), sender=alice)
    assert err.value.revert.name == "InsufficientLiquidity"


def test_swap_to_a_token_of_the_pair_reverts(chain, kit, ab_pair, alice):
    kit.seed(ab_pair, 10 * E18, 10 * E18)
    to = ab_pair.token1.address
    with pytest.raises(RevertError) as err:
        chain.transact(ab_pair.pair.contract.functions.swap(E18, 0, to, b""), sender=alice)
    assert err.value.revert.name == "InvalidTo"
    assert err.value.revert.args["to"].lower() == to.lower()


def test_swap_without_paying_reverts(chain, kit, ab_pair, alice):
    kit.seed(ab_pair, 10 * E18, 10 * E18)
    with pytest.raises(RevertError) as err:
        chain.transact(ab_pair.pair.contract.functions.swap(1, 0, alice, b""), sender=alice)
    assert err.value.revert.name == "InsufficientInputAmount"


def test_balance_beyond_uint112_reverts_with_overflow(chain, kit, ab_pair, alice):
    kit.seed(ab_pair, 10 * E18, 10 * E18)
    donation = 2**112 - 10 * E18  # balance0 becomes exactly 2**112, one above the uint112 maximum
    kit.send(ab_pair.token0, ab_pair.address, donation)
    with pytest.raises(RevertError) as err:
        chain.transact(ab_pair.pair.contract.functions.sync(), sender=alice)
    assert err.value.revert.name == "Overflow"
    assert err.value.revert.args == {"balance0": 2**112, "balance1": 10 * E18}
    with pytest.raises(RevertError) as err:
        chain.transact(ab_pair.pair.contract.functions.swap(0, E18, alice, b""), sender=alice)
    assert err.value.revert.name == "Overflow"
    with pytest.raises(RevertError) as err:
        chain.transact(ab_pair.pair.contract.functions.mint(alice), sender=alice)
    assert err.value.revert.name == "Overflow"
