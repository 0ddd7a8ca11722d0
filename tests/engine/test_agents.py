"""Agents on a real chain against hand-computed expectations, in tiny worlds.

The world is ``tiny_drill`` (WETH $3,000 / USDC, 30 s steps, 10 minutes; LT 80%, bonus 5%).
Where a crash is needed, WETH steps down at 2 min (step 4): the feed's deviation round lands
in step 4's first block, the step's scan sees it, keepers act in step 4's second block.
Borrower positions come from the drill's population draw (``draw_population``, the same
seeded draw the run uses): collateral raw = usd / 3000 x 1e18, debt raw = usd x 1e6.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from defidrill.drill import load_drill
from defidrill.drill.population import BorrowerPlan, draw_population
from engine.conftest import DrillRun, RunFn, tiny_drill

pytestmark = pytest.mark.slow

WAD = 10**18
START_USD = 3000.0
LT = 0.80
BONUS = 0.05


def crash(change: str) -> dict:
    return {"market": {"assets": {"WETH": {"start": START_USD, "path": {"kind": "step", "at": "2m", "change": change}},
                                  "USDC": 1}}}


def population(run: DrillRun) -> dict[str, BorrowerPlan]:
    """The run's borrowers by lower-case address (the drill file as run, same seed)."""
    drill = load_drill(run.run_dir / "drill.yaml")
    return {b.address.lower(): b for b in draw_population(drill)}


def interest_growth(run: DrillRun, plans: dict[str, BorrowerPlan], step: int) -> float:
    """Debt at ``step`` / debt at seeding: the run starts a day after its genesis (engine.chain_setup.START_OFFSET_S),
    so the borrow index has grown by a day of interest. Read from the pool's total borrow at a
    step before any repayment, it scales every seeded debt alike."""
    return run.steps[step]["total_debt_usd"] / sum(p.debt_usd for p in plans.values())


def debt_raw(plan: BorrowerPlan) -> int:
    return int((Decimal(str(plan.debt_usd)) * 10**6).to_integral_value())


def collateral_raw(plan: BorrowerPlan, price_usd: float = START_USD) -> int:
    return int((Decimal(str(plan.collateral_usd)) / Decimal(str(price_usd)) * 10**18).to_integral_value())


# ---- keepers -----------------------------------------------------------------------------


def test_close_factor_half_above_095_full_at_or_below(run: RunFn) -> None:
    # -15% at step 4: HF = h x 0.85 for h in [1.02, 1.2] -> [0.867, 1.02]; h < 1.1176 gives
    # HF <= 0.95 (full close), above it half. Collateral always covers repay x 1.05 (HF > 0.84).
    r = run(tiny_drill(**crash("-15%"), borrowers={"count": 12, "size_usd": 20_000,
                                                   "health": {"uniform": [1.02, 1.2]}}), "close-factor")
    plans = population(r)
    growth = interest_growth(r, plans, 3)
    assert 1.0 <= growth < 1.001
    liquidations = r.events_named("Liquidation")
    assert liquidations
    repaid_so_far: dict[str, int] = {}
    kinds = set()
    for e in liquidations:
        a = e["args"]
        account = str(a["account"]).lower()
        plan = plans[account]
        hf = a["healthFactorBeforeWad"] / WAD
        # The health factor the pool saw is the drawn health x 0.85 (interest: a few seconds).
        if account not in repaid_so_far:
            assert hf == pytest.approx(plan.health * 0.85 / growth, rel=1e-6)
        close = 1.0 if hf <= 0.95 else 0.5
        kinds.add(close)
        debt_before = debt_raw(plan) * growth - repaid_so_far.get(account, 0)
        assert a["repaidBase"] == pytest.approx(close * debt_before, rel=1e-6), (hf, close)
        price_usd = r.steps[e["step"]]["guard_WETH_usd"]
        assert price_usd == pytest.approx(START_USD * 0.85)
        # seized = repaid (USD) / price x (1 + bonus), in WETH wei
        assert a["seizedCollateral"] == pytest.approx(a["repaidBase"] / 1e6 / price_usd * (1 + BONUS) * 1e18, rel=1e-9)
        repaid_so_far[account] = repaid_so_far.get(account, 0) + a["repaidBase"]
    assert kinds == {0.5, 1.0}  # the draw gives both sides of the 0.95 threshold
    # Every account whose drawn health x 0.85 < 1 was liquidated; no other.
    expected = {a for a, p in plans.items() if p.health * 0.85 / growth < 1}
    assert set(repaid_so_far) == expected


