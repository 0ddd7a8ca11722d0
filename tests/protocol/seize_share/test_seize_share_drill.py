"""A protocol that reverts on over-seizure: keepers sized by ``quote_liquidation`` send transactions that
succeed, where unsized ones fail every step.

The gap-down drill (``seize_share_drill``) runs twice from the same path: through ``SeizeShareAdapter``
(which sizes each repay to the largest seizure the account holds) and through ``UnsizedSeizeShareAdapter``
(the default hook: the close factor's full repay). Every seizure is checked against the pool's rule worked
out here from the feed answers in events.jsonl:
    seized  = floor(floor(floor(repay x P_base / 1e6) x 1.08e18 / 1e18) x 10^dec / P_coll)   (P: USD wad)
    kept    = floor(seized x 0.028)        the liquidator receives seized - kept
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from seize_share_drill import write_gap_down

from defidrill.metrics.liquidation_check import check_liquidations
from defidrill.runner import run_drill

pytestmark = pytest.mark.slow

DECIMALS = {"USDC": 6, "WBTC": 8, "WETH": 18}
START_USD = {"USDC": 1, "WBTC": 60_000, "WETH": 3_000}
WAD = 10**18


class Run:
    def __init__(self, run_dir: Path) -> None:
        self.dir = run_dir
        self.summary = json.loads((run_dir / "summary.json").read_text())
        self.events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines() if line]
        with open(run_dir / "borrowers.csv", newline="") as fh:
            self.borrowers = {row["address"].lower(): row for row in csv.DictReader(fh)}
        self.book = {k: v.lower() for k, v in json.loads((run_dir / "contracts.json").read_text())["contracts"].items()}

    def liquidations(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == "Liquidation"]

    def answer_wad(self, symbol: str, block: int) -> int:
        """The feed's last answer before ``block`` (8 decimals) as USD wad, as the pool scales it."""
        feed = self.book[f"FEED_{symbol}_USD"]
        answers = [e for e in self.events if e["event"] == "AnswerUpdated" and e["address"].lower() == feed
                   and e["block"] < block]
        return (int(answers[-1]["args"]["current"]) if answers else START_USD[symbol] * 10**8) * 10**10


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    out = {}
    for adapter in ("SeizeShareAdapter", "UnsizedSeizeShareAdapter"):
        folder = tmp_path_factory.mktemp(adapter)
        drill = write_gap_down(adapter, folder, as_project=adapter == "SeizeShareAdapter")
        out[adapter] = Run(run_drill(drill, out_dir=folder / "run", progress=False).run_dir)
    failed = {a: r.summary["onchain"]["failed_liquidation_txs"] for a, r in out.items()}
    print(f"\n[seize-share] failed liquidation txs: {failed}")
    return out


def test_sized_keepers_send_liquidations_that_succeed(runs) -> None:
    sized, unsized = runs["SeizeShareAdapter"], runs["UnsizedSeizeShareAdapter"]
    for run in (sized, unsized):
        assert run.summary["status"] == "ok", run.summary["error"]
        assert all(i["passed"] for i in run.summary["onchain"]["invariants"]), run.summary["onchain"]["invariants"]
    # One keeper at latency 0: nothing races it, so a failure is a transaction the pool refuses.
    assert sized.summary["onchain"]["failed_liquidation_txs"] <= 2
    # Unsized, the keeper asks the full repay of every account at HF < 0.864 and is refused every step:
    # at least one refusal per such account per step from the gap (2m10s) to the end (10m): dozens of steps.
    assert unsized.summary["onchain"]["failed_liquidation_txs"] >= 100  # measured: 768 (and 24 liquidations against 40 sized)
    assert len(sized.liquidations()) > len(unsized.liquidations())


def test_every_seizure_follows_the_pool_rule_and_fits_the_account(runs) -> None:
    run = runs["SeizeShareAdapter"]
    underlying = {run.book[s]: s for s in ("WBTC", "WETH")}
    capped = 0
    for e in run.liquidations():
        sym = underlying[e["args"]["collateralAsset"].lower()]
        a = e["protocol_event"]["args"]
        repay = e["args"]["repaidBase"]
        p_base, p_coll = run.answer_wad("USDC", e["block"]), run.answer_wad(sym, e["block"])
        seized = (repay * p_base // 10**6) * 108 * 10**16 // WAD * 10 ** DECIMALS[sym] // p_coll
        kept = seized * 28 * 10**15 // WAD
        assert (a["seizedToLiquidatorRaw"], a["seizedToProtocolRaw"]) == (seized - kept, kept), e
        assert e["args"]["seizedCollateral"] == seized - kept  # the record is what the liquidator receives
        row = run.borrowers[e["args"]["account"].lower()]
        debt_base = Fraction(row["debt_usd"]) * 10**6  # no interest: the seeded debt (USDC at $1), 10 digits
        held_raw = Fraction(row["collateral_usd"]) / START_USD[sym] * 10 ** DECIMALS[sym]
        assert seized <= held_raw * (1 + Fraction(1, 10**6))
        if repay < debt_base * (1 - Fraction(1, 10**6)):
            # cut below the full repay: the seizure is the whole collateral (what a larger repay would exceed)
            capped += 1
            assert seized >= held_raw * (1 - Fraction(1, 10**6)), (e, held_raw)
    assert capped > 0  # some repays were cut to the collateral, not only to the debt


def test_the_stated_incentive_reaches_the_run_folder_and_the_model_check(runs) -> None:
    run = runs["SeizeShareAdapter"]
    protocol = run.summary["protocol"]
    # 1.08 x (1 - 2.8%) = 1.04976, exactly in wad
    assert protocol["liquidator_incentive_wad"] == {"WBTC": 1_049_760_000_000_000_000, "WETH": 1_049_760_000_000_000_000}
    assert protocol["seize_share_bps"] == {"WBTC": 280, "WETH": 280}
    check = check_liquidations(run.dir)
    assert check.checked == len(run.liquidations()) > 0, check.not_checked
    # The seizures are checked against the protocol's net incentive, not the drill's 8% bonus: none differs.
    assert [d for d in check.differences if d.rule in ("seize", "cap", "close_factor", "healthy")] == []


def test_the_run_folder_revalidates_and_reruns_a_user_project(runs) -> None:
    """The sized drill ran as a user's project (``artifacts: contracts`` relative to the drill file): the
    run folder's drill.yaml names the build by its absolute path, and the report's rerun line, run as
    printed in a shell, reruns it (the adapter module imported from the drill's folder)."""
    run = runs["SeizeShareAdapter"]
    drill_dir = Path(run.summary["drill_dir"])
    assert (drill_dir / "seize_share_adapter.py").is_file()
    copy = yaml.safe_load((run.dir / "drill.yaml").read_text())
    assert copy["protocol"]["artifacts"] == str((drill_dir / "contracts").resolve())
    [command] = re.findall(r"`(cd [^`]+ && defidrill run [^`]+)`", (run.dir / "report.md").read_text())
    assert command.startswith(f"cd {drill_dir} && defidrill run {run.dir / 'drill.yaml'}")
    done = subprocess.run(command.replace("defidrill run", f"{sys.executable} -m defidrill.cli run", 1), shell=True,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rerun = Run(Path(f"{run.dir}-rerun"))
    assert rerun.summary["onchain"]["liquidation_count"] == run.summary["onchain"]["liquidation_count"]
