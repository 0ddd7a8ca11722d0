"""``protocol: {kind: external}``: every way a user's adapter or build can be wrong is one clear
ConfigError (exit 2) naming the drill file, line and field, raised while the drill validates."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner

from defidrill.cli.main import cli
from defidrill.drill import load_drill
from defidrill.errors import ConfigError

DRILL = """name: mine
market:
  step: 10s
  duration: 2m
  assets:
    WETH: {start: 3000, path: {kind: step, at: 1m, change: -5%}}
    USDC: 1
protocol:
  kind: external
  adapter: "{adapter}"
{extra}cex: {enabled: false}
"""

_names = (f"user_adapter_{n}" for n in itertools.count())


def _drill(folder: Path, module_source: str | None, class_name: str = "MyAdapter", extra: str = "") -> Path:
    """A drill in ``folder`` naming ``<fresh module>:<class_name>``; the module (if given) is saved beside it."""
    module = next(_names)
    if module_source is not None:
        (folder / f"{module}.py").write_text(module_source)
    path = folder / "mine.yaml"
    path.write_text(DRILL.replace("{adapter}", f"{module}:{class_name}").replace("{extra}", extra))
    return path


def _error(path: Path) -> ConfigError:
    """The refusal of the one preflight (which imports the adapter; the schema alone stays pure)."""
    from defidrill.preflight import preflight

    with pytest.raises(ConfigError) as err:
        preflight(path)
    return err.value


COMPLETE = "from defidrill.protocol.reference.adapter import ReferenceAdapter\n\nclass MyAdapter(ReferenceAdapter):\n    pass\n"


def test_a_complete_adapter_validates_and_its_module_is_found_beside_the_drill(tmp_path: Path) -> None:
    drill = load_drill(_drill(tmp_path, COMPLETE))
    assert drill.protocol.kind == "external" and drill.protocol.adapter.endswith(":MyAdapter")


def test_a_module_that_is_not_there(tmp_path: Path) -> None:
    err = _error(_drill(tmp_path, None))
    assert err.path == "protocol.adapter" and err.line == 10
    assert "not found" in err.message and str(tmp_path) in err.message


@pytest.mark.parametrize("source, says", [
    ("import no_such_dependency_xyz\n", "does not import: No module named 'no_such_dependency_xyz'"),
    ("def broken(:\n", "does not import: SyntaxError"),
    ("raise RuntimeError('needs an RPC URL')\n", "does not import: RuntimeError: needs an RPC URL"),
])
def test_a_module_that_does_not_import(tmp_path: Path, source: str, says: str) -> None:
    err = _error(_drill(tmp_path, source))
    assert err.path == "protocol.adapter" and says in err.message


def test_a_missing_class_names_the_module_and_its_file(tmp_path: Path) -> None:
    err = _error(_drill(tmp_path, COMPLETE, class_name="MyAdaptor"))
    assert "has no 'MyAdaptor'" in err.message and str(tmp_path) in err.message
    assert "LendingAdapter subclass" in (err.allowed or "")


def test_a_class_that_is_not_an_adapter(tmp_path: Path) -> None:
    err = _error(_drill(tmp_path, "class MyAdapter:\n    pass\n"))
    assert "is not a subclass of defidrill.protocol.adapter.LendingAdapter" in err.message


def test_a_class_missing_interface_methods_names_them(tmp_path: Path) -> None:
    partial = ("from defidrill.protocol.adapter import LendingAdapter\n\n"
               "class MyAdapter(LendingAdapter):\n"
               "    def markets(self):\n        ...\n"
               "    def price_sources(self):\n        ...\n")
    err = _error(_drill(tmp_path, partial))
    missing = ["decode_liquidation", "decode_reads", "deploy", "invariants", "liquidation_call", "named_contracts",
               "open_positions", "prepare_reads", "repay_calls", "spender", "top_up_calls"]
    assert f"does not implement {', '.join(missing)} of the LendingAdapter interface" in err.message


def test_a_malformed_adapter_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(DRILL.replace("{adapter}", "my_adapter.MyAdapter").replace("{extra}", ""))
    err = _error(path)
    assert "not a module:name path" in err.message and "package.module:name" in (err.allowed or "")


def test_artifacts_that_are_not_where_the_drill_says(tmp_path: Path) -> None:
    err = _error(_drill(tmp_path, COMPLETE, extra="  artifacts: out\n"))
    assert err.path == "protocol.artifacts" and err.line == 11
    assert f"{tmp_path / 'out'}: no such folder" in err.message


def test_an_empty_build_folder(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    err = _error(_drill(tmp_path, COMPLETE, extra="  artifacts: out\n"))
    assert "holds no compiled contracts and no .sol sources" in err.message


def test_kind_external_needs_an_adapter_and_others_take_none(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(DRILL.replace('  adapter: "{adapter}"\n', "").replace("{extra}", ""))
    assert _error(path).path == "protocol.adapter"
    path.write_text(DRILL.replace("kind: external", "kind: reference").replace("{adapter}", "x:Y")
                    .replace("{extra}", ""))
    err = _error(path)
    assert err.path == "protocol.adapter" and "only read with kind: external" in err.message


def test_cli_validate_and_run_exit_2_before_anything_starts(tmp_path: Path) -> None:
    partial = "from defidrill.protocol.adapter import LendingAdapter\n\nclass MyAdapter(LendingAdapter):\n    pass\n"
    drill = _drill(tmp_path, partial)
    result = CliRunner().invoke(cli, ["validate", str(drill)])
    assert result.exit_code == 2, result.output
    assert f"{drill}:10: protocol.adapter" in result.output and "top_up_calls" in result.output
    assert "Traceback" not in result.output
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(drill), "--out", str(out), "--quiet"])
    assert result.exit_code == 2 and "does not implement" in result.output
    assert not out.exists()
