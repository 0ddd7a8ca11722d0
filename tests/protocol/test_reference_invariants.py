"""The reference pool's "cash + borrows = supplied + reserves" check is exact: the pool books every
action's and accrual's rounding as reserves (docs/lending.md, "Invariant"), so 600 borrowers seeded in
a handful of blocks leave a difference of 0 (a guessed tolerance of 2 raw per block once stopped a
1,000-borrower flagship at step 0), and one raw unit donated to the pool breaks it.
"""

from __future__ import annotations

import re
from typing import Any

from defidrill.chain import Chain
from defidrill.engine.invariants import Broken, StepCheck

POOL_CHECK = "pool cash + borrows = supplied + reserves"
DRILL: dict[str, Any] = {
    "name": "many-borrowers", "seed": 5,
    "market": {"step": "10s", "duration": "40s", "assets": {"WETH": 3000, "USDC": 1}},
    "amm": {"pairs": {"WETH/USDC": "2M"}},
    "borrowers": {"count": 600, "health": {"uniform": [1.3, 2.0]}},
    "cex": {"enabled": False},
}
DONATION_RAW = 1  # one raw unit: the books are exact, so nothing hides it


def _detail(summary: dict[str, Any]) -> tuple[dict[str, Any], int, int]:
    """The check, its difference and the rounding the pool booked as reserves (both raw)."""
    check = next(i for i in summary["onchain"]["invariants"] if i["name"] == POOL_CHECK)
    m = re.search(r"difference (-?\d+) raw \(exact: the pool booked (\d+) raw of rounding", check["detail"])
    assert m, check["detail"]
    return check, int(m.group(1)), int(m.group(2))


def test_600_borrowers_seeded_in_few_blocks_leave_no_difference(defidrill_run: Any) -> None:
    outcome = defidrill_run(DRILL, **{"invariants.every": 1})
    assert outcome.summary["status"] == "ok"
    check, difference, booked = _detail(outcome.summary)
    assert check["passed"] and difference == 0
    # The dust that a tolerance once had to guess is there, booked: each of the 600 borrows rounds its
    # debt up (by at most floor(index / 1e18) + 1 = 2 raw at an index near 1e18).
    assert 0 < booked <= 2 * 600 + 2 * 10


def test_a_donation_to_the_pool_breaks_the_check(defidrill_run: Any) -> None:
    """Minting one raw unit of base straight into the pool (money no account supplied) is caught."""
    donated: list[int] = []

    def donate_once(chain: Chain, step: StepCheck) -> Broken | None:
        if step.step == 1 and not donated:
            usdc, pool = step.contracts["USDC"], step.contracts["LENDING_POOL"]
            owner = chain.call(usdc.functions.owner())
            chain.transact(usdc.functions.mint(pool.address, DONATION_RAW), sender=owner, gas=200_000)
            donated.append(step.step)
        return None

    outcome = defidrill_run(dict(DRILL, borrowers={"count": 20, "health": {"uniform": [1.3, 2.0]}}),
                            checks=[donate_once], **{"invariants.every": 1, "invariants.on_failure": "flag"})
    assert donated == [1]
    check, difference, _booked = _detail(outcome.summary)
    assert not check["passed"]
    assert check["first_broken_step"] == 2
    assert difference == DONATION_RAW
