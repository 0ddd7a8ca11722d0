"""Same drill, same seed: the same run folder, number for number (transaction hashes aside).

Block times come from a fixed genesis and explicit per-step timestamps, agents draw nothing at
run time, and the population, paths and CEX positions derive from the seed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from defidrill.toolchain import project_root
from support.e2e_runs import finished_run

pytestmark = pytest.mark.slow


def _small_flagship(tmp_path: Path, seed: int) -> Path:
    drill = yaml.safe_load((project_root() / "oracles" / "flash-crash.yaml").read_text())
    drill["seed"] = seed
    drill["borrowers"]["count"] = 60
    drill["market"]["duration"] = "50m"
    for asset in ("WBTC", "WETH"):
        drill["market"]["assets"][asset]["path"]["at"] = "5m"
    drill["amm"]["lps"]["at"] = "2m"
    drill["cex"]["positions"]["count"] = 10_000
    path = tmp_path / f"small-{seed}.yaml"
    path.write_text(yaml.safe_dump(drill))
    return path


def _events_without_hashes(run_dir: Path) -> list[dict]:
    out = []
    for line in (run_dir / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        event.pop("tx")
        out.append(event)
    return out


#: Wall-clock measurements (of this machine, not of the drill): everything else must repeat exactly.
WALL_CLOCK = {"wall_time_s"}
WALL_CLOCK_INVARIANT_CHECKS = {"check_wall_time_s", "mean_check_s", "mean_step_s_without_checks", "cost_pct_of_step"}


def _numbers(summary: dict) -> dict:
    out = {k: v for k, v in summary.items() if k not in WALL_CLOCK}
    if isinstance(out.get("invariant_checks"), dict):
        out["invariant_checks"] = {k: v for k, v in out["invariant_checks"].items()
                                   if k not in WALL_CLOCK_INVARIANT_CHECKS}
    return out


def test_same_seed_same_run(tmp_path: Path) -> None:
    drill = _small_flagship(tmp_path, seed=7)
    a = finished_run(drill, out_dir=tmp_path / "a")
    b = finished_run(drill, out_dir=tmp_path / "b")
    assert (tmp_path / "a" / "steps.csv").read_text() == (tmp_path / "b" / "steps.csv").read_text()
    assert (tmp_path / "a" / "cex_steps.csv").read_text() == (tmp_path / "b" / "cex_steps.csv").read_text()
    assert _events_without_hashes(tmp_path / "a") == _events_without_hashes(tmp_path / "b")
    assert _numbers(a.summary) == _numbers(b.summary)


def test_another_seed_another_population(tmp_path: Path) -> None:
    a = finished_run(_small_flagship(tmp_path, seed=7), out_dir=tmp_path / "a")
    b = finished_run(_small_flagship(tmp_path, seed=8), out_dir=tmp_path / "b")
    assert (tmp_path / "a" / "borrowers.csv").read_text() != (tmp_path / "b" / "borrowers.csv").read_text()
    assert a.summary["cex"]["liquidated_notional_usd"] != b.summary["cex"]["liquidated_notional_usd"]
