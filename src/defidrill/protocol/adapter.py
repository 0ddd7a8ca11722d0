"""The lending adapter: the only way the drill engine reaches a lending protocol.

The engine (``defidrill.engine``) deploys the market around a protocol itself (tokens,
Chainlink-style feeds, the sequencer uptime feed, the AMM: ``defidrill.protocol.market``)
and hands it to an adapter, which deploys or attaches the lending protocol on top and
answers, in the protocol's own terms translated to ours:

- ``markets()``: the base (borrowed) asset, each collateral with its decimals and risk
  parameters as the protocol states them, and its close factor rule;
- ``open_positions(...)``: seed the drill's borrower population (collateral deposited for
  each account, then each account borrows);
- ``prepare_reads`` / ``decode_reads``: ONE batched read per step of every account's
  health, collateral and debt, the price the protocol uses for each asset, and its totals;
- ``quote_liquidation`` (optional): how much a keeper may repay for an account and a collateral, and
  what that seizes, before it sends (default: what the close factor allows; a protocol that reverts
  on a repay seizing more than the account holds sizes it here);
- ``liquidation_call`` / ``flash_liquidation_call``: the keeper's transaction, direct and
  through a flash swap on the market's AMM pair where the protocol allows;
- ``top_up_calls`` / ``repay_calls``: reactive borrowers defending a position;
- ``price_sources()``: the feed addresses the protocol reads (so drills can drive and break them);
- ``decode_liquidation`` / ``decode_bad_debt``: the protocol's events as the run folder's records
  (:class:`~defidrill.run_folder.records.Liquidation`, :class:`~defidrill.run_folder.records.BadDebt`:
  the ledger writes them as events.jsonl's ``Liquidation`` / ``BadDebtWrittenOff`` lines);
- ``invariants(...)``: the protocol's accounting checks after a drill;
- ``discover_borrowers`` (optional, fork mode): the protocol's existing borrowers, for
  ``borrowers: {from: protocol}`` (``adopt_accounts``: what an adapter with a baseline adds for them).

Amounts are raw token units (``*_raw``, ``*_base`` for the base asset), values in USD wad
(``*_usd_wad``), health factors in wad (1e18 = 1.0). docs/adapters.md walks through writing one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from defidrill.errors import ConfigError
from defidrill.protocol_terms.fixed_point import BPS, WAD, mul_div_up
# The run folder's records of a liquidation and a write-off, re-exported: what adapters build.
from defidrill.run_folder.records import BadDebt as BadDebt
from defidrill.run_folder.records import Liquidation as Liquidation

if TYPE_CHECKING:
    from defidrill.protocol.bounded_reads import BoundedReads
    from web3.contract.contract import ContractFunction

    from defidrill.chain import ChainAPI, Deployed, PreparedCall
    from defidrill.protocol_terms.parameters import ProtocolSpec
    from defidrill.protocol.log_scan import LogScan
    from defidrill.protocol.market import Market

MAX_UINT = 2**256 - 1


@dataclass(frozen=True)
class AssetInfo:
    symbol: str
    address: str
    decimals: int


@dataclass(frozen=True)
class CollateralInfo:
    """A collateral's risk parameters as the protocol states them (basis points)."""

    asset: AssetInfo
    ltv_bps: int
    liquidation_threshold_bps: int
    liquidation_bonus_bps: int  # 500 = the seizure is worth 105% of the repaid value
    #: The share of each seizure the protocol keeps (Compound V2's protocolSeizeShareMantissa, 2.8% = 280):
    #: the liquidator receives the seizure less it. 0: the liquidator receives all of it.
    seize_share_bps: int = 0
    #: The protocol's own incentive factor (wad) when it is not a whole number of bps: Morpho Blue derives
    #: it from the LLTV (1043841336116910229 at 86%); None: 1 + ``liquidation_bonus_bps``.
    incentive_wad: int | None = None

    @property
    def liquidator_incentive_wad(self) -> int:
        """What the liquidator receives per unit of value repaid, net of the protocol's share (wad, rounded
        down): (1 + bonus) x (1 - seize share); 1.08 and 2.8% -> 1.04976e18. Keepers size and value their
        liquidations with it, and the run folder states it for the independent model check."""
        if self.incentive_wad is not None:
            return self.incentive_wad * (BPS - self.seize_share_bps) // BPS
        return (BPS + self.liquidation_bonus_bps) * (BPS - self.seize_share_bps) * WAD // (BPS * BPS)


