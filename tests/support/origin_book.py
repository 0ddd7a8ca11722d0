"""A book opened on an origin chain by someone other than the drill, for the forked-book differentials.

The population is the drill's own draw (``population``), so a fresh run of the same drill seeds the
same accounts with the same raw amounts (``usd_to_raw_half_even`` at the drill's start prices, as the
world seeds them); on the origin each account then opens its own position with the protocol's plain
calls, sent by the test (``tests/e2e/test_fork_book.py``: Aave's supply and borrow;
``tests/external_protocol/test_ctoken_fork_book.py``: the cToken's mint and borrow).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from defidrill.drill.paths import MarketPath
from defidrill.drill.population import BorrowerPlan, population
from defidrill.drill.protocol_spec import protocol_spec
from defidrill.drill.schema import Drill
from defidrill.preflight import preflight
from defidrill.protocol_terms.amounts import usd_to_raw_half_even

#: ETH each origin account gets for its own transactions (a batch checks gas x the fee cap, 10^13 wei).
ACCOUNT_GAS_WEI = 1_000 * 10**18


@dataclass(frozen=True)
class OriginPosition:
    account: str
    collateral: str
    collateral_raw: int
    debt_raw: int
    debt_usd: float


def drawn_book(folder: Path, doc: dict[str, Any]) -> tuple[Drill, MarketPath, list[BorrowerPlan]]:
    """The drill ``doc`` checked as ``defidrill run`` would, and the population it draws."""
    folder.mkdir(parents=True, exist_ok=True)
    drill_path = folder / "book.yaml"
    drill_path.write_text(yaml.safe_dump(doc, sort_keys=False))
    checked = preflight(drill_path)
    return checked.drill, checked.path, population(checked.drill, checked.path)


def raw_positions(drill: Drill, path: MarketPath, plans: list[BorrowerPlan]) -> list[OriginPosition]:
    """Each plan in raw units, as ``engine.world`` seeds it (the start prices, half-even)."""
    config = protocol_spec(drill, path, sum(b.debt_usd for b in plans))
    out = []
    for b in plans:
        spec = config.asset(b.collateral)
        out.append(OriginPosition(b.address, b.collateral, usd_to_raw_half_even(b.collateral_usd, spec.price_usd,
                                                                                 spec.decimals),
                                  usd_to_raw_half_even(b.debt_usd, config.base.price_usd, config.base.decimals),
                                  b.debt_usd))
    return out
