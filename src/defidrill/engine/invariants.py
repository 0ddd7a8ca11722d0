"""Invariants checked on chain after a drill (and named in summary.json).

The lending protocol's own accounting checks come from its adapter
(``LendingAdapter.invariants``: for the reference pool, cash + borrows = supply +
reserves within index rounding, collateral held = sum of deposits, no liquidation of an
account at HF >= 1). The engine adds one over the market it deployed:
token supply changes only by mint/burn (the sum of Transfer events from or to the zero
address equals ``totalSupply``), for every token.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from eth_utils import keccak

from defidrill.chain import Chain
from defidrill.engine.world import World
from defidrill.protocol.adapter import LiquidationRecord
from defidrill.run_folder import read_events

ZERO_TOPIC = "0x" + "00" * 32
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()


def _result(name: str, passed: bool, detail: str) -> dict[str, Any]:
    return {"name": name, "passed": bool(passed), "detail": detail}


def check_invariants(chain: Chain, world: World, events_path: Path) -> list[dict[str, Any]]:
    liquidations = []
    if events_path.is_file():
        for event in read_events(events_path):
            if event.event == "Liquidation":
                a = event.args
                liquidations.append(LiquidationRecord(
                    account=a["account"], collateral_asset=a["collateralAsset"], repaid_base=int(a["repaidBase"]),
                    seized_raw=int(a["seizedCollateral"]), health_before_wad=int(a["healthFactorBeforeWad"]),
                    liquidator=a.get("liquidator", "")))
    results = [r.as_dict() for r in world.lending.invariants(chain, world.accounts, liquidations)]

    ok = True
    parts = []
    for sym, token in world.market.tokens.items():
        logs = chain.rpc.request("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest", "address": token.address,
                                                  "topics": [TRANSFER_TOPIC]}]) or []
        minted = sum(int(log["data"], 16) for log in logs if log["topics"][1] == ZERO_TOPIC)
        burned = sum(int(log["data"], 16) for log in logs if log["topics"][2] == ZERO_TOPIC)
        supply = chain.call(token.functions.totalSupply())
        ok = ok and supply == minted - burned
        parts.append(f"{sym}: supply {supply}, minted {minted} - burned {burned}")
    results.append(_result("token supply changes only by mint/burn", ok, "; ".join(parts)))
    return results
