"""The oracle feeder's chain side: the driver's typed actions become feed transactions.

The decisions (deviation / heartbeat / latency / failures) are made by
``defidrill.drill.oracle_plan.OracleDriver``; this module only encodes them, sent
by the deployer, who is the feeds' transmitter, owner and the sequencer updater.
A fallback feed (present when the drill has a ``fallback_divergence`` failure)
follows the reference times (1 + divergence) under the same deviation/heartbeat rule.
"""

from __future__ import annotations

from defidrill.chain import TxIntent, TxRequest
from defidrill.drill.actions import (
    Action,
    InjectRaw,
    SetFallbackDivergence,
    SetFeedBounds,
    SetSequencer,
    SpotManipulation,
    Transmit,
)
from defidrill.drill.feeder import deviates, threshold_ppb
from defidrill.engine.agents.context import StepContext
from defidrill.protocol_terms.amounts import price_to_answer_half_even

ORACLE_TX_GAS = 400_000


class OracleFeeder:
    def __init__(self) -> None:
        self.sequencer_down = False
        self.divergence: dict[str, float] = {}
        self._fallback_last: dict[str, tuple[int, float]] = {}  # feed -> (answer raw, t_s of update)
        self.pending_manipulations: list[SpotManipulation] = []

    def txs(self, ctx: StepContext, actions: list[Action]) -> list[TxRequest]:
        p = ctx.world.market
        chain = ctx.chain
        out: list[TxRequest] = []
        rounds_sent: dict[str, int] = {}
        latest = ctx.latest

        def send(fn, label: str, intent: TxIntent | None = None) -> None:  # type: ignore[no-untyped-def]
            out.append(chain.tx(fn, gas=ORACLE_TX_GAS, label=label, agent="feeder", intent=intent))

        for action in actions:
            if isinstance(action, Transmit):
                suffix = " (expected rejection)" if action.expect_rejected else ""
                send(p.feeds[action.feed].functions.transmit(action.answer_raw),
                     f"transmit {action.feed} {action.reason}{suffix}",
                     TxIntent("oracle_transmit", expect_revert=action.expect_rejected))
                rounds_sent[action.feed] = rounds_sent.get(action.feed, 0) + 1
            elif isinstance(action, InjectRaw):
                answered = 0  # the feed reads 0 as "this round"
                if action.answered_in_round_offset > 0:
                    base_round = latest.feeds[action.feed].round_id if latest else 0
                    round_id = base_round + rounds_sent.get(action.feed, 0) + 1
                    answered = max(1, round_id - action.answered_in_round_offset)
                t0 = ctx.timestamp - int(ctx.t_s)
                send(p.feeds[action.feed].functions.injectRound(action.answer_raw, t0 + int(action.started_at_s),
                                                                t0 + int(action.updated_at_s), answered),
                     f"inject {action.feed} {action.failure or ''}".strip())
                rounds_sent[action.feed] = rounds_sent.get(action.feed, 0) + 1
            elif isinstance(action, SetFeedBounds):
                send(p.feeds[action.feed].functions.setBounds(action.min_answer_raw, action.max_answer_raw),
                     f"bounds {action.feed}")
            elif isinstance(action, SetSequencer):
                self.sequencer_down = action.down
                send(p.sequencer.functions.updateStatus(action.down), f"sequencer {'down' if action.down else 'up'}")
            elif isinstance(action, SetFallbackDivergence):
                self.divergence[action.feed] = action.divergence
            elif isinstance(action, SpotManipulation):
                self.pending_manipulations.append(action)
        if not self.sequencer_down:
            out += self._fallback_rounds(ctx)
        return out

    def _fallback_rounds(self, ctx: StepContext) -> list[TxRequest]:
        p = ctx.world.market
        drill = ctx.world.drill
        out = []
        for sym, feed in p.fallback_feeds.items():
            params = drill.feed_params(sym)
            price = ctx.reference_usd[sym] * (1.0 + self.divergence.get(sym, 0.0))
            answer = price_to_answer_half_even(price, params.decimals)
            last = self._fallback_last.get(sym)
            # The primary feeds' integer deviation rule (drill.feeder.deviates), not a float re-implementation.
            due = last is None or ctx.t_s - last[1] >= params.heartbeat_s or (
                last[0] > 0 and deviates(last[0], answer, threshold_ppb(params.deviation)))
            if due and answer > 0:
                self._fallback_last[sym] = (answer, ctx.t_s)
                out.append(ctx.chain.tx(feed.functions.transmit(answer), gas=ORACLE_TX_GAS,
                                        label=f"transmit fallback {sym}", agent="feeder",
                                        intent=TxIntent("oracle_transmit")))
        return out
