"""Router for EOAs: optimal deposits, pro-rata withdrawals, exact-in/exact-out paths, and every revert."""

from __future__ import annotations

from math import isqrt

import pytest

from amm_formulas import MINIMUM_LIQUIDITY, amount_in, amount_out, quote
from defidrill.errors import RevertError

FAR_FUTURE_S = 2**40  # a deadline no test reaches

E18 = 10**18
ZERO = "0x0000000000000000000000000000000000000000"


@pytest.fixture
def funded(kit, tka, tkb, weth, alice):
    """Alice holds 1e6 of each 18-decimal token and has approved the router."""
    for t in (tka, tkb, weth):
        kit.mint(t, alice, 1_000_000 * E18)
        kit.approve_router(t, alice)
    return alice


def _add(chain, router, a, b, da, db, ma, mb, who, deadline=FAR_FUTURE_S):
    fn = router.contract.functions.addLiquidity(a.address, b.address, da, db, ma, mb, who, deadline)
    return chain.transact(fn, sender=who)


def test_add_liquidity_creates_the_pair_then_deposits_at_the_pool_ratio(chain, kit, router, factory, tka, tkb, funded):
    alice = funded
    _add(chain, router, tka, tkb, 10 * E18, 40 * E18, 0, 0, alice)
    pair = kit.pair_at(chain.call(factory.contract.functions.getPair(tka.address, tkb.address)))
    assert chain.call(pair.contract.functions.balanceOf(alice)) == 20 * E18 - MINIMUM_LIQUIDITY
    # Second deposit, B side too large: A is used in full and B reduced to quote(A).
    b_opt = quote(3 * E18, 10 * E18, 40 * E18)
    _add(chain, router, tka, tkb, 3 * E18, 50 * E18, 0, b_opt, alice)
    assert kit.balance(tka, alice) == (1_000_000 - 13) * E18
    assert kit.balance(tkb, alice) == 1_000_000 * E18 - 40 * E18 - b_opt
    # Third deposit, A side too large: B used in full, A reduced to quote(B).
    ra, rb = 13 * E18, 40 * E18 + b_opt
    a_opt = quote(E18, rb, ra)
    _add(chain, router, tka, tkb, 9 * E18, E18, a_opt, 0, alice)
    assert kit.balance(tka, alice) == (1_000_000 - 13) * E18 - a_opt


def test_add_liquidity_min_amount_reverts(chain, router, tka, tkb, funded):
    alice = funded
    _add(chain, router, tka, tkb, 10 * E18, 40 * E18, 0, 0, alice)
    b_opt = quote(E18, 10 * E18, 40 * E18)  # 4e18
    with pytest.raises(RevertError) as err:
        _add(chain, router, tka, tkb, E18, 50 * E18, 0, b_opt + 1, alice)
    assert err.value.revert.name == "InsufficientBAmount"
    assert err.value.revert.args == {"amountB": b_opt, "amountBMin": b_opt + 1}
    a_opt = quote(E18, 40 * E18, 10 * E18)
    with pytest.raises(RevertError) as err:
        _add(chain, router, tka, tkb, 50 * E18, E18, a_opt + 1, 0, alice)
    assert err.value.revert.name == "InsufficientAAmount"
    assert err.value.revert.args == {"amountA": a_opt, "amountAMin": a_opt + 1}


def test_remove_liquidity_pays_pro_rata_and_checks_minimums(chain, kit, router, factory, tka, tkb, funded):
    alice = funded
    _add(chain, router, tka, tkb, 9 * E18, 16 * E18, 0, 0, alice)
    pair = kit.pair_at(chain.call(factory.contract.functions.getPair(tka.address, tkb.address)))
    p = pair.contract.functions
    chain.transact(p.approve(router.address, 2**256 - 1), sender=alice)
    supply = isqrt(9 * E18 * 16 * E18)
    shares = 3 * E18
    want_a, want_b = shares * 9 * E18 // supply, shares * 16 * E18 // supply
    remove = router.contract.functions.removeLiquidity
    for mins, name in (((want_a + 1, 0), "InsufficientAAmount"), ((0, want_b + 1), "InsufficientBAmount")):
        with pytest.raises(RevertError) as err:
            chain.transact(remove(tka.address, tkb.address, shares, *mins, alice, FAR_FUTURE_S), sender=alice)
        assert err.value.revert.name == name
    before_a, before_b = kit.balance(tka, alice), kit.balance(tkb, alice)
    chain.transact(remove(tkb.address, tka.address, shares, want_b, want_a, alice, FAR_FUTURE_S), sender=alice)
    assert (kit.balance(tka, alice) - before_a, kit.balance(tkb, alice) - before_b) == (want_a, want_b)


