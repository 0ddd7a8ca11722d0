"""The lines of events.jsonl as typed records: one record per kind of line, shared by writer and reader.

Every line is one JSON object with the same head, in this order::

    {"step", "t_s", "block", "tx", "agent", "event", "contract", "address", "args"[, "protocol_event"]}

``event`` says which kind of line it is:

- ``Liquidation`` (:class:`LiquidationLine`): one liquidation, whatever the protocol's event is
  called; its args are :class:`Liquidation` (the reference pool's event shape), the protocol's own
  event rides along as ``protocol_event`` when it is not named ``Liquidation`` (Aave's
  ``LiquidationCall``).
- ``BadDebtWrittenOff`` (:class:`BadDebtLine`): debt the protocol wrote off (:class:`BadDebt`).
- ``TxDropped`` (:class:`TxDroppedLine`): a transaction a congested chain never took.
- ``TxFailed`` (:class:`TxFailedLine`): a transaction that reverted, or that the node refused.
- anything else (:class:`Event`): a decoded event of a contract (a Swap, an AnswerUpdated...),
  its args as the ABI decoded them: no record of ours, so read by argument name.

The engine's ledger writes lines by building these records (``as_dict``); the run folder's
reader reads them back with :func:`parse_line`; nobody else parses a line by key. Raw amounts
stay integers (``*_raw``, ``*_base``, ``*_wad``), exactly as the chain returned them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from defidrill.protocol_terms.fixed_point import WAD

__all__ = [
    "BadDebt", "BadDebtLine", "DecodedCall", "Event", "Line", "Liquidation", "LiquidationLine", "ProtocolEvent",
    "RECORD_KINDS", "TxDroppedLine", "TxFailedLine", "parse_line",
]


# ---- what a line says (built by the protocol adapters and the ledger) ------------------------------


@dataclass(frozen=True, slots=True)
class Liquidation:
    """One liquidation, whatever the protocol's event is called (the lending adapter builds it).

    ``health_before_wad`` comes from the event when the protocol emits it, else from the step's
    scan just before the liquidation's block.
    """

    account: str
    collateral_asset: str
    repaid_base: int
    seized_raw: int
    health_before_wad: int
    liquidator: str

    @property
    def health_factor_before(self) -> float:
        return self.health_before_wad / WAD

    def as_args(self) -> dict[str, Any]:
        return {"account": self.account, "collateralAsset": self.collateral_asset, "repaidBase": self.repaid_base,
                "seizedCollateral": self.seized_raw, "healthFactorBeforeWad": self.health_before_wad,
                "liquidator": self.liquidator}

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> Liquidation:
        """``as_args``'s inverse; a run folder written before ``liquidator`` was recorded reads as ``""``."""
        return cls(account=str(args["account"]), collateral_asset=str(args["collateralAsset"]),
                   repaid_base=int(args["repaidBase"]), seized_raw=int(args["seizedCollateral"]),
                   health_before_wad=int(args["healthFactorBeforeWad"]), liquidator=str(args.get("liquidator", "")))


@dataclass(frozen=True, slots=True)
class BadDebt:
    """Debt the protocol wrote off an account (raw base units): what no collateral covers any more."""

    account: str
    amount_base: int

    def as_args(self) -> dict[str, Any]:
        return {"account": self.account, "amountBase": self.amount_base}

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> BadDebt:
        return cls(account=str(args["account"]), amount_base=int(args["amountBase"]))


@dataclass(frozen=True, slots=True)
class ProtocolEvent:
    """The protocol's own event behind a record, when its name is not the record's (Aave's ``LiquidationCall``)."""

    name: str
    args: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "args": self.args}

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> ProtocolEvent:
        return cls(name=str(obj["name"]), args=dict(obj.get("args") or {}))


@dataclass(frozen=True, slots=True)
class DecodedCall:
    """What a transaction asked for, decoded from its calldata by the chain's ABI registry."""

    function: str
    args: dict[str, Any]

    @property
    def liquidated_account(self) -> str | None:
        """The account a liquidation call names, lower-cased (our pool and flash liquidator say
        ``account``; Aave V3's ``liquidationCall`` says ``user``); None for any other call."""
        if not self.function.startswith("liquidat"):
            return None
        account = self.args.get("account") or self.args.get("user")
        return str(account).lower() if account else None

    def as_dict(self) -> dict[str, Any]:
        return {"function": self.function, "args": self.args}

    @classmethod
    def from_dict(cls, obj: dict[str, Any]) -> DecodedCall:
        return cls(function=str(obj.get("function", "")), args=dict(obj.get("args") or {}))


