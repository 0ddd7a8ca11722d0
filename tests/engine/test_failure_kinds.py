"""Every failure kind on a real chain: a tiny drill per kind, asserted from its run folder.

Common world (``tiny_drill``): WETH at $3,000 and USDC, 30 s steps over 10 minutes
(steps 0..20), feed decimals 8, heartbeat 2 min, deviation 0.5%, guard max_staleness
3 min and max_jump 20%. Where a kind needs a moving market the path is
``RAMP``: flat until 1 min, then -10% linearly over 8 min, so
    ref(k) = 3000 - 18.75 (k - 2)   for 2 <= k <= 18, then 2,700.
Each step of the ramp moves 18.75 / ref >= 0.625% > 0.5%: a deviation round every step.
A failure window [at, at + for) covers steps ceil(at / 30) .. ceil((at + for) / 30) - 1.
The guard reads the step's first block (rows are observed after the feeder's round).
"""

from __future__ import annotations

import math

import pytest

from engine.conftest import DrillRun, RunFn, tiny_drill

pytestmark = pytest.mark.slow

STEP_S = 30
LAST_STEP = 20
START_USD = 3000.0
STALENESS_S = 180
RAMP = {"start": START_USD, "path": {"kind": "ramp", "at": "1m", "over": "8m", "change": "-10%"}}
FEED_SCALE = 10**8


def ramp_ref(k: int) -> float:
    t = k * STEP_S
    return START_USD * (1 - 0.10 * min(max((t - 60) / 480, 0.0), 1.0))


def with_failures(*failures: dict, weth: dict | None = None, **sections: object) -> dict:
    assets = {"WETH": weth if weth is not None else {"start": START_USD}, "USDC": 1}
    return tiny_drill(market={"assets": assets}, failures=list(failures), **sections)


def feed_rounds(run: DrillRun, symbol: str = "WETH") -> dict[int, int]:
    """step -> raw answer of every AnswerUpdated the feed emitted (the last one of a step)."""
    address = run.address(f"FEED_{symbol}_USD")
    return {e["step"]: e["args"]["current"] for e in run.events_named("AnswerUpdated", address=address)}


def test_stale_feed_ages_past_max_staleness_and_the_guard_refuses_it(run: RunFn) -> None:
    # stale from 1 min for 6 min: steps 2..13 send nothing. The last WETH round is step 0's
    # (the ramp moves from step 3 on, the 2 min heartbeats at steps 4, 8, 12 are suppressed).
    r = run(with_failures({"kind": "stale", "feed": "WETH", "at": "1m", "for": "6m"}, weth=RAMP), "stale")
    assert set(feed_rounds(r)) & set(range(1, 14)) == set()
    for k in range(0, 14):
        row = r.steps[k]
        assert row["feed_WETH_usd"] == START_USD
        assert row["feed_WETH_age_s"] == STEP_S * k
        stale = STEP_S * k > STALENESS_S  # the guard's rule: now - updatedAt > maxStaleness
        assert row["guard_WETH_rule"] == ("STALE" if stale else "OK"), k
        assert row["guard_WETH_usd"] == (0.0 if stale else START_USD)
        # USDC keeps its heartbeat (2 min < 3 min staleness): only the failed feed is refused.
        assert row["guard_USDC_rule"] == "OK"
    # Step 14: the window is over; 2,775 deviates 7.5% from the 3,000 on chain: a round at once.
    assert ramp_ref(14) == 2775.0
    assert feed_rounds(r)[14] == 2775 * FEED_SCALE
    assert (r.steps[14]["feed_WETH_usd"], r.steps[14]["feed_WETH_age_s"], r.steps[14]["guard_WETH_rule"]) == (2775.0, 0, "OK")


