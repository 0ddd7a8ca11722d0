"""assert_expectations: a failing test reads each expectation not met, its value, bounds and reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from defidrill.assertions import assert_expectations
from defidrill.runner import RunOutcome


def _outcome(expectations: list[dict[str, Any]] | None, status: str = "ok") -> RunOutcome:
    return RunOutcome(Path("runs/x"), {"drill": "flash-crash", "status": status, "error": None,
                                       "expectations": expectations})


MET = {"metric": "onchain.liquidation_count", "min": 1.0, "max": None, "value": 17.0, "met": True, "unit": "count"}
BAD_DEBT = {"metric": "onchain.bad_debt_share_of_debt_pct", "min": None, "max": 1.0, "value": 2.5, "met": False,
            "why": "the guard holds", "unit": "%"}
DELAY = {"metric": "onchain.first_liquidation_delay_s", "min": None, "max": 36.0, "value": None, "met": False,
         "unit": "s"}


def test_all_met_passes() -> None:
    assert_expectations(_outcome([MET]))


def test_the_message_lists_what_was_not_met() -> None:
    with pytest.raises(AssertionError) as err:
        assert_expectations(_outcome([MET, BAD_DEBT, DELAY]))
    assert str(err.value) == (
        "2 of 3 expectations of drill flash-crash not met (run folder: runs/x):\n"
        "  onchain.bad_debt_share_of_debt_pct = 2.5% (max 1%): the guard holds\n"
        "  onchain.first_liquidation_delay_s = null (did not happen) (max 36 s)")


@pytest.mark.parametrize(("expectations", "status", "message"), [
    (None, "ok", "states no expectations"),
    ([], "ok", "states no expectations"),
    ([MET], "failed", "did not finish (status 'failed'"),
])
def test_nothing_to_assert_fails_too(expectations: list[dict[str, Any]] | None, status: str, message: str) -> None:
    with pytest.raises(AssertionError, match=message.replace("(", r"\(")):
        assert_expectations(_outcome(expectations, status))


@pytest.mark.slow
def test_the_run_fixture_hands_back_a_run_whose_expectation_failed(defidrill_run) -> None:
    # the CEX index falls 5% at 30 s: its low is 60,000 x 0.95 = 57,000, under the expected 60,000
    drill = {"name": "cannot-hold", "market": {"step": "10s", "duration": "1m", "assets": {
        "WBTC": {"start": 60000, "path": {"kind": "step", "at": "30s", "change": "-5%"}}, "USDC": 1}},
        "borrowers": {"count": 4}, "cex": {"positions": {"count": 200}},
        "expect": {"cex.min_index_price_usd": {"min": "60k"}}}
    outcome = defidrill_run(drill)
    assert outcome.exit_status == 6 and outcome.summary["status"] == "ok"
    assert [(e.metric, e.value, e.met) for e in outcome.expectations] == [("cex.min_index_price_usd", 57_000.0, False)]
    with pytest.raises(AssertionError, match=r"1 of 1 expectations of drill cannot-hold not met .*\n"
                                             r"  cex.min_index_price_usd = \$57,000 \(min \$60,000\)$"):
        assert_expectations(outcome)
    assert_expectations(defidrill_run(drill, **{"expect.cex.min_index_price_usd.min": "57k"}))
