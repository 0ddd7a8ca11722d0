"""The risk file: the drills' safe reader and messages, its maxima, and every run through the one preflight."""

from __future__ import annotations

from pathlib import Path

import pytest

from defidrill.errors import ConfigError
from defidrill.risk.plan import base_of, draw_runs, make_tasks, validate_tasks, variants
from defidrill.risk.spec import MAX_RISK_RUNS, load_risk_spec

GOOD = """drill: flash-crash
name: t
seed: 4
runs: 3
set: {borrowers.count: 10, market.duration: 30m, market.step: 20s, protocol.collateral.WETH.ltv: 70%}
parameters:
  threshold:
    keys: [protocol.collateral.WBTC.liquidation_threshold, protocol.collateral.WETH.liquidation_threshold]
    values: [75%, 85%]
paths: {family: shock, assets: [WBTC, WETH], draws: {drop: {uniform: [5%, 30%]}, at: {uniform: [2m, 5m]}}}
events:
  mm_withdraw: {probability: 50%, fraction: {uniform: [20%, 60%]}}
  keeper_outage: {probability: 100%, keepers: [fast], at: 5m, for: {uniform: [1m, 3m]}}
constraint: {metric: onchain.bad_debt_share_of_debt_pct, quantile: 99%, max: 0.5%}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "risk.yaml"
    path.write_text(text)
    return path


def test_a_good_file_plans_paired_runs(tmp_path: Path) -> None:
    file = _write(tmp_path, GOOD)
    spec, drill = load_risk_spec(file)
    assert [v.values for v in variants(spec)] == [{"threshold": "75%"}, {"threshold": "85%"}]
    base = base_of(spec, drill, str(file))
    draws = draw_runs(spec, base, 3, tmp_path, str(file))
    tasks = make_tasks(spec, drill, draws, tmp_path, str(file))
    validate_tasks(tasks, drill, str(file))
    assert len(tasks) == 6
    # run by run: run r of every value before run r + 1 (a study stopped part way stays paired)
    assert [(dict(t.columns)["run"], dict(t.columns)["variant"]) for t in tasks] == [
        (0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    # common random numbers: run r has the same draws, seed and overrides on both values
    for r in range(3):
        a, b = tasks[2 * r], tasks[2 * r + 1]
        assert a.extra == b.extra and a.point.seed == b.point.seed and dict(a.columns)["run"] == r
        assert a.point.params != b.point.params and a.point.point_id != b.point.point_id
    assert len({t.point.seed for t in tasks[::2]}) == 3
    keys = [k for k, _ in tasks[0].extra]
    assert "market.assets.WBTC.path.drop" in keys and "cex.book.mm_withdraw.fraction" in keys
    outage = dict(tasks[0].extra)["keepers.0.offline"]
    assert outage[-1]["at"] == "5m"


def test_unknown_key_is_reported_with_its_line(tmp_path: Path) -> None:
    file = _write(tmp_path, GOOD.replace("runs: 3", "runs: 3\nrunz: 4"))
    with pytest.raises(ConfigError) as err:
        load_risk_spec(file)
    assert f"{file}:5" in str(err.value) and "runz" in str(err.value)


@pytest.mark.parametrize("edit, says", [
    (("max: 0.5%", "max: 0.5"), "write the bound with %"),
    (("runs: 3", f"runs: {MAX_RISK_RUNS + 1}"), "runs"),
    (("name: t", "name: a/b"), "not a path"),
    (("metric: onchain.bad_debt_share_of_debt_pct", "metric: onchain.bad_dept"), "unknown metric"),
    (("family: shock", "family: brownian"), "paths"),
])
def test_refusals_name_the_field(tmp_path: Path, edit: tuple[str, str], says: str) -> None:
    file = _write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(ConfigError) as err:
        load_risk_spec(file)
    assert says in str(err.value)


def test_the_safe_reader_refuses_an_alias_bomb_as_a_risk_file(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    with pytest.raises(ConfigError) as err:
        load_risk_spec(_write(tmp_path, bomb))
    assert "risk file" in str(err.value) or "expands" in str(err.value)


def test_a_value_the_drill_refuses_stops_the_study_before_it_starts(tmp_path: Path) -> None:
    # threshold 95% x (1 + 6% bonus) > 1: the drill's own rule, reached through the value's override
    file = _write(tmp_path, GOOD.replace("values: [75%, 85%]", "values: [75%, 95%]"))
    spec, drill = load_risk_spec(file)
    base = base_of(spec, drill, str(file))
    tasks = make_tasks(spec, drill, draw_runs(spec, base, 3, tmp_path, str(file)), tmp_path, str(file))
    with pytest.raises(ConfigError) as err:
        validate_tasks(tasks, drill, str(file))
    assert "3 of 6 runs do not validate" in str(err.value) and "liquidation_threshold" in str(err.value)


def test_a_drawn_shock_outside_the_drill_rules_is_refused(tmp_path: Path) -> None:
    file = _write(tmp_path, GOOD.replace("drop: {uniform: [5%, 30%]}", "drop: {uniform: [50%, 120%]}"))
    spec, drill = load_risk_spec(file)
    tasks = make_tasks(spec, drill, draw_runs(spec, base_of(spec, drill, str(file)), 3, tmp_path, str(file)),
                       tmp_path, str(file))
    with pytest.raises(ConfigError) as err:
        validate_tasks(tasks, drill, str(file))
    assert "drop" in str(err.value)


def test_gbm_family_writes_a_replay_csv_per_run(tmp_path: Path) -> None:
    text = GOOD.replace("paths: {family: shock, assets: [WBTC, WETH], draws: {drop: {uniform: [5%, 30%]}, "
                        "at: {uniform: [2m, 5m]}}}",
                        "paths: {family: gbm_jumps, assets: [WBTC, WETH], law: {sigma: 150%, jumps: {intensity: 5, "
                        "mean: -5%, std: 2%}, source: 'a stress law stated for this test'}}")
    file = _write(tmp_path, text)
    spec, drill = load_risk_spec(file)
    draws = draw_runs(spec, base_of(spec, drill, str(file)), 3, tmp_path, str(file))
    tasks = make_tasks(spec, drill, draws, tmp_path, str(file))
    validate_tasks(tasks, drill, str(file))
    assert sorted(p.name for p in (tmp_path / "paths").iterdir()) == ["r00000.csv", "r00001.csv", "r00002.csv"]
    path = dict(tasks[0].extra)["market.assets.WETH.path"]
    assert path["kind"] == "replay" and path["price_column"] == "WETH"
    first = (tmp_path / "paths" / "r00000.csv").read_text().splitlines()[1].split(",")
    assert float(first[1]) == 60_000.0 and float(first[2]) == 3_000.0   # the drill's start prices


def test_a_study_folder_another_process_holds_is_refused_and_left_alone(tmp_path: Path) -> None:
    from defidrill.risk.runner import run_risk
    from defidrill.run_folder import folder_lock

    out = tmp_path / "study"
    out.mkdir()
    (out / "marker.txt").write_text("mine")
    with folder_lock(out):  # another writer holds the study (a second flock on its own descriptor)
        with pytest.raises(ConfigError, match="writing this folder"):
            run_risk(_write(tmp_path, GOOD), out_dir=out, echo=lambda _line: None)
    assert sorted(p.name for p in out.iterdir()) == ["marker.txt"]  # nothing written; the holder took its lock away


def test_a_study_into_a_run_folder_is_refused(tmp_path: Path) -> None:
    from defidrill.risk.runner import run_risk

    out = tmp_path / "run"
    out.mkdir()
    (out / "summary.json").write_text('{"schema_version": 1, "drill": "x", "status": "ok"}')
    (out / "steps.csv").write_text("step,t_s\n")
    with pytest.raises(ConfigError, match="holds a run"):
        run_risk(_write(tmp_path, GOOD), out_dir=out, echo=lambda _line: None)
