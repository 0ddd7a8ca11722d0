"""The reference pool's "cash + borrows = supplied + reserves" check is exact: the pool books every
action's and accrual's rounding as reserves (docs/lending.md, "Invariant"), so 600 borrowers seeded in
a handful of blocks leave a difference of 0 (a guessed tolerance of 2 raw per block once stopped a
1,000-borrower flagship at step 0), and one raw unit donated to the pool breaks it.
"""

from __future__ import annotations

import re
from typing import Any

from defidrill.chain import Chain

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


def test_one_raw_unit_donated_to_the_pool_breaks_the_check(defidrill_chain: Chain, defidrill_deploy: Any) -> None:
    """Base minted straight into the pool (money no pool action booked) is caught to the raw unit.

    On a deployed reference pool with its lender's supply (checks run inside a drill cannot change the
    chain, so the donation is made here, between two reads of the adapter's own check)."""
    adapter = defidrill_deploy("defidrill.protocol.reference.adapter:ReferenceAdapter")
    pool, base = adapter.protocol.pool, adapter.protocol.base

    def pool_check() -> Any:
        return next(r for r in adapter.invariants(defidrill_chain, [], []) if r.name == POOL_CHECK)

    before = pool_check()
    assert before.ok and "difference 0 raw" in before.detail, before.detail
    owner = defidrill_chain.call(base.functions.owner())
    defidrill_chain.transact(base.functions.mint(pool.address, DONATION_RAW), sender=owner, gas=200_000)
    after = pool_check()
    assert not after.ok and f"difference {DONATION_RAW} raw" in after.detail, after.detail
