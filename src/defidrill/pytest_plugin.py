"""pytest plugin for audit scenarios: a reference protocol on anvil, and drills as fixtures.

Installed with the package (entry point ``pytest11: defidrill``). Fixture names carry a
``defidrill_`` prefix so they never shadow a project's own ``chain`` or ape's fixtures:

- ``defidrill_chain``: one anvil per session, every test on its own snapshot (reverted after).
- ``defidrill_protocol``: the reference protocol deployed once per session (ProtocolConfig
  defaults: WBTC and WETH against USDC), reset to its deployed state for every test.
- ``defidrill_run``: ``defidrill_run(drill, seed=None, **overrides) -> RunOutcome`` runs a drill
  file (or a mapping) into the test's tmp_path; ``overrides`` are dotted YAML paths, e.g.
  ``defidrill_run("oracles/flash-crash.yaml", **{"borrowers.count": 50})``.

An auditor's scenario then reads::

    def test_clamped_feed_is_refused(defidrill_run):
        summary = defidrill_run("oracles/minanswer-clamp.yaml").summary
        assert summary["onchain"]["bad_debt_usd"] < 100_000
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest


@pytest.fixture(scope="session")
def _defidrill_session_chain() -> Iterator[Any]:
    from defidrill.chain import AnvilConfig, Chain

    with Chain.launch(AnvilConfig()) as chain:
        yield chain


@pytest.fixture
def defidrill_chain(_defidrill_session_chain: Any) -> Iterator[Any]:
    """A real anvil with the project's contracts compiled; state is reverted after the test."""
    with _defidrill_session_chain.isolated():
        yield _defidrill_session_chain


@pytest.fixture(scope="session")
def _defidrill_session_protocol(_defidrill_session_chain: Any) -> Any:
    from defidrill.protocol.reference.deploy import deploy

    return deploy(_defidrill_session_chain)


@pytest.fixture
def defidrill_protocol(_defidrill_session_protocol: Any, defidrill_chain: Any) -> Any:
    """The reference protocol's typed handles (``.pool``, ``.guard``, ``.feeds``, ``.pairs``...)."""
    return _defidrill_session_protocol


def _set_dotted(mapping: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = mapping
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


@pytest.fixture
def defidrill_run(tmp_path: Path) -> Callable[..., Any]:
    """Run a drill (path or mapping) with optional dotted overrides; returns the RunOutcome."""
    import yaml

    from defidrill.runner import run_drill

    counter = iter(range(1_000_000))

    def run(drill: str | Path | dict[str, Any], seed: int | None = None, **overrides: Any) -> Any:
        n = next(counter)
        if isinstance(drill, dict):
            data = dict(drill)
            base_dir = tmp_path
        else:
            source = Path(drill)
            data = yaml.safe_load(source.read_text())
            base_dir = source.resolve().parent
            # a replay CSV stays relative to the original drill file
            for asset in (data.get("market", {}).get("assets") or {}).values():
                if isinstance(asset, dict) and isinstance(asset.get("path"), dict) and "csv" in asset["path"]:
                    asset["path"]["csv"] = str((base_dir / asset["path"]["csv"]).resolve())
        for dotted, value in overrides.items():
            _set_dotted(data, dotted, value)
        path = tmp_path / f"drill-{n}.yaml"
        path.write_text(yaml.safe_dump(data))
        return run_drill(path, out_dir=tmp_path / f"run-{n}", seed=seed, progress=False)

    return run
