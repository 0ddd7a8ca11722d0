"""The report's reference-model section on hand-built run folders (tests/support/liquidation_runs.py).

The liquidation figures are worked out in that module: WBTC at $50,000 puts the account at
HF 0.975 (half close: repay 20,000, seize 0.424 BTC). Told that HF was 1.0 before it, the model
says the account was not liquidatable: the report must flag that liquidation.
"""

from __future__ import annotations

from pathlib import Path

from defidrill.report.blocks import Bullets, Para, TableBlock
from defidrill.report.model_check import TITLE, model_check_blocks
from defidrill.report.render import to_html, to_markdown
from support.liquidation_runs import ACCOUNT, DRILL, HALF, write_run

WBTC_50K = 50_000 * 10**8


def test_a_liquidation_of_a_healthy_account_is_flagged(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "run", wbtc_answer=WBTC_50K, liquidation={**HALF, "healthFactorBeforeWad": 10**18})
    blocks = model_check_blocks(folder)
    [verdict] = [b for b in blocks if isinstance(b, Para)]
    assert "1 of 1 liquidations" in verdict.text and "1 would not have been allowed" in verdict.text
    [table] = [b for b in blocks if isinstance(b, TableBlock)]
    assert table.rows[0][0] == "1" and table.rows[0][2].lower() == ACCOUNT and table.rows[0][3] == "healthy"
    assert table.row_classes == ["fail"]
    markdown = to_markdown(blocks)
    assert TITLE in markdown and "| healthy |" in markdown
    assert 'class="fail"' in to_html(blocks, "t")


def test_allowed_liquidations_leave_no_table(tmp_path: Path) -> None:
    blocks = model_check_blocks(write_run(tmp_path / "run", wbtc_answer=WBTC_50K, liquidation=HALF))
    assert not any(isinstance(b, TableBlock) for b in blocks)
    [verdict] = [b for b in blocks if isinstance(b, Para)]
    assert "1 of 1" in verdict.text and "every one checked is what the model allows" in verdict.text


def test_unchecked_liquidations_say_why(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "spot", wbtc_answer=WBTC_50K, liquidation=HALF)
    (folder / "drill.yaml").write_text(DRILL.replace("protocol:\n", "protocol:\n  oracle: {mode: amm_spot}\n")
                                       + "amm: {pairs: {WBTC/USDC: 1M}}\n")
    blocks = model_check_blocks(folder)
    [verdict] = [b for b in blocks if isinstance(b, Para)]
    assert "0 of 1" in verdict.text and "none could be checked" in verdict.text
    [bullets] = [b for b in blocks if isinstance(b, Bullets)]
    assert len(bullets.items) == 1 and bullets.items[0].startswith("not checked (1):") and "amm_spot" in bullets.items[0]
