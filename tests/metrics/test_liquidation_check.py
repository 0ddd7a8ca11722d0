"""The differential check on hand-built run folders: a correct liquidation passes, each broken rule is named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from defidrill.metrics.liquidation_check import check_liquidations

WBTC, USDC = "0x" + "11" * 20, "0x" + "22" * 20
FEED_WBTC, FEED_USDC = "0x" + "33" * 20, "0x" + "44" * 20
ACCOUNT = "0x" + "55" * 20
DRILL = """\
name: hand
market:
  step: 10s
  duration: 1m
  assets:
    WBTC: {start: 60000, path: {kind: step, at: 10s, change: -20%}}
    USDC: 1
protocol:
  collateral:
    WBTC: {ltv: 70%, liquidation_threshold: 78%, bonus: 6%}
"""


def _event(step: int, event: str, args: dict[str, Any], *, address: str = "0x" + "99" * 20, tx: str = "0xaa") -> str:
    return json.dumps({"step": step, "t_s": step * 10.0, "block": 10 + step, "tx": tx, "agent": "keeper:k",
                       "event": event, "contract": None, "address": address, "args": args})


def write_run(folder: Path, *, wbtc_answer: int, liquidation: dict[str, int], write_off: int | None = None) -> Path:
    """One borrower: 1 BTC seeded at $60,000 (borrowers.csv), a WBTC round, one liquidation."""
    folder.mkdir()
    (folder / "drill.yaml").write_text(DRILL)
    (folder / "contracts.json").write_text(json.dumps({
        "contracts": {"WBTC": WBTC, "USDC": USDC, "FEED_WBTC_USD": FEED_WBTC, "FEED_USDC_USD": FEED_USDC},
        "decimals": {"WBTC": 8, "USDC": 6}}))
    (folder / "borrowers.csv").write_text(
        "index,address,collateral,collateral_usd,debt_usd,health,leverage,reacts\n"
        f"0,{ACCOUNT},WBTC,60000,40000,1.17,3,0\n")
    (folder / "steps.csv").write_text("step,t_s,ref_WBTC_usd,ref_USDC_usd\n0,0,60000,1\n1,10,48000,1\n")
    lines = [
        _event(0, "AnswerUpdated", {"current": 60_000 * 10**8, "roundId": 1, "updatedAt": 0}, address=FEED_WBTC, tx="0x01"),
        _event(0, "AnswerUpdated", {"current": 10**8, "roundId": 1, "updatedAt": 0}, address=FEED_USDC, tx="0x02"),
        _event(1, "AnswerUpdated", {"current": wbtc_answer, "roundId": 2, "updatedAt": 10}, address=FEED_WBTC, tx="0x03"),
        _event(1, "Liquidation", {"liquidator": "0x" + "66" * 20, "account": ACCOUNT, "collateralAsset": WBTC,
                                  **liquidation}),
    ]
    if write_off is not None:
        lines.append(_event(1, "BadDebtWrittenOff", {"account": ACCOUNT, "amountBase": write_off}))
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n")
    return folder


# WBTC at $50,000: HF = 0.78 x 50,000 / 40,000 = 0.975 -> half close: repay 20,000, seize 0.4 BTC x 1.06
HALF = {"repaidBase": 20_000 * 10**6, "seizedCollateral": 42_400_000, "healthFactorBeforeWad": 975 * 10**15}
# WBTC at $30,000: HF 0.585 -> full close of 40,000 would seize 1.4133 BTC > 1 BTC: capped at 1 BTC,
# repay ceil(30,000 / 1.06 at 1e-6) = 28,301.886793, the 11,698.113207 left written off
CAPPED = {"repaidBase": 28_301_886_793, "seizedCollateral": 10**8, "healthFactorBeforeWad": 585 * 10**15}


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