@dataclass(frozen=True)
class CloseFactorRule:
    """How much of a debt one liquidation may repay: ``default_bps``, all of it at HF <= the threshold."""

    default_bps: int
    full_close_below_hf_wad: int

    def repay_cap_base(self, debt_base: int, health_factor_wad: int) -> int:
        """The largest repay allowed (rounded up, as keepers ask the full share)."""
        if health_factor_wad <= self.full_close_below_hf_wad:
            return debt_base
        return mul_div_up(debt_base, self.default_bps, BPS)


@dataclass(frozen=True)
class LendingMarkets:
    protocol: str  # the adapter's kind: "reference", "aave-v3", ...
    base: AssetInfo
    collaterals: dict[str, CollateralInfo]
    close_factor: CloseFactorRule
    #: Parameters the protocol fixes whatever the drill says (reported in summary.json), e.g.
    #: {"close_factor": "50%, 100% at HF <= 0.95 (Aave V3 CLOSE_FACTOR_HF_THRESHOLD)"}.
    fixed_by_protocol: dict[str, str]

    def asset(self, symbol: str) -> AssetInfo:
        if symbol == self.base.symbol:
            return self.base
        return self.collaterals[symbol].asset

    def symbol_of(self, address: str) -> str | None:
        address = address.lower()
        for info in [self.base, *(c.asset for c in self.collaterals.values())]:
            if info.address.lower() == address:
                return info.symbol
        return None


@dataclass(frozen=True)
class AccountView:
    """One account as the protocol sees it in a step's scan."""

    address: str
    health_factor_wad: int  # >= MAX_UINT // 2 without debt
    collateral_value_usd_wad: int
    liquidation_value_usd_wad: int  # collateral value x liquidation threshold
    debt_base: int
    debt_usd_wad: int
    prices_ok: bool  # False when a price the account needs is unavailable (a liquidation would revert)
    collateral_raw: dict[str, int]  # symbol -> raw units

    @property
    def health_factor(self) -> float:
        return float("inf") if self.health_factor_wad >= MAX_UINT // 2 else self.health_factor_wad / WAD


@dataclass(frozen=True)
class GuardView:
    """The price the protocol uses for an asset this step (its oracle guard, or its price oracle)."""

    price_wad: int  # USD per whole token, wad
    ok: bool
    rule: str  # why (the guard's rule name, "OK" when the price is usable)
    used_fallback: bool


@dataclass(frozen=True)
class PoolTotals:
    """The protocol's base-asset totals (raw base units)."""

    total_borrow_base: int
    total_supply_base: int
    cash_base: int
    reserves_base: int


@dataclass(frozen=True)
class ProtocolReads:
    #: Every account read, in the order asked: a list of ``AccountView`` (the simple form, any adapter), or
    #: ``AccountColumns`` (protocol/account_columns.py: arrays per field, what the reference pool decodes to);
    #: the engine turns a list into columns itself.
    accounts: Sequence[AccountView]
    prices: dict[str, GuardView]
    totals: PoolTotals
    #: Liquidations are allowed now of accounts whose health factor is below this (wad): 1.0 normally;
    #: 0.95 while Aave's PriceOracleSentinel holds liquidations (sequencer down or in its grace period).
    liquidatable_below_hf_wad: int = WAD


@dataclass(frozen=True)
class SeedPosition:
    """A borrower the drill opens: collateral deposited for ``account``, then ``account`` borrows."""

    account: str
    collateral_symbol: str
    collateral_raw: int
    debt_base: int
    label: str  # for error messages: "borrower:17"


@dataclass(frozen=True)
class InvariantResult:
    """One check of one invariant; ``accounts``: the addresses that break it (accounts, tokens, the pool)."""

    name: str
    ok: bool
    detail: str
    accounts: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.ok, "detail": self.detail, "accounts": list(self.accounts)}


@dataclass(frozen=True)
class LiquidationQuote:
    """What a liquidation will do, as the protocol computes it, before the keeper sends it.

    ``repay_base`` is what the keeper passes to ``liquidation_call`` (and repays); ``seized_raw`` the
    collateral the liquidator receives for it, net of any share the protocol keeps, or None where the
    adapter does not say (the keeper then estimates it from the prices and the stated bonus).
    """

    repay_base: int
    seized_raw: int | None = None


