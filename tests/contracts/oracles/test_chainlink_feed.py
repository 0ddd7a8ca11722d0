"""ChainlinkFeed: round history, Chainlink OCR bound semantics, fault injection, access control."""

from __future__ import annotations

from typing import Any

import pytest

from defidrill.errors import RevertError

FEED_DECIMALS = 8
MIN_ANSWER_RAW = 10_000_000  # $0.10, as in conftest's `feed`
MAX_ANSWER_RAW = 10**8 * 1_000_000


def test_metadata(chain: Any, push: Any, feed: Any, transmitter: str) -> None:
    f = feed.contract.functions
    assert chain.call(f.decimals()) == FEED_DECIMALS
    assert chain.call(f.description()) == "WBTC / USD"
    assert chain.call(f.version()) == 1
    assert chain.call(f.minAnswer()) == MIN_ANSWER_RAW
    assert chain.call(f.maxAnswer()) == MAX_ANSWER_RAW
    assert chain.call(f.transmitter()) == transmitter


def test_no_round_yet_reads_zero(chain: Any, push: Any, feed: Any) -> None:
    f = feed.contract.functions
    assert tuple(chain.call(f.latestRoundData())) == (0, 0, 0, 0, 0)
    assert chain.call(f.latestAnswer()) == 0
    assert chain.call(f.latestRound()) == 0
    assert chain.call(f.latestTimestamp()) == 0


def test_round_history(chain: Any, push: Any, feed: Any, transmitter: str) -> None:
    f = feed.contract.functions
    t0 = chain.timestamp() + 100
    answers = [60_000 * 10**8, 59_500 * 10**8, 61_234_56789012]
    for i, answer in enumerate(answers):
        push(feed, answer, transmitter, at_s=t0 + 60 * i)
    assert chain.call(f.latestRound()) == 3
    assert chain.call(f.latestAnswer()) == answers[2]
    assert chain.call(f.latestTimestamp()) == t0 + 120
    assert tuple(chain.call(f.latestRoundData())) == (3, answers[2], t0 + 120, t0 + 120, 3)
    for i, answer in enumerate(answers):
        round_id = i + 1
        ts = t0 + 60 * i
        assert tuple(chain.call(f.getRoundData(round_id))) == (round_id, answer, ts, ts, round_id)
        assert chain.call(f.getAnswer(round_id)) == answer
        assert chain.call(f.getTimestamp(round_id)) == ts


def test_transmit_events(chain: Any, push: Any, feed: Any, transmitter: str) -> None:
    ts = chain.timestamp() + 10
    receipt = push(feed, 3_000 * 10**8, transmitter, at_s=ts)
    assert chain.events(receipt, feed, "AnswerUpdated") == [
        {"current": 3_000 * 10**8, "roundId": 1, "updatedAt": ts}
    ]
    assert chain.events(receipt, feed, "NewRound") == [
        {"roundId": 1, "startedBy": "0x" + "00" * 20, "startedAt": ts}
    ]


@pytest.mark.parametrize("round_id", [0, 2, 2**80 - 1])
def test_get_round_data_unknown_round_reverts(chain: Any, push: Any, feed: Any, transmitter: str, round_id: int) -> None:
    push(feed, 100 * 10**8, transmitter)
    with pytest.raises(RevertError) as e:
        chain.call(feed.contract.functions.getRoundData(round_id))
    assert e.value.revert.name == "NoDataPresent"
    assert e.value.revert.args == {"roundId": round_id}


def test_legacy_getters_unknown_round_read_zero(chain: Any, push: Any, feed: Any, transmitter: str) -> None:
    push(feed, 100 * 10**8, transmitter)
    assert chain.call(feed.contract.functions.getAnswer(7)) == 0
    assert chain.call(feed.contract.functions.getTimestamp(7)) == 0


