"""The differential check on hand-built run folders: a correct liquidation passes, each broken rule is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from defidrill.metrics.liquidation_check import check_liquidations

from support.liquidation_runs import CAPPED, DRILL, HALF, write_run


def test_correct_liquidations_pass(tmp_path: Path) -> None:
    half = check_liquidations(write_run(tmp_path / "half", wbtc_answer=50_000 * 10**8, liquidation=HALF))
    assert (half.checked, half.differences, half.not_checked) == (1, [], [])
    capped = check_liquidations(write_run(tmp_path / "cap", wbtc_answer=30_000 * 10**8, liquidation=CAPPED,
                                          write_off=11_698_113_207))
    assert (capped.checked, capped.differences) == (1, [])


@pytest.mark.parametrize(("answer", "liquidation", "write_off", "rule"), [
    (50_000 * 10**8, {**HALF, "seizedCollateral": 42_400_001}, None, "seize"),           # one wei too many
    (50_000 * 10**8, {**HALF, "healthFactorBeforeWad": 10**18}, None, "healthy"),
    # 30,000 repaid at HF 0.975 (above 0.95): over the 50% close factor, seize consistent (0.6 x 1.06)
    (50_000 * 10**8, {**HALF, "repaidBase": 30_000 * 10**6, "seizedCollateral": 63_600_000}, None, "close_factor"),
    # capped arithmetic right, but 0.5 BTC is not the account's whole balance
    # (0.50000006 BTC: seize_for_repay(repay_for_balance(s)) != s, so only a cap explains it)
    (30_000 * 10**8, {**CAPPED, "repaidBase": 14_150_945_095, "seizedCollateral": 50_000_006}, None, "cap"),
    (30_000 * 10**8, CAPPED, 11_698_113_207 + 10**6, "write_off"),                      # a dollar too much
    (30_000 * 10**8, CAPPED, None, "write_off"),                                        # none at all
])
def test_each_broken_rule_is_named(tmp_path: Path, answer: int, liquidation: dict[str, int], write_off: int | None,
                                   rule: str) -> None:
    result = check_liquidations(write_run(tmp_path / "run", wbtc_answer=answer, liquidation=liquidation,
                                          write_off=write_off))
    assert not result.ok
    assert [d.rule for d in result.differences] == [rule]


def test_prices_from_the_amm_are_not_checked(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "spot", wbtc_answer=50_000 * 10**8, liquidation=HALF)
    (folder / "drill.yaml").write_text(DRILL.replace("protocol:\n", "protocol:\n  oracle: {mode: amm_spot}\n")
                                       + "amm: {pairs: {WBTC/USDC: 1M}}\n")
    result = check_liquidations(folder)
    assert result.checked == 0 and result.ok
    assert "amm_spot" in result.not_checked[0][1]
