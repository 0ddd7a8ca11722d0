"""Run the invariants during a drill: after every ``every``-th step and after the last one.

Each check runs the built-in invariants (:mod:`defidrill.engine.invariants`) over every
liquidation so far, and the user's over the liquidations since the previous check. A broken one names the step, the block and
the accounts; ``on_failure: stop`` raises :class:`InvariantError` there (exit status 5, the
steps so far on disk), ``flag`` keeps it for summary.json and the report and runs on.
The monitor times itself, so summary.json says what the checks cost against the steps.

A user's check cannot change the run: it runs on a snapshot of the chain reverted after it
(``chain.isolated()``: a check that sends a transaction or mines a block leaves no trace, and the
run with and without it writes the same steps and events), inside the user-code boundary
(:func:`defidrill.user_code.running_user_code`: what it raises, ``sys.exit`` included, is a
UserCodeError, exit 4, with its traceback in error.txt; Ctrl-C in it is SIGINT; its prints go to stderr).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from defidrill.chain import ChainAPI
from defidrill.drill.schema import InvariantsConfig
from defidrill.engine.invariants import Broken, StepCheck, TokenSupply, UserInvariant, liquidations_in
from defidrill.engine.observe import Observation
from defidrill.engine.world import World
from defidrill.errors import InvariantError, UserCodeError
from defidrill.protocol.adapter import InvariantResult
from defidrill.run_folder.records import Line, Liquidation
from defidrill.user_code import running_user_code

#: At most this many accounts are named per broken invariant (the count is always given).
NAMED_ACCOUNTS = 10


@dataclass
class _Tally:
    """One invariant over the run: how often checked and broken, and its first break."""

    name: str
    source: str  # "builtin" or "user"
    checks: int = 0
    broken_checks: int = 0
    detail: str = ""
    first_broken_step: int | None = None
    accounts: list[str] = field(default_factory=list)

    def add(self, result: InvariantResult, step: int) -> None:
        self.checks += 1
        if result.ok:
            if self.first_broken_step is None:
                self.detail = result.detail
            return
        self.broken_checks += 1
        if self.first_broken_step is None:
            self.first_broken_step, self.detail, self.accounts = step, result.detail, list(result.accounts)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.broken_checks == 0, "detail": self.detail, "source": self.source,
                "checks": self.checks, "broken_checks": self.broken_checks,
                "first_broken_step": self.first_broken_step, "accounts": self.accounts}


class InvariantMonitor:
    """Called by the step loop after each recorded step; see the module docstring."""

    def __init__(self, chain: ChainAPI, world: World, config: InvariantsConfig, user: Sequence[UserInvariant] = ()) -> None:
        self.chain, self.world, self.config, self.user = chain, world, config, list(user)
        self.supply = (TokenSupply.from_now(chain, world.market.tokens) if world.market.forked
                       else TokenSupply(world.market.tokens))
        self.contracts = {**world.market.named_contracts(), **world.lending.named_contracts()}
        self.pending: list[Liquidation] = []
        self.liquidations: list[Liquidation] = []
        self.tallies: dict[str, _Tally] = {}
        self.checks_run = 0
        self.check_wall_time_s = 0.0
        self.steps_seen = 0
        self.started = time.monotonic()  # built just before the step loop runs
        self.last_step_end = self.started

    def after_step(self, obs: Observation, row: dict[str, Any], lines: Sequence[Line], *, last: bool) -> None:
        """Check when the step is due; raise InvariantError on a break when the drill says stop."""
        self.pending += liquidations_in(lines)
        self.steps_seen += 1
        started = self.last_step_end = time.monotonic()
        if not (last or obs.step % self.config.every == 0):
            return
        # every account as an AccountView only when a user check will read them (the read is columns)
        step = StepCheck(obs.step, obs.t_s, obs.timestamp, obs.block, dict(obs.reference_usd),
                         obs.accounts.views() if self.user else [],
                         obs.totals, row, self.pending, self.contracts)
        # The protocol's checks see every liquidation so far: "no account liquidated while healthy" is
        # about the whole run, and its detail then counts them all (user checks get the new ones).
        self.liquidations += self.pending
        results = [(r, "builtin") for r in self.world.lending.invariants(self.chain, self.world.accounts, self.liquidations)]
        results.append((self.supply.check(self.chain), "builtin"))
        results += [(self._run_user(inv, step), "user") for inv in self.user]
        self.pending = []
        self.checks_run += 1
        broken = []
        for result, source in results:
            tally = self.tallies.setdefault(result.name, _Tally(result.name, source))
            tally.add(result, obs.step)
            if not result.ok:
                broken.append(result)
        self.last_step_end = time.monotonic()
        self.check_wall_time_s += self.last_step_end - started
        if broken and self.config.on_failure == "stop":
            raise InvariantError(broken_message(obs.step, obs.t_s, obs.block, broken))

    def _run_user(self, inv: UserInvariant, step: StepCheck) -> InvariantResult:
        with self.chain.isolated(), running_user_code("custom invariant", inv.name, at=f"at step {step.step}"):
            outcome = inv.fn(self.chain, step)
        if outcome is None:
            return InvariantResult(inv.name, True, "held")
        if isinstance(outcome, Broken):
            return InvariantResult(inv.name, False, outcome.detail, tuple(outcome.accounts))
        raise UserCodeError("custom invariant", inv.name, f"returned {type(outcome).__name__} at step {step.step}: "
                            "allowed None when it holds, defidrill.engine.invariants.Broken when it does not")

    def results(self) -> list[dict[str, Any]]:
        """summary.json's ``onchain.invariants``: each invariant over the whole run."""
        return [t.as_dict() for t in self.tallies.values()]

    def policy(self) -> dict[str, Any]:
        """summary.json's ``invariant_checks``: when they ran, what they cost, what was flagged."""
        loop_s = self.last_step_end - self.started
        step_s = (loop_s - self.check_wall_time_s) / self.steps_seen if self.steps_seen else None
        check_s = self.check_wall_time_s / self.checks_run if self.checks_run else None
        return {"every": self.config.every, "on_failure": self.config.on_failure, "checks_run": self.checks_run,
                "user": [u.name for u in self.user], "check_wall_time_s": self.check_wall_time_s,
                "mean_check_s": check_s, "mean_step_s_without_checks": step_s,
                "cost_pct_of_step": 100.0 * check_s / step_s if check_s is not None and step_s else None,
                "flagged": sum(t.broken_checks for t in self.tallies.values()) if self.config.on_failure == "flag" else 0}


def broken_message(step: int, t_s: float, block: int, broken: Sequence[InvariantResult]) -> str:
    """One line per broken invariant: step, time, block, name, detail and the accounts."""
    parts = []
    for r in broken:
        named = ", ".join(r.accounts[:NAMED_ACCOUNTS]) + (f" and {len(r.accounts) - NAMED_ACCOUNTS} more"
                                                          if len(r.accounts) > NAMED_ACCOUNTS else "")
        parts.append(f"{r.name} ({r.detail})" + (f"; accounts: {named}" if named else ""))
    return f"invariant broken at step {step} (t = {t_s:g} s, block {block}): " + " | ".join(parts)
