"""One step's read of the Morpho Blue markets: ``MorphoLens.scan``, up to ``SCAN_CHUNK`` accounts per eth_call.

The lens returns one flat word array (layout in contracts/periphery/morpho/MorphoLens.sol), decoded
here without ABI decoding. Morpho's own health rule, per market: a position is liquidatable when its
debt (``toAssetsUp`` of its borrow shares, interest accrued to the block) exceeds its borrowing power
``wMulDown(mulDivDown(collateral, price, 1e36), lltv)``; the health factor reported is
``borrowing power x 1e18 / debt`` (floored: below 1e18 exactly when Morpho would liquidate). An account
holds one position (one collateral) in a drill; an account with several gets the lowest of its factors.
USD figures use the guard's prices (the ones the markets' oracles are built from).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from defidrill.chain import ChainAPI, PreparedCall
from defidrill.errors import ChainError
from defidrill.protocol_terms.fixed_point import WAD
from defidrill.protocol.adapter import MAX_UINT, AccountView, GuardView, PoolTotals, ProtocolReads
from defidrill.protocol.morpho_blue.deploy import MorphoDeployment
from defidrill.protocol.morpho_blue.shares import PositionState
from defidrill.protocol.reference.adapter import GUARD_RULES

#: Accounts per scan call (two markets: ~15k gas an account, far under anvil's eth_call gas cap).
SCAN_CHUNK = 250
HEADER_WORDS, GUARD_WORDS, MARKET_WORDS, POSITION_WORDS = 4, 4, 7, 4  # MorphoLens constants


def _words(data: bytes) -> list[int]:
    """A returned ``uint256[]``: [offset, length, words...]."""
    n = int.from_bytes(data[32:64], "big")
    return [int.from_bytes(data[64 + 32 * i : 96 + 32 * i], "big") for i in range(n)]


@dataclass(frozen=True)
class MarketTotals:
    """One market's totals at the scan's block (interest accrued) and its oracle price."""

    price_1e36: int
    price_ok: bool
    total_supply_assets: int
    total_supply_shares: int
    total_borrow_assets: int
    total_borrow_shares: int
    collateral_held_raw: int


class MorphoReader:
    """Prepares the scan, decodes it, and keeps each account's last positions for sizing liquidations."""

    def __init__(self, chain: ChainAPI, deployment: MorphoDeployment, symbols: list[str], decimals: dict[str, int],
                 addresses: dict[str, str]) -> None:
        self.chain, self.d = chain, deployment
        self.symbols = symbols  # base first
        self.collaterals = symbols[1:]
        self.decimals = decimals
        self._assets = [addresses[s] for s in symbols]
        self._params = [deployment.params[s] for s in self.collaterals]
        self._lltv = [p[4] for p in self._params]
        self._chunks: list[list[str]] = []
        #: account (lowercase) -> collateral symbol -> its position at the last scan
        self.positions: dict[str, dict[str, PositionState]] = {}
        self.totals: dict[str, MarketTotals] = {}

    def scan_call(self, accounts: Sequence[str]) -> PreparedCall:
        d = self.d
        return self.chain.prepare(d.lens.functions.scan(d.morpho.address, d.guard.address, self._assets, self._params,
                                                        list(accounts)), _words)

    def prepare(self, accounts: Sequence[str]) -> list[PreparedCall]:
        self._chunks = [list(accounts[i : i + SCAN_CHUNK]) for i in range(0, len(accounts), SCAN_CHUNK)] or [[]]
        return [self.scan_call(c) for c in self._chunks]

    def decode(self, results: Sequence[Any]) -> ProtocolReads:
        views: list[AccountView] = []
        prices: dict[str, GuardView] = {}
        totals: dict[str, MarketTotals] = {}
        held_base = 0
        positions: dict[str, dict[str, PositionState]] = {}
        for accounts, words in zip(self._chunks, results):
            if isinstance(words, ChainError):
                raise words
            held_base, prices, totals = self._head(words)
            chunk_views, chunk_positions = self._accounts(words, accounts, prices, totals)
            views += chunk_views
            positions.update(chunk_positions)
        self.positions, self.totals = positions, totals
        borrow = sum(t.total_borrow_assets for t in totals.values())
        supply = sum(t.total_supply_assets for t in totals.values())
        return ProtocolReads(views, prices, PoolTotals(total_borrow_base=borrow, total_supply_base=supply,
                                                       cash_base=held_base, reserves_base=held_base + borrow - supply))

    def health_of(self, words: list[int], account: str) -> int:
        """The health factor (wad) of the one account a scan of ``[account]`` read."""
        _, prices, totals = self._head(words)
        [view], _ = self._accounts(words, [account], prices, totals)
        return view.health_factor_wad

    def _head(self, words: list[int]) -> tuple[int, dict[str, GuardView], dict[str, MarketTotals]]:
        n_assets = len(self.symbols)
        prices = {}
        for i, sym in enumerate(self.symbols):
            price, ok, rule, fallback = words[HEADER_WORDS + GUARD_WORDS * i : HEADER_WORDS + GUARD_WORDS * (i + 1)]
            name = GUARD_RULES[rule] if rule < len(GUARD_RULES) else str(rule)
            prices[sym] = GuardView(price, ok == 1, name, fallback == 1)
        at = HEADER_WORDS + GUARD_WORDS * n_assets
        totals = {}
        for m, sym in enumerate(self.collaterals):
            w = words[at + MARKET_WORDS * m : at + MARKET_WORDS * (m + 1)]
            totals[sym] = MarketTotals(w[0], w[1] == 1, w[2], w[3], w[4], w[5], w[6])
        return words[3], prices, totals

    def _accounts(self, words: list[int], accounts: Sequence[str], prices: dict[str, GuardView],
                  totals: dict[str, MarketTotals]) -> tuple[list[AccountView], dict[str, dict[str, PositionState]]]:
        n_markets = len(self.collaterals)
        at = HEADER_WORDS + GUARD_WORDS * len(self.symbols) + MARKET_WORDS * n_markets
        base = self.symbols[0]
        base_px, base_unit = prices[base].price_wad, 10 ** self.decimals[base]
        units = [10 ** self.decimals[s] for s in self.collaterals]
        coll_px = [prices[s].price_wad for s in self.collaterals]
        market_totals = [totals[s] for s in self.collaterals]
        views, positions = [], {}
        stride = POSITION_WORDS * n_markets
        for k, address in enumerate(accounts):
            w = words[at + k * stride : at + (k + 1) * stride]
            collateral_raw, held = {}, {}
            coll_usd = liq_usd = debt_usd = debt_total = 0
            health, ok = MAX_UINT, True
            for m, sym in enumerate(self.collaterals):
                coll, shares, debt, max_borrow = w[POSITION_WORDS * m : POSITION_WORDS * (m + 1)]
                collateral_raw[sym] = coll
                if coll == 0 and shares == 0:
                    continue
                t = market_totals[m]
                held[sym] = PositionState(coll, shares, t.total_borrow_assets, t.total_borrow_shares, t.price_1e36,
                                          self._lltv[m])
                coll_usd += coll * coll_px[m] // units[m]
                if shares:
                    debt_total += debt
                    debt_usd += debt * base_px // base_unit
                    liq_usd += max_borrow * base_px // base_unit
                    if not t.price_ok:
                        ok = False
                    elif debt:
                        health = min(health, max_borrow * WAD // debt)
            positions[address.lower()] = held
            views.append(AccountView(address=address, health_factor_wad=health if ok else MAX_UINT,
                                     collateral_value_usd_wad=coll_usd, liquidation_value_usd_wad=liq_usd,
                                     debt_base=debt_total, debt_usd_wad=debt_usd, prices_ok=ok,
                                     collateral_raw=collateral_raw))
        return views, positions
