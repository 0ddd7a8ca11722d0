"""Every library drill, reduced (support.backend_diff), with the health bound on and off: the same run folder.

The bound (engine/health_bound.py) reads an account only where its health can have changed enough to
matter; off (``DEFIDRILL_HEALTH_BOUND=off``) every account is read every step. steps.csv, events.jsonl and
borrowers.csv must be the same bytes, and summary.json the same outside wall-clock fields
(``compare_run_folders``, which also names the first difference). The bound must have skipped reads,
or the comparison proves nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from defidrill.engine import health_bound, observe
from support.backend_diff import compare_run_folders, differential_doc
from support.e2e_runs import finished_run
from test_backend_differential import ALL_DRILLS

#: Drills on genuine Aave V3 and Morpho Blue keep the full read (their adapters have no bounded_reads):
#: the differential still runs them (the switch must change nothing there either).
RUN_FOLDER_FILES = ("steps.csv", "events.jsonl", "borrowers.csv")


def _run(drill_path: Path, out: Path, bound: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[Any]]:
    made: list[Any] = []
    init = observe.Observer.__init__

    def capture(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        made.append(self)

    with monkeypatch.context() as m:
        m.setenv(health_bound.SWITCH_ENV, bound)
        m.setattr(observe.Observer, "__init__", capture)
        outcome = finished_run(drill_path, out_dir=out)
    assert outcome.summary["status"] == "ok", outcome.summary.get("error")
    return outcome.run_dir, made


@pytest.mark.parametrize("name", ALL_DRILLS)
def test_same_run_folder_with_the_bound_on_and_off(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drill_path = tmp_path / f"{Path(name).name}.yaml"
    drill_path.write_text(yaml.safe_dump(differential_doc(name), sort_keys=False))
    on_dir, on = _run(drill_path, tmp_path / "on", "on", monkeypatch)
    off_dir, off = _run(drill_path, tmp_path / "off", "off", monkeypatch)
    for file in RUN_FOLDER_FILES:
        assert (on_dir / file).read_bytes() == (off_dir / file).read_bytes(), (
            f"{name}: {file} differs; first: {compare_run_folders(off_dir, on_dir)[:1]}")
    differences = compare_run_folders(off_dir, on_dir)
    assert not differences, f"{name}: {len(differences)} differences; first: {differences[0]}"
    steps = sum(1 for _ in open(on_dir / "steps.csv")) - 1
    n_accounts = len(off[-1].world.accounts)
    assert off[-1].accounts_read == n_accounts * steps  # off: every account every step
    if on[-1].world.lending.bounded_reads() is not None and on[-1].rule is not None:
        assert on[-1].accounts_read < n_accounts * steps, f"{name}: the bound read every account every step"
