"""The same drill on both chain backends in one run (issue 13's row): anvil wall time / revm wall time.

The flagship market (flash-crash), CEX side off (the chain side alone), 200 borrowers at the
flagship's 10 s step, then on revm; the row is the speed-up (target >= 10x, README: Chain
backends explains what the profile shows). tests/e2e/test_backend_differential.py checks the
two run folders agree.
Run: PYTHONPATH=src python -m bench --only backends
"""

from __future__ import annotations

from bench.rows import Row, flagship_ratio

TARGET_SPEEDUP = 10.0


def rows(borrowers: int = 200, *, quick: bool = False) -> list[Row]:
    """``quick``: 40 borrowers at a 60 s step (121 steps): the smoke run's size."""
    if quick:
        borrowers = 40
    step = {"step": "60s"} if quick else {}
    ratio, detail = flagship_ratio(borrowers, ("anvil", {"backend": "anvil", **step}), ("revm", {"backend": "revm", **step}))
    return [Row(f"flagship {borrowers} borrowers: anvil / revm wall time", ratio, "x", TARGET_SPEEDUP, True, detail)]