def test_two_keepers_in_one_block_the_higher_gas_bid_wins_the_loser_pays(run: RunFn) -> None:
    # -15% with health in [1.02, 1.08]: every HF in [0.867, 0.918] <= 0.95, so the first liquidation
    # closes the whole debt and the second keeper's transaction for the same account reverts.
    # The richer bidder is listed SECOND, so its transactions arrive later in the batch:
    # only the tip can put it first.
    keepers = [{"name": "cheap", "mode": "flash", "gas_bid": "1 gwei"},
               {"name": "rich", "mode": "flash", "gas_bid": "5 gwei"}]
    r = run(tiny_drill(**crash("-15%"), keepers=keepers,
                       borrowers={"count": 6, "health": {"uniform": [1.02, 1.08]}}), "race")
    liquidations = r.events_named("Liquidation")
    assert len(liquidations) == 6 and {e["agent"] for e in liquidations} == {"keeper:rich"}
    assert {e["step"] for e in liquidations} == {4}
    lost = r.failed("liquidate")
    assert len(lost) == 6 and {e["agent"] for e in lost} == {"keeper:cheap"}
    assert {e["args"]["revert"] for e in lost} == {"HealthyAccount"}  # no debt left: HF = max
    onchain = r.summary["onchain"]
    assert onchain["failed_liquidation_txs"] == 6
    by_keeper = onchain["liquidations_by_keeper"]
    assert (by_keeper["keeper:rich"]["count"], by_keeper["keeper:rich"]["failed_txs"]) == (6, 0)
    assert (by_keeper["keeper:cheap"]["count"], by_keeper["keeper:cheap"]["failed_txs"]) == (0, 6)
    # The loser paid for its reverted transactions (at least its 1 gwei tip on the gas used), and
    # that gas is in the keepers' total.
    lost_fee_eth = 0.0
    for e in lost:
        assert e["args"]["gas_used"] > 0 and e["args"]["fee_wei"] >= e["args"]["gas_used"] * 10**9
        lost_fee_eth += e["args"]["fee_wei"] / 1e18
    assert onchain["keeper_gas_eth"] > lost_fee_eth > 0
    assert r.steps[4]["failed_liquidations"] == 6


#: A deep pair for the timing tests: flash liquidations of ~$15k then move its price by ~0.3%, so
#: several fit in one block (in a $2M pair each one's price impact eats the 5% bonus, and the
#: keeper's later transactions in the same block revert SeizedBelowRepayment).
DEEP_POOL = {"pairs": {"WETH/USDC": "20M"}}


def test_keeper_latency_acts_latency_steps_after_the_breach(run: RunFn) -> None:
    # block_time 10 s -> 3 blocks per 30 s step; latency 4 blocks = ceil(4 / 3) = 2 steps.
    r = run(tiny_drill(**crash("-15%"), chain={"block_time": "10s"}, amm=DEEP_POOL,
                       keepers=[{"name": "slow", "mode": "flash", "latency": "4 blocks"}],
                       borrowers={"count": 5, "health": {"uniform": [1.02, 1.08]}}), "latency")
    breach = next(k for k, row in enumerate(r.steps) if row["accounts_below_1"] > 0)
    assert breach == 4
    steps = sorted({e["step"] for e in r.events_named("Liquidation")})
    assert steps == [breach + 2]
    assert r.summary["onchain"]["first_liquidation_delay_s"] == pytest.approx(2 * 30 + 1, abs=1.01)


def test_keeper_offline_window(run: RunFn) -> None:
    # Offline from 1 min for 3 min: t in [60, 240) -> steps 2..7. The breach at step 4 waits to step 8.
    r = run(tiny_drill(**crash("-15%"), amm=DEEP_POOL,
                       keepers=[{"name": "k", "mode": "flash", "offline": [{"at": "1m", "for": "3m"}]}],
                       borrowers={"count": 5, "health": {"uniform": [1.02, 1.08]}}), "offline")
    assert [row["accounts_below_1"] > 0 for row in r.steps[3:9]] == [False] + [True] * 5
    assert sorted({e["step"] for e in r.events_named("Liquidation")}) == [8]
    assert all(e["step"] >= 8 for e in r.events if e["agent"].startswith("keeper:"))


# ---- borrowers ---------------------------------------------------------------------------


