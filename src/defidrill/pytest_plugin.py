"""pytest plugin for audit scenarios: a reference protocol on anvil, and drills as fixtures.

Installed with the package (entry point ``pytest11: defidrill``). Fixture names carry a
``defidrill_`` prefix so they never shadow a project's own ``chain`` or ape's fixtures:

- ``defidrill_chain``: one anvil per session, every test on its own snapshot (reverted after).
- ``defidrill_protocol``: the reference protocol deployed once per session (ProtocolSpec
  defaults: WBTC and WETH against USDC), reset to its deployed state for every test.
- ``defidrill_feeds``: the chain's feeds by address (push answers, inject failures, take over a
  feed we did not deploy, flip a sequencer feed) and assertions that speak the domain
  (``assert_not_liquidated(run, account)`` fails with "account 0xab12..cd34 liquidated at HF 1.02
  in step 41 (t = 410 s)").
- ``--defidrill-fork-url URL`` [``--defidrill-fork-block N``]: the session's anvil forks that node
  (checked first: a URL that does not answer fails the session with one message).
- ``defidrill_run``: ``defidrill_run(drill, seed=None, checks=(), **overrides) -> RunOutcome`` runs a
  drill file, a library drill's name or a mapping into the test's tmp_path (paths: see below); ``overrides`` are dotted
  YAML paths (list items by index), e.g. ``defidrill_run("flash-crash", **{"borrowers.count": 50,
  "failures.0.for": "10m"})``; ``checks`` are your own invariants, ``check(chain, step) -> Broken |
  None``, run with the built-in ones (``invariants.every``). A run whose ``expect:`` bounds are not
  all met still returns its outcome (``outcome.exit_status == 6``, ``outcome.expectations``: each with
  its value and ``met``); ``defidrill.assertions.assert_expectations(outcome)`` fails the test with
  the list of what was not met.
- ``defidrill_deploy``: ``defidrill_deploy("my_adapter:MyAdapter", artifacts="contracts")`` deploys
  your own protocol through your adapter (``kind: external``) over a fresh market, for contract-level
  scenarios; returns the adapter.

Relative paths resolve the same way in both: against the TEST FILE's folder (where a user keeps the
drill, the adapter module and ``contracts/`` beside the test), whatever folder pytest runs from. A drill
path not found there is tried from the current folder, then as a library drill's name; a mapping's
``protocol.artifacts`` and replay ``csv:`` paths are taken from the test file's folder too, and the
adapter module a drill names is imported from it.

An auditor's scenario then reads::

    def test_clamped_feed_is_refused(defidrill_run):
        summary = defidrill_run("oracles/minanswer-clamp.yaml").summary
        assert summary["onchain"]["bad_debt_usd"] < 100_000

    def test_the_drill_holds_what_it_expects(defidrill_run):
        assert_expectations(defidrill_run("minanswer-clamp", **{"borrowers.count": 50}))
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("defidrill")
    group.addoption("--defidrill-fork-url", default=None, help="defidrill_chain forks this JSON-RPC node")
    group.addoption("--defidrill-fork-block", type=int, default=None, help="fork at this block (default: the head)")


@pytest.fixture(scope="session")
def _defidrill_session_chain(request: pytest.FixtureRequest) -> Iterator[Any]:
    from defidrill.chain import AnvilConfig, Chain
    from defidrill.chain.fork import probe_fork_url
    from defidrill.errors import DrillError

    fork_url = request.config.getoption("--defidrill-fork-url")
    fork_block = request.config.getoption("--defidrill-fork-block")
    if fork_url:
        try:
            probe_fork_url(fork_url, fork_block=fork_block, where="--defidrill-fork-url",
                           block_where="--defidrill-fork-block")
        except DrillError as exc:
            pytest.exit(f"defidrill: {type(exc).__name__}: {exc}", returncode=exc.exit_status)
    with Chain.launch(AnvilConfig(fork_url=fork_url, fork_block=fork_block)) as chain:
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
def defidrill_feeds(defidrill_chain: Any) -> Any:
    """Feeds by address on ``defidrill_chain`` (``push``, ``fail``, ``take_over``, ``set_sequencer``, ``latest``)
    and the domain assertions of ``defidrill.assertions``."""
    from defidrill.assertions import FeedsFixture
    from defidrill.protocol.feeds.control import FeedControl

    return FeedsFixture(FeedControl(defidrill_chain))


def _test_folder(request: pytest.FixtureRequest) -> Path:
    """The folder of the test file that asked for the fixture: relative paths resolve against it."""
    return Path(str(request.node.fspath)).resolve().parent


def _anchored(doc: dict[str, Any], here: Path) -> dict[str, Any]:
    """A drill mapping with its relative ``protocol.artifacts`` and replay ``csv:`` paths made absolute against
    ``here`` (the mapping is written to tmp_path, where they would otherwise be looked for)."""
    import copy

    out = copy.deepcopy(doc)
    protocol = out.get("protocol")
    if isinstance(protocol, dict) and isinstance(protocol.get("artifacts"), str):
        protocol["artifacts"] = str(here / Path(protocol["artifacts"]).expanduser())
    for asset in ((out.get("market") or {}).get("assets") or {}).values():
        path = asset.get("path") if isinstance(asset, dict) else None
        if isinstance(path, dict) and isinstance(path.get("csv"), str):
            path["csv"] = str(here / Path(path["csv"]).expanduser())
    return out


@pytest.fixture
def defidrill_run(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., Any]:
    """Run a drill (path or mapping) with optional dotted overrides; returns the RunOutcome."""
    import yaml

    from defidrill.drill import Override, resolve_drill
    from defidrill.errors import ExpectationsNotMet
    from defidrill.runner import run_drill
    from defidrill.user_code import add_search_paths

    counter = iter(range(1_000_000))
    here = _test_folder(request)

    def run(drill: str | Path | dict[str, Any], seed: int | None = None, checks: Sequence[Callable[..., Any]] = (),
            **overrides: Any) -> Any:
        """``drill``: a path, a library drill's name (``"flash-crash"``) or a mapping."""
        n = next(counter)
        if isinstance(drill, dict):
            path = tmp_path / f"drill-{n}.yaml"
            path.write_text(yaml.safe_dump(_anchored(dict(drill), here)))
            add_search_paths([here])  # a user's adapter or check module beside the test
        else:
            beside = here / Path(drill).expanduser()
            path = beside if beside.is_file() else resolve_drill(drill)
        # applied to the parsed drill and validated with it: an error names the override
        sets = [Override.of(key, value, label="defidrill_run") for key, value in overrides.items()]
        try:
            return run_drill(path, out_dir=tmp_path / f"run-{n}", seed=seed, progress=False, overrides=sets,
                             checks=checks)
        except ExpectationsNotMet as err:  # the run is complete: the test decides (assert_expectations)
            return err.outcome

    return run


