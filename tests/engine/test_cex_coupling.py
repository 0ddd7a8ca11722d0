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
