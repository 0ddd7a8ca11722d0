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
from typing import Any, Protocol
from collections.abc import Callable

from defidrill.chain import ChainAPI, Dropped, Receipt, TxIntent, TxRequest
from defidrill.drill.actions import SpotManipulation
from defidrill.drill.failure_schedule import Congestion
from defidrill.engine.agents.attacker import Attacker
from defidrill.engine.agents.borrowers import ReactiveBorrowers
from defidrill.engine.agents.context import StepContext
from defidrill.engine.agents.keepers import make_keepers
from defidrill.engine.agents.market_makers import Arbitrageur, LiquidityProviders
from defidrill.engine.agents.oracle_feeder import OracleFeeder
from defidrill.engine.congestion import CROWD_AGENT, Crowd, has_congestion
from defidrill.engine.invariant_monitor import InvariantMonitor
from defidrill.engine.ledger import Ledger
from defidrill.engine.observe import Observation, Observer
from defidrill.drill.oracle_plan import OracleDriver
from defidrill.drill.population import agent_address
from defidrill.engine.world import World
from defidrill.errors import ChainError
from defidrill.protocol.market import warm_up_twaps
from defidrill.protocol_terms.fixed_point import WAD
from defidrill.run_folder import Line, StepRecorder

TWAP_UPDATE_GAS = 300_000
#: Seconds between the end of seeding and the drill's first step (a sequencer grace period is added).
START_GAP_S = 60


class PriceLeader(Protocol):
    """Something that sets the market price each step before the chain moves (the CEX with ``cex_leads``)."""

    def prices(self, step: int, t_s: float, reference_usd: dict[str, float]) -> dict[str, float]: ...


class ChainFollower(Protocol):
    """A price leader that also hears the chain back (``two_way``): the AMM prices at each step's end."""

    def after_chain(self, step: int, amm_usd: dict[str, float]) -> None: ...


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


def run_loop(chain: ChainAPI, world: World, recorder: StepRecorder, *, leader: PriceLeader | None = None,
             progress: ProgressFn | None = None, on_step: Callable[[LoopResult], None] | None = None,
             start_timestamp: int | None = None, monitor: InvariantMonitor | None = None) -> LoopResult:
    """Run every step. ``start_timestamp``: the first step's block time (reproducible runs pass a
    fixed one); default a minute after the latest block. ``monitor``: the invariants, checked after
    each recorded step it is due (it raises InvariantError when the drill says stop)."""
    loop = StepLoop(chain, world, recorder, leader, monitor, _first_timestamp(chain, world, start_timestamp))
    for k in range(world.path.step_count + 1):
        loop.step(k)
        if progress is not None:
            progress(k, world.path.step_count + 1, loop.ctx.reference_usd, loop.ledger.liquidation_count)
        if on_step is not None:
            on_step(loop.result)
    return loop.result


def _first_timestamp(chain: ChainAPI, world: World, start_timestamp: int | None) -> int:
    """Step 0's block time, after the sequencer's grace period and a warmed-up TWAP window."""
    t0 = max(chain.timestamp() + START_GAP_S, start_timestamp or 0)
    spec = world.market.config.oracle
    if spec.sequencer:
        # The guard's grace period also runs from the uptime feed's deployment (docs/oracles.md).
        t0 += spec.grace_period_s
    twaps = list(world.market.twaps.values())
    if twaps:  # a window of history ending just before step 0 (seeding's is a day old by then)
        t0 = max(t0, chain.timestamp() + spec.twap_window_s + 120)
        warm_up_twaps(chain, twaps, spec.twap_window_s, spec.twap_granularity, end_timestamp=t0 - 1)
    return t0


@dataclass
class _Block:
    """One mined block of the step: what was sent and what came back, in order."""

    txs: list[TxRequest]
    results: list[Receipt | ChainError | Dropped]


