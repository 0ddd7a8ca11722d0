"""Fixtures of tests/e2e: the session's drill runs (helpers in ``support.e2e_runs``)."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Iterator

import pytest

from support.e2e_runs import DrillRuns


@pytest.fixture(scope="session")
def drill_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrillRuns]:
    runs = DrillRuns(tmp_path_factory.mktemp("drills"))
    yield runs
    for name, run in runs.cache.items():
        print(f"\n[e2e] {name}: {run.wall_time_s:.1f} s wall, {len(run.steps)} steps")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/e2e runs a drill on a real chain: mark it slow (still run by `make test`)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)


