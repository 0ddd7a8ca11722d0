"""The JSON files of a run folder as pydantic models: summary.json and contracts.json.

summary.json carries ``schema_version`` (:data:`SCHEMA_VERSION`); a reader refuses a version
it does not know rather than guess. Metric definitions are in docs/metrics.md and in the
module that computes each (metrics/onchain.py, cex_metrics.py, comparison.py). Nulls mean
"did not happen" (no liquidation, no breach) or "cannot be computed from this run folder"
(then ``notes`` says why). The JSON Schema of both files is published in docs/run-folder.md.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

#: Bump when a field changes meaning or goes away. Adding an optional field does not, nor does adding a
#: value to ``status`` (``killed`` came with version 1: no existing value changed meaning; a reader treats
#: a status it does not know as "not ok", docs/run-folder.md).
SCHEMA_VERSION: Final = 1

#: ``killed``: the writer died without finishing (SIGKILL, out of memory); written by ``report``, which
#: proves it by taking the run's lock while summary.json still says ``running``.
RunStatus = Literal["running", "ok", "failed", "interrupted", "killed"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Invariant(BaseModel):
    """One invariant the run loop checked on chain, over the whole run (passed through unchanged)."""

    model_config = ConfigDict(extra="allow")
    name: str
    passed: bool
    detail: str | None = Field(default=None, description="the first broken check's detail, else the last check's")
    source: Literal["builtin", "user"] | None = None
    checks: int | None = Field(default=None, description="how many times it was checked")
    broken_checks: int | None = None
    first_broken_step: int | None = None
    accounts: list[str] = Field(default_factory=list, description="addresses that broke it at its first break")


class InvariantChecks(_Out):
    """When the invariants ran during the loop, what they cost, and what was flagged."""

    every: int = Field(description="checked after every N-th step and after the last")
    on_failure: Literal["stop", "flag"]
    checks_run: int
    user: list[str] = Field(default_factory=list, description="the user's invariants (module:function)")
    check_wall_time_s: float
    mean_check_s: float | None
    mean_step_s_without_checks: float | None
    cost_pct_of_step: float | None = Field(description="mean check time / mean step time without checks, in %")
    flagged: int = Field(description="broken checks recorded with on_failure: flag (the run went on)")


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
    # normalised figures (definitions in metrics/normalised.py and docs/metrics.md); null = not computable
    debt_at_start_usd: float | None = None
    liquidated_share_of_debt_pct: float | None = None
    bad_debt_share_of_debt_pct: float | None = None
    losses_share_of_debt_pct: float | None = Field(
        default=None, description="(bad_debt_usd + uncovered_debt_usd) / debt_at_start_usd x 100: written off plus "
                                  "left uncovered (metrics/normalised.py)")
    peak_liquidated_per_minute_share_pct: float | None = None
    time_to_half_liquidated_s: float | None = None


class TargetFit(_Out):
    """One documented figure of the drill's ``targets:`` beside the model's (metrics/fit.py)."""

    metric: str
    meaning: str
    documented: float
    model: float | None
    ratio: float | None
    within: float
    inside: bool
    source: str


class Expectation(_Out):
    """One of the drill's ``expect:`` bounds beside the run's value (metrics/expectations.py).

    ``min``, ``max`` and ``value`` are in the metric's own unit (``unit``: percent numbers, seconds,
    USD); ``met`` = min <= value <= max, and a null value (the metric did not happen) is met only
    when the drill says ``allow_null: true``."""

    metric: str
    min: float | None
    max: float | None
    value: float | None
    met: bool
    why: str | None = None
    unit: str = Field(default="", description="'%', 's', 'USD', 'count' or '' (a plain number)")
    allow_null: bool = False


class Attribution(_Out):
    """``cex.coupling: two_way``: how much of each venue's drop came from the other (% of the start
    price; definitions in defidrill/cex/coupling.py and docs/metrics.md)."""

    mode: str
    start_usd: float
    exogenous_low_usd: float
    cex_low_usd: float
    cex_alone_low_usd: float
    amm_low_usd: float | None
    cex_drop_pct: float
    cex_drop_from_chain_pct: float
    amm_drop_pct: float | None
    amm_drop_from_cex_pct: float | None
    arb_flow_to_cex_btc: float
    arb_flow_to_cex_usd: float


class ComparisonEntry(_Out):
    """One metric, one definition, both venues."""

    onchain: Any
    cex: Any
    unit: str
    definition: str


class Activity(_Out):
    """What the agents did that no event file sums up: counted by the run loop as it went."""

    borrower_reactions: int = Field(description="borrowers who repaid or topped up after a warning")
    attacks: int = Field(description="spot-manipulation attempts the attacker sent")
    rejected_transmits: int = Field(description="oracle transmits that reverted as the drill expected "
                                                "(answers outside minAnswer/maxAnswer)")


class UnreadableAccount(_Out):
    account: str
    error: str = Field(description="why its read failed (the node's reason)")


class ForkedBook(_Out):
    """``borrowers: {from: protocol}``: how the forked protocol's own borrowers were found and which were kept."""

    method: str = Field(description="how the candidates were found: the adapter's event scan, or the drill's list")
    from_block: int | None = Field(description="the log scan's first block (borrowers.since_block); null: listed")
    to_block: int | None = Field(description="the log scan's last block (the fork block); null: listed")
    log_requests: int = Field(description="eth_getLogs requests the scan sent")
    log_splits: int = Field(description="ranges the node refused and the scan split in two")
    found: int = Field(description="candidate accounts (each once)")
    kept: int = Field(description="accounts drilled (source forked in borrowers.csv)")
    dropped: dict[str, int] = Field(description="reason -> accounts not drilled: no_debt (owes no base now), "
                                                "min_debt_usd, max_accounts (the largest debts kept), seeded")
    unreadable: list[UnreadableAccount] = Field(default_factory=list, description="accounts whose read failed, "
                                                "named with the reason (not drilled)")
    debt_usd: float = Field(description="the kept accounts' base debt, USD at the drill's start prices")
    discovery_wall_time_s: float = Field(description="finding the candidates (the log scan)")
    wall_time_s: float = Field(description="finding and reading them")