class StepLoop:
    """The agents of one run and the step's phases, each a method, called in order by :meth:`step`."""

    def __init__(self, chain: ChainAPI, world: World, recorder: StepRecorder, leader: PriceLeader | None,
                 monitor: InvariantMonitor | None, t0: int) -> None:
        drill = world.drill
        self.chain, self.world, self.recorder, self.leader, self.monitor, self.t0 = chain, world, recorder, leader, monitor, t0
        self.crowd = (Crowd.deploy(chain, int(drill.chain.gas_limit), agent_address(CROWD_AGENT))
                      if has_congestion(drill) else None)
        self.driver = OracleDriver(drill, world.path)
        self.feeder = OracleFeeder()
        self.lps = LiquidityProviders(world.market.liquidity_provider)
        self.arbitrageur = Arbitrageur(world.arbitrageur)
        self.attacker = Attacker(world.attacker, world.manipulator)
        self.keepers = make_keepers(drill, world.keepers)
        #: observations kept: the latest and as many before it as the slowest keeper looks back (each holds
        #: every account's read: ~0.2 MiB per 1,000 accounts)
        self.history_steps = max([k.latency_steps for k in self.keepers] + [0]) + 1
        self.borrowers = ReactiveBorrowers(world.borrowers, drill.seconds_to_steps(drill.borrowers.reaction.delay_s))
        self.ledger = Ledger(world, decode_call=chain.registry.decode_call)
        self.observer = Observer(chain, world, [k.address for k in self.keepers if k.config.mode == "capital"],
                                 **self._scan_needs())
        self.result = LoopResult(0, t0, self.ledger, self.feeder, 0, 0, 0.0)
        self.started = time.monotonic()
        self.ctx = StepContext(chain, world, 0, 0.0, t0, {}, self.result.reference_history, [])

    def _scan_needs(self) -> dict[str, Any]:
        """What the scan must read exactly (engine/health_bound.py): the accounts a reactive borrower's clock
        runs for, the reactive borrowers and their trigger, and every account on the steps a user invariant
        reads them."""
        borrowers, monitor, last = self.borrowers, self.monitor, self.world.path.step_count
        trigger_wad = int(self.world.drill.borrowers.reaction.when_health_below * WAD) if borrowers.reactive else WAD
        return {"watched": lambda: [a for a in borrowers.due_at if a not in borrowers.done],
                "full_read_at": lambda k: bool(monitor is not None and monitor.user
                                                and (k == last or k % monitor.config.every == 0)),
                "watch_hf_wad": trigger_wad, "reactive": list(borrowers.reactive)}

    def step(self, k: int) -> None:
        """advance clock -> feed oracles and the market (block A) -> scan -> agents decide and send
        (block B) -> tell the price leader -> settle receipts -> record -> check invariants."""
        self.advance_clock(k)
        load = self.driver.schedule.congestion(k) if self.crowd is not None else None
        block_a = self.mine(self.oracle_and_market_txs(k), self.ctx.timestamp, load)
        self.price_next_block(load)
        obs = self.scan(k, block_a)
        block_b = self.mine(self.agent_txs(), self.ctx.timestamp + 1, load, skip_empty=True)
        if self.leader is not None and hasattr(self.leader, "after_chain"):
            self.leader.after_chain(k, self.observer.amm_prices_usd(self.ctx.reference_usd))
        row, lines = self.settle_and_record(k, obs, block_a, block_b)
        self.check_invariants(k, obs, row, lines)

    def advance_clock(self, k: int) -> None:
        """The step's time and reference prices (the leader's traded price when one leads)."""
        drill, path, ctx = self.world.drill, self.world.path, self.ctx
        t_s = float(path.times_s[k])
        reference = {a: path.price_usd(a, k) for a in drill.assets}
        if self.leader is not None:
            reference = self.leader.prices(k, t_s, reference)
        self.result.reference_history.append(reference)
        ctx.step, ctx.t_s, ctx.timestamp, ctx.reference_usd = k, t_s, self.t0 + int(round(t_s)), reference

    def oracle_and_market_txs(self, k: int) -> list[TxRequest]:
        """Block A: oracle rounds, then (sequencer up) LPs, arbitrage, the attacker; TWAP pokes first."""
        ctx = self.ctx
        actions = self.driver.step(k, ctx.reference_usd if self.leader is not None else None)
        txs = self.feeder.txs(ctx, actions)
        if self.feeder.sequencer_down:
            return txs
        txs += self.lps.act(ctx)
        txs += self.arbitrageur.act(ctx)
        manipulations: list[SpotManipulation] = list(self.feeder.pending_manipulations)
        self.feeder.pending_manipulations.clear()
        txs += self.attacker.act(ctx, manipulations)
        # TWAP oracles record an observation only when poked (permissionless, like a keeper
        # bot would): first in the block, so the observation precedes this step's trades.
        pokes = [self.chain.tx(twap.functions.update(), gas=TWAP_UPDATE_GAS, label=f"twap update {sym}",
                               agent="twap", intent=TxIntent("twap_update"))
                 for sym, twap in self.world.market.twaps.items()]
        return pokes + txs

    def mine(self, txs: list[TxRequest], timestamp: int, load: Congestion | None, *,
             skip_empty: bool = False) -> _Block:
        """One block at ``timestamp``; congested: one block each, what does not fit is dropped."""
        if load is not None and self.crowd is not None:
            return _Block(txs, self.crowd.send(txs, timestamp, load))
        if skip_empty and not txs:
            return _Block(txs, [])
        return _Block(txs, self.chain.send_block(txs, timestamp=timestamp))

    def price_next_block(self, load: Congestion | None) -> None:
        """What block B will charge: the congestion's set level, else EIP-1559 from block A (the node's figure)."""
        self.ctx.base_fee_wei = (load.base_fee_wei if load is not None and load.base_fee_wei is not None
                                 else self.chain.next_base_fee_wei())

    def scan(self, k: int, block_a: _Block) -> Observation:
        """ONE batched read of every account's health and the market, kept for the agents' latency (the
        accounts block A's transactions touched are read exactly: engine/health_bound.py)."""
        self.observer.note_blocks(block_a.txs, block_a.results)
        obs = self.observer.observe(k, self.ctx.t_s, self.ctx.reference_usd)
        self.ctx.history.append(obs)
        return obs

    def agent_txs(self) -> list[TxRequest]:
        """Block B: keepers, then reacting borrowers (nothing while the sequencer is down)."""
        if self.feeder.sequencer_down:
            return []
        txs: list[TxRequest] = []
        for keeper in self.keepers:
            txs += keeper.act(self.ctx)
        return txs + self.borrowers.act(self.ctx)

    def settle_and_record(self, k: int, obs: Observation, block_a: _Block,
                          block_b: _Block) -> tuple[dict[str, Any], list[Line]]:
        """Receipts and revert reasons into the ledger's row and event lines, written as one step."""
        txs, results = block_a.txs + block_b.txs, [*block_a.results, *block_b.results]
        self.observer.note_blocks(block_b.txs, block_b.results)
        failed = [r.tx_hash for r in results if isinstance(r, Receipt) and not r.ok]
        reasons = dict(zip(failed, self.chain.revert_reasons(failed))) if failed else {}
        outcome, lines = self.ledger.settle(k, self.ctx.t_s, txs, results, self.ctx.reference_usd, reasons, scan=obs)
        outcome.base_fee_gwei = self.ctx.base_fee_wei / 1e9
        row = self.ledger.row(obs, outcome, self.lps.withdrawn_fraction, _arb_volume(block_a.txs, block_a.results))
        self.recorder.record(row, lines)
        self.result.steps_completed = k + 1
        return row, lines

    def check_invariants(self, k: int, obs: Observation, row: dict[str, Any], lines: list[Line]) -> None:
        """The monitor's checks when due (it raises InvariantError when the drill says stop); the tallies."""
        if self.monitor is not None:
            self.monitor.after_step(obs, row, lines, last=k == self.world.path.step_count)
        self.result.reactions = self.borrowers.reactions
        self.result.attacks = self.attacker.attempts
        self.result.wall_time_s = time.monotonic() - self.started
        keep = self.history_steps
        if len(self.ctx.history) > keep:  # agents look back at most their latency; keep memory flat
            del self.ctx.history[: len(self.ctx.history) - keep]


def _arb_volume(txs: list[TxRequest], results: list[Receipt | ChainError | Dropped]) -> float:
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
