"""Flash swaps through IUniswapV2Callee: repay rules to the wei, the callback's view, and the lock."""

from __future__ import annotations

import pytest
from eth_abi import encode

from amm_formulas import amount_in, flash_repay_same_token
from defidrill.errors import RevertError

E18 = 10**18

# Uniswap v2-core `optimisticTestCases`: (amount out, reserve0, reserve1 in whole tokens, repay in wei),
# repaid in the borrowed token0 itself.
UNISWAP_OPTIMISTIC_CASES = [
    (997 * 10**15, 5, 10, E18),  # given amountIn, amountOut = floor(amountIn * .997)
    (997 * 10**15, 10, 5, E18),
    (997 * 10**15, 5, 5, E18),
    (E18, 5, 5, 1003009027081243732),  # given amountOut, amountIn = ceiling(amountOut / .997)
]


def _data(token, repay_raw: int, reenter: bool = False) -> bytes:
    return encode(["address", "uint256", "bool"], [token.address, repay_raw, reenter])


@pytest.fixture
def callee(chain):
    return chain.deploy("FlashSwapCallee")


@pytest.mark.parametrize(("out_wei", "r0", "r1", "repay_wei"), UNISWAP_OPTIMISTIC_CASES)
def test_same_token_repay_of_ceil_amount_over_997_passes_and_one_wei_less_reverts(
    chain, kit, ab_pair, callee, out_wei, r0, r1, repay_wei
):
    h = ab_pair
    assert flash_repay_same_token(out_wei) == repay_wei  # the model agrees with Uniswap's table
    kit.seed(h, r0 * E18, r1 * E18)
    kit.mint(h.token0, callee.address, repay_wei)
    flash = callee.contract.functions.flash
    with pytest.raises(RevertError) as err:
        chain.transact(flash(h.address, out_wei, 0, _data(h.token0, repay_wei - 1)))
    assert err.value.revert.name == "KInvariant"
    receipt = chain.transact(flash(h.address, out_wei, 0, _data(h.token0, repay_wei)))
    (ev,) = chain.events(receipt, h.pair, "Swap")
    assert (ev["amount0In"], ev["amount0Out"], ev["amount1In"], ev["amount1Out"]) == (repay_wei, out_wei, 0, 0)
    assert kit.reserves(h)[:2] == (r0 * E18 - out_wei + repay_wei, r1 * E18)
    # What the callback saw: the pair's caller (the callee itself), the amounts, and the tokens already there.
    f = callee.contract.functions
    assert chain.call(f.lastSender()) == callee.address
    assert (chain.call(f.lastAmount0()), chain.call(f.lastAmount1())) == (out_wei, 0)
    assert chain.call(f.lastBalance0()) == repay_wei + out_wei


def test_borrow_token0_repay_token1_needs_get_amount_in(chain, kit, usdc, weth, callee):
    # A flash liquidator's shape: borrow USDC (6 dec), repay in WETH (18 dec) at the formula's price.
    h = kit.create_pair(usdc, weth)
    r_usdc, r_weth = 3_000_000 * 10**6, 1_000 * E18
    reserves = (r_usdc, r_weth) if h.token0.address == usdc.address else (r_weth, r_usdc)
    kit.seed(h, *reserves)
    borrow_usdc = 45_000 * 10**6
    repay_weth = amount_in(borrow_usdc, r_weth, r_usdc)
    kit.mint(weth, callee.address, repay_weth)
    outs = (borrow_usdc, 0) if h.token0.address == usdc.address else (0, borrow_usdc)
    flash = callee.contract.functions.flash
    with pytest.raises(RevertError) as err:
        chain.transact(flash(h.address, *outs, _data(weth, repay_weth - 1)))
    assert err.value.revert.name == "KInvariant"
    chain.transact(flash(h.address, *outs, _data(weth, repay_weth)))
    assert kit.balance(usdc, callee.address) == borrow_usdc
    assert kit.balance(weth, callee.address) == 0


def test_reentering_swap_from_the_callback_reverts_locked(chain, kit, ab_pair, callee):
    h = ab_pair
    kit.seed(h, 10 * E18, 10 * E18)
    kit.mint(h.token0, callee.address, 2 * E18)
    with pytest.raises(RevertError) as err:
        chain.transact(callee.contract.functions.flash(h.address, E18, 0, _data(h.token0, 2 * E18, reenter=True)))
    assert err.value.revert.name == "Locked"


def test_reentrant_token_hook_is_locked_out_of_every_entry_point(chain, kit, tkb, alice):
    # A token that calls back into the pair from inside `transfer` (ERC-777 style) meets the lock.
    reentrant = chain.deploy("ReentrantToken")
    h = kit.create_pair(reentrant, tkb)
    kit.seed(h, 10 * E18, 10 * E18)
    pair_fns = h.pair.contract.functions
    locked_selector = "0x" + chain.w3.keccak(text="Locked()")[:4].hex().removeprefix("0x")
    out_args = (E18, 0) if h.token0.address == reentrant.address else (0, E18)
    for call in (pair_fns.sync(), pair_fns.skim(alice), pair_fns.mint(alice), pair_fns.burn(alice),
                 pair_fns.swap(*out_args, alice, b"")):
        data = call._encode_transaction_data()
        chain.transact(reentrant.contract.functions.setReentry(h.address, data))
        kit.send(tkb, h.address, 2 * E18)
        # The pair pays out the re-entrant token, whose hook tries `call` on the pair mid-swap.
        swap_out = (E18 // 10, 0) if h.token0.address == reentrant.address else (0, E18 // 10)
        # Explicit gas: the hook swallows the inner failure, so a gas estimate may stop at an amount
        # where the re-entrant call runs out of gas instead of hitting the lock.
        chain.transact(pair_fns.swap(*swap_out, alice, b""), gas=1_000_000)
        rf = reentrant.contract.functions
        assert chain.call(rf.lastReentrySucceeded()) is False
        assert chain.call(rf.lastReentryReturnData()) in (bytes.fromhex(locked_selector[2:]), locked_selector)
