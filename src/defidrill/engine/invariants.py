"""The invariants a drill checks on chain, and the shape of the user's own.

Built in: the lending protocol's accounting checks from its adapter
(``LendingAdapter.invariants``: for the reference pool, cash + borrows = supply + reserves
within index rounding, collateral held = the sum of deposits, no liquidation of an account at
HF >= 1) and one the engine adds over the market it deployed: token supply changes only by
mint/burn (Σ Transfer from the zero address − Σ Transfer to it = ``totalSupply``, for every
token), kept incrementally so a check reads only the blocks since the previous one.

A user's invariant is a function ``check(chain, step) -> Broken | None`` over the chain and
the :class:`StepCheck` just recorded; it returns ``None`` when it holds and :class:`Broken`
(what is wrong, and which accounts) when it does not. Its name in summary.json is its
``module:function``. The monitor that runs all of them is :mod:`defidrill.engine.invariant_monitor`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils.crypto import keccak

from defidrill.chain import ChainAPI, Deployed
from defidrill.errors import ChainError
from defidrill.protocol.adapter import AccountView, InvariantResult, LiquidationRecord, PoolTotals

ZERO_TOPIC = "0x" + "00" * 32
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
TOKEN_SUPPLY = "token supply changes only by mint/burn"


@dataclass(frozen=True)
class Broken:
    """What a user's invariant returns when it does not hold: why, and the accounts that break it."""

    detail: str
    accounts: Sequence[str] = ()


@dataclass(frozen=True)
class StepCheck:
    """The step an invariant checks, as the step loop just recorded it.

    ``accounts``: every borrower as the protocol saw it in this step's scan (health factor,
    collateral and debt, before the keepers' block); ``row``: the steps.csv row;
    ``liquidations``: every liquidation since the previous check; ``contracts``: the drill's
    contracts by their contracts.json names (``LENDING_POOL``, ``WBTC``, ``FEED_WETH_USD``...).
    """

    step: int
    t_s: float
    timestamp: int
    block: int
    reference_usd: dict[str, float]
    accounts: list[AccountView]
    totals: PoolTotals
    row: dict[str, Any]
    liquidations: list[LiquidationRecord]
    contracts: dict[str, Deployed] = field(repr=False)


UserCheckFn = Callable[[ChainAPI, StepCheck], "Broken | None"]


@dataclass(frozen=True)
class UserInvariant:
    """A user's invariant and the name summary.json gives it (``module:function``)."""

    name: str
    fn: UserCheckFn

    @classmethod
    def of(cls, fn: UserCheckFn, name: str | None = None) -> UserInvariant:
        return cls(name or f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', repr(fn))}", fn)


class TokenSupply:
    """Token supply changes only by mint/burn, kept as running sums of the Transfer logs read so far."""

    def __init__(self, tokens: dict[str, Deployed]) -> None:
        self.tokens = tokens
        self.minted_raw = {sym: 0 for sym in tokens}
        self.burned_raw = {sym: 0 for sym in tokens}
        self.start_raw = {sym: 0 for sym in tokens}  # supply before the first block read (``from_now``)
        self.next_block = 0
        self._symbol = {t.address.lower(): sym for sym, t in tokens.items()}

    @classmethod
    def from_now(cls, chain: ChainAPI, tokens: dict[str, Deployed]) -> TokenSupply:
        """Start from each token's supply at the latest block, reading Transfer logs only after it: a
        forked token was minted over years of history the fork would fetch from its node log by log
        (defidrill never mints a forked token: it deals or moves a whale's balance)."""
        supply = cls(tokens)
        latest = chain.block_number()
        for (sym, _token), total in zip(tokens.items(), chain.call_many([t.functions.totalSupply() for t in tokens.values()],
                                                                       block=latest)):
            if isinstance(total, ChainError):
                raise total
            supply.start_raw[sym] = int(total)
        supply.next_block = latest + 1
        return supply

    def check(self, chain: ChainAPI) -> InvariantResult:
        latest = chain.block_number()
        if latest >= self.next_block:
            logs = chain.raw_logs(self.next_block, latest, address=[t.address for t in self.tokens.values()],
                                  topics=[TRANSFER_TOPIC])
            for log in logs:
                sym = self._symbol[log["address"].lower()]
                if log["topics"][1] == ZERO_TOPIC:
                    self.minted_raw[sym] += int(log["data"], 16)
                if log["topics"][2] == ZERO_TOPIC:
                    self.burned_raw[sym] += int(log["data"], 16)
            self.next_block = latest + 1
        supplies = chain.call_many([t.functions.totalSupply() for t in self.tokens.values()], block=latest)
        parts, broken = [], []
        for (sym, token), supply in zip(self.tokens.items(), supplies):
            if isinstance(supply, ChainError):
                raise supply
            if supply != self.start_raw[sym] + self.minted_raw[sym] - self.burned_raw[sym]:
                broken.append(token.address)
            start = f"at start {self.start_raw[sym]} + " if self.start_raw[sym] else ""
            parts.append(f"{sym}: supply {supply}, {start}minted {self.minted_raw[sym]} - burned {self.burned_raw[sym]}")
        return InvariantResult(TOKEN_SUPPLY, not broken, "; ".join(parts), tuple(broken))


def liquidations_in(lines: Sequence[dict[str, Any]]) -> list[LiquidationRecord]:
    """The liquidations among a step's events.jsonl lines (the ledger writes each as ``Liquidation``)."""
    return [LiquidationRecord.from_args(line["args"]) for line in lines if line.get("event") == "Liquidation"]
