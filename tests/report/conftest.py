"""A finished run folder (summary.json included) for the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from defidrill.metrics import build_summary
from defidrill.run_folder import write_summary
from support.run_folders import write_cex_run, write_onchain_run

INVARIANTS = [
    {"name": "pool cash + borrows = supplied + reserves", "passed": True, "detail": "difference 0 wei"},
    {"name": "no account liquidated while healthy", "passed": False, "detail": "0xbb... at step 6 (HF 1.02)"},
]


@pytest.fixture
def finished_run(tmp_path: Path) -> Path:
    root = write_cex_run(write_onchain_run(tmp_path / "run"))
    summary = build_summary(root, invariants=INVARIANTS,
                            header={"status": "ok", "error": None, "steps_completed": 13, "steps_total": 13})
    write_summary(root, summary)
    return root


#: keeper-outage (both keepers offline 25m-55m, LPs withdraw 40% at 15m) cut to 75 minutes, the crash
#: and the keepers' return kept, on a small book: a real run with liquidations on both venues and
#: drill events to mark, in about 20 s.
SMALL_DRILL = ("keeper-outage", ["borrowers.count=40", "market.duration=75m", "cex.positions.count=2000"])


@pytest.fixture(scope="session")
def drilled_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder made by a real drill run (anvil, solc, transactions), its report written."""
    from defidrill.runner import run_drill
    from defidrill.toolchain import project_root

    name, overrides = SMALL_DRILL
    out = tmp_path_factory.mktemp("drilled") / "run"
    outcome = run_drill(project_root() / "oracles" / f"{name}.yaml", out_dir=out, progress=False, overrides=overrides)
    return Path(outcome.run_dir)
