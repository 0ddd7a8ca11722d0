"""engine.forked_book without a chain: which candidates are kept, why the others are not, who is unreadable.

The adapter and the chain are stand-ins (each account's read is one call answering its view, or a
ChainError for the accounts the "node" cannot read); the drill is a real one on a fork (WETH $3,000,
WBTC $60,000, USDC $1, thresholds 80% / 75%), so every figure below is worked out by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from defidrill.drill.loader import load_drill_source
from defidrill.drill.paths import build_paths
from defidrill.drill.population import BorrowerPlan
from defidrill.engine.forked_book import forked_book
from defidrill.errors import ChainError
from defidrill.protocol.adapter import (
    AccountView, AssetInfo, CloseFactorRule, CollateralInfo, FoundBorrowers, LendingMarkets, PoolTotals, ProtocolReads,
)

DRILL = """\
name: forked-book-unit
chain: {fork_url: 'http://127.0.0.1:9'}
market:
  step: 10s
  duration: 10m
  assets: {WBTC: 60000, WETH: 3000, USDC: 1}
protocol:
  kind: aave-v3
  address: '0x2f39d218133AFaB8F2B819B1066c7E434Ad94E9e'
  collateral:
    WETH: {ltv: 70%, liquidation_threshold: 80%, bonus: 5%}
    WBTC: {ltv: 70%, liquidation_threshold: 75%, bonus: 5%}
borrowers: BORROWERS
"""


def _addr(n: int) -> str:
    return "0x" + f"{n:040x}"


#: account -> (WETH raw, WBTC raw, USDC debt raw)
HOLDINGS = {
    _addr(1): (10 * 10**18, 0, 20_000 * 10**6),           # $30,000 WETH, owes $20,000: health 30,000 x 0.8 / 20,000 = 1.2
    _addr(2): (0, 10**8, 30_000 * 10**6),                 # $60,000 WBTC, owes $30,000: health 1.5
    _addr(3): (10**18, 10**7, 500 * 10**6),               # $3,000 + $6,000, owes $500: health (2,400 + 4,500) / 500 = 13.8
    _addr(4): (5 * 10**18, 0, 0),                         # repaid: owes nothing
    _addr(5): (10**18, 0, 1_000 * 10**6),                 # the node cannot read it
}
UNREADABLE = {_addr(5).lower()}

MARKETS = LendingMarkets("aave-v3", AssetInfo("USDC", "0x" + "01" * 20, 6), {
    "WETH": CollateralInfo(AssetInfo("WETH", "0x" + "02" * 20, 18), 7000, 8000, 500),
    "WBTC": CollateralInfo(AssetInfo("WBTC", "0x" + "03" * 20, 8), 7000, 7500, 500)}, CloseFactorRule(5000, 0), {})


class FakeChain:
    def call_many(self, calls: Sequence[Any]) -> list[Any]:
        return [ChainError("execution reverted") if c.lower() in UNREADABLE else c for c in calls]


class FakeLending:
    kind = "aave-v3"

    def __init__(self) -> None:
        self.adopted: list[str] = []
        self.asked: tuple[int, int] | None = None

    def discover_borrowers(self, chain: Any, from_block: int, to_block: int) -> FoundBorrowers:
        self.asked = (from_block, to_block)
        return FoundBorrowers(tuple(HOLDINGS), "Borrow events of a stand-in")

    def prepare_reads(self, chain: Any, accounts: Sequence[str]) -> list[str]:
        return list(accounts)

    def decode_reads(self, results: Sequence[str]) -> ProtocolReads:
        views = [AccountView(a, 0, 0, 0, HOLDINGS[a][2], 0, True, {"WETH": HOLDINGS[a][0], "WBTC": HOLDINGS[a][1]})
                 for a in results]
        return ProtocolReads(views, {}, PoolTotals(0, 0, 0, 0))

    def adopt_accounts(self, chain: Any, accounts: Sequence[str]) -> None:
        self.adopted = list(accounts)


def _run(tmp_path: Path, borrowers: str, seeded: Sequence[BorrowerPlan] = ()) -> tuple[list[BorrowerPlan], Any, FakeLending]:
    (tmp_path / "d.yaml").write_text(DRILL.replace("BORROWERS", borrowers))
    drill = load_drill_source(tmp_path / "d.yaml").drill
    lending = FakeLending()
    plans, report = forked_book(FakeChain(), drill, build_paths(drill), lending, MARKETS, 1_234, seeded)  # type: ignore[arg-type]
    return plans, report, lending


def test_the_book_at_start_prices_and_why_accounts_are_left_out(tmp_path: Path) -> None:
    plans, report, lending = _run(tmp_path, "{from: protocol, since_block: 100}")
    assert lending.asked == (100, 1_234)
    assert [p.address.lower() for p in plans] == [_addr(1), _addr(2), _addr(3)]  # found order kept
    one, two, three = plans
    assert (one.collateral, one.collateral_usd, one.debt_usd) == ("WETH", 30_000.0, 20_000.0)
    assert one.health == pytest.approx(1.2, rel=1e-12) and two.health == pytest.approx(1.5, rel=1e-12)
    assert (three.collateral, three.collateral_usd) == ("WBTC+WETH", 9_000.0)
    assert three.health == pytest.approx(13.8, rel=1e-12)
    assert all(p.source == "forked" and not p.reacts for p in plans)
    assert [p.index for p in plans] == [0, 1, 2]
    assert report.found == 5 and report.kept == 3
    assert report.dropped == {"no_debt": 1, "min_debt_usd": 0, "max_accounts": 0, "seeded": 0}
    assert [u["account"].lower() for u in report.unreadable] == [_addr(5)]
    assert "execution reverted" in report.unreadable[0]["error"]
    assert report.debt_usd == 50_500.0
    assert [a.lower() for a in lending.adopted] == [_addr(1), _addr(2), _addr(3)]


def test_min_debt_then_the_largest_debts(tmp_path: Path) -> None:
    plans, report, _ = _run(tmp_path, "{from: protocol, min_debt_usd: 1000, max_accounts: 1}")
    assert [p.address.lower() for p in plans] == [_addr(2)]  # $30,000: the largest of the two above $1,000
    assert report.dropped == {"no_debt": 1, "min_debt_usd": 1, "max_accounts": 1, "seeded": 0}


def test_a_listed_book_is_read_the_same_and_indexed_after_the_seeded(tmp_path: Path) -> None:
    seeded = [BorrowerPlan(0, _addr(9), "WETH", 1.0, 1.5, 0.5, False)]
    plans, report, lending = _run(tmp_path, f"{{from: protocol, count: 1, accounts: ['{_addr(2)}', '{_addr(9)}']}}",
                                  seeded)
    assert lending.asked is None and report.method == "listed by the drill (borrowers.accounts)"
    assert [(p.index, p.address.lower()) for p in plans] == [(1, _addr(2))]
    assert report.dropped["seeded"] == 1 and report.from_block is None
