"""summary.json's ``expectations``: bounds from drill.yaml (and the run's --set) beside the run's value.

The hand-made run folder (tests/support/run_folders.py) has 4 liquidations (A at t = 60 s, B at
70 s, C and D at 120 s), $150 of bad debt at the last row and repaid debt 11,760 + 1,000 + 882.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from defidrill.drill.schema.expect import ExpectationSpec
from defidrill.metrics import build_summary
from defidrill.metrics.expectations import describe, evaluate, specs_from_document
from defidrill.run_folder import DRILL_YAML, Expectation, write_summary
from support.run_folders import write_onchain_run

EXPECT = """\
expect:
  onchain.liquidation_count: {min: 3, max: 4}
  onchain.bad_debt_usd: {max: 100, why: "the guard holds"}
  onchain.first_liquidation_s: {max: 1m}
  onchain:
    liquidated_debt_usd: {min: 13.6k}
"""


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    root = write_onchain_run(tmp_path / "run")
    with open(root / DRILL_YAML, "a") as fh:
        fh.write(EXPECT)
    return root


def _by_metric(expectations: list[Expectation] | None) -> dict[str, Expectation]:
    return {e.metric: e for e in expectations or []}


def test_each_expectation_gets_the_run_value_and_whether_it_holds(run_dir: Path) -> None:
    summary = build_summary(run_dir, header={"status": "ok", "exit_status": 0})
    got = _by_metric(summary.expectations)
    assert list(got) == ["onchain.liquidation_count", "onchain.bad_debt_usd", "onchain.first_liquidation_s",
                         "onchain.liquidated_debt_usd"]
    assert (got["onchain.liquidation_count"].value, got["onchain.liquidation_count"].met) == (4.0, True)  # max inclusive
    assert (got["onchain.bad_debt_usd"].value, got["onchain.bad_debt_usd"].met) == (150.0, False)
    assert got["onchain.bad_debt_usd"].why == "the guard holds" and got["onchain.bad_debt_usd"].unit == "USD"
    assert (got["onchain.first_liquidation_s"].max, got["onchain.first_liquidation_s"].value) == (60.0, 60.0)
    assert got["onchain.first_liquidation_s"].met                                  # 60 <= 60
    assert got["onchain.liquidated_debt_usd"].value == pytest.approx(11_760 + 1_000 + 882)
    assert got["onchain.liquidated_debt_usd"].met                                   # 13,642 >= 13,600
    assert summary.status == "ok" and summary.exit_status == 6                      # one not met


def test_recompute_evaluates_again_with_the_run_overrides(run_dir: Path) -> None:
    overrides = ["expect.onchain.bad_debt_usd.max=150", "expect.onchain.liquidation_count=null"]
    write_summary(run_dir, build_summary(run_dir, header={"status": "ok", "exit_status": 0, "overrides": overrides}))
    again = build_summary(run_dir)   # what `defidrill report --recompute` does: the summary's header kept
    got = _by_metric(again.expectations)
    assert "onchain.liquidation_count" not in got                                   # taken out by the override
    assert got["onchain.bad_debt_usd"].max == 150.0 and got["onchain.bad_debt_usd"].met
    assert again.exit_status == 0


def test_a_failed_run_keeps_its_own_exit_status(run_dir: Path) -> None:
    summary = build_summary(run_dir, header={"status": "failed", "exit_status": 4, "error": "anvil died"})
    assert summary.exit_status == 4 and not _by_metric(summary.expectations)["onchain.bad_debt_usd"].met


def test_bounds_in_blocks_use_the_drill_block_time_after_its_overrides() -> None:
    doc = {"chain": {"block_time": "2s"}, "expect": {"onchain.first_liquidation_delay_s": {"max": "3 blocks"}}}
    assert specs_from_document(doc)[0].max == 6.0
    assert specs_from_document(doc, ["chain.block_time=12s"])[0].max == 36.0
    assert specs_from_document({"expect": {"onchain.first_liquidation_delay_s": {"max": "3 blocks"}}})[0].max == 36.0


@pytest.mark.parametrize(("spec", "value", "met"), [
    (ExpectationSpec("cex.amplification", "", 1.0, 2.0), 1.0, True),      # both bounds inclusive
    (ExpectationSpec("cex.amplification", "", 1.0, 2.0), 2.0, True),
    (ExpectationSpec("cex.amplification", "", 1.0, 2.0), 0.999, False),
    (ExpectationSpec("cex.amplification", "", 1.0, 2.0), 2.001, False),
    (ExpectationSpec("cex.amplification", "", None, 2.0), -1e9, True),    # an absent bound is no bound
    (ExpectationSpec("cex.amplification", "", 1.0, None), 1e9, True),
    # null: the metric did not happen (no liquidation, no CEX side): not met unless allow_null
    (ExpectationSpec("onchain.first_liquidation_delay_s", "s", None, 36.0), None, False),
    (ExpectationSpec("onchain.first_liquidation_delay_s", "s", None, 36.0, allow_null=True), None, True),
    (ExpectationSpec("onchain.first_liquidation_delay_s", "s", None, 36.0, allow_null=True), 48.0, False),
])
def test_met_is_min_le_value_le_max_and_null_only_with_allow_null(spec: ExpectationSpec, value: float | None,
                                                                  met: bool) -> None:
    (e,) = evaluate([spec], {spec.metric: value})
    assert (e.value, e.met) == (value, met)


def test_a_metric_missing_from_the_headline_is_null() -> None:
    (e,) = evaluate([ExpectationSpec("cex.adl_count", "count", None, 0.0)], {})
    assert e.value is None and not e.met


def test_the_line_a_person_reads_names_metric_value_bounds_and_reason() -> None:
    e = Expectation(metric="onchain.bad_debt_share_of_debt_pct", min=None, max=1.0, value=3.25, met=False,
                    why="the guard holds", unit="%")
    assert describe(e) == "onchain.bad_debt_share_of_debt_pct = 3.25% (max 1%): the guard holds"
    usd = Expectation(metric="cex.liquidated_notional_usd", min=1.1e9, max=2.6e9, value=None, met=False, unit="USD")
    assert describe(usd) == "cex.liquidated_notional_usd = null (did not happen) (min $1,100,000,000, max $2,600,000,000)"
