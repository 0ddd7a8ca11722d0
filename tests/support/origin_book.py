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
from defidrill.protocol.aave_v3.deploy import VARIABLE_RATE
from defidrill.protocol_terms.amounts import usd_to_raw_half_even
from support.aave_origin import AaveOrigin

#: The origin's own depositor: the book's USDC was lent by it, not by the drill's lender.
DEPOSITOR = "0x" + "d0" * 20
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


def open_on_aave(origin: AaveOrigin, book: list[OriginPosition], thresholds_bps: dict[str, tuple[int, int]]) -> None:
    """Each account opens its own position with Aave's calls (the drill sends none of them); the origin's
    governance (its deployer) first sets each collateral's LTV just under the drill's threshold, and a
    depositor of its own supplies the USDC the book borrows."""
    chain, pool, tokens = origin.chain, origin.aave.pool, origin.market.tokens
    configurator = origin.aave.configurator.functions
    base = origin.market.base
    chain.set_balance(DEPOSITOR, ACCOUNT_GAS_WEI)
    chain.set_balances({p.account: ACCOUNT_GAS_WEI for p in book})

    def tx(fn: Any, sender: str | None = None) -> Any:
        return chain.tx(fn, sender=sender, gas=1_000_000)

    governance = [tx(configurator.configureReserveAsCollateral(tokens[s].address, lt - 1, lt, 10_000 + bonus))
                  for s, (lt, bonus) in thresholds_bps.items()]
    deposit_raw = 2 * sum(p.debt_raw for p in book) + 10**12  # what the book borrows, twice over
    deposit = [tx(base.functions.mint(DEPOSITOR, deposit_raw)),
               tx(base.functions.approve(pool.address, 2**256 - 1), DEPOSITOR),
               tx(pool.functions.supply(base.address, deposit_raw, DEPOSITOR, 0), DEPOSITOR)]
    chain.send_many(governance + deposit)
    chain.send_many([tx(tokens[p.collateral].functions.mint(p.account, p.collateral_raw)) for p in book])
    chain.send_many([tx(tokens[p.collateral].functions.approve(pool.address, 2**256 - 1), p.account) for p in book])
    chain.send_many([tx(pool.functions.supply(tokens[p.collateral].address, p.collateral_raw, p.account, 0), p.account)
                     for p in book])
    chain.send_many([tx(pool.functions.borrow(base.address, p.debt_raw, VARIABLE_RATE, 0, p.account), p.account)
                     for p in book])
