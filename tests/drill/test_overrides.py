"""Dotted overrides: applied to the parsed drill, validated with it, errors naming the override."""

from __future__ import annotations

from pathlib import Path

import pytest

from defidrill.drill import Override, apply_overrides, load_drill, resolve_drill
from defidrill.errors import ConfigError
from defidrill.toolchain import project_root

DRILL = """name: tiny
market:
  step: 10s
  duration: 5m
  assets:
    WBTC: {start: 60000, path: {kind: step, at: 1m, change: -5%}}
    USDC: 1
failures:
  - {kind: stale, feed: WBTC, at: 1m, for: 1m}
"""


@pytest.fixture
def drill_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(DRILL)
    return path


def test_parse_reads_the_value_as_yaml() -> None:
    assert Override.parse("borrowers.count=50").value == 50
    assert Override.parse("market.step=10s").value == "10s"
    assert Override.parse("failures.0={kind: zero, at: 1m, for: 2m}").value == {"kind": "zero", "at": "1m", "for": "2m"}
    o = Override.parse("failures.0.for=10m")
    assert o.parts == ("failures", 0, "for") and o.source == "--set failures.0.for=10m"
    for bad in ("borrowers.count", "=5", "a..b=1"):
        with pytest.raises(ConfigError, match="an override must read PATH=VALUE"):
            Override.parse(bad)


def test_overrides_reach_into_lists_and_create_sections(drill_file: Path) -> None:
    drill = load_drill(drill_file, [Override.parse("failures.0.for=3m"), Override.parse("borrowers.count=7"),
                                    Override.parse("protocol.oracle.heartbeat=30m")])
    assert drill.failures[0].for_s == 180.0              # 3 minutes
    assert drill.borrowers.count == 7
    assert drill.protocol.oracle.heartbeat_s == 1800.0     # the drill had no protocol section


def test_the_document_is_copied_not_changed() -> None:
    doc = {"failures": [{"for": "1m"}]}
    out = apply_overrides(doc, [Override.parse("failures.0.for=2m")])
    assert out == {"failures": [{"for": "2m"}]} and doc == {"failures": [{"for": "1m"}]}


def test_a_bad_value_names_the_override_not_the_file(drill_file: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_drill(drill_file, [Override.parse("market.step=abc")])
    text = str(err.value)
    assert text.startswith("--set market.step=abc: market.step: ")
    assert "allowed: a duration" in text
    assert str(drill_file) not in text


def test_a_list_override_error_names_the_override(drill_file: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_drill(drill_file, [Override.parse("failures.0.for=abc")])
    assert str(err.value).startswith("--set failures.0.for=abc: failures[0].for: ")
    with pytest.raises(ConfigError) as err:
        load_drill(drill_file, [Override.parse("failures.3.for=1m")])
    assert str(err.value).startswith("--set failures.3.for=1m: failures.3.for: failures is a list of 1")
    assert "allowed: an index 0..0" in str(err.value)
    with pytest.raises(ConfigError, match=r"cannot set market.step.x: market.step is not a mapping \(it holds '10s'\)"):
        load_drill(drill_file, [Override.parse("market.step.x=1")])


def test_problems_elsewhere_still_name_the_file_and_line(drill_file: Path) -> None:
    drill_file.write_text(DRILL.replace("step: 10s", "step: 10s\n  stepp: 1s"))
    with pytest.raises(ConfigError) as err:
        load_drill(drill_file, [Override.parse("borrowers.count=7")])
    assert str(err.value).startswith(f"{drill_file}:4: market.stepp: unknown key")


def test_library_drills_resolve_by_name_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_drill("flash-crash") == project_root() / "oracles" / "flash-crash.yaml"
    assert resolve_drill("flash-crash.yaml") == project_root() / "oracles" / "flash-crash.yaml"
    luna = project_root() / "oracles" / "incidents" / "luna-may-2022.yaml"
    assert resolve_drill("incidents/luna-may-2022") == luna
    with pytest.raises(ConfigError) as err:
        resolve_drill("flash-crahs")
    assert "drill file not found" in str(err.value) and "flash-crash" in str(err.value)


# ---- --set as typed on the command line (texts), as `validate` and `run` pass them

FLAGSHIP = project_root() / "oracles" / "flash-crash.yaml"


def test_override_sets_the_protocol_kind_and_parses_units() -> None:
    drill = load_drill(FLAGSHIP, ["protocol.kind=aave-v3", "borrowers.count=12", "market.duration=30m"])
    assert drill.protocol.kind == "aave-v3"
    assert drill.borrowers.count == 12
    assert drill.market.duration_s == 1800
    assert load_drill(FLAGSHIP).protocol.kind == "reference"


def test_override_adds_a_missing_section(tmp_path: Path) -> None:
    file = tmp_path / "tiny.yaml"
    file.write_text("seed: 1\nmarket: {step: 10s, duration: 10m, assets: {WBTC: {start: 60000}, USDC: 1}}\n")
    assert load_drill(file, ["protocol.kind=aave-v3"]).protocol.kind == "aave-v3"


@pytest.mark.parametrize(("item", "fragment", "where"), [
    ("protocol.kind", "an override must read PATH=VALUE", "flash-crash.yaml"),
    ("=x", "an override must read PATH=VALUE", "flash-crash.yaml"),
    ("seed.inner=1", "seed is not a mapping", "--set seed.inner=1"),   # a well-formed override: it is named
])
def test_malformed_override_is_a_config_error(item: str, fragment: str, where: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_drill(FLAGSHIP, [item])
    assert fragment in str(err.value)
    assert where in str(err.value)


def test_overridden_value_is_validated_like_the_file() -> None:
    with pytest.raises(ConfigError) as err:
        load_drill(FLAGSHIP, ["protocol.kind=aave-v4"])
    assert "protocol.kind" in str(err.value) and "aave-v3" in str(err.value)
