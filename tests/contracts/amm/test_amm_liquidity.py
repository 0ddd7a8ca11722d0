"""LP shares by hand (first mint, proportional mints, pro-rata burns), sync/skim, and K across a sequence."""

from __future__ import annotations

from math import isqrt

import pytest

from amm_formulas import (
    MINIMUM_LIQUIDITY,
    amount_out,
    burn_amounts,
    first_mint_shares,
    later_mint_shares,
)
from defidrill.errors import RevertError

E18 = 10**18
ZERO = "0x0000000000000000000000000000000000000000"


def test_first_mint_is_sqrt_xy_minus_minimum_locked_at_zero(chain, kit, ab_pair, alice):
    h = ab_pair
    a0, a1 = 1 * E18, 4 * E18
    receipt = kit.seed(h, a0, a1, to=alice)
    expected = 2 * E18 - MINIMUM_LIQUIDITY  # sqrt(1e18 * 4e18) = 2e18, by hand
    assert expected == first_mint_shares(a0, a1)
    f = h.pair.contract.functions
    assert chain.call(f.balanceOf(alice)) == expected
    assert chain.call(f.balanceOf(ZERO)) == MINIMUM_LIQUIDITY
    assert chain.call(f.totalSupply()) == 2 * E18
    assert kit.reserves(h)[:2] == (a0, a1)
    (mint_ev,) = chain.events(receipt, h.pair, "Mint")
    assert (mint_ev["sender"], mint_ev["amount0"], mint_ev["amount1"]) == (kit.deployer, a0, a1)
    (sync_ev,) = chain.events(receipt, h.pair, "Sync")
    assert (sync_ev["reserve0"], sync_ev["reserve1"]) == (a0, a1)


def test_first_mint_with_mixed_decimals(chain, kit, wbtc, usdc, alice):
    h = kit.create_pair(wbtc, usdc)
    btc, dollars = 10 * 10**8, 600_000 * 10**6  # 10 WBTC (8 dec) against 600k USDC (6 dec)
    amounts = (btc, dollars) if h.token0.address == wbtc.address else (dollars, btc)
    kit.seed(h, *amounts, to=alice)
    # sqrt(1e9 * 6e11) = sqrt(6e20) = 24494897427.83... -> 24494897427, minus 1000
    assert chain.call(h.pair.contract.functions.balanceOf(alice)) == 24494897427 - 1000
    assert isqrt(btc * dollars) == 24494897427


def test_first_mint_at_or_below_minimum_reverts(chain, kit, ab_pair, alice):
    h = ab_pair
    kit.send(h.token0, h.address, 1000)
    kit.send(h.token1, h.address, 1000)  # sqrt = 1000 = MINIMUM_LIQUIDITY: zero shares
    with pytest.raises(RevertError) as err:
        chain.transact(h.pair.contract.functions.mint(alice))
    assert err.value.revert.name == "InsufficientLiquidityMinted"
    kit.send(h.token0, h.address, 1)
    kit.send(h.token1, h.address, 1)  # 1001 * 1001: one share
    chain.transact(h.pair.contract.functions.mint(alice))
    assert chain.call(h.pair.contract.functions.balanceOf(alice)) == 1


def test_later_mint_is_proportional_and_takes_the_smaller_side(chain, kit, ab_pair, alice, bob):
    h = ab_pair
    r0, r1 = 3 * E18, 12 * E18
    kit.seed(h, r0, r1, to=alice)
    supply = isqrt(r0 * r1)
    # Bob deposits 1:4 plus an extra token1: the extra is donated to all LPs, shares follow token0.
    d0, d1 = E18, 5 * E18
    want = later_mint_shares(d0, d1, r0, r1, supply)
    assert want == d0 * supply // r0 == 2 * E18  # by hand: 1/3 of 6e18
    kit.send(h.token0, h.address, d0)
    kit.send(h.token1, h.address, d1)
    chain.transact(h.pair.contract.functions.mint(bob))
    assert chain.call(h.pair.contract.functions.balanceOf(bob)) == want


def test_mint_of_nothing_into_a_live_pool_reverts(chain, kit, ab_pair, alice):
    kit.seed(ab_pair, 5 * E18, 5 * E18)
    with pytest.raises(RevertError) as err:
        chain.transact(ab_pair.pair.contract.functions.mint(alice))
    assert err.value.revert.name == "InsufficientLiquidityMinted"


def test_burn_pays_pro_rata_of_balances(chain, kit, ab_pair, alice):
    h = ab_pair
    r0, r1 = 7 * E18, 3 * E18
    kit.seed(h, r0, r1, to=alice)
    f = h.pair.contract.functions
    shares = chain.call(f.balanceOf(alice)) // 3
    supply = chain.call(f.totalSupply())
    want0, want1 = burn_amounts(shares, r0, r1, supply)
    chain.transact(f.transfer(h.address, shares), sender=alice)
    receipt = chain.transact(f.burn(alice))
    assert (kit.balance(h.token0, alice), kit.balance(h.token1, alice)) == (want0, want1)
    (ev,) = chain.events(receipt, h.pair, "Burn")
    assert (ev["amount0"], ev["amount1"], ev["to"]) == (want0, want1, alice)
    assert kit.reserves(h)[:2] == (r0 - want0, r1 - want1)
    assert chain.call(f.totalSupply()) == supply - shares


