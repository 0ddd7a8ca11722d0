"""A run inside a risk study is the same run as the drill alone, on both backends.

A study's runs are lean (``run_drill(lean=True)``: no report, no CEX fill table) on a Dask worker
that has run other points before. Each study run is rerun here alone, in this process, with the
seed and ``--set`` overrides its own summary.json records (what a user does to look at one point),
and the two folders must agree: every headline metric equal, summary.json equal but for wall-clock
fields, and every file the lean folder has byte for byte the same. The drawn crash is deep enough
that the CEX liquidates positions (the fill table the lean run leaves out is not empty) and that
keepers liquidate on chain.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

import defidrill.risk as risk
from defidrill.errors import ExpectationsNotMet
from defidrill.metrics.headline import headline
from defidrill.risk.runner import run_risk
from defidrill.run_folder.names import CEX_EVENTS_CSV
from defidrill.runner import run_drill
from defidrill.toolchain import project_root

RISK = """drill: {drill}
name: lean
seed: 11
runs: 2
set:
  chain.backend: {backend}
  borrowers.count: 20
  market.duration: 20m
  market.step: 20s
  cex.positions.count: 2000
  protocol.collateral.WETH.ltv: 70%
parameters:
  protocol.collateral.WBTC.liquidation_threshold: [80%]
paths:
  family: shock
  assets: [WBTC, WETH]
  draws: {{drop: {{uniform: [15%, 25%]}}, at: {{uniform: [2m, 4m]}}, over: {{uniform: [2m, 4m]}}}}
events:
  mm_withdraw: {{probability: 50%, fraction: {{uniform: [20%, 60%]}}}}
metrics: [onchain.bad_debt_share_of_debt_pct]
bootstrap: 100
"""

#: summary.json fields that measure the machine, not the run (the golden comparison's list)
WALL_CLOCK = {"wall_time_s", "check_wall_time_s", "mean_check_s", "mean_step_s_without_checks", "cost_pct_of_step",
              "created_at", "finished_at", "started_at"}


def _strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in WALL_CLOCK}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


@pytest.mark.parametrize("backend", ["anvil", "revm"])
def test_study_runs_match_the_drill_run_alone(tmp_path: Path, backend: str) -> None:
    drill = project_root() / "oracles" / "flash-crash.yaml"
    file = tmp_path / "lean.yaml"
    file.write_text(RISK.format(drill=drill, backend=backend))
    out = tmp_path / "study"
    outcome = run_risk(file, out_dir=out, workers=2, echo=lambda _: None)
    assert outcome.ran == 2 and outcome.failed == 0
    for _, row in risk.load(out).iterrows():
        lean = out / row["run_dir"]
        summary = json.loads((lean / "summary.json").read_text())
        assert summary["backend"] == backend
        alone = tmp_path / f"alone-{row['run']}"
        # the flagship's own `expect:` bounds are for its 8% crash: a deeper one misses some (exit 6), a finished run
        with contextlib.suppress(ExpectationsNotMet):
            run_drill(drill, out_dir=alone, seed=summary["seed"], overrides=summary["overrides"], progress=False)
        alone_summary = json.loads((alone / "summary.json").read_text())
        assert headline(summary) == headline(alone_summary)
        assert _strip(summary) == _strip(alone_summary)
        assert alone_summary["onchain"]["liquidation_count"] > 0
        # what the lean run leaves out, and only that
        assert (alone / "report.html").is_file() and not (lean / "report.html").exists()
        assert len((alone / CEX_EVENTS_CSV).read_text().splitlines()) > 1 and not (lean / CEX_EVENTS_CSV).exists()
        lean_files = {p.name for p in lean.iterdir() if p.is_file() and p.name != ".lock"}
        alone_files = {p.name for p in alone.iterdir() if p.is_file() and p.name != ".lock"}
        assert alone_files - lean_files == {"report.html", "report.md", CEX_EVENTS_CSV}
        for name in sorted(lean_files - {"summary.json"}):
            assert (lean / name).read_bytes() == (alone / name).read_bytes(), name
        # the study's row is the run's own headline (what risk.json's statistics are computed from)
        assert row["onchain.liquidated_share_of_debt_pct"] == pytest.approx(
            headline(alone_summary)["onchain.liquidated_share_of_debt_pct"], rel=0, abs=0)
