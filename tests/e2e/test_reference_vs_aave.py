"""Differential: our reference pool claims Aave V3's liquidation rule; genuine Aave V3 checks it.

The flagship (reduced, same seed, same feeds, same agents) on ``protocol.kind: reference`` and
``aave-v3`` must liquidate the same accounts in the same steps, with debt repaid and collateral
seized equal within each protocol's rounding. Differences by design, excluded by name only:

- ``interest``: Aave's variable debt compounds per second (MathUtils.calculateCompoundedInterest),
  the reference pool accrues simple interest per accrual (docs/lending.md). Over the seeding day
  and the drill, a debt differs by about r^2 t^2 / 2 of itself: at the flagship's ~3% a year over
  ~1.05 days that is ~4e-9 of the debt; the repay a keeper sends follows the debt, and the
  seizure follows the repay. INTEREST_REL_TOLERANCE bounds it with room (1e-7).
- ``rounding``: each protocol converts prices and amounts in its own units (wad in ours; the
  oracle's 1e8 base currency and percentMul/percentDiv half-up in Aave), a few raw units.
Not exercised: Aave V3.0 (core-v3 1.19.3) has no minimum-leftover "dust" rule (it came with
v3.3), and the drill sets no e-mode category, so neither can cause a difference here.
"""

from __future__ import annotations

from support.e2e_runs import DrillRuns, liquidations_by_key

INTEREST_REL_TOLERANCE = 1e-7
ROUNDING_RAW = 10


def _close(a: int, b: int) -> bool:
    return abs(a - b) <= ROUNDING_RAW + INTEREST_REL_TOLERANCE * max(a, b)


def test_reference_pool_liquidates_like_genuine_aave_v3(drill_runs: DrillRuns) -> None:
    ref = drill_runs("flash-crash")
    aave = drill_runs("aave-v3/flash-crash")
    assert ref.summary["seed"] == aave.summary["seed"]
    ref_liq, aave_liq = liquidations_by_key(ref), liquidations_by_key(aave)
    assert ref_liq, "the flagship must liquidate"
    divergences = []
    for key in sorted(set(ref_liq) | set(aave_liq)):
        step, account, asset = key
        r, a = ref_liq.get(key), aave_liq.get(key)
        if r is None or a is None:
            divergences.append(f"step {step} account {account} {asset}: liquidated only on "
                               f"{'aave-v3' if r is None else 'reference'}")
            continue
        for field in ("repaidBase", "seizedCollateral"):
            if not _close(int(r[field]), int(a[field])):
                divergences.append(f"step {step} account {account} {asset}: {field} reference {r[field]} "
                                   f"vs aave-v3 {a[field]} (diff {int(a[field]) - int(r[field])})")
    assert not divergences, "\n".join(divergences)
    # Same totals in USD at the reference, within the same tolerance.
    for metric in ("liquidation_count",):
        assert ref.onchain[metric] == aave.onchain[metric]
