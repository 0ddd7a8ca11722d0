"""TwapOracle: averages worked out by hand from the Uniswap V2 cumulative-price definition."""

from __future__ import annotations

from typing import Any

import pytest

from defidrill.errors import RevertError

# anvil estimates gas before evm_setNextBlockTimestamp applies; time-dependent paths need a fixed limit
TIMED_TX_GAS = 1_000_000

Q112 = 2**112
WINDOW_S = 600
GRANULARITY = 2  # periodS = 300, ring capacity 3


def uq(reserve_num: int, reserve_den: int) -> int:
    """UQ112x112 price as the pair accumulates it: (num << 112) // den."""
    return (reserve_num << 112) // reserve_den


def to_wad(avg_x112: int, base_decimals: int, quote_decimals: int) -> int:
    return avg_x112 * 10 ** (18 + base_decimals) // (Q112 * 10**quote_decimals)


def _at(chain: Any, ts: int) -> None:
    """Mine an empty block stamped `ts`, so the next eth_call sees block.timestamp == ts."""
    chain.set_next_timestamp(ts)
    chain.mine()


def _update(chain: Any, twap: Any, at_s: int) -> Any:
    chain.set_next_timestamp(at_s)
    return chain.transact(twap.contract.functions.update(), gas=TIMED_TX_GAS)


@pytest.mark.parametrize("base_decimals", [18, 8])
def test_twap_over_known_window(chain: Any, make_market: Any, base_decimals: int) -> None:
    m = make_market(base_decimals)
    twap = chain.deploy("TwapOracle", m.pair.address, m.base.address, WINDOW_S, GRANULARITY)
    one = 10**base_decimals
    t0 = chain.timestamp() + 100
    m.add_liquidity(100 * one, 300_000 * 10**6, at_s=t0)  # $3,000
    price_a = uq(300_000 * 10**6, 100 * one)

    receipt = _update(chain, twap, t0 + 10)
    events = chain.events(receipt, twap, "ObservationRecorded")
    assert len(events) == 1 and events[0]["timestamp"] == t0 + 10
    cum_obs0 = price_a * 10  # counterfactual: pair untouched since t0
    cum_field = "price0CumulativeX112" if m.base_is_token0 else "price1CumulativeX112"
    assert events[0][cum_field] == cum_obs0

    m.swap_base_in(10 * one, at_s=t0 + 310)  # pair accumulates price_a for 310 s
    reserve_base, reserve_quote = m.reserves()
    price_b = uq(reserve_quote, reserve_base)
    assert price_b < price_a

    _update(chain, twap, t0 + 400)  # 390 s after obs0 >= periodS: recorded
    assert chain.call(twap.contract.functions.observationCount()) == 2

    _at(chain, t0 + 700)
    # newest observation at least 600 s old at t0+700 is obs0 (t0+10); span 690 s
    cum_now = price_a * 310 + price_b * (700 - 310)
    expected_avg = (cum_now - cum_obs0) // 690
    assert expected_avg == (price_a * 300 + price_b * 390) // 690
    base_q, _, elapsed = chain.call(twap.contract.functions.averagePricesX112())
    assert (base_q, elapsed) == (expected_avg, 690)
    assert chain.call(twap.contract.functions.priceWad()) == to_wad(expected_avg, base_decimals, 6)
    assert chain.call(twap.contract.functions.consult(m.base.address, 2 * one)) == expected_avg * 2 * one // Q112

    # quote -> base direction uses the reverse cumulative, not 1/avg
    inv_a = uq(100 * one, 300_000 * 10**6)
    inv_b = uq(reserve_base, reserve_quote)
    inv_avg = (inv_a * 300 + inv_b * 390) // 690
    assert chain.call(twap.contract.functions.consult(m.quote.address, 1_000 * 10**6)) == inv_avg * 1_000 * 10**6 // Q112


def test_counterfactual_cumulative_matches_pair_update(chain: Any, make_market: Any) -> None:
    m = make_market(18)
    twap = chain.deploy("TwapOracle", m.pair.address, m.base.address, WINDOW_S, GRANULARITY)
    t0 = chain.timestamp() + 100
    m.add_liquidity(50 * 10**18, 100_000 * 10**6, at_s=t0)
    _at(chain, t0 + 77)
    p0, p1, ts = chain.call(twap.contract.functions.currentCumulativePrices())
    r0, r1, _ = chain.call(m.pair.contract.functions.getReserves())
    assert (p0, p1, ts) == (uq(r1, r0) * 77, uq(r0, r1) * 77, t0 + 77)
    # once the pair syncs in this block, the stored cumulative equals the counterfactual one
    chain.set_next_timestamp(t0 + 78)
    chain.transact(m.pair.contract.functions.sync(), gas=TIMED_TX_GAS)
    assert chain.call(m.pair.contract.functions.price0CumulativeLast()) == uq(r1, r0) * 78
    assert chain.call(twap.contract.functions.currentCumulativePrices())[0] == uq(r1, r0) * 78