def test_borrower_top_up_restores_the_target_health(run: RunFn) -> None:
    # -10% at step 4: HF = h x 0.9 for h in [1.1, 1.3] -> [0.99, 1.17]. Reactive borrowers (all)
    # below 1.1 (h < 1.2222) start their clock at step 4 and top up after 1 min (2 steps), at
    # step 6, adding (1.4 x debt - liquidation value) / (price x LT) WETH.
    # Keepers are kept away (offline) so the accounts below 1 are still there to defend.
    r = run(tiny_drill(**crash("-10%"),
                       borrowers={"count": 8, "health": {"uniform": [1.1, 1.3]},
                                  "reaction": {"probability": 1.0, "delay": "1m", "action": "top_up",
                                               "when_health_below": 1.1, "target_health": 1.4}},
                       keepers=[{"name": "k", "mode": "flash", "offline": [{"at": "0s", "for": "10m"}]}]),
            "top-up")
    plans = population(r)
    growth = interest_growth(r, plans, 3)
    price_usd = START_USD * 0.9
    deposits = [e for e in r.events_named("CollateralDeposited") if e["agent"].startswith("borrower:")]
    topped = {str(e["args"]["account"]).lower(): e for e in deposits}
    expected = {a for a, p in plans.items() if p.health * 0.9 / growth < 1.1}
    assert topped and set(topped) == expected
    for account, e in topped.items():
        plan = plans[account]
        assert e["step"] == 6
        before = collateral_raw(plan)
        added = e["args"]["amountRaw"]
        # By hand: the top-up the formula asks for ...
        debt_usd = plan.debt_usd * growth
        want_add = (1.4 * debt_usd - before / 1e18 * price_usd * LT) / (price_usd * LT)
        assert added / 1e18 == pytest.approx(want_add, rel=1e-6)
        # ... brings the health factor to the target, within rounding (and seconds of interest).
        hf_after = (before + added) / 1e18 * price_usd * LT / debt_usd
        assert hf_after == pytest.approx(1.4, rel=1e-6)
    assert r.summary["activity"]["borrower_reactions"] == len(expected)
    # After the top-ups the lowest health among all accounts is min(1.4, untouched h x 0.9).
    untouched = [p.health * 0.9 / growth for a, p in plans.items() if a not in expected]
    assert r.steps[7]["min_health_factor"] == pytest.approx(min([1.4, *untouched]), rel=1e-6)


# ---- arbitrageur and liquidity providers -------------------------------------------------


def _input_to_reach_price(reserve_in: int, reserve_out: int, target_out_per_in: float) -> float:
    """Constant product, fee on the input: sell dx so (r_out k / (r_in + dx)^2 ...) hits the target.
    Without the fee the new input reserve is sqrt(k / target); the fee makes the input 1/0.997 larger."""
    k = reserve_in * reserve_out
    return (math.sqrt(k / target_out_per_in) - reserve_in) / 0.997


def _amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    return amount_in * 997 * reserve_out // (reserve_in * 1000 + amount_in * 997)


