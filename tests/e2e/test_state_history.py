"""A drill's anvil keeps only recent states (``--prune-history``, ``engine.chain_setup.DRILL_STATE_HISTORY_BLOCKS``):
the run folder must be the one a node with every block's state writes, number for number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from defidrill.engine import chain_setup
from defidrill.toolchain import project_root
from support.e2e_runs import finished_run


def _drill(tmp_path: Path) -> Path:
    """The flagship reduced (200 borrowers, 4-minute steps: the crash, the slow keeper losing races, ~70 blocks)."""
    doc = yaml.safe_load((project_root() / "oracles" / "flash-crash.yaml").read_text())
    doc["borrowers"]["count"] = 200
    doc["market"].update(step="4m", duration="2h")
    doc["cex"]["enabled"] = False
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def _lines(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]


def test_pruned_history_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drill = _drill(tmp_path)
    pruned = finished_run(drill, out_dir=tmp_path / "pruned")
    monkeypatch.setattr(chain_setup, "DRILL_STATE_HISTORY_BLOCKS", None)  # anvil's default: every block's state
    full = finished_run(drill, out_dir=tmp_path / "full")
    events = _lines(tmp_path / "pruned")
    # The comparison covers old-state reads: failed transactions whose reasons come from traces.
    assert sum(1 for e in events if e["event"] == "TxFailed" and e["args"]["revert"]) >= 1
    assert pruned.summary["steps_completed"] == full.summary["steps_completed"] == 31
    for name in ("steps.csv", "borrowers.csv"):
        assert (tmp_path / "pruned" / name).read_text() == (tmp_path / "full" / name).read_text()
    assert events == _lines(tmp_path / "full")
    wall = {"wall_time_s", "invariant_checks"}
    assert ({k: v for k, v in pruned.summary.items() if k not in wall}
            == {k: v for k, v in full.summary.items() if k not in wall})

