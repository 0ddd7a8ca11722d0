"""Read a book of positions from a CSV (``borrowers: {from: positions.csv}``), once, at validation.

A positions file is user data, like a replay CSV: it is read with the replay reader's limits
(:data:`~defidrill.drill.replay_csv.MAX_REPLAY_CSV_BYTES`, and :class:`ReplayCsvError`, whose message
names the CSV's 1-based line) and every row is checked when the drill validates, so a bad row is
refused by ``defidrill validate``, never found mid-run. One row per position:

``account``
    a label (any text, or a 0x address, kept as the account's address); ``address`` is read as
    the same column, so a run folder's own ``borrowers.csv`` is a positions file (round trip).
``collateral``
    the collateral asset's symbol (one of the drill's collateral assets: checked by the drill).
``collateral_amount`` or ``collateral_usd``
    whole tokens, or USD at the drill's start price (exactly one of the two columns).
``debt`` or ``debt_usd``
    the debt in whole units of the base asset, or USD at the base's start price.
``reacts`` (optional)
    ``1``/``true``: the borrower defends its position as the drill's ``reaction`` says; default 0.

Other columns (``index``, ``health``, ``leverage``, ``source`` of a borrowers.csv) are ignored.
The rows are kept in file order: the engine opens them in that order.
"""

from __future__ import annotations

import _csv
import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from defidrill.input_files import UnreadableFile, read_text
from defidrill.drill.limits import MAX_BORROWERS, MAX_USD
from defidrill.drill.replay_csv import MAX_REPLAY_CSV_BYTES, ReplayCsvError

__all__ = ["PositionRow", "read_positions", "POSITION_COLUMNS_ALLOWED"]

#: Longest account label (a label names the account's address through a hash: it is not stored on chain).
MAX_LABEL_CHARS = 100
#: Largest token amount in one cell (whole tokens; 1e13 of a $1e-6 token is still $1e7).
MAX_AMOUNT = 1e15
POSITION_COLUMNS_ALLOWED = ("account (or address), collateral, collateral_amount or collateral_usd, "
                            "debt or debt_usd, and optionally reacts")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_TRUE, _FALSE = {"1", "true", "yes"}, {"", "0", "false", "no"}


@dataclass(frozen=True)
class PositionRow:
    """One position as the file states it: exactly one of each pair of amounts is set."""

    line: int  # the CSV's 1-based line (the header is line 1), for every later error about the row
    label: str
    collateral: str
    collateral_amount: float | None
    collateral_usd: float | None
    debt_base: float | None
    debt_usd: float | None
    reacts: bool

    @property
    def address(self) -> str | None:
        """The label when it is a 0x address (a run folder's borrowers.csv), else None (derived by label)."""
        return self.label if _ADDRESS.match(self.label) else None


def read_positions(path: Path) -> tuple[PositionRow, ...]:
    """Every row of ``path``, checked; raise :class:`ReplayCsvError` (with the line) at the first bad one."""
    try:
        text = read_text(path, max_bytes=MAX_REPLAY_CSV_BYTES, what="CSV file")
    except UnreadableFile as err:  # a FIFO, a device, a folder, too large, not UTF-8: refused, never waited on
        raise ReplayCsvError(f"cannot read the CSV: it {err.reason}", allowed=err.allowed) from None
    try:
        return _rows(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise ReplayCsvError(f"not a readable CSV ({err})", allowed="a comma-separated file with a header row") from None


def _rows(reader: _csv.Reader) -> tuple[PositionRow, ...]:
    header = [h.strip() for h in next(reader, [])]
    col = {name: i for i, name in reversed(list(enumerate(header)))}
    account = _one_of(col, ("account", "address"))
    collateral = _one_of(col, ("collateral",))
    amount, usd = _pair(col, "collateral_amount", "collateral_usd")
    debt, debt_usd = _pair(col, "debt", "debt_usd")
    reacts = col.get("reacts")
    rows: list[PositionRow] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue  # a blank line
        if len(row) < len(header):
            raise ReplayCsvError(f"the row has {len(row)} cells, the header {len(header)}", row=line,
                                 value=",".join(row)[:200], allowed="one cell per header column")
        if len(rows) >= MAX_BORROWERS:
            raise ReplayCsvError(f"more than {MAX_BORROWERS:,} positions", row=line, value=MAX_BORROWERS,
                                 allowed=f"at most {MAX_BORROWERS:,} positions (limits.MAX_BORROWERS)")
        label = row[account].strip()
        if not label or len(label) > MAX_LABEL_CHARS or not label.isprintable():
            raise ReplayCsvError("the account label is empty, too long or not printable", row=line, value=label[:120],
                                 allowed=f"1 to {MAX_LABEL_CHARS} printable characters (or a 0x address)")
        key = label.lower() if _ADDRESS.match(label) else label
        if key in seen:
            raise ReplayCsvError(f"the account {label!r} is on line {seen[key]} already", row=line, value=label,
                                 allowed="one row per account")
        seen[key] = line
        symbol = row[collateral].strip()
        if not symbol:
            raise ReplayCsvError("the collateral symbol is empty", row=line, value=symbol,
                                 allowed="a collateral asset of the drill")
        rows.append(PositionRow(
            line=line, label=label, collateral=symbol,
            collateral_amount=_number(row, amount, line, "collateral_amount", MAX_AMOUNT, positive=True),
            collateral_usd=_number(row, usd, line, "collateral_usd", MAX_USD, positive=True),
            debt_base=_number(row, debt, line, "debt", MAX_AMOUNT, positive=True),
            debt_usd=_number(row, debt_usd, line, "debt_usd", MAX_USD, positive=True),
            reacts=_flag(row[reacts] if reacts is not None else "", line),
        ))
    if not rows:
        raise ReplayCsvError("the CSV has a header but no rows", row=1, allowed="a header and at least one position")
    return tuple(rows)


def _one_of(col: dict[str, int], names: tuple[str, ...]) -> int:
    found = [col[n] for n in names if n in col]
    if len(found) > 1:
        raise ReplayCsvError(f"both columns {' and '.join(names)}", row=1, value=names[1],
                             allowed=f"one of {', '.join(names)}: {POSITION_COLUMNS_ALLOWED}")
    if not found:
        raise ReplayCsvError(f"no column {names[0]!r}", row=1, value=names[0],
                             allowed=f"a header naming {POSITION_COLUMNS_ALLOWED}")
    return found[0]


def _pair(col: dict[str, int], amount: str, usd: str) -> tuple[int | None, int | None]:
    """Exactly one of the two columns (``amount`` in tokens, ``usd`` in dollars)."""
    index = _one_of(col, (amount, usd))
    return (index, None) if amount in col else (None, index)


def _number(row: list[str], index: int | None, line: int, name: str, bound: float, *, positive: bool) -> float | None:
    if index is None:
        return None
    text = row[index].strip()
    allowed = f"a finite number above 0 and at most {bound:.0e}"
    try:
        value = float(text)
    except ValueError:
        raise ReplayCsvError(f"{name} is not a number", row=line, value=text[:60], allowed=allowed) from None
    if not math.isfinite(value) or (positive and value <= 0) or value > bound:
        raise ReplayCsvError(f"{name} is out of range", row=line, value=text[:60], allowed=allowed)
    return value


def _flag(text: str, line: int) -> bool:
    cell = text.strip().lower()
    if cell in _TRUE:
        return True
    if cell in _FALSE:
        return False
    raise ReplayCsvError("reacts is not a flag", row=line, value=text[:60], allowed="1/0, true/false, yes/no or empty")
