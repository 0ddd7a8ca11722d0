"""The Chainlink-style feeder: deviation, heartbeat, latency, rounding."""

from __future__ import annotations

from defidrill.drill import Transmit, build_paths, deviates, parse_drill, plan_actions
from defidrill.drill.feeder import FeedFeeder, FeedRules, NodeObservation, threshold_ppb


def transmits(plan, feed="X"):
    return [(k, a) for k, acts in enumerate(plan.steps) for a in acts if isinstance(a, Transmit) and a.feed == feed]


def drill(path: dict, oracle: dict | None = None, duration="2h", step="10s", start=100.0):
    return parse_drill({"market": {"step": step, "duration": duration,
                                   "assets": {"X": {"start": start, "path": path}, "USDC": 1}},
                        "protocol": {"oracle": oracle or {}}})


def test_deviation_exactly_at_threshold_triggers() -> None:
    ppb = threshold_ppb(0.005)
    assert ppb == 5_000_000
    old = 100_000_000
    assert deviates(old, 100_500_000, ppb)          # exactly +0.5%
    assert deviates(old, 99_500_000, ppb)           # exactly -0.5%
    assert not deviates(old, 100_499_999, ppb)      # one unit short
    assert not deviates(old, 99_500_001, ppb)
    assert deviates(0, 1, ppb) and not deviates(0, 0, ppb)


def test_deviation_round_on_the_path() -> None:
    # ramp -1% over 100 s on a 10 s grid: -0.1% per step; 0.5% is reached at step 5 after `at`.
    plan = plan_actions(d := drill({"kind": "ramp", "at": "100s", "over": "100s", "change": "-1%"}), build_paths(d))
    got = transmits(plan)
    assert [(k, a.reason) for k, a in got[:3]] == [(0, "initial"), (15, "deviation"), (20, "deviation")]
    assert got[1][1].answer_raw == 9_950_000_000


def test_heartbeat_rounds_on_a_flat_market() -> None:
    plan = plan_actions(d := drill({"kind": "constant"}, {"heartbeat": "30m"}), build_paths(d))
    assert [(k, a.reason) for k, a in transmits(plan)] == [(0, "initial"), (180, "heartbeat"), (360, "heartbeat"),
                                                          (540, "heartbeat"), (720, "heartbeat")]
    assert list(plan.updated_at_s["X"][[179, 180, 181]]) == [0.0, 1800.0, 1800.0]


def test_latency_delays_landing_not_observation() -> None:
    plan = plan_actions(d := drill({"kind": "step", "at": "100s", "change": "-5%"}, {"latency": "25s"}), build_paths(d))
    (k, action), = [(k, a) for k, a in transmits(plan) if a.reason == "deviation"]
    assert k == 13  # observed at step 10, 25 s -> 3 steps later
    assert action.observed_at_s == 100.0 and action.answer_raw == 95 * 10**8
    assert plan.answers_usd("X")[12] == 100.0 and plan.answers_usd("X")[13] == 95.0


def test_rejected_round_keeps_the_old_answer_and_retries() -> None:
    rules = FeedRules("X", heartbeat_s=3600, deviation=0.005, decimals=8, latency_steps=0, min_answer_raw=50)
    feeder = FeedFeeder(rules)
    feeder.observe(0, 0.0, NodeObservation(answer_raw=100))
    feeder.due(0, 0.0)
    for k in (1, 2):
        assert feeder.observe(k, 10.0 * k, NodeObservation(answer_raw=40)) == "deviation"
        (action,) = feeder.due(k, 10.0 * k)
        assert action.expect_rejected
    assert feeder.answers_raw == [100, 100, 100]


def test_feed_override_decimals_and_heartbeat() -> None:
    d = parse_drill({"market": {"duration": "1d", "step": "10m", "assets": {"USDC": 1}},
                     "protocol": {"oracle": {"feeds": {"USDC": {"heartbeat": "24h", "decimals": 6,
                                                                          "max_staleness": "25h"}}}}})
    plan = plan_actions(d, build_paths(d))
    assert [(k, a.answer_raw) for k, a in transmits(plan, "USDC")] == [(0, 1_000_000), (144, 1_000_000)]
