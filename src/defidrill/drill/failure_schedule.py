"""The failure schedule: what each ``failures:`` entry does to the feeder, step by step.

A failure is active on grid steps ``ceil(at / step) <= k < ceil((at + for) / step)``
(``for`` omitted: to the end). Point failures (spike, spot_manipulation) act at step
``ceil(at / step)``. Overlapping failures on one feed apply in file order, the later
one winning where they set the same thing.

What each kind does (the chain side executes the resulting actions):

* ``stale``: no rounds at all; ``updatedAt`` stops advancing. The first step after the
  window usually sends a heartbeat or deviation round.
* ``frozen``: the nodes observe ``value`` (default: the last answer before the window)
  and follow the normal rules, so heartbeat rounds keep ``updatedAt`` fresh while the
  answer is wrong: a staleness check does not catch it.
* ``zero`` / ``negative``: the observation is 0 / minus the reference; delivered as
  :class:`~defidrill.drill.actions.InjectRaw` because a bounded aggregator would reject them.
* ``clamp``: :class:`SetFeedBounds` sets ``minAnswer`` at the window start (restored at
  its end). The feeder keeps transmitting the true price; a transmit below the bound is
  marked ``expect_rejected``: the FEED CONTRACT does the clamping (reverts), and the feed
  keeps its last in-bounds answer, as LUNA/USD did in May 2022.
* ``delay``: rounds land ``blocks`` blocks (converted to steps) after observation:
  the answer in use is that old, as with Maker's OSM.
* ``spike``: one forced round at ``at`` with reference x ``factor`` (or ``price``); the
  next step's deviation test brings the true price back.
* ``wrong_decimals``: the raw answer x 10^(decimals - feed decimals) (integer; floor when
  scaling down).
* ``sequencer_down``: :class:`SetSequencer` down at the start, up at the end; no feed
  rounds land while the sequencer is down (nothing is included on the L2).
* ``spot_manipulation``: a :class:`SpotManipulation` action at its step.
* ``fallback_divergence``: :class:`SetFallbackDivergence` at the start, 0 at the end.
* ``congestion``: not a feed failure: :meth:`FailureSchedule.congestion` tells the chain side,
  step by step, what share of each block other senders take and (when the drill sets it) the
  base fee in wei; the engine's crowd (:mod:`defidrill.engine.congestion`) executes it.
"""

from __future__ import annotations

import math

from dataclasses import dataclass

from defidrill.drill.actions import Action, SetFallbackDivergence, SetFeedBounds, SetSequencer, SpotManipulation
from defidrill.drill.feeder import FeedRules, NodeObservation
from defidrill.drill.schema import (
    ClampFailure, CongestionFailure, DelayFailure, Drill, Failure, FallbackDivergenceFailure, FrozenFailure, NegativeFailure,
    SequencerDownFailure, SpikeFailure, SpotManipulationFailure, StaleFailure, WrongDecimalsFailure, ZeroFailure,
)
from defidrill.protocol_terms.amounts import price_to_answer_half_even

__all__ = ["Congestion", "FailureSchedule", "step_of"]

GWEI = 10**9


@dataclass(frozen=True)
class Congestion:
    """The chain's load at one step: ``fill`` of each block is other senders' gas; ``base_fee_wei``
    is the base fee every block of the step is set to, None = EIP-1559 from the blocks' gas used."""

    fill: float
    base_fee_wei: int | None


def step_of(t_s: float, step_s: float) -> int:
    """The first grid step at or after ``t_s`` (tolerant of float noise: 1200.0000001 s -> 120)."""
    return math.ceil(t_s / step_s - 1e-9)


