"""The ``onchain`` object of summary.json, from steps.csv and events.jsonl.

One definition per metric (docs/metrics.md has the same list):

- ``liquidation_count``: ``Liquidation`` events in events.jsonl.
- ``liquidated_debt_usd`` / ``seized_collateral_usd``: sums of steps.csv's columns (debt
  repaid, base at its reference; collateral seized, valued at reference).
- ``bad_debt_usd``, ``keeper_profit_usd``, ``keeper_gas_eth``: the last row of those
  cumulative columns. ``failed_liquidation_txs``: sum of ``failed_liquidations``.
- ``first_breach_s``: first step with ``accounts_below_1_ref > 0`` (an account below health
  factor 1 at reference prices). ``first_liquidation_s``: time of the first Liquidation
  event. ``first_liquidation_delay_s`` = the difference; null if either never happened;
  negative when the protocol liquidated before any account was underwater at reference
  prices (a wrong oracle price did it).
- ``max_oracle_deviation_pct``: max over steps and collateral feeds of
  ``|feed - ref| / ref``; ``oracle_time_above_1pct_s``: time during which at least one
  collateral feed was more than 1 % from its reference (row durations, see series.py).
- ``max_amm_deviation_pct``: the same with each collateral pair's spot price.
- ``liquidations_by_keeper``: per ``agent`` of the Liquidation's transaction: count, USD
  repaid, and failed liquidation transactions (``TxFailed`` lines of that agent).
- ``liquidation_slippage_pct``: execution price versus reference. The liquidator pays
  ``repaid USD`` for ``seized units``: effective price = repaid / seized units. Slippage =
  (ref - effective) / ref, weighted by the seized value at reference, which sums to
  ``1 - sum(liquidated_debt_usd) / sum(seized_collateral_usd)``. With the oracle at the
  reference this is the bonus seen from the seller's side, ``b / (1 + b)`` (5 % bonus ->
  4.76 %); any oracle error adds to or subtracts from it.
- ``liquidated_per_minute``: seized collateral at reference, summed per minute (the notional
  force-sold, comparable to the CEX's position notional); peak and mean over the
  liquidation window.
- ``amplification_by_pair``: exogenous = start ref - min ref; endogenous = max(0, min ref -
  min AMM spot); amplification = endogenous / exogenous (the CEX's formula with the AMM
  spot as the traded price).
- ``gas``: base fee, keeper gas and profit net of it, liquidations dropped, delayed or missed
  by gas (definitions in :mod:`defidrill.metrics.gas`).
- ``amm_net_flow``: from the pairs' Swap events, collateral the LPs bought (in minus out),
  split by who traded: keepers (liquidation sells, including the flash liquidator's swap),
  the arbitrageur, others. Valued at the step's reference.
- the normalised figures (shares of the debt at start, time to half liquidated): defined in
  :mod:`defidrill.metrics.normalised`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt

from defidrill.metrics.decode import (
    KEEPER_PREFIX, SwapFlow, ValuedLiquidation, liquidation_records, swap_flows, weighted_slippage_pct,
)
from defidrill.metrics.gas import gas_metrics
from defidrill.metrics.leverage import onchain_by_leverage
from defidrill.metrics.normalised import onchain_normalised
from defidrill.run_folder.models import (
    Amplification, AssetSlippage, FeedDeviation, Invariant, KeeperLiquidations, OnchainMetrics, PairFlow,
    PerMinuteSeries,
)
from defidrill.run_folder.reader import RunFolder
from defidrill.metrics.series import clean, first_time, per_minute, row_durations_s

ORACLE_DEVIATION_THRESHOLD = 0.01  # the "time above 1 %" threshold (fraction)


def _deviation(run: RunFolder, kind: str, asset: str) -> npt.NDArray[np.float64] | None:
    """|price - ref| / ref per row for ``{kind}_{asset}_usd``; None if the column is absent."""
    col = f"{kind}_{asset}_usd"
    if not run.steps.has(col) or not run.steps.has(f"ref_{asset}_usd"):
        return None
    ref = run.steps.floats(f"ref_{asset}_usd")
    price = run.steps.floats(col)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ref > 0, np.abs(price - ref) / ref, np.nan)


def _nanmax_pct(x: npt.NDArray[np.float64]) -> float | None:
    return clean(100.0 * float(np.nanmax(x))) if x.size and np.isfinite(x).any() else None


def _last(run: RunFolder, col: str) -> float | None:
    if not run.steps.has(col) or len(run.steps) == 0:
        return None
    return clean(float(run.steps.floats(col)[-1]))


def _sum(run: RunFolder, col: str) -> float:
    return float(np.nansum(run.steps.floats(col))) if run.steps.has(col) else 0.0


def _oracle(run: RunFolder, dur_s: npt.NDArray[np.float64]) -> tuple[dict[str, FeedDeviation], float | None, float]:
    by_feed: dict[str, FeedDeviation] = {}
    above_any = np.zeros(len(run.steps), dtype=bool)
    for asset in run.drill.collateral:
        dev = _deviation(run, "feed", asset)
        if dev is None:
            continue
        above = np.nan_to_num(dev, nan=0.0) > ORACLE_DEVIATION_THRESHOLD
        above_any |= above
        by_feed[asset] = FeedDeviation(max_pct=_nanmax_pct(dev), time_above_1pct_s=float(dur_s[above].sum()))
    maxima = [f.max_pct for f in by_feed.values() if f.max_pct is not None]
    return by_feed, (max(maxima) if maxima else None), float(dur_s[above_any].sum())


def _amm(run: RunFolder) -> tuple[dict[str, float | None], dict[str, Amplification]]:
    devs: dict[str, float | None] = {}
    amps: dict[str, Amplification] = {}
    for asset in run.drill.collateral:
        dev = _deviation(run, "amm", asset)
        if dev is None:
            continue
        amm = run.steps.floats(f"amm_{asset}_usd")
        dev = np.where(amm > 0, dev, np.nan)  # 0 = no pair price this step (drained pool)
        devs[asset] = _nanmax_pct(dev)
        amps[asset] = amplification(run.steps.floats(f"ref_{asset}_usd"), amm)
    return devs, amps


def amplification(ref_usd: npt.NDArray[np.float64], traded_usd: npt.NDArray[np.float64]) -> Amplification:
    """exogenous = ref[0] - min ref; endogenous = max(0, min ref - min traded); ratio of the two."""
    ref = ref_usd[np.isfinite(ref_usd) & (ref_usd > 0)]
    traded = traded_usd[np.isfinite(traded_usd) & (traded_usd > 0)]
    if ref.size == 0 or traded.size == 0:
        return Amplification(start_reference_usd=None, min_reference_usd=None, min_amm_usd=None,
                             exogenous_drop_pct=None, endogenous_drop_pct=None, amplification=None)
    start, lo, lo_t = float(ref[0]), float(ref.min()), float(traded.min())
    exo, endo = start - lo, max(0.0, lo - lo_t)
    return Amplification(start_reference_usd=start, min_reference_usd=lo, min_amm_usd=lo_t,
                         exogenous_drop_pct=100.0 * exo / start, endogenous_drop_pct=100.0 * endo / start,
                         amplification=(endo / exo if exo > 0 else None))


def _by_keeper(run: RunFolder, records: list[ValuedLiquidation]) -> dict[str, KeeperLiquidations]:
    count: dict[str, int] = defaultdict(int)
    repaid: dict[str, float] = defaultdict(float)
    failed: dict[str, int] = defaultdict(int)
    for r in records:
        count[r.agent] += 1
        repaid[r.agent] += 0.0 if math.isnan(r.repaid_usd) else r.repaid_usd
    for e in run.failed_txs():
        # only liquidation attempts (the run loop labels them "liquidate..."), not a keeper's failed AMM sell
        if e.agent.startswith(KEEPER_PREFIX) and (e.label or "liquidate").startswith("liquidate"):
            failed[e.agent] += 1
    return {a: KeeperLiquidations(count=count[a], repaid_usd=repaid[a], failed_txs=failed[a])
            for a in sorted(set(count) | set(failed))}


def _slippage_by_asset(records: list[ValuedLiquidation]) -> dict[str, AssetSlippage] | None:
    usable = [r for r in records if r.asset and r.seized_units is not None and r.ref_price_usd is not None
              and not math.isnan(r.repaid_usd)]
    if len(usable) < len(records) or not records:
        return None
    out: dict[str, AssetSlippage] = {}
    for asset in sorted({r.asset for r in usable if r.asset}):
        rs = [r for r in usable if r.asset == asset]
        units = sum(r.seized_units or 0.0 for r in rs)
        repaid = sum(r.repaid_usd for r in rs)
        value = sum((r.seized_units or 0.0) * (r.ref_price_usd or 0.0) for r in rs)
        out[asset] = AssetSlippage(
            count=len(rs), seized_units=units, repaid_usd=repaid, seized_value_at_reference_usd=value,
            effective_price_usd=(repaid / units if units > 0 else None),
            slippage_pct=weighted_slippage_pct(
                np.array([r.ref_price_usd for r in rs], dtype=float),
                np.array([r.effective_price_usd if r.effective_price_usd is not None else math.nan for r in rs]),
                np.array([(r.seized_units or 0.0) * (r.ref_price_usd or 0.0) for r in rs])))
    return out


def _net_flow(flows: list[SwapFlow] | None, collateral: list[str]) -> dict[str, PairFlow] | None:
    if flows is None:
        return None
    out: dict[str, PairFlow] = {}
    for asset in collateral:
        fs = [f for f in flows if f.asset == asset]
        parts: dict[str, list[float]] = {"liquidation": [0.0, 0.0], "arbitrage": [0.0, 0.0], "other": [0.0, 0.0]}
        for f in fs:
            parts[f.kind][0] += f.lp_bought_units
            parts[f.kind][1] += f.lp_bought_units * f.ref_price_usd
        out[asset] = PairFlow(
            liquidation_units=parts["liquidation"][0], liquidation_usd=parts["liquidation"][1],
            arbitrage_units=parts["arbitrage"][0], arbitrage_usd=parts["arbitrage"][1],
            other_units=parts["other"][0], other_usd=parts["other"][1],
            total_units=sum(p[0] for p in parts.values()), total_usd=sum(p[1] for p in parts.values()))
    return out


def _keeper_sell_slippage(flows: list[SwapFlow] | None) -> float | None:
    """Keepers' sells of collateral into the AMM: (ref - base received / units sold) / ref,
    weighted by the units' value at reference."""
    if flows is None:
        return None
    sells = [f for f in flows if f.kind == "liquidation" and f.lp_bought_units > 0 and f.base_units > 0]
    if not sells:
        return None
    ref = np.array([f.ref_price_usd for f in sells])
    units = np.array([f.lp_bought_units for f in sells])
    return weighted_slippage_pct(ref, np.array([f.base_units for f in sells]) / units, units * ref)


