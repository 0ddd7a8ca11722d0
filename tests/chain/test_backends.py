"""The same contract-level scenarios on anvil and on in-process revm: identical results.

Expectations are worked out by hand (EIP-1559 base fee, EIP-2929/2200 storage gas, CREATE addresses
of anvil's first dev account, batch order, a congested block's packing) and each backend must meet
them; then both must agree with each other, gas included (chain/revm_state.py: every transaction
starts cold, as on a node).
"""

from __future__ import annotations

from typing import Any
from collections.abc import Iterator

import pytest
from eth_utils import keccak

from defidrill.chain import AnvilConfig, Chain
from defidrill.chain.revm_chain import RevmChain
from defidrill.chain.revm_fees import calldata_floor_gas, next_base_fee
from defidrill.chain.types import Dropped, Receipt, TxRequest
from defidrill.errors import RevertError

GENESIS = 1_704_067_200
CONFIG = AnvilConfig(gas_limit=60_000_000, base_fee_wei=10**9, timestamp=GENESIS)
BACKENDS = ["anvil", "revm"]


@pytest.fixture(params=BACKENDS)
def any_chain(request: pytest.FixtureRequest, artifacts: Any) -> Iterator[Any]:
    cls = Chain if request.param == "anvil" else RevmChain
    with cls.launch(CONFIG, artifacts) as chain:
        chain.set_block_interval(1)
        yield chain


def test_base_fee_formula_by_hand() -> None:
    # 611,040 gas used of a 30M target: the fee falls by 1/8 x (1 - 611040/30M) = 12.245%
    assert next_base_fee(10**9, 611_040, 60_000_000) == 877_546_000
    assert next_base_fee(10**9, 30_000_000, 60_000_000) == 10**9
    assert next_base_fee(10**9, 60_000_000, 60_000_000) == 1_125_000_000
    assert calldata_floor_gas(bytes([0, 1, 2])) == 21_000 + 10 * (1 + 4 * 2)


def test_deploy_address_fee_and_clock(any_chain: Any) -> None:
    probe = any_chain.deploy("ChainProbe", 1000)
    # CREATE from anvil's first dev account at nonce 0
    assert probe.address == "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    receipt = any_chain.transact(probe.functions.store(42), sender=any_chain.accounts[1])
    block = any_chain.latest_block()
    assert (block.number, block.timestamp) == (2, GENESIS + 2)
    # block 1 keeps the configured fee; block 2 = EIP-1559 from block 1's gas; default tip 1 gwei
    assert receipt.effective_gas_price_wei == block.base_fee_wei + 10**9
    assert any_chain.events(receipt, probe, "Stored") == [{"by": any_chain.accounts[1], "value": 42, "timestamp": GENESIS + 2}]


def test_custom_error_decoded(any_chain: Any) -> None:
    probe = any_chain.deploy("ChainProbe", 1000)
    with pytest.raises(RevertError) as err:
        any_chain.transact(probe.functions.store(1001))
    assert (err.value.revert.name, err.value.revert.args) == ("ValueTooLarge", {"value": 1001, "max": 1000})
    [value, bad, pair] = any_chain.call_many([probe.functions.value(), probe.functions.divide(0), probe.functions.pair()])
    assert value == 0 and isinstance(bad, RevertError) and bad.revert.args["code"] == 0x12
    assert pair == (0, any_chain.deployer)


def test_batched_block_keeps_order_and_mined_failures(any_chain: Any) -> None:
    probe = any_chain.deploy("ChainProbe", 1000)
    any_chain.set_automine(False)
    values = [5, 7, 2000, 9]  # the third reverts in the block
    txs = [any_chain.tx(probe.functions.store(v), sender=any_chain.accounts[i % 3], gas=100_000) for i, v in enumerate(values)]
    results = any_chain.send_block(txs, timestamp=GENESIS + 500)
    assert [r.tx_index for r in results] == [0, 1, 2, 3]
    assert {r.block_number for r in results} == {2}
    assert [r.ok for r in results] == [True, True, False, True]
    assert any_chain.latest_block().timestamp == GENESIS + 500
    [reason] = any_chain.revert_reasons([results[2].tx_hash])
    assert reason.name == "ValueTooLarge"
    assert any_chain.call(probe.functions.value()) == 9
    # tips: batch length - position (wei) on top of the base fee
    base = any_chain.latest_block().base_fee_wei
    assert [r.effective_gas_price_wei - base for r in results] == [4, 3, 2, 1]
    # a logs query by address and topic sees the three Stored events in order
    topic = "0x" + keccak(text="Stored(address,uint256,uint256)").hex()
    logs = any_chain.logs(2, "latest", address=probe.address)
    assert [e["args"]["value"] for e in logs] == [5, 7, 9]
    raw = any_chain.raw_logs(0, "latest", address=probe.address, topics=[topic])
    assert [int(log["data"][2:66], 16) for log in raw] == [5, 7, 9]
    assert any_chain.raw_logs(0, "latest", address=probe.address, topics=["0x" + "00" * 32]) == []


