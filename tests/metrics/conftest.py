"""Run folders written by the tests (tests/support/run_folders.py holds the hand-made rows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.run_folders import write_cex_run, write_onchain_run


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A complete run folder: on-chain files, address book and a hand-made CEX replay."""
    return write_cex_run(write_onchain_run(tmp_path / "run"))