@dataclass(frozen=True)
class ForkedProtocol:
    """A protocol already deployed on the chain (a fork), as ``LendingAdapter.discover`` finds it:
    the drill's assets matched to the protocol's own tokens, the feeds it reads (taken over by the
    engine), its sequencer uptime feed if it has one, and the adapter's own handle for ``attach``."""

    address: str
    tokens: dict[str, str]          # drill symbol -> the protocol's token
    price_sources: dict[str, str]   # drill symbol -> the AggregatorV3 the protocol reads
    sequencer_feed: str | None
    handle: Any = None              # the adapter's discovery result, opaque to the engine
    #: What the forked protocol stated before the drill's parameters were applied (reported).
    forked_params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FoundBorrowers:
    """What ``discover_borrowers`` found: candidate accounts (first borrow first, each once) and how.

    Candidates only: the engine reads each one and keeps those that owe the base now (``min_debt_usd``,
    ``max_accounts``), so an account that borrowed and repaid costs one read, never a position."""

    accounts: tuple[str, ...]
    method: str  # for summary.json: "Borrow events of the Pool 0x.. (USDC reserve)"
    scan: LogScan | None = None  # the log scan (range, requests, splits, time), when logs were read


class LendingAdapter(ABC):
    """A lending protocol as the engine sees it. Subclasses register a ``kind`` (see ``registry``)."""

    kind: ClassVar[str]

    @classmethod
    def attaches(cls) -> bool:
        """Whether this adapter implements fork mode (its own ``discover`` and ``attach``)."""
        own = [c for c in cls.__mro__ if c is not LendingAdapter]
        return any("discover" in vars(c) for c in own) and any("attach" in vars(c) for c in own)

    @classmethod
    def discover(cls, chain: ChainAPI, address: str, symbols: Sequence[str]) -> ForkedProtocol:
        """Fork mode: find the protocol deployed at ``address`` and match ``symbols`` (base first) to its
        tokens and price feeds, changing nothing the drill reads yet. Raise ConfigError naming
        ``protocol.address`` when it is not what this adapter attaches to. Default: cannot attach."""
        raise cls._cannot_attach(address)

    @classmethod
    def attach(cls, chain: ChainAPI, market: Market, config: ProtocolSpec, found: ForkedProtocol) -> LendingAdapter:
        """Fork mode: take the protocol ``discover`` found over ``market`` (its tokens, its feeds taken
        over, our AMM beside them), apply the config's risk parameters and supply the lender's base,
        as ``deploy`` does on a fresh chain. Default: cannot attach (the preflight refuses such a drill first)."""
        raise cls._cannot_attach(found.address)

    @classmethod
    def discovers_borrowers(cls) -> bool:
        """Whether this adapter finds a forked protocol's borrowers itself (``borrowers: {from: protocol}``
        without ``accounts``): it overrides ``discover_borrowers``."""
        return any("discover_borrowers" in vars(c) for c in cls.__mro__ if c is not LendingAdapter)

    def discover_borrowers(self, chain: ChainAPI, from_block: int, to_block: int) -> FoundBorrowers:
        """Fork mode, ``borrowers: {from: protocol}``: the accounts that may owe the base asset, from what the
        protocol recorded between the two blocks (its borrow events: ``protocol.log_scan.scan_logs`` walks
        them within the node's limits). Called after ``attach``. Default: this adapter cannot find them,
        so the drill must list them (``borrowers.accounts`` or ``accounts_csv``)."""
        raise ConfigError(f"protocol kind {self.kind} cannot find a forked protocol's borrowers itself",
                          path="borrowers.from", value="protocol",
                          allowed="borrowers.accounts: [0x...] or borrowers.accounts_csv, or an adapter implementing "
                                  "discover_borrowers() (docs/adapters.md)")

    def adopt_accounts(self, chain: ChainAPI, accounts: Sequence[str]) -> None:  # noqa: B027 (a no-op hook)
        """The forked book: ``accounts`` hold positions the drill did not open and will scan and liquidate.
        An adapter whose fork-mode invariants compare against a baseline read at ``attach`` adds these
        accounts' state to it here (before the first step). Default: nothing to add."""

    @classmethod
    def _cannot_attach(cls, address: str) -> ConfigError:
        return ConfigError(f"protocol kind {cls.kind} cannot attach to a deployed protocol", path="protocol.address",
                           value=address, allowed="an adapter implementing discover() and attach() (docs/adapters.md)")

    @classmethod
    @abstractmethod
    def deploy(cls, chain: ChainAPI, market: Market, config: ProtocolSpec) -> LendingAdapter:
        """Deploy (or attach to) the protocol over ``market``, list the collaterals with the
        config's risk parameters, and supply ``config.lender_supply_usd`` of base to lend."""

    @classmethod
    def error_codes(cls) -> dict[str, dict[int, str]]:
        """Names of the protocol's numeric error codes, for protocols that report failure by a number (Compound
        V2's ``Failure(uint error, uint info, uint detail)`` event and return values): ``{"Failure.error":
        {3: "COMPTROLLER_REJECTION", ...}}``, keyed ``"<event or custom error>.<argument>"``. The engine adds them
        to the chain's decoder before deploying, so events.jsonl and decoded reverts carry ``errorName``
        beside ``error``. Default: none."""
        return {}

    @classmethod  # noqa: B027 (a hook whose default accepts everything, not an abstract method)
    def check_config(cls, config: ProtocolSpec, *, file: str | None = None) -> None:
        """Raise ConfigError (naming the drill field) for what this protocol cannot express; the preflight
        (``validate`` and ``run``) calls it before anvil starts. Default: everything is expressible."""

    @abstractmethod
    def markets(self) -> LendingMarkets: ...

    @abstractmethod
    def open_positions(self, chain: ChainAPI, funder: str, positions: Sequence[SeedPosition]) -> None:
        """Open every position (the funder holds and has minted the collateral). Positions may
        start below the protocol's LTV (a health factor of 1.02 under a 78% threshold): the
        adapter lifts the LTV while seeding and restores it before returning. Afterwards the
        funder may deposit and repay on behalf of any account (``top_up_calls``/``repay_calls``)
        without further approvals. Raises ChainError naming the failing call and its reason."""

    @abstractmethod
    def prepare_reads(self, chain: ChainAPI, accounts: Sequence[str]) -> list[PreparedCall]:
        """The calls of one step's read (sent inside the engine's single batch)."""

    @abstractmethod
    def decode_reads(self, results: Sequence[Any]) -> ProtocolReads:
        """Decode the results of ``prepare_reads``'s calls, in order."""

    def bounded_reads(self) -> BoundedReads | None:
        """The step read split in market and accounts, for reading health only where it can have changed
        (protocol/bounded_reads.py states the form of health factor it needs). Default None: every
        account is read every step."""
        return None

    @property
    @abstractmethod
    def spender(self) -> str:
        """The address keepers and borrowers approve to pull tokens (the pool)."""

    def quote_liquidation(self, account: AccountView, collateral_symbol: str, repay_base: int,
                          prices: Mapping[str, GuardView]) -> LiquidationQuote | None:
        """Size a liquidation of ``account`` (as the keeper's scan saw it, with that scan's ``prices``) for
        its ``collateral_symbol``: the keeper asks up to ``repay_base`` (the close factor's cap, its budget,
        its flash capacity) and sends the quote's ``repay_base``; None: nothing this protocol would accept.

        Default: ``repay_base`` as asked (protocols that cap the repay to the collateral held, as Aave
        and the reference pool do). Override where the protocol reverts instead, so keepers send a
        sized transaction rather than one that fails every step (docs/adapters.md)."""
        return LiquidationQuote(repay_base)

    @abstractmethod
    def liquidation_call(self, account: str, collateral_symbol: str, repay_base: int) -> ContractFunction:
        """Repay up to ``repay_base`` of ``account``'s debt for its ``collateral_symbol`` (sender pays)."""

    def flash_liquidation_call(self, pair: str, account: str, collateral_symbol: str, repay_base: int,
                               min_profit_base: int) -> ContractFunction | None:
        """The same through a flash swap on ``pair`` (a Uniswap V2 collateral/base pair), selling the
        seizure in the same transaction; None where the protocol has no such path."""
        return None

    @abstractmethod
    def top_up_calls(self, funder: str, account: str, collateral_symbol: str, amount_raw: int) -> list[ContractFunction]:
        """Deposit ``amount_raw`` of collateral from ``funder`` for ``account``."""

    @abstractmethod
    def repay_calls(self, funder: str, account: str, amount_base: int) -> list[ContractFunction]:
        """Repay ``amount_base`` of ``account``'s debt from ``funder``."""

    @abstractmethod
    def price_sources(self) -> dict[str, str]:
        """Symbol -> address of the feed the protocol reads for it."""

    @abstractmethod
    def decode_liquidation(self, event: dict[str, Any], health_before_wad: int | None) -> Liquidation | None:
        """A decoded event (``{"event", "address", "args", ...}``) as a liquidation, or None."""

    def decode_bad_debt(self, event: dict[str, Any]) -> BadDebt | None:
        """The debt this event wrote off (account, base raw units), or None (protocols without write-offs)."""
        return None

    @abstractmethod
    def invariants(self, chain: ChainAPI, accounts: Sequence[str],
                   liquidations: Sequence[Liquidation]) -> list[InvariantResult]:
        """The protocol's accounting checks after a drill (token supply is checked by the engine)."""

    @abstractmethod
    def named_contracts(self) -> dict[str, Deployed]:
        """Contracts to publish in contracts.json and `chain up` (stable names)."""
