"""``cex.coupling: cex_leads`` carries a CEX-only cascade to on-chain liquidations (issue 5).

One drill, run twice with the same seed, only ``cex.coupling`` differs. The reference path
dips 2% (3,000 -> 2,940 between 1 and 3 minutes). Borrowers start at health 1.04..1.06, so
an account is liquidatable only below 3,000 / h >= 2,830: the reference alone liquidates
nobody (its lowest health is 1.04 x 0.98 = 1.019).
The CEX book is thin ($20M within 1%) and every position is a 50-100x long marked to the
last trade: the 2% dip liquidates longs, their market sells walk the book, the traded
price falls far below the reference (the cascade), and the mark follows it down.
With ``cex_leads`` the oracle feeder and the arbitrageur follow that traded price, so
the chain sees the CEX's drop and liquidates; with ``none`` it sees only the 2% dip.
"""

from __future__ import annotations

import csv

import pytest

from engine.conftest import DrillRun, RunFn, tiny_drill

pytestmark = pytest.mark.slow

START_USD = 3000.0
HEALTH = (1.04, 1.06)


def coupled_drill(coupling: str) -> dict:
    return tiny_drill(
        market={"assets": {"WETH": {"start": START_USD,
                                    "path": {"kind": "ramp", "at": "1m", "over": "2m", "change": "-2%"}},
                           "USDC": 1}},
        amm={"pairs": {"WETH/USDC": "20M"}},
        borrowers={"count": 8, "size_usd": 20_000, "health": {"uniform": list(HEALTH)}},
        cex={"enabled": True, "asset": "WETH", "coupling": coupling, "mark": "last_trade",
             "positions": {"count": 5000, "notional_usd": {"lognormal": {"median": "20k", "sigma": 0.5}},
                           "leverage": {"choice": [50, 100]}, "long_share": "100%"},
             "book": {"depth_usd_at_1pct": "20M", "resiliency": "5%"}},
    )


def cex_last_prices(run: DrillRun) -> list[float]:
    with open(run.run_dir / "cex_steps.csv", newline="") as fh:
        return [float(row["last_price_usd"]) for row in csv.DictReader(fh)]


def test_cex_leads_carries_a_cex_only_cascade_to_onchain_liquidations(run: RunFn) -> None:
    none = run(coupled_drill("none"), "coupling-none", seed=3)
    leads = run(coupled_drill("cex_leads"), "coupling-cex-leads", seed=3)

    # Both venues' CEX sides see the same index path and the same positions: the same cascade.
    assert none.summary["cex"]["liquidation_count"] == leads.summary["cex"]["liquidation_count"] > 0
    traded = cex_last_prices(leads)
    assert traded == pytest.approx(cex_last_prices(none))
    liquidatable_below_usd = START_USD / HEALTH[1]  # 2,830.19: every account is liquidatable below it
    assert min(traded) < liquidatable_below_usd < START_USD * 0.98

    # Uncoupled: the chain sees the reference path; its lowest price 2,940 leaves every HF >= 1.019.
    assert min(none.col("ref_WETH_usd")) == pytest.approx(START_USD * 0.98)
    assert min(none.col("feed_WETH_usd")) >= START_USD * 0.98 - 1e-9
    assert min(none.col("min_health_factor")) >= HEALTH[0] * 0.98 * (1 - 1e-5)
    assert none.summary["onchain"]["liquidation_count"] == 0
    assert max(none.col("accounts_below_1")) == 0

    # cex_leads: the chain's reference is the CEX traded price, step by step ...
    assert leads.col("ref_WETH_usd") == pytest.approx(traded)
    # ... the feed follows it (a deviation round whenever it moves >= 0.5%) ...
    low = min(range(len(traded)), key=lambda k: traded[k])
    assert leads.steps[low]["feed_WETH_usd"] == pytest.approx(traded[low], rel=0.005)
    # ... and every account, liquidatable below 2,830, is liquidated on chain.
    assert leads.summary["onchain"]["liquidation_count"] >= 8
    liquidated = {str(e["args"]["account"]).lower() for e in leads.events_named("Liquidation")}
    assert len(liquidated) == 8
    first = min(e["step"] for e in leads.events_named("Liquidation"))
    assert traded[first] < liquidatable_below_usd


# ------------------------------------------------------------------ two_way
# The same arbitrageur bridges both venues: capacity $500k per step, latency 1 step, acting
# above a 0.3% gap (tiny_drill keeps the ArbitrageConfig defaults).

def cex_column(run: DrillRun, name: str) -> list[float]:
    with open(run.run_dir / "cex_steps.csv", newline="") as fh:
        return [float(row[name]) for row in csv.DictReader(fh)]