def test_burn_of_nothing_reverts(chain, kit, ab_pair, alice):
    with pytest.raises(RevertError) as err:  # empty pair: no supply at all
        chain.transact(ab_pair.pair.contract.functions.burn(alice))
    assert err.value.revert.name == "InsufficientLiquidityBurned"
    kit.seed(ab_pair, 5 * E18, 5 * E18)
    with pytest.raises(RevertError) as err:  # live pair, zero shares sent
        chain.transact(ab_pair.pair.contract.functions.burn(alice))
    assert err.value.revert.name == "InsufficientLiquidityBurned"


def test_skim_sends_the_excess_and_sync_absorbs_it(chain, kit, ab_pair, alice, bob):
    h = ab_pair
    kit.seed(h, 5 * E18, 6 * E18)
    kit.send(h.token0, h.address, 123)
    kit.send(h.token1, h.address, 456)
    chain.transact(h.pair.contract.functions.skim(alice), sender=bob)
    assert (kit.balance(h.token0, alice), kit.balance(h.token1, alice)) == (123, 456)
    assert kit.reserves(h)[:2] == (5 * E18, 6 * E18)
    kit.send(h.token0, h.address, 789)
    receipt = chain.transact(h.pair.contract.functions.sync(), sender=bob)
    assert kit.reserves(h)[:2] == (5 * E18 + 789, 6 * E18)
    (ev,) = chain.events(receipt, h.pair, "Sync")
    assert (ev["reserve0"], ev["reserve1"]) == (5 * E18 + 789, 6 * E18)


def test_initialize_is_factory_only(chain, kit, ab_pair, alice):
    with pytest.raises(RevertError) as err:
        chain.transact(ab_pair.pair.contract.functions.initialize(alice, alice), sender=alice)
    assert err.value.revert.name == "NotFactory"
    assert err.value.revert.args["caller"].lower() == alice.lower()


def test_lp_token_transfer_and_allowance_rules(chain, kit, ab_pair, alice, bob):
    kit.seed(ab_pair, 4 * E18, 4 * E18, to=alice)
    f = ab_pair.pair.contract.functions
    assert (chain.call(f.decimals()), chain.call(f.MINIMUM_LIQUIDITY())) == (18, MINIMUM_LIQUIDITY)
    held = chain.call(f.balanceOf(alice))
    with pytest.raises(RevertError) as err:
        chain.transact(f.transfer(bob, held + 1), sender=alice)
    assert err.value.revert.name == "InsufficientBalance"
    with pytest.raises(RevertError) as err:
        chain.transact(f.transferFrom(alice, bob, 1), sender=bob)
    assert err.value.revert.name == "InsufficientAllowance"


def test_k_never_decreases_and_share_value_never_falls_over_a_sequence(chain, kit, ab_pair, alice, bob):
    """A handler-style run: the test keeps its own reserves and supply and checks them after every step."""
    h = ab_pair
    f = h.pair.contract.functions
    r0, r1 = 50 * E18, 80 * E18
    kit.seed(h, r0, r1, to=alice)
    supply = isqrt(r0 * r1)
    last_root_k_per_share = isqrt(r0 * r1) * E18 // supply

    def check(step: str) -> None:
        nonlocal last_root_k_per_share
        assert kit.reserves(h)[:2] == (r0, r1), step
        assert chain.call(f.totalSupply()) == supply, step
        root_k_per_share = isqrt(r0 * r1) * E18 // supply
        assert root_k_per_share >= last_root_k_per_share, step
        last_root_k_per_share = root_k_per_share

    steps = [("swap0", 7 * E18), ("swap1", 11 * E18), ("mint", 3 * E18), ("swap0", E18 // 3),
             ("burn", 5), ("swap1", 29 * E18), ("swap0", 123_456_789), ("burn", 2), ("mint", 9 * E18),
             ("swap1", 1)]
    for kind, amount in steps:
        k_before = r0 * r1
        if kind == "swap0":
            out = amount_out(amount, r0, r1)
            if out == 0:
                continue
            kit.send(h.token0, h.address, amount)
            chain.transact(f.swap(0, out, bob, b""))
            r0, r1 = r0 + amount, r1 - out
            assert r0 * r1 >= k_before, kind
        elif kind == "swap1":
            out = amount_out(amount, r1, r0)
            if out == 0:
                continue
            kit.send(h.token1, h.address, amount)
            chain.transact(f.swap(out, 0, bob, b""))
            r0, r1 = r0 - out, r1 + amount
            assert r0 * r1 >= k_before, kind
        elif kind == "mint":
            d0, d1 = amount, amount * r1 // r0
            shares = later_mint_shares(d0, d1, r0, r1, supply)
            kit.send(h.token0, h.address, d0)
            kit.send(h.token1, h.address, d1)
            chain.transact(f.mint(bob))
            r0, r1, supply = r0 + d0, r1 + d1, supply + shares
        else:  # burn 1/amount of alice's shares
            shares = chain.call(f.balanceOf(alice)) // amount
            out0, out1 = burn_amounts(shares, r0, r1, supply)
            chain.transact(f.transfer(h.address, shares), sender=alice)
            chain.transact(f.burn(alice))
            r0, r1, supply = r0 - out0, r1 - out1, supply - shares
        check(kind)
