"""Every liquidation of every e2e drill run against the independent reference model (differential)."""

from __future__ import annotations

import pytest

from defidrill.metrics.liquidation_check import check_liquidations
from support.e2e_runs import VARIANTS, DrillRuns


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_liquidation_is_explained_by_the_model(drill_runs: DrillRuns, name: str) -> None:
    run = drill_runs(name)
    result = check_liquidations(run.run_dir)
    assert result.differences == []
    liquidations = len(run.events_named("Liquidation"))
    assert result.checked + len(result.not_checked) >= liquidations
    # Drills priced by feed rounds (all but the amm_spot pair) have every liquidation checked.
    if run.drill.get("protocol", {}).get("oracle", {}).get("mode", "guarded") in ("guarded", "naive"):
        assert result.checked == liquidations