def test_snapshot_revert_and_clock(any_chain: Any) -> None:
    probe = any_chain.deploy("ChainProbe", 1000)
    any_chain.transact(probe.functions.store(1), gas=100_000)
    snap = any_chain.snapshot()
    block = any_chain.block_number()
    any_chain.transact(probe.functions.store(2), gas=100_000)
    assert any_chain.advance(120, blocks=10) == any_chain.timestamp()
    any_chain.revert(snap)
    assert any_chain.call(probe.functions.value()) == 1
    assert any_chain.block_number() == block
    with pytest.raises(Exception):  # noqa: B017 - each backend refuses a spent snapshot with its own error
        any_chain.revert(snap)


def test_balances_code_and_storage(any_chain: Any) -> None:
    probe = any_chain.deploy("ChainProbe", 1000)
    stranger = "0x000000000000000000000000000000000000bEEF"
    any_chain.set_balances({stranger: 10**18, any_chain.accounts[5]: 7})
    assert (any_chain.balance(stranger), any_chain.balance(any_chain.accounts[5])) == (10**18, 7)
    receipt = any_chain.transact(probe.functions.store(9), sender=stranger)
    assert any_chain.balance(stranger) == 10**18 - receipt.fee_wei
    any_chain.set_storage(probe.address, 0, 777)
    assert any_chain.call(probe.functions.value()) == 777
    assert any_chain.get_storage(probe.address, 0) == 777


def _scenario(chain: Any) -> list[tuple[Any, ...]]:
    probe = chain.deploy("ChainProbe", 1000)
    chain.set_automine(False)
    out = []
    for k in range(3):
        txs = [chain.tx(probe.functions.store(v), sender=chain.accounts[v % 4], gas=100_000) for v in (1 + k, 5000, 3 + k)]
        for r in chain.send_block(txs, timestamp=GENESIS + 100 * (k + 1)):
            out.append((r.block_number, r.tx_index, r.ok, r.sender, r.effective_gas_price_wei, r.gas_used,
                        [(e["event"], e["args"]) for e in r.events]))
    b = chain.latest_block()
    out.append((b.number, b.timestamp))
    return out


def test_both_backends_agree(artifacts: Any) -> None:
    with Chain.launch(CONFIG, artifacts) as anvil, RevmChain.launch(CONFIG, artifacts) as revm:
        for c in (anvil, revm):
            c.set_block_interval(1)
        a, r = _scenario(anvil), _scenario(revm)
        assert anvil.next_base_fee_wei() == revm.next_base_fee_wei()
    assert a == r  # gas and fees included


def test_code_reads_and_storage_writes(any_chain: Any) -> None:
    probe = any_chain.deploy("ChainProbe", 1000)
    # value is slot 0, lastTimestamp slot 1 (immutables live in the code, not in storage)
    any_chain.set_storages(probe.address, {0: 41, 1: 1234})
    assert (any_chain.call(probe.functions.value()), any_chain.call(probe.functions.lastTimestamp())) == (41, 1234)
    assert any_chain.code_at("0x000000000000000000000000000000000000dEaD") == "0x"
    # a constructor-less contract: its creation code's output is the code a deployment installs
    feed = any_chain.deploy("TakeoverFeed")
    block = any_chain.block_number()
    runtime = any_chain.creation_output(any_chain.artifacts.get("TakeoverFeed").bytecode)
    assert len(runtime) > 2 and runtime == any_chain.code_at(feed.address)
    assert any_chain.block_number() == block  # nothing was mined or kept
    any_chain.set_code("0x000000000000000000000000000000000000dEaD", runtime)
    assert any_chain.code_at("0x000000000000000000000000000000000000dEaD") == runtime


def test_storage_gas_follows_eip_2929_and_2200(any_chain: Any) -> None:
    """Each transaction starts cold. ``store`` writes slots 0 (value) and 1 (lastTimestamp); the
    three calls differ only in their SSTOREs (same code path, one nonzero calldata byte each):
    first 0 -> x on both slots (cold, 22,100 each); then x -> y on both (cold, 2,100 + 2,900);
    then value y -> y (cold no-op, 2,100 + 100) while lastTimestamp moves (5,000)."""
    probe = any_chain.deploy("ChainProbe", 1000)
    first, second, third = (any_chain.transact(probe.functions.store(v), gas=100_000).gas_used for v in (5, 7, 7))
    assert first - second == 2 * (22_100 - 5_000)
    assert first - third == (22_100 - 2_200) + (22_100 - 5_000)


