"""Number formatting shared by the Markdown and HTML renderers: one look for every number."""

from __future__ import annotations

import math
from typing import Any

MISSING = "—"


def fmt(value: Any, unit: str = "") -> str:
    """Format a value by its unit: USD, USD/min, %, s, ratio, count, ETH, gwei; None/NaN -> an em dash."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, (int, float)):
        return str(value)
    v = float(value)
    if unit in ("USD", "USD/min"):
        text = f"${v:,.0f}" if abs(v) >= 1_000 else f"${v:,.2f}"
        return text.replace("$-", "-$") + ("/min" if unit == "USD/min" else "")
    if unit == "%":
        return f"{v:.3g} %" if abs(v) < 10 else f"{v:.1f} %"
    if unit == "s":
        return f"{v:,.0f} s" if v == int(v) else f"{v:,.1f} s"
    if unit == "ratio":
        return f"{v:.3f}"
    if unit == "count":
        return f"{int(v):,}"
    if unit == "ETH":
        return f"{v:.6g} ETH"
    if unit == "gwei":
        return f"{v:,.4g} gwei"
    if unit == "units":
        return f"{v:,.6g}"
    return f"{v:,.6g}"


def money(value: float | None) -> str:
    """A USD amount for prose, three significant figures: $5.75M, $119k, $950, $0.42 (None: an em dash)."""
    if value is None or not math.isfinite(value):
        return MISSING
    a = abs(value)
    sign = "-" if value < 0 else ""
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{sign}${a / div:.3g}{suffix}"
    return f"{sign}${a:.3g}" if a >= 1 else f"{sign}${a:.2f}"


def minutes(seconds: float | None) -> str:
    """A drill time or duration for prose: 37.5 min, 75 min, 40 s under a minute (None: an em dash)."""
    if seconds is None or not math.isfinite(seconds):
        return MISSING
    if abs(seconds) < 60:
        return f"{seconds:.0f} s"
    m = seconds / 60.0
    return f"{m:.0f} min" if abs(m - round(m)) < 0.05 else f"{m:.1f} min"
