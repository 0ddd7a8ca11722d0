"""Helpers for drill tests: write a drill YAML to tmp_path and load it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from defidrill.drill import Drill, load_drill
from defidrill.errors import ConfigError



@pytest.fixture
def write_drill(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "drill.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return path

    return write


@pytest.fixture
def load_text(write_drill: Callable[[str], Path]) -> Callable[[str], Drill]:
    return lambda text: load_drill(write_drill(text))


@pytest.fixture
def config_error(write_drill: Callable[[str], Path]) -> Callable[[str], tuple[ConfigError, Path]]:
    def fail(text: str) -> tuple[ConfigError, Path]:
        path = write_drill(text)
        with pytest.raises(ConfigError) as err:
            load_drill(path)
        return err.value, path

    return fail
