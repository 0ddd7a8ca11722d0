"""Turn a step's receipts and observation into the steps.csv row and events.jsonl lines.

Keeps the run's running totals (bad debt, keeper profit and gas). Keeper profit is
marked to the reference: for each liquidation a keeper sent,
    profit_usd = seized x ref(collateral) - repaid x ref(base) - gas_eth x ref(WETH)
so flash and capital keepers are measured alike, whatever they later do with the
collateral. Gas of reverted keeper transactions counts too: losing a race costs.
A transaction a congested chain did not take (``Dropped``: refused for a fee cap under the
base fee, or no room left in the block) costs nothing and is written as a ``TxDropped`` line;
keepers' dropped liquidations are counted per step (``gas_dropped_liquidations``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

import numpy as np

from defidrill.chain import Dropped, Receipt, TxRequest
from defidrill.engine.observe import Observation
from defidrill.protocol.adapter import MAX_UINT, LendingMarkets
from defidrill.protocol_terms.fixed_point import WAD
from defidrill.engine.world import World
from defidrill.errors import ChainError
from defidrill.run_folder.records import (
    BadDebtLine, DecodedCall, Event, Line, LiquidationLine, ProtocolEvent, TxDroppedLine, TxFailedLine,
)


@dataclass
class StepOutcome:
    """What one step's transactions did, for the row and the loop's progress line."""

    liquidations: int = 0
    liquidated_debt_usd: float = 0.0
    seized_collateral_usd: float = 0.0
    failed_liquidations: int = 0
    failed_txs: int = 0
    gas_dropped_liquidations: int = 0
    base_fee_gwei: float = 0.0  # the agents' block's base fee


@dataclass
class Ledger:
    world: World
    bad_debt_usd: float = 0.0
    keeper_profit_usd: float = 0.0
    keeper_gas_eth: float = 0.0
    keeper_gas_usd: float = 0.0
    liquidation_count: int = 0
    failed_liquidation_count: int = 0
    transmit_rejections: int = 0
    arb_volume_usd_step: float = 0.0
    columns: list[str] = field(default_factory=list)
    #: Calldata -> {function, args} (the chain's ABI registry): a dropped transaction has no
    #: receipt, so its line carries what it asked for (a liquidation's account, for the gas metrics).
    decode_call: Callable[[str], dict[str, Any] | None] | None = None
    #: account (lowercase) -> borrowers.csv's source, for the Liquidation lines' accountSource
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.columns = step_columns(self.world)
        self.sources = {b.address.lower(): b.source for b in self.world.borrowers}

    def settle(self, step: int, t_s: float, txs: list[TxRequest], results: list[Receipt | ChainError | Dropped],
               reference_usd: dict[str, float], failure_reasons: dict[str, Any],
               scan: Observation | None = None) -> tuple[StepOutcome, list[Line]]:
        """Event lines of the step's transactions (agent-tagged, as run_folder.records) and the step's
        liquidation figures.

        The lending protocol's liquidation and write-off events are written as one ``Liquidation`` /
        ``BadDebtWrittenOff`` line each (the adapter's typed record; the protocol's own event name and
        args ride along when they differ); ``scan`` (this step's read, just before the keepers' block) gives the health
        factor before a liquidation when the protocol's event does not carry it."""
        lending, markets = self.world.lending, self.world.markets
        base = markets.base
        def health_before(account: str) -> int | None:
            row = scan.accounts.row_of(account) if scan is not None else None
            return scan.accounts.health_factor_wad.int_at(row) if scan is not None and row is not None else None

        outcome = StepOutcome()
        lines: list[Line] = []
        eth_usd = self.world.drill.chain.gas_token_price_usd(reference_usd)
        for tx, result in zip(txs, results):
            is_keeper = tx.agent.startswith("keeper:")
            is_liquidation = tx.intent is not None and tx.intent.kind == "liquidate"
            if isinstance(result, Dropped):
                call = self.decode_call(tx.data) if self.decode_call else None
                lines.append(TxDroppedLine(step=step, t_s=t_s, block=None, tx=result.tx_hash, agent=tx.agent,
                                           contract=None, address=tx.to, label=tx.label, reason=result.reason,
                                           call=DecodedCall.from_dict(call) if call is not None else None))
                if is_liquidation:
                    outcome.gas_dropped_liquidations += 1
                continue
            if isinstance(result, ChainError):
                outcome.failed_txs += 1
                lines.append(_failed_line(step, t_s, None, None, tx, str(result), {}, 0, 0))
                if is_liquidation:
                    outcome.failed_liquidations += 1
                continue
            if is_keeper:
                gas_eth = result.fee_wei / 1e18
                self.keeper_gas_eth += gas_eth
                self.keeper_gas_usd += gas_eth * eth_usd
                self.keeper_profit_usd -= gas_eth * eth_usd
            if not result.ok:
                outcome.failed_txs += 1
                reason = failure_reasons.get(result.tx_hash)
                if tx.intent is not None and tx.intent.kind == "oracle_transmit" and tx.intent.expect_revert:
                    self.transmit_rejections += 1
                lines.append(_failed_line(step, t_s, result.block_number, result.tx_hash, tx,
                                          getattr(reason, "name", None), getattr(reason, "args", {}),
                                          result.gas_used, result.fee_wei))
                if is_liquidation:
                    outcome.failed_liquidations += 1
                continue
            for event in result.events:
                head = {"step": step, "t_s": t_s, "block": event["block"], "tx": event["tx"], "agent": tx.agent,
                        "contract": event["contract"], "address": event["address"]}
                args = event.get("args", {})
                account = args.get("user") or args.get("account") or args.get("borrower")  # Aave, ours, Compound
                record = lending.decode_liquidation(event, health_before(str(account)) if account else None)
                if record is not None:
                    lines.append(LiquidationLine(**head, liquidation=record,
                                                 protocol_event=_own_event(event, LiquidationLine.event),
                                                 account_source=self.sources.get(record.account.lower(), "seeded")))
                    sym = markets.symbol_of(record.collateral_asset)
                    if sym is not None and sym != base.symbol:
                        repaid_usd = record.repaid_base / 10**base.decimals * reference_usd[base.symbol]
                        seized_usd = record.seized_raw / 10**markets.asset(sym).decimals * reference_usd[sym]
                        outcome.liquidations += 1
                        outcome.liquidated_debt_usd += repaid_usd
                        outcome.seized_collateral_usd += seized_usd
                        if is_keeper:
                            self.keeper_profit_usd += seized_usd - repaid_usd
                # A write-off is its own event (the reference pool's BadDebtWrittenOff) or part of the
                # liquidation's (Morpho Blue's Liquidate carries badDebtAssets): ask for both.
                written_off = lending.decode_bad_debt(event)
                if written_off is not None:
                    lines.append(BadDebtLine(**head, bad_debt=written_off,
                                             protocol_event=_own_event(event, BadDebtLine.event)))
                    self.bad_debt_usd += written_off.amount_base / 10**base.decimals * reference_usd[base.symbol]
                if record is None and written_off is None:
                    lines.append(Event(**head, event=event["event"], args=event["args"]))
        self.liquidation_count += outcome.liquidations
        self.failed_liquidation_count += outcome.failed_liquidations
        return outcome, lines

    def row(self, obs: Observation, outcome: StepOutcome, lp_withdrawn_pct: float, arb_volume_usd: float) -> dict[str, Any]:
        world = self.world
        markets = world.markets
        base_sym = markets.base.symbol
        base_decimals = markets.base.decimals
        ref = obs.reference_usd
        row: dict[str, Any] = {"step": obs.step, "t_s": obs.t_s, "block": obs.block, "timestamp": obs.timestamp}
        for sym in world.drill.assets:
            row[f"ref_{sym}_usd"] = ref.get(sym)
            if sym in obs.feeds:
                feed = obs.feeds[sym]
                row[f"feed_{sym}_usd"] = feed.answer_usd
                row[f"feed_{sym}_age_s"] = obs.timestamp - feed.updated_at if feed.updated_at else None
                guard = obs.guard[sym]
                row[f"guard_{sym}_usd"] = guard.price_wad / WAD
                row[f"guard_{sym}_rule"] = guard.rule
                row[f"guard_{sym}_fallback"] = int(guard.used_fallback)
        for sym, (asset_raw, base_raw) in obs.reserves.items():
            base_units = base_raw / 10**base_decimals
            asset_units = asset_raw / 10**markets.asset(sym).decimals
            row[f"amm_{sym}_usd"] = base_units / asset_units * ref[base_sym] if asset_units else 0.0
            row[f"amm_{sym}_base_reserve_usd"] = base_units * ref[base_sym]
        below, below_ref, min_hf, uncovered = account_figures(obs, markets)
        row["accounts_below_1"] = below
        row["accounts_below_1_ref"] = below_ref
        row["min_health_factor"] = min_hf
        row["liquidations"] = outcome.liquidations
        row["liquidated_debt_usd"] = outcome.liquidated_debt_usd
        row["seized_collateral_usd"] = outcome.seized_collateral_usd
        row["failed_liquidations"] = outcome.failed_liquidations
        row["total_debt_usd"] = obs.totals.total_borrow_base / 10**base_decimals * ref[base_sym]
        row["bad_debt_usd"] = self.bad_debt_usd
        row["uncovered_debt_usd"] = uncovered
        row["keeper_profit_usd"] = self.keeper_profit_usd
        row["keeper_gas_eth"] = self.keeper_gas_eth
        row["keeper_gas_usd"] = self.keeper_gas_usd
        row["base_fee_gwei"] = outcome.base_fee_gwei
        row["gas_dropped_liquidations"] = outcome.gas_dropped_liquidations
        row["lp_withdrawn_pct"] = 100.0 * lp_withdrawn_pct
        row["arb_volume_usd"] = arb_volume_usd
        return row


