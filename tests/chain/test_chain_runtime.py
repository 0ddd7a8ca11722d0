"""The chain runtime against a real anvil: batches, reverts, snapshots, time."""

from __future__ import annotations

import pytest

from defidrill.chain import Chain
from defidrill.errors import ChainError, RevertError


@pytest.fixture
def probe(chain: Chain):
    return chain.deploy("ChainProbe", 1000)


def test_deploy_returns_a_bound_handle(chain: Chain, probe) -> None:
    assert probe.name == "ChainProbe"
    assert chain.call(probe.functions.owner()) == chain.deployer
    assert chain.call(probe.functions.maxValue()) == 1000


def test_transact_emits_decoded_event(chain: Chain, probe) -> None:
    receipt = chain.transact(probe.functions.store(42), sender=chain.accounts[1])
    assert receipt.ok
    [event] = chain.events(receipt, probe, "Stored")
    assert event["by"] == chain.accounts[1]
    assert event["value"] == 42
    assert event["timestamp"] == chain.timestamp()


def test_custom_error_is_decoded_with_arguments(chain: Chain, probe) -> None:
    with pytest.raises(RevertError) as err:
        chain.transact(probe.functions.store(1001))
    assert err.value.revert.name == "ValueTooLarge"
    assert err.value.revert.args == {"value": 1001, "max": 1000}
    assert "ValueTooLarge" in str(err.value)


def test_access_control_error_names_the_caller(chain: Chain, probe) -> None:
    stranger = chain.accounts[3]
    with pytest.raises(RevertError) as err:
        chain.transact(probe.functions.reset(), sender=stranger)
    assert err.value.revert.name == "NotOwner"
    assert err.value.revert.args == {"caller": stranger}


def test_string_and_panic_reverts_are_decoded(chain: Chain, probe) -> None:
    with pytest.raises(RevertError) as err:
        chain.call(probe.functions.failWithString())
    assert err.value.revert.name == "Error"
    assert err.value.revert.args["message"] == "plain string reason"
    with pytest.raises(RevertError) as err:
        chain.call(probe.functions.divide(0))
    assert err.value.revert.name == "Panic"
    assert err.value.revert.args["code"] == 0x12


def test_failed_onchain_tx_with_explicit_gas_is_explained(chain: Chain, probe) -> None:
    # With an explicit gas limit the node does not estimate, so the tx is mined and fails;
    # the runtime replays it to say why.
    with pytest.raises(RevertError) as err:
        chain.transact(probe.functions.store(5000), gas=100_000)
    assert err.value.revert.name == "ValueTooLarge"


def test_batch_of_transactions_in_one_block(chain: Chain, probe) -> None:
    chain.set_automine(False)
    try:
        start_block = chain.block_number()
        txs = [chain.tx(probe.functions.store(v), sender=chain.accounts[v % 5], gas=100_000) for v in range(1, 201)]
        hashes = chain.submit(txs)
        assert all(isinstance(h, str) for h in hashes)
        chain.mine(1)
    finally:
        chain.set_automine(True)
    receipts = chain.receipts(hashes)
    assert {r.block_number for r in receipts} == {start_block + 1}
    assert all(r.ok for r in receipts)
    # Transactions from different senders may be ordered by the node; the last one mined wins.
    last = max(receipts, key=lambda r: r.tx_index)
    assert chain.call(probe.functions.value()) == last.events[0]["args"]["value"]


def test_batch_of_calls_mixes_values_and_errors(chain: Chain, probe) -> None:
    chain.transact(probe.functions.store(7))
    results = chain.call_many([probe.functions.value(), probe.functions.divide(0), probe.functions.pair()])
    assert results[0] == 7
    assert isinstance(results[1], RevertError) and results[1].revert.name == "Panic"
    assert results[2] == (7, chain.deployer)


def test_snapshot_and_revert_restore_state(chain: Chain, probe) -> None:
    chain.transact(probe.functions.store(1))
    snap = chain.snapshot()
    chain.transact(probe.functions.store(2))
    assert chain.call(probe.functions.value()) == 2
    chain.revert(snap)
    assert chain.call(probe.functions.value()) == 1
    with pytest.raises(ChainError):
        chain.revert(snap)  # a snapshot is consumed by its revert


def test_timestamp_control(chain: Chain, probe) -> None:
    now = chain.timestamp()
    chain.set_next_timestamp(now + 3600)
    chain.transact(probe.functions.store(3))
    assert chain.call(probe.functions.lastTimestamp()) == now + 3600
    block_before = chain.block_number()
    new_ts = chain.advance(120, blocks=10)
    assert new_ts == now + 3600 + 120
    assert chain.timestamp() == new_ts
    assert chain.block_number() == block_before + 10


def test_set_balance_and_impersonated_sender(chain: Chain, probe) -> None:
    stranger = "0x000000000000000000000000000000000000bEEF"
    chain.set_balance(stranger, 10**18)
    assert chain.balance(stranger) == 10**18
    receipt = chain.transact(probe.functions.store(9), sender=stranger)  # anvil runs with --auto-impersonate
    assert chain.events(receipt, probe, "Stored")[0]["by"] == stranger


def test_storage_write_is_visible_to_the_contract(chain: Chain, probe) -> None:
    chain.set_storage(probe.address, 0, 777)  # slot 0 = `value` (owner and maxValue are immutable)
    assert chain.call(probe.functions.value()) == 777


def test_a_transaction_sent_without_gas_gets_the_estimate_plus_foundry_head_room(chain: Chain, probe) -> None:
    """Foundry scripts send 130% of the node's estimate: the estimate is exact only for the block it
    was made in (writing block.timestamp over itself is 2,900 gas cheaper than over a new second)."""
    request = chain.tx(probe.functions.store(7), sender=chain.accounts[2])
    estimate = int(chain.rpc.request("eth_estimateGas", [request.to_rpc(), "pending"]), 16)
    receipt = chain.send(request)
    sent = chain.rpc.request("eth_getTransactionByHash", [receipt.tx_hash])
    assert int(sent["gas"], 16) == estimate * 130 // 100
    assert receipt.gas_used <= estimate

