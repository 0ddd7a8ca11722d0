"""The step loop: one drill step as ordered, named phases.

    advance clock -> feed oracles (+ LPs, arbitrage, attacker) -> mine block A
    -> scan (ONE batch of eth_calls) -> agents decide (keepers, borrowers)
    -> send ONE batch -> mine block B -> settle receipts -> record the row

Block A is stamped at the step's time, block B one second later: keepers back-run the
oracle round of their own step (a 0-block keeper), or act on an older scan (latency).
While the L2 sequencer is down nothing but the sequencer status lands (the feeder
sends no rounds; agents are held back), as on a real rollup.
Deterministic for a drill and seed: agents draw nothing at run time, and anvil orders
a block by tip, then by arrival, and arrival is the batch order.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Protocol
from collections.abc import Callable

from defidrill.chain import Chain, Receipt, TxIntent, TxRequest
from defidrill.drill.actions import SpotManipulation
from defidrill.engine.agents.attacker import Attacker
from defidrill.engine.agents.borrowers import ReactiveBorrowers
from defidrill.engine.agents.context import StepContext
from defidrill.engine.agents.keepers import make_keepers
from defidrill.engine.agents.market_makers import Arbitrageur, LiquidityProviders
from defidrill.engine.agents.oracle_feeder import OracleFeeder
from defidrill.engine.invariant_monitor import InvariantMonitor
from defidrill.engine.ledger import Ledger
from defidrill.engine.observe import Observer
from defidrill.drill.oracle_plan import OracleDriver
from defidrill.engine.world import World
from defidrill.errors import ChainError
from defidrill.protocol.market import warm_up_twaps
from defidrill.run_folder import StepRecorder

TWAP_UPDATE_GAS = 300_000
#: Seconds between the end of seeding and the drill's first step (a sequencer grace period is added).
START_GAP_S = 60


class PriceLeader(Protocol):
    """Something that sets the market price each step before the chain moves (the CEX with ``cex_leads``)."""

    def prices(self, step: int, t_s: float, reference_usd: dict[str, float]) -> dict[str, float]: ...


@dataclass
class LoopResult:
    steps_completed: int
    start_timestamp: int
    ledger: Ledger
    feeder: OracleFeeder
    reactions: int
    attacks: int
    wall_time_s: float
    reference_history: list[dict[str, float]] = field(default_factory=list)


ProgressFn = Callable[[int, int, dict[str, float], int], None]


def run_loop(chain: Chain, world: World, recorder: StepRecorder, *, leader: PriceLeader | None = None,
             progress: ProgressFn | None = None, on_step: Callable[[LoopResult], None] | None = None,
             start_timestamp: int | None = None, monitor: InvariantMonitor | None = None) -> LoopResult:
    """Run every step. ``start_timestamp``: the first step's block time (reproducible runs pass a
    fixed one); default a minute after the latest block. ``monitor``: the invariants, checked after
    each recorded step it is due (it raises InvariantError when the drill says stop)."""
    drill, path = world.drill, world.path
    t0 = max(chain.timestamp() + START_GAP_S, start_timestamp or 0)
    if world.market.config.oracle.sequencer:
        # The guard's grace period also runs from the uptime feed's deployment (docs/oracles.md).
        t0 += world.market.config.oracle.grace_period_s
    twaps = list(world.market.twaps.values())
    if twaps:  # a window of history ending just before step 0 (seeding's is a day old by then)
        spec = world.market.config.oracle
        t0 = max(t0, chain.timestamp() + spec.twap_window_s + 120)
        warm_up_twaps(chain, twaps, spec.twap_window_s, spec.twap_granularity, end_timestamp=t0 - 1)
    driver = OracleDriver(drill, path)
    feeder = OracleFeeder()
    lps = LiquidityProviders(world.market.liquidity_provider)
    arbitrageur = Arbitrageur(world.arbitrageur)
    attacker = Attacker(world.attacker, world.manipulator)
    keepers = make_keepers(drill, world.keepers)
    borrowers = ReactiveBorrowers(world.borrowers, drill.seconds_to_steps(drill.borrowers.reaction.delay_s))
    ledger = Ledger(world)
    holders = [k.address for k in keepers if k.config.mode == "capital"]
    observer = Observer(chain, world, holders)
    result = LoopResult(0, t0, ledger, feeder, 0, 0, 0.0)
    started = time.monotonic()
    ctx = StepContext(chain, world, 0, 0.0, t0, {}, result.reference_history, [])

    for k in range(path.step_count + 1):
        t_s = float(path.times_s[k])
        ts = t0 + int(round(t_s))
        reference = {a: path.price_usd(a, k) for a in drill.assets}
        if leader is not None:
            reference = leader.prices(k, t_s, reference)
        result.reference_history.append(reference)
        ctx.step, ctx.t_s, ctx.timestamp, ctx.reference_usd = k, t_s, ts, reference

        # Phase A: oracles and the market.
        actions = driver.step(k, reference if leader is not None else None)
        txs_a = feeder.txs(ctx, actions)
        if not feeder.sequencer_down:
            txs_a += lps.act(ctx)
            txs_a += arbitrageur.act(ctx)
            manipulations: list[SpotManipulation] = list(feeder.pending_manipulations)
            feeder.pending_manipulations.clear()
            txs_a += attacker.act(ctx, manipulations)
            # TWAP oracles record an observation only when poked (permissionless, like a keeper
            # bot would): first in the block, so the observation precedes this step's trades.
            txs_a = [chain.tx(twap.functions.update(), gas=TWAP_UPDATE_GAS, label=f"twap update {sym}",
                              agent="twap", intent=TxIntent("twap_update")) for sym, twap in world.market.twaps.items()] + txs_a
        results_a = chain.send_block(txs_a, timestamp=ts)

        # Scan, then phase B: keepers and borrowers.
        obs = observer.observe(k, t_s, reference)
        ctx.history.append(obs)
        txs_b: list[TxRequest] = []
        if not feeder.sequencer_down:
            for keeper in keepers:
                txs_b += keeper.act(ctx)
            txs_b += borrowers.act(ctx)
        results_b = chain.send_block(txs_b, timestamp=ts + 1) if txs_b else []

        txs, results = txs_a + txs_b, [*results_a, *results_b]
        failed = [r.tx_hash for r in results if isinstance(r, Receipt) and not r.ok]
        reasons = dict(zip(failed, chain.revert_reasons(failed))) if failed else {}
        outcome, lines = ledger.settle(k, t_s, txs, results, reference, reasons, scan=obs)
        row = ledger.row(obs, outcome, lps.withdrawn_fraction, _arb_volume(txs_a, results_a))
        recorder.record(row, lines)
        result.steps_completed = k + 1
        if monitor is not None:
            monitor.after_step(obs, row, lines, last=k == path.step_count)
        result.reactions = borrowers.reactions
        result.attacks = attacker.attempts
        result.wall_time_s = time.monotonic() - started
        if progress is not None:
            progress(k, path.step_count + 1, reference, ledger.liquidation_count)
        if on_step is not None:
            on_step(result)
        if len(ctx.history) > 64:  # agents look back at most their latency; keep memory flat
            del ctx.history[: len(ctx.history) - 64]
    return result


def _arb_volume(txs: list[TxRequest], results: list[Receipt | ChainError]) -> float:
    """USD the arbitrageur's mined swaps moved (each swap's intended size)."""
    return sum(tx.intent.size_usd or 0.0 for tx, r in zip(txs, results)
               if tx.intent is not None and tx.intent.kind == "arbitrage" and isinstance(r, Receipt) and r.ok)


def terminal_progress() -> ProgressFn | None:
    """A one-line progress display on a terminal; None (quiet) otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(step: int, total: int, reference: dict[str, float], liquidations: int) -> None:
        prices = "  ".join(f"{s} {p:,.2f}" for s, p in list(reference.items())[:3])
        width = 30
        done = int(width * (step + 1) / total)
        sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] step {step + 1}/{total}  {prices}  "
                         f"liquidations {liquidations}   ")
        if step + 1 == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
