"""Helpers for adapter authors: checked sends, the no-healthy-liquidation check, refusals of what a
protocol cannot express. Kept apart from :mod:`defidrill.protocol.adapter`, which holds the interface
and its typed records only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from defidrill.chain import Receipt
from defidrill.chain.setup_block import raise_setup_failures
from defidrill.errors import ChainError, ConfigError
from defidrill.protocol.adapter import InvariantResult, Liquidation
from defidrill.protocol_terms.fixed_point import WAD

if TYPE_CHECKING:
    from web3.contract.contract import ContractFunction

    from defidrill.chain import ChainAPI, TxRequest

__all__ = ["expect_ok", "no_healthy_liquidation", "raise_refusals", "send_expecting_no_error"]


def expect_ok(chain: ChainAPI, txs: Sequence[TxRequest], results: Sequence[object], phase: str) -> None:
    """Raise a ChainError naming the first failed transaction's label and decoded revert reason
    (a send-time error or a ``Dropped`` transaction is refused): the chain's set-up check
    (``defidrill.chain.setup_block``) over results the caller mined; ``chain.send_setup_block`` mines and
    checks in one (cheaper on anvil: no receipt for a transaction its logs show succeeded)."""
    raise_setup_failures(chain, txs, results, phase)


def send_expecting_no_error(chain: ChainAPI, fns: Sequence[ContractFunction], *, sender: str, gas: int,
                            codes: Mapping[int, str], phase: str) -> list[Receipt]:
    """Send calls to a protocol that reports failure by RETURNING an error code instead of reverting (Compound
    V2's admin setters and ``liquidateBorrow``: a rejected call succeeds, changes nothing and returns its code).
    Each call is simulated first (``eth_call`` from ``sender`` on the state the previous ones left) and sent only
    when it returns 0; otherwise a ChainError names the phase, the function, the code and its name in ``codes``.
    One transaction at a time: for setup, not for a step's batch."""
    receipts = []
    for fn in fns:
        returned = chain.call(fn, sender=sender)
        code = returned[0] if isinstance(returned, (list, tuple)) else returned
        if code != 0:
            raise ChainError(f"{phase}: {fn.fn_name} returned error code {code} "
                             f"({codes.get(int(code), 'not a code the adapter names')})")
        receipt = chain.transact(fn, sender=sender, gas=gas)
        receipts.append(receipt)
    return receipts


def no_healthy_liquidation(liquidations: Sequence[Liquidation]) -> InvariantResult:
    """Shared by every adapter: a liquidation of an account at HF >= 1 is a protocol bug."""
    healthy = list(dict.fromkeys(r.account for r in liquidations if r.health_before_wad >= WAD))
    return InvariantResult("no account liquidated while healthy", not healthy,
                           f"{len(liquidations)} liquidations checked; liquidated at HF >= 1: {healthy[:5]}",
                           tuple(healthy))


def raise_refusals(kind: str, problems: Sequence[tuple[str, str]], *, file: str | None = None) -> None:
    """For an adapter's ``check_config``: one ConfigError naming the first field (a path under ``protocol.``,
    or ``failures``) the protocol cannot express, every refusal in its message; nothing when there is none."""
    if not problems:
        return
    path, first = problems[0]
    more = "".join(f"; {p}: {why}" for p, why in problems[1:])
    raise ConfigError(f"protocol kind {kind} cannot express this: {first}{more}", file=file,
                      path=path if path == "failures" else f"protocol.{path}")
