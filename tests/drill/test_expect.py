"""``expect:``: bounds read in each metric's unit, names checked by the preflight, reached by --set."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from defidrill.drill.schema.expect import ExpectationSpec, flatten_expect, parse_bound, unit_of
from defidrill.drill.units import UnitError
from defidrill.errors import ConfigError
from defidrill.preflight import preflight

BLOCK_S = 12.0

DRILL = """\
name: small
chain: {block_time: 2s}
market:
  step: 10s
  duration: 2m
  assets:
    WBTC: {start: 60000, path: {kind: step, at: 30s, change: -5%}}
    USDC: 1
borrowers: {count: 4}
expect:
  onchain.bad_debt_usd: {max: 20k, why: "the guard holds"}
  onchain.first_liquidation_delay_s: {max: 3 blocks}
"""


@pytest.fixture
def drill_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(DRILL)
    return path


@pytest.mark.parametrize(("metric", "unit"), [
    ("onchain.bad_debt_share_of_debt_pct", "%"), ("onchain.first_liquidation_delay_s", "s"),
    ("onchain.oracle_time_above_1pct_s", "s"), ("cex.liquidated_notional_usd", "USD"),
    ("onchain.liquidation_count", "count"), ("onchain.min_health_factor", ""), ("cex.amplification", ""),
    ("cex.net_flow_btc", ""), ("comparison.liquidated_notional_usd.onchain", "USD"),
    ("comparison.first_breach_s.cex", "s"), ("comparison.liquidation_count.cex", "count"),
])
def test_the_unit_follows_the_metric_name(metric: str, unit: str) -> None:
    assert unit_of(metric) == unit


@pytest.mark.parametrize(("metric", "written", "read"), [
    ("onchain.bad_debt_share_of_debt_pct", "1%", 1.0),
    ("onchain.bad_debt_share_of_debt_pct", "0.5 %", 0.5),
    ("onchain.bad_debt_share_of_debt_pct", "-2%", -2.0),
    ("onchain.first_liquidation_delay_s", "30s", 30.0),
    ("onchain.first_liquidation_delay_s", "10m", 600.0),
    ("onchain.first_liquidation_delay_s", "1h", 3600.0),
    ("onchain.first_liquidation_delay_s", 45, 45.0),                    # a bare number is seconds
    ("onchain.first_liquidation_delay_s", "3 blocks", 3 * BLOCK_S),     # x chain.block_time
    ("onchain.first_liquidation_delay_s", "1 block", BLOCK_S),
    ("cex.liquidated_notional_usd", "20k", 20_000.0),
    ("cex.liquidated_notional_usd", "1.1B", 1.1e9),
    ("cex.liquidated_notional_usd", 250000, 250_000.0),
    ("cex.liquidated_notional_usd", "$1,000", 1_000.0),
    ("onchain.liquidation_count", 3, 3.0),
    ("onchain.liquidation_count", "1k", 1_000.0),
    ("cex.amplification", 0.5, 0.5),
    ("cex.amplification", 2, 2.0),
])
def test_each_allowed_form_reads_in_the_metric_unit(metric: str, written: Any, read: float) -> None:
    assert parse_bound(metric, written, BLOCK_S) == pytest.approx(read, rel=1e-12)


@pytest.mark.parametrize(("metric", "written", "allowed"), [
    ("onchain.bad_debt_share_of_debt_pct", 1, "a bare number is refused"),      # 1% or 100%?
    ("onchain.bad_debt_share_of_debt_pct", 0.5, "a bare number is refused"),
    ("onchain.bad_debt_share_of_debt_pct", "1", "a percentage with its sign"),
    ("onchain.bad_debt_share_of_debt_pct", "one%", "a percentage with its sign"),
    ("onchain.bad_debt_share_of_debt_pct", True, "a percentage with its sign"),
    ("onchain.first_liquidation_delay_s", "3 bananas", "N blocks"),
    ("onchain.first_liquidation_delay_s", "-5s", "N blocks"),
    ("onchain.first_liquidation_delay_s", "1%", "N blocks"),
    ("cex.liquidated_notional_usd", "20m", "dollar amount"),                   # m is minutes
    ("cex.liquidated_notional_usd", "1%", "dollar amount"),
    ("onchain.liquidation_count", 2.5, "whole number"),
    ("cex.amplification", "2x", "plain number"),
    ("cex.amplification", "50%", "plain number"),
    ("cex.amplification", False, "plain number"),
])
def test_each_refused_form_names_the_allowed_ones(metric: str, written: Any, allowed: str) -> None:
    with pytest.raises(UnitError) as err:
        parse_bound(metric, written, BLOCK_S)
    assert allowed in err.value.allowed


def test_nested_and_dotted_names_are_one_flat_name_the_later_field_winning() -> None:
    raw = {"onchain.bad_debt_usd": {"min": 1, "max": 2}, "onchain": {"bad_debt_usd": {"max": 3}},
           "comparison": {"liquidation_count": {"cex": {"max": 4}}}, "cex.adl_count": None}
    assert flatten_expect(raw) == {"onchain.bad_debt_usd": {"min": 1, "max": 3},
                                   "comparison.liquidation_count.cex": {"max": 4}}


def test_a_checked_drill_holds_its_expectations_in_metric_units(drill_file: Path) -> None:
    specs = preflight(drill_file).drill.expectations
    assert specs == [ExpectationSpec("onchain.bad_debt_usd", "USD", None, 20_000.0, "the guard holds"),
                     ExpectationSpec("onchain.first_liquidation_delay_s", "s", None, 6.0)]  # 3 blocks x 2 s


def test_an_override_edits_an_expectation_and_creates_one_the_file_lacks(drill_file: Path) -> None:
    specs = preflight(drill_file, overrides=["expect.onchain.bad_debt_usd.max=2k",
                                             "expect.onchain.max_amm_deviation_pct.max=2%",
                                             "expect.onchain.first_liquidation_delay_s=null"]).drill.expectations
    assert specs == [ExpectationSpec("onchain.bad_debt_usd", "USD", None, 2_000.0, "the guard holds"),
                     ExpectationSpec("onchain.max_amm_deviation_pct", "%", None, 2.0)]


def _error(path: Path, overrides: tuple[str, ...] = ()) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        preflight(path, overrides=overrides)
    return err.value


def test_an_unknown_metric_is_refused_with_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(DRILL + "  onchain.liquidation_cuont: {max: 3}\n")
    err = _error(path)
    assert (err.file, err.line, err.path, err.value) == (str(path), 13, "expect.onchain.liquidation_cuont",
                                                        "onchain.liquidation_cuont")
    assert err.allowed is not None and "did you mean onchain.liquidation_count" in err.allowed


def test_a_bound_in_the_wrong_unit_is_refused_with_file_line_and_allowed_forms(tmp_path: Path) -> None:
    path = tmp_path / "unit.yaml"
    path.write_text(DRILL + textwrap.dedent("""\
        # a percent metric bounded by a bare number
          onchain.max_amm_deviation_pct:
            max: 3
        """))
    err = _error(path)
    assert (err.line, err.path, err.value) == (15, "expect.onchain.max_amm_deviation_pct.max", 3)
    assert err.allowed is not None and "like 1% or 0.5 %" in err.allowed


def test_a_bad_bound_from_an_override_names_the_override(drill_file: Path) -> None:
    err = _error(drill_file, ("expect.onchain.max_amm_deviation_pct.max=2",))
    assert err.file == "--set expect.onchain.max_amm_deviation_pct.max=2" and err.line is None
    assert err.path == "expect.onchain.max_amm_deviation_pct.max" and err.value == 2


@pytest.mark.parametrize(("tail", "message"), [
    ("  onchain.bad_debt_usd: {why: nothing}\n", "needs min, max or both"),
    ("  onchain.bad_debt_usd: {mx: 1k}\n", "unknown key"),
    ("  onchain.bad_debt_usd: {min: 2k, max: 1k}\n", "min is above max"),
])
def test_a_malformed_expectation_is_refused(tmp_path: Path, tail: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(DRILL.replace('  onchain.bad_debt_usd: {max: 20k, why: "the guard holds"}\n', "") + tail)
    assert message in str(_error(path))
