"""Feed takeover on a real anvil: a foreign aggregator (phase-encoded round ids, its own storage layout) and
our own feeds are swapped by anvil_setCode; metadata, old rounds and round continuity are kept; every write
of our ChainlinkFeed ABI works on it, with each revert path; bad addresses are refused by name."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak

from defidrill.chain import Chain
from defidrill.errors import ConfigError, RevertError
from defidrill.protocol.feeds import check_aggregator, take_over_feed, take_over_sequencer
from defidrill.protocol.feeds.takeover import LAYOUT_SLOT, string_slots

PHASE = 3
PHASE_BASE = PHASE << 64  # a Chainlink proxy's round id = phaseId << 64 | aggregator round


@pytest.fixture
def foreign(chain: Chain) -> Any:
    """A third-party feed with three rounds: $3,000, $2,990, $3,010 (8 decimals)."""
    feed = chain.deploy("ForeignAggregator", 8, "ETH / USD", PHASE)
    for answer in (3_000_00000000, 2_990_00000000, 3_010_00000000):
        chain.transact(feed.functions.report(answer))
    return feed


def test_layout_slot_is_erc7201_of_the_namespace() -> None:
    inner = int.from_bytes(keccak(b"defidrill.takeover.feed"), "big") - 1
    assert LAYOUT_SLOT == int.from_bytes(keccak(inner.to_bytes(32, "big")), "big") & ~0xFF


def test_takeover_keeps_metadata_and_old_rounds(chain: Chain, foreign: Any) -> None:
    before = [chain.call(foreign.functions.getRoundData(PHASE_BASE + i)) for i in (1, 2, 3)]
    latest_before = chain.call(foreign.functions.latestRoundData())
    taken = take_over_feed(chain, foreign.address)
    f = taken.handle.functions
    assert taken.facts.latest_round_id == PHASE_BASE + 3
    assert (chain.call(f.decimals()), chain.call(f.description()), chain.call(f.version())) == (8, "ETH / USD", 4)
    # Old rounds answer as before, through the original code on the original storage.
    assert [chain.call(f.getRoundData(PHASE_BASE + i)) for i in (1, 2, 3)] == before
    assert chain.call(f.latestRoundData()) == latest_before
    assert chain.call(f.latestAnswer()) == 3_010_00000000
    assert chain.call(f.getAnswer(PHASE_BASE + 2)) == 2_990_00000000
    # The original's own views still answer (fallback), its own revert string too.
    assert chain.call(foreign.functions.phaseId()) == PHASE
    with pytest.raises(RevertError, match="No data present"):
        chain.call(f.getRoundData(PHASE_BASE + 0))
    # No bounds on the original: OCR's widest range.
    assert (chain.call(f.minAnswer()), chain.call(f.maxAnswer())) == (1, 2**191 - 1)
    assert chain.call(f.owner()) == chain.deployer == chain.call(f.transmitter())


def test_rounds_continue_after_the_old_latest(chain: Chain, foreign: Any) -> None:
    taken = take_over_feed(chain, foreign.address)
    f = taken.handle.functions
    receipt = chain.transact(f.transmit(2_500_00000000))
    ts = chain.timestamp()
    assert chain.call(f.latestRoundData()) == (PHASE_BASE + 4, 2_500_00000000, ts, ts, PHASE_BASE + 4)
    assert chain.call(f.latestRound()) == PHASE_BASE + 4
    [event] = receipt.events_named("AnswerUpdated")
    assert event["roundId"] == PHASE_BASE + 4
    # the old rounds are still there, and a round never created is refused with our error
    assert chain.call(f.getRoundData(PHASE_BASE + 3))[1] == 3_010_00000000
    with pytest.raises(RevertError, match="NoDataPresent"):
        chain.call(f.getRoundData(PHASE_BASE + 5))
    assert chain.call(f.getAnswer(PHASE_BASE + 5)) == 0


def test_every_failure_write_works(chain: Chain, foreign: Any) -> None:
    f = take_over_feed(chain, foreign.address).handle.functions
    now = chain.timestamp()
    # stale / incomplete / zero: an injected round with old timestamps and answeredInRound behind
    chain.transact(f.injectRound(0, now - 7200, now - 3600, PHASE_BASE + 2))
    assert chain.call(f.latestRoundData()) == (PHASE_BASE + 4, 0, now - 7200, now - 3600, PHASE_BASE + 2)
    # clamp: bounds set, an answer below minAnswer is rejected and the feed sticks
    chain.transact(f.setBounds(10_000_000, 10**16))
    assert (chain.call(f.minAnswer()), chain.call(f.maxAnswer())) == (10_000_000, 10**16)
    with pytest.raises(RevertError, match="MedianNotInMinMax"):
        chain.transact(f.transmit(9_999_999))
    chain.transact(f.transmit(10_000_000))  # exactly at the bound is accepted
    assert chain.call(f.latestAnswer()) == 10_000_000


def test_access_control_and_argument_checks(chain: Chain, foreign: Any) -> None:
    taken = take_over_feed(chain, foreign.address)
    f = taken.handle.functions
    stranger = chain.accounts[5]
    with pytest.raises(RevertError, match="NotTransmitter"):
        chain.transact(f.transmit(1), sender=stranger)
    for fn in (f.injectRound(1, 0, 0, 0), f.setBounds(1, 2), f.setTransmitter(stranger), f.transferOwnership(stranger)):
        with pytest.raises(RevertError, match="NotOwner"):
            chain.transact(fn, sender=stranger)
    with pytest.raises(RevertError, match="InvalidBounds"):
        chain.transact(f.setBounds(5, 5))
    with pytest.raises(RevertError, match="TimestampTooLarge"):
        chain.transact(f.injectRound(1, 2**64, 0, 0))
    with pytest.raises(RevertError, match="TimestampTooLarge"):
        chain.transact(f.injectRound(1, 0, 2**64, 0))
    with pytest.raises(RevertError, match="ZeroAddress"):
        chain.transact(f.setTransmitter("0x" + "00" * 20))
    with pytest.raises(RevertError, match="ZeroAddress"):
        chain.transact(f.transferOwnership("0x" + "00" * 20))
    with pytest.raises(RevertError, match="NotSelf"):
        chain.transact(f.legacyCall(b""), sender=stranger)
    chain.transact(f.setTransmitter(stranger))
    chain.transact(f.transmit(42), sender=stranger)
    chain.transact(f.transferOwnership(stranger))
    assert chain.call(f.owner()) == stranger


def test_our_own_feed_keeps_bounds_and_a_second_takeover_changes_nothing(chain: Chain) -> None:
    feed = chain.deploy("ChainlinkFeed", 8, "WBTC / USD", 10_000_000, 10**16, chain.deployer)
    chain.transact(feed.functions.transmit(60_000_00000000))
    first = take_over_feed(chain, feed.address)
    assert (first.facts.min_answer_raw, first.facts.max_answer_raw, first.facts.version) == (10_000_000, 10**16, 1)
    f = first.handle.functions
    chain.transact(f.transmit(59_000_00000000))
    again = take_over_feed(chain, feed.address, controller=chain.accounts[3])
    assert again.already and again.controller == chain.deployer
    assert chain.call(f.latestRoundData())[:2] == (2, 59_000_00000000)
    assert chain.call(f.getRoundData(1))[1] == 60_000_00000000


def test_a_long_description_is_kept() -> None:
    text = "A description longer than thirty-one bytes / USD"
    words = string_slots(7, text)
    assert words[0] == (7, 2 * len(text.encode()) + 1) and len(words) == 3


def test_long_description_on_chain(chain: Chain) -> None:
    text = "Compound-style Wrapped Staked Ether Exchange Rate / USD"
    feed = chain.deploy("ForeignAggregator", 18, text, 1)
    chain.transact(feed.functions.report(10**18))
    taken = take_over_feed(chain, feed.address)
    assert chain.call(taken.handle.functions.description()) == text
    assert chain.call(taken.handle.functions.decimals()) == 18


def test_sequencer_takeover_continues_status_rounds(chain: Chain) -> None:
    seq = chain.deploy("SequencerUptimeFeed", chain.deployer, False)
    chain.transact(seq.functions.updateStatus(True))
    chain.transact(seq.functions.updateStatus(False))  # round 3: up again
    round3 = chain.call(seq.functions.latestRoundData())
    taken = take_over_sequencer(chain, seq.address)
    f = taken.handle.functions
    assert (chain.call(f.decimals()), chain.call(f.description())) == (0, "L2 Sequencer Uptime Status Feed")
    assert chain.call(f.latestRoundData()) == round3
    assert chain.call(f.getRoundData(2))[1] == 1
    # a repeated status refreshes updatedAt only (the legacy round is adopted, same id)
    chain.transact(f.updateStatus(False))
    t1 = chain.timestamp()
    assert chain.call(f.latestRoundData()) == (3, 0, round3[2], t1, 3)
    chain.transact(f.updateStatus(True))
    t2 = chain.timestamp()
    assert chain.call(f.latestRoundData()) == (4, 1, t2, t2, 4)
    assert chain.call(f.latestTimestamp()) == t2
    assert chain.call(f.getRoundData(2))[1] == 1  # still the original's
    with pytest.raises(RevertError, match="NotUpdater"):
        chain.transact(f.updateStatus(False), sender=chain.accounts[4])
    with pytest.raises(RevertError, match="NotOwner"):
        chain.transact(f.setUpdater(chain.accounts[4]), sender=chain.accounts[4])
    with pytest.raises(RevertError, match="ZeroAddress"):
        chain.transact(f.setUpdater("0x" + "00" * 20))


def test_refusals_name_the_address(chain: Chain) -> None:
    token = chain.deploy("MintableERC20", "Wrapped Ether", "WETH", 18)
    empty = chain.accounts[7]
    with pytest.raises(ConfigError, match=f"no contract at {empty}") as info:
        check_aggregator(chain, empty, where="protocol.feeds.WETH")
    assert info.value.exit_status == 2 and "protocol.feeds.WETH" in str(info.value)
    with pytest.raises(ConfigError, match=f"{token.address} is not an AggregatorV3: latestRoundData"):
        take_over_feed(chain, token.address)
    with pytest.raises(ConfigError, match="not an address"):
        check_aggregator(chain, "0x1234")
    price_feed = chain.deploy("ChainlinkFeed", 8, "WBTC / USD", 1, 10**16, chain.deployer)
    chain.transact(price_feed.functions.transmit(60_000_00000000))
    with pytest.raises(ConfigError, match="not a sequencer uptime feed: its latest answer is 6000000000000"):
        take_over_sequencer(chain, price_feed.address)