@pytest.fixture
def defidrill_deploy(defidrill_chain: Any, request: pytest.FixtureRequest) -> Callable[..., Any]:
    """Deploy a protocol through its adapter over a fresh market on ``defidrill_chain`` (reverted after).

    ``defidrill_deploy("my_adapter:MyAdapter", artifacts="contracts")`` imports the adapter the way a
    ``kind: external`` drill does (the test file's folder and the current folder on sys.path), deploys
    the market (WBTC and WETH against USDC, ProtocolSpec defaults) and the protocol on it, and returns
    the adapter; ``.markets()``, ``.prepare_reads``/``.decode_reads`` and its own handles reach it.
    ``artifacts`` is relative to the test file's folder. Keyword ``config`` replaces the ProtocolSpec.
    """
    from defidrill.protocol_terms.parameters import ExternalSpec, ProtocolSpec
    from defidrill.protocol.external import load_adapter_class
    from defidrill.protocol.market import deploy_market

    here = _test_folder(request)

    def deploy(adapter: str, artifacts: str | Path | None = None, config: Any = None, **options: Any) -> Any:
        cls = load_adapter_class(adapter, [here])
        defidrill_chain.registry.add_numeric_codes(cls.error_codes())
        folder = (here / artifacts).resolve() if artifacts is not None else None
        base = config or ProtocolSpec()
        cfg = base.model_copy(update={"external": ExternalSpec(adapter=adapter, artifacts_dir=folder, options=options)})
        market = deploy_market(defidrill_chain, cfg)
        return cls.deploy(defidrill_chain, market, cfg)

    return deploy
