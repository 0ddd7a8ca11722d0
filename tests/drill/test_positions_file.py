"""``borrowers: {from: positions.csv}``: the file's rows, read once at validation, become the population.

Expectations are worked out by hand from the rows and the drill's start prices (WBTC $60,000,
WETH $3,000, USDC $1) and the default liquidation threshold (80%).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from eth_utils.address import to_checksum_address

from defidrill.drill.paths import build_paths
from defidrill.drill.population import agent_address, population
from defidrill.drill.positions_csv import read_positions
from defidrill.drill.replay_csv import ReplayCsvError
from defidrill.errors import ConfigError
from defidrill.preflight import preflight
from defidrill.run_folder import BORROWER_COLUMNS
from defidrill.toolchain import project_root

DRILL = """\
name: book
market:
  step: 10s
  duration: 1h
  assets:
    WBTC: {start: 60000, path: {kind: flash_crash, at: 10m, drop: 8%, over: 20m}}
    WETH: {start: 3000, path: {kind: flash_crash, at: 10m, drop: 8%, over: 20m}}
    USDC: 1
borrowers: BORROWERS
"""

ADDRESS = "0x" + "ab" * 20


def _drill(tmp_path: Path, csv_text: str, borrowers: str = "{from: book.csv}") -> Path:
    (tmp_path / "book.csv").write_text(csv_text)
    path = tmp_path / "book.yaml"
    path.write_text(DRILL.replace("BORROWERS", borrowers))
    return path


def test_rows_become_the_population_at_start_prices(tmp_path: Path) -> None:
    drill_path = _drill(tmp_path, "account,collateral,collateral_amount,debt,reacts\n"
                                  "alice,WBTC,0.5,20000,1\n"
                                  f"{ADDRESS},WETH,10,15000,\n")
    checked = preflight(drill_path)
    assert checked.drill.borrowers.count == 2
    plans = population(checked.drill, checked.path)
    alice, whale = plans
    # 0.5 WBTC x $60,000 = $30,000; health = 30,000 x 0.80 / 20,000 = 1.2
    assert (alice.index, alice.collateral, alice.collateral_usd, alice.debt_usd) == (0, "WBTC", 30_000.0, 20_000.0)
    assert alice.health == pytest.approx(1.2, rel=1e-15) and alice.reacts and alice.source == "file"
    assert alice.address == agent_address("position:alice")
    # 10 WETH x $3,000 = $30,000; health = 30,000 x 0.80 / 15,000 = 1.6; a 0x label is the address
    assert whale.address == to_checksum_address(ADDRESS) and whale.health == pytest.approx(1.6, rel=1e-15)
    assert not whale.reacts


def test_usd_columns_and_a_borrowers_csv_header(tmp_path: Path) -> None:
    """A run folder's borrowers.csv (address, collateral_usd, debt_usd, extra columns) reads as a book."""
    header = ",".join(BORROWER_COLUMNS)
    drill_path = _drill(tmp_path, f"{header}\n0,{ADDRESS},WBTC,25000,10000,2.0,1.666666667,0,seeded\n")
    checked = preflight(drill_path)
    [plan] = population(checked.drill, checked.path)
    assert (plan.collateral_usd, plan.debt_usd) == (25_000.0, 10_000.0)
    assert plan.health == pytest.approx(25_000 * 0.8 / 10_000, rel=1e-15)  # recomputed, not the file's 2.0


def test_without_from_the_population_is_drawn_and_tagged_seeded(tmp_path: Path) -> None:
    checked = preflight(_drill(tmp_path, "", borrowers="{count: 3}"))
    assert [p.source for p in population(checked.drill, checked.path)] == ["seeded"] * 3
    assert BORROWER_COLUMNS[-1] == "source"  # the new column is last: older readers keep their indices


