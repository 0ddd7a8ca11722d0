"""The ``comparison`` object: one metric, one definition, both venues side by side.

Scope: on chain covers the whole protocol (every collateral asset); the CEX covers its one
perpetual (``cex.asset``). Amplification is a price measure, so on chain it uses the
pair of the CEX's asset. Each entry is ``{"onchain", "cex", "unit", "definition"}``;
a null means the event never happened (no liquidation, no breach) or the run folder
lacks what it needs (the ``notes`` of the onchain object say which).
"""

from __future__ import annotations

from typing import Any

from defidrill.metrics.leverage import cex_by_leverage
from defidrill.run_folder.models import ComparisonEntry, OnchainMetrics, dump

DEFINITIONS: dict[str, tuple[str, str]] = {
    "liquidation_count": (
        "count",
        "On chain: successful liquidation transactions (one account can be liquidated several times). "
        "CEX: positions taken over by the liquidation engine."),
    "liquidated_notional_usd": (
        "USD",
        "Value of what was force-sold, at the venue's trigger price: on chain the collateral seized, "
        "valued at the reference price of its step; at the CEX the positions' notional at the mark "
        "price when the engine took them over."),
    "liquidated_notional_per_minute_peak_usd": (
        "USD/min", "The largest one-minute sum of the liquidated notional above (minute m = [60m, 60m+60) s)."),
    "liquidated_notional_per_minute_mean_usd": (
        "USD/min",
        "Mean of the one-minute sums over the liquidation window (first to last minute with a "
        "liquidation, inclusive)."),
    "first_breach_s": (
        "s",
        "First time a threshold was breached: on chain an account below health factor 1 at reference "
        "prices; at the CEX a position's mark at its liquidation price."),
    "first_liquidation_delay_s": (
        "s",
        "First liquidation minus the first threshold breach. On chain oracles (deviation, heartbeat, "
        "failures) and keepers (latency, profit) add delay; the CEX engine acts in the breach step. "
        "Negative on chain: a wrong oracle price liquidated an account that was solvent at reference."),
    "execution_slippage_pct": (
        "%",
        "Notional-weighted (reference - execution price) / reference for the liquidated side's sale. "
        "On chain the execution price is repaid USD / seized units (so it includes the liquidation "
        "bonus: b / (1 + b) at a correct oracle); at the CEX the engine's fills in the book versus the "
        "index (book impact, worse for buys of short positions above the index)."),
    "losses_socialised_usd": (
        "USD",
        "Losses pushed beyond the liquidated trader. On chain: debt written off as bad debt (against "
        "reserves, ultimately lenders). CEX: insurance-fund draws + ADL notional (positions of "
        "profitable traders closed at the bankrupt price) + any deficit neither could absorb. ADL is a "
        "notional, not a loss: read it as the size of the forced closure."),
    "amplification": (
        "ratio",
        "Endogenous drop / exogenous drop: exogenous = start reference - min reference; endogenous = "
        "max(0, min reference - min traded price). On chain the traded price is the AMM spot of the "
        "CEX asset's pair; at the CEX the lowest traded price in its book. 0 = the venue's own trading "
        "never took its price below the reference low."),
    "passive_net_flow_usd": (
        "USD",
        "Risky asset the venue's passive side bought from liquidation flow, at the reference price: on "
        "chain the AMM LPs' net collateral intake from keepers' swaps (liquidation sells), at the CEX "
        "the book makers' net buying from the engine. Positive = the passive side bought the dip."),
    "liquidated_share_1_5x_pct": (
        "%",
        "Share of positions with leverage 1-5x (exposure / own equity at the start: on chain collateral / "
        "(collateral - debt), at the CEX the nominal leverage) liquidated at least once. The model predicts "
        "on chain > CEX: at equal leverage L a loan is liquidated after a drop of 1 - (1 - 1/L)/LT, a "
        "perpetual after about 1/L - MMR, and LT leaves a far larger maintenance margin."),
    # normalised: each venue against its own book (metrics/normalised.py)
    "liquidated_share_pct": (
        "%",
        "Liquidated as a share of the book at start. On chain: debt repaid by liquidations / the borrowers' "
        "debt at step 0 (USD at reference) x 100. CEX: liquidated notional / open interest at start "
        "(the positions' size at the start index) x 100."),
    "losses_socialised_share_pct": (
        "%",
        "The losses socialised above as a share of the book at start: on chain bad debt / the borrowers' "
        "debt at step 0 x 100; at the CEX (insurance-fund draws + ADL notional + unresolved deficit) / "
        "open interest at start x 100."),
    "peak_liquidated_per_minute_share_pct": (
        "%",
        "The peak one-minute liquidated notional as a share of the book at start: on chain / the "
        "borrowers' debt at step 0, at the CEX / open interest at start, x 100."),
    "time_to_half_liquidated_s": (
        "s",
        "From the first threshold breach to the first step at which the cumulative liquidated amount "
        "reaches half of the run's total (on chain debt repaid, at the CEX notional taken over). Null when "
        "nothing was liquidated; negative on chain when a wrong oracle price liquidated before any breach."),
    "max_dislocation_pct": (
        "%",
        "The largest price dislocation of the venue's own market: on chain max over steps and collateral "
        "pairs of |AMM spot - reference| / reference x 100; at the CEX max over steps of "
        "|last - index| / index x 100."),
}


