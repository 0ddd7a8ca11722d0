"""steps.csv and events.jsonl: appended and flushed every step, never rewritten mid-run.

A drill that dies at step 900 leaves 899 complete rows. A row is written whole or not at
all: the file offset before each write is kept, and a write that fails (disk full) or is cut
by a signal is truncated back to it, so the file always ends on a complete row. Signals
that arrive while a row is written wait for it (:func:`defidrill.interrupts.deferred`).
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from defidrill.errors import OutputError
from defidrill.interrupts import deferred
from defidrill.run_folder.atomic import cell, symlink_refusal
from defidrill.run_folder.names import EVENTS_JSONL, STEPS_CSV
from defidrill.run_folder.records import Line


class _AppendFile:
    """One append-only file whose every write lands whole (or is cut back to the last whole one).

    Unbuffered (os.write): nothing waits in a buffer that a later flush or close could half
    write, and the offset of the last whole row is exact."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:  # O_NOFOLLOW: a link planted where the file goes is refused, never written through
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise symlink_refusal(path, "the run file") from None
            raise OutputError("cannot create", file=str(path), reason=exc.strerror or str(exc)) from exc
        self._end = 0

    def append(self, text: str) -> None:
        data = memoryview(text.encode("utf-8"))
        with deferred():
            start = self._end
            try:
                while data:
                    n = os.write(self._fd, data)
                    data = data[n:]
                    self._end += n
            except OSError as exc:
                self.cut_back(start)
                raise OutputError("cannot append", file=str(self.path), reason=exc.strerror or str(exc)) from exc

    def tell(self) -> int:
        return self._end

    def cut_back(self, offset: int) -> None:
        """Drop a partial write: the file is truncated to ``offset`` (which needs no free space)."""
        try:
            os.ftruncate(self._fd, offset)
            os.lseek(self._fd, offset, os.SEEK_SET)
            self._end = offset
        except OSError:
            pass

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


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

    def record(self, row: dict[str, Any], events: Sequence[Line]) -> None:
        """One completed step: its event lines (records.py), then its row. A signal waits until both are
        down, so a step's events never lack their row (its events go first: a row means the step is whole)."""
        unknown = set(row) - set(self.columns)
        if unknown:
            raise ValueError(f"steps.csv has no column(s) {sorted(unknown)}")
        line = self._csv_line([cell(row.get(k)) for k in self.columns])
        with deferred():
            events_end = self._events.tell()
            if events:
                self._events.append("".join(json.dumps(event.as_dict(), default=str) + "\n" for event in events))
            try:
                self._steps.append(line)
            except OutputError:
                self._events.cut_back(events_end)  # the row did not land: neither do its events
                raise
            self.events_written += len(events)
            self.rows_written += 1

    def close(self) -> None:
        self._steps.close()
        self._events.close()

    def __enter__(self) -> StepRecorder:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
