"""The report's "reference model" section: liquidations the independent lending model would not allow.

Every ``Liquidation`` of the run folder is replayed through :mod:`defidrill.metrics.liquidation_check`
(the lending math re-derived in Python, independent of the contracts). The section says how many
were checked, lists each liquidation the model would not have allowed (which rule, the two sides)
as a failing row, and why any was not checked (prices not rebuildable from feed rounds). A
non-empty table is a protocol bug, an adapter that reports its events wrongly, or a model gap:
read the rule and the detail first.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from defidrill.metrics.liquidation_check import LiquidationCheck, check_liquidations
from defidrill.report.blocks import Block, Bullets, Heading, Para, TableBlock

TITLE = "Liquidations the reference model would not allow"


def model_check_blocks(run_dir: Path, result: LiquidationCheck | None = None) -> list[Block]:
    """The section's blocks (``result``: an already computed check, else it is run here)."""
    check = result if result is not None else check_liquidations(run_dir)
    total = check.checked + len(check.not_checked)
    if total == 0:
        return [Heading(TITLE), Para("No liquidation in this run: nothing to check.")]
    flagged = {(d.tx, d.step, d.account) for d in check.differences}
    verdict = (f"{check.checked} of {total} liquidations replayed through the independent lending model "
               f"(health factor, close factor, seize with bonus and cap, bad-debt write-off): ")
    if flagged:
        verdict += f"{len(flagged)} would not have been allowed."
    elif check.checked:
        verdict += "every one checked is what the model allows."
    else:
        verdict += "none could be checked (why below)."
    out: list[Block] = [Heading(TITLE), Para(verdict)]
    if check.differences:
        out.append(TableBlock(["step", "transaction", "account", "rule", "detail"],
                              [[str(d.step), d.tx or "-", d.account, d.rule, d.detail] for d in check.differences],
                              ["fail"] * len(check.differences)))
    if check.not_checked:
        reasons = Counter(reason for _, reason in check.not_checked)
        out.append(Bullets([f"not checked ({n}): {reason}" for reason, n in sorted(reasons.items())]))
    return out
