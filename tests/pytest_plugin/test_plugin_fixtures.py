"""The pytest plugin's fixtures, used the way an auditor's scenario would use them."""

from __future__ import annotations

import pytest

from defidrill.errors import RevertError

WAD = 10**18


def test_protocol_fixture_is_the_reference_protocol(defidrill_chain, defidrill_protocol) -> None:
    guard, tokens = defidrill_protocol.guard, defidrill_protocol.tokens
    assert defidrill_chain.call(guard.functions.peekPrice(tokens["WBTC"].address)) == (60_000 * WAD, True)


def test_state_is_reset_between_tests_first(defidrill_chain, defidrill_protocol) -> None:
    feed = defidrill_protocol.feeds["WBTC"]
    defidrill_chain.transact(feed.functions.transmit(30_000 * 10**8), gas=500_000)
    assert defidrill_chain.call(feed.functions.latestAnswer()) == 30_000 * 10**8


def test_state_is_reset_between_tests_second(defidrill_chain, defidrill_protocol) -> None:
    # The previous test's crash of the WBTC feed was reverted with its snapshot.
    assert defidrill_chain.call(defidrill_protocol.feeds["WBTC"].functions.latestAnswer()) == 60_000 * 10**8


def test_an_auditor_can_probe_a_revert_path(defidrill_chain, defidrill_protocol) -> None:
    stranger = defidrill_chain.accounts[7]
    with pytest.raises(RevertError) as err:
        defidrill_chain.transact(defidrill_protocol.feeds["WBTC"].functions.transmit(1), sender=stranger)
    assert err.value.revert.name == "NotTransmitter"


def test_run_fixture_runs_a_drill_with_overrides(defidrill_run) -> None:
    drill = {
        "name": "audit-scenario",
        "seed": 3,
        "market": {"step": "10s", "duration": "3m", "assets": {"WETH": {"start": 3000}, "USDC": 1}},
        "amm": {"pairs": {"WETH/USDC": "2M"}},
        "borrowers": {"count": 4},
        "cex": {"enabled": False},
    }
    outcome = defidrill_run(drill, **{"borrowers.count": 6})
    assert outcome.summary["status"] == "ok"
    assert outcome.summary["steps_completed"] == 19
    assert sum(1 for _ in open(outcome.run_dir / "borrowers.csv")) == 7  # header + 6 borrowers
    assert all(inv["passed"] for inv in outcome.summary["onchain"]["invariants"])


def test_readme_example_guard_refuses_a_half_price_round(defidrill_chain, defidrill_protocol) -> None:
    p = defidrill_protocol
    defidrill_chain.transact(p.feeds["WBTC"].functions.transmit(30_000 * 10**8), gas=500_000)
    price_wad, ok = defidrill_chain.call(p.guard.functions.peekPrice(p.tokens["WBTC"].address))
    assert not ok and price_wad == 0  # -50% between rounds trips the default 20% circuit breaker
    check = defidrill_chain.call(p.guard.functions.check(p.tokens["WBTC"].address))
    assert check["primaryRule"] == 11  # IOracleGuard.Rule.DEVIATION
