"""summary.json's ``fit``: each documented figure of the drill's ``targets:`` beside the model's.

``ratio`` = model / documented; ``inside`` = the ratio lies in [1 / within, within]. The model's
figure is read from the summary: ``cex.traded_drop_pct`` = the CEX's exogenous + endogenous drop
(start to its lowest traded price, % of the start); every other metric is the summary field of
that name (``cex.liquidated_notional_usd`` ...). None when the run has no such figure.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from defidrill.drill.schema import TARGET_METRICS, Target
from defidrill.run_folder.models import TargetFit


def model_value(summary: dict[str, Any], metric: str) -> float | None:
    venue, _, name = metric.partition(".")
    block = summary.get(venue)
    if not isinstance(block, dict):
        return None
    if metric == "cex.traded_drop_pct":
        exo, endo = block.get("exogenous_drop_pct"), block.get("endogenous_drop_pct")
        return None if exo is None or endo is None else float(exo) + float(endo)
    value = block.get(name)
    return float(value) if isinstance(value, (int, float)) else None


def fit(summary: dict[str, Any], raw_targets: list[dict[str, Any]]) -> list[TargetFit]:
    """The ``fit`` rows (targets that do not validate are skipped: run and validate refused them already)."""
    out = []
    for raw in raw_targets:
        try:
            target = Target.model_validate(raw)
        except ValidationError:
            continue
        model = model_value(summary, target.metric)
        ratio = model / target.value if model is not None else None
        out.append(TargetFit(metric=target.metric, meaning=TARGET_METRICS[target.metric], documented=target.value,
                             model=model, ratio=ratio, within=target.within,
                             inside=(ratio is not None and 1 / target.within <= ratio <= target.within),
                             source=target.source))
    return out
