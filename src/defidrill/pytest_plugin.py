"""pytest plugin for audit scenarios: a reference protocol on anvil, and drills as fixtures.

Installed with the package (entry point ``pytest11: defidrill``). Fixture names carry a
``defidrill_`` prefix so they never shadow a project's own ``chain`` or ape's fixtures:

- ``defidrill_chain``: one anvil per session, every test on its own snapshot (reverted after).
- ``defidrill_protocol``: the reference protocol deployed once per session (ProtocolConfig
  defaults: WBTC and WETH against USDC), reset to its deployed state for every test.
- ``defidrill_run``: ``defidrill_run(drill, seed=None, **overrides) -> RunOutcome`` runs a drill
  file, a library drill's name or a mapping into the test's tmp_path; ``overrides`` are dotted
  YAML paths (list items by index), e.g. ``defidrill_run("flash-crash", **{"borrowers.count": 50,
  "failures.0.for": "10m"})``.

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


@pytest.fixture
def defidrill_run(tmp_path: Path) -> Callable[..., Any]:
    """Run a drill (path or mapping) with optional dotted overrides; returns the RunOutcome."""
    import yaml

    from defidrill.drill import Override, resolve_drill
    from defidrill.runner import run_drill

    counter = iter(range(1_000_000))

    def run(drill: str | Path | dict[str, Any], seed: int | None = None, **overrides: Any) -> Any:
        """``drill``: a path, a library drill's name (``"flash-crash"``) or a mapping."""
        n = next(counter)
        if isinstance(drill, dict):
            path = tmp_path / f"drill-{n}.yaml"
            path.write_text(yaml.safe_dump(dict(drill)))
        else:
            path = resolve_drill(drill)
        # applied to the parsed drill and validated with it: an error names the override
        sets = [Override.of(key, value, label="defidrill_run") for key, value in overrides.items()]
        return run_drill(path, out_dir=tmp_path / f"run-{n}", seed=seed, progress=False, overrides=sets)

    return run
