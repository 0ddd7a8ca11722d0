"""Every library drill on genuine Morpho Blue (``protocol.kind: morpho-blue``), reduced, and the differential
against the reference pool on the flagship.

Reduced beyond the shared variants (support/e2e_runs.VARIANTS) to keep this module short: the CEX side
off (nothing here is about it) and at most ``MAX_BORROWERS`` borrowers. Drills whose attacker drives
the reference pool's own functions (spot manipulation) run without the attacker, as on Aave; the
attacker itself is refused at validation (tested below).

What differs from the reference pool by design: Morpho Blue has no close factor (a keeper may repay
the whole debt at once), fixes the incentive by the LLTV (``min(1.15, 1 / (1 - 0.3 (1 - LLTV)))``),
and writes a position's remaining debt off against the market's suppliers in the liquidation that
takes its last collateral. Its oracle is ours over the drill's guard, so the guard's rules apply
(Morpho itself checks no price).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from defidrill.protocol.morpho_blue.shares import incentive_factor_wad
from support.e2e_runs import ORACLES, DrillRun, assert_clean, liquidations_by_key, run_doc, variant_doc

MIN = 60.0
WAD = 10**18
MAX_BORROWERS = 30
LIBRARY = ["flash-crash", "keeper-outage", "stale-feed-crash", "sequencer-outage", "osm-delay", "minanswer-clamp",
           "minanswer-clamp-naive", "gbm-stress", "black-thursday", "spot-manipulation", "spot-manipulation-guarded",
           "incidents/btc-march-2023", "incidents/usdc-depeg-march-2023", "incidents/usdc-base-depeg",
           "incidents/usdc-base-depeg-hardcoded", "incidents/luna-may-2022", "seed-crash"]


def on_morpho(doc: dict[str, Any], *, reduce: bool = True) -> dict[str, Any]:
    doc.setdefault("protocol", {})["kind"] = "morpho-blue"
    if "failures" in doc:
        doc["failures"] = [f for f in doc["failures"] if f.get("kind") != "spot_manipulation"]
    if reduce:
        doc["cex"] = {"enabled": False}
        doc["borrowers"]["count"] = min(MAX_BORROWERS, int(doc["borrowers"].get("count", MAX_BORROWERS)))
    return doc


class Runs:
    """Each drill run at most once in this module."""

    def __init__(self, root: Path) -> None:
        self.root, self.cache = root, {}  # type: ignore[var-annotated]

    def __call__(self, name: str, doc: dict[str, Any] | None = None) -> DrillRun:
        if name not in self.cache:
            self.cache[name] = run_doc(self.root, name, doc if doc is not None else on_morpho(variant_doc(name)))
        run: DrillRun = self.cache[name]
        return run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    found = Runs(tmp_path_factory.mktemp("morpho-drills"))
    yield found
    for name, run in found.cache.items():
        print(f"\n[e2e morpho] {name}: {run.wall_time_s:.1f} s wall, {len(run.steps)} steps")


def _liquidations_between(run: DrillRun, start_s: float, end_s: float) -> int:
    return sum(1 for t in run.liquidation_times_s() if start_s <= t < end_s)


@pytest.mark.parametrize("name", LIBRARY)
def test_library_drill_runs_clean_on_morpho(runs: Runs, name: str) -> None:
    run = runs(name)
    assert_clean(run)
    assert run.summary["protocol"]["kind"] == "morpho-blue"
    assert "close_factor" in run.summary["protocol"]["fixed_by_protocol"]
    names = {inv["name"] for inv in run.onchain["invariants"]}
    assert {"borrow shares = sum of accounts' shares", "collateral held = sum of positions' collateral",
            "token supply changes only by mint/burn"} <= names
    liquidations = run.events_named("Liquidation")
    assert {e["protocol_event"]["name"] for e in liquidations} <= {"Liquidate"}
    assert all(int(e["args"]["healthFactorBeforeWad"]) < WAD for e in liquidations)
    # Bad debt in the ledger is what Morpho's Liquidate events wrote off (badDebtAssets, USDC at ~$1).
    written_off = sum(int(e["protocol_event"]["args"]["badDebtAssets"]) for e in liquidations) / 10**6
    assert run.onchain["bad_debt_usd"] == pytest.approx(written_off, rel=0.05, abs=1e-6)
    lines = run.events_named("BadDebtWrittenOff")
    assert sum(int(e["args"]["amountBase"]) for e in lines) / 10**6 == written_off
    assert all(e["protocol_event"]["name"] == "Liquidate" for e in lines)


def test_flash_crash_on_morpho_liquidates_through_liquidate(runs: Runs) -> None:
    run = runs("flash-crash")
    assert run.onchain["liquidation_count"] > 0
    fixed = run.summary["protocol"]["fixed_by_protocol"]
    assert fixed["liquidation_bonus.WETH"].startswith("5.71% at LLTV 82%")  # 1 / (1 - 0.3 x 0.18) = 1.0571
    # The independent model checks each seizure at Morpho's exact incentive and with its (absent) close
    # factor, as the run folder states them: every liquidation is what the model allows.
    from defidrill.metrics.liquidation_check import check_liquidations

    result = check_liquidations(run.run_dir)
    assert result.differences == [] and result.checked == run.onchain["liquidation_count"]


def test_stale_feed_on_morpho_is_refused_by_the_drills_guard(runs: Runs) -> None:
    """Morpho trusts its oracle; ours reads the drill's guard (guarded, max_staleness 20m), which refuses
    the stale WETH feed: the market's oracle reverts and nothing is liquidated while the feed is stale,
    although accounts are under water at market prices; the feed resumes at 50m and liquidations follow."""
    run = runs("stale-feed-crash")
    stale_start_s, stale_end_s, max_staleness_s = 10 * MIN, 50 * MIN, 20 * MIN
    window = run.rows_between(stale_start_s, stale_end_s)
    refused = [row for row in window if row["feed_WETH_age_s"] > max_staleness_s]
    assert refused and all(row["guard_WETH_rule"] == "STALE" and row["guard_WETH_usd"] == 0 for row in refused)
    assert max(row["accounts_below_1_ref"] for row in window) >= 1
    assert _liquidations_between(run, stale_start_s, stale_end_s) == 0
    assert _liquidations_between(run, stale_end_s, stale_end_s + 5 * MIN) >= 1


def test_minanswer_clamp_naive_on_morpho_uses_the_clamped_answer(runs: Runs) -> None:
    """Naive mode is Morpho's own behaviour (no check): the clamped LUNA answer is used as is."""
    run = runs("minanswer-clamp-naive")
    clamp_bound_usd, lift_s = 0.10 * 80, 160 * MIN
    clamped = [row for row in run.steps if row["ref_LUNA_usd"] < clamp_bound_usd and row["t_s"] < lift_s]
    assert clamped
    assert all(row["guard_LUNA_rule"] == "OK" and row["guard_LUNA_usd"] >= clamp_bound_usd for row in clamped)
    assert sum(row["liquidations"] for row in clamped) == 0


