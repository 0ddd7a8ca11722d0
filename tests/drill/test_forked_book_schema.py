"""``borrowers: {from: protocol}``: the forked book's keys, checked at validation (no chain needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from defidrill.drill.loader import load_drill_source
from defidrill.drill.schema.agents import BorrowersConfig
from defidrill.errors import ConfigError
from defidrill.preflight import preflight
from defidrill.protocol.aave_v3.adapter import AaveV3Adapter
from defidrill.protocol.adapter import LendingAdapter
from defidrill.protocol.reference.adapter import ReferenceAdapter

DRILL = """\
name: forked-book
market:
  step: 10s
  duration: 1h
  assets:
    WBTC: {start: 60000, path: {kind: flash_crash, at: 10m, drop: 8%, over: 20m}}
    WETH: {start: 3000, path: {kind: flash_crash, at: 10m, drop: 8%, over: 20m}}
    USDC: 1
PROTOCOL
borrowers: BORROWERS
"""
ON_A_FORK = ("chain: {fork_url: 'http://127.0.0.1:9'}\n"
             "protocol: {kind: aave-v3, address: '0x2f39d218133AFaB8F2B819B1066c7E434Ad94E9e'}")
A, B = "0x" + "ab" * 20, "0x" + "cd" * 20


def _drill(tmp_path: Path, borrowers: str, protocol: str = ON_A_FORK) -> Path:
    path = tmp_path / "forked.yaml"
    path.write_text(DRILL.replace("PROTOCOL", protocol).replace("BORROWERS", borrowers))
    return path


def _checked_borrowers(tmp_path: Path, borrowers: str) -> BorrowersConfig:
    """The borrowers section as validated, without probing the (dead) fork URL: the schema alone."""
    return load_drill_source(_drill(tmp_path, borrowers)).drill.borrowers


def test_from_protocol_seeds_nothing_unless_count_says_so(tmp_path: Path) -> None:
    b = _checked_borrowers(tmp_path, "{from: protocol, since_block: 17000000, min_debt_usd: 1k, max_accounts: 5k}")
    assert b.from_protocol and b.positions_file is None and b.count == 0
    assert (b.since_block, b.min_debt_usd, b.max_accounts) == (17_000_000, 1_000.0, 5_000)
    assert b.listed_accounts is None  # the adapter finds them
    both = _checked_borrowers(tmp_path, "{from: protocol, count: 50}")
    assert both.count == 50  # a drawn population beside the forked book


def test_a_listed_book_inline_or_from_a_csv(tmp_path: Path) -> None:
    b = _checked_borrowers(tmp_path, f"{{from: protocol, accounts: ['{A}', '{B}']}}")
    assert b.listed_accounts == (A, B)
    (tmp_path / "book.csv").write_text(f"index,address,source\n0,{A},forked\n1,{B},forked\n")  # a borrowers.csv
    b = _checked_borrowers(tmp_path, "{from: protocol, accounts_csv: book.csv}")
    assert b.listed_accounts == (A, B)


@pytest.mark.parametrize(("borrowers", "words"), [
    ("{count: 10, min_debt_usd: 1k}", "min_debt_usd describes the forked book"),
    (f"{{from: protocol, accounts: ['{A}'], accounts_csv: book.csv}}", "accounts and accounts_csv both"),
    ("{from: protocol, accounts: ['0x12']}", "accounts[0] is not an address"),
    (f"{{from: protocol, accounts: ['{A}', '{A.upper().replace('0X', '0x')}']}}", "an account is listed twice"),
    ("{from: protocol, max_accounts: 0}", "max_accounts"),
    ("{from: protocol, accounts_csv: missing.csv}", "accounts file not found"),
])
def test_forked_book_mistakes_are_refused_naming_the_field(tmp_path: Path, borrowers: str, words: str) -> None:
    (tmp_path / "book.csv").write_text(f"account\n{A}\n")
    with pytest.raises(ConfigError, match=words.replace("[", r"\[").replace("]", r"\]")):
        _checked_borrowers(tmp_path, borrowers)


def test_a_bad_accounts_csv_row_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "book.csv").write_text(f"account\n{A}\nnot-an-address\n")
    with pytest.raises(ConfigError, match="line 3") as info:
        _checked_borrowers(tmp_path, "{from: protocol, accounts_csv: book.csv}")
    assert "account is not an address" in str(info.value)


def test_from_protocol_on_a_fresh_deployment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="a fresh deployment has none") as info:
        preflight(_drill(tmp_path, "{from: protocol}", protocol=""))
    assert info.value.path == "borrowers.from"


def test_an_adapter_without_discovery_needs_the_list(tmp_path: Path) -> None:
    """The reference pool cannot attach at all; the check of discovery is the adapter's (tested on the
    cToken example, which implements it, in tests/external_protocol). Here: the default refuses clearly."""
    assert not ReferenceAdapter.discovers_borrowers()
    assert AaveV3Adapter.discovers_borrowers()
    with pytest.raises(ConfigError, match="cannot find a forked protocol's borrowers itself") as info:
        LendingAdapter.discover_borrowers(ReferenceAdapter.__new__(ReferenceAdapter), None, 0, 1)  # type: ignore[arg-type]
    assert info.value.path == "borrowers.from" and "borrowers.accounts" in (info.value.allowed or "")