# ---- the lines ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Head:
    """Where a line comes from: the step, the block and transaction, the agent that sent it, the contract."""

    step: int
    t_s: float
    block: int | None
    tx: str | None
    agent: str
    contract: str | None
    address: str | None  # the emitting contract, or the transaction's recipient; lower-cased when read

    def _line(self, event: str, args: dict[str, Any], protocol_event: ProtocolEvent | None = None) -> dict[str, Any]:
        out = {"step": self.step, "t_s": self.t_s, "block": self.block, "tx": self.tx, "agent": self.agent,
               "event": event, "contract": self.contract, "address": self.address, "args": args}
        if protocol_event is not None:
            out["protocol_event"] = protocol_event.as_dict()
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(_Head):
    """A decoded event with no record of ours (a Swap, an AnswerUpdated...): read by argument name."""

    event: str
    args: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return self._line(self.event, self.args)

    def int_arg(self, name: str) -> int:
        """A raw integer argument (the writer keeps integers raw; a decimal string is accepted)."""
        return int(self.args[name])

    def address_arg(self, name: str) -> str:
        return str(self.args[name]).lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class LiquidationLine(_Head):
    """``account_source``: where the liquidated account's position came from (borrowers.csv's ``source``):
    ``seeded`` (drawn by the drill), ``file`` (a positions file), ``forked`` (the forked protocol's own
    book). Written as the args' ``accountSource`` only when it is not ``seeded``, so run folders of drawn
    populations are what they were; read back as ``seeded`` when absent."""

    event: ClassVar[str] = "Liquidation"
    liquidation: Liquidation
    protocol_event: ProtocolEvent | None = None
    account_source: str = "seeded"

    def as_dict(self) -> dict[str, Any]:
        args = self.liquidation.as_args()
        if self.account_source != "seeded":
            args["accountSource"] = self.account_source
        return self._line(self.event, args, self.protocol_event)


@dataclass(frozen=True, slots=True, kw_only=True)
class BadDebtLine(_Head):
    event: ClassVar[str] = "BadDebtWrittenOff"
    bad_debt: BadDebt
    protocol_event: ProtocolEvent | None = None

    def as_dict(self) -> dict[str, Any]:
        return self._line(self.event, self.bad_debt.as_args(), self.protocol_event)


@dataclass(frozen=True, slots=True, kw_only=True)
class TxDroppedLine(_Head):
    """A transaction that never landed: ``reason`` ``fee_cap_below_base_fee`` (the node refused it) or
    ``block_full``; ``call``: its decoded calldata (None when the ABI registry does not know it)."""

    event: ClassVar[str] = "TxDropped"
    label: str
    reason: str
    call: DecodedCall | None

    def as_dict(self) -> dict[str, Any]:
        return self._line(self.event, {"label": self.label, "reason": self.reason,
                                       "call": self.call.as_dict() if self.call is not None else None})


@dataclass(frozen=True, slots=True, kw_only=True)
class TxFailedLine(_Head):
    """A transaction that reverted (``revert``: the decoded error's name, ``revert_args`` its arguments), or
    one the node refused at send time (``revert``: the error's text, no block, no gas)."""

    event: ClassVar[str] = "TxFailed"
    label: str
    revert: str | None
    revert_args: dict[str, Any]
    gas_used: int
    fee_wei: int

    def as_dict(self) -> dict[str, Any]:
        return self._line(self.event, {"label": self.label, "revert": self.revert, "revert_args": self.revert_args,
                                       "gas_used": self.gas_used, "fee_wei": self.fee_wei})


#: Any line of events.jsonl.
Line = Event | LiquidationLine | BadDebtLine | TxDroppedLine | TxFailedLine

#: The ``event`` names that are records of ours (never read as an untyped :class:`Event`).
RECORD_KINDS: Final = frozenset(k.event for k in (LiquidationLine, BadDebtLine, TxDroppedLine, TxFailedLine))


def parse_line(obj: dict[str, Any]) -> Line:
    """One events.jsonl object as its record (address lower-cased). A missing or mistyped field raises
    KeyError, TypeError or ValueError (the reader names the file and line)."""
    head: dict[str, Any] = {
        "step": int(obj["step"]), "t_s": float(obj["t_s"]),
        "block": int(obj["block"]) if obj.get("block") is not None else None, "tx": obj.get("tx"),
        "agent": str(obj.get("agent") or ""), "contract": obj.get("contract"),
        "address": str(obj["address"]).lower() if obj.get("address") else None,
    }
    event = str(obj["event"])
    args = dict(obj.get("args") or {})
    protocol_event = ProtocolEvent.from_dict(obj["protocol_event"]) if obj.get("protocol_event") else None
    if event == LiquidationLine.event:
        return LiquidationLine(**head, liquidation=Liquidation.from_args(args), protocol_event=protocol_event,
                               account_source=str(args.get("accountSource", "seeded")))
    if event == BadDebtLine.event:
        return BadDebtLine(**head, bad_debt=BadDebt.from_args(args), protocol_event=protocol_event)
    if event == TxDroppedLine.event:
        call = args.get("call")
        return TxDroppedLine(**head, label=str(args.get("label") or ""), reason=str(args["reason"]),
                             call=DecodedCall.from_dict(call) if isinstance(call, dict) else None)
    if event == TxFailedLine.event:
        return TxFailedLine(**head, label=str(args.get("label") or ""), revert=args.get("revert"),
                            revert_args=dict(args.get("revert_args") or {}), gas_used=int(args.get("gas_used") or 0),
                            fee_wei=int(args.get("fee_wei") or 0))
    return Event(**head, event=event, args=args)
