"""Feeds we did not deploy, under drill control: takeover by ``anvil_setCode`` and control by address."""

from defidrill.protocol.feeds.takeover import (
    FeedFacts,
    TakenOver,
    check_aggregator,
    take_over_feed,
    take_over_sequencer,
)

__all__ = ["FeedFacts", "TakenOver", "check_aggregator", "take_over_feed", "take_over_sequencer"]
