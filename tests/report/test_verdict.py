"""The verdict paragraph on hand-built summaries: each expected fragment worked out by hand below.

The base case: WBTC's reference 60,000 -> 55,200 (-8 %) over a 60-minute drill. On chain the first
account breaches at 1,500 s (25 min), 12 liquidations from 1,530 s (25.5 min) repay $250,000 of
$5,000,000 borrowed (5 %). At the CEX 400 of 2,000 positions go at mark for $6,000,000 of $40,000,000
open interest (15 %), the first at 1,220 s (20.33 min -> "20.3 min"). AMM LPs take in $300,000 net,
$240,000 of it from keepers.
"""

from __future__ import annotations

import copy
from typing import Any

from defidrill.report.verdict import verdict_paragraph, verdict_sentences

BASE: dict[str, Any] = {
    "duration_s": 3600.0,
    "onchain": {
        "liquidation_count": 12, "first_breach_s": 1500.0, "first_liquidation_s": 1530.0,
        "liquidated_debt_usd": 250_000.0, "debt_at_start_usd": 5_000_000.0, "liquidated_share_of_debt_pct": 5.0,
        "bad_debt_usd": 0.0, "uncovered_debt_usd": 0.0, "bad_debt_share_of_debt_pct": 0.0,
        "amplification_by_pair": {"WBTC": {"start_reference_usd": 60_000.0, "min_reference_usd": 55_200.0,
                                           "exogenous_drop_pct": 8.0, "endogenous_drop_pct": 0.6,
                                           "amplification": 0.075}},
        "amm_net_flow": {"WBTC": {"total_usd": 300_000.0, "liquidation_usd": 240_000.0}},
        "invariants": [{"name": "cash", "passed": True}, {"name": "healthy", "passed": True}],
    },
    "cex": {
        "positions_count": 2000, "liquidation_count": 400, "first_threshold_breach_s": 1220.0,
        "liquidated_notional_usd": 6_000_000.0, "open_interest_start_usd": 40_000_000.0,
        "liquidated_share_of_open_interest_pct": 15.0, "losses_socialised_usd": 0.0, "insurance_fund_draw_usd": 0.0,
        "adl_count": 0, "net_flow_usd": 5_900_000.0, "endogenous_drop_pct": 2.4,
    },
    "comparison": {"amplification": {"onchain": 0.075, "cex": 0.3, "unit": "ratio", "definition": "..."}},
    "expectations": [{"metric": "onchain.bad_debt_share_of_debt_pct", "max": 1.0, "value": 0.0, "met": True}],
}


def _with(**changes: Any) -> dict[str, Any]:
    """BASE with dotted-path changes: ``_with(**{"onchain.bad_debt_usd": 1.0})``."""
    out = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = out
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node[key]
        node[leaf] = value
    return out


def test_the_fall_and_each_venues_liquidations() -> None:
    text = verdict_paragraph(BASE)
    assert text.startswith("WBTC fell 8 % on the reference path (from $60k to $55.2k) over the drill's 60 min.")
    assert ("On chain, the first account fell below health factor 1 at 25 min and 12 liquidations followed from "
            "25.5 min, repaying $250k (5 % of the $5M borrowed).") in text
    assert ("At the CEX, the first position reached its liquidation price at 20.3 min and 400 of 2,000 positions "
            "were liquidated for $6M (15.0 % of the $40M open interest).") in text


def test_the_cex_amplifying() -> None:
    # 0.3 > 0.075: the CEX, whose last trade went 2.4 % under the index low
    assert ("The CEX amplified the fall more: amplification 0.300 against 0.075 on chain, its liquidation selling "
            "taking the last trade 2.4 % below the index low.") in verdict_sentences(BASE)


def test_the_chain_amplifying() -> None:
    summary = _with(**{"comparison.amplification.cex": 0.02})
    assert ("The chain amplified the fall more: amplification 0.075 against 0.020 at the CEX, its AMM trading "
            "0.6 % below the reference low.") in verdict_sentences(summary)


def test_neither_amplifying() -> None:
    summary = _with(**{"comparison.amplification.cex": 0.003, "comparison.amplification.onchain": 0.009})
    assert any(s.startswith("Neither venue amplified the fall: amplification 0.009 on chain and 0.003 at the CEX")
               for s in verdict_sentences(summary))


def test_no_bad_debt() -> None:
    assert ("No bad debt appeared on chain; the CEX absorbed its liquidations without touching its insurance fund."
            in verdict_sentences(BASE))


def test_bad_debt_and_debt_under_water() -> None:
    # $40k written off of $5M = 0.8 %; $10k more is not covered at reference; the CEX fund paid
    # $2M of $50M (4 %), 15 positions were auto-deleveraged, $2.5M socialised in all
    summary = _with(**{"onchain.bad_debt_usd": 40_000.0, "onchain.bad_debt_share_of_debt_pct": 0.8,
                       "onchain.uncovered_debt_usd": 10_000.0, "cex.losses_socialised_usd": 2_500_000.0,
                       "cex.insurance_fund_draw_usd": 2_000_000.0, "cex.insurance_fund_used_pct": 4.0,
                       "cex.adl_count": 15})
    assert ("Bad debt appeared on chain: $40k written off (0.8 % of the debt), and $10k more is under water, not "
            "written off; the CEX socialised $2.5M: its insurance fund paid $2M (4 % of it) and 15 positions were "
            "auto-deleveraged.") in verdict_sentences(summary)


