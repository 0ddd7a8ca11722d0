"""``defidrill_run`` and ``defidrill_deploy`` resolve relative paths against the test file's folder, from any
current folder: a drill file, a mapping's replay ``csv:``, an adapter's ``artifacts``."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TINY = {
    "name": "tiny-mapping", "seed": 3,
    "market": {"step": "10s", "duration": "3m",
               "assets": {"WETH": {"start": 3000, "path": {"kind": "replay", "csv": "beside/weth.csv"}}, "USDC": 1}},
    "amm": {"pairs": {"WETH/USDC": "2M"}}, "borrowers": {"count": 4}, "cex": {"enabled": False},
}


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pytest run from a folder that holds none of the test's files."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_a_drill_file_beside_the_test(defidrill_run, elsewhere: Path) -> None:
    outcome = defidrill_run("beside/tiny.yaml")
    assert outcome.summary["status"] == "ok" and outcome.summary["steps_completed"] == 19
    assert outcome.summary["drill_dir"] == str(HERE / "beside")


def test_a_mapping_takes_its_csv_from_the_test_folder(defidrill_run, elsewhere: Path) -> None:
    outcome = defidrill_run(TINY)
    assert outcome.summary["status"] == "ok"
    # the replay path's 4th row (2925 at 180 s) is the last reference price
    assert (outcome.run_dir / "steps.csv").read_text().splitlines()[-1].count("2925") >= 1


def test_deploy_takes_artifacts_from_the_test_folder(defidrill_deploy, elsewhere: Path) -> None:
    adapter = defidrill_deploy("plugin_adapter:PluginSeizeShareAdapter", artifacts="../protocol/seize_share/contracts")
    assert adapter.markets().protocol == "seize-share"