def test_exact_in_swap_over_a_two_hop_path(chain, kit, router, tka, tkb, weth, funded, bob):
    alice = funded
    _add(chain, router, tka, weth, 100 * E18, 50 * E18, 0, 0, alice)
    _add(chain, router, weth, tkb, 50 * E18, 300 * E18, 0, 0, alice)
    sell = 7 * E18
    hop1 = amount_out(sell, 100 * E18, 50 * E18)
    hop2 = amount_out(hop1, 50 * E18, 300 * E18)
    path = [tka.address, weth.address, tkb.address]
    r = router.contract.functions
    assert chain.call(r.getAmountsOut(sell, path)) == [sell, hop1, hop2]
    with pytest.raises(RevertError) as err:
        chain.transact(r.swapExactTokensForTokens(sell, hop2 + 1, path, bob, FAR_FUTURE_S), sender=alice)
    assert err.value.revert.name == "OutputBelowMinimum"
    assert err.value.revert.args == {"amountOut": hop2, "amountOutMin": hop2 + 1}
    chain.transact(r.swapExactTokensForTokens(sell, hop2, path, bob, FAR_FUTURE_S), sender=alice)
    assert kit.balance(tkb, bob) == hop2


def test_exact_out_swap_and_its_maximum(chain, kit, router, tka, tkb, funded, bob):
    alice = funded
    _add(chain, router, tka, tkb, 100 * E18, 200 * E18, 0, 0, alice)
    want = 10 * E18
    cost = amount_in(want, 100 * E18, 200 * E18)
    path = [tka.address, tkb.address]
    r = router.contract.functions
    assert chain.call(r.getAmountsIn(want, path)) == [cost, want]
    with pytest.raises(RevertError) as err:
        chain.transact(r.swapTokensForExactTokens(want, cost - 1, path, bob, FAR_FUTURE_S), sender=alice)
    assert err.value.revert.name == "InputAboveMaximum"
    before = kit.balance(tka, alice)
    chain.transact(r.swapTokensForExactTokens(want, cost, path, bob, FAR_FUTURE_S), sender=alice)
    assert (kit.balance(tkb, bob), before - kit.balance(tka, alice)) == (want, cost)


def test_expired_deadline_reverts_with_both_times(chain, router, tka, tkb, funded):
    alice = funded
    now = chain.timestamp()
    chain.advance(10)  # the deadline passes in a mined block, so estimate and execution agree
    with pytest.raises(RevertError) as err:
        _add(chain, router, tka, tkb, E18, E18, 0, 0, alice, deadline=now + 9)
    assert err.value.revert.name == "Expired"
    assert err.value.revert.args["deadline_s"] == now + 9
    assert err.value.revert.args["now_s"] >= now + 10


def test_path_and_pair_reverts(chain, router, tka, tkb, weth, funded):
    alice = funded
    r = router.contract.functions
    cases = [
        ([tka.address], "InvalidPath"),
        ([tka.address, tkb.address], "PairNotFound"),
        ([tka.address, tka.address], "IdenticalAddresses"),
        ([ZERO, tka.address], "ZeroAddress"),
    ]
    for path, name in cases:
        with pytest.raises(RevertError) as err:
            chain.transact(r.swapExactTokensForTokens(E18, 0, path, alice, FAR_FUTURE_S), sender=alice)
        assert err.value.revert.name == name, path
    with pytest.raises(RevertError) as err:
        chain.call(r.getAmountsIn(E18, [weth.address]))
    assert err.value.revert.name == "InvalidPath"


def test_pure_pricing_functions_match_the_formulas_and_revert_on_empty_inputs(chain, router):
    r = router.contract.functions
    for a, ri, ro in ((1, 1, 1), (10**6, 3 * 10**12, 10**20), (5 * E18, 10 * E18, 7 * 10**8), (2**100, 2**111, 2**111)):
        assert chain.call(r.getAmountOut(a, ri, ro)) == amount_out(a, ri, ro)
        assert chain.call(r.quote(a, ri, ro)) == quote(a, ri, ro)
        if a < ro:
            assert chain.call(r.getAmountIn(a, ri, ro)) == amount_in(a, ri, ro)
    reverts = [
        (r.quote(0, 1, 1), "InsufficientAmount"),
        (r.quote(1, 0, 1), "InsufficientLiquidity"),
        (r.getAmountOut(0, 1, 1), "InsufficientInputAmount"),
        (r.getAmountOut(1, 0, 1), "InsufficientLiquidity"),
        (r.getAmountIn(0, 1, 1), "InsufficientOutputAmount"),
        (r.getAmountIn(5, 1, 5), "InsufficientLiquidity"),  # asking the whole reserve
        (r.getAmountIn(1, 0, 5), "InsufficientLiquidity"),
    ]
    for call, name in reverts:
        with pytest.raises(RevertError) as err:
            chain.call(call)
        assert err.value.revert.name == name


def test_router_moves_no_return_tokens_and_rejects_false_returning_ones(chain, kit, router, tka, funded, bob):
    alice = funded
    usdt_like = chain.deploy("NoReturnToken")
    chain.transact(usdt_like.contract.functions.mint(alice, 100 * E18))
    chain.transact(usdt_like.contract.functions.approve(router.address, 2**256 - 1), sender=alice)
    _add(chain, router, usdt_like, tka, 50 * E18, 50 * E18, 0, 0, alice)
    out = amount_out(E18, 50 * E18, 50 * E18)
    path = [usdt_like.address, tka.address]
    chain.transact(router.contract.functions.swapExactTokensForTokens(E18, out, path, bob, FAR_FUTURE_S), sender=alice)
    assert kit.balance(tka, bob) == out
    liar = chain.deploy("FalseReturnToken")
    with pytest.raises(RevertError) as err:
        _add(chain, router, liar, tka, E18, E18, 0, 0, alice)
    assert err.value.revert.name == "TransferFromFailed"