def test_frozen_feed_keeps_fresh_rounds_at_the_old_answer_while_the_market_moves(run: RunFn) -> None:
    # frozen at 1 min for 6 min (steps 2..13) at the last answer, 3,000: no deviation round, but the
    # 2 min heartbeat still lands rounds at t = 120, 240, 360 s (steps 4, 8, 12) with 3,000.
    r = run(with_failures({"kind": "frozen", "feed": "WETH", "at": "1m", "for": "6m"}, weth=RAMP), "frozen")
    rounds = feed_rounds(r)
    assert {k: v for k, v in rounds.items() if k < 14} == {0: 3000 * FEED_SCALE, 4: 3000 * FEED_SCALE,
                                                           8: 3000 * FEED_SCALE, 12: 3000 * FEED_SCALE}
    for k in range(0, 14):
        row = r.steps[k]
        last_round = max(s for s in rounds if s <= k)
        assert row["ref_WETH_usd"] == pytest.approx(ramp_ref(k))
        assert row["feed_WETH_usd"] == START_USD
        assert row["feed_WETH_age_s"] == STEP_S * (k - last_round) <= 90
        # Fresh rounds pass the staleness rule: the guard serves the wrong price.
        assert (row["guard_WETH_rule"], row["guard_WETH_usd"]) == ("OK", START_USD)
    # At step 13 the market is 6.9% below the price the pool uses.
    assert 1 - ramp_ref(13) / START_USD == pytest.approx(0.06875)
    assert rounds[14] == 2775 * FEED_SCALE


@pytest.mark.parametrize("kind, answer_usd", [("zero", 0.0), ("negative", -START_USD)])
def test_zero_and_negative_answers(run: RunFn, kind: str, answer_usd: float) -> None:
    # Flat market. The failure (2 min for 2 min: steps 4..7) injects one raw round at step 4; the
    # feeder compares later observations with that answer (0 -> 0 is no deviation; -3000 -> -3000 none
    # either) and the heartbeat is not due before step 8 (t - 120 >= 120). At step 8 the true
    # price deviates from the bad answer: a normal round.
    failure = {"kind": kind, "feed": "WETH", "at": "2m", "for": "2m"}
    guarded = run(with_failures(failure), f"{kind}-guarded")
    naive = run(with_failures(failure, protocol={"oracle": {"mode": "naive"}}), f"{kind}-naive")
    for r in (guarded, naive):
        injected = [e for e in r.events_named("RoundInjected")]
        assert [e["step"] for e in injected] == [4]
        assert feed_rounds(r)[4] == int(answer_usd) * FEED_SCALE
        assert feed_rounds(r)[8] == 3000 * FEED_SCALE
        assert [row["feed_WETH_usd"] for row in r.steps[4:8]] == [answer_usd] * 4
    for k in range(4, 8):
        g, n = guarded.steps[k], naive.steps[k]
        assert (g["guard_WETH_rule"], g["guard_WETH_usd"]) == ("NON_POSITIVE_ANSWER", 0.0)
        # The naive oracle accepts it (rule OK) and prices WETH at 0 (a negative answer reads as 0):
        # by the pool's own views every position is worth nothing (min HF 0)...
        assert (n["guard_WETH_rule"], n["guard_WETH_usd"]) == ("OK", 0.0)
        assert n["min_health_factor"] == 0.0
        # ... but the pool refuses a zero price (docs/lending.md: pricesOk false, transactions revert
        # OraclePriceUnavailable), so no account is flagged liquidatable, in either mode.
        assert n["accounts_below_1"] == 0 and g["accounts_below_1"] == 0
        assert g["min_health_factor"] == 0.0  # the guarded view counts a refused price as 0 too
    for r in (guarded, naive):
        assert r.steps[8]["guard_WETH_rule"] == "OK"  # a breaker ignores a non-positive previous round
        assert r.steps[8]["guard_WETH_usd"] == START_USD
        assert r.summary["onchain"]["liquidation_count"] == 0
        assert r.failed("liquidate") == []


def test_clamp_transmits_below_min_answer_revert_and_the_feed_sticks(run: RunFn) -> None:
    # minAnswer $2,900 from t = 0. ref(7) = 2,906.25 is the last answer in bounds; from step 8
    # (2,887.50) every step's round deviates from 2,906.25 and reverts on chain: steps 8..20.
    r = run(with_failures({"kind": "clamp", "feed": "WETH", "at": "0s", "min_answer": 2900}, weth=RAMP), "clamp")
    assert ramp_ref(7) == 2906.25 and ramp_ref(8) == 2887.5
    rejected = r.failed("transmit WETH")
    assert [e["step"] for e in rejected] == list(range(8, LAST_STEP + 1))
    for e in rejected:
        assert e["args"]["revert"] == "MedianNotInMinMax"
        args = e["args"]["revert_args"]
        assert args["answer"] == round(ramp_ref(e["step"]) * FEED_SCALE)
        assert (args["minAnswer"], e["address"].lower()) == (2900 * FEED_SCALE, r.address("FEED_WETH_USD").lower())
    assert r.summary["activity"]["rejected_transmits"] == 13
    for k in range(7, LAST_STEP + 1):
        row = r.steps[k]
        assert row["feed_WETH_usd"] == 2906.25
        assert row["feed_WETH_age_s"] == STEP_S * (k - 7)
        # Not at the bound (2,906.25 > 2,900, no buffer): only staleness catches the stuck feed.
        assert row["guard_WETH_rule"] == ("STALE" if STEP_S * (k - 7) > STALENESS_S else "OK"), k
    assert r.steps[LAST_STEP]["ref_WETH_usd"] == 2700.0


