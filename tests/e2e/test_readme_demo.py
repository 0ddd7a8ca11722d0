"""The README's demo section is what the demo drill produces: its verdict, its expectations and its chart.

The drill runs at its full size (as `make demo` runs it); `tools/readme_demo.py` renders the block and
the chart from the run folder; both must equal what README.md and docs/assets hold.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from defidrill.runner import run_drill
from defidrill.toolchain import project_root


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_demo", project_root() / "tools" / "readme_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_readme_shows_what_the_demo_drill_produces(tmp_path: Path) -> None:
    tool = _tool()
    outcome = run_drill(project_root() / tool.DEMO_DRILL, out_dir=tmp_path / "demo", progress=False)
    assert outcome.summary["status"] == "ok" and outcome.summary["exit_status"] == 0
    readme = (project_root() / "README.md").read_text()
    block = tool.demo_block(outcome.run_dir)
    assert block in readme, "README.md's demo block is stale: python tools/readme_demo.py"
    assert (project_root() / tool.CHART).read_text() == tool.demo_chart(outcome.run_dir), \
        "the demo chart is stale: python tools/readme_demo.py"
    # the seed story's figures, as the verdict states them (the fit is part of the drill's targets)
    assert "3 of 3 within the stated factor 1.5" in block
