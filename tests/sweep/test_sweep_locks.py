"""A sweep is one writer too: it holds its folder's lock (a second sweep into the same --out is refused,
not merged), a point folder another process is writing is never cleared, a --out holding a run folder
is refused. The other writer is a real process holding the folder's lock, as a sweep or a run does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from defidrill.errors import ConfigError
from defidrill.sweep import runner
from defidrill.sweep.runner import PointTask, run_point, run_sweep
from defidrill.sweep.spec import expand, load_spec
from support.run_folders import write_onchain_run

DRILL = """name: tiny
market:
  step: 10s
  duration: 1m
  assets:
    WETH: {start: 3000, path: {kind: step, at: 30s, change: -5%}}
    USDC: 1
amm: {pairs: {WETH/USDC: 2M}}
borrowers: {count: 3}
cex: {enabled: false}
"""

SWEEP = """drill: tiny.yaml
name: tiny-locks
grid:
  market.assets.WETH.path.change: [-2%, -4%]
"""


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "tiny.yaml").write_text(DRILL)
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP)

    def no_cluster(*args: Any) -> Any:
        raise AssertionError("the sweep started its points")

    monkeypatch.setattr(runner, "_client", no_cluster)
    return path


def _holder(folder: Path) -> subprocess.Popen[str]:
    """Another process holding ``folder``'s lock (a sweep, a run) until its stdin closes."""
    code = ("import sys; from pathlib import Path; from defidrill.run_folder import folder_lock\n"
            f"Path({str(folder)!r}).mkdir(parents=True, exist_ok=True)\n"
            f"with folder_lock(Path({str(folder)!r})):\n    print('held', flush=True); sys.stdin.read()\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def test_a_second_sweep_into_the_same_out_is_refused_and_writes_nothing(tmp_path: Path, spec: Path) -> None:
    out = tmp_path / "out"
    other = _holder(out)
    try:
        with pytest.raises(ConfigError, match=rf"--out: another defidrill process \(pid {other.pid}\) is writing"):
            run_sweep(spec, out_dir=out, workers=1, echo=lambda _: None)
        assert sorted(p.name for p in out.iterdir()) == [".lock"]  # no sweep.yaml, no points/, no table
    finally:
        other.communicate("", timeout=30)


def test_a_sweep_out_that_holds_a_run_folder_is_refused(tmp_path: Path, spec: Path) -> None:
    out = write_onchain_run(tmp_path / "run")
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(ConfigError, match="--out: the folder holds a run, not a sweep"):
        run_sweep(spec, out_dir=out, workers=1, echo=lambda _: None)
    assert sorted(p.name for p in out.iterdir()) == before


def test_a_point_folder_another_process_is_writing_is_never_cleared(tmp_path: Path, spec: Path) -> None:
    """The point's row says why it failed; every file of the live writer is still there."""
    loaded, drill_path = load_spec(spec)
    point = expand(loaded)[0]
    sweep_dir = tmp_path / "out"
    run_dir = sweep_dir / "points" / point.folder
    live = write_onchain_run(run_dir)
    files = sorted(p.name for p in live.iterdir())
    other = _holder(run_dir)
    try:
        row = run_point(PointTask(point, str(drill_path), loaded.set, str(spec), str(run_dir), str(sweep_dir)))
    finally:
        other.communicate("", timeout=30)
    assert row["status"] == "failed"
    assert f"another defidrill process (pid {other.pid}) is writing this folder" in row["error"]
    assert sorted(p.name for p in live.iterdir() if p.name != ".lock") == files