@pytest.mark.parametrize("answer", [MIN_ANSWER_RAW - 1, MAX_ANSWER_RAW + 1, 0, -5])
def test_transmit_outside_bounds_reverts_and_freezes_feed(
    chain: Any, push: Any, feed: Any, transmitter: str, answer: int
) -> None:
    """OCR semantics: the transmit reverts, no round, the last in-bounds round stays, updatedAt stops."""
    f = feed.contract.functions
    first_ts = chain.timestamp() + 10
    push(feed, 10_700_000, transmitter, at_s=first_ts)  # $0.107, LUNA's last accepted answer
    before = chain.call(f.latestRoundData())
    chain.advance(3_600)
    with pytest.raises(RevertError) as e:
        push(feed, answer, transmitter)
    assert e.value.revert.name == "MedianNotInMinMax"
    assert e.value.revert.args == {"answer": answer, "minAnswer": MIN_ANSWER_RAW, "maxAnswer": MAX_ANSWER_RAW}
    assert tuple(chain.call(f.latestRoundData())) == tuple(before) == (1, 10_700_000, first_ts, first_ts, 1)
    assert chain.call(f.latestRound()) == 1
    assert chain.call(f.latestTimestamp()) == first_ts
    assert chain.timestamp() - chain.call(f.latestTimestamp()) >= 3_600


@pytest.mark.parametrize("answer", [MIN_ANSWER_RAW, MAX_ANSWER_RAW])
def test_transmit_exactly_at_bound_is_accepted(chain: Any, push: Any, feed: Any, transmitter: str, answer: int) -> None:
    push(feed, answer, transmitter)
    assert chain.call(feed.contract.functions.latestAnswer()) == answer


def test_only_transmitter_transmits(chain: Any, push: Any, feed: Any, owner: str, stranger: str) -> None:
    for sender in (owner, stranger):
        with pytest.raises(RevertError) as e:
            chain.transact(feed.contract.functions.transmit(100 * 10**8), sender=sender)
        assert e.value.revert.name == "NotTransmitter"
        assert e.value.revert.args["caller"].lower() == sender.lower()


def test_set_transmitter(chain: Any, push: Any, feed: Any, owner: str, transmitter: str, stranger: str) -> None:
    f = feed.contract.functions
    with pytest.raises(RevertError) as e:
        chain.transact(f.setTransmitter(stranger), sender=stranger)
    assert e.value.revert.name == "NotOwner"
    with pytest.raises(RevertError) as e:
        chain.transact(f.setTransmitter("0x" + "00" * 20), sender=owner)
    assert e.value.revert.name == "ZeroAddress"
    receipt = chain.transact(f.setTransmitter(stranger), sender=owner)
    assert chain.events(receipt, feed, "TransmitterSet") == [
        {"previousTransmitter": transmitter, "newTransmitter": stranger}
    ]
    push(feed, 42 * 10**8, stranger)
    with pytest.raises(RevertError) as e:
        push(feed, 43 * 10**8, transmitter)
    assert e.value.revert.name == "NotTransmitter"
    assert chain.call(f.latestAnswer()) == 42 * 10**8


def test_inject_round_bypasses_bounds(chain: Any, push: Any, feed: Any, owner: str, transmitter: str) -> None:
    f = feed.contract.functions
    push(feed, 100 * 10**8, transmitter)
    now = chain.timestamp()
    receipt = chain.transact(f.injectRound(-1, now - 50, now + 999, 1), sender=owner)
    assert tuple(chain.call(f.latestRoundData())) == (2, -1, now - 50, now + 999, 1)
    assert chain.events(receipt, feed, "RoundInjected") == [
        {"roundId": 2, "answer": -1, "startedAt": now - 50, "updatedAt": now + 999, "answeredInRound": 1}
    ]
    assert chain.events(receipt, feed, "AnswerUpdated") == [{"current": -1, "roundId": 2, "updatedAt": now + 999}]
    # answeredInRound 0 means "this round"; updatedAt 0 is an incomplete round
    chain.transact(f.injectRound(0, 0, 0, 0), sender=owner)
    assert tuple(chain.call(f.latestRoundData())) == (3, 0, 0, 0, 3)
    # rounds stay in history and the transmitter continues the sequence
    push(feed, 101 * 10**8, transmitter)
    assert chain.call(f.latestRound()) == 4
    assert chain.call(f.getRoundData(2))[1] == -1


