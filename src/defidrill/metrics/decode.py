"""Value the run folder's liquidations and swaps at the step's reference.

Liquidations are the run folder's own records (``run.liquidations()``); this module only adds
what they are worth. Two sources, and what each needs:

- USD repaid per liquidation: the step's ``liquidated_debt_usd`` (steps.csv, base valued at
  its reference) split across that step's ``Liquidation`` lines in proportion to their raw
  ``repaid_base`` (all in the same base units, so no decimals are needed).
- Seized units, the asset's symbol, swap amounts: the address book (contracts.json) and
  token decimals. Without it these fields are None and the metrics built on them are null
  (the report says why).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from defidrill.run_folder.reader import RunFolder
from defidrill.run_folder.records import LiquidationLine

KEEPER_PREFIX = "keeper:"
ARBITRAGEUR = "arbitrageur"


@dataclass(frozen=True)
class ValuedLiquidation:
    """A ``Liquidation`` line of the run folder with what it was worth at the step's reference."""

    line: LiquidationLine
    asset: str | None            # collateral symbol (None without an address book)
    repaid_usd: float            # NaN when the step has no steps.csv row
    seized_units: float | None   # whole tokens (None without decimals)
    ref_price_usd: float | None  # reference price of the collateral at the step

    @property
    def step(self) -> int:
        return self.line.step

    @property
    def t_s(self) -> float:
        return self.line.t_s

    @property
    def agent(self) -> str:
        return self.line.agent

    @property
    def effective_price_usd(self) -> float | None:
        """What the liquidator paid per whole unit of collateral: repaid USD / seized units."""
        if self.seized_units is None or self.seized_units <= 0 or math.isnan(self.repaid_usd):
            return None
        return self.repaid_usd / self.seized_units


@dataclass(frozen=True)
class SwapFlow:
    """One Swap on a collateral/base pair, from the LPs' side: ``lp_bought_units`` > 0 means
    the pool took collateral in (LPs bought it); < 0 means the pool paid it out."""

    step: int
    t_s: float
    agent: str
    asset: str
    lp_bought_units: float
    base_units: float            # base the pool paid out (> 0) or took in (< 0), whole units
    ref_price_usd: float

    @property
    def kind(self) -> str:
        """``liquidation`` (a keeper's transaction), ``arbitrage`` or ``other`` (LPs, attacker...)."""
        if self.agent.startswith(KEEPER_PREFIX):
            return "liquidation"
        if self.agent == ARBITRAGEUR:
            return "arbitrage"
        return "other"


def _row_of_step(run: RunFolder) -> dict[int, int]:
    steps = run.steps.floats("step")
    return {int(s): i for i, s in enumerate(steps) if not math.isnan(s)}


def _ref(run: RunFolder, asset: str | None, row: int | None) -> float | None:
    if asset is None or row is None or not run.steps.has(f"ref_{asset}_usd"):
        return None
    v = float(run.steps.floats(f"ref_{asset}_usd")[row])
    return v if math.isfinite(v) else None


def liquidation_records(run: RunFolder) -> list[ValuedLiquidation]:
    """Every ``Liquidation`` line with its USD repaid and, where the address book allows, its
    seized units and the collateral's reference price at the step."""
    rows = _row_of_step(run)
    debt_usd = run.steps.floats("liquidated_debt_usd")
    lines = run.liquidations()
    repaid_by_step: dict[int, int] = defaultdict(int)
    for line in lines:
        repaid_by_step[line.step] += line.liquidation.repaid_base
    book = run.contracts
    out: list[ValuedLiquidation] = []
    for line in lines:
        liq = line.liquidation
        row = rows.get(line.step)
        total = repaid_by_step[line.step]
        repaid_usd = math.nan if row is None or total == 0 else float(debt_usd[row]) * liq.repaid_base / total
        asset = book.symbol_of(liq.collateral_asset) if book else None
        dec = book.decimals.get(asset) if (book and asset) else None
        out.append(ValuedLiquidation(
            line=line, asset=asset, repaid_usd=repaid_usd,
            seized_units=(liq.seized_raw / 10**dec if dec is not None else None), ref_price_usd=_ref(run, asset, row)))
    return out


def swap_flows(run: RunFolder) -> list[SwapFlow] | None:
    """Every Swap on a collateral/base pair seen from the LPs; None without an address book
    that names the pairs, their tokens and both tokens' decimals."""
    book = run.contracts
    base = run.drill.base_asset
    if book is None or base not in book.tokens or base not in book.decimals:
        return None
    by_pair = {addr: sym for sym, addr in book.pairs.items() if sym in book.tokens and sym in book.decimals}
    if not by_pair:
        return None
    rows = _row_of_step(run)
    out: list[SwapFlow] = []
    for e in run.events_named("Swap"):
        asset = by_pair.get(e.address or "")
        if asset is None:
            continue
        c0 = book.collateral_is_token0(asset, base)
        c, b = ("0", "1") if c0 else ("1", "0")
        coll_in, coll_out = e.int_arg(f"amount{c}In"), e.int_arg(f"amount{c}Out")
        base_in, base_out = e.int_arg(f"amount{b}In"), e.int_arg(f"amount{b}Out")
        ref = _ref(run, asset, rows.get(e.step))
        out.append(SwapFlow(
            step=e.step, t_s=e.t_s, agent=e.agent, asset=asset,
            lp_bought_units=(coll_in - coll_out) / 10**book.decimals[asset],
            base_units=(base_out - base_in) / 10**book.decimals[base],
            ref_price_usd=ref if ref is not None else math.nan))
    return out


def weighted_slippage_pct(ref_usd: npt.NDArray[np.float64], exec_usd: npt.NDArray[np.float64],
                          weight: npt.NDArray[np.float64]) -> float | None:
    """Notional-weighted ``(ref - exec) / ref`` in percent: > 0 means the forced seller got less
    than the reference. None when there is nothing to weigh."""
    ok = np.isfinite(ref_usd) & np.isfinite(exec_usd) & np.isfinite(weight) & (ref_usd > 0) & (weight > 0)
    if not ok.any():
        return None
    slip = (ref_usd[ok] - exec_usd[ok]) / ref_usd[ok]
    return float(100.0 * (slip * weight[ok]).sum() / weight[ok].sum())
