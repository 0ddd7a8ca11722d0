"""The ``targets:`` list: documented figures of a real event that the drill means to reproduce.

Each target names one model figure (``metric``), the documented ``value`` and its ``source``;
the run's summary.json gets a ``fit`` list (each figure beside the model's, with the ratio) and
the report shows it. ``within`` is the factor the drill claims to land inside (1.5 = between
value / 1.5 and value x 1.5): a claim the drill's tests assert, not a check the run enforces.
"""

from __future__ import annotations

from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le
from pydantic import Field, model_validator

from defidrill.drill.schema.common import StrictModel
from defidrill.drill.units import parse_count, parse_usd

#: metric -> what it is (how metrics/fit.py reads it from summary.json).
TARGET_METRICS: dict[str, str] = {
    "cex.traded_drop_pct": "the CEX's fall from the start to its lowest traded price, % of the start",
    "cex.liquidated_notional_usd": "notional of the CEX positions liquidated (USD, at the mark)",
    "cex.liquidation_count": "CEX positions liquidated",
    "onchain.liquidated_debt_usd": "debt repaid by on-chain liquidations (USD)",
    "onchain.liquidation_count": "on-chain liquidations",
    "onchain.bad_debt_usd": "on-chain bad debt written off (USD)",
}

TargetMetric = Literal[
    "cex.traded_drop_pct", "cex.liquidated_notional_usd", "cex.liquidation_count",
    "onchain.liquidated_debt_usd", "onchain.liquidation_count", "onchain.bad_debt_usd",
]


class Target(StrictModel):
    """One documented figure: ``value`` of ``metric`` (in the metric's unit), and where it is from."""

    metric: TargetMetric
    value: Annotated[float, Gt(0.0)]
    source: Annotated[str, Field(min_length=1, max_length=1_000)]
    within: Annotated[float, Ge(1.0), Le(100.0)] = 1.5

    @model_validator(mode="before")
    @classmethod
    def _value_in_the_metric_unit(cls, data: object) -> object:
        """``1.7B`` for a USD metric, ``200k`` for a count, ``8%`` (or 8) for a percentage."""
        if not isinstance(data, dict) or "value" not in data:
            return data
        metric, value = str(data.get("metric", "")), data["value"]
        if metric.endswith("_usd"):
            value = parse_usd(value)
        elif metric.endswith("_count"):
            value = parse_count(value)
        elif metric.endswith("_pct") and isinstance(value, str):
            value = float(value.strip().rstrip("%"))
        return {**data, "value": value}
