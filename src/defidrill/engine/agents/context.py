"""What an agent sees when it decides."""

from __future__ import annotations

from dataclasses import dataclass

from defidrill.chain import ChainAPI
from defidrill.engine.observe import Observation
from defidrill.engine.world import World


@dataclass
class StepContext:
    chain: ChainAPI  # for ABI encoding only: agents return transactions, the loop sends them
    world: World
    step: int
    t_s: float
    timestamp: int
    reference_usd: dict[str, float]
    reference_history: list[dict[str, float]]  # reference prices of steps 0..step
    history: list[Observation]  # observations of steps 0..step (this step's last once observed)
    base_fee_wei: int = 0  # the base fee of the step's agent block (block B), known before it is mined

    @property
    def latest(self) -> Observation | None:
        return self.history[-1] if self.history else None

    def observation_ago(self, steps: int) -> Observation | None:
        """The observation ``steps`` steps before the latest (None before the drill has that history)."""
        if len(self.history) <= steps:
            return None
        return self.history[-1 - steps]

    def reference_ago(self, steps: int) -> dict[str, float]:
        return self.reference_history[max(0, len(self.reference_history) - 1 - steps)]
