"""The forked book on genuine Aave V3: `borrowers: {from: protocol}` drills borrowers somebody else opened.

The "mainnet" is a local anvil holding Aave V3 over third-party feeds (``support.aave_origin``). The
test itself opens the book there, as a market's users would: each of the reduced flagship's 40
drawn accounts is minted its collateral, supplies it and borrows USDC with Aave's own ``supply`` and
``borrow`` (the origin's governance lifts each LTV just under the drill's threshold first, as the
drill's seeding does, so a health of 1.02 can be borrowed into). Then the same drill runs twice with
the same seed: on a fresh chain, where it seeds that population itself, and on a fork of the origin
with ``borrowers: {from: protocol}`` and no seeded borrower, where Aave's adapter finds the accounts
from the Pool's Borrow events. Interest is zero on both sides, so the differential is exact: the same
accounts liquidated in the same steps, the same debt repaid and collateral seized, to the raw unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from defidrill.chain import AnvilConfig, Chain
from defidrill.errors import ConfigError
from defidrill.preflight import preflight
from defidrill.run_folder import load_run
from defidrill.toolchain import Artifacts
from support.aave_origin import AaveOrigin, deploy_aave_origin
from support.e2e_runs import DrillRun, amounts_by_key, assert_clean, fresh_and_forked, on_aave, run_doc, variant_doc
from support.origin_book import OriginPosition, drawn_book, open_on_aave, raw_positions

ZERO_INTEREST = {"base_rate": 0.0, "slope1": 0.0, "slope2": 0.0}


def _doc() -> dict[str, Any]:
    """The flagship on Aave, reduced as the fork-drill test reduces it (40 borrowers at 80k), no CEX,
    zero interest, no reactions (a forked account never reacts unless a drill models it)."""
    doc = on_aave(variant_doc("flash-crash"))
    doc["borrowers"]["count"] = 40
    doc["borrowers"]["size_usd"] = {"lognormal": {"median": "80k", "sigma": 1.0}}
    doc["borrowers"]["reaction"] = {"probability": 0.0}
    doc["cex"] = {"enabled": False}
    doc["protocol"]["interest"] = dict(ZERO_INTEREST)
    return doc


def _from_protocol(doc: dict[str, Any]) -> None:
    doc["borrowers"] = {"from": "protocol"}


@pytest.fixture(scope="module")
def origin_and_book(artifacts: Artifacts, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[tuple[AaveOrigin, list[OriginPosition]]]:
    drill, path, plans = drawn_book(tmp_path_factory.mktemp("book-doc"), _doc())
    book = raw_positions(drill, path, plans)
    thresholds = {s: (round(c.liquidation_threshold * 10_000), round(c.bonus * 10_000))
                  for s, c in drill.collateral.items()}
    with Chain.launch(AnvilConfig(), artifacts) as chain:
        origin = deploy_aave_origin(chain)
        open_on_aave(origin, book, thresholds)
        yield origin, book


@pytest.fixture(scope="module")
def runs(origin_and_book: tuple[AaveOrigin, list[OriginPosition]], tmp_path_factory: pytest.TempPathFactory
         ) -> dict[str, Any]:
    origin, _book = origin_and_book
    return fresh_and_forked(tmp_path_factory.mktemp("fork-book"), _doc, origin.chain, origin.provider,
                            on_fork=_from_protocol)


def test_the_forked_book_liquidates_exactly_like_the_same_book_seeded_fresh(runs: dict[str, Any]) -> None:
    fresh, fork = runs["fresh"], runs["fork"]
    assert_clean(fresh)
    assert_clean(fork)  # Aave's fork invariants hold with the real book drilled (its baseline covers it)
    expected = amounts_by_key(fresh)
    assert len(expected) >= 3, "the reduced flagship must liquidate on Aave"
    assert amounts_by_key(fork) == expected
    assert fork.onchain["bad_debt_usd"] == fresh.onchain["bad_debt_usd"]
    # each Liquidation line names where its account came from (seeded lines carry no tag: run folders unchanged)
    assert {e["args"]["accountSource"] for e in fork.events_named("Liquidation")} == {"forked"}
    assert all("accountSource" not in e["args"] for e in fresh.events_named("Liquidation"))
    assert {line.account_source for line in load_run(fork.run_dir).liquidations()} == {"forked"}


def test_every_account_of_the_book_is_found_tagged_forked_and_never_funded(
        runs: dict[str, Any], origin_and_book: tuple[AaveOrigin, list[OriginPosition]]) -> None:
    fork: DrillRun = runs["fork"]
    _origin, book = origin_and_book
    info = fork.summary["protocol"]["fork"]["book"]
    assert info["method"].startswith("Borrow events of the Pool ")
    assert (info["from_block"], info["to_block"]) == (0, runs["fork_block"])
    assert info["log_requests"] >= 1 and info["log_splits"] == 0
    assert (info["found"], info["kept"]) == (len(book), len(book))
    assert info["dropped"] == {"no_debt": 0, "min_debt_usd": 0, "max_accounts": 0, "seeded": 0}
    assert info["unreadable"] == []
    assert info["debt_usd"] == pytest.approx(sum(p.debt_raw for p in book) / 10**6, rel=1e-12)
    rows = list(load_run(fork.run_dir).borrowers.rows())  # type: ignore[union-attr]
    assert [r["source"] for r in rows] == ["forked"] * len(book)
    # first borrow first: the order the test's script opened them in
    assert [r["address"] for r in rows] == [p.account for p in book]
    for row, p in zip(rows, book):
        assert row["collateral"] == p.collateral
        assert float(row["debt_usd"]) == pytest.approx(p.debt_raw / 10**6, rel=1e-9)
        assert row["reacts"] == "0"
    assert fork.summary["activity"]["borrower_reactions"] == 0
    fresh_rows = list(load_run(runs["fresh"].run_dir).borrowers.rows())  # type: ignore[union-attr]
    assert [r["source"] for r in fresh_rows] == ["seeded"] * len(book)
    report = (fork.run_dir / "report.md").read_text()
    assert f"{len(book)} forked" in report


def test_min_debt_and_max_accounts_keep_the_largest_debts_and_say_why(
        origin_and_book: tuple[AaveOrigin, list[OriginPosition]], tmp_path: Path) -> None:
    origin, book = origin_and_book
    debts = sorted((p.debt_raw / 10**6 for p in book), reverse=True)
    min_debt_usd = debts[len(debts) // 2]  # half the book is at or above its median debt
    above = [d for d in debts if d >= min_debt_usd]
    doc = _doc()
    doc["market"]["duration"] = "2m"  # what is kept is decided before the first step
    doc["amm"]["lps"] = {}
    doc["borrowers"] = {"from": "protocol", "min_debt_usd": min_debt_usd, "max_accounts": 5}
    doc["chain"].update({"fork_url": origin.chain.rpc_url})
    doc["protocol"]["address"] = origin.provider
    run = run_doc(tmp_path, "filtered", doc)
    assert_clean(run)
    info = run.summary["protocol"]["fork"]["book"]
    assert info["found"] == len(book) and info["kept"] == 5
    assert info["dropped"] == {"no_debt": 0, "min_debt_usd": len(book) - len(above),
                               "max_accounts": len(above) - 5, "seeded": 0}
    rows = list(load_run(run.run_dir).borrowers.rows())  # type: ignore[union-attr]
    assert [r["source"] for r in rows] == ["forked"] * 5
    kept = sorted((float(r["debt_usd"]) for r in rows), reverse=True)
    assert kept == pytest.approx(debts[:5], rel=1e-9)


def test_from_protocol_is_refused_on_a_fresh_deployment(tmp_path: Path) -> None:
    doc = _doc()
    _from_protocol(doc)
    path = tmp_path / "fresh.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(ConfigError, match="a fresh deployment has none") as info:
        preflight(path)
    assert "borrowers.from" in str(info.value)
