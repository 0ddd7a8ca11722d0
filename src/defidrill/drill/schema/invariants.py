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

#: Steps between checks when a drill does not say. Measured on the flagship (200 borrowers, reference
#: pool, this 2-core machine shared with other jobs): one check of every built-in invariant costs about
#: 25 ms against about 30 ms for a step (82%: the step is one batched scan and two blocks; a check is six
#: RPC round trips), so every step would cost far more than the 10% budget; every 10th step costs about 8%.
#: Set ``every: 1`` to check each step (a drill of the size of tests' ones barely notices).
DEFAULT_EVERY_STEPS = 10


class InvariantsConfig(StrictModel):
    """When the invariants run and what a broken one does."""

    every: Annotated[int, Ge(1), Le(1_000_000)] = Field(
        DEFAULT_EVERY_STEPS, description="check after every N-th step (and after the last)")
    on_failure: Literal["stop", "flag"] = "stop"
    custom: list[Annotated[str, Field(min_length=3, max_length=300)]] = Field(
        default_factory=list, max_length=MAX_CUSTOM_INVARIANTS,
        description='your own invariants, "module:function" importable from the drill\'s folder or the current one')
