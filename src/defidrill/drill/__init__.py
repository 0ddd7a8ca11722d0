"""Drill engine, pure half: drill files, market paths, the oracle feeder and failure injections.

    drill = load_drill("oracles/flash-crash.yaml")      # ConfigError (exit 2) on any schema problem
    path = build_paths(drill)                            # numpy arrays on the step grid
    driver = OracleDriver(drill, path)                   # per step: driver.step(k) -> [Action]

The chain side (``defidrill.engine``: step loop, agents) executes the actions; nothing here touches a chain.
"""

from defidrill.drill.actions import (
    Action, InjectRaw, SetFallbackDivergence, SetFeedBounds, SetSequencer, SpotManipulation, Transmit,
)
from defidrill.drill.feeder import FeedFeeder, FeedRules, deviates
from defidrill.drill.loader import DrillSource, load_drill, load_drill_source, parse_drill
from defidrill.drill.overrides import Override, apply_overrides, library_drills, resolve_drill
from defidrill.drill.oracle_plan import ActionPlan, OracleDriver, feed_rules, plan_actions
from defidrill.drill.paths import MarketPath, build_paths
from defidrill.drill.schema import Drill

__all__ = [
    "Action", "ActionPlan", "Drill", "FeedFeeder", "FeedRules", "InjectRaw", "MarketPath", "OracleDriver",
    "SetFallbackDivergence", "SetFeedBounds", "SetSequencer", "SpotManipulation", "Transmit",
    "DrillSource", "Override", "apply_overrides", "build_paths", "library_drills",
    "resolve_drill", "deviates", "feed_rules", "load_drill", "load_drill_source",
    "parse_drill", "plan_actions",
]
