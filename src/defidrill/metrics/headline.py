"""A finished run's headline numbers, flat: what the CLI prints, `compare` diffs and a sweep tabulates.

Results are read through the run folder's owner (:mod:`defidrill.run_folder`): summary.json
as its versioned model, then flattened here.

Flat names: ``onchain.<field>`` and ``cex.<field>`` for every scalar of those objects
(nested breakdowns such as per-feed deviations stay in summary.json), and
``comparison.<metric>.onchain`` / ``.cex`` for each side-by-side entry.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defidrill.metrics.comparison import DEFINITIONS
from defidrill.run_folder import SUMMARY_JSON, OnchainMetrics, read_summary

__all__ = ["METRIC_ALLOWED", "HeadlineRow", "headline", "headline_names", "read_run_summary", "side_by_side",
           "known_metrics", "unknown_metric_hint"]

Scalar = float | int | None

#: the CEX venue summary's scalar fields (metrics/cex_metrics.py writes them; docs/metrics.md defines them)
CEX_FIELDS = (
    "positions_count", "steps", "liquidation_count", "liquidated_notional_usd", "first_threshold_breach_s",
    "first_liquidation_s", "first_liquidation_delay_s", "insurance_fund_start_usd", "insurance_fund_end_usd",
    "insurance_fund_draw_usd", "insurance_fund_credit_usd", "unresolved_deficit_usd", "adl_count",
    "adl_notional_usd", "max_book_depth_withdrawn_pct", "start_index_price_usd", "min_index_price_usd",
    "min_traded_price_usd", "exogenous_drop_pct", "endogenous_drop_pct", "amplification",
    "slippage_vs_index_pct", "net_flow_btc", "net_flow_usd", "positions_held_by_engine",
    "liquidated_notional_per_minute_peak_usd", "liquidated_notional_per_minute_mean_usd", "losses_socialised_usd",
    # normalised (metrics/normalised.py)
    "open_interest_start_usd", "liquidated_share_of_open_interest_pct", "losses_socialised_share_of_open_interest_pct",
    "insurance_fund_used_pct", "peak_liquidated_per_minute_share_pct", "time_to_half_liquidated_s",
    "max_last_vs_index_dislocation_pct",
)


def read_run_summary(run_dir: str | Path) -> dict[str, Any]:
    """summary.json of a run folder, validated by its model (RunFolderError names a missing or bad file)."""
    return read_summary(Path(run_dir) / SUMMARY_JSON).as_json()


def _onchain_fields() -> list[str]:
    scalar = (int, float)
    out = []
    for name, field in OnchainMetrics.model_fields.items():
        ann = str(field.annotation)
        if field.annotation in scalar or ann in ("float | None", "int | None", "typing.Optional[float]",
                                                 "typing.Optional[int]"):
            out.append(name)
    return out


def headline_names() -> list[str]:
    """Every flat headline name, in a stable order (a sweep's table columns, `compare`'s rows)."""
    return ([f"onchain.{n}" for n in _onchain_fields()] + [f"cex.{n}" for n in CEX_FIELDS]
            + [f"comparison.{m}.{side}" for m in DEFINITIONS for side in ("onchain", "cex")])


#: What a metric name may be, for refusals (drills' expect:, sweeps, risk files).
METRIC_ALLOWED = ("a headline name: onchain.<field>, cex.<field> or comparison.<metric>.<onchain|cex> "
                  "(docs/metrics.md lists them)")


def unknown_metric_hint(name: str) -> str | None:
    """None for a headline name; else what is allowed, with "did you mean" when a name is close."""
    names = headline_names()
    if name in names:
        return None
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    return (f"did you mean {' or '.join(close)}? " if close else "") + METRIC_ALLOWED


def known_metrics(metrics: list[str]) -> list[str]:
    """``metrics`` when each is a headline name, else ValueError naming the first that is not (a pydantic
    validator of sweep and risk files' ``metrics:``)."""
    for name in metrics:
        hint = unknown_metric_hint(name)
        if hint is not None:
            raise ValueError(f"unknown metric {name!r}; allowed: {hint}")
    return metrics


def _scalar(value: Any) -> Scalar:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value if not (isinstance(value, float) and not math.isfinite(value)) else None
    return None


def headline(summary: dict[str, Any]) -> dict[str, Scalar]:
    """The flat headline of one summary; a metric the run did not produce is None."""
    onchain = summary.get("onchain") or {}
    cex = summary.get("cex") or {}
    comparison = summary.get("comparison") or {}
    out: dict[str, Scalar] = {}
    for name in headline_names():
        section, _, rest = name.partition(".")
        if section == "onchain":
            out[name] = _scalar(onchain.get(rest))
        elif section == "cex":
            out[name] = _scalar(cex.get(rest))
        else:
            metric, _, side = rest.rpartition(".")
            out[name] = _scalar((comparison.get(metric) or {}).get(side))
    return out


@dataclass(frozen=True)
class HeadlineRow:
    """One comparison metric with both venues' values (the CLI's closing lines)."""

    metric: str
    unit: str
    onchain: Any
    cex: Any


def side_by_side(summary: dict[str, Any]) -> list[HeadlineRow]:
    """The comparison object as rows, on chain next to the CEX, in the report's order."""
    comparison = summary.get("comparison") or {}
    return [HeadlineRow(metric, str(entry.get("unit", "")), entry.get("onchain"), entry.get("cex"))
            for metric, entry in comparison.items()]
