"""Exit status 6 end to end: a drill whose expectation cannot hold runs to the end, names the metric."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from defidrill.cli.main import cli
from defidrill.run_folder import REPORT_HTML, REPORT_MD, read_summary

# The CEX index follows the reference: 60,000 until 30 s, then 60,000 x (1 - 5%) = 57,000. So the
# lowest index is 57,000 and an expectation of at least 60,000 cannot hold; the start is 60,000.
DRILL = """name: cannot-hold
market:
  step: 10s
  duration: 1m
  assets:
    WBTC: {start: 60000, path: {kind: step, at: 30s, change: -5%}}
    USDC: 1
borrowers: {count: 4}
cex: {positions: {count: 200}}
expect:
  cex.start_index_price_usd: {min: 59.9k, max: 60.1k}
  cex.min_index_price_usd: {min: 60k, why: "the index never falls"}
"""


@pytest.mark.slow
def test_an_expectation_that_cannot_hold_exits_6_with_the_folder_complete(tmp_path: Path) -> None:
    drill = tmp_path / "cannot-hold.yaml"
    drill.write_text(DRILL)
    out = tmp_path / "run"
    result = CliRunner(mix_stderr=False).invoke(cli, ["run", str(drill), "--out", str(out), "--quiet"])
    assert result.exit_code == 6, result.output
    assert "ExpectationsNotMet: 1 of 2 expectations not met" in result.stderr
    assert "cex.min_index_price_usd = $57,000 (min $60,000): the index never falls" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[-2:] == ["expect met: cex.start_index_price_usd = $60,000 (min $59,900, max $60,100)",
                          "expect NOT MET: cex.min_index_price_usd = $57,000 (min $60,000): the index never falls"]
    summary = read_summary(out / "summary.json")
    assert (summary.status, summary.exit_status, summary.steps_completed) == ("ok", 6, 7)
    assert summary.onchain is not None and summary.cex is not None          # metrics written
    assert (out / REPORT_MD).is_file() and (out / REPORT_HTML).is_file()       # report written
    low = {e.metric: e for e in summary.expectations or []}["cex.min_index_price_usd"]
    assert (low.value, low.min, low.max, low.met) == (57_000.0, 60_000.0, None, False)

    # --json carries them too; an override that lowers the bound makes the run pass (exit 0)
    again = CliRunner(mix_stderr=False).invoke(cli, ["run", str(drill), "--out", str(tmp_path / "again"), "--json",
                                     "--set", "expect.cex.min_index_price_usd.min=57k"])
    assert again.exit_code == 0, again.output
    outcome = json.loads(again.stdout)
    assert outcome["exit_status"] == 0
    assert [(e["metric"], e["min"], e["value"], e["met"]) for e in outcome["expectations"]] == [
        ("cex.start_index_price_usd", 59_900.0, 60_000.0, True), ("cex.min_index_price_usd", 57_000.0, 57_000.0, True)]
