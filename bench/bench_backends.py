"""The same drill on both chain backends in one run (issue 13's row): anvil wall time / revm wall time.

The flagship market (flash-crash), CEX side off (the chain side alone), 200 borrowers at the
flagship's 10 s step, then on revm; the row is the speed-up (target >= 10x, README: Chain
backends explains what the profile shows). tests/e2e/test_backend_differential.py checks the
two run folders agree.
Run: PYTHONPATH=src python -m bench --only backends
"""

from __future__ import annotations

from typing import Any

from bench.rows import Row, run_flagship

TARGET_SPEEDUP = 10.0


def run(backend: str, borrowers: int) -> tuple[float, dict[str, Any]]:
    return run_flagship(borrowers, backend=backend)


def rows(borrowers: int = 200) -> list[Row]:
    anvil_s, anvil = run("anvil", borrowers)
    revm_s, revm = run("revm", borrowers)
    detail = {"borrowers": borrowers, "steps": revm["steps_completed"], "anvil_s": anvil_s, "revm_s": revm_s,
              "liquidations": {"anvil": (anvil.get("onchain") or {}).get("liquidation_count"),
                               "revm": (revm.get("onchain") or {}).get("liquidation_count")}}
    return [Row(f"flagship {borrowers} borrowers: anvil / revm wall time", anvil_s / revm_s, "x", TARGET_SPEEDUP,
                True, detail)]