def _onchain_values(on: OnchainMetrics, cex_asset: str | None) -> dict[str, Any]:
    amp = on.amplification_by_pair.get(cex_asset) if cex_asset else None
    flow = (sum(p.liquidation_usd for p in on.amm_net_flow.values()) if on.amm_net_flow is not None else None)
    return {
        "liquidation_count": on.liquidation_count,
        "liquidated_notional_usd": on.seized_collateral_usd,
        "liquidated_notional_per_minute_peak_usd": on.liquidated_notional_per_minute_peak_usd,
        "liquidated_notional_per_minute_mean_usd": on.liquidated_notional_per_minute_mean_usd,
        "first_breach_s": on.first_breach_s,
        "first_liquidation_delay_s": on.first_liquidation_delay_s,
        "execution_slippage_pct": on.liquidation_slippage_pct,
        "losses_socialised_usd": on.bad_debt_usd,
        "amplification": amp.amplification if amp is not None else None,
        "passive_net_flow_usd": flow,
        "liquidated_share_1_5x_pct": _share(on.liquidations_by_leverage),
        "liquidated_share_pct": on.liquidated_share_of_debt_pct,
        "losses_socialised_share_pct": on.bad_debt_share_of_debt_pct,
        "peak_liquidated_per_minute_share_pct": on.peak_liquidated_per_minute_share_pct,
        "time_to_half_liquidated_s": on.time_to_half_liquidated_s,
        "max_dislocation_pct": on.max_amm_deviation_pct,
    }


def _cex_values(cex: dict[str, Any] | None) -> dict[str, Any]:
    if not cex:
        return {k: None for k in DEFINITIONS}
    return {
        "liquidation_count": cex.get("liquidation_count"),
        "liquidated_notional_usd": cex.get("liquidated_notional_usd"),
        "liquidated_notional_per_minute_peak_usd": cex.get("liquidated_notional_per_minute_peak_usd"),
        "liquidated_notional_per_minute_mean_usd": cex.get("liquidated_notional_per_minute_mean_usd"),
        "first_breach_s": cex.get("first_threshold_breach_s"),
        "first_liquidation_delay_s": cex.get("first_liquidation_delay_s"),
        "execution_slippage_pct": cex.get("slippage_vs_index_pct"),
        "losses_socialised_usd": cex.get("losses_socialised_usd"),
        "amplification": cex.get("amplification"),
        "passive_net_flow_usd": cex.get("net_flow_usd"),
        "liquidated_share_1_5x_pct": _share(cex_by_leverage(cex)),
        "liquidated_share_pct": cex.get("liquidated_share_of_open_interest_pct"),
        "losses_socialised_share_pct": cex.get("losses_socialised_share_of_open_interest_pct"),
        "peak_liquidated_per_minute_share_pct": cex.get("peak_liquidated_per_minute_share_pct"),
        "time_to_half_liquidated_s": cex.get("time_to_half_liquidated_s"),
        "max_dislocation_pct": cex.get("max_last_vs_index_dislocation_pct"),
    }


def _share(buckets: dict[str, dict[str, Any]] | None) -> float | None:
    return buckets.get("1-5x", {}).get("share_pct") if buckets else None


def compare(onchain: OnchainMetrics, cex: dict[str, Any] | None, cex_asset: str | None) -> dict[str, dict[str, Any]]:
    """The comparison object (insertion order = the order of DEFINITIONS, which the report keeps)."""
    on, off = _onchain_values(onchain, cex_asset), _cex_values(cex)
    return {name: dump(ComparisonEntry(onchain=on[name], cex=off[name], unit=unit, definition=text))
            for name, (unit, text) in DEFINITIONS.items()}