def _summary_invariants(summary: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The run loop's invariants, kept in ``onchain.invariants`` (their one place in summary.json)."""
    nested: list[dict[str, Any]] | None = (summary.get("onchain") or {}).get("invariants")
    return nested


def onchain_metrics(run: RunFolder, invariants: list[dict[str, Any]] | None = None) -> OnchainMetrics:
    """Compute the ``onchain`` object. ``invariants`` default to those already in summary.json."""
    steps = run.steps
    t_s = steps.floats("t_s")
    dur_s = row_durations_s(t_s)
    notes: list[str] = []

    records = liquidation_records(run)
    first_breach = first_time(t_s, np.nan_to_num(steps.floats("accounts_below_1_ref")) > 0)
    first_liq = min((r.t_s for r in records), default=None)
    delay = first_liq - first_breach if first_liq is not None and first_breach is not None else None

    by_feed, max_oracle, above_s = _oracle(run, dur_s)
    amm_devs, amps = _amm(run)
    amm_max = [v for v in amm_devs.values() if v is not None]

    seized = steps.floats("seized_collateral_usd")
    repaid_total = _sum(run, "liquidated_debt_usd")
    seized_total = float(np.nansum(seized))
    minute = per_minute(t_s, seized)

    slip_assets = _slippage_by_asset(records)
    flows = swap_flows(run)
    if run.contracts is None:
        notes.append("no contracts.json (address book): per-asset liquidation slippage, AMM net flow and "
                     "keeper sell slippage need token and pair addresses and decimals")
    elif slip_assets is None and records:
        notes.append("contracts.json lacks a collateral's address or decimals: per-asset slippage left out")
    if flows is None and run.contracts is not None:
        notes.append("contracts.json lacks a pair, its tokens or their decimals: AMM net flow left out")

    bad_debt = _last(run, "bad_debt_usd") or 0.0
    uncovered = _last(run, "uncovered_debt_usd") if run.steps.has("uncovered_debt_usd") else None
    shares = onchain_normalised(run, liquidated_debt_usd=repaid_total, bad_debt_usd=bad_debt,
                                peak_per_minute_usd=minute.peak, first_breach_s=first_breach,
                                uncovered_debt_usd=uncovered)
    notes += shares.notes

    inv_src = invariants if invariants is not None else _summary_invariants(run.summary or {})
    hf = steps.floats("min_health_factor") if steps.has("min_health_factor") else np.zeros(0)
    return OnchainMetrics(
        liquidation_count=len(records),
        liquidated_debt_usd=repaid_total,
        seized_collateral_usd=seized_total,
        bad_debt_usd=bad_debt,
        uncovered_debt_usd=uncovered,
        first_breach_s=first_breach,
        first_liquidation_s=first_liq,
        first_liquidation_delay_s=delay,
        max_oracle_deviation_pct=max_oracle,
        oracle_time_above_1pct_s=above_s,
        oracle_deviation_by_feed=by_feed,
        max_amm_deviation_pct=(max(amm_max) if amm_max else None),
        amm_deviation_by_pair=amm_devs,
        min_health_factor=(clean(float(np.nanmin(hf))) if hf.size and np.isfinite(hf).any() else None),
        keeper_profit_usd=_last(run, "keeper_profit_usd"),
        keeper_gas_eth=_last(run, "keeper_gas_eth"),
        failed_liquidation_txs=int(_sum(run, "failed_liquidations")),
        liquidations_by_keeper=_by_keeper(run, records),
        liquidation_slippage_pct=(clean(100.0 * (1.0 - repaid_total / seized_total)) if seized_total > 0 else None),
        liquidation_slippage_by_asset=slip_assets,
        keeper_amm_sell_slippage_pct=_keeper_sell_slippage(flows),
        liquidated_per_minute=PerMinuteSeries(minute_start_s=minute.minute_start_s, notional_usd=minute.amount),
        liquidated_notional_per_minute_peak_usd=minute.peak,
        liquidated_notional_per_minute_mean_usd=minute.mean_over_window,
        amplification_by_pair=amps,
        amm_net_flow=_net_flow(flows, run.drill.collateral),
        invariants=[Invariant.model_validate(i) for i in (inv_src or [])],
        notes=notes,
        liquidations_by_leverage=onchain_by_leverage(
            run.borrowers, {line.liquidation.account.lower() for line in run.liquidations()}),
        gas=gas_metrics(run),
        debt_at_start_usd=shares.debt_at_start_usd,
        liquidated_share_of_debt_pct=shares.liquidated_share_of_debt_pct,
        bad_debt_share_of_debt_pct=shares.bad_debt_share_of_debt_pct,
        losses_share_of_debt_pct=shares.losses_share_of_debt_pct,
        peak_liquidated_per_minute_share_pct=shares.peak_liquidated_per_minute_share_pct,
        time_to_half_liquidated_s=shares.time_to_half_liquidated_s,
    )