#: Relative margin of the column prefilters in ``account_figures``: the float64 approximations of a
#: uint256 are within a few ulps (~1e-15), so any account closer than this to a boundary is settled
#: with exact ints, the rest cannot be on the other side.
PREFILTER_MARGIN = 1e-9


def account_figures(obs: Observation, markets: LendingMarkets) -> tuple[int, int, float | None, float]:
    """(accounts below HF 1, below 1 at reference prices, the lowest finite health factor or None, debt its
    collateral no longer covers at reference prices): the row's account figures, exactly as one pass over every
    account computed them (Python ints and floats, in read order), but over the columns: the exact
    pass runs only on the accounts a float64 prefilter cannot rule out.

    Per account with debt, at reference prices: debt_usd = debt / 10^decimals x ref(base);
    liquidation value = sum of raw / 10^decimals x ref x threshold; collateral value the same
    without the threshold; below_ref counts liquidation value < debt, uncovered sums
    max(0, debt - collateral value)."""
    accounts, ref = obs.accounts, obs.reference_usd
    base = markets.base
    has = accounts.has_debt()
    below = int(np.count_nonzero(has & accounts.prices_ok & accounts.health_factor_wad.lt(WAD)))
    rows_with_debt = np.flatnonzero(has)
    if rows_with_debt.size == 0:
        return below, 0, None, 0.0
    hf_approx = accounts.health_factor_wad.approx[rows_with_debt]
    near_min = rows_with_debt[hf_approx <= hf_approx.min() * (1 + PREFILTER_MARGIN)]
    lowest = min(accounts.health_factor_wad.int_at(int(i)) for i in near_min)
    min_hf = None if lowest >= MAX_UINT // 2 else lowest / WAD  # an infinite health factor is written empty

    thresholds = {s: c.liquidation_threshold_bps / 10_000 for s, c in markets.collaterals.items()}
    decimals = {s: c.asset.decimals for s, c in markets.collaterals.items()}
    held = [(s, col) for s, col in zip(accounts.collateral_symbols, accounts.collateral_raw) if s in thresholds]
    debt_approx = accounts.debt_base.approx / 10**base.decimals * ref[base.symbol]
    coll_approx = np.zeros(len(accounts))
    liq_approx = np.zeros(len(accounts))
    for s, col in held:
        value = col.approx / 10**decimals[s] * ref[s]
        coll_approx += value
        liq_approx += value * thresholds[s]
    bound = debt_approx * (1 + PREFILTER_MARGIN)
    close = has & ((liq_approx < bound) | (coll_approx < bound))
    below_ref = 0
    uncovered = 0.0
    for i in np.flatnonzero(close).tolist():
        debt_usd = accounts.debt_base.int_at(i) / 10**base.decimals * ref[base.symbol]
        raws = [(s, col.int_at(i)) for s, col in held]
        liq_usd = sum(raw / 10**decimals[s] * ref[s] * thresholds[s] for s, raw in raws if raw)
        if liq_usd < debt_usd:
            below_ref += 1
        coll_usd = sum(raw / 10**decimals[s] * ref[s] for s, raw in raws if raw)
        uncovered += max(0.0, debt_usd - coll_usd)
    return below, below_ref, min_hf, uncovered