def test_delay_lands_each_answer_delay_steps_late(run: RunFn) -> None:
    # block_time 10 s: 3 blocks per 30 s step; 6 blocks of OSM delay = 2 steps. Rounds observed
    # at steps 3..18 (the ramp) land at 5..20 with the answer of their observation step.
    delay_steps = 2
    r = run(with_failures({"kind": "delay", "feed": "WETH", "at": "0s", "blocks": 6}, weth=RAMP,
                          chain={"block_time": "10s"}), "delay")
    rounds = feed_rounds(r)
    assert sorted(rounds) == [0, *range(3 + delay_steps, 19 + delay_steps)]
    for k in range(0, LAST_STEP + 1):
        row = r.steps[k]
        expected = ramp_ref(k - delay_steps) if k >= 3 + delay_steps else START_USD
        assert row["feed_WETH_usd"] == expected, k
        assert row["guard_WETH_rule"] == "OK"
    for k in range(3 + delay_steps, LAST_STEP + 1):
        # Every landed round looks fresh (age 0) though it is two steps old: the delay is invisible.
        assert r.steps[k]["feed_WETH_age_s"] == 0
        if k <= 18:
            assert r.steps[k]["ref_WETH_usd"] - r.steps[k]["feed_WETH_usd"] == pytest.approx(-2 * 18.75)


def test_spike_is_one_wrong_round_refused_by_the_jump_breaker(run: RunFn) -> None:
    # Flat 3,000; spike x1.5 at 2 min (step 4): one forced round at 4,500; step 5's observation
    # (3,000) deviates from it: back at once. The breaker compares each round with the previous:
    # 4,500 vs 3,000 is +50% > 20%, and 3,000 vs 4,500 is -33% > 20%, so it refuses both until
    # the next heartbeat round (t - 150 >= 120: step 9) compares 3,000 with 3,000.
    r = run(with_failures({"kind": "spike", "feed": "WETH", "at": "2m", "factor": 1.5}), "spike")
    rounds = feed_rounds(r)
    assert (rounds[4], rounds[5], rounds[9]) == (4500 * FEED_SCALE, 3000 * FEED_SCALE, 3000 * FEED_SCALE)
    assert set(rounds) & {1, 2, 3, 6, 7, 8} == set()
    assert [row["feed_WETH_usd"] for row in r.steps[3:7]] == [3000.0, 4500.0, 3000.0, 3000.0]
    for k in range(0, LAST_STEP + 1):
        refused = 4 <= k <= 8
        assert r.steps[k]["guard_WETH_rule"] == ("DEVIATION" if refused else "OK"), k
        assert r.steps[k]["guard_WETH_usd"] == (0.0 if refused else START_USD)


