"""The same drill on both chain backends in one run (issues 13 and 22): anvil wall time / revm wall time,
and whether revm charged anvil's gas.

The flagship market (flash-crash), CEX side off (the chain side alone), 200 borrowers at the
flagship's 10 s step, on anvil then on revm, after the one-time costs both would pay first (imports,
the compiler check) are paid. Rows: the speed-up (target >= 3x, issue 22; docs/chain-backends.md
shows where the time goes) and the gas figures of summary.json that differ between the two runs
(keeper gas and profit, the highest base fee: target 0, revm charges anvil's gas exactly).
tests/e2e/test_backend_differential.py checks the two run folders agree cell for cell.
Run: PYTHONPATH=src python -m bench --only backends
"""

from __future__ import annotations

from typing import Any

from bench.rows import Row, run_flagship

TARGET_SPEEDUP = 3.0


def _gas_figures(summary: dict[str, Any]) -> dict[str, Any]:
    gas = (summary.get("onchain") or {}).get("gas") or {}
    return {k: v for k, v in gas.items() if k in ("keeper_gas_eth", "keeper_gas_usd", "keeper_profit_net_usd",
                                                  "max_base_fee_gwei")}


def rows(borrowers: int = 200, *, quick: bool = False) -> list[Row]:
    """``quick``: 40 borrowers at a 60 s step (121 steps): the smoke run's size."""
    import defidrill.runner  # noqa: F401 - imported before the clocks start: neither run pays it
    from defidrill.toolchain import compile_project

    compile_project()  # the compiler check and artifact cache, once, outside both timings
    if quick:
        borrowers = 40
    step = "60s" if quick else None
    anvil_s, anvil = run_flagship(borrowers, backend="anvil", step=step)
    revm_s, revm = run_flagship(borrowers, backend="revm", step=step)
    gas_a, gas_r = _gas_figures(anvil), _gas_figures(revm)
    differing = sorted(k for k in gas_a.keys() | gas_r.keys() if gas_a.get(k) != gas_r.get(k))
    liquidations = {name: (s.get("onchain") or {}).get("liquidation_count") for name, s in (("anvil", anvil), ("revm", revm))}
    detail = {"borrowers": borrowers, "steps": revm.get("steps_completed"), "anvil_s": anvil_s, "revm_s": revm_s,
              "liquidations": liquidations}
    return [Row(f"flagship {borrowers} borrowers: anvil / revm wall time", anvil_s / revm_s, "x", TARGET_SPEEDUP,
                True, detail),
            Row(f"flagship {borrowers} borrowers: gas figures revm / anvil differ", float(len(differing)), "count",
                1.0, False, {"differing": differing, "anvil": gas_a, "revm": gas_r})]
