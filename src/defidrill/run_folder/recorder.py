"""steps.csv and events.jsonl: appended and flushed every step, never rewritten mid-run.

A drill that dies at step 900 leaves 899 complete rows. A row is written whole or not at
all: the file offset before each write is kept, and a write that fails (disk full) or is cut
by a signal is truncated back to it, so the file always ends on a complete row. Signals
that arrive while a row is written wait for it (:func:`defidrill.interrupts.deferred`).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, BinaryIO

from defidrill.errors import OutputError
from defidrill.interrupts import deferred
from defidrill.run_folder.atomic import cell
from defidrill.run_folder.names import EVENTS_JSONL, STEPS_CSV


class _AppendFile:
    """One append-only file whose every write lands whole (or is cut back to the last whole one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._fh: BinaryIO = open(path, "wb")
        except OSError as exc:
            raise OutputError("cannot create", file=str(path), reason=exc.strerror or str(exc)) from exc

    def append(self, text: str) -> None:
        data = text.encode("utf-8")
        with deferred():
            start = self._fh.tell()
            try:
                self._fh.write(data)
                self._fh.flush()
            except OSError as exc:
                self._cut_back(start)
                raise OutputError("cannot append", file=str(self.path), reason=exc.strerror or str(exc)) from exc

    def _cut_back(self, offset: int) -> None:
        """Drop a partial write: unflushed bytes are discarded, the file is truncated to ``offset``."""
        try:
            self._fh.seek(offset)
            self._fh.truncate(offset)
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        try:
            self._fh.close()
        except OSError:
            pass  # a buffer that cannot flush holds no complete row: every row was flushed when written


class StepRecorder:
    """Context manager owning ``steps.csv`` and ``events.jsonl`` of one run folder."""

    def __init__(self, out_dir: Path, columns: list[str]) -> None:
        self.out_dir = out_dir
        self.columns = columns
        self._steps = _AppendFile(out_dir / STEPS_CSV)
        self._events = _AppendFile(out_dir / EVENTS_JSONL)
        self._steps.append(self._csv_line(columns))
        self.rows_written = 0
        self.events_written = 0

    @staticmethod
    def _csv_line(cells: list[Any]) -> str:
        buf = io.StringIO(newline="")
        csv.writer(buf).writerow(cells)
        return buf.getvalue()

    def record(self, row: dict[str, Any], events: list[dict[str, Any]]) -> None:
        """One completed step: its events, then its row. A signal waits until both are down, so a
        step's events never lack their row (its events go first: a row means the step is whole)."""
        unknown = set(row) - set(self.columns)
        if unknown:
            raise ValueError(f"steps.csv has no column(s) {sorted(unknown)}")
        with deferred():
            if events:
                self._events.append("".join(json.dumps(event, default=str) + "\n" for event in events))
                self.events_written += len(events)
            self._steps.append(self._csv_line([cell(row.get(k)) for k in self.columns]))
            self.rows_written += 1

    def close(self) -> None:
        self._steps.close()
        self._events.close()

    def __enter__(self) -> "StepRecorder":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
