"""Every library drill states its characteristic outcome as ``expect:``, each bound with its reason.

The bounds live in the drill files only; the e2e tests of each drill assert them through the
drill's own run (``assert_expectations``), so a threshold is written once.
"""

from __future__ import annotations

import yaml

from defidrill.drill.schema.expect import flatten_expect
from defidrill.drill import library_drills
from support.e2e_runs import ORACLES


def test_every_library_drill_states_its_expectations_with_a_reason() -> None:
    drills = library_drills()  # oracles/risk/ holds risk studies, not drills
    assert len(drills) >= 17
    for path in drills:
        expect = flatten_expect(yaml.safe_load(path.read_text()).get("expect"))
        assert expect, f"{path.relative_to(ORACLES)} states no expect:"
        for metric, bounds in expect.items():
            assert "min" in bounds or "max" in bounds, (path.name, metric)
            assert len(bounds.get("why") or "") > 20, f"{path.relative_to(ORACLES)}: {metric} gives no reason"

