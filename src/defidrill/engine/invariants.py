"""Protocol invariants checked on chain after a drill (and named in summary.json).

1. pool solvency accounting: cash + total borrow == total supply + reserves (present
   values, base raw units). Index rounding always goes in the protocol's favour
   (docs/lending.md): the gap cash + borrow - supply - reserves is never negative and
   grows by at most about one raw unit per accrual or action, so the check requires
   0 <= gap <= 2 x blocks mined, and reports the exact gap.
2. collateral held == sum of deposits: for every collateral asset, the pool's token
   balance equals its ``totalCollateral`` and the sum of every account's balance.
3. no account liquidated while healthy: every ``Liquidation`` event's
   ``healthFactorBeforeWad`` is below 1e18.
4. token supply changes only by mint/burn: every token's ``totalSupply`` equals the sum
   of its Transfer events from the zero address minus those to it, over the whole chain.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_utils import keccak

from defidrill.chain import Chain
from defidrill.engine.world import World

WAD = 10**18
ZERO_TOPIC = "0x" + "00" * 32
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


def _result(name: str, passed: bool, detail: str) -> dict[str, Any]:
    return {"name": name, "passed": bool(passed), "detail": detail}


def check_invariants(chain: Chain, world: World, events_path: Path) -> list[dict[str, Any]]:
    p = world.protocol
    pool_state = chain.call(p.lens.functions.poolState(p.pool.address))
    results = []

    # 1. Accounting.
    lhs = pool_state["cashBase"] + pool_state["totalBorrowBase"]
    rhs = pool_state["totalSupplyBase"] + pool_state["totalReservesBase"]
    tolerance = 2 * chain.block_number()
    results.append(_result(
        "pool cash + borrows = supplied + reserves", 0 <= lhs - rhs <= tolerance,
        f"cash {pool_state['cashBase']} + borrows {pool_state['totalBorrowBase']} = {lhs}; supplied "
        f"{pool_state['totalSupplyBase']} + reserves {pool_state['totalReservesBase']} = {rhs}; "
        f"difference {lhs - rhs} raw (tolerance {tolerance})"))

    # 2. Collateral.
    symbols = {tok.address.lower(): sym for sym, tok in p.tokens.items()}
    per_account: dict[str, int] = {}
    accounts = world.accounts
    for start in range(0, len(accounts), 250):
        assets, scans = chain.call(p.lens.functions.scan(p.pool.address, accounts[start:start + 250]))
        for scan in scans:
            for asset, raw in zip(assets, scan["collateralRaw"]):
                per_account[asset.lower()] = per_account.get(asset.lower(), 0) + raw
    ok = True
    parts = []
    for asset in pool_state["assets"]:
        addr = asset["asset"].lower()
        held, booked, summed = asset["poolBalanceRaw"], asset["totalCollateralRaw"], per_account.get(addr, 0)
        ok = ok and held == booked == summed
        parts.append(f"{symbols.get(addr, addr)}: held {held}, booked {booked}, sum of accounts {summed}")
    results.append(_result("collateral held = sum of deposits", ok, "; ".join(parts)))

    # 3. Liquidations only of unhealthy accounts.
    healthy_liquidations = []
    count = 0
    if events_path.is_file():
        with open(events_path) as fh:
            for line in fh:
                event = json.loads(line)
                if event.get("event") == "Liquidation":
                    count += 1
                    if int(event["args"]["healthFactorBeforeWad"]) >= WAD:
                        healthy_liquidations.append(event["args"]["account"])
    results.append(_result("no account liquidated while healthy", not healthy_liquidations,
                           f"{count} liquidations checked; liquidated at HF >= 1: {healthy_liquidations[:5]}"))

    # 4. Supply only by mint/burn.
    ok = True
    parts = []
    for sym, token in p.tokens.items():
        logs = chain.rpc.request("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest", "address": token.address,
                                                  "topics": [TRANSFER_TOPIC]}]) or []
        minted = sum(int(log["data"], 16) for log in logs if log["topics"][1] == ZERO_TOPIC)
        burned = sum(int(log["data"], 16) for log in logs if log["topics"][2] == ZERO_TOPIC)
        supply = chain.call(token.functions.totalSupply())
        ok = ok and supply == minted - burned
        parts.append(f"{sym}: supply {supply}, minted {minted} - burned {burned}")
    results.append(_result("token supply changes only by mint/burn", ok, "; ".join(parts)))
    return results
