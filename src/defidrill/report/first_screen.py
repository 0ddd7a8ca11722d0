"""The report's first screen: the verdict, the normalised side by side, the expectations, the invariants.

What a reader needs to decide whether the protocol held fits above the first chart at 1280x800
(tests/report/test_browser.py measures it in Chromium); the raw figures and their definitions
follow further down (document.py). Each part says in a sentence what is absent when an older
run folder or a run without the CEX lacks it.
"""

from __future__ import annotations

from typing import Any

from defidrill.report.blocks import Block, Bullets, Heading, Para, TableBlock
from defidrill.report.format import MISSING, fmt
from defidrill.report.verdict import verdict_paragraph

__all__ = ["NORMALISED", "first_screen", "normalised_definitions"]

#: The comparison entries (metrics/comparison.py DEFINITIONS) the first screen shows, with their labels.
NORMALISED: list[tuple[str, str]] = [
    ("liquidated_share_pct", "liquidated, share of the book (debt / open interest)"),
    ("losses_socialised_share_pct", "losses socialised, share of the book"),
    ("peak_liquidated_per_minute_share_pct", "peak liquidated per minute, share of the book"),
    ("time_to_half_liquidated_s", "first breach to half of all liquidated"),
    ("max_dislocation_pct", "largest dislocation (AMM vs reference / last vs index)"),
]


def _unit_of(metric: str) -> str:
    """A headline metric's display unit from its name's suffix (the contract's unit rule)."""
    for suffix, unit in (("_pct", "%"), ("_s", "s"), ("_usd", "USD")):
        if metric.endswith(suffix):
            return unit
    return ""


def _normalised(summary: dict[str, Any]) -> list[Block]:
    comp = summary.get("comparison") or {}
    rows = [[label, fmt(comp[name].get("onchain"), comp[name].get("unit", "")),
             fmt(comp[name].get("cex"), comp[name].get("unit", ""))] for name, label in NORMALISED if name in comp]
    used = (summary.get("cex") or {}).get("insurance_fund_used_pct")
    if used is not None:
        rows.append(["insurance fund used", MISSING, fmt(used, "%")])
    head: list[Block] = [Heading("On chain beside the CEX, normalised")]
    if not rows:
        return head + [Para("This run folder predates the normalised figures (share of the book liquidated, time "
                            "to half liquidated, largest dislocation): `defidrill report --recompute` rebuilds "
                            "them from its files; the raw figures are below.")]
    if not summary.get("cex"):
        head.append(Para("No CEX in this run: its column is empty."))
    return head + [TableBlock(["normalised figure", "on chain", "CEX"], rows)]


def normalised_definitions(summary: dict[str, Any]) -> list[Block]:
    """The normalised figures' definitions, as summary.json carries them (shown below the charts)."""
    comp = summary.get("comparison") or {}
    items = [f"{label}: {comp[name].get('definition', '')}" for name, label in NORMALISED if name in comp]
    if not items:
        return []
    return [Heading("The normalised figures, defined", 3), Bullets(items)]


def _unit(e: dict[str, Any]) -> str:
    """The expectation's unit as summary.json states it, else from its metric's name."""
    return str(e.get("unit") or _unit_of(str(e.get("metric"))))


def _bound(e: dict[str, Any], unit: str) -> str:
    parts = []
    if e.get("min") is not None:
        parts.append(f"≥ {fmt(e['min'], unit)}")
    if e.get("max") is not None:
        parts.append(f"≤ {fmt(e['max'], unit)}")
    return " and ".join(parts) or MISSING


def _expectations(summary: dict[str, Any]) -> list[Block]:
    rows = summary.get("expectations")
    head: list[Block] = [Heading("Expectations")]
    if rows is None:
        return head + [Para("This run folder records no expectations (it predates them, or the drill states none).")]
    if not rows:
        return head + [Para("The drill states no expectations (`expect:`).")]
    met = sum(1 for e in rows if e.get("met"))
    table = TableBlock(
        ["expectation", "result", "value", "bound", "why"],
        [[f"`{e.get('metric')}`", "met" if e.get("met") else "NOT MET", fmt(e.get("value"), _unit(e)), _bound(e, _unit(e)),
          str(e.get("why") or "")] for e in rows],
        ["pass" if e.get("met") else "fail" for e in rows])
    return head + [Para(f"{met} of {len(rows)} met."), table]


def _invariants_line(summary: dict[str, Any]) -> list[Block]:
    inv = (summary.get("onchain") or {}).get("invariants") or []
    if not inv:
        return [Para("**Invariants:** none were recorded for this run.")]
    broken = [str(i.get("name")) for i in inv if not i.get("passed")]
    if broken:
        return [Para(f"**Invariants:** {len(broken)} of {len(inv)} BROKE ({'; '.join(broken)}): read "
                     "their detail in the Invariants section below first.")]
    return [Para(f"**Invariants:** all {len(inv)} held (each listed below).")]


def first_screen(summary: dict[str, Any]) -> list[Block]:
    """The verdict paragraph, the normalised side by side, the expectations and the invariants' result."""
    verdict: list[Block] = [Heading("Verdict"), Para(verdict_paragraph(summary))]
    return verdict + _normalised(summary) + _expectations(summary) + _invariants_line(summary)
