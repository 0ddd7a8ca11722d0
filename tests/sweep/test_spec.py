"""Sweep files: points from a grid, seeded samples and seeds; every point validated before anything starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from defidrill.errors import ConfigError
from defidrill.sweep import expand, load_spec
from defidrill.sweep.runner import PointTask, run_point, run_sweep
from defidrill.sweep.spec import SweepSpec, numeric_value

DRILL = """name: tiny
market:
  step: 10s
  duration: 2m
  assets:
    WBTC: {start: 60000, path: {kind: step, at: 1m, change: -5%}}
    USDC: 1
"""


def _write(tmp_path: Path, sweep: str) -> Path:
    (tmp_path / "tiny.yaml").write_text(DRILL)
    path = tmp_path / "sweep.yaml"
    path.write_text(sweep)
    return path


def test_grid_times_seeds_gives_every_combination_once() -> None:
    spec = SweepSpec.model_validate({"drill": "x", "grid": {"a.b": [1, 2, 3], "c": ["5%", "10%"]}, "seeds": [7, 8]})
    points = expand(spec)
    assert len(points) == 3 * 2 * 2
    combos = {(p.params["a.b"], p.params["c"], p.seed) for p in points}
    assert len(combos) == 12 and (3, "10%", 8) in combos
    assert [p.index for p in points] == list(range(12))
    assert len({p.point_id for p in points}) == 12
    assert [p.point_id for p in expand(spec)] == [p.point_id for p in points]   # stable: resume finds them


def test_samples_are_seeded_and_inside_their_bounds() -> None:
    raw = {"drill": "x", "grid": {"g": [1, 2]},
           "samples": {"count": 5, "seed": 3, "params": {"u": {"uniform": ["1%", "3%"]}, "i": {"int": [0, 2]},
                                                         "c": {"choice": ["flash", "capital"]}}}}
    points = expand(SweepSpec.model_validate(raw))
    assert len(points) == 2 * 5
    for p in points:
        assert 0.01 <= numeric_value(p.params["u"]) <= 0.03          # "1.734%" -> 0.01734
        assert p.params["i"] in (0, 1, 2) and p.params["c"] in ("flash", "capital")
    again = expand(SweepSpec.model_validate(raw))
    assert [p.params for p in again] == [p.params for p in points]
    other = expand(SweepSpec.model_validate({**raw, "samples": {**raw["samples"], "seed": 4}}))
    assert [p.params for p in other] != [p.params for p in points]


def test_numeric_values_read_units() -> None:
    assert numeric_value("8%") == pytest.approx(0.08)
    assert numeric_value("10m") == 600.0
    assert numeric_value(5) == 5.0 and numeric_value("flash") is None


@pytest.mark.parametrize("body, message", [
    ("drill: tiny.yaml\ngrid: {a: [1]}\nmetrics: [onchain.bad_debt]\n", "unknown metric 'onchain.bad_debt'"),
    ("drill: tiny.yaml\ngrid: {a: [1]}\nplot: {x: b}\n", "plot axis 'b' is not a swept key; allowed: a"),
    ("drill: tiny.yaml\n", "a sweep needs a grid, samples, or both"),
    ("drill: tiny.yaml\ngrid: {a: []}\n", "grid.a: give at least one value"),
    ("drill: tiny.yaml\ngrdi: {a: [1]}\n", "grdi: Extra inputs are not permitted"),
    ("drill: nowhere.yaml\ngrid: {a: [1]}\n", "nowhere.yaml: drill file not found"),
])
def test_a_bad_sweep_file_is_refused_with_its_name(tmp_path: Path, body: str, message: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        load_spec(path)
    assert message in str(err.value)


def test_every_point_is_validated_before_anything_starts(tmp_path: Path) -> None:
    path = _write(tmp_path, "drill: tiny.yaml\ngrid:\n  market.step: [10s, abc, 5s, xyz]\n")
    out = tmp_path / "out"
    with pytest.raises(ConfigError) as err:
        run_sweep(path, out_dir=out, echo=lambda _: None)
    text = str(err.value)
    assert "2 of 4 points do not validate (nothing was started)" in text
    assert f"{path} (point 1) market.step=abc: market.step: cannot read 'abc' as a duration" in text
    assert f"{path} (point 3) market.step=xyz" in text
    assert not out.exists()


def test_a_point_that_fails_is_a_row_with_its_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "drill: tiny.yaml\ngrid:\n  borrowers.count: [-1]\n")
    spec, drill = load_spec(path)
    point = expand(spec)[0]
    row = run_point(PointTask(point, str(drill), {}, str(path), str(tmp_path / "p0"), str(tmp_path)))
    assert row["status"] == "failed" and row["param.borrowers.count"] == -1
    assert row["error"].startswith(f"ConfigError: {path} (point 0) borrowers.count=-1: borrowers.count")
    assert row["onchain.liquidation_count"] is None and row["run_dir"] == "p0"


# ---- a sweep file is read like a drill file (issue 18) ------------------------------------------


def test_a_sweep_name_that_is_a_path_is_refused(tmp_path: Path) -> None:
    """`name: ../..` named the sweep folder: sweeps/../.. is outside sweeps/."""
    path = _write(tmp_path, "drill: tiny.yaml\nname: ../..\ngrid: {borrowers.count: [5]}\n")
    with pytest.raises(ConfigError) as err:
        load_spec(path)
    assert err.value.path == "name" and "not a path" in str(err.value)


@pytest.mark.parametrize("samples", ["{count: 1000000000, params: {seed: {int: [0, 9]}}}",
                                     "{count: 1.0e+9, params: {seed: {int: [0, 9]}}}"])
def test_a_billion_samples_is_refused_before_any_is_drawn(tmp_path: Path, samples: str) -> None:
    path = _write(tmp_path, f"drill: tiny.yaml\nsamples: {samples}\n")
    with pytest.raises(ConfigError) as err:
        load_spec(path)
    assert "samples.count" in str(err.value) and "10,000" in str(err.value)


def test_a_grid_whose_product_is_too_large_is_refused(tmp_path: Path) -> None:
    """Four keys of 20 values: 160,000 points, refused from the sizes (nothing is expanded)."""
    grid = ", ".join(f"k{i}: [{', '.join(str(v) for v in range(20))}]" for i in range(4))
    path = _write(tmp_path, f"drill: tiny.yaml\ngrid: {{{grid}}}\nseeds: [1, 2]\n")
    with pytest.raises(ConfigError) as err:
        load_spec(path)
    assert "320,000 points" in str(err.value) and "at most 10,000" in str(err.value)


def test_a_sweep_file_that_is_a_fifo_or_a_device_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "sweep.yaml"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a FIFO (named pipe)"), (Path("/dev/zero"), "a character device"), (tmp_path, "a directory")):
        with pytest.raises(ConfigError) as err:
            load_spec(path)
        assert f"it is {kind}, not a regular file" in str(err.value)


def test_a_sweep_file_is_read_within_the_drill_files_yaml_limits(tmp_path: Path) -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join('*' + p for _ in range(10))}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    path = _write(tmp_path, "drill: tiny.yaml\n" + laughs)
    with pytest.raises(ConfigError) as err:
        load_spec(path)
    assert "aliases" in str(err.value) or "expands to more than" in str(err.value)
    path.write_text("drill: tiny.yaml\ngrid: {a: [1]}\n" + "#" * 1_000_001)
    with pytest.raises(ConfigError, match="too large"):
        load_spec(path)
    path.write_bytes(b"drill: tiny.yaml\nname: \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_spec(path)


def test_sweep_seeds_out_of_range_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "drill: tiny.yaml\ngrid: {borrowers.count: [5]}\nseeds: [-1]\n")
    with pytest.raises(ConfigError, match="seeds"):
        load_spec(path)
