"""Read and check a replay CSV once, at validation: the run uses the rows read then.

A replay path's CSV is user data, read through :func:`defidrill.input_files.read_text` (a regular file of
at most ``MAX_REPLAY_CSV_BYTES``, UTF-8: a FIFO or a device is refused, never waited on). Every row is read
when the drill validates, so a text
price, ``nan``/``inf``, a non-positive price, an unreadable time, two rows at one time or a
header-only file is refused by ``defidrill validate`` with the CSV's row number, never
found mid-run. The schema keeps the parsed arrays, so the file is not read again (and a
file changed after validation cannot change the run).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path

import numpy as np
import numpy.typing as npt

from defidrill.errors import quoted
from defidrill.input_files import UnreadableFile, read_text

__all__ = ["ReplayCsvError", "ReplaySeries", "parse_time", "read_replay_series", "MAX_REPLAY_CSV_BYTES"]

#: Largest replay CSV read (the shared 4-day one-minute BTC file is ~0.5 MB).
MAX_REPLAY_CSV_BYTES = 100_000_000
TIME_ALLOWED = "ISO-8601 times (2023-03-10T14:00:00Z) or unix seconds (milliseconds above 1e12)"


class ReplayCsvError(ValueError):
    """A problem in a replay CSV: ``row`` is the file's 1-based line (the header is line 1)."""

    def __init__(self, message: str, *, row: int | None = None, value: object = None, allowed: str) -> None:
        where = f"line {row} of the CSV: " if row is not None else ""
        super().__init__(where + message)
        self.row = row
        self.value = value
        self.allowed = allowed


@dataclass(frozen=True)
class ReplaySeries:
    """The CSV's rows as arrays, by time: unix seconds (strictly increasing) and raw prices (> 0, finite)."""

    times_s: npt.NDArray[np.float64]
    prices: npt.NDArray[np.float64]


def parse_time(text: str) -> float:
    """Unix seconds (milliseconds when above 1e12) or an ISO-8601 time (UTC if no zone).

    Raises ValueError on anything else, including ``nan`` and ``inf``.
    """
    try:
        value = float(text)
    except ValueError:
        stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return stamp.timestamp()
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{text!r} is not a time")
    return value / 1000.0 if value > 1e12 else value


def read_replay_series(path: Path, time_column: str, price_column: str) -> ReplaySeries:
    """Read every row of ``path``; raise :class:`ReplayCsvError` at the first bad one."""
    try:
        text = read_text(path, max_bytes=MAX_REPLAY_CSV_BYTES, what="CSV file")
    except UnreadableFile as err:
        allowed = err.allowed + (" (resample it first)" if "too large" in err.reason else "")
        raise ReplayCsvError(f"cannot read the CSV: it {err.reason}", allowed=allowed) from None
    times: list[float] = []
    prices: list[float] = []
    lines: list[int] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, [])
        missing = [c for c in (time_column, price_column) if c not in header]
        if missing:
            raise ReplayCsvError(f"no column {quoted(missing[0], 30)}", row=1, value=missing[0],
                                 allowed="a column of the CSV header: " + _header_names(header))
        t_col, p_col = header.index(time_column), header.index(price_column)
        for row in reader:
            line = reader.line_num
            if not row:
                continue  # a blank line
            if len(row) <= max(t_col, p_col):
                raise ReplayCsvError(f"the row has {len(row)} cells, the header {len(header)}", row=line,
                                     value=",".join(row), allowed="one cell per header column")
            times.append(_time_cell(row[t_col], line))
            prices.append(_price_cell(row[p_col], line))
            lines.append(line)
    except csv.Error as err:
        raise ReplayCsvError(f"not a readable CSV ({quoted(str(err))})",
                             allowed="a comma-separated file with a header row") from None
    if not times:
        raise ReplayCsvError("the CSV has a header but no rows", row=1,
                             allowed="a header and at least one row of time and price")
    t = np.asarray(times, dtype=np.float64)
    order = np.argsort(t, kind="stable")  # rows may come in any order; the series is by time
    t_sorted = t[order]
    same = np.flatnonzero(np.diff(t_sorted) == 0)
    if same.size:
        first, second = sorted((lines[order[same[0]]], lines[order[same[0] + 1]]))
        raise ReplayCsvError(f"two rows at the same time (lines {first} and {second})", row=second,
                             value=times[order[same[0]]], allowed="one row per time")
    return ReplaySeries(t_sorted, np.asarray(prices, dtype=np.float64)[order])


#: Header cells an error lists (a file that is not a CSV may have one "cell" of anything).
HEADER_NAMES_SHOWN = 12


def _header_names(header: list[str]) -> str:
    """The header's cells for a message: each quoted and bounded, at most HEADER_NAMES_SHOWN of them."""
    names = ", ".join(cell if cell.isprintable() and len(cell) <= 30 else quoted(cell, 30)
                      for cell in header[:HEADER_NAMES_SHOWN]) or "(an empty header)"
    return names + (f" and {len(header) - HEADER_NAMES_SHOWN:,} more" if len(header) > HEADER_NAMES_SHOWN else "")


def _time_cell(text: str, line: int) -> float:
    try:
        return parse_time(text)
    except ValueError:
        raise ReplayCsvError("cannot read the time", row=line, value=text, allowed=TIME_ALLOWED) from None


def _price_cell(text: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ReplayCsvError("the price is not a number", row=line, value=text,
                             allowed="a finite number above 0") from None
    if not math.isfinite(value) or value <= 0:
        raise ReplayCsvError("the price must be a finite number above 0", row=line, value=text,
                             allowed="a finite number above 0")
    return value