def test_debt_under_water_not_yet_written_off() -> None:
    summary = _with(**{"onchain.uncovered_debt_usd": 12_300.0})
    assert any(s.startswith("No debt was written off on chain, but $12.3k is under water at the end")
               for s in verdict_sentences(summary))


def test_the_amm_buying_the_dip() -> None:
    expected = ("The AMM bought the dip: its LPs took in a net $300k of collateral, $240k of it from keepers selling "
                "seized collateral; at the CEX the book's makers bought $5.9M from the liquidation engine.")
    assert expected in verdict_sentences(BASE)


def test_the_amm_selling() -> None:
    # LPs' collateral fell by 150k overall although keepers sold 100k into the pools
    summary = _with(**{"onchain.amm_net_flow": {"WBTC": {"total_usd": -150_000.0, "liquidation_usd": 100_000.0}}})
    text = verdict_paragraph(summary)
    assert ("The AMM did not buy the dip: its LPs' collateral fell by a net $150k (they sold into the fall), although "
            "keepers' liquidation sales put $100k into the pools") in text
    assert "bought the dip" not in text


def test_expectations_and_invariants() -> None:
    summary = _with(**{"expectations": [{"metric": "a_pct", "met": True}, {"metric": "onchain.b_s", "met": False}],
                       "onchain.invariants": [{"name": "cash", "passed": True}, {"name": "healthy", "passed": False}]})
    assert verdict_sentences(summary)[-1] == ("Expectations: 1 of 2 met (NOT MET: onchain.b_s); 1 of 2 invariants "
                                              "broke (healthy).")
    assert verdict_sentences(BASE)[-1] == "Expectations: 1 of 1 met; all 2 invariants held."


def test_a_run_without_the_cex_says_so() -> None:
    summary = _with(**{"comparison.amplification.cex": None})
    del summary["cex"]
    sentences = verdict_sentences(summary)
    assert "This run has no CEX replay (cex disabled or not reached): the chain stands alone." in sentences
    assert "The chain's AMM amplified the fall: amplification 0.075 (its low below the reference low)." in sentences
    assert "No bad debt appeared on chain." in sentences
    assert not any("CEX amplified" in s or "book's makers" in s for s in sentences)


def test_an_older_summary_degrades_to_raw_figures() -> None:
    # no normalised shares, no expectations key, no comparison: the clauses that need them drop out
    summary = copy.deepcopy(BASE)
    for key in ("debt_at_start_usd", "liquidated_share_of_debt_pct", "bad_debt_share_of_debt_pct"):
        del summary["onchain"][key]
    del summary["cex"]["open_interest_start_usd"], summary["cex"]["liquidated_share_of_open_interest_pct"]
    del summary["expectations"], summary["comparison"]
    text = verdict_paragraph(summary)
    assert "repaying $250k." in text and "liquidated for $6M." in text and "amplified" not in text
    assert "This run folder records no expectations (it predates them, or the drill states none)" in text


def test_nothing_liquidated() -> None:
    summary = _with(**{"onchain.liquidation_count": 0, "onchain.first_breach_s": None, "cex.liquidation_count": 0})
    sentences = verdict_sentences(summary)
    assert "On chain, no account fell below health factor 1 and nothing was liquidated." in sentences
    assert "At the CEX, none of the 2,000 positions was liquidated." in sentences


def test_the_fit_to_a_documented_event_follows_the_fall() -> None:
    # documented 8 % / $1.7B / 200,000; the model 7.9 % (7.9 / 8 = 0.9875 -> 0.99x), $1.96B
    # (1.96 / 1.7 = 1.1529 -> 1.15x) and 238,114 (1.1906 -> 1.19x), all inside a factor 1.5
    fit = [
        {"metric": "cex.traded_drop_pct", "documented": 8.0, "model": 7.9, "ratio": 7.9 / 8.0, "within": 1.5,
         "inside": True},
        {"metric": "cex.liquidated_notional_usd", "documented": 1.7e9, "model": 1.96e9, "ratio": 1.96 / 1.7,
         "within": 1.5, "inside": True},
        {"metric": "cex.liquidation_count", "documented": 200_000.0, "model": 238_114.0, "ratio": 238_114 / 200_000,
         "within": 1.5, "inside": True},
    ]
    sentences = verdict_sentences({**BASE, "fit": fit})
    assert sentences[1] == ("Against the documented event's figures: the CEX's traded drop 7.9% against 8.0% (0.99x); "
                            "the CEX's liquidated notional $1.96B against $1.7B (1.15x); the CEX's liquidation count "
                            "238,114 against 200,000 (1.19x): 3 of 3 within the stated factor 1.5.")
    outside = [{**fit[0], "model": 3.1, "ratio": 3.1 / 8.0, "inside": False}]
    assert verdict_sentences({**BASE, "fit": outside})[1].endswith("3.1% against 8.0% (0.39x): 0 of 1 within the stated "
                                                                  "factor 1.5.")
    assert not any(s.startswith("Against the documented") for s in verdict_sentences(BASE))
