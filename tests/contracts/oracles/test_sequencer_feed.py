"""SequencerUptimeFeed: a new round only when the status changes (Chainlink's L2 uptime feed)."""

from __future__ import annotations

from typing import Any

import pytest

from defidrill.errors import RevertError

# anvil estimates gas before evm_setNextBlockTimestamp applies; time-dependent paths need a fixed limit
TIMED_TX_GAS = 1_000_000

UP, DOWN = 0, 1


@pytest.fixture
def seq(chain: Any) -> Any:
    return chain.deploy("SequencerUptimeFeed", chain.accounts[2], False)


def _status(chain: Any, seq: Any, down: bool, at_s: int) -> Any:
    chain.set_next_timestamp(at_s)
    return chain.transact(seq.contract.functions.updateStatus(down), sender=chain.accounts[2], gas=TIMED_TX_GAS)


def test_initial_round(chain: Any, seq: Any) -> None:
    f = seq.contract.functions
    deployed_at = chain.timestamp()
    assert tuple(chain.call(f.latestRoundData())) == (1, UP, deployed_at, deployed_at, 1)
    assert chain.call(f.decimals()) == 0
    assert chain.call(f.description()) == "L2 Sequencer Uptime Status Feed"
    assert chain.call(f.version()) == 1
    down = chain.deploy("SequencerUptimeFeed", chain.accounts[2], True)
    assert chain.call(down.contract.functions.latestAnswer()) == DOWN


def test_rounds_only_on_status_change(chain: Any, seq: Any) -> None:
    f = seq.contract.functions
    t1 = chain.timestamp()
    t = t1 + 100
    receipt = _status(chain, seq, False, t)  # same status: refresh updatedAt only
    assert chain.events(receipt, seq, "RoundUpdated") == [{"status": UP, "updatedAt": t}]
    assert chain.events(receipt, seq, "NewRound") == []
    assert tuple(chain.call(f.latestRoundData())) == (1, UP, t1, t, 1)

    down_at = t + 50
    receipt = _status(chain, seq, True, down_at)
    assert chain.events(receipt, seq, "AnswerUpdated") == [{"current": DOWN, "roundId": 2, "updatedAt": down_at}]
    assert tuple(chain.call(f.latestRoundData())) == (2, DOWN, down_at, down_at, 2)

    _status(chain, seq, True, down_at + 600)  # still down: startedAt stays at the change
    assert tuple(chain.call(f.latestRoundData())) == (2, DOWN, down_at, down_at + 600, 2)

    up_at = down_at + 78 * 60  # Arbitrum, 15 Dec 2023: ~78 minutes down
    _status(chain, seq, False, up_at)
    assert tuple(chain.call(f.latestRoundData())) == (3, UP, up_at, up_at, 3)
    assert chain.call(f.latestRound()) == 3
    assert chain.call(f.latestAnswer()) == UP
    assert chain.call(f.latestTimestamp()) == up_at
    assert tuple(chain.call(f.getRoundData(2))) == (2, DOWN, down_at, down_at + 600, 2)
    assert chain.call(f.getAnswer(2)) == DOWN
    assert chain.call(f.getTimestamp(2)) == down_at


@pytest.mark.parametrize("getter", ["getRoundData", "getAnswer", "getTimestamp"])
@pytest.mark.parametrize("round_id", [0, 2])
def test_unknown_round_reverts(chain: Any, seq: Any, getter: str, round_id: int) -> None:
    with pytest.raises(RevertError) as e:
        chain.call(getattr(seq.contract.functions, getter)(round_id))
    assert e.value.revert.name == "NoDataPresent"
    assert e.value.revert.args == {"roundId": round_id}


def test_access_control(chain: Any, seq: Any) -> None:
    f = seq.contract.functions
    owner, updater, stranger = chain.accounts[0], chain.accounts[2], chain.accounts[5]
    with pytest.raises(RevertError) as e:
        chain.transact(f.updateStatus(True), sender=owner)
    assert e.value.revert.name == "NotUpdater"
    with pytest.raises(RevertError) as e:
        chain.transact(f.setUpdater(stranger), sender=updater)
    assert e.value.revert.name == "NotOwner"
    with pytest.raises(RevertError) as e:
        chain.transact(f.setUpdater("0x" + "00" * 20), sender=owner)
    assert e.value.revert.name == "ZeroAddress"
    receipt = chain.transact(f.setUpdater(stranger), sender=owner)
    assert chain.events(receipt, seq, "UpdaterSet") == [{"previousUpdater": updater, "newUpdater": stranger}]
    chain.transact(f.updateStatus(True), sender=stranger)
    assert chain.call(f.latestAnswer()) == DOWN
    with pytest.raises(RevertError) as e:
        chain.deploy("SequencerUptimeFeed", "0x" + "00" * 20, False)
    assert e.value.revert.name == "ZeroAddress"