def test_two_way_carries_a_cex_only_cascade_to_the_chain(run: RunFn) -> None:
    none = run(coupled_drill("none"), "two-way-control", seed=3)
    both = run(coupled_drill("two_way"), "two-way-cex-shock", seed=3)
    traded = cex_last_prices(both)
    # The chain follows the CEX's traded price (as with cex_leads) and liquidates every account ...
    assert both.col("ref_WETH_usd") == pytest.approx(traded)
    assert none.summary["onchain"]["liquidation_count"] == 0
    liquidated = {str(e["args"]["account"]).lower() for e in both.events_named("Liquidation")}
    assert len(liquidated) == 8
    # The AMM lags the CEX's fall (the chain's arbitrageur moves it $500k a step): while it is rich,
    # the arbitrageur's CEX leg BUYS there, one step after it saw the gap.
    flows = cex_column(both, "arb_flow_btc")
    first_flow = next(k for k, f in enumerate(flows) if f != 0.0)
    assert flows[first_flow] > 0
    assert all(abs(flows[k]) * traded[k - 1] <= 500_000 * (1 + 1e-9) for k in range(1, len(flows)))
    c = both.summary["coupling"]
    assert c["cex_drop_from_chain_pct"] == pytest.approx(
        max(0.0, 100 * (min(cex_last_prices(none)) - min(traded)) / START_USD), abs=1e-9)
    assert c["mode"] == "two_way" and c["exogenous_low_usd"] == pytest.approx(START_USD * 0.98)
    assert c["cex_alone_low_usd"] == pytest.approx(min(cex_last_prices(none)))
    assert c["cex_low_usd"] == pytest.approx(min(traded))
    # The AMM's drop from the CEX: the CEX's own cascade (its low alone below the exogenous 2,940),
    # in % of the start, at most the AMM's drop.
    amm_drop = c["amm_drop_pct"]
    alone_low = min(cex_last_prices(none))
    assert c["amm_drop_from_cex_pct"] == pytest.approx(min(amm_drop, 100 * (START_USD * 0.98 - alone_low) / START_USD))
    assert c["amm_drop_from_cex_pct"] > 2.0


def chain_shock_drill(coupling: str) -> dict:
    """A flat market; the WETH feed prints 15% low once at 1 min (a chain-only shock): every account
    (liquidatable below 3,000 / 1.06 = 2,830) is liquidated at 2,550 and flash keepers sell the
    seized WETH into the $2M pair: the AMM falls while the index never moves."""
    return tiny_drill(
        market={"assets": {"WETH": {"start": START_USD}, "USDC": 1}},
        borrowers={"count": 8, "size_usd": 20_000, "health": {"uniform": list(HEALTH)}},
        failures=[{"kind": "spike", "feed": "WETH", "at": "1m", "factor": 0.85}],
        cex={"enabled": True, "asset": "WETH", "coupling": coupling, "mark": "last_trade",
             "positions": {"count": 2000, "notional_usd": {"lognormal": {"median": "5k", "sigma": 0.5}},
                           "leverage": {"choice": [2, 3]}, "long_share": "50%"},
             "book": {"depth_usd_at_1pct": "5M", "resiliency": "5%"}},
    )


def test_two_way_carries_a_chain_only_shock_to_the_cex_last_price(run: RunFn) -> None:
    none = run(chain_shock_drill("none"), "chain-shock-none", seed=4)
    both = run(chain_shock_drill("two_way"), "chain-shock-two-way", seed=4)
    # Uncoupled: nothing trades on the CEX, its last price is the flat index.
    assert cex_last_prices(none) == [START_USD] * len(none.steps)
    # Coupled: the chain liquidates on the spike and its keepers' sells take the AMM down ...
    first_liq = min(e["step"] for e in both.events_named("Liquidation"))
    amm = both.col("amm_WETH_usd")
    assert min(amm) < START_USD * (1 - 0.003)
    # ... the arbitrageur sells the gap on the CEX one step later (latency 1) ...
    flows = cex_column(both, "arb_flow_btc")
    first_flow = next(k for k, f in enumerate(flows) if f != 0.0)
    assert first_flow >= first_liq + 1 and flows[first_flow] < 0
    # ... at most the capacity ($500k at the CEX price it saw, the step before) ...
    last = cex_last_prices(both)
    assert all(abs(flows[k]) * last[k - 1] <= 500_000 * (1 + 1e-9) for k in range(1, len(flows)))
    # ... and the CEX's last price falls though its index never moved.
    assert cex_column(both, "index_price_usd") == [START_USD] * len(last)
    assert last[first_flow] < START_USD * (1 - 0.0005)
    c = both.summary["coupling"]
    assert c["cex_alone_low_usd"] == START_USD and c["exogenous_low_usd"] == START_USD
    assert c["cex_drop_from_chain_pct"] == pytest.approx(100 * (START_USD - min(last)) / START_USD)
    assert c["cex_drop_from_chain_pct"] > 0.05
    assert c["amm_drop_from_cex_pct"] == 0.0
    assert c["arb_flow_to_cex_btc"] == pytest.approx(sum(flows))
