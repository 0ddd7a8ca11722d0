"""Normalised figures: each venue's liquidations and losses as a share of its own book.

A 200-borrower book beside a 200,000-position venue makes raw USD figures incomparable; a
share of the book is not. Every normalised figure is defined here once, for both venues
(docs/metrics.md states the same list with its formulas; comparison.py puts them side by side).
All ``_pct`` values are percent numbers (1.5 means 1.5 %).

On chain (fields of ``OnchainMetrics``):

- ``debt_at_start_usd``: the borrowers' debt at step 0, USD at the start reference prices: the
  sum of borrowers.csv's ``debt_usd`` (the drawn book's principal as seeded). The book, not the
  pool: on a fork the pool's total borrow (steps.csv ``total_debt_usd``) also holds other users'
  debt. Interest accrued between seeding and step 0 is left out (flash-crash, 60 borrowers:
  1,506,262 seeded against a step-0 total of 1,506,365, 0.007 %).
- ``liquidated_share_of_debt_pct`` = liquidated_debt_usd / debt_at_start_usd x 100.
- ``bad_debt_share_of_debt_pct`` = bad_debt_usd / debt_at_start_usd x 100.
- ``losses_share_of_debt_pct`` = (bad_debt_usd + uncovered_debt_usd) / debt_at_start_usd x 100: the
  losses written off plus the debt the collateral no longer covers at the end and nobody wrote off.
  One figure for protocols that realise bad debt in the liquidation (the reference pool, Morpho Blue)
  and for those that leave it on the books (Aave V3.0 writes nothing off).
- ``peak_liquidated_per_minute_share_pct`` = liquidated_notional_per_minute_peak_usd /
  debt_at_start_usd x 100 (the peak minute's seized collateral at reference, per unit of the book).
- ``time_to_half_liquidated_s``: from ``first_breach_s`` to the first step at which the cumulative
  ``liquidated_debt_usd`` reaches half of the run's total (negative when a wrong oracle price
  liquidated before any account was underwater at reference).

At the CEX (keys of the venue summary):

- ``open_interest_start_usd``: the modelled positions' size at the start index price,
  sum(qty_btc) x start index (both sides: the book's makers are the counterparty, not positions);
  computed by the venue (cex/venue_summary.py), which holds the population.
- ``liquidated_share_of_open_interest_pct`` = liquidated_notional_usd / OI x 100.
- ``losses_socialised_share_of_open_interest_pct`` = losses_socialised_usd / OI x 100.
- ``insurance_fund_used_pct`` = insurance_fund_draw_usd / insurance_fund_start_usd x 100 (gross
  draws: above 100 when clearance fees refilled the fund in between).
- ``peak_liquidated_per_minute_share_pct`` = liquidated_notional_per_minute_peak_usd / OI x 100.
- ``time_to_half_liquidated_s``: the on-chain definition with cex_steps.csv's
  ``liquidated_notional_usd`` and ``first_threshold_breach_s``.
- ``max_last_vs_index_dislocation_pct`` = max over steps of |last - index| / index x 100
  (cex_steps.csv). Its on-chain counterpart is the existing ``max_amm_deviation_pct``.

A share of a book that is zero or unknown is null, never infinite; a time to half is null when
nothing was liquidated or no threshold was breached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from defidrill.metrics.series import FloatArray, clean
from defidrill.run_folder.reader import RunFolder, Table

__all__ = ["OnchainNormalised", "cex_normalised", "debt_at_start_usd", "onchain_normalised", "share_pct",
           "time_to_half_s"]


def share_pct(part_usd: float | None, whole_usd: float | None) -> float | None:
    """part / whole x 100; null when either is unknown or the whole is not positive."""
    if part_usd is None or whole_usd is None or not whole_usd > 0:
        return None
    return clean(100.0 * part_usd / whole_usd)


def time_to_half_s(t_s: FloatArray, amount: FloatArray, from_s: float | None) -> float | None:
    """From ``from_s`` to the first row whose cumulative ``amount`` reaches half of its total.

    Null when nothing was liquidated (total <= 0) or there is no start (``from_s`` None)."""
    values = np.nan_to_num(amount, nan=0.0)
    total = float(values.sum())
    if from_s is None or t_s.size == 0 or not total > 0:
        return None
    hits = np.flatnonzero(np.cumsum(values) >= total / 2.0)
    return clean(float(t_s[hits[0]]) - from_s)


def debt_at_start_usd(run: RunFolder) -> tuple[float | None, str | None]:
    """The borrowers' debt at step 0 (borrowers.csv) and, when it is null, why."""
    if run.borrowers is None or not run.borrowers.has("debt_usd"):
        return None, "no borrowers.csv (the drawn book): the shares of debt are null"
    debt = float(np.nansum(run.borrowers.floats("debt_usd")))
    if not debt > 0:
        return None, "the borrowers' debt at start is 0: the shares of debt are null"
    return debt, None


