"""``invariants:``: how often the on-chain invariants run during a drill and what a broken one does.

The built-in invariants (the lending adapter's accounting checks and the engine's token
supply check) and the user's own (``custom``: "module:function" callables over the chain and
the step, docs/invariants.md) run after every ``every``-th step and after the last one.
``on_failure: stop`` ends the drill at the first broken check (InvariantError, exit status
5); ``flag`` records every broken check in summary.json and the report and runs to the end.
"""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Le
from pydantic import Field

from defidrill.drill.limits import MAX_CUSTOM_INVARIANTS
from defidrill.drill.schema.common import StrictModel

#: Steps between checks when a drill does not say. Measured on the flagship (200 borrowers, 721
#: steps): the built-in checks cost 3-4% of a step's wall time, under the 10% budget, so every step
#: (bench/bench_invariants.py, README "Invariants every step").
DEFAULT_EVERY_STEPS = 1


class InvariantsConfig(StrictModel):
    """When the invariants run and what a broken one does."""

    every: Annotated[int, Ge(1), Le(1_000_000)] = Field(
        DEFAULT_EVERY_STEPS, description="check after every N-th step (and after the last)")
    on_failure: Literal["stop", "flag"] = "stop"
    custom: list[Annotated[str, Field(min_length=3, max_length=300)]] = Field(
        default_factory=list, max_length=MAX_CUSTOM_INVARIANTS,
        description='your own invariants, "module:function" importable from the drill\'s folder or the current one')
