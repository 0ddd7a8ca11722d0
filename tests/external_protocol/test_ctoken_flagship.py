"""The flagship drill against the Compound-style protocol: agents, report, CEX comparison.

Runs the reduced flagship (``flagship_variant``) twice from the same price path, once on the
reference pool and once on the external protocol through ``ctoken_adapter``, and checks every
liquidation against the Compound rule worked out by hand from the feed answers in events.jsonl:
    seized collateral = repay x 1.08 x price(USDC) / price(collateral)   (whole units)
    seizeTokens       = that / exchangeRate (0.02 collateral per cToken at 8 decimals)
"""

from __future__ import annotations

import csv
import json
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from flagship_variant import write_flagship

from defidrill.runner import run_drill

pytestmark = pytest.mark.slow

DECIMALS = {"USDC": 6, "WBTC": 8, "WETH": 18}
START_USD = {"USDC": 1, "WBTC": 60_000, "WETH": 3_000}


class Run:
    def __init__(self, run_dir: Path, wall_s: float) -> None:
        self.dir = run_dir
        self.wall_s = wall_s
        self.summary = json.loads((run_dir / "summary.json").read_text())
        self.events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines() if line]
        self.contracts = json.loads((run_dir / "contracts.json").read_text())
        with open(run_dir / "borrowers.csv", newline="") as fh:
            self.borrowers = {row["address"].lower(): row for row in csv.DictReader(fh)}

    def liquidations(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == "Liquidation"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    out = {}
    for kind in ("reference", "external"):
        folder = tmp_path_factory.mktemp(kind)
        started = time.monotonic()
        outcome = run_drill(write_flagship(kind, folder), out_dir=folder / "run", progress=False)
        out[kind] = Run(outcome.run_dir, time.monotonic() - started)
    print(f"\n[external] flagship (50 borrowers, 121 steps): reference {out['reference'].wall_s:.1f} s, "
          f"Compound-style {out['external'].wall_s:.1f} s wall")
    return out


def _address_book(run: Run) -> dict[str, str]:
    """contracts.json name -> address (lower case)."""
    return {name: address.lower() for name, address in run.contracts["contracts"].items()}


def _answer_at(run: Run, feed: str, block: int, symbol: str) -> Fraction:
    """The feed's answer in force for a transaction in ``block`` (its last AnswerUpdated before it), USD."""
    answers = [e for e in run.events if e["event"] == "AnswerUpdated" and e["address"].lower() == feed
               and e["block"] < block]
    if not answers:
        return Fraction(START_USD[symbol])
    return Fraction(int(answers[-1]["args"]["current"]), 10**8)


def test_runs_finish_with_report_and_invariants(runs) -> None:
    for kind, run in runs.items():
        s = run.summary
        assert s["status"] == "ok", (kind, s["error"])
        assert s["steps_completed"] == s["steps_total"] == 121
        invariants = s["onchain"]["invariants"]
        assert [i["passed"] for i in invariants] == [True] * 4, invariants
        assert (run.dir / "report.html").stat().st_size > 10_000 and (run.dir / "report.md").is_file()
    names = [i["name"] for i in runs["external"].summary["onchain"]["invariants"]]
    assert "collateral cTokens = sum of deposits, backed by cash" in names


def test_the_cex_side_is_the_same_whatever_the_protocol(runs) -> None:
    # One price path, one CEX model: the venue's figures cannot depend on the lending protocol.
    assert runs["external"].summary["cex"] == runs["reference"].summary["cex"]
    comparison = runs["external"].summary["comparison"]
    assert comparison["liquidation_count"]["onchain"] == runs["external"].summary["onchain"]["liquidation_count"]
    assert comparison["liquidation_count"]["cex"] > 0
    # accounts cross HF 1 at reference prices at the same time on both protocols (collateral factor = LT)
    assert comparison["first_breach_s"]["onchain"] == runs["reference"].summary["comparison"]["first_breach_s"]["onchain"]


def test_keepers_liquidate_the_compound_style_protocol(runs) -> None:
    run = runs["external"]
    liquidations = run.liquidations()
    assert len(liquidations) >= 3
    assert {e["agent"] for e in liquidations} <= {"keeper:fast", "keeper:slow"}
    assert all(e["protocol_event"]["name"] == "LiquidateBorrow" for e in liquidations)
    assert all(0 < e["args"]["healthFactorBeforeWad"] < 10**18 for e in liquidations)
    assert run.summary["onchain"]["bad_debt_usd"] == 0  # Compound writes nothing off
    protocol = run.summary["protocol"]
    assert protocol["kind"] == "compound-v2-style"
    assert "1.0800" in protocol["fixed_by_protocol"]["bonus"]  # one incentive for all markets


def test_every_seizure_follows_the_compound_rule(runs) -> None:
    run = runs["external"]
    book = _address_book(run)
    underlying = {book[s]: s for s in ("WBTC", "WETH")}
    ctoken = {book[f"c{s}"]: s for s in ("WBTC", "WETH")}
    incentive = Fraction(108, 100)
    for e in run.liquidations():
        sym = underlying[e["args"]["collateralAsset"].lower()]
        assert ctoken[e["protocol_event"]["args"]["cTokenCollateral"].lower()] == sym
        repay_usdc = Fraction(e["args"]["repaidBase"], 10**6)
        p_base = _answer_at(run, book["FEED_USDC_USD"], e["block"], "USDC")
        p_coll = _answer_at(run, book[f"FEED_{sym}_USD"], e["block"], sym)
        seized_units = repay_usdc * incentive * p_base / p_coll
        # 0.02 collateral per cToken; the deposits' truncations move the rate by < 1e-9; each figure is then
        # rounded down to a raw unit
        expected_ctokens_raw = seized_units / Fraction(2, 100) * 10**8
        assert abs(e["protocol_event"]["args"]["seizeTokens"] - expected_ctokens_raw) <= 1 + expected_ctokens_raw / 10**9, e
        expected_raw = seized_units * 10 ** DECIMALS[sym]
        assert abs(e["args"]["seizedCollateral"] - expected_raw) <= 1 + expected_raw / 10**9, e
        # close factor 50%: never more than half of the account's debt (its seeded debt plus 20 minutes of interest)
        debt_usd = Fraction(run.borrowers[e["args"]["account"].lower()]["debt_usd"])
        assert repay_usdc <= debt_usd / 2 * Fraction(1001, 1000)