def test_congested_block(any_chain: Any) -> None:
    """``send_one_block`` at a set base fee of 50 gwei in a 1M-gas block: the pool orders by fee CAP
    (anvil's TransactionOrder::Fees), refuses a cap under the base fee at send time, packs by gas
    limit and drops what did not fit; the next base fee follows EIP-1559 from the set one."""
    gwei = 10**9
    probe = any_chain.deploy("ChainProbe", 1000)
    burner = any_chain.deploy("GasBurner")
    any_chain.set_block_gas_limit(1_000_000)
    any_chain.set_automine(False)
    a = any_chain.accounts
    burn = any_chain.tx(burner.functions.burn(), sender=a[4], gas=600_000, priority_fee_wei=10_000 * gwei)
    capped = any_chain.tx(probe.functions.store(1), sender=a[1], gas=400_000, priority_fee_wei=2 * gwei,
                          max_fee_wei=100 * gwei)   # best tip, lowest cap: last in line, no room left
    uncapped = any_chain.tx(probe.functions.store(2), sender=a[2], gas=300_000, priority_fee_wei=1 * gwei)
    priced_out = any_chain.tx(probe.functions.store(3), sender=a[3], gas=100_000, priority_fee_wei=5 * gwei,
                              max_fee_wei=40 * gwei)
    results = any_chain.send_one_block([burn, capped, uncapped, priced_out], base_fee_wei=50 * gwei)
    filler, dropped, mined, refused = results
    assert isinstance(filler, Receipt) and isinstance(mined, Receipt)
    assert (filler.tx_index, mined.tx_index, mined.ok) == (0, 1, True)
    assert isinstance(dropped, Dropped) and dropped.reason == Dropped.NO_ROOM
    assert refused == Dropped(None, Dropped.FEE_CAP)
    # base fee + tip + the batch tie-break (4 - position 2 wei)
    assert mined.effective_gas_price_wei == 50 * gwei + 1 * gwei + 2
    block = any_chain.latest_block()
    assert (block.base_fee_wei, block.gas_used) == (50 * gwei, filler.gas_used + mined.gas_used)
    target = 1_000_000 // 2
    assert any_chain.next_base_fee_wei() == 50 * gwei - 50 * gwei * (target - block.gas_used) // target // 8
    assert any_chain.call(probe.functions.value()) == 2


def test_a_reverted_snapshot_leaves_nothing_warm(any_chain: Any) -> None:
    """The same store after a revert costs what it cost the first time: slots back at zero and cold."""
    probe = any_chain.deploy("ChainProbe", 1000)
    snap = any_chain.snapshot()
    first = any_chain.transact(probe.functions.store(5), gas=100_000).gas_used
    any_chain.revert(snap)
    assert any_chain.get_storage(probe.address, 0) == 0
    assert any_chain.transact(probe.functions.store(5), gas=100_000).gas_used == first


def test_value_transfer_moves_value_and_fee(any_chain: Any) -> None:
    """A plain transfer: 21,000 gas (EOA to EOA, empty calldata); the sender pays value + fee."""
    sender, stranger = any_chain.accounts[6], "0x000000000000000000000000000000000000C0DE"
    before = any_chain.balance(sender)
    receipt = any_chain.send(TxRequest(sender, stranger, "0x", value_wei=12345))
    assert receipt.gas_used == 21_000
    assert any_chain.balance(stranger) == 12345
    assert any_chain.balance(sender) == before - 12345 - 21_000 * receipt.effective_gas_price_wei


def _random_token_traffic(chain: Any, seed: int, n_txs: int) -> list[tuple[int, int, bool]]:
    """Seeded ERC-20 traffic among five holders, mined in blocks of a few transactions: mints, burns,
    transfers (to fresh and known holders, zero amounts, more than held), approvals and
    transferFroms; each transaction's (block, gas used, ok)."""
    import random

    rng = random.Random(seed)
    token = chain.deploy("MintableERC20", "Token", "TKN", 18)
    holders = chain.accounts[1:6]
    chain.set_automine(False)
    out: list[tuple[int, int, bool]] = []
    while len(out) < n_txs:
        batch = []
        for _ in range(rng.randint(1, 6)):
            a, b = rng.choice(holders), rng.choice(holders + ["0x" + f"{rng.randrange(1, 2**32):040x}"])
            amount = rng.choice([0, 1, 10**18, rng.randrange(1, 10**21)])
            kind = rng.choice(["mint", "burn", "transfer", "transfer", "approve", "transferFrom"])
            known = b if b in holders else a
            f = token.functions
            fn = (f.mint(a, amount) if kind == "mint" else f.burn(amount) if kind == "burn"
                  else f.transfer(b, amount) if kind == "transfer" else f.approve(known, amount) if kind == "approve"
                  else f.transferFrom(known, a, amount))
            sender = chain.deployer if kind == "mint" else (rng.choice(holders) if kind == "transferFrom" else a)
            batch.append(chain.tx(fn, sender=sender, gas=150_000))
        for r in chain.send_block(batch):
            assert isinstance(r, Receipt)
            out.append((r.block_number, r.gas_used, r.ok))
    return out


def test_random_traffic_costs_the_same_gas(artifacts: Any) -> None:
    """Gas to the unit on 300 seeded transactions (reverts included), transaction by transaction."""
    with Chain.launch(CONFIG, artifacts) as anvil, RevmChain.launch(CONFIG, artifacts) as revm:
        for c in (anvil, revm):
            c.set_block_interval(1)
        a, r = _random_token_traffic(anvil, 22, 300), _random_token_traffic(revm, 22, 300)
    assert len({gas for _, gas, _ in a}) > 10 and not all(ok for _, _, ok in a)  # varied, with failures
    assert a == r