class FailureSchedule:
    """The drill's failures on its step grid, answering per-step questions for the driver."""

    def __init__(self, drill: Drill, rules: dict[str, FeedRules], start_prices_usd: dict[str, float]) -> None:
        self._drill = drill
        self._rules = rules
        self._start = start_prices_usd
        self._step_s = drill.market.step_s
        self._last_step = drill.market.step_count
        # (failure, first step, end step exclusive); end beyond the grid = never ends.
        self._windows: list[tuple[Failure, int, int]] = []
        for failure in drill.failures:
            first = step_of(failure.at_s, self._step_s)
            if isinstance(failure, (SpikeFailure, SpotManipulationFailure)):
                end = first + 1  # a point failure
            elif failure.for_s is None:
                end = self._last_step + 1  # until the end: never closes
            else:
                end = max(first + 1, step_of(failure.at_s + failure.for_s, self._step_s))
            self._windows.append((failure, first, end))
        self._frozen_raw: dict[int, int] = {}

    def _active(self, step: int) -> list[tuple[int, Failure]]:
        return [(i, f) for i, (f, first, end) in enumerate(self._windows) if first <= step < end]

    def sequencer_down(self, step: int) -> bool:
        """True while an L2 sequencer outage is in force at ``step``."""
        return any(isinstance(f, SequencerDownFailure) for _, f in self._active(step))

    def congestion(self, step: int) -> Congestion | None:
        """The congestion in force at ``step`` (the last listed wins when windows overlap), or None."""
        found: Congestion | None = None
        for failure, first, end in self._windows:
            if isinstance(failure, CongestionFailure) and first <= step < end:
                since_s = step * self._step_s - failure.at_s
                fee = failure.base_fee
                if fee is None:
                    wei = None
                elif isinstance(fee, float):
                    wei = int(round(fee * self._drill.chain.base_fee_gwei * GWEI))
                else:
                    wei = int(round(fee.gwei_at(max(0.0, since_s)) * GWEI))
                found = Congestion(failure.fill, wei)
        return found

    def observation(self, feed: str, step: int, price_usd: float, last_raw: int | None) -> NodeObservation:
        """What the nodes of ``feed`` observe at ``step``, with every active failure applied."""
        rules = self._rules[feed]
        answer = price_to_answer_half_even(price_usd, rules.decimals)
        fields: dict[str, object] = {"answer_raw": answer}
        if self.sequencer_down(step):
            fields.update(suppress=True, failure="sequencer_down")
        for index, failure in self._active(step):
            if getattr(failure, "feed", None) != feed:
                continue
            kind = failure.kind
            if isinstance(failure, StaleFailure):
                fields.update(suppress=True)
            elif isinstance(failure, FrozenFailure):
                if index not in self._frozen_raw:
                    frozen_usd = failure.value_usd
                    self._frozen_raw[index] = (price_to_answer_half_even(frozen_usd, rules.decimals) if frozen_usd is not None
                                               else (last_raw if last_raw is not None else answer))
                fields.update(answer_raw=self._frozen_raw[index])
            elif isinstance(failure, ZeroFailure):
                fields.update(answer_raw=0, raw_inject=True)
            elif isinstance(failure, NegativeFailure):
                fields.update(answer_raw=-abs(answer), raw_inject=True)
            elif isinstance(failure, ClampFailure):
                fields.update(min_answer_raw=self._clamp_raw(failure, rules))
            elif isinstance(failure, DelayFailure):
                fields.update(extra_delay_steps=self._drill.blocks_to_steps(failure.blocks))
            elif isinstance(failure, SpikeFailure):
                if failure.price_usd is not None:
                    spiked = failure.price_usd
                else:
                    assert failure.factor is not None  # the schema requires exactly one of price, factor
                    spiked = price_usd * failure.factor
                fields.update(answer_raw=price_to_answer_half_even(spiked, rules.decimals), force=True)
            elif isinstance(failure, WrongDecimalsFailure):
                shift = failure.decimals - rules.decimals
                raw = int(fields["answer_raw"])  # type: ignore[call-overload]
                fields.update(answer_raw=raw * 10**shift if shift >= 0 else raw // 10**-shift)
            else:
                continue  # fallback_divergence acts through global actions only
            fields["failure"] = kind
        return NodeObservation(**fields)  # type: ignore[arg-type]

    def _clamp_raw(self, failure: ClampFailure, rules: FeedRules) -> int:
        if failure.min_answer_usd is not None:
            return price_to_answer_half_even(failure.min_answer_usd, rules.decimals)
        assert failure.floor is not None  # the schema requires exactly one of min_answer, floor
        bound_usd = failure.floor * self._start[failure.feed]
        return price_to_answer_half_even(bound_usd, rules.decimals)

    def global_actions(self, step: int, t_s: float) -> list[Action]:
        """Actions that open or close a failure window at ``step`` (not feed rounds)."""
        out: list[Action] = []
        for failure, first, end in self._windows:
            opens, closes = step == first, step == end and end <= self._last_step
            if isinstance(failure, SequencerDownFailure):
                if opens:
                    out.append(SetSequencer(down=True, at_s=t_s, grace_s=failure.grace_s))
                if closes:
                    out.append(SetSequencer(down=False, at_s=t_s, grace_s=failure.grace_s))
            elif isinstance(failure, ClampFailure):
                rules = self._rules[failure.feed]
                if opens:
                    out.append(SetFeedBounds(failure.feed, self._clamp_raw(failure, rules), rules.max_answer_raw, "clamp"))
                if closes:
                    out.append(SetFeedBounds(failure.feed, rules.min_answer_raw, rules.max_answer_raw, "clamp"))
            elif isinstance(failure, SpotManipulationFailure) and opens:
                out.append(SpotManipulation(failure.pair, failure.size_usd, failure.target_multiplier,
                                            None if failure.borrow == "max" else float(failure.borrow)))
            elif isinstance(failure, FallbackDivergenceFailure):
                if opens:
                    out.append(SetFallbackDivergence(failure.feed, failure.divergence))
                if closes:
                    out.append(SetFallbackDivergence(failure.feed, 0.0))
        return out
