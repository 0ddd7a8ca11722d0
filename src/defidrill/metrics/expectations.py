"""summary.json's ``expectations``: each of the drill's ``expect:`` bounds beside the run's value.

The value is the flat headline's (:func:`defidrill.metrics.headline.headline`: ``onchain.<field>``,
``cex.<field>``, ``comparison.<metric>.<side>``), in the metric's own unit; ``met`` is
``min <= value <= max``, an absent bound being no bound. A null value (the metric did not happen:
no liquidation, no threshold breach, no CEX side) is NOT met, unless the drill says
``allow_null: true`` for it: "liquidations start within 3 blocks" is not shown by a run in which
nothing was liquidated.

The bounds are read from the run folder's drill.yaml with the run's ``--set`` overrides (summary.json's
``overrides``) through the same reader the preflight uses (:func:`resolve_expectations`), so
``defidrill report --recompute`` re-evaluates exactly what the run did. Pure: no chain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from defidrill.drill.overrides import Override, apply_overrides
from defidrill.drill.schema import ChainConfig
from defidrill.drill.schema.expect import ExpectBounds, ExpectationSpec, flatten_expect, resolve_expectations
from defidrill.errors import ExpectationsNotMet
from defidrill.metrics.headline import Scalar
from defidrill.run_folder.models import Expectation, RunSummary

__all__ = ["describe", "evaluate", "exit_status", "not_met", "not_met_error", "specs_from_document"]


def specs_from_document(document: Mapping[str, Any], overrides: Sequence[str] = ()) -> list[ExpectationSpec]:
    """The expectations of a drill document (drill.yaml as written) after its ``--set`` texts.

    A bound the preflight would refuse is skipped: a run folder's drill went through it already.
    """
    sets = [Override.parse(text, label="summary.json overrides") for text in overrides]
    doc = apply_overrides(document, [o for o in sets if o.parts[0] in ("expect", "chain")])
    try:
        block_time_s = ChainConfig.model_validate(doc.get("chain") or {}).block_time_s
    except ValidationError:
        block_time_s = ChainConfig().block_time_s
    flat = flatten_expect(doc.get("expect"))
    bounds: dict[str, ExpectBounds] = {}
    for metric, raw in (flat.items() if isinstance(flat, dict) else ()):
        try:
            bounds[metric] = ExpectBounds.model_validate(raw)
        except ValidationError:
            continue
    return resolve_expectations(bounds, block_time_s)[0]


def evaluate(specs: Sequence[ExpectationSpec], flat: Mapping[str, Scalar]) -> list[Expectation]:
    """Each expectation with the run's value and whether it holds (see the module docstring)."""
    out = []
    for spec in specs:
        raw = flat.get(spec.metric)
        value = None if raw is None else float(raw)
        out.append(Expectation(metric=spec.metric, min=spec.min, max=spec.max, value=value, met=spec.holds(value),
                               why=spec.why, unit=spec.unit, allow_null=spec.allow_null))
    return out


def not_met(summary: RunSummary) -> list[Expectation]:
    return [e for e in summary.expectations or [] if not e.met]


def exit_status(summary: RunSummary) -> int | None:
    """A finished run's exit status: 6 (ExpectationsNotMet) when an expectation is not met, else 0;
    a failed or interrupted run keeps its own."""
    if summary.status != "ok":
        return summary.exit_status
    return ExpectationsNotMet.exit_status if not_met(summary) else 0


def _show(value: float, unit: str) -> str:
    """A bound or value as a drill file writes it: 1.5%, 36 s, $1,200,000, 3."""
    if unit == "%":
        return f"{value:.4g}%"
    if unit == "s":
        return f"{value:.4g} s"
    if unit == "USD":
        return f"${value:,.0f}" if abs(value) >= 1_000 else f"${value:,.2f}"
    if unit == "count" and value == int(value):
        return f"{value:,.0f}"
    return f"{value:.6g}"


def describe(e: Expectation) -> str:
    """One line a person reads, ``onchain.bad_debt_usd = $1,200 (max $1,000): the reason``; the caller
    says met or NOT MET (the CLI's closing lines, the error of exit status 6, assert_expectations)."""
    bounds = ", ".join(f"{word} {_show(b, e.unit)}" for word, b in (("min", e.min), ("max", e.max)) if b is not None)
    value = "null (did not happen)" if e.value is None else _show(e.value, e.unit)
    if e.value is None and e.allow_null:
        bounds += ", null allowed"
    return f"{e.metric} = {value} ({bounds})" + (f": {e.why}" if e.why else "")


def not_met_error(summary: RunSummary, run_dir: str, outcome: object = None) -> ExpectationsNotMet:
    """The error a run whose expectations are not all met ends with (exit status 6)."""
    return ExpectationsNotMet([describe(e) for e in not_met(summary)], total=len(summary.expectations or []),
                              run_dir=run_dir, outcome=outcome)
