"""A gap-down drill against ``SeizeSharePool``: underwater accounts whose full repay would seize more
than they hold.

BTC and ETH fall 25% in one 10 s step at 2m (the feeds push the round at once: the deviation band is
crossed) and stay there; 40 borrowers start at health [1.02, 1.3] under an 80% threshold, so the drop
leaves most of them at HF 0.77-0.98. With an 8% incentive and a 100% close factor a full repay seizes
1.08 x the debt's value, more than an account at HF < 0.864 holds (collateral = debt x HF / 0.8): the
pool reverts those repays, so a keeper that does not size them fails every step. One capital keeper
(latency 0) so failures are the sizing's, not a race's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from defidrill.toolchain import project_root

HERE = Path(__file__).resolve().parent
GAP = {"kind": "flash_crash", "at": "2m", "drop": "25%", "over": "10s", "recover": "0%", "recover_over": "1m"}


def gap_down_doc(adapter: str) -> dict[str, Any]:
    doc = yaml.safe_load((project_root() / "oracles" / "flash-crash.yaml").read_text())
    doc["name"] = "seize-share-gap-down"
    doc["market"]["duration"] = "10m"
    for asset in ("WBTC", "WETH"):
        doc["market"]["assets"][asset]["path"] = dict(GAP)
        doc["protocol"]["collateral"][asset] = {"ltv": "75%", "liquidation_threshold": "80%", "bonus": "8%"}
    doc["protocol"]["close_factor"] = {"default": "100%"}
    doc["protocol"].update({"kind": "external", "adapter": f"seize_share_adapter:{adapter}",
                            "artifacts": str(HERE / "contracts")})
    doc["amm"]["lps"] = {"withdraw": "0%", "at": "1m"}
    doc["borrowers"] = {"count": 40, "collateral": {"WBTC": "50%", "WETH": "50%"},
                        "size_usd": {"lognormal": {"median": "20k", "sigma": 0.5}}, "health": {"uniform": [1.02, 1.3]}}
    doc["keepers"] = [{"name": "solo", "mode": "capital", "capital_usd": "5M", "latency": "0 blocks",
                       "gas_bid": "2 gwei", "sell_seized": "always", "min_profit_usd": 1}]
    doc["cex"] = {"enabled": False}
    doc.pop("expect", None)
    return doc


def write_gap_down(adapter: str, folder: Path, *, as_project: bool = False) -> Path:
    """The drill in ``folder``; ``as_project``: laid out as a user's project (the adapter module and
    ``contracts/`` beside the drill, linked from here, ``artifacts: contracts`` relative)."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = gap_down_doc(adapter)
    if as_project:
        (folder / "contracts").symlink_to(HERE / "contracts", target_is_directory=True)
        (folder / "seize_share_adapter.py").symlink_to(HERE / "seize_share_adapter.py")
        doc["protocol"]["artifacts"] = "contracts"
    path = folder / f"gap-down-{adapter}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path