def test_inject_round_reverts(chain: Any, push: Any, feed: Any, transmitter: str) -> None:
    f = feed.contract.functions
    with pytest.raises(RevertError) as e:
        chain.transact(f.injectRound(1, 0, 0, 0), sender=transmitter)
    assert e.value.revert.name == "NotOwner"
    for started, updated in ((2**64, 0), (0, 2**64)):
        with pytest.raises(RevertError) as e:
            chain.transact(f.injectRound(1, started, updated, 0))
        assert e.value.revert.name == "TimestampTooLarge"
        assert e.value.revert.args == {"timestamp": 2**64}


def test_constructor_reverts(chain: Any, push: Any, transmitter: str) -> None:
    with pytest.raises(RevertError) as e:
        chain.deploy("ChainlinkFeed", 8, "X", 5, 5, transmitter)
    assert e.value.revert.name == "InvalidBounds"
    assert e.value.revert.args == {"minAnswer": 5, "maxAnswer": 5}
    with pytest.raises(RevertError) as e:
        chain.deploy("ChainlinkFeed", 8, "X", 1, 5, "0x" + "00" * 20)
    assert e.value.revert.name == "ZeroAddress"


def test_transfer_ownership(chain: Any, push: Any, feed: Any, owner: str, stranger: str) -> None:
    f = feed.contract.functions
    with pytest.raises(RevertError) as e:
        chain.transact(f.transferOwnership(stranger), sender=stranger)
    assert e.value.revert.name == "NotOwner"
    with pytest.raises(RevertError) as e:
        chain.transact(f.transferOwnership("0x" + "00" * 20), sender=owner)
    assert e.value.revert.name == "ZeroAddress"
    receipt = chain.transact(f.transferOwnership(stranger), sender=owner)
    assert chain.events(receipt, feed, "OwnershipTransferred") == [{"previousOwner": owner, "newOwner": stranger}]
    assert chain.call(f.owner()) == stranger
    chain.transact(f.setTransmitter(owner), sender=stranger)


def test_set_bounds_models_an_aggregator_swap(chain: Any, push: Any, feed: Any, owner: str, transmitter: str,
                                               stranger: str) -> None:
    """setBounds moves the accepted range; later transmits follow the new range, old rounds stay."""
    push(feed, 50_000_000, transmitter)  # $0.50 is inside [$0.10, $1M]
    receipt = chain.transact(feed.contract.functions.setBounds(40_000_000, MAX_ANSWER_RAW), sender=owner)
    assert chain.events(receipt, feed, "BoundsUpdated") == [{"minAnswer": 40_000_000, "maxAnswer": MAX_ANSWER_RAW}]
    assert chain.call(feed.contract.functions.minAnswer()) == 40_000_000
    with pytest.raises(RevertError) as err:
        push(feed, 39_999_999, transmitter)  # one unit under the new floor: refused like an OCR report
    assert err.value.revert.name == "MedianNotInMinMax"
    assert chain.call(feed.contract.functions.latestAnswer()) == 50_000_000
    push(feed, 40_000_000, transmitter)  # exactly at the floor is accepted
    assert chain.call(feed.contract.functions.latestAnswer()) == 40_000_000


def test_set_bounds_reverts(chain: Any, feed: Any, owner: str, stranger: str) -> None:
    with pytest.raises(RevertError) as err:
        chain.transact(feed.contract.functions.setBounds(1, 2), sender=stranger)
    assert err.value.revert.name == "NotOwner"
    with pytest.raises(RevertError) as err:
        chain.transact(feed.contract.functions.setBounds(5, 5), sender=owner)
    assert err.value.revert.name == "InvalidBounds"
    assert err.value.revert.args == {"minAnswer": 5, "maxAnswer": 5}