def test_update_spacing_and_ring_buffer(chain: Any, make_market: Any) -> None:
    m = make_market(18)
    twap = chain.deploy("TwapOracle", m.pair.address, m.base.address, WINDOW_S, GRANULARITY)
    f = twap.contract.functions
    assert chain.call(f.periodS()) == 300 and chain.call(f.capacity()) == 3
    t0 = chain.timestamp() + 100
    m.add_liquidity(10 * 10**18, 30_000 * 10**6, at_s=t0)
    price = uq(30_000 * 10**6, 10 * 10**18)  # quote per base, whichever token sorts first
    _update(chain, twap, t0 + 1)
    receipt = _update(chain, twap, t0 + 299)  # 298 s < periodS: ignored, no revert
    assert chain.events(receipt, twap, "ObservationRecorded") == []
    assert chain.call(f.observationCount()) == 1
    for ts in (t0 + 301, t0 + 601, t0 + 901):  # the third one overwrites slot 0
        _update(chain, twap, ts)
    assert chain.call(f.observationCount()) == 3
    assert chain.call(f.newestIndex()) == 0
    assert chain.call(f.observations(0))[0] == t0 + 901
    _at(chain, t0 + 1000)
    # constant price: the average is exact whatever observation is used; span from t0+301 (<= t0+400)
    base_q, _, elapsed = chain.call(f.averagePricesX112())
    assert elapsed == 1000 - 301
    assert base_q == price


def test_insufficient_history(chain: Any, make_market: Any) -> None:
    m = make_market(18)
    twap = chain.deploy("TwapOracle", m.pair.address, m.base.address, WINDOW_S, GRANULARITY)
    with pytest.raises(RevertError) as e:
        chain.call(twap.contract.functions.priceWad())
    assert e.value.revert.name == "InsufficientHistory"
    assert e.value.revert.args == {"oldestAgeS": 0, "windowS": WINDOW_S}
    t0 = chain.timestamp() + 100
    m.add_liquidity(10 * 10**18, 30_000 * 10**6, at_s=t0)
    _update(chain, twap, t0 + 1)
    _at(chain, t0 + 600)  # observation 599 s old: one second short
    with pytest.raises(RevertError) as e:
        chain.call(twap.contract.functions.consult(m.base.address, 10**18))
    assert e.value.revert.name == "InsufficientHistory"
    assert e.value.revert.args == {"oldestAgeS": 599, "windowS": WINDOW_S}
    _at(chain, t0 + 601)
    assert chain.call(twap.contract.functions.averagePricesX112())[2] == 600


def test_history_too_old(chain: Any, make_market: Any) -> None:
    m = make_market(18)
    twap = chain.deploy("TwapOracle", m.pair.address, m.base.address, WINDOW_S, GRANULARITY)
    t0 = chain.timestamp() + 100
    m.add_liquidity(10 * 10**18, 30_000 * 10**6, at_s=t0)
    _update(chain, twap, t0 + 1)
    _at(chain, t0 + 1 + 2 * WINDOW_S)
    assert chain.call(twap.contract.functions.averagePricesX112())[2] == 2 * WINDOW_S
    _at(chain, t0 + 2 + 2 * WINDOW_S)
    with pytest.raises(RevertError) as e:
        chain.call(twap.contract.functions.priceWad())
    assert e.value.revert.name == "TwapHistoryTooOld"
    assert e.value.revert.args == {"elapsedS": 2 * WINDOW_S + 1, "maxElapsedS": 2 * WINDOW_S}


def test_constructor_and_consult_reverts(chain: Any, make_market: Any) -> None:
    m = make_market(18)
    stranger_token = chain.deploy("MintableERC20", "X", "X", 18)
    for window, granularity in ((0, 1), (600, 0), (600, 7), (600 * 256, 256)):
        with pytest.raises(RevertError) as e:
            chain.deploy("TwapOracle", m.pair.address, m.base.address, window, granularity)
        assert e.value.revert.name == "InvalidWindow"
    with pytest.raises(RevertError) as e:
        chain.deploy("TwapOracle", m.pair.address, stranger_token.address, WINDOW_S, GRANULARITY)
    assert e.value.revert.name == "TokenNotInPair"
    twap = chain.deploy("TwapOracle", m.pair.address, m.base.address, WINDOW_S, GRANULARITY)
    with pytest.raises(RevertError) as e:
        chain.call(twap.contract.functions.consult(stranger_token.address, 1))
    assert e.value.revert.name == "TokenNotInPair"
    wide = make_market(31)
    with pytest.raises(RevertError) as e:
        chain.deploy("TwapOracle", wide.pair.address, wide.base.address, WINDOW_S, GRANULARITY)
    assert e.value.revert.name == "UnsupportedDecimals"
    assert e.value.revert.args["decimals"] == 31
