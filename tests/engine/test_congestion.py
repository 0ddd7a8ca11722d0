"""Congestion on a real anvil: the crowd's filler transactions, EIP-1559, fee caps, full blocks.

Hand-worked rules (EIP-1559, as the node must apply them): with gas limit L the target is
L / 2 and the next block's base fee is
    b' = b + b (used - target) // target // 8        (used >= target)
    b' = b - b (target - used) // target // 8        (used <  target)
so a full block raises it by 12.5% and an empty one lowers it by 12.5%. A transaction with fee
cap ``maxFeePerGas`` under the block's base fee is refused by the node; one that is accepted pays
base fee + min(tip, cap - base fee) per gas.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from defidrill.chain import AnvilConfig, Chain, Dropped, Receipt, TxRequest
from defidrill.drill.failures import Congestion
from defidrill.engine.congestion import Crowd

GWEI = 10**9
GAS_LIMIT = 30_000_000
TARGET = GAS_LIMIT // 2
CROWD = "0x00000000000000000000000000000000000C0FFE"


def next_base_fee(base: int, used: int) -> int:
    if used >= TARGET:
        return base + max(1, base * (used - TARGET) // TARGET // 8) if used > TARGET else base
    return base - base * (TARGET - used) // TARGET // 8


@pytest.fixture(scope="module")
def congested(artifacts) -> Iterator[tuple[Chain, Crowd]]:
    with Chain.launch(AnvilConfig(gas_limit=GAS_LIMIT, base_fee_wei=GWEI), artifacts) as chain:
        crowd = Crowd.deploy(chain, GAS_LIMIT, CROWD)
        chain.set_automine(False)
        yield chain, crowd


@pytest.fixture
def crowd(congested: tuple[Chain, Crowd]) -> Iterator[Crowd]:
    chain, crowd = congested
    with chain.isolated():
        yield crowd


def header(chain: Chain, tag: str = "latest") -> dict:
    return chain.rpc.request("eth_getBlockByNumber", [tag, False])


def keeper_tx(chain: Chain, crowd: Crowd, *, tip_gwei: float, cap_gwei: float | None, gas: int = 100_000) -> TxRequest:
    """A stand-in agent transaction (a small burn) from an ordinary account."""
    fn = chain.at("GasBurner", crowd.burner).functions.burn()
    return chain.tx(fn, sender=chain.accounts[3], gas=gas, label="agent", agent="keeper:k",
                    priority_fee_wei=int(tip_gwei * GWEI),
                    max_fee_wei=None if cap_gwei is None else int(cap_gwei * GWEI))


def test_full_blocks_raise_the_base_fee_by_eip1559_from_real_gas_used(crowd: Crowd) -> None:
    chain = crowd.chain
    base = int(header(chain)["baseFeePerGas"], 16)
    used = int(header(chain)["gasUsed"], 16)
    for _ in range(6):
        expected = next_base_fee(base, used)
        crowd.send([], chain.timestamp() + 12, Congestion(fill=1.0, base_fee_wei=None))
        block = header(chain)
        base, used = int(block["baseFeePerGas"], 16), int(block["gasUsed"], 16)
        assert base == expected
        # The crowd took the whole block: 3 fillers of 10M gas, each burning all but <= 5,000.
        assert GAS_LIMIT - 3 * 5_000 <= used <= GAS_LIMIT
    # Six full blocks from ~1 gwei: about 1.125^6 = 2.03 times the start.
    assert chain.next_base_fee_wei() == next_base_fee(base, used)


def test_a_set_base_fee_is_the_blocks_base_fee(crowd: Crowd) -> None:
    chain = crowd.chain
    crowd.send([], chain.timestamp() + 12, Congestion(fill=0.5, base_fee_wei=250 * GWEI))
    assert int(header(chain)["baseFeePerGas"], 16) == 250 * GWEI
    # Half-full: 5 gwei under the target's 15M by the burner's reserves -> a hair under 250.
    assert 249 * GWEI < chain.next_base_fee_wei() <= 250 * GWEI


def test_a_keeper_capped_under_the_base_fee_lands_nothing_and_one_above_lands(crowd: Crowd) -> None:
    chain = crowd.chain
    load = Congestion(fill=0.9, base_fee_wei=200 * GWEI)
    low = keeper_tx(chain, crowd, tip_gwei=2, cap_gwei=150)
    [result] = crowd.send([low], chain.timestamp() + 12, load)
    assert result == Dropped(None, Dropped.FEE_CAP)
    assert int(header(chain)["baseFeePerGas"], 16) == 200 * GWEI
    assert chain.rpc.request("txpool_status")["pending"] in ("0x0", 0)

    high = keeper_tx(chain, crowd, tip_gwei=2, cap_gwei=300)
    [result] = crowd.send([high], chain.timestamp() + 12, load)
    assert isinstance(result, Receipt) and result.ok
    # Pays base fee + tip + the batch-order tie-break: first of a batch of 4 (itself and the
    # crowd's 27M gas in fillers of 10M, 10M, 7M) gets 4 wei.
    assert result.effective_gas_price_wei == 200 * GWEI + 2 * GWEI + 4
    assert result.block_number == chain.block_number()


def test_a_full_block_leaves_no_room_and_the_waiting_transaction_is_dropped(crowd: Crowd) -> None:
    chain = crowd.chain
    full = Congestion(fill=1.0, base_fee_wei=None)
    tx = keeper_tx(chain, crowd, tip_gwei=50, cap_gwei=None)
    [result] = crowd.send([tx], chain.timestamp() + 12, full)
    assert isinstance(result, Dropped) and result.reason == Dropped.NO_ROOM and result.tx_hash
    assert chain.rpc.request("txpool_status")["pending"] in ("0x0", 0)
    assert chain.rpc.request("eth_getTransactionReceipt", [result.tx_hash]) is None
    # 90% full: 3M of room; the drill's transactions fill it by tip, the one that does not fit waits and is dropped.
    part = Congestion(fill=0.9, base_fee_wei=None)
    rich = keeper_tx(chain, crowd, tip_gwei=9, cap_gwei=None, gas=2_000_000)
    poor = keeper_tx(chain, crowd, tip_gwei=3, cap_gwei=None, gas=2_000_000)
    results = crowd.send([poor, rich], chain.timestamp() + 12, part)
    # poor was sent first (nonce n) and rich second (n + 1): the same sender's nonce order binds,
    # so only poor fits (2M of 3M) and rich (which needs poor first anyway) no longer fits.
    assert isinstance(results[0], Receipt) and results[0].ok
    assert isinstance(results[1], Dropped) and results[1].reason == Dropped.NO_ROOM