def step_columns(world: World) -> list[str]:
    cols = ["step", "t_s", "block", "timestamp"]
    for sym in world.drill.assets:
        cols.append(f"ref_{sym}_usd")
        if sym in world.market.feeds:
            cols += [f"feed_{sym}_usd", f"feed_{sym}_age_s", f"guard_{sym}_usd", f"guard_{sym}_rule",
                     f"guard_{sym}_fallback"]
    for sym in world.market.pairs:
        cols += [f"amm_{sym}_usd", f"amm_{sym}_base_reserve_usd"]
    cols += ["accounts_below_1", "accounts_below_1_ref", "min_health_factor", "liquidations", "liquidated_debt_usd",
             "seized_collateral_usd", "failed_liquidations", "total_debt_usd", "bad_debt_usd", "uncovered_debt_usd",
             "keeper_profit_usd", "keeper_gas_eth", "keeper_gas_usd", "base_fee_gwei", "gas_dropped_liquidations",
             "lp_withdrawn_pct", "arb_volume_usd"]
    return cols


def _own_event(event: dict[str, Any], record_name: str) -> ProtocolEvent | None:
    """The protocol's own event behind a record, kept on the line when it is named otherwise."""
    return ProtocolEvent(event["event"], event["args"]) if event["event"] != record_name else None


def _failed_line(step: int, t_s: float, block: int | None, tx_hash: str | None, tx: TxRequest, revert: str | None,
                 revert_args: dict[str, Any], gas_used: int, fee_wei: int) -> TxFailedLine:
    return TxFailedLine(step=step, t_s=t_s, block=block, tx=tx_hash, agent=tx.agent, contract=None, address=tx.to,
                        label=tx.label, revert=revert, revert_args=revert_args, gas_used=gas_used, fee_wei=fee_wei)
