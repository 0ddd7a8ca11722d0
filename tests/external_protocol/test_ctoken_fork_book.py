"""The forked book on the Compound-style example: `borrowers: {from: protocol}` on a user's own protocol.

The origin (``ctoken_fork_origin``) holds the example protocol at parameters other than the drill's.
The test opens the book there as the market's users would: its governance (impersonated: it holds no
key) sets each collateral factor to the drill's threshold so a health of 1.02 can be borrowed into, a
depositor supplies the USDC, and each of the reduced flagship's 40 drawn accounts mints its collateral's
cTokens itself, enters the market and borrows with the cToken's own calls. The same drill then runs
fresh (seeding that population itself) and on a fork with ``borrowers: {from: protocol}``, where the
user's adapter finds the accounts from its base market's Borrow events (``CTokenAdapter.discover_borrowers``).
Interest is zero, so both must liquidate the same accounts in the same steps for the same raw amounts,
and the adapter's invariants (which sum every drilled account against the markets' totals) hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ctoken_fork_origin import GOVERNOR, CTokenOrigin, deploy_ctoken_origin, flagship_doc

from defidrill.chain import AnvilConfig, Chain
from defidrill.run_folder import load_run
from defidrill.toolchain import Artifacts
from support.e2e_runs import DrillRun, amounts_by_key, assert_clean, fresh_and_forked
from support.origin_book import ACCOUNT_GAS_WEI, OriginPosition, drawn_book, raw_positions

pytestmark = pytest.mark.slow

DEPOSITOR = "0x" + "d1" * 20
DEPOSIT_RAW = 200_000_000 * 10**6


def _doc() -> dict[str, Any]:
    doc = flagship_doc()
    doc["borrowers"]["reaction"] = {"probability": 0.0}  # a forked account never reacts
    return doc


def _from_protocol(doc: dict[str, Any]) -> None:
    doc["borrowers"] = {"from": "protocol"}


def open_on_ctokens(origin: CTokenOrigin, book: list[OriginPosition], factors_bps: dict[str, int]) -> None:
    """Each account mints its own cTokens, enters the market and borrows (the drill sends none of this)."""
    chain, adapter = origin.chain, origin.adapter
    ctokens, tokens = adapter.ctokens, origin.market.tokens
    comptroller = adapter.contracts["COMPTROLLER"].functions
    cbase = ctokens["USDC"]
    chain.set_balances({GOVERNOR: ACCOUNT_GAS_WEI, DEPOSITOR: ACCOUNT_GAS_WEI, **{p.account: ACCOUNT_GAS_WEI
                                                                              for p in book}})

    def tx(fn: Any, sender: str | None = None) -> Any:
        return chain.tx(fn, sender=sender, gas=1_000_000)

    chain.send_many([tx(comptroller.setCollateralFactor(ctokens[s].address, bps * 10**14), GOVERNOR)
                     for s, bps in factors_bps.items()]
                    + [tx(tokens["USDC"].functions.mint(DEPOSITOR, DEPOSIT_RAW)),
                       tx(tokens["USDC"].functions.approve(cbase.address, 2**256 - 1), DEPOSITOR),
                       tx(cbase.functions.mint(DEPOSIT_RAW), DEPOSITOR)])
    chain.send_many([tx(tokens[p.collateral].functions.mint(p.account, p.collateral_raw)) for p in book])
    chain.send_many([tx(tokens[p.collateral].functions.approve(ctokens[p.collateral].address, 2**256 - 1), p.account)
                     for p in book])
    chain.send_many([tx(ctokens[p.collateral].functions.mint(p.collateral_raw), p.account) for p in book])
    chain.send_many([tx(comptroller.enterMarkets([ctokens[p.collateral].address]), p.account) for p in book])
    chain.send_many([tx(cbase.functions.borrow(p.debt_raw), p.account) for p in book])
    chain.set_balance(GOVERNOR, 0)


@pytest.fixture(scope="module")
def origin_and_book(artifacts: Artifacts, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[tuple[CTokenOrigin, list[OriginPosition]]]:
    drill, path, plans = drawn_book(tmp_path_factory.mktemp("ctoken-book-doc"), _doc())
    book = raw_positions(drill, path, plans)
    factors = {s: round(c.liquidation_threshold * 10_000) for s, c in drill.collateral.items()}
    with Chain.launch(AnvilConfig(), artifacts) as chain:
        origin = deploy_ctoken_origin(chain)
        open_on_ctokens(origin, book, factors)
        yield origin, book


@pytest.fixture(scope="module")
def runs(origin_and_book: tuple[CTokenOrigin, list[OriginPosition]],
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    origin, _book = origin_and_book
    return fresh_and_forked(tmp_path_factory.mktemp("ctoken-fork-book"), _doc, origin.chain, origin.comptroller,
                            on_fork=_from_protocol)


def test_the_forked_book_liquidates_exactly_like_the_same_book_seeded_fresh(runs: dict[str, Any]) -> None:
    fresh, fork = runs["fresh"], runs["fork"]
    assert_clean(fresh)
    assert_clean(fork)  # borrows and cTokens summed over the forked accounts match the markets' totals
    expected = amounts_by_key(fresh)
    assert len(expected) >= 3, "the reduced flagship must liquidate on the Compound-style protocol"
    assert amounts_by_key(fork) == expected


def test_the_user_adapter_finds_every_account_from_its_borrow_events(
        runs: dict[str, Any], origin_and_book: tuple[CTokenOrigin, list[OriginPosition]]) -> None:
    fork: DrillRun = runs["fork"]
    origin, book = origin_and_book
    info = fork.summary["protocol"]["fork"]["book"]
    assert info["method"] == f"Borrow events of the base market {origin.adapter.ctokens['USDC'].address}"
    assert (info["from_block"], info["to_block"]) == (0, runs["fork_block"])
    assert (info["found"], info["kept"]) == (len(book), len(book))
    rows = list(load_run(fork.run_dir).borrowers.rows())  # type: ignore[union-attr]
    assert [(r["address"], r["source"]) for r in rows] == [(p.account, "forked") for p in book]
