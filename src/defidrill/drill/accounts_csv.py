"""Read a list of accounts (``borrowers: {from: protocol, accounts_csv: book.csv}``), once, at validation.

The forked book's given list as a file: one 0x address per row in a column ``account`` or ``address``
(other columns are ignored, so a run folder's own ``borrowers.csv`` is such a file). Read with the
replay reader's limits and line-numbered :class:`ReplayCsvError`, like a positions file
(:mod:`defidrill.drill.positions_csv`); the same address twice is refused with both lines.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from defidrill.input_files import UnreadableFile, read_text
from defidrill.drill.limits import MAX_BORROWERS
from defidrill.drill.replay_csv import MAX_REPLAY_CSV_BYTES, ReplayCsvError

__all__ = ["read_accounts", "is_address"]

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def is_address(text: str) -> bool:
    """0x and 40 hex digits (any case: the checksum is not required of a user's list)."""
    return bool(_ADDRESS.match(text))


def read_accounts(path: Path) -> tuple[str, ...]:
    """Every address of ``path``'s ``account`` (or ``address``) column, in file order."""
    try:
        text = read_text(path, max_bytes=MAX_REPLAY_CSV_BYTES, what="CSV file")
    except UnreadableFile as err:
        raise ReplayCsvError(f"cannot read the CSV: it {err.reason}", allowed=err.allowed) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        names = [n for n in ("account", "address") if n in header]
        if len(names) != 1:
            raise ReplayCsvError("no column account or address" if not names else "both columns account and address",
                                 row=1, value=",".join(header)[:200], allowed="a header naming account (or address)")
        column = header.index(names[0])
        seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            cell = row[column].strip() if column < len(row) else ""
            if not is_address(cell):
                raise ReplayCsvError(f"{names[0]} is not an address", row=line, value=cell[:60],
                                     allowed="0x and 40 hex digits")
            if cell.lower() in seen:
                raise ReplayCsvError(f"the account {cell} is on line {seen[cell.lower()]} already", row=line,
                                     value=cell, allowed="one row per account")
            if len(seen) >= MAX_BORROWERS:
                raise ReplayCsvError(f"more than {MAX_BORROWERS:,} accounts", row=line, value=MAX_BORROWERS,
                                     allowed=f"at most {MAX_BORROWERS:,} accounts (limits.MAX_BORROWERS)")
            seen[cell.lower()] = line
    except csv.Error as err:
        raise ReplayCsvError(f"not a readable CSV ({err})", allowed="a comma-separated file with a header row") from None
    if not seen:
        raise ReplayCsvError("the CSV has a header but no accounts", row=1, allowed="a header and at least one address")
    return tuple(seen)
