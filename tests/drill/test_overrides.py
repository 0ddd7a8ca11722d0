"""`--set PATH=VALUE`: drill overrides applied before validation, with the loader's error messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from defidrill.drill import load_drill
from defidrill.errors import ConfigError
from defidrill.toolchain import project_root

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


@pytest.mark.parametrize(("item", "fragment"), [
    ("protocol.kind", "an override must read PATH=VALUE"),
    ("=x", "an override must read PATH=VALUE"),
    ("seed.inner=1", "seed is not a mapping"),
])
def test_malformed_override_is_a_config_error(item: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_drill(FLAGSHIP, [item])
    assert fragment in str(err.value)
    assert "flash-crash.yaml" in str(err.value)


def test_overridden_value_is_validated_like_the_file() -> None:
    with pytest.raises(ConfigError) as err:
        load_drill(FLAGSHIP, ["protocol.kind=aave-v4"])
    assert "protocol.kind" in str(err.value) and "aave-v3" in str(err.value)
