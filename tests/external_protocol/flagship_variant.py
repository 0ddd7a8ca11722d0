"""The flagship drill (oracles/flash-crash.yaml), reduced, against either protocol.

Reduced to 121 steps and 50 borrowers without changing its character: the same 8% crash of
BTC and ETH after LPs pull 40% of the AMM, compressed in time (drop from 4m over 10m, half of
it back over 5m, LPs leave at 3m; 20 minutes at 10 s steps), a quarter of the borrowers at
four times the median size (the debt keepers sell into the AMM stays about the same), their
starting health in [1.02, 1.3] (the flagship's share of accounts an 8% drop can reach, at a
quarter of the population), 20k CEX positions. Both collaterals get an 8% bonus: the
Compound-style protocol has ONE liquidation incentive (1.08e18) for all markets, and the
reference pool runs the same numbers. ``kind="external"`` points the drill at
``ctoken_adapter:CTokenAdapter`` and this folder's ``contracts/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from defidrill.toolchain import project_root

HERE = Path(__file__).resolve().parent
CRASH = {"kind": "flash_crash", "at": "4m", "drop": "8%", "over": "10m", "recover": "50%", "recover_over": "5m"}


def flagship_doc(kind: str) -> dict[str, Any]:
    doc = yaml.safe_load((project_root() / "oracles" / "flash-crash.yaml").read_text())
    doc["market"]["duration"] = "20m"
    for asset in ("WBTC", "WETH"):
        doc["market"]["assets"][asset]["path"] = dict(CRASH)
        doc["protocol"]["collateral"][asset]["bonus"] = "8%"
    doc["amm"]["lps"] = {"withdraw": "40%", "at": "3m"}
    doc["borrowers"].update({"count": 50, "size_usd": {"lognormal": {"median": "80k", "sigma": 1.2}},
                             "health": {"uniform": [1.02, 1.3]}})
    doc["cex"]["positions"]["count"] = 20_000
    if kind == "external":
        doc["protocol"].update({"kind": "external", "adapter": "ctoken_adapter:CTokenAdapter",
                                "artifacts": str(HERE / "contracts")})
    return doc


def write_flagship(kind: str, folder: Path) -> Path:
    """The variant as a drill file in ``folder`` (the adapter is found from this module's folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"flash-crash-{kind}.yaml"
    path.write_text(yaml.safe_dump(flagship_doc(kind), sort_keys=False))
    return path
