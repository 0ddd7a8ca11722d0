"""Users' own invariants: from a test (defidrill_run(checks=...)) and from a drill ("module:function"),
checked every N steps over the liquidations since the previous check, against the run folder's own events."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from defidrill.chain import Chain
from defidrill.cli.main import cli
from defidrill.engine.invariants import Broken, StepCheck

#: WETH -30% in two minutes: the riskiest of 8 borrowers go under within the 19 steps.
CRASH_DRILL: dict[str, Any] = {
    "name": "user-invariants", "seed": 3,
    "market": {"step": "10s", "duration": "3m", "assets": {
        "WETH": {"start": 3000, "path": {"kind": "ramp", "at": "20s", "over": "2m", "change": "-30%"}}, "USDC": 1}},
    "amm": {"pairs": {"WETH/USDC": "2M"}},
    "borrowers": {"count": 8, "health": {"uniform": [1.02, 1.3]}},
    "cex": {"enabled": False},
}


def _liquidations_by_step(run_dir: Path) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for line in (run_dir / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        if event["event"] == "Liquidation":
            out.setdefault(event["step"], []).append(event["args"]["account"])
    return out


def test_a_user_invariant_from_a_test_breaks_at_the_first_liquidation(defidrill_run: Any) -> None:
    """"No liquidation ever" is broken at the first step events.jsonl shows one, naming those accounts; with
    every: 5 it runs at steps 0, 5, 10, 15 and the last (18): 5 checks, and between them it sees every liquidation."""
    seen: list[tuple[int, int]] = []

    def no_liquidation_ever(chain: Chain, step: StepCheck) -> Broken | None:
        assert isinstance(chain, Chain) and "LENDING_POOL" in step.contracts
        seen.append((step.step, len(step.liquidations)))
        if step.liquidations:
            return Broken(f"{len(step.liquidations)} liquidations", [r.account for r in step.liquidations])
        return None

    outcome = defidrill_run(CRASH_DRILL, checks=[no_liquidation_ever],
                            **{"invariants.every": 5, "invariants.on_failure": "flag"})
    by_step = _liquidations_by_step(outcome.run_dir)
    assert by_step, "the drill must liquidate someone"
    assert [s for s, _ in seen] == [0, 5, 10, 15, 18]
    assert sum(n for _, n in seen) == sum(len(v) for v in by_step.values())
    first_check = next(s for s, n in seen if n)
    covered = [s for s in by_step if s <= first_check and s > max([c for c, _ in seen if c < first_check], default=-1)]
    mine = next(i for i in outcome.summary["onchain"]["invariants"] if i["name"].endswith("no_liquidation_ever"))
    assert mine["source"] == "user" and not mine["passed"]
    assert mine["first_broken_step"] == first_check
    assert mine["accounts"] == [a for s in sorted(covered) for a in by_step[s]]
    assert outcome.summary["status"] == "ok"
    assert outcome.summary["invariant_checks"]["checks_run"] == 5


def test_a_drill_names_a_user_invariant_and_the_cli_exits_5(tmp_path: Path) -> None:
    """invariants.custom: ["mychecks:no_liquidation_ever"] beside the drill; stop (the default) ends the run
    at the first liquidation's step with exit 5, the step and the accounts in the message."""
    (tmp_path / "mychecks.py").write_text(textwrap.dedent('''
        from defidrill.engine.invariants import Broken

        def no_liquidation_ever(chain, step):
            if step.liquidations:
                return Broken("liquidated", [r.account for r in step.liquidations])
    '''))
    import yaml
    drill = dict(CRASH_DRILL, invariants={"custom": ["mychecks:no_liquidation_ever"], "every": 1})
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(drill))
    out = tmp_path / "run"
    result = CliRunner(mix_stderr=False).invoke(cli, ["run", str(tmp_path / "d.yaml"), "--out", str(out), "--quiet"])
    assert result.exit_code == 5, (result.exit_code, result.stderr)
    by_step = _liquidations_by_step(out)
    first = min(by_step)
    assert result.stderr.startswith(f"defidrill: InvariantError: invariant broken at step {first} ")
    assert f"mychecks:no_liquidation_ever (liquidated); accounts: {', '.join(by_step[first])}" in result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps_completed"] == first + 1 and summary["exit_status"] == 5


@pytest.mark.parametrize(("custom", "expected"), [
    ("valuechecks:missing", "has no 'missing'"),
    ("nosuchmodule:fn", "module 'nosuchmodule' not found"),
    ("not a spec", "not a module:name path"),
    ("valuechecks:VALUE", "is a int, not a function"),
])
def test_a_bad_user_invariant_is_refused_before_anything_runs(tmp_path: Path, custom: str, expected: str) -> None:
    (tmp_path / "valuechecks.py").write_text("VALUE = 3\n")  # a name of its own: Python keeps modules by name
    import yaml
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(dict(CRASH_DRILL, invariants={"custom": [custom]})))
    result = CliRunner(mix_stderr=False).invoke(cli, ["validate", str(tmp_path / "d.yaml")])
    assert result.exit_code == 2
    assert "invariants.custom.0" in result.stderr + result.stdout and expected in result.stderr + result.stdout
