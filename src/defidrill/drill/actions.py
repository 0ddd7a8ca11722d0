"""Typed actions the oracle driver hands to the chain-side step loop, per step.

All times are drill-relative seconds (``t_s``, 0 at the first step); the chain side
adds the drill's genesis timestamp. Raw answers are integers in the feed's decimals.
Within one step, execute the actions in list order (they are sorted by
:data:`ACTION_ORDER`: sequencer and bounds first, then rounds, then the attacker).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TransmitReason = Literal["initial", "deviation", "heartbeat", "failure"]


@dataclass(frozen=True)
class Transmit:
    """A normal round: call the feed's transmit with ``answer_raw``.

    The feed contract enforces its own ``minAnswer``/``maxAnswer``; ``expect_rejected``
    says the model expects this transmit to revert (a clamp failure's bound), so the
    chain side should record the revert, not fail the drill on it.
    """

    feed: str
    answer_raw: int
    observed_at_s: float
    reason: TransmitReason
    failure: str | None = None
    expect_rejected: bool = False


@dataclass(frozen=True)
class InjectRaw:
    """Write a round directly (a test setter bypassing bounds): zero and negative answers.

    ``answered_in_round_offset`` > 0 makes ``answeredInRound = roundId - offset`` (a
    carried-over round); 0 is a normal round.
    """

    feed: str
    answer_raw: int
    started_at_s: float
    updated_at_s: float
    answered_in_round_offset: int = 0
    failure: str | None = None


@dataclass(frozen=True)
class SetFeedBounds:
    """Set the feed's ``minAnswer``/``maxAnswer`` (raw answers, as :func:`~defidrill.protocol_terms.amounts.feed_bounds_raw`
    makes them: OCR's defaults stand for "unbounded")."""

    feed: str
    min_answer_raw: int
    max_answer_raw: int
    failure: str | None = None


@dataclass(frozen=True)
class SetSequencer:
    """Write the L2 sequencer uptime feed: answer 1 (down) or 0 (up), ``startedAt`` = ``at_s``.

    ``grace_s`` is the grace period the drill expects consumers to apply after it comes
    back up (None: the protocol's ``sequencer_grace``).
    """

    down: bool
    at_s: float
    grace_s: float | None = None


@dataclass(frozen=True)
class SpotManipulation:
    """The attacker's single transaction: flash-swap into ``pair`` (``size_usd`` of the base
    side, or until spot = reference x ``target_multiplier``), borrow ``borrow_usd``
    (None = the maximum the inflated price allows) against it, repay the swap, leave."""

    pair: str
    size_usd: float | None
    target_multiplier: float | None
    borrow_usd: float | None


@dataclass(frozen=True)
class SetFallbackDivergence:
    """From now on the fallback source for ``feed`` reports reference x (1 + ``divergence``);
    0.0 ends the divergence."""

    feed: str
    divergence: float


Action = Transmit | InjectRaw | SetFeedBounds | SetSequencer | SpotManipulation | SetFallbackDivergence

ACTION_ORDER: dict[type, int] = {
    SetSequencer: 0, SetFeedBounds: 1, Transmit: 2, InjectRaw: 2, SetFallbackDivergence: 3, SpotManipulation: 4,
}
