"""price0CumulativeLast/price1CumulativeLast over known windows, computed by hand in UQ112x112."""

from __future__ import annotations

from amm_formulas import Q112, amount_out, price_uq112

E18 = 10**18
# Explicit gas: the node estimates gas before evm_setNextBlockTimestamp applies, and at the old
# timestamp the cumulative-price update is skipped (elapsed 0), so the estimate would be too low.
GAS = 500_000


def _cumulatives(chain, h) -> tuple[int, int]:
    f = h.pair.contract.functions
    return chain.call(f.price0CumulativeLast()), chain.call(f.price1CumulativeLast())


def test_cumulative_prices_and_twap_over_a_known_window(chain, kit, wbtc, usdc, alice):
    h = kit.create_pair(wbtc, usdc)
    btc_is_0 = h.token0.address == wbtc.address
    r_btc, r_usd = 100 * 10**8, 6_000_000 * 10**6
    r0, r1 = (r_btc, r_usd) if btc_is_0 else (r_usd, r_btc)
    kit.seed(h, r0, r1)
    f = h.pair.contract.functions

    t0 = chain.timestamp() + 1_000
    chain.set_next_timestamp(t0)
    chain.transact(f.sync(), gas=GAS)
    c0_start, c1_start = _cumulatives(chain, h)
    assert kit.reserves(h)[2] == t0 % 2**32

    # 100 s at the seeded reserves, then a swap moves the price; 150 s more, then a sync reads it.
    sell_btc = 5 * 10**8
    got_usd = amount_out(sell_btc, r_btc, r_usd)
    kit.send(wbtc, h.address, sell_btc)
    chain.set_next_timestamp(t0 + 100)
    chain.transact(f.swap(*((0, got_usd) if btc_is_0 else (got_usd, 0)), alice, b""), gas=GAS)
    n0, n1 = (r_btc + sell_btc, r_usd - got_usd) if btc_is_0 else (r_usd - got_usd, r_btc + sell_btc)
    assert _cumulatives(chain, h) == (
        c0_start + price_uq112(r1, r0) * 100,
        c1_start + price_uq112(r0, r1) * 100,
    )
    chain.set_next_timestamp(t0 + 250)
    chain.transact(f.sync(), gas=GAS)
    c0_end, c1_end = _cumulatives(chain, h)
    assert c0_end == c0_start + price_uq112(r1, r0) * 100 + price_uq112(n1, n0) * 150
    assert c1_end == c1_start + price_uq112(r0, r1) * 100 + price_uq112(n0, n1) * 150

    # The TWAP of USDC per WBTC over the 250 s window, raw units (1e6 per 1e8): by hand
    # (60000 * 100 + p_after * 150) / 250 where p_after = (r_usd - got_usd) / (r_btc + sell_btc).
    twap_btc_uq = ((c0_end - c0_start) if btc_is_0 else (c1_end - c1_start)) // 250
    usd_per_btc = twap_btc_uq * 10**8 // Q112 / 10**6
    p_after = (r_usd - got_usd) / 10**6 / ((r_btc + sell_btc) / 10**8)
    assert abs(usd_per_btc - (60_000 * 100 + p_after * 150) / 250) < 1e-3


def test_timestamp_wraps_modulo_2_pow_32_and_elapsed_stays_right(chain, kit, ab_pair):
    h = ab_pair
    r0, r1 = 3 * E18, 7 * E18
    kit.seed(h, r0, r1)
    f = h.pair.contract.functions
    chain.set_next_timestamp(2**32 - 10)
    chain.transact(f.sync(), gas=GAS)
    c0, c1 = _cumulatives(chain, h)
    assert kit.reserves(h)[2] == 2**32 - 10
    chain.set_next_timestamp(2**32 + 20)  # uint32 wraps; elapsed must still be 30 s
    chain.transact(f.sync(), gas=GAS)
    assert kit.reserves(h)[2] == 20
    assert _cumulatives(chain, h) == (c0 + price_uq112(r1, r0) * 30, c1 + price_uq112(r0, r1) * 30)


def test_first_mint_accumulates_nothing(chain, kit, ab_pair):
    # Empty reserves have no price: the first update only starts the clock.
    kit.seed(ab_pair, 2 * E18, 5 * E18)
    assert _cumulatives(chain, ab_pair) == (0, 0)
