"""The flagship on genuine Aave V3 and on genuine Morpho Blue versus the reference pool, in the same run
(issue 8's and issue 19's speed rows).

Both runs: the library flagship (flash-crash), 200 borrowers x 721 steps, CEX side off (the chain
side alone), same seed. Each row is the genuine protocol's wall time as a ratio of the reference pool's (target:
under 2x); the detail holds each run's seconds and liquidations (the differential test asserts the
liquidations match).
Run: PYTHONPATH=src python -m bench --only protocols
"""

from __future__ import annotations

from bench.rows import Row, flagship_ratio

TARGET_RATIO = 2.0


def rows(borrowers: int = 200, *, quick: bool = False) -> list[Row]:
    """``quick``: 40 borrowers at a 60 s step (121 steps): the smoke run's size."""
    if quick:
        borrowers = 40
    step = {"step": "60s"} if quick else {}
    out = []
    for kind in ("aave-v3", "morpho-blue"):
        ratio, detail = flagship_ratio(borrowers, (kind, {"kind": kind, **step}), ("reference", {"kind": "reference", **step}))
        out.append(Row(f"flagship {borrowers} borrowers: {kind} / reference wall time", ratio, "x", TARGET_RATIO, False,
                       detail))
    return out
