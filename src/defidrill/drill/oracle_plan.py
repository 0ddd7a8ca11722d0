"""The oracle driver: Chainlink-style feeders for every feed plus the failure schedule.

The chain-side step loop calls :meth:`OracleDriver.step` once per step, in order, and
executes the returned actions. With ``cex.coupling: cex_leads`` it passes the CEX's
traded prices instead of the reference path. :func:`plan_actions` runs the whole drill
up front (reference path only) for tests, previews and metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from defidrill.drill.actions import ACTION_ORDER, Action
from defidrill.drill.failure_schedule import FailureSchedule
from defidrill.drill.feeder import FeedFeeder, FeedRules
from defidrill.drill.paths import MarketPath
from defidrill.drill.schema import Drill
from defidrill.protocol_terms.amounts import feed_bounds_raw

__all__ = ["OracleDriver", "ActionPlan", "plan_actions", "feed_rules"]


def feed_rules(drill: Drill) -> dict[str, FeedRules]:
    """Every market asset's feed rules (latency put on the step grid, bounds made raw as the deployed feed has them)."""
    out = {}
    for asset in drill.market.assets:
        p = drill.feed_params(asset)
        min_answer_raw, max_answer_raw = feed_bounds_raw(p.min_answer_usd, p.max_answer_usd, p.decimals)
        out[asset] = FeedRules(
            feed=asset, heartbeat_s=p.heartbeat_s, deviation=p.deviation, decimals=p.decimals,
            latency_steps=drill.seconds_to_steps(p.latency_s), min_answer_raw=min_answer_raw, max_answer_raw=max_answer_raw,
        )
    return out


class OracleDriver:
    """Feeders for all feeds of a drill, stepped together."""

    def __init__(self, drill: Drill, path: MarketPath) -> None:
        self.path = path
        self.rules = feed_rules(drill)
        self.feeders = {feed: FeedFeeder(rules) for feed, rules in self.rules.items()}
        start = {feed: path.price_usd(feed, 0) for feed in self.rules}
        self.schedule = FailureSchedule(drill, self.rules, start)
        self._next_step = 0

    def step(self, step: int, prices_usd: Mapping[str, float] | None = None) -> list[Action]:
        """Actions to execute at ``step`` (call for 0, 1, 2, ... in order).

        ``prices_usd`` overrides the reference path (the CEX-led price); missing feeds use the path.
        """
        if step != self._next_step:
            raise ValueError(f"steps must be driven in order: expected {self._next_step}, got {step}")
        self._next_step += 1
        t_s = float(self.path.times_s[step])
        actions = self.schedule.global_actions(step, t_s)
        for feed, feeder in self.feeders.items():
            price = prices_usd[feed] if prices_usd is not None and feed in prices_usd else self.path.price_usd(feed, step)
            feeder.observe(step, t_s, self.schedule.observation(feed, step, price, feeder.last_raw))
            actions.extend(feeder.due(step, t_s))
        return sorted(actions, key=lambda a: ACTION_ORDER[type(a)])


@dataclass(frozen=True)
class ActionPlan:
    """Every step's actions for a drill, and what each feed should read after each step."""

    times_s: npt.NDArray[np.float64]
    steps: list[list[Action]]
    rules: dict[str, FeedRules]
    answers_raw: dict[str, npt.NDArray[np.object_]]  # Python ints: int192 answers overflow int64
    updated_at_s: dict[str, npt.NDArray[np.float64]]

    def at(self, step: int) -> list[Action]:
        return self.steps[step]

    def answers_usd(self, feed: str) -> npt.NDArray[np.object_]:
        """The expected on-chain answer of ``feed`` in USD after each step."""
        answers: npt.NDArray[np.object_] = self.answers_raw[feed] / 10.0 ** self.rules[feed].decimals
        return answers


def plan_actions(drill: Drill, path: MarketPath) -> ActionPlan:
    """Drive the whole drill on its reference path (no chain)."""
    driver = OracleDriver(drill, path)
    steps = [driver.step(k) for k in range(path.step_count + 1)]
    return ActionPlan(
        times_s=path.times_s, steps=steps, rules=driver.rules,
        answers_raw={f: np.asarray(fd.answers_raw, dtype=object) for f, fd in driver.feeders.items()},
        updated_at_s={f: np.asarray(fd.updated_at_s) for f, fd in driver.feeders.items()},
    )
