"""Draw the borrower population of a drill from its distributions, seeded.

Each borrower holds one collateral asset (drawn by the drill's weights), a
collateral value from ``size_usd`` and a starting health factor from ``health``;
its debt follows from the liquidation-threshold definition of health:
``debt_usd = collateral_usd x liquidation_threshold / health``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from defidrill.drill.schema import Drill
from defidrill.drill.schema.common import Distribution

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
