"""``import defidrill``: the documented verbs and errors, and the preflight refusing what only the run used to."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import defidrill
from defidrill.errors import ConfigError


def test_the_front_door_names_resolve_to_the_verbs_the_cli_uses() -> None:
    from defidrill.run_folder import load_run
    from defidrill.runner import RunOutcome, run_drill

    assert defidrill.run_drill is run_drill
    assert defidrill.RunOutcome is RunOutcome
    assert defidrill.load_run is load_run
    assert issubclass(defidrill.ConfigError, defidrill.DrillError)
    assert set(defidrill.__all__) <= set(dir(defidrill))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = defidrill.nope  # type: ignore[attr-defined]


def test_import_defidrill_does_not_load_the_chain_side() -> None:
    code = "import sys, defidrill; print(sorted(m for m in ('web3', 'pyrevm', 'defidrill.runner') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_validate_takes_a_library_name_and_overrides() -> None:
    drill = defidrill.validate("flash-crash", overrides=["borrowers.count=7"])
    assert (drill.name, drill.borrowers.count) == ("flash-crash", 7)


def test_fork_on_revm_is_refused_by_validate_and_congestion_is_not() -> None:
    with pytest.raises(ConfigError) as err:
        defidrill.validate("flash-crash", overrides=["chain.fork_url=http://127.0.0.1:1", "chain.backend=revm"])
    assert "chain.backend: fork mode needs the anvil backend" in str(err.value)
    # revm models a congested chain (per-block base fee, fee-cap refusal): black-thursday validates on it
    assert defidrill.validate("black-thursday", overrides=["chain.backend=revm"]).chain.backend == "revm"


def test_backend_flag_is_checked_by_the_preflight_before_any_run_folder(tmp_path: Path) -> None:
    out = tmp_path / "never"
    with pytest.raises(ConfigError, match=r"fork mode needs the anvil backend.*--backend revm"):
        defidrill.run("flash-crash", out_dir=out, backend="revm", overrides=["chain.fork_url=http://127.0.0.1:1"])
    assert not out.exists()
    with pytest.raises(ConfigError, match="unknown chain backend"):
        defidrill.validate("flash-crash", backend="evm")


def test_a_running_node_with_the_revm_backend_is_refused_before_any_run_folder(tmp_path: Path) -> None:
    out = tmp_path / "never"
    with pytest.raises(ConfigError, match="a running node"):
        defidrill.run("flash-crash", out_dir=out, backend="revm", rpc_url="http://127.0.0.1:1")
    assert not out.exists()


def test_the_readme_drill_validates(tmp_path: Path) -> None:
    import re

    from defidrill.toolchain import project_root

    readme = (project_root() / "README.md").read_text()
    block = re.search(r"\n## A drill\n.*?```yaml\n(.*?)```", readme, re.S)
    assert block, "README.md lost its drill example"
    assert len(block.group(1).strip().splitlines()) <= 12
    path = tmp_path / "my-crash.yaml"
    path.write_text(block.group(1))
    drill = defidrill.validate(path)
    assert drill.name == "my-crash" and "onchain.losses_share_of_debt_pct" in str(drill.expect)
