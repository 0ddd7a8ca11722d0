"""The flagship on genuine Aave V3 versus the reference pool, in the same run (issue 8's speed row).

Both runs: the library flagship (flash-crash), 200 borrowers x 721 steps, CEX side off (the chain
side alone), same seed. The row is Aave's wall time as a ratio of the reference pool's (target:
under 2x); the detail holds each run's seconds and liquidations (the differential test asserts the
liquidations match).
Run: PYTHONPATH=src python -m bench --only protocols
"""

from __future__ import annotations

from typing import Any

from bench.rows import Row, run_flagship

TARGET_RATIO = 2.0


def run(kind: str, borrowers: int) -> tuple[float, dict[str, Any]]:
    return run_flagship(borrowers, kind=kind)


def rows(borrowers: int = 200) -> list[Row]:
    ref_s, ref = run("reference", borrowers)
    aave_s, aave = run("aave-v3", borrowers)
    detail = {"borrowers": borrowers, "steps": aave["steps_completed"], "reference_s": ref_s, "aave_v3_s": aave_s,
              "liquidations": {"reference": (ref.get("onchain") or {}).get("liquidation_count"),
                               "aave-v3": (aave.get("onchain") or {}).get("liquidation_count")}}
    return [Row(f"flagship {borrowers} borrowers: aave-v3 / reference wall time", aave_s / ref_s, "x", TARGET_RATIO,
                False, detail)]