def test_arbitrageur_moves_the_amm_by_the_constant_product_amount_within_capacity(run: RunFn) -> None:
    # WBTC -1% and WETH -5% at 2 min; arbitrage latency 1 step: at step 5 it targets step 4's
    # reference. Capacity $15k per pair per step: WBTC needs ~$5k (uncapped), WETH ~$25k (capped).
    drill = tiny_drill(
        market={"assets": {"WBTC": {"start": 60_000, "path": {"kind": "step", "at": "2m", "change": "-1%"}},
                           "WETH": {"start": START_USD, "path": {"kind": "step", "at": "2m", "change": "-5%"}},
                           "USDC": 1}},
        protocol={"collateral": {"WBTC": {"ltv": "70%", "liquidation_threshold": "78%", "bonus": "6%"}}},
        amm={"pairs": {"WBTC/USDC": "2M", "WETH/USDC": "2M"}},
        arbitrage={"capacity_usd_per_step": "15k", "latency": "1 step"},
    )
    r = run(drill, "arbitrage")
    swaps = [e for e in r.events_named("Swap") if e["agent"] == "arbitrageur"]
    syncs = [e for e in r.events_named("Sync") if e["agent"] == "arbitrageur"]
    assert swaps and min(e["step"] for e in swaps) == 5
    pairs = {"WBTC": r.address("PAIR_WBTC_USDC").lower(), "WETH": r.address("PAIR_WETH_USDC").lower()}
    tokens = {s: r.address(s).lower() for s in ("WBTC", "WETH", "USDC")}

    def first(events: list[dict], sym: str) -> dict:
        return next(e for e in events if e["address"].lower() == pairs[sym])

    # Reserves at the start, from the drill: $1M a side at the start prices.
    start = {"WBTC": (int(Decimal(1_000_000) / Decimal(60_000) * 10**8 + Decimal("0.5")), 10**12),
             "WETH": (int(Decimal(1_000_000) / Decimal(3000) * 10**18 + Decimal("0.5")), 10**12)}
    decimals = {"WBTC": 8, "WETH": 18}
    target_usd = {"WBTC": 60_000 * 0.99, "WETH": 3000 * 0.95}
    for sym in ("WBTC", "WETH"):
        asset_raw, base_raw = start[sym]
        swap, sync = first(swaps, sym), first(syncs, sym)
        assert swap["step"] == sync["step"] == 5
        asset_is_0 = tokens[sym] < tokens["USDC"]
        amount_in = swap["args"]["amount0In" if asset_is_0 else "amount1In"]  # the arbitrageur sells the asset
        target_base_per_asset_raw = target_usd[sym] * 10**6 / 10 ** decimals[sym]
        uncapped = _input_to_reach_price(asset_raw, base_raw, target_base_per_asset_raw)
        cap = 15_000 / target_usd[sym] * 10 ** decimals[sym]
        if sym == "WBTC":
            assert uncapped < cap and amount_in == pytest.approx(uncapped, rel=1e-9, abs=2)
        else:
            assert uncapped > cap and amount_in == pytest.approx(cap, rel=1e-9, abs=2)
        out = _amount_out(amount_in, asset_raw, base_raw)
        after = (asset_raw + amount_in, base_raw - out)
        reserves = (sync["args"]["reserve0"], sync["args"]["reserve1"])
        assert reserves == (after if asset_is_0 else after[::-1])
        spot_usd = after[1] / 1e6 / (after[0] / 10 ** decimals[sym])
        if sym == "WBTC":  # reached the target; the fee on the input overshoots it by < 0.3%
            assert 0.997 <= spot_usd / target_usd[sym] <= 1.0
        else:  # capped: still above the target
            assert spot_usd > target_usd[sym] * 1.003
    weth_volumes = [e for e in swaps if e["address"].lower() == pairs["WETH"]]
    assert len(weth_volumes) >= 2  # the capped pair takes more than one step
    assert max(row["arb_volume_usd"] for row in r.steps) <= 2 * 15_000 + 1


def test_lp_withdrawal_burns_the_configured_fraction_at_its_time(run: RunFn) -> None:
    # 40% of the LP's tokens at 1 min (step 2). The LP minted sqrt(x y) - 1000 (Uniswap V2's
    # MINIMUM_LIQUIDITY stays locked); burning L of supply S pays reserve x L / S of each side.
    r = run(tiny_drill(amm={"pairs": {"WETH/USDC": "2M"}, "lps": {"withdraw": "40%", "at": "1m"}},
                       arbitrage={"enabled": False}), "lp")
    weth_raw = int(Decimal(1_000_000) / Decimal(3000) * 10**18 + Decimal("0.5"))
    usdc_raw = 10**12
    supply = math.isqrt(weth_raw * usdc_raw)
    lp_tokens = supply - 1000
    burned = int(lp_tokens * 0.4)
    [burn] = [e for e in r.events_named("Burn") if e["agent"] == "lp"]
    assert burn["step"] == 2
    pair = r.address("PAIR_WETH_USDC").lower()
    [to_pair] = [e for e in r.events_named("Transfer", agent="lp") if e["address"].lower() == pair
                 and str(e["args"]["to"]).lower() == pair]
    assert to_pair["args"]["value"] == burned
    weth_is_0 = r.address("WETH").lower() < r.address("USDC").lower()
    weth_out, usdc_out = (burn["args"]["amount0"], burn["args"]["amount1"])
    if not weth_is_0:
        weth_out, usdc_out = usdc_out, weth_out
    assert (weth_out, usdc_out) == (weth_raw * burned // supply, usdc_raw * burned // supply)
    assert [row["lp_withdrawn_pct"] for row in r.steps[1:4]] == [0.0, 40.0, 40.0]
    assert r.steps[2]["amm_WETH_base_reserve_usd"] == pytest.approx((usdc_raw - usdc_out) / 1e6)
    assert r.steps[2]["amm_WETH_base_reserve_usd"] == pytest.approx(600_000, rel=1e-9)
    assert len([e for e in r.events if e["event"] == "Burn"]) == 1  # once only
