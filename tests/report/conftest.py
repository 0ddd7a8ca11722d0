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
