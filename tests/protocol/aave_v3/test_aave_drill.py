"""The flagship drill, reduced, end to end on genuine Aave V3 through the runner (`--set protocol.kind=aave-v3`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from defidrill.run_folder import CONTRACTS_JSON, read_contracts
from defidrill.runner import run_drill
from defidrill.toolchain import project_root

WAD = 10**18
#: 100 borrowers, an hour (the drop starts at 20m), no CEX: the on-chain side is what differs by protocol.
REDUCED = ["protocol.kind=aave-v3", "borrowers.count=100", "market.duration=60m", "cex.enabled=false"]


@pytest.mark.slow
def test_flash_crash_runs_on_aave_v3(tmp_path: Path) -> None:
    outcome = run_drill(project_root() / "oracles" / "flash-crash.yaml", out_dir=tmp_path / "run", progress=False,
                        overrides=REDUCED)
    summary = outcome.summary
    assert summary["status"] == "ok", summary["error"]
    invariants = summary["onchain"]["invariants"]
    assert all(inv["passed"] for inv in invariants), invariants
    names = {inv["name"] for inv in invariants}
    assert {"aToken supply = sum of scaled balances", "collateral held = sum of deposits"} <= names
    assert summary["overrides"] == REDUCED
    contracts = read_contracts(tmp_path / "run" / CONTRACTS_JSON)
    assert "AAVE_ORACLE" in contracts.contracts
    liquidations = outcome.folder().liquidations()
    assert liquidations, "the crash breaches some borrowers: Aave's keepers must liquidate"
    for e in liquidations:
        assert e.protocol_event is not None and e.protocol_event.name == "LiquidationCall"
        assert e.liquidation.health_before_wad < WAD
        assert e.liquidation.repaid_base == int(e.protocol_event.args["debtToCover"])
    assert "--set protocol.kind=aave-v3" in (tmp_path / "run" / "drill.yaml").read_text()
