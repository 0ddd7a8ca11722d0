"""The optional read hook for reading an account's health only where it can have changed.

An adapter whose protocol values every account as

    HF = sum_i(collateral_raw_i x price_i x LT_i) / (principal x debt_index x price_debt)

(amounts fixed between the account's own transactions, the liquidation thresholds fixed, rounding
of at most a few units per term: the reference pool, genuine Aave V3) can split its step read in
two through :class:`BoundedReads`: the market (the prices it uses, its totals, the debt index) every
step, and the accounts only for the rows the engine asks for. From an account's last exact read
and the price and index moves since, the engine bounds its health factor from below
(``engine/health_bound.py``) and re-reads only the accounts whose bound falls near a line anyone
compares with. An adapter without the hook (``LendingAdapter.bounded_reads`` returns None, the
default: external protocols, Morpho Blue) keeps the full read of every account every step.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from defidrill.protocol_terms.fixed_point import WAD

if TYPE_CHECKING:
    from defidrill.chain import ChainAPI, PreparedCall
    from defidrill.protocol.account_columns import AccountColumns
    from defidrill.protocol.adapter import GuardView, PoolTotals


@dataclass(frozen=True)
class MarketReads:
    """One step's read without the accounts: what ``ProtocolReads`` holds besides them, and the debt index."""

    prices: dict[str, GuardView]  # every collateral and the base: the price the protocol values with now
    totals: PoolTotals
    #: The index debts grow by, as of the read's block (debt = principal x index, rounded up; any scale:
    #: only ratios between two reads are used). Accounts' debts may not grow faster than it.
    debt_index: int
    liquidatable_below_hf_wad: int = WAD


class BoundedReads(ABC):
    """The step read in two parts (market, then chosen accounts), for an adapter whose health factor has the
    form in the module docstring. ``decode_accounts`` of every account must give exactly the columns
    ``decode_reads`` gives (the engine switches between them from step to step)."""

    @abstractmethod
    def market_calls(self, chain: ChainAPI) -> list[PreparedCall]:
        """The calls of the market part (prices, totals, the debt index), encoded once."""

    @abstractmethod
    def decode_market(self, results: Sequence[Any]) -> MarketReads: ...

    @abstractmethod
    def account_calls(self, chain: ChainAPI, accounts: Sequence[str]) -> list[PreparedCall]:
        """The calls reading ``accounts`` (any subset of the drill's accounts, in the order given)."""

    @abstractmethod
    def decode_accounts(self, results: Sequence[Any], accounts: Sequence[str]) -> AccountColumns:
        """Columns of ``accounts`` (the list ``account_calls`` was given) from those calls' results."""

    def invalidates_all(self, event: dict[str, Any]) -> bool:
        """True for a decoded event after which no earlier read can be carried forward (a risk parameter
        or the price source changed): the engine reads every account every step from then on. Events
        naming an account (deposits, borrows, repays, liquidations) need nothing here: the engine re-reads
        every account an event or a transaction names. Default: no event does."""
        return False
