"""Plain records the chain layer hands upward."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal
from collections.abc import Callable, Mapping, Sequence

from web3.contract import Contract

if TYPE_CHECKING:
    from defidrill.chain.calldata import FunctionEncoder


@dataclass(frozen=True)
class Deployed:
    """A contract on chain: its name in the artifacts, address, ABI and a bound web3 contract."""

    name: str
    address: str
    abi: list[dict[str, Any]]
    contract: Contract = field(repr=False, compare=False)
    _encoders: dict[str, FunctionEncoder] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def functions(self) -> Any:
        return self.contract.functions

    def encoder(self, name: str) -> FunctionEncoder:
        """Function ``name`` (or ``name(types)``) encoded without web3's ContractFunction, derived once per
        contract: ``chain.tx(pool.encoder("borrow").prepare(amount), ...)`` is ``chain.tx(pool.functions.borrow(
        amount), ...)`` with the same calldata, ~10x cheaper to build (seeding builds 20,000)."""
        found = self._encoders.get(name)
        if found is None:
            from defidrill.chain.calldata import function_encoder  # calldata builds PreparedCall from here

            found = self._encoders[name] = function_encoder(self.address, self.abi, name, self.contract.functions)
        return found


#: What an agent sends a transaction for (the engine's agents set it; the ledger and loop read it).
IntentKind = Literal["liquidate", "arbitrage", "oracle_transmit", "sell_seized", "withdraw_liquidity",
                     "borrower_reaction", "attack", "twap_update"]


@dataclass(frozen=True)
class TxIntent:
    """Why a transaction is sent, as data: the ledger and the step loop read this, never the label
    (labels are for people and may change wording)."""

    kind: IntentKind
    size_usd: float | None = None    # the USD size the agent meant (an arbitrage swap's input)
    expect_revert: bool = False      # the drill expects it to revert (a transmit outside the feed's bounds)


@dataclass(frozen=True)
class TxRequest:
    """One transaction to send: from an unlocked or impersonated address."""

    sender: str
    to: str | None
    data: str
    value_wei: int = 0
    gas: int | None = None
    gas_price_wei: int | None = None
    label: str = ""
    agent: str = ""
    priority_fee_wei: int | None = None  # EIP-1559 tip: the node orders a block's transactions by it
    intent: TxIntent | None = None       # what it is for (None: setup and anything no total counts)
    max_fee_wei: int | None = None  # EIP-1559 fee cap (base fee + tip); None = MAX_FEE_CAP_WEI above the tip

    #: Fee cap sent with a tip: high enough that a rising base fee never strands the tx.
    MAX_FEE_CAP_WEI = 10**13

    def to_rpc(self) -> dict[str, Any]:
        tx: dict[str, Any] = {"from": self.sender, "data": self.data, "value": hex(self.value_wei)}
        if self.to is not None:
            tx["to"] = self.to
        if self.gas is not None:
            tx["gas"] = hex(self.gas)
        if self.priority_fee_wei is not None:
            cap = self.max_fee_wei if self.max_fee_wei is not None else self.priority_fee_wei + self.MAX_FEE_CAP_WEI
            tx["maxPriorityFeePerGas"] = hex(min(self.priority_fee_wei, cap))
            tx["maxFeePerGas"] = hex(cap)
        elif self.gas_price_wei is not None:
            tx["gasPrice"] = hex(self.gas_price_wei)
        return tx


def tie_broken(txs: Sequence[TxRequest]) -> list[TxRequest]:
    """Batch order among equal bids, on both backends: each tip gets (batch length - position) wei on
    top of its own, so a node that orders by tip keeps the batch's order where tips are equal."""
    n = len(txs)
    return [replace(tx, priority_fee_wei=(tx.priority_fee_wei or 0) + (n - i)) for i, tx in enumerate(txs)]


@dataclass(frozen=True)
class Dropped:
    """A transaction that did not land in its block and was taken out of the pool.

    ``reason``: ``FEE_CAP`` (the node refused it at send time: its fee cap is under the base
    fee, so ``tx_hash`` is None) or ``NO_ROOM`` (accepted, but the block filled up with
    better-paying transactions before its turn).
    """

    tx_hash: str | None
    reason: str

    FEE_CAP = "fee_cap_below_base_fee"
    NO_ROOM = "block_full"


@dataclass(frozen=True)
class Receipt:
    """A mined transaction; ``events`` are the logs decoded against every compiled ABI."""

    tx_hash: str
    status: int
    block_number: int
    tx_index: int
    gas_used: int
    effective_gas_price_wei: int
    sender: str
    to: str | None
    contract_address: str | None
    logs: list[dict[str, Any]] = field(repr=False)
    events: list[dict[str, Any]] = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 1

    @property
    def fee_wei(self) -> int:
        return self.gas_used * self.effective_gas_price_wei

    def events_named(self, name: str, address: str | None = None) -> list[dict[str, Any]]:
        return [
            e["args"]
            for e in self.events
            if e["event"] == name and (address is None or e["address"].lower() == address.lower())
        ]


@dataclass(frozen=True)
class PreparedCall:
    """An eth_call encoded once (``Chain.prepare``): target, calldata and the ABI outputs to decode."""

    fn_name: str
    to: str
    data: str
    outputs: Sequence[Mapping[str, Any]] = field(repr=False)
    #: A hand-written decoder for hot return types (raw return bytes -> value); None = ABI decoding.
    decoder: Callable[[bytes], Any] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class BlockInfo:
    """A mined block's header fields a drill reads (the clock and the fee market)."""

    number: int
    timestamp: int
    base_fee_wei: int
    gas_limit: int
    gas_used: int
