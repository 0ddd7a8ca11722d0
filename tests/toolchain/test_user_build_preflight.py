"""Validate means run: an external drill's ``artifacts:`` are compiled (or loaded) by the preflight.

On main, a folder holding a source that does not compile validated (exit 0) and ``run`` then exited 3.
Now ``validate`` refuses it (exit 2) with solc's own message; ``artifacts: {path, contracts, solc}``
picks the sources to compile, names contracts the build must hold and the solc-js version, and a
version the bootstrap did not install is refused with the installed ones listed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from defidrill.cli.main import cli
from defidrill.toolchain.solc_binary import installed_solcjs

ADAPTER = """from defidrill.protocol.reference.adapter import ReferenceAdapter


class MyAdapter(ReferenceAdapter):
    kind = "external"
"""
HEADER = "// SPDX-License-Identifier: MIT\npragma solidity PRAGMA;\n"
GOOD = HEADER + "contract Good { function one() external pure returns (uint256) { return 1; } }\n"
BROKEN = HEADER.replace("PRAGMA", "^0.8.0") + "contract Broken { function f() external { undefinedThing(); } }\n"


def _drill(tmp_path: Path, artifacts: str, sources: dict[str, str]) -> Path:
    (tmp_path / "my_adapter.py").write_text(ADAPTER)
    build = tmp_path / "src"
    build.mkdir(exist_ok=True)
    for name, text in sources.items():
        (build / name).write_text(text)
    drill = tmp_path / "drill.yaml"
    drill.write_text(f"""name: external-build
market: {{step: 10s, duration: 1m, assets: {{WETH: 3000, USDC: 1}}}}
protocol: {{kind: external, adapter: "my_adapter:MyAdapter", artifacts: {artifacts}}}
cex: {{enabled: false}}
""")
    return drill


def _validate(drill: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(drill)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_a_source_that_does_not_compile_is_refused_by_validate(tmp_path: Path) -> None:
    drill = _drill(tmp_path, "src", {"Good.sol": GOOD.replace("PRAGMA", "^0.8.0"), "Broken.sol": BROKEN})
    code, output = _validate(drill)
    assert code == 2, output
    assert "protocol.artifacts" in output and "undefinedThing" in output and "Traceback" not in output, output


def test_contracts_selects_the_sources_to_build_and_names_what_must_be_there(tmp_path: Path) -> None:
    drill = _drill(tmp_path, "{path: src, contracts: [Good.sol, Good]}",
                   {"Good.sol": GOOD.replace("PRAGMA", "^0.8.0"), "Broken.sol": BROKEN})
    code, output = _validate(drill)
    assert code == 0, output  # Broken.sol is not built
    drill = _drill(tmp_path, "{path: src, contracts: [Good.sol, Missing]}", {})
    code, output = _validate(drill)
    assert code == 2 and "no contract named 'Missing'" in output and "Good" in output, output


def test_a_solc_that_is_not_installed_is_refused_with_the_installed_ones(tmp_path: Path) -> None:
    drill = _drill(tmp_path, "{path: src, solc: 0.8.7}", {"Good.sol": GOOD.replace("PRAGMA", "^0.8.0")})
    code, output = _validate(drill)
    assert code == 2 and "protocol.artifacts.solc" in output, output
    assert "solc 0.8.7 is not installed" in output and "0.8.28" in output, output


@pytest.mark.skipif("0.8.19" not in installed_solcjs(), reason="solc-js 0.8.19 (npm alias solc-0.8.19) not installed")
def test_the_drill_names_the_solc_version_its_sources_pin(tmp_path: Path) -> None:
    drill = _drill(tmp_path, "{path: src, solc: 0.8.19}", {"Good.sol": GOOD.replace("PRAGMA", "0.8.19")})
    code, output = _validate(drill)
    assert code == 0, output
    # ... and the default compiler (0.8.28) refuses the exact pragma, so naming the version is what made it build.
    drill = _drill(tmp_path, "src", {})
    code, output = _validate(drill)
    assert code == 2 and "0.8.19" in output, output
