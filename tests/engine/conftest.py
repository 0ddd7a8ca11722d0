"""Run tiny drills on a real chain and read their run folders back.

Each test writes its drill as a dict (YAML in ``tmp_path``), runs it through
``defidrill.runner.run_drill`` (its own anvil, deployed protocol, agents) and asserts on
what the chain recorded: ``steps.csv`` rows, ``events.jsonl`` lines, ``summary.json``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from defidrill import run_folder
from defidrill.runner import run_drill


def tiny_drill(**sections: Any) -> dict[str, Any]:
    """A small WETH/USDC drill (5 borrowers, 10 minutes of 30 s steps, CEX off); ``sections``
    are merged into it key by key (a nested dict merges, anything else replaces)."""
    base: dict[str, Any] = {
        "name": "tiny",
        "seed": 1,
        "market": {"step": "30s", "duration": "10m",
                   "assets": {"WETH": {"start": 3000}, "USDC": 1}},
        "protocol": {
            "oracle": {"mode": "guarded", "heartbeat": "2m", "deviation": "0.5%", "max_staleness": "3m",
                       "max_jump": "20%"},
            "collateral": {"WETH": {"ltv": "75%", "liquidation_threshold": "80%", "bonus": "5%"}},
        },
        "amm": {"pairs": {"WETH/USDC": "2M"}},
        "borrowers": {"count": 5, "size_usd": 20_000, "health": {"uniform": [1.3, 1.6]}},
        "keepers": [{"name": "keeper", "mode": "flash"}],
        "cex": {"enabled": False},
    }
    return _merge(base, sections)


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(into)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _cell(text: str) -> Any:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


@dataclass
class DrillRun:
    """A finished run folder, parsed."""

    run_dir: Path
    steps: list[dict[str, Any]]
    events: list[dict[str, Any]]
    summary: dict[str, Any]
    contracts: dict[str, Any]

    def col(self, name: str) -> list[Any]:
        return [row[name] for row in self.steps]

    def events_named(self, event: str, *, agent: str | None = None, address: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == event
                and (agent is None or e["agent"] == agent)
                and (address is None or str(e["address"]).lower() == address.lower())]

    def failed(self, label_prefix: str = "") -> list[dict[str, Any]]:
        """TxFailed lines whose label starts with ``label_prefix``."""
        return [e for e in self.events if e["event"] == "TxFailed" and e["args"]["label"].startswith(label_prefix)]

    def address(self, name: str) -> str:
        return self.contracts["contracts"][name]


def read_run(run_dir: Path) -> DrillRun:
    """Read through the run folder's owner (the only reader), then into plain rows for the tests."""
    run = run_folder.load_run(run_dir, require_summary=True)
    steps = [{k: _cell(v) for k, v in row.items()} for row in run.steps.rows()]
    contracts = run_folder.read_contracts(run_dir / run_folder.CONTRACTS_JSON).model_dump(mode="json")
    return DrillRun(run_dir, steps, [e.as_dict() for e in run.events], run.summary or {}, contracts)


RunFn = Callable[..., DrillRun]


@pytest.fixture
def run(tmp_path: Path) -> RunFn:
    """``run(drill_dict, name="x", seed=None)`` -> the parsed run folder."""

    def go(drill: dict[str, Any], name: str = "drill", seed: int | None = None) -> DrillRun:
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump({**drill, "name": name}, sort_keys=False))
        outcome = run_drill(path, out_dir=tmp_path / f"run-{name}", seed=seed, progress=False)
        assert outcome.summary["status"] == "ok", outcome.summary.get("error")
        return read_run(outcome.run_dir)

    return go
