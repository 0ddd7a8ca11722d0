"""End to end on real anvil: a small study on the reference pool and on genuine Aave V3.

Both keepers are offline through a deep, unrecovered crash, so accounts go underwater and bad
debt is real. The reference pool writes it off (``onchain.bad_debt_usd``); genuine Aave V3 1.19.3
never writes debt off, so there it is the debt its collateral no longer covers
(``onchain.uncovered_debt_usd``, docs/metrics.md). Debt is seeded as collateral x threshold / health (drill/population.py): on the
same paths (common random numbers) the same borrowers at a higher threshold owe more against the
same collateral, so the p99 of bad debt cannot be lower at 85% than at 75%.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import defidrill.risk as risk
from defidrill.risk.runner import run_risk

RISK = """drill: flash-crash
name: e2e
seed: 5
runs: {runs}
set:
  borrowers.count: 20
  market.duration: 20m
  market.step: 20s
  cex.positions.count: 1000
  protocol.collateral.WETH.ltv: 70%
  market.assets.WBTC.path.recover: 0%
  market.assets.WETH.path.recover: 0%
  {extra}
parameters:
  threshold:
    keys: [protocol.collateral.WBTC.liquidation_threshold, protocol.collateral.WETH.liquidation_threshold]
    values: [75%, 85%]
paths:
  family: shock
  assets: [WBTC, WETH]
  draws: {{drop: {{uniform: [30%, 45%]}}, at: {{uniform: [2m, 4m]}}, over: {{uniform: [1m, 3m]}}}}
events:
  keeper_outage: {{probability: 100%, keepers: all, at: 1m, for: 12m}}
metrics: [onchain.bad_debt_usd, onchain.uncovered_debt_usd]
constraint: {{metric: onchain.bad_debt_share_of_debt_pct, quantile: 99%, max: 200%}}
bootstrap: 200
"""


def _study(tmp_path: Path, runs: int, extra: str = "") -> tuple[risk.RiskSpec, Path]:
    file = tmp_path / "e2e.yaml"
    file.write_text(RISK.format(runs=runs, extra=extra))
    return risk.load_risk_spec(file)[0], file


def _check(out: Path, runs: int, metric: str) -> None:
    result = risk.load_result(out)
    frame = risk.load(out)
    assert len(frame) == 2 * runs and set(frame["status"]) == {"ok"}, frame["error"].tolist()
    low, high = (v.metrics[metric] for v in result.variants)
    assert low.n == high.n == runs
    # paired: each run's draws are the same at both thresholds
    by = frame.sort_values(["variant", "run"])
    assert list(by[by["variant"] == 0]["draw.drop"]) == list(by[by["variant"] == 1]["draw.drop"])
    assert high.quantiles["p99"].value > 0
    assert high.quantiles["p99"].value >= low.quantiles["p99"].value
    for v in (low, high):
        q = v.quantiles["p99"]
        assert q.low <= q.value <= q.high
    # the CEX's socialised losses beside the chain's bad debt, always summarised
    assert "cex.losses_socialised_usd" in result.variants[0].metrics
    [constraint] = result.constraints
    assert constraint.frontier[0].most_permissive == "85%"     # a max of 200%: every value meets
    assert (out / "risk.html").read_text().count("<svg") >= 2
    run_dir = out / by.iloc[0]["run_dir"]
    assert (run_dir / "summary.json").is_file()


def test_reference_pool_study_and_resume(tmp_path: Path) -> None:
    _, file = _study(tmp_path, 3)
    out = tmp_path / "out"
    outcome = run_risk(file, out_dir=out, workers=2, echo=lambda _: None)
    assert outcome.ran == 6 and outcome.failed == 0
    _check(out, 3, "onchain.bad_debt_usd")
    again = run_risk(file, out_dir=out, workers=2, echo=lambda _: None)   # resume: nothing left to run
    assert again.skipped == 6 and again.ran == 0


@pytest.mark.parametrize("runs", [2])
def test_genuine_aave_v3_study(tmp_path: Path, runs: int) -> None:
    _, file = _study(tmp_path, runs, extra="protocol.kind: aave-v3")
    out = tmp_path / "out"
    outcome = run_risk(file, out_dir=out, workers=2, echo=lambda _: None)
    assert outcome.ran == 2 * runs and outcome.failed == 0
    _check(out, runs, "onchain.uncovered_debt_usd")
    assert (risk.load(out)["onchain.bad_debt_usd"] == 0).all()     # Aave V3 1.19.3 writes nothing off