def _with_incentive_as_bonus(doc: dict[str, Any], close_factor: str | None) -> dict[str, Any]:
    """The reference pool's bonus set to Morpho's incentive at each collateral's LLTV (whole basis points)."""
    for params in doc["protocol"]["collateral"].values():
        lt_bps = round(float(str(params["liquidation_threshold"]).rstrip("%")) * 100)
        incentive = incentive_factor_wad(lt_bps * WAD // 10_000)
        params["bonus"] = f"{round((incentive - WAD) * 10_000 / WAD) / 100}%"
    if close_factor is not None:
        doc["protocol"]["close_factor"] = {"default": close_factor, "full_below_hf": 0.95}
    return doc


def _flagship(kind: str, close_factor: str | None = None) -> dict[str, Any]:
    doc = _with_incentive_as_bonus(variant_doc("flash-crash"), close_factor)
    doc["cex"] = {"enabled": False}
    doc["protocol"]["kind"] = kind
    return doc


#: Seizures differ by the bonus's granularity: the reference takes whole basis points, Morpho a wad
#: (WBTC at LLTV 78%: 7.0664...% against 707 bp), plus interest (compounded vs simple, ~1e-9 over a day).
INCENTIVE_REL_TOLERANCE = 1e-4
ROUNDING_RAW = 10


def test_flagship_differential_against_the_reference_pool(runs: Runs) -> None:
    morpho = runs("diff/morpho", _flagship("morpho-blue"))
    full = runs("diff/reference-full", _flagship("reference", close_factor="100%"))
    assert morpho.summary["seed"] == full.summary["seed"]
    m_liq, r_liq = liquidations_by_key(morpho), liquidations_by_key(full)
    assert m_liq, "the flagship must liquidate"
    # With the reference's close factor at 100% (Morpho has none) and its bonus at Morpho's incentive:
    # the same accounts in the same steps, the same repays, seizures within the bonus's granularity.
    assert set(m_liq) == set(r_liq), sorted(set(m_liq) ^ set(r_liq))
    for key, m in m_liq.items():
        r = r_liq[key]
        assert abs(int(m["repaidBase"]) - int(r["repaidBase"])) <= ROUNDING_RAW + 1e-7 * int(r["repaidBase"]), key
        seized_m, seized_r = int(m["seizedCollateral"]), int(r["seizedCollateral"])
        assert abs(seized_m - seized_r) <= ROUNDING_RAW + INCENTIVE_REL_TOLERANCE * seized_r, (key, seized_m, seized_r)


def test_flagship_no_close_factor_is_the_named_difference(runs: Runs) -> None:
    """With the drill's own close factor (50%, all below HF 0.95) the reference repays half where Morpho
    repays everything: the first liquidation of each account comes in the same step on both, and Morpho's
    repay is at least the reference's (``no close factor``, by design)."""
    morpho = runs("diff/morpho", _flagship("morpho-blue"))
    half = runs("diff/reference-drill-close-factor", _flagship("reference"))
    first_m: dict[str, tuple[int, int]] = {}
    first_r: dict[str, tuple[int, int]] = {}
    for liq, first in ((liquidations_by_key(morpho), first_m), (liquidations_by_key(half), first_r)):
        for (step, account, _), args in sorted(liq.items()):
            first.setdefault(account, (step, int(args["repaidBase"])))
    assert set(first_m) == set(first_r)
    assert all(first_m[a][0] == first_r[a][0] for a in first_m)
    assert all(first_m[a][1] >= first_r[a][1] for a in first_m)
    assert any(first_m[a][1] > first_r[a][1] for a in first_m), "no close factor must show somewhere"


@pytest.mark.parametrize("name", ["spot-manipulation"])
def test_spot_manipulation_attacker_is_refused_on_morpho_at_validation(name: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "defidrill.cli", "validate", str(ORACLES / f"{name}.yaml"),
                           "--set", "protocol.kind=morpho-blue"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out and "failures[0].kind" in out and "protocol.kind: reference" in out
