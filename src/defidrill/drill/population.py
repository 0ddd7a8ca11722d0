"""The borrower population of a drill: drawn from its distributions (seeded), or read from a file.

Drawn (``source`` = ``seeded``): each borrower holds one collateral asset (drawn by the drill's
weights), a collateral value from ``size_usd`` and a starting health factor from ``health``; its
debt follows from the liquidation-threshold definition of health:
``debt_usd = collateral_usd x liquidation_threshold / health``.

From a file (``borrowers: {from: positions.csv}``, ``source`` = ``file``): each row's collateral and
debt as stated, in USD at the drill's start prices, and the health that follows from them. Both
sources make the same :class:`BorrowerPlan` records, so the world seeds, the engine scans and the
keepers liquidate them the same way. :func:`population` is the one entry point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from defidrill.drill.paths import MarketPath
from defidrill.drill.schema import Drill, Problem
from defidrill.drill.schema.agents import MAX_HEALTH
from defidrill.drill.schema.common import Distribution
from defidrill.drill.positions_csv import PositionRow

#: Stream ids keep each random draw independent of the others (adding a draw never shifts another).
_STREAM_POPULATION = 1


def agent_address(name: str) -> str:
    """A deterministic address for a named agent (anvil auto-impersonates it)."""
    return to_checksum_address(keccak(text=f"defidrill:agent:{name}")[-20:])


@dataclass(frozen=True)
class BorrowerPlan:
    index: int
    address: str
    collateral: str
    collateral_usd: float
    health: float
    debt_usd: float
    reacts: bool
    source: str = "seeded"  # where the position comes from: seeded (drawn) | file (borrowers.from) | forked


def draw(dist: Distribution, rng: np.random.Generator, n: int) -> npt.NDArray[np.float64]:
    if dist.constant is not None:
        return np.full(n, float(dist.constant))
    if dist.uniform is not None:
        low, high = dist.uniform
        return rng.uniform(float(low), float(high), n)
    assert dist.lognormal is not None
    draws: npt.NDArray[np.float64] = float(dist.lognormal.median) * np.exp(float(dist.lognormal.sigma) * rng.standard_normal(n))
    return draws


def draw_population(drill: Drill, seed: int | None = None) -> list[BorrowerPlan]:
    """The borrowers, identical for the same drill and seed."""
    cfg = drill.borrowers
    n = cfg.count
    if n == 0:
        return []
    rng = np.random.default_rng([drill.seed if seed is None else seed, _STREAM_POPULATION])
    weights = drill.borrower_weights
    assets = list(weights)
    probs = np.array([weights[a] for a in assets], dtype=float)
    probs = probs / probs.sum()
    choice = rng.choice(len(assets), size=n, p=probs)
    size_usd = draw(cfg.size_usd, rng, n)
    health = draw(cfg.health, rng, n)
    reacts = rng.uniform(0.0, 1.0, n) < cfg.reaction.probability
    collateral = drill.collateral
    out = []
    for i in range(n):
        asset = assets[int(choice[i])]
        threshold = collateral[asset].liquidation_threshold
        out.append(BorrowerPlan(
            index=i,
            address=agent_address(f"borrower:{i}"),
            collateral=asset,
            collateral_usd=float(size_usd[i]),
            health=float(health[i]),
            debt_usd=float(size_usd[i]) * threshold / float(health[i]),
            reacts=bool(reacts[i]),
        ))
    return out


def population(drill: Drill, path: MarketPath) -> list[BorrowerPlan]:
    """The drill's borrowers: the positions file's when ``borrowers.from`` names one, else the draw.

    The preflight refused every row :func:`population_problems` names, so a checked drill's file
    gives one plan per row."""
    if drill.borrowers.positions_file is None:  # drawn (beside a forked book too: engine.forked_book)
        return draw_population(drill)
    return [_from_row(drill, path, i, row) for i, row in enumerate(drill.borrowers.positions)]


def population_problems(drill: Drill, path: MarketPath) -> list[Problem]:
    """What the positions file asks that the drill cannot open, per row, with the CSV's line.

    A row's collateral must be a collateral asset of the drill; its health at the start prices
    (collateral_usd x liquidation_threshold / debt_usd) above 1, since a position below 1 is
    liquidatable before the drill starts and cannot be borrowed into, and at most MAX_HEALTH."""
    out: list[Problem] = []
    collateral = drill.collateral
    where = ("borrowers", "from")
    if drill.borrowers.from_protocol and drill.protocol.address is None:
        out.append(Problem(where, "from: protocol drills a forked protocol's own borrowers: a fresh deployment has "
                           "none", "protocol", "a fork (chain.fork_url and protocol.address), or a drawn population "
                           "(count) or a positions file (from: positions.csv) on a fresh deployment"))
    for i, row in enumerate(drill.borrowers.positions):
        csv_line = f"{drill.borrowers.from_file}: line {row.line} of the CSV"
        if row.collateral not in collateral:
            out.append(Problem(where, f"{csv_line}: {row.collateral!r} is not a collateral asset", row.collateral,
                               "one of: " + (", ".join(collateral) or "(none)")))
            continue
        plan = _from_row(drill, path, i, row)
        if not 1.0 < plan.health <= MAX_HEALTH:
            out.append(Problem(where, f"{csv_line}: the position's health at the start prices is {plan.health:.6g}",
                               row.label, f"a health factor above 1 and at most {MAX_HEALTH:g} "
                               f"(collateral_usd x {collateral[row.collateral].liquidation_threshold:g} / debt_usd)"))
    return out


def _from_row(drill: Drill, path: MarketPath, index: int, row: PositionRow) -> BorrowerPlan:
    """One file row as a plan: amounts in USD at the start prices, the address from the label."""
    collateral_usd = (row.collateral_usd if row.collateral_usd is not None
                      else float(row.collateral_amount or 0.0) * path.price_usd(row.collateral, 0))
    debt_usd = (row.debt_usd if row.debt_usd is not None
                else float(row.debt_base or 0.0) * path.price_usd(drill.protocol.base_asset, 0))
    threshold = drill.collateral[row.collateral].liquidation_threshold
    return BorrowerPlan(
        index=index,
        address=to_checksum_address(row.address) if row.address else agent_address(f"position:{row.label}"),
        collateral=row.collateral,
        collateral_usd=collateral_usd,
        health=collateral_usd * threshold / debt_usd,
        debt_usd=debt_usd,
        reacts=row.reacts,
        source="file",
    )