def test_wrong_decimals_scales_the_answer_the_guard_refuses_the_naive_pool_takes(run: RunFn) -> None:
    # decimals 18 on an 8-decimal feed at 2 min for 2 min (steps 4..7): answer x 10^10, one round
    # at step 4 (no further deviation inside the window), the true answer again at step 8.
    failure = {"kind": "wrong_decimals", "feed": "WETH", "at": "2m", "for": "2m", "decimals": 18}
    guarded = run(with_failures(failure), "decimals-guarded")
    naive = run(with_failures(failure, protocol={"oracle": {"mode": "naive"}}), "decimals-naive")
    scaled_raw = 3000 * FEED_SCALE * 10 ** (18 - 8)
    assert scaled_raw < 2**128  # so not ANSWER_OUT_OF_RANGE: the jump breaker is what catches it
    for r in (guarded, naive):
        assert feed_rounds(r)[4] == scaled_raw and feed_rounds(r)[8] == 3000 * FEED_SCALE
        assert set(feed_rounds(r)) & {5, 6, 7} == set()
        assert [row["feed_WETH_usd"] for row in r.steps[4:8]] == [3000.0 * 10**10] * 4
    for k in range(4, 8):
        assert (guarded.steps[k]["guard_WETH_rule"], guarded.steps[k]["guard_WETH_usd"]) == ("DEVIATION", 0.0)
        # The naive oracle normalises the raw answer with the feed's 8 decimals: $3e13 per WETH.
        assert naive.steps[k]["guard_WETH_rule"] == "OK"
        assert naive.steps[k]["guard_WETH_usd"] == pytest.approx(3000.0 * 10**10)
    # Back to 3,000 at step 8 is a -100% move from the previous round: refused until the heartbeat
    # round at step 12 (t - 240 >= 120) compares 3,000 with 3,000.
    assert [row["guard_WETH_rule"] for row in guarded.steps[8:13]] == ["DEVIATION"] * 4 + ["OK"]
    assert naive.steps[8]["guard_WETH_usd"] == START_USD


def test_sequencer_down_holds_every_agent_then_the_grace_period(run: RunFn) -> None:
    # Down at 2 min for 3 min (steps 4..9), grace 2 min: the sequencer's new round starts at step
    # 10's block; the guard refuses while now - startedAt <= 120 s (steps 10..14), OK from 15.
    # Borrowers at health 1.02..1.05 cross 1 (by reference) once the ramp is 4.8% down (step 10).
    drill = with_failures({"kind": "sequencer_down", "at": "2m", "for": "3m"}, weth=RAMP,
                          protocol={"oracle": {"sequencer_grace": "2m"}},
                          borrowers={"count": 5, "health": {"uniform": [1.02, 1.05]}})
    r = run(drill, "sequencer")
    sequencer = r.address("SEQUENCER_FEED").lower()
    for k, row in enumerate(r.steps):
        rule = "SEQUENCER_DOWN" if 4 <= k <= 9 else "SEQUENCER_GRACE_PERIOD" if 10 <= k <= 14 else "OK"
        assert row["guard_WETH_rule"] == rule and row["guard_USDC_rule"] == rule, k
    # While down, the only thing that lands is the sequencer's own status (step 4).
    during = [e for e in r.events if 4 <= e["step"] <= 9]
    assert during and {e["address"].lower() for e in during} == {sequencer}
    assert {e["step"] for e in during} == {4}
    assert [row["feed_WETH_usd"] for row in r.steps[4:10]] == [ramp_ref(3)] * 6
    assert all(row["arb_volume_usd"] == 0 for row in r.steps[4:10])
    # Back up at step 10: the feed jumps to the new price and the arbitrageur trades at once...
    assert r.steps[10]["feed_WETH_usd"] == ramp_ref(10)
    assert r.steps[10]["arb_volume_usd"] > 0
    # ... but nobody is liquidated before the grace period ends, though under water by reference.
    liquidation_steps = [e["step"] for e in r.events_named("Liquidation")]
    assert liquidation_steps and min(liquidation_steps) == 15
    assert max(row["accounts_below_1_ref"] for row in r.steps[10:15]) > 0


