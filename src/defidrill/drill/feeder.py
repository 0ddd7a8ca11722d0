"""A pure model of a Chainlink-style feeder (the off-chain OCR nodes of one feed).

Chainlink's rules, as in the median reporting plugin of chainlink-common
(``median.Deviates`` and the ``deltaC`` heartbeat of the OCR median plugin):

* a new round when the observed price deviates from the latest answer by at least the
  deviation threshold: ``|new - old| * 1e9 >= threshold_ppb * |old|`` on the raw
  integers, with the threshold in parts per billion as Chainlink configures it (an old
  answer of 0 deviates from anything but 0). Older libocr versions used a strict
  ``>``; the difference only matters exactly at the threshold, which tests pin;
* or when ``heartbeat`` seconds or more have passed since the latest round;
* the round lands ``latency`` steps after the observation (the time for the report to
  be agreed and mined) and carries the observation rounded to the feed's decimals
  (half-even, by :func:`defidrill.protocol_terms.amounts.price_to_answer_half_even`, the same integer
  the market deploys and the engine sends).

The feeder compares with the latest round it *decided* (in flight or landed), except a
round the feed rejected (outside minAnswer/maxAnswer): then the on-chain answer is
unchanged, so the next step tries again, as real nodes keep retrying a clamped feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from defidrill.drill.actions import Action, InjectRaw, Transmit, TransmitReason
from defidrill.protocol_terms.parameters import DEFAULT_MAX_ANSWER_RAW, DEFAULT_MIN_ANSWER_RAW

__all__ = ["FeedRules", "FeedFeeder", "NodeObservation", "deviates", "threshold_ppb"]


def threshold_ppb(deviation: float) -> int:
    """A deviation fraction as Chainlink configures it: parts per billion (0.5% -> 5,000,000)."""
    return round(deviation * 1e9)


def deviates(old_raw: int, new_raw: int, ppb: int) -> bool:
    """Chainlink's deviation test on raw answers: ``|new - old| / |old| >= ppb / 1e9``."""
    if old_raw == 0:
        return new_raw != 0
    return abs(new_raw - old_raw) * 1_000_000_000 >= ppb * abs(old_raw)


@dataclass(frozen=True)
class FeedRules:
    """One feed's parameters, with latency already on the step grid and the bounds the deployed feed has."""

    feed: str
    heartbeat_s: float
    deviation: float
    decimals: int
    latency_steps: int
    min_answer_raw: int = DEFAULT_MIN_ANSWER_RAW
    max_answer_raw: int = DEFAULT_MAX_ANSWER_RAW

    @property
    def ppb(self) -> int:
        return threshold_ppb(self.deviation)


@dataclass(frozen=True)
class NodeObservation:
    """What the feed's nodes observe at one step once failures are applied (see failure_schedule.py).

    Named for OCR's node observations; not the engine's :class:`~defidrill.engine.observe.Observation`
    (one step's reads of the chain).

    ``answer_raw`` replaces the rounded reference; ``suppress`` means no round can be
    sent (stale feeder, sequencer down); ``force`` sends a round regardless of the rules
    (a spike); ``raw_inject`` delivers via :class:`InjectRaw` (zero/negative);
    ``extra_delay_steps`` adds to the latency (OSM-style delay); ``min_answer_raw`` is
    the feed's bound in force (clamp).
    """

    answer_raw: int
    suppress: bool = False
    force: bool = False
    raw_inject: bool = False
    extra_delay_steps: int = 0
    min_answer_raw: int | None = None
    max_answer_raw: int | None = None
    failure: str | None = None


@dataclass
class FeedFeeder:
    """The nodes of one feed, stepped one grid point at a time (so a CEX-led price works too).

    Call :meth:`observe` once per step in order, then :meth:`due` for the actions landing
    at that step. ``answers_raw``/``updated_at_s`` record what the feed shows after each
    step if every action succeeds (what the chain side should read back).
    """

    rules: FeedRules
    last_raw: int | None = None
    last_t_s: float = 0.0
    _pending: dict[int, list[Action]] = field(default_factory=dict)
    _last_land_step: int = 0
    onchain_raw: int | None = None
    onchain_updated_s: float = 0.0
    answers_raw: list[int] = field(default_factory=list)
    updated_at_s: list[float] = field(default_factory=list)

    def observe(self, step: int, t_s: float, obs: NodeObservation) -> TransmitReason | None:
        """Decide whether a round goes out at ``step``; returns its reason, or None."""
        reason: TransmitReason | None
        if step == 0 or self.last_raw is None:
            reason = "initial"
        elif obs.suppress:
            return None
        elif obs.force:
            reason = "failure"
        elif deviates(self.last_raw, obs.answer_raw, self.rules.ppb):
            reason = "deviation"
        elif t_s - self.last_t_s >= self.rules.heartbeat_s:
            reason = "heartbeat"
        else:
            return None
        latency = 0 if reason == "initial" else self.rules.latency_steps + obs.extra_delay_steps
        # Rounds land in the order they were decided, even when a delay window ends.
        land = max(step + latency, self._last_land_step)
        self._last_land_step = land
        action: Action
        rejected = False
        if obs.raw_inject:
            action = InjectRaw(self.rules.feed, obs.answer_raw, started_at_s=-1.0, updated_at_s=-1.0,
                               failure=obs.failure)
        else:
            low = obs.min_answer_raw if obs.min_answer_raw is not None else self.rules.min_answer_raw
            high = obs.max_answer_raw if obs.max_answer_raw is not None else self.rules.max_answer_raw
            rejected = not low <= obs.answer_raw <= high
            action = Transmit(self.rules.feed, obs.answer_raw, observed_at_s=t_s,
                              reason="failure" if obs.failure and reason != "initial" else reason,
                              failure=obs.failure, expect_rejected=rejected)
        self._pending.setdefault(land, []).append(action)
        if not rejected:
            self.last_raw, self.last_t_s = obs.answer_raw, t_s
        return reason

    def due(self, step: int, t_s: float) -> list[Action]:
        """Actions landing at ``step`` (InjectRaw gets its timestamps here), and record the feed state."""
        out: list[Action] = []
        for action in self._pending.pop(step, []):
            if isinstance(action, InjectRaw):
                action = InjectRaw(action.feed, action.answer_raw, started_at_s=t_s, updated_at_s=t_s,
                                   answered_in_round_offset=action.answered_in_round_offset,
                                   failure=action.failure)
                self.onchain_raw, self.onchain_updated_s = action.answer_raw, t_s
            elif isinstance(action, Transmit) and not action.expect_rejected:
                self.onchain_raw, self.onchain_updated_s = action.answer_raw, t_s
            out.append(action)
        self.answers_raw.append(self.onchain_raw if self.onchain_raw is not None else 0)
        self.updated_at_s.append(self.onchain_updated_s)
        return out
