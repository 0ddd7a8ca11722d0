"""The reference pool's "cash + borrows = supplied + reserves" check: rounding dust is tolerated per
block AND per action, created money is not.

docs/lending.md: every action moves ``cash + totalBorrow - totalSupply - totalReserves`` by a
non-negative amount (``ceil`` on the borrow side, ``floor`` on the supply side, < 1 raw each,
at an index near 1e18) and each accrual adds at most ~1 raw. Seeding 600 borrowers puts ~600
borrows into a handful of blocks, so a tolerance of ``2 x blocks`` alone is exceeded by honest
dust (a 1,000-borrower flagship stopped at step 0 with 385 raw against 42 allowed).
"""

from __future__ import annotations

import csv
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
DONATION_RAW = 10**6  # one USDC: far above any rounding dust


def _detail(summary: dict[str, Any]) -> tuple[dict[str, Any], int, int]:
    check = next(i for i in summary["onchain"]["invariants"] if i["name"] == POOL_CHECK)
    m = re.search(r"difference (-?\d+) raw \(tolerance (\d+)\)", check["detail"])
    assert m, check["detail"]
    return check, int(m.group(1)), int(m.group(2))


def test_dust_of_600_borrowers_seeded_in_few_blocks_is_tolerated(defidrill_run: Any) -> None:
    outcome = defidrill_run(DRILL, **{"invariants.every": 1})
    assert outcome.summary["status"] == "ok"
    check, difference, tolerance = _detail(outcome.summary)
    assert check["passed"]
    with (outcome.run_dir / "steps.csv").open() as f:
        last_block = max(int(row["block"]) for row in csv.DictReader(f))
    # The honest dust of 600 borrows exceeds what one raw unit per block could explain (a step mines
    # its block and the keepers' block after it, so no check saw more than last_block + 1 blocks) ...
    assert difference > 2 * (last_block + 1)
    # ... and stays under one raw unit per action (a supply, a deposit and a borrow per borrower).
    assert difference <= 600


def test_a_donation_to_the_pool_breaks_the_check(defidrill_run: Any) -> None:
    """Minting base tokens straight into the pool (money no account supplied) exceeds any dust."""
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
    check, difference, tolerance = _detail(outcome.summary)
    assert not check["passed"]
    assert check["first_broken_step"] == 2
    assert difference >= DONATION_RAW > tolerance
