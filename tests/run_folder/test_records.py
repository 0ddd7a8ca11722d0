"""events.jsonl lines as typed records: the bytes the writer puts down, read back as the same record.

The expected lines are written out by hand here (the documented key order of docs/run-folder.md),
never taken from what the code printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from defidrill.run_folder import (
    BadDebt, BadDebtLine, DecodedCall, Event, Line, Liquidation, LiquidationLine, ProtocolEvent, RunFolderError,
    StepRecorder, TxDroppedLine, TxFailedLine, load_run, parse_line,
)
from defidrill.protocol_terms.fixed_point import WAD

ACCOUNT = "0x" + "ab" * 20
ASSET = "0x" + "0" * 36 + "0200"
KEEPER = "0x" + "66" * 20
POOL = "0x" + "99" * 20
HEAD: dict[str, Any] = {"step": 6, "t_s": 60.0, "block": 106, "tx": "0x" + "06" * 32, "agent": "keeper:fast",
                        "contract": "LendingPool", "address": POOL}
BIG = 2**200 + 1  # above any float's exact range: must stay an integer, digit for digit


def _lines() -> list[tuple[Line, str]]:
    """(record, the exact JSON text of its line)."""
    liq = Liquidation(ACCOUNT, ASSET, BIG, 21_000_000, 97 * 10**16, KEEPER)
    aave = ProtocolEvent("LiquidationCall", {"user": ACCOUNT, "debtToCover": BIG})
    head = ('"step": 6, "t_s": 60.0, "block": 106, "tx": "0x' + "06" * 32 + '", "agent": "keeper:fast", ')
    return [
        (LiquidationLine(**HEAD, liquidation=liq),
         "{" + head + '"event": "Liquidation", "contract": "LendingPool", "address": "' + POOL + '", "args": '
         '{"account": "' + ACCOUNT + '", "collateralAsset": "' + ASSET + f'", "repaidBase": {BIG}, '
         '"seizedCollateral": 21000000, "healthFactorBeforeWad": 970000000000000000, "liquidator": "' + KEEPER + '"}}'),
        (LiquidationLine(**HEAD, liquidation=liq, protocol_event=aave),
         "{" + head + '"event": "Liquidation", "contract": "LendingPool", "address": "' + POOL + '", "args": '
         '{"account": "' + ACCOUNT + '", "collateralAsset": "' + ASSET + f'", "repaidBase": {BIG}, '
         '"seizedCollateral": 21000000, "healthFactorBeforeWad": 970000000000000000, "liquidator": "' + KEEPER
         + '"}, "protocol_event": {"name": "LiquidationCall", "args": {"user": "' + ACCOUNT
         + f'", "debtToCover": {BIG}}}}}}}'),
        (BadDebtLine(**HEAD, bad_debt=BadDebt(ACCOUNT, 150 * 10**6)),
         "{" + head + '"event": "BadDebtWrittenOff", "contract": "LendingPool", "address": "' + POOL
         + '", "args": {"account": "' + ACCOUNT + '", "amountBase": 150000000}}'),
        (TxDroppedLine(**{**HEAD, "block": None, "contract": None}, label="liquidate", reason="block_full",
                       call=DecodedCall("liquidate", {"account": ACCOUNT, "repayBase": 5})),
         '{"step": 6, "t_s": 60.0, "block": null, "tx": "0x' + "06" * 32 + '", "agent": "keeper:fast", '
         '"event": "TxDropped", "contract": null, "address": "' + POOL + '", "args": {"label": "liquidate", '
         '"reason": "block_full", "call": {"function": "liquidate", "args": {"account": "' + ACCOUNT
         + '", "repayBase": 5}}}}'),
        (TxFailedLine(**{**HEAD, "contract": None}, label="liquidate", revert="NotLiquidatable", revert_args={},
                      gas_used=50_000, fee_wei=10**14),
         "{" + head + '"event": "TxFailed", "contract": null, "address": "' + POOL + '", "args": {"label": '
         '"liquidate", "revert": "NotLiquidatable", "revert_args": {}, "gas_used": 50000, "fee_wei": 100000000000000}}'),
        (Event(**HEAD, event="Swap", args={"amount0In": 0, "amount1In": BIG}),
         "{" + head + '"event": "Swap", "contract": "LendingPool", "address": "' + POOL
         + f'", "args": {{"amount0In": 0, "amount1In": {BIG}}}}}'),
    ]


@pytest.mark.parametrize("record, text", _lines(), ids=lambda v: type(v).__name__ if not isinstance(v, str) else "")
def test_each_record_writes_its_documented_line_and_reads_back_as_itself(record: Line, text: str) -> None:
    assert json.dumps(record.as_dict(), default=str) == text
    assert parse_line(json.loads(text)) == record


def test_the_recorder_writes_records_and_the_reader_gives_them_back_by_kind(tmp_path: Path) -> None:
    records = [r for r, _ in _lines()]
    with StepRecorder(tmp_path, ["step", "t_s", "liquidated_debt_usd"]) as rec:
        rec.record({"step": 6, "t_s": 60.0, "liquidated_debt_usd": 1.0}, records)
    assert (tmp_path / "events.jsonl").read_text() == "".join(text + "\n" for _, text in _lines())
    run = load_run(tmp_path)
    assert run.events == records
    assert run.liquidations() == records[:2] and run.bad_debts() == [records[2]]
    assert run.dropped_txs() == [records[3]] and run.failed_txs() == [records[4]]
    assert list(run.events_named("Swap")) == [records[5]]
    [dropped] = run.dropped_txs()
    assert dropped.call is not None and dropped.call.liquidated_account == ACCOUNT
    assert run.liquidations()[0].liquidation.health_factor_before == 97 * 10**16 / WAD


@pytest.mark.parametrize("kind", ["Liquidation", "BadDebtWrittenOff", "TxDropped", "TxFailed"])
def test_a_record_kind_is_never_read_by_argument_name(tmp_path: Path, kind: str) -> None:
    with StepRecorder(tmp_path, ["step"]) as rec:
        rec.record({"step": 0}, [])
    with pytest.raises(ValueError, match=f"{kind} lines are typed records"):
        load_run(tmp_path).events_named(kind)


def test_a_liquidation_line_missing_a_field_is_refused_naming_the_line(tmp_path: Path) -> None:
    (tmp_path / "steps.csv").write_text("step,t_s\n0,0\n")
    good = json.dumps({**HEAD, "event": "Swap", "args": {}})
    bad = json.dumps({**HEAD, "event": "Liquidation", "args": {"account": ACCOUNT, "collateralAsset": ASSET}})
    (tmp_path / "events.jsonl").write_text(f"{good}\n{bad}\n{good}\n")
    with pytest.raises(RunFolderError, match=r"events.jsonl:2: event line lacks or mistypes a field \('repaidBase'\)"):
        load_run(tmp_path)


def test_an_address_is_read_lower_cased_and_old_lines_without_a_liquidator_read_as_empty() -> None:
    line = parse_line({**HEAD, "address": "0xABCDEF", "event": "Liquidation", "args": {
        "account": ACCOUNT, "collateralAsset": ASSET, "repaidBase": "7", "seizedCollateral": 8,
        "healthFactorBeforeWad": 9}})
    assert isinstance(line, LiquidationLine) and line.address == "0xabcdef"
    assert line.liquidation == Liquidation(ACCOUNT, ASSET, 7, 8, 9, "")
