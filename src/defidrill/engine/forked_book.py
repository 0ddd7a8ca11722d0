"""The forked book: a forked protocol's own borrowers, found, read once and drilled (``borrowers: {from: protocol}``).

After ``attach`` the candidates come from the drill's list (``borrowers.accounts`` / ``accounts_csv``)
or from the adapter (``discover_borrowers``: its borrow events from ``since_block`` to the fork block).
Each candidate is read through the adapter's own step read (``prepare_reads``/``decode_reads``, in
chunks of ``READ_CHUNK`` accounts): it is kept when it owes the base now and at least ``min_debt_usd``
(USD at the drill's start prices); then the ``max_accounts`` largest debts are kept, in the order they
were found (first borrow first). A chunk whose read fails is read account by account, and an account
that cannot be read is named in summary.json (``protocol.fork.book.unreadable``, with the node's
reason), never dropped silently.

Each kept account becomes a :class:`BorrowerPlan` with ``source = forked``: its collateral and debt
in USD at the start prices, the health that follows under the drill's thresholds, ``reacts`` False.
The world adds it to the scanned accounts; nothing funds, opens, tops up or repays it: keepers
liquidate it as any other account. A collateral column names the one asset it holds, or every one
joined by ``+`` (the model check tracks single-collateral balances only).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from defidrill.chain import ChainAPI
from defidrill.chain.abi_registry import checksum
from defidrill.drill.paths import MarketPath
from defidrill.drill.population import BorrowerPlan
from defidrill.drill.schema import Drill
from defidrill.errors import ChainError
from defidrill.protocol.account_columns import AccountColumns
from defidrill.protocol.adapter import AccountView, FoundBorrowers, LendingAdapter, LendingMarkets

#: Accounts per read while sizing the book (the step read's own chunking applies inside each).
READ_CHUNK = 500


@dataclass
class BookReport:
    """What the forked book's discovery did, for summary.json (``run_folder.models.ForkedBook``)."""

    method: str
    from_block: int | None
    to_block: int | None
    log_requests: int
    log_splits: int
    found: int
    kept: int
    dropped: dict[str, int]  # reason -> accounts: no_debt, min_debt_usd, max_accounts, seeded
    unreadable: list[dict[str, str]] = field(default_factory=list)  # {"account", "error"}
    debt_usd: float = 0.0  # the kept accounts' debt, USD at the start prices
    discovery_wall_time_s: float = 0.0  # finding the candidates (the log scan)
    wall_time_s: float = 0.0  # finding and reading them


def forked_book(chain: ChainAPI, drill: Drill, path: MarketPath, lending: LendingAdapter, markets: LendingMarkets,
                fork_block: int, seeded: Sequence[BorrowerPlan]) -> tuple[list[BorrowerPlan], BookReport]:
    """The kept accounts as plans (indexes after ``seeded``'s) and the report of how they were found."""
    cfg = drill.borrowers
    started = time.monotonic()
    listed = cfg.listed_accounts
    if listed is None:
        found = lending.discover_borrowers(chain, cfg.since_block, fork_block)
    else:
        found = FoundBorrowers(tuple(checksum(a) for a in listed),
                               "listed by the drill (borrowers.accounts)" if cfg.accounts is not None
                               else f"listed by the drill (borrowers.accounts_csv: {cfg.accounts_csv})")
    discovered_s = time.monotonic() - started
    ours = {b.address.lower() for b in seeded}
    candidates = [a for a in dict.fromkeys(checksum(a) for a in found.accounts) if a.lower() not in ours]
    dropped = {"no_debt": 0, "min_debt_usd": 0, "max_accounts": 0, "seeded": len(found.accounts) - len(candidates)}
    views, unreadable = _read_all(chain, lending, candidates)
    plans = [_plan(drill, path, markets, v) for v in views]
    owing = [p for p in plans if p.debt_usd > 0]
    dropped["no_debt"] = len(plans) - len(owing)
    kept = [p for p in owing if p.debt_usd >= cfg.min_debt_usd]
    dropped["min_debt_usd"] = len(owing) - len(kept)
    if cfg.max_accounts is not None and len(kept) > cfg.max_accounts:
        largest = {id(p) for p in sorted(kept, key=lambda p: p.debt_usd, reverse=True)[: cfg.max_accounts]}
        dropped["max_accounts"] = len(kept) - cfg.max_accounts
        kept = [p for p in kept if id(p) in largest]
    out = [BorrowerPlan(len(seeded) + i, p.address, p.collateral, p.collateral_usd, p.health, p.debt_usd, False,
                        "forked") for i, p in enumerate(kept)]
    scan = found.scan
    report = BookReport(found.method, scan.from_block if scan else None, scan.to_block if scan else None,
                        scan.requests if scan else 0, scan.splits if scan else 0, len(found.accounts), len(out),
                        dropped, unreadable, sum(p.debt_usd for p in out), discovered_s, time.monotonic() - started)
    lending.adopt_accounts(chain, [p.address for p in out])
    return out, report


def _read_all(chain: ChainAPI, lending: LendingAdapter,
              accounts: Sequence[str]) -> tuple[list[AccountView], list[dict[str, str]]]:
    """Every account's view through the adapter's read; a failing chunk is read one account at a time."""
    views: list[AccountView] = []
    unreadable: list[dict[str, str]] = []
    for start in range(0, len(accounts), READ_CHUNK):
        chunk = accounts[start : start + READ_CHUNK]
        try:
            views += _read(chain, lending, chunk)
        except ChainError:
            for account in chunk:
                try:
                    views += _read(chain, lending, [account])
                except ChainError as err:
                    unreadable.append({"account": account, "error": str(err)[:300]})
    return views, unreadable


def _read(chain: ChainAPI, lending: LendingAdapter, accounts: Sequence[str]) -> list[AccountView]:
    results = chain.call_many(lending.prepare_reads(chain, accounts))
    failed = [r for r in results if isinstance(r, ChainError)]
    if failed:
        raise failed[0]
    try:
        reads = lending.decode_reads(results)
    except (ValueError, IndexError, KeyError) as err:  # a reply the adapter cannot decode: unreadable
        raise ChainError(f"the read could not be decoded ({type(err).__name__}: {err})") from err
    columns = reads.accounts if isinstance(reads.accounts, AccountColumns) else None
    return columns.views() if columns is not None else list(reads.accounts)


def _plan(drill: Drill, path: MarketPath, markets: LendingMarkets, view: AccountView) -> BorrowerPlan:
    """One account at the drill's start prices: what it holds of each collateral, what it owes of the base."""
    base = markets.base
    debt_usd = view.debt_base / 10**base.decimals * path.price_usd(base.symbol, 0)
    held = {s: raw / 10 ** markets.collaterals[s].asset.decimals * path.price_usd(s, 0)
            for s, raw in view.collateral_raw.items() if raw > 0 and s in markets.collaterals}
    collateral_usd = sum(held.values())
    liquidation_usd = sum(usd * drill.collateral[s].liquidation_threshold for s, usd in held.items())
    health = liquidation_usd / debt_usd if debt_usd > 0 else float("inf")
    symbol = "+".join(sorted(held)) if held else "-"
    return BorrowerPlan(0, checksum(view.address), symbol, collateral_usd, health, debt_usd, False, "forked")