@pytest.mark.parametrize(("csv_text", "line", "words"), [
    ("account,collateral,collateral_usd,debt\na,WBTC,100,50\nb,WBTC,abc,50\n", 3, "collateral_usd is not a number"),
    ("account,collateral,collateral_usd,debt\na,WBTC,100,50\na,WETH,100,50\n", 3, "on line 2 already"),
    ("account,collateral,collateral_usd,debt\na,WBTC,nan,50\n", 2, "out of range"),
    ("account,collateral,collateral_usd,debt\na,WBTC,100,-1\n", 2, "out of range"),
    ("account,collateral,collateral_usd,debt,reacts\na,WBTC,100,50,maybe\n", 2, "reacts is not a flag"),
    ("account,collateral,collateral_usd,debt\na,WBTC,100\n", 2, "the row has 3 cells"),
    ("account,collateral,collateral_usd\n", 1, "no column 'debt'"),
    ("account,collateral,collateral_usd,collateral_amount,debt\n", 1, "both columns"),
    ("account,collateral,collateral_usd,debt\n", 1, "no rows"),
])
def test_bad_rows_are_refused_with_their_line(tmp_path: Path, csv_text: str, line: int, words: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text(csv_text)
    with pytest.raises(ReplayCsvError) as err:
        read_positions(path)
    assert err.value.row == line and words in str(err.value)
    assert f"line {line} of the CSV" in str(err.value)


def test_a_bad_row_is_a_config_error_at_borrowers_from(tmp_path: Path) -> None:
    drill_path = _drill(tmp_path, "account,collateral,collateral_usd,debt\na,WBTC,100,50\nb,WBTC,1e99,50\n")
    with pytest.raises(ConfigError) as err:
        preflight(drill_path)
    assert err.value.path == "borrowers.from" and err.value.line == 9
    assert "line 3 of the CSV" in str(err.value)


def test_a_missing_file_names_the_resolved_path(tmp_path: Path) -> None:
    path = tmp_path / "book.yaml"
    path.write_text(DRILL.replace("BORROWERS", "{from: nope.csv}"))
    with pytest.raises(ConfigError) as err:
        preflight(path)
    assert err.value.path == "borrowers.from" and str(tmp_path / "nope.csv") in str(err.value)


def test_from_protocol_is_refused_on_a_fresh_deployment(tmp_path: Path) -> None:
    """The forked book needs a fork (tests/drill/test_forked_book_schema.py has the rest of its refusals)."""
    path = tmp_path / "book.yaml"
    path.write_text(DRILL.replace("BORROWERS", "{from: protocol}"))
    with pytest.raises(ConfigError) as err:
        preflight(path)
    assert err.value.path == "borrowers.from" and "a fresh deployment has none" in str(err.value)


def test_a_drawn_key_beside_from_is_refused(tmp_path: Path) -> None:
    drill_path = _drill(tmp_path, "account,collateral,collateral_usd,debt\na,WBTC,100,50\n",
                        borrowers="{from: book.csv, count: 5}")
    with pytest.raises(ConfigError) as err:
        preflight(drill_path)
    assert "count describes a drawn population" in str(err.value)


def test_unknown_collateral_and_unhealthy_rows_are_refused_by_the_preflight(tmp_path: Path) -> None:
    # c: $1,000 x 0.80 / $800 = health 1.0 exactly: liquidatable at the start, refused.
    drill_path = _drill(tmp_path, "account,collateral,collateral_usd,debt\na,DOGE,100,50\nb,WBTC,200,50\n"
                                  "c,WETH,1000,800\n")
    with pytest.raises(ConfigError) as err:
        preflight(drill_path)
    text = str(err.value)
    assert "line 2 of the CSV: 'DOGE' is not a collateral asset" in text and "WBTC, WETH" in text
    assert "line 4 of the CSV: the position's health at the start prices is 1" in text
    assert "line 3" not in text  # b: 200 x 0.8 / 50 = 3.2, fine


def test_build_paths_gives_the_start_prices_used(tmp_path: Path) -> None:
    """The plan's USD value is amount x the path's price at step 0 (the world's start price too)."""
    checked = preflight(_drill(tmp_path, "account,collateral,collateral_amount,debt_usd\na,WETH,2,3000\n"))
    path = build_paths(checked.drill)
    [plan] = population(checked.drill, path)
    assert plan.collateral_usd == 2 * path.price_usd("WETH", 0) == 6_000.0


def test_the_documented_example_book_validates(tmp_path: Path) -> None:
    """docs/drills.md's example book (mean collateral $11,900 = $19B / 1.6M accounts) opens as written."""
    doc = (project_root() / "docs" / "drills.md").read_text()
    [book] = re.findall(r"```csv\n(account,collateral,.*?)```", doc, re.S)
    checked = preflight(_drill(tmp_path, book))
    plans = population(checked.drill, checked.path)
    assert sum(p.collateral_usd for p in plans) / len(plans) == 11_900.0
    assert [round(p.health, 4) for p in plans] == [round(c * 0.8 / d, 4) for c, d in
                                                   [(2500, 1900), (4000, 2800), (9000, 6200), (14000, 8000),
                                                    (30000, 23300)]]
    assert [p.reacts for p in plans] == [False, True, False, False, False]
