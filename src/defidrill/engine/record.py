"""The run folder's append-only files: steps.csv and events.jsonl, flushed every step.

A drill that dies at step 900 leaves 899 complete rows: rows are written whole and
flushed, never rewritten (docs/run-folder.md).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, TextIO


class RunRecorder:
    """Context manager owning ``steps.csv`` and ``events.jsonl`` of one run folder."""

    def __init__(self, out_dir: Path, columns: list[str]) -> None:
        self.out_dir = out_dir
        self.columns = columns
        out_dir.mkdir(parents=True, exist_ok=True)
        self._steps: TextIO = open(out_dir / "steps.csv", "w", newline="")
        self._events: TextIO = open(out_dir / "events.jsonl", "w")
        self._writer = csv.DictWriter(self._steps, fieldnames=columns, extrasaction="raise")
        self._writer.writeheader()
        self._steps.flush()
        self.rows_written = 0
        self.events_written = 0

    def write_step(self, row: dict[str, Any]) -> None:
        self._writer.writerow({k: _cell(row.get(k)) for k in self.columns})
        self._steps.flush()
        self.rows_written += 1

    def write_events(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            self._events.write(json.dumps(event, default=str) + "\n")
        self._events.flush()
        self.events_written += len(events)

    def close(self) -> None:
        self._steps.close()
        self._events.close()

    def __enter__(self) -> "RunRecorder":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value
