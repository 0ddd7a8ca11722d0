"""Set-up transactions that must all succeed (deployment wiring, seeding): the one check of their results.

``ChainAPI.send_setup_block`` mines them and calls ``raise_setup_failures``; the protocol layer's
``expect_ok`` (adapter authors' helper) is this same check over results they mined themselves.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from defidrill.chain.types import Receipt, TxRequest
from defidrill.errors import ChainError

if TYPE_CHECKING:
    from defidrill.chain.api import ChainAPI


def raise_setup_failures(chain: ChainAPI, txs: Sequence[TxRequest], results: Sequence[object], phase: str) -> None:
    """Raise a ChainError naming the first failed transaction's label and decoded revert reason
    (a send-time error or a ``Dropped`` transaction is refused)."""
    for tx, result in zip(txs, results):
        if not isinstance(result, Receipt):
            raise ChainError(f"{phase}: {tx.label or tx.to} was refused: {result}")
    failed = [(tx, r) for tx, r in zip(txs, results) if isinstance(r, Receipt) and not r.ok]
    if failed:
        tx, receipt = failed[0]
        [reason] = chain.revert_reasons([receipt.tx_hash])
        what = tx.label or f"call to {tx.to}"
        raise ChainError(f"{phase}: {len(failed)} transaction(s) reverted; first: {what} "
                         f"(tx {receipt.tx_hash}): {reason_text(reason)}")


def reason_text(reason: Any) -> str:
    """A decoded revert as a message fragment: ``Name(arg: value, ...)``, its text, or "no revert reason"."""
    if reason is None:
        return "no revert reason"
    name = getattr(reason, "name", None)
    if name:
        args = getattr(reason, "args", {}) or {}
        return f"{name}({json.dumps(args, default=str)[1:-1]})" if args else name
    return str(reason)