def test_spot_manipulation_inflates_amm_spot_borrows_and_leaves_bad_debt(run: RunFn) -> None:
    # amm_spot pool, WETH/USDC pair of $2M (1M USDC + 333.33 WETH), lenders supply 5M. At 2 min
    # the attacker buys WETH until the spot is 3x: base_in = R_b (sqrt(3) - 1) / 0.997, deposits
    # what it bought and borrows the LTV (80%) of it at the inflated spot.
    drill = with_failures({"kind": "spot_manipulation", "pair": "WETH/USDC", "at": "2m", "target": 3.0,
                           "borrow": "max"},
                          protocol={"oracle": {"mode": "amm_spot"}, "base_supply": "5M",
                                    "collateral": {"WETH": {"ltv": "80%", "liquidation_threshold": "85%",
                                                            "bonus": "5%"}}},
                          # A capital keeper: a flash keeper cannot fund a ~$400k repay from this $1M-a-side
                          # pair at a profit (the flash swap's price impact exceeds the 5% bonus).
                          keepers=[{"name": "desk", "mode": "capital", "capital_usd": "2M", "sell_seized": "never"}])
    r = run(drill, "spot")
    reserve_base_raw = 1_000_000 * 10**6
    reserve_asset_raw = 1_000_000 / 3000 * 1e18
    base_in = int(reserve_base_raw * (math.sqrt(3.0) - 1.0) * 1000 / 997)
    bought = 997 * base_in * reserve_asset_raw / (reserve_base_raw * 1000 + 997 * base_in)
    spot_after_usd = (reserve_base_raw + base_in) / 1e6 / ((reserve_asset_raw - bought) / 1e18)
    borrow_usd = bought / 1e18 * spot_after_usd * 0.80
    assert spot_after_usd / START_USD == pytest.approx(3.0, rel=0.01)  # the fee makes it a hair more

    [attack] = r.events_named("Attack", agent="attacker")
    assert attack["step"] == 4
    args = attack["args"]
    assert abs(args["baseInRaw"] - base_in) <= 1
    assert args["assetBoughtRaw"] == pytest.approx(bought, rel=1e-9)
    assert args["borrowedBaseRaw"] / 1e6 == pytest.approx(borrow_usd, rel=1e-6)
    attacker_account = r.contracts["agents"]["attacker_contract"].lower()
    borrows = [e for e in r.events_named("Borrow", agent="attacker")]
    assert len(borrows) == 1 and borrows[0]["step"] == 4
    # The attacker walks away with borrowed - spent; the collateral is worth ~bought x 3,000.
    assert borrow_usd - base_in / 1e6 > 250_000
    # The arbitrageur sells the spot back down the next step; the account is then far under water
    # (HF ~ 0.85 x 3000 / (0.8 x 3 x 3000) = 0.35); the keeper repays what the whole collateral
    # covers at the pool's price plus the 5% bonus, and the rest is written off.
    [liquidation] = r.events_named("Liquidation")
    assert str(liquidation["args"]["account"]).lower() == attacker_account
    k = liquidation["step"]
    pool_price_usd = r.steps[k]["guard_WETH_usd"]  # amm_spot: the pair's spot after the arbitrage
    assert pool_price_usd == pytest.approx(START_USD, rel=0.005)
    assert liquidation["args"]["seizedCollateral"] == args["assetBoughtRaw"]
    repaid_usd = bought / 1e18 * pool_price_usd / 1.05
    assert liquidation["args"]["repaidBase"] / 1e6 == pytest.approx(repaid_usd, rel=1e-6)
    [written_off] = r.events_named("BadDebtWrittenOff")
    assert str(written_off["args"]["account"]).lower() == attacker_account
    # Debt = borrow plus a few seconds of interest.
    assert written_off["args"]["amountBase"] / 1e6 == pytest.approx(borrow_usd - repaid_usd, rel=1e-5)
    assert r.summary["onchain"]["bad_debt_usd"] == pytest.approx(borrow_usd - repaid_usd, rel=1e-5)
    assert r.summary["onchain"]["liquidation_count"] == 1  # the honest borrowers are untouched


def test_fallback_divergence_guard_serves_the_diverged_fallback_when_the_primary_fails(run: RunFn) -> None:
    # Flat 3,000. The primary goes stale at 1 min for 6 min (steps 2..13) and the fallback reports
    # the reference x 0.9 over the same window. Primary age 30 k > 180 s from step 7: the guard
    # falls back to 2,700 until the primary's heartbeat round at step 14 (t - 0 >= 120).
    drill = with_failures({"kind": "stale", "feed": "WETH", "at": "1m", "for": "6m"},
                          {"kind": "fallback_divergence", "feed": "WETH", "at": "1m", "for": "6m",
                           "divergence": "-10%"})
    r = run(drill, "fallback")
    fallback = r.address("FALLBACK_FEED_WETH_USD")
    fallback_rounds = {e["step"]: e["args"]["current"] for e in r.events_named("AnswerUpdated", address=fallback)}
    assert fallback_rounds[2] == 2700 * FEED_SCALE and fallback_rounds[14] == 3000 * FEED_SCALE
    for k, row in enumerate(r.steps):
        on_fallback = 7 <= k <= 13
        assert row["guard_WETH_fallback"] == int(on_fallback), k
        assert row["guard_WETH_rule"] == ("STALE" if on_fallback else "OK"), k
        assert row["guard_WETH_usd"] == (2700.0 if on_fallback else START_USD), k
    # The FallbackUsed events are emitted only by transactions (getPrice); views show it in the rows.