@dataclass(frozen=True)
class OnchainNormalised:
    """The on-chain normalised figures (see the module docstring) and notes on any null."""

    debt_at_start_usd: float | None
    liquidated_share_of_debt_pct: float | None
    bad_debt_share_of_debt_pct: float | None
    losses_share_of_debt_pct: float | None
    peak_liquidated_per_minute_share_pct: float | None
    time_to_half_liquidated_s: float | None
    notes: list[str] = field(default_factory=list)


def onchain_normalised(run: RunFolder, *, liquidated_debt_usd: float, bad_debt_usd: float,
                       peak_per_minute_usd: float, first_breach_s: float | None,
                       uncovered_debt_usd: float | None = None) -> OnchainNormalised:
    """The on-chain shares of the book and the time to half, from the raw figures onchain.py computed."""
    debt, note = debt_at_start_usd(run)
    notes = [note] if note else []
    steps = run.steps
    t_s = steps.floats("t_s")
    repaid = steps.floats("liquidated_debt_usd") if steps.has("liquidated_debt_usd") else np.zeros(len(steps))
    half = time_to_half_s(t_s, repaid, first_breach_s)
    if half is None and first_breach_s is None and float(np.nansum(repaid)) > 0:
        notes.append("liquidations without any account below health factor 1 at reference: time to half "
                     "liquidated is null")
    return OnchainNormalised(
        debt_at_start_usd=debt,
        liquidated_share_of_debt_pct=share_pct(liquidated_debt_usd, debt),
        bad_debt_share_of_debt_pct=share_pct(bad_debt_usd, debt),
        losses_share_of_debt_pct=share_pct(bad_debt_usd + (uncovered_debt_usd or 0.0), debt),
        peak_liquidated_per_minute_share_pct=share_pct(peak_per_minute_usd, debt),
        time_to_half_liquidated_s=half,
        notes=notes)


def _max_dislocation_pct(steps: Table) -> float | None:
    if not (steps.has("last_price_usd") and steps.has("index_price_usd")) or len(steps) == 0:
        return None
    last, index = steps.floats("last_price_usd"), steps.floats("index_price_usd")
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = np.where(index > 0, np.abs(last - index) / index, np.nan)
    return clean(100.0 * float(np.nanmax(dev))) if np.isfinite(dev).any() else None


def cex_normalised(summary: dict[str, Any], steps: Table) -> dict[str, float | None]:
    """The CEX's normalised keys from its summary (raw figures, ``open_interest_start_usd``) and
    cex_steps.csv (columns without the ``cex_`` prefix)."""
    oi = summary.get("open_interest_start_usd")
    liquidated = steps.floats("liquidated_notional_usd") if steps.has("liquidated_notional_usd") else np.zeros(0)
    t_s = steps.floats("t_s") if steps.has("t_s") else np.zeros(0)
    return {
        "open_interest_start_usd": clean(oi) if isinstance(oi, (int, float)) else None,
        "liquidated_share_of_open_interest_pct": share_pct(summary.get("liquidated_notional_usd"), oi),
        "losses_socialised_share_of_open_interest_pct": share_pct(summary.get("losses_socialised_usd"), oi),
        "insurance_fund_used_pct": share_pct(summary.get("insurance_fund_draw_usd"),
                                             summary.get("insurance_fund_start_usd")),
        "peak_liquidated_per_minute_share_pct": share_pct(summary.get("liquidated_notional_per_minute_peak_usd"), oi),
        "time_to_half_liquidated_s": time_to_half_s(t_s, liquidated, summary.get("first_threshold_breach_s")),
        "max_last_vs_index_dislocation_pct": _max_dislocation_pct(steps),
    }
