"""Each failure kind's schedule of actions, worked out by hand on a 10 s grid."""

from __future__ import annotations

from defidrill.drill import (
    InjectRaw, SetFallbackDivergence, SetFeedBounds, SetSequencer, SpotManipulation, Transmit, build_paths,
    parse_drill, plan_actions,
)

RAW_100 = 100 * 10**8  # $100 on an 8-decimal feed


def plan_for(failures: list[dict], path: dict | None = None, **protocol):
    d = parse_drill({
        "chain": {"block_time": "10s"},
        "market": {"step": "10s", "duration": "1h",
                   "assets": {"X": {"start": 100, "path": path or {"kind": "constant"}}, "USDC": 1}},
        "protocol": {"oracle": {"heartbeat": "10m", **protocol}},
        "amm": {"pairs": {"X/USDC": "1M"}},
        "failures": failures,
    })
    return plan_actions(d, build_paths(d))


def rounds(plan, feed="X"):
    return [(k, a) for k, acts in enumerate(plan.steps) for a in acts
            if isinstance(a, (Transmit, InjectRaw)) and a.feed == feed]


def test_stale_stops_rounds_in_the_window() -> None:
    plan = plan_for([{"kind": "stale", "feed": "X", "at": "5m", "for": "20m"}])
    steps = [k for k, _ in rounds(plan)]
    # heartbeat every 60 steps (10 m); the window is steps [30, 150), so the heartbeats due at 60 and
    # 120 are suppressed; at 150 the heartbeat is overdue and fires at once, then every 60 steps.
    assert steps == [0, 150, 210, 270, 330]
    assert plan.updated_at_s["X"][149] == 0.0


def test_frozen_keeps_updated_at_fresh_with_a_wrong_answer() -> None:
    plan = plan_for([{"kind": "frozen", "feed": "X", "at": "5m", "for": "30m", "value": 120}],
                    path={"kind": "step", "at": "10m", "change": "-20%"})
    got = [(k, a.answer_raw, a.failure) for k, a in rounds(plan)]
    assert got[:5] == [(0, RAW_100, None), (30, 120 * 10**8, "frozen"), (90, 120 * 10**8, "frozen"),
                       (150, 120 * 10**8, "frozen"), (210, 80 * 10**8, None)]


def test_zero_and_negative_are_raw_injections() -> None:
    plan = plan_for([{"kind": "zero", "feed": "X", "at": "1m", "for": "1m"},
                     {"kind": "negative", "feed": "X", "at": "5m", "for": "1m"}])
    got = [(k, type(a).__name__, a.answer_raw) for k, a in rounds(plan)][:5]
    assert got == [(0, "Transmit", RAW_100), (6, "InjectRaw", 0), (12, "Transmit", RAW_100),
                   (30, "InjectRaw", -RAW_100), (36, "Transmit", RAW_100)]
    inject = rounds(plan)[1][1]
    assert (inject.started_at_s, inject.updated_at_s, inject.answered_in_round_offset) == (60.0, 60.0, 0)


def test_clamp_sets_bounds_and_marks_attempts_below_them() -> None:
    plan = plan_for([{"kind": "clamp", "feed": "X", "at": "0s", "min_answer": 90}],
                    path={"kind": "ramp", "at": "1m", "over": "10m", "change": "-20%"})
    assert plan.steps[0][0] == SetFeedBounds("X", 90 * 10**8, 2**191 - 1, "clamp")  # maxAnswer stays int192 max
    attempts = rounds(plan)
    accepted = [a.answer_raw for _, a in attempts if not a.expect_rejected]
    rejected = [a.answer_raw for _, a in attempts if a.expect_rejected]
    assert min(accepted) >= 90 * 10**8 and rejected and max(rejected) < 90 * 10**8
    # the feed stays at its last in-bounds answer while the market goes through the bound
    assert plan.answers_usd("X")[-1] >= 90.0 and plan.answers_usd("X")[-1] < 90.5


def test_delay_lands_rounds_blocks_later() -> None:
    plan = plan_for([{"kind": "delay", "feed": "X", "at": "0s", "blocks": 30}],
                    path={"kind": "step", "at": "2m", "change": "-10%"})
    k, action = next((k, a) for k, a in rounds(plan) if a.answer_raw == 90 * 10**8)
    assert (k, action.observed_at_s) == (12 + 30, 120.0)
    assert plan.answers_usd("X")[41] == 100.0


def test_spike_is_one_wrong_round() -> None:
    plan = plan_for([{"kind": "spike", "feed": "X", "at": "2m", "factor": 1.3}])
    got = [(k, a.answer_raw, a.reason) for k, a in rounds(plan)][:3]
    assert got == [(0, RAW_100, "initial"), (12, 130 * 10**8, "failure"), (13, RAW_100, "deviation")]


def test_wrong_decimals_scales_the_answer() -> None:
    plan = plan_for([{"kind": "wrong_decimals", "feed": "X", "at": "1m", "for": "1m", "decimals": 18}])
    got = [(k, a.answer_raw) for k, a in rounds(plan)][:3]
    assert got == [(0, RAW_100), (6, RAW_100 * 10**10), (12, RAW_100)]


def test_sequencer_down_then_up_and_no_rounds_meanwhile() -> None:
    plan = plan_for([{"kind": "sequencer_down", "at": "5m", "for": "20m", "grace": "1h"}])
    assert plan.steps[30][0] == SetSequencer(down=True, at_s=300.0, grace_s=3600.0)
    assert plan.steps[150][0] == SetSequencer(down=False, at_s=1500.0, grace_s=3600.0)
    assert [k for k, _ in rounds(plan) if 30 <= k < 150] == []
    assert [k for k, _ in rounds(plan, "USDC") if 30 <= k < 150] == []


def test_spot_manipulation_action() -> None:
    plan = plan_for([{"kind": "spot_manipulation", "pair": "X/USDC", "at": "3m", "target": 3, "borrow": "250k"}])
    assert plan.steps[18][-1] == SpotManipulation("X/USDC", None, 3.0, 250_000.0)
    assert sum(isinstance(a, SpotManipulation) for acts in plan.steps for a in acts) == 1


def test_fallback_divergence_opens_and_closes() -> None:
    plan = plan_for([{"kind": "fallback_divergence", "feed": "X", "at": "1m", "for": "2m", "divergence": "-7%"}])
    assert SetFallbackDivergence("X", -0.07) in plan.steps[6]
    assert SetFallbackDivergence("X", 0.0) in plan.steps[18]


def test_keeper_offline_window() -> None:
    d = parse_drill({"market": {"assets": {"X": 1, "USDC": 1}},
                     "keepers": [{"name": "k", "offline": [{"at": "10m", "for": "5m"}]}]})
    keeper = d.keepers[0]
    assert [keeper.is_offline(t) for t in (599, 600, 899, 900)] == [False, True, True, False]
