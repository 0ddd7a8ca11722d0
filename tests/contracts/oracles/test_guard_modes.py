"""OracleGuard NAIVE, AMM_SPOT and TWAP modes, configuration and its revert paths."""

from __future__ import annotations

from typing import Any

import pytest

from defidrill.errors import RevertError

# anvil estimates gas before evm_setNextBlockTimestamp applies; time-dependent paths need a fixed limit
TIMED_TX_GAS = 1_000_000

ASSET = "0x000000000000000000000000000000000000a55e"
ZERO = "0x" + "00" * 20
Q112 = 2**112


def test_not_configured(chain: Any, kit: Any) -> None:
    assert kit.check()["primary"] == "NOT_CONFIGURED"
    assert kit.unavailable_reason() == "NOT_CONFIGURED"


@pytest.mark.parametrize(("answer", "naive_wad"), [(0, 0), (-7, 0), (2_000 * 10**8, 2_000 * 10**18)])
def test_naive_trusts_what_guard_rejects(chain: Any, kit: Any, feed: Any, transmitter: str, push: Any, answer: int,
                                         naive_wad: int) -> None:
    t = chain.timestamp() + 10
    push(feed, 3_000 * 10**8, transmitter, at_s=t)
    chain.transact(feed.contract.functions.injectRound(answer, t - 86_400, t - 86_400, 0))  # a day old
    chain.set_next_timestamp(t + 7 * 86_400)
    chain.mine()
    kit.configure(ASSET, "NAIVE", feed.address)
    assert kit.price() == naive_wad  # no staleness, no sign check
    assert kit.check()["ok"] and kit.check()["answer"] == answer
    kit.configure(ASSET, "GUARDED", feed.address)
    assert kit.check()["primary"] == ("STALE" if answer > 0 else "NON_POSITIVE_ANSWER")


def test_naive_out_of_range(chain: Any, kit: Any, feed: Any) -> None:
    chain.transact(feed.contract.functions.injectRound(2**128, 1, 1, 0))
    kit.configure(ASSET, "NAIVE", feed.address)
    assert kit.unavailable_reason() == "ANSWER_OUT_OF_RANGE"


@pytest.mark.parametrize("base_decimals", [8, 18])
def test_spot_reads_reserves_and_moves_with_a_swap(chain: Any, kit: Any, make_market: Any, base_decimals: int) -> None:
    m = make_market(base_decimals)
    one = 10**base_decimals
    kit.configure(m.base.address, "AMM_SPOT", m.pair.address)
    assert kit.check(m.base.address)["primary"] == "NO_LIQUIDITY"
    assert kit.unavailable_reason(m.base.address) == "NO_LIQUIDITY"
    m.add_liquidity(20 * one, 1_200_000 * 10**6, at_s=chain.timestamp() + 10)  # $60,000
    assert kit.price(m.base.address) == 60_000 * 10**18
    quote_out = m.swap_base_in(2 * one, at_s=chain.timestamp() + 10)
    reserve_base, reserve_quote = 22 * one, 1_200_000 * 10**6 - quote_out
    assert m.reserves() == (reserve_base, reserve_quote)
    expected = reserve_quote * 10 ** (18 + base_decimals) // (reserve_base * 10**6)
    assert kit.price(m.base.address) == expected
    assert expected < 50_000 * 10**18  # one 10% sale moved the "oracle" by > 16%


def test_twap_mode_and_twap_fallback(chain: Any, kit: Any, make_market: Any, feed: Any, transmitter: str, push: Any) -> None:
    m = make_market(18)
    twap = chain.deploy("TwapOracle", m.pair.address, m.base.address, 600, 2)
    t0 = chain.timestamp() + 10
    m.add_liquidity(100 * 10**18, 300_000 * 10**6, at_s=t0)
    kit.configure(m.base.address, "TWAP", twap.address)
    assert kit.check(m.base.address)["primary"] == "SOURCE_CALL_FAILED"  # InsufficientHistory inside
    chain.set_next_timestamp(t0 + 1)
    chain.transact(twap.contract.functions.update(), gas=TIMED_TX_GAS)
    chain.set_next_timestamp(t0 + 700)
    chain.mine()
    expected = ((300_000 * 10**6) << 112) // (100 * 10**18) * 10**36 // (Q112 * 10**6)  # constant price
    assert kit.price(m.base.address) == expected
    # GUARDED with the TWAP as fallback: primary never transmitted (incomplete) -> TWAP used
    kit.configure(m.base.address, "GUARDED", feed.address, fallback_kind="TWAP", fallback=twap.address)
    verdict = kit.check(m.base.address)
    assert (verdict["primary"], verdict["fallback"], verdict["used_fallback"]) == ("INCOMPLETE_ROUND", "OK", True)
    assert verdict["price_wad"] == expected


def test_set_asset_config_event_and_removal(chain: Any, kit: Any, feed: Any, transmitter: str, push: Any) -> None:
    receipt = kit.configure(ASSET, "GUARDED", feed.address, max_staleness_s=120, max_deviation_bps=500, check_bounds=True,
                            bound_buffer_bps=25)
    (event,) = chain.events(receipt, kit.guard, "AssetConfigured")
    assert event["asset"].lower() == ASSET
    config = event["config"]
    values = tuple(config.values()) if hasattr(config, "values") else tuple(config)
    assert values == (1, feed.address, 0, ZERO, 120, 500, True, 25)
    assert kit.config(ASSET) == (1, feed.address, 0, ZERO, 120, 500, True, 25)
    kit.configure(ASSET, "NONE", ZERO)
    assert kit.check()["primary"] == "NOT_CONFIGURED"


def test_config_reverts(chain: Any, kit: Any, feed: Any, make_market: Any) -> None:
    stranger = chain.accounts[5]

    def reverts(name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        with pytest.raises(RevertError) as e:
            kit.configure(*args, **kwargs)
        assert e.value.revert.name == name
        return e.value.revert.args

    assert reverts("NotOwner", ASSET, "GUARDED", feed.address, sender=stranger)["caller"].lower() == stranger.lower()
    reverts("ZeroAddress", ZERO, "GUARDED", feed.address)
    reverts("ZeroAddress", ASSET, "GUARDED", ZERO)
    reverts("StalenessRequired", ASSET, "GUARDED", feed.address, max_staleness_s=0)
    reverts("BoundBufferTooLarge", ASSET, "GUARDED", feed.address, bound_buffer_bps=10_001)
    reverts("FallbackNotSupported", ASSET, "NAIVE", feed.address, fallback_kind="FEED", fallback=feed.address)
    reverts("ZeroAddress", ASSET, "GUARDED", feed.address, fallback_kind="FEED")
    wide = chain.deploy("ChainlinkFeed", 37, "too many decimals", 1, 2, chain.accounts[1])
    assert reverts("UnsupportedDecimals", ASSET, "GUARDED", wide.address)["decimals"] == 37
    m = make_market(18)
    assert reverts("AssetNotInPair", ASSET, "AMM_SPOT", m.pair.address)["pair"].lower() == m.pair.address.lower()
    twap = chain.deploy("TwapOracle", m.pair.address, m.base.address, 600, 2)
    assert reverts("SourceAssetMismatch", ASSET, "TWAP", twap.address)["sourceAsset"].lower() == m.base.address.lower()
    reverts("SourceAssetMismatch", ASSET, "GUARDED", feed.address, fallback_kind="TWAP", fallback=twap.address)
    with pytest.raises(RevertError) as e:
        chain.transact(kit.guard.contract.functions.setSequencerFeed(feed.address, 1), sender=stranger)
    assert e.value.revert.name == "NotOwner"