class ForkInfo(_Out):
    """Fork mode: which chain was forked where, and what the attached protocol stated before the drill."""

    node: str = Field(description="the forked node, scheme://host:port only (a URL's path may hold an API key)")
    block: int = Field(description="the block the fork started from")
    address: str = Field(description="the protocol attached to (protocol.address)")
    forked_params: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="collateral -> the risk parameters the fork stated (bps) before the "
                                          "drill's were applied")
    book: ForkedBook | None = Field(None, description="borrowers: {from: protocol}: the forked book's discovery")


class ProtocolInfo(_Out):
    """Which lending protocol the drill crashed, and what that protocol fixes whatever the drill says."""

    kind: str = Field(description="the drill's protocol.kind: reference, aave-v3, ...")
    fixed_by_protocol: dict[str, str] = Field(default_factory=dict, description="parameter -> the protocol's own "
                                                                                 "rule, reported, not configurable")
    fork: ForkInfo | None = Field(None, description="set when the drill attached to a protocol on a fork")
    liquidator_incentive_wad: dict[str, int] = Field(
        default_factory=dict, description="collateral -> what the liquidator receives per unit of value repaid, net "
                                          "of any share of the seizure the protocol keeps (wad; 1.05e18 = 5% bonus)")
    seize_share_bps: dict[str, int] = Field(
        default_factory=dict, description="collateral -> the share of each seizure the protocol keeps (bps; the "
                                          "account loses the seizure, the liquidator receives it less this share)")
    close_factor_bps: int | None = Field(None, description="the share of a debt one liquidation may repay, as the "
                                                           "protocol applies it (bps; 10000 = no close factor)")
    full_close_below_hf_wad: int | None = Field(None, description="at or below this health factor (wad) the whole "
                                                                  "debt may be repaid")


class RunSummary(_Out):
    """summary.json: the run's header, what the agents did, the metrics of both venues.

    Written ``status: running`` when the run starts, then replaced (atomically) at the end,
    on a failure (``failed`` and ``error``) or on a signal (``interrupted``).
    """

    schema_version: Literal[1] = SCHEMA_VERSION
    drill: str
    description: str = ""
    drill_dir: str | None = Field(default=None, description="the folder of the drill file as run (absolute): the "
                                  "run folder's drill.yaml is read again from it (user modules, relative paths)")
    seed: int | None = None
    status: RunStatus = "running"
    backend: Literal["anvil", "revm"] = Field(default="anvil", description="the chain backend the run used "
                                                                           "(`chain.backend` or `--backend`)")
    overrides: list[str] = Field(default_factory=list, description="`--set PATH=VALUE` edits the run applied "
                                                                   "to drill.yaml")
    error: str | None = None
    report_error: str | None = Field(default=None, description="why metrics or report could not be built "
                                                                "on a run that had already failed")
    exit_status: int | None = Field(default=None, description="what `defidrill run` exits with (0 when ok)")
    steps_total: int | None = None
    steps_completed: int = 0
    duration_s: float | None = Field(default=None, description="drill time the path covers")
    wall_time_s: float | None = None
    activity: Activity | None = None
    invariant_checks: InvariantChecks | None = None
    protocol: ProtocolInfo | None = None
    onchain: OnchainMetrics | None = None
    cex: dict[str, Any] | None = Field(default=None, description="the CEX venue's summary plus per-minute series")
    comparison: dict[str, ComparisonEntry] | None = None
    coupling: Attribution | None = Field(default=None, description="two_way runs: each venue's drop from the other")
    fit: list[TargetFit] | None = Field(default=None, description="the drill's documented figures beside the model's")
    expectations: list[Expectation] | None = Field(default=None, description="the drill's `expect:` bounds, each "
                                                                             "met or not (exit status 6 if any is not)")

    def as_json(self) -> dict[str, Any]:
        return dump(self)


class ContractsBook(_Out):
    """contracts.json: written at deploy time so a run that dies later still decodes its events."""

    protocol: str | None = None
    contracts: dict[str, str] = Field(description="stable name (WBTC, PAIR_WBTC_USDC, LENDING_POOL...) -> address")
    decimals: dict[str, int] = Field(default_factory=dict, description="token symbol -> decimals")
    agents: dict[str, str] = Field(default_factory=dict, description="agent name -> address")


def dump(model: BaseModel) -> dict[str, Any]:
    """JSON-ready dict (None stays null; pydantic keeps the field order)."""
    return model.model_dump(mode="json")
