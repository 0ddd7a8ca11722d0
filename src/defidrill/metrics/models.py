"""The JSON shapes the metrics write into summary.json (pydantic: the boundary is typed).

Definitions of every field are in docs/metrics.md and in the module that computes it
(onchain.py, cex_metrics.py, comparison.py). Nulls mean "did not happen" (no liquidation,
no breach) or "cannot be computed from this run folder" (then ``notes`` says why).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Invariant(BaseModel):
    """One invariant the run loop checked on chain (passed through unchanged)."""

    model_config = ConfigDict(extra="allow")
    name: str
    passed: bool
    detail: str | None = None


class KeeperLiquidations(_Out):
    count: int
    repaid_usd: float
    failed_txs: int


class FeedDeviation(_Out):
    max_pct: float | None
    time_above_1pct_s: float


class AssetSlippage(_Out):
    count: int
    seized_units: float
    repaid_usd: float
    seized_value_at_reference_usd: float
    effective_price_usd: float | None      # repaid / seized units (notional-weighted)
    slippage_pct: float | None


class Amplification(_Out):
    start_reference_usd: float | None
    min_reference_usd: float | None
    min_amm_usd: float | None
    exogenous_drop_pct: float | None
    endogenous_drop_pct: float | None
    amplification: float | None


class PairFlow(_Out):
    """Collateral the pair's LPs bought (> 0) or sold (< 0), by who traded against them."""

    liquidation_units: float
    liquidation_usd: float
    arbitrage_units: float
    arbitrage_usd: float
    other_units: float
    other_usd: float
    total_units: float
    total_usd: float


class PerMinuteSeries(_Out):
    minute_start_s: list[float]
    notional_usd: list[float]


class GasMetrics(_Out):
    """Congestion's toll on the keepers (definitions in metrics/gas.py and docs/metrics.md)."""

    max_base_fee_gwei: float | None
    keeper_gas_eth: float
    keeper_gas_usd: float
    keeper_profit_net_usd: float
    keeper_profit_gross_usd: float
    dropped_liquidation_txs: dict[str, int]
    accounts_delayed_by_gas: int
    gas_delay_s_mean: float | None
    gas_delay_s_max: float | None
    accounts_missed_by_gas: int


class OnchainMetrics(_Out):
    liquidation_count: int
    liquidated_debt_usd: float
    seized_collateral_usd: float
    bad_debt_usd: float
    uncovered_debt_usd: float | None = None  # at the last step: debt its collateral no longer covers
    first_breach_s: float | None
    first_liquidation_s: float | None
    first_liquidation_delay_s: float | None
    max_oracle_deviation_pct: float | None
    oracle_time_above_1pct_s: float
    oracle_deviation_by_feed: dict[str, FeedDeviation]
    max_amm_deviation_pct: float | None
    amm_deviation_by_pair: dict[str, float | None]
    min_health_factor: float | None
    keeper_profit_usd: float | None
    keeper_gas_eth: float | None
    failed_liquidation_txs: int
    liquidations_by_keeper: dict[str, KeeperLiquidations]
    liquidation_slippage_pct: float | None
    liquidation_slippage_by_asset: dict[str, AssetSlippage] | None
    keeper_amm_sell_slippage_pct: float | None
    liquidated_per_minute: PerMinuteSeries
    liquidated_notional_per_minute_peak_usd: float
    liquidated_notional_per_minute_mean_usd: float | None
    amplification_by_pair: dict[str, Amplification]
    amm_net_flow: dict[str, PairFlow] | None
    invariants: list[Invariant]
    notes: list[str]
    liquidations_by_leverage: dict[str, dict[str, Any]] | None = None
    gas: GasMetrics | None = None


class TargetFit(_Out):
    """One documented figure of the drill's ``targets:`` beside the model's (metrics/targets.py)."""

    metric: str
    meaning: str
    documented: float
    model: float | None
    ratio: float | None
    within: float
    inside: bool
    source: str


class ComparisonEntry(_Out):
    """One metric, one definition, both venues."""

    onchain: Any
    cex: Any
    unit: str
    definition: str


def dump(model: BaseModel) -> dict[str, Any]:
    """JSON-ready dict (None stays null; pydantic keeps the field order)."""
    return model.model_dump(mode="json")
