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

from collections.abc import Iterator

import pytest

from defidrill.chain import AnvilConfig, Chain, Dropped, Receipt, TxRequest
from defidrill.drill.failure_schedule import Congestion
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


# ---------------------------------------------------------------- drills on a congested chain
# tiny_drill (engine/conftest.py): WETH $3,000, 30 s steps, 10 minutes (steps 0..20), threshold 80%.
# RAMP: -30% from 1 min over 3 min, so ref(k) = 3000 (1 - 0.3 (30 k - 60) / 180) for 2 <= k <= 8
# (step 4: -10%, step 6: -20%) and 2,100 after. Borrowers' health 1.05..1.2: all liquidatable by step 6.
# Congestion windows cover steps ceil(at / 30) .. ceil((at + for) / 30) - 1.

RAMP = {"start": 3000, "path": {"kind": "ramp", "at": "1m", "over": "3m", "change": "-30%"}}
BORROWERS = {"count": 6, "size_usd": 20_000, "health": {"uniform": [1.05, 1.2]}}


def congested_drill(keepers: list[dict], congestion: dict):
    from engine.conftest import tiny_drill

    return tiny_drill(market={"assets": {"WETH": RAMP, "USDC": 1}}, borrowers=BORROWERS, keepers=keepers,
                      failures=[{"kind": "congestion", **congestion}])


def liquidations_by(run, agent: str) -> list[dict]:
    return run.events_named("Liquidation", agent=agent)


def dropped_by(run, agent: str) -> list[dict]:
    return [e for e in run.events_named("TxDropped", agent=agent) if e["args"]["call"]["function"] == "liquidate"]


@pytest.mark.slow
def test_drill_keeper_capped_under_the_set_base_fee_lands_nothing_the_one_above_lands_all(run) -> None:
    # base_fee 100x the chain's 1 gwei = 100 gwei in every block of steps 2..17; the crowd takes 90%.
    drill = congested_drill(
        [{"name": "capped", "gas_bid": "3 gwei", "max_gas_price": "40 gwei"},
         {"name": "rich", "gas_bid": "2 gwei", "max_gas_price": "500 gwei"}],
        {"at": "1m", "for": "8m", "fill": "90%", "base_fee": "100x"})
    r = run(drill, "congested-caps")
    assert [row["base_fee_gwei"] for row in r.steps[2:18]] == [100.0] * 16
    assert liquidations_by(r, "keeper:capped") == []
    rich = liquidations_by(r, "keeper:rich")
    assert rich and len(rich) == len(r.events_named("Liquidation"))
    capped = dropped_by(r, "keeper:capped")
    assert capped and {e["args"]["reason"] for e in capped} == {"fee_cap_below_base_fee"}
    # The capped keeper chased the same accounts in the same steps: nothing was lost to gas.
    gas = r.summary["onchain"]["gas"]
    assert gas["dropped_liquidation_txs"] == {"fee_cap_below_base_fee": len(capped)}
    assert (gas["accounts_delayed_by_gas"], gas["accounts_missed_by_gas"]) == (0, 0)
    assert gas["max_base_fee_gwei"] == 100.0
    # Every landed liquidation paid >= 102 gwei a gas on >= 21,000 gas at >= $2,100 an ETH.
    assert gas["keeper_gas_eth"] >= len(rich) * 21_000 * 102e-9
    assert gas["keeper_profit_gross_usd"] == pytest.approx(gas["keeper_profit_net_usd"] + gas["keeper_gas_usd"])


@pytest.mark.slow
def test_drill_congestion_delays_a_capped_keeper_until_the_base_fee_decays_under_its_cap(run) -> None:
    # Blocks 95% full at 100 gwei in steps 2..5 (the 5% left lets the oracle rounds in); from step 6
    # the fee decays by EIP-1559. Block A of step 6 follows a block with 57M of 60M gas used:
    # 100 x (1 + (57 - 30) / 30 / 8) = 111.25 gwei; then every near-empty block takes off about 1/8
    # (the keeper keeps trying, so each step mines its two blocks), so block B of step k >= 6 charges
    # about 111.25 x 0.875^(2 (k - 6) + 1) gwei: k = 9: 43.7 (over the 40 gwei cap: refused),
    # k = 10: 33.4 (under it: the keeper lands).
    drill = congested_drill([{"name": "capped", "gas_bid": "2 gwei", "max_gas_price": "40 gwei"}],
                            {"at": "1m", "for": "2m", "fill": "95%", "base_fee": "100x"})
    r = run(drill, "congested-delay")
    fees = {row["step"]: row["base_fee_gwei"] for row in r.steps}
    assert [fees[k] for k in range(2, 6)] == [100.0] * 4
    for k in range(6, 11):
        assert fees[k] == pytest.approx(111.25 * 0.875 ** (2 * (k - 6) + 1), rel=0.02), k
    landed = liquidations_by(r, "keeper:capped")
    assert landed and min(e["step"] for e in landed) == 10
    dropped = dropped_by(r, "keeper:capped")
    assert dropped and max(e["step"] for e in dropped) == 9
    assert {e["args"]["reason"] for e in dropped} == {"fee_cap_below_base_fee"}
    first_drop: dict[str, float] = {}
    for e in dropped:
        first_drop.setdefault(e["args"]["call"]["args"]["account"].lower(), e["t_s"])
    first_liq: dict[str, float] = {}
    for e in landed:
        first_liq.setdefault(e["args"]["account"].lower(), e["t_s"])
    gas = r.summary["onchain"]["gas"]
    delays = [first_liq[a] - t for a, t in first_drop.items() if a in first_liq]
    assert gas["accounts_delayed_by_gas"] == len(delays) > 0
    assert gas["accounts_missed_by_gas"] == len(first_drop) - len(delays)
    assert gas["gas_delay_s_max"] == max(delays) and max(delays) >= 30 * (10 - 5)
