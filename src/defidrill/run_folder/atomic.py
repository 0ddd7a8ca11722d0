"""Whole-file writes that a reader never sees half done, and OS errors as OutputError.

A file is written to a temporary name in the same folder, flushed to disk, then renamed
over the old one (``os.replace`` is atomic on POSIX): a full disk or a kill mid-write leaves
the previous version intact. Every OSError (ENOSPC, EROFS, EACCES, ENOTDIR ...) becomes an
:class:`~defidrill.errors.OutputError` naming the file and the OS's reason (exit status 4).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from defidrill.errors import OutputError


@contextlib.contextmanager
def os_errors_as_output_errors(path: Path, doing: str) -> Iterator[None]:
    """Turn an OSError raised inside into OutputError("cannot <doing>", file=path)."""
    try:
        yield
    except OSError as exc:
        raise OutputError(f"cannot {doing}", file=str(path), reason=exc.strerror or str(exc)) from exc


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file and a rename; the old file survives any failure."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with os_errors_as_output_errors(path, "write"):
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: Path, obj: Any) -> Path:
    """Strict JSON (NaN and infinity refused: they are not JSON), indented, newline at the end."""
    return write_text_atomic(path, json.dumps(obj, indent=2, allow_nan=False) + "\n")


def write_csv_atomic(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(list(header))
    writer.writerows(rows)
    return write_text_atomic(path, buf.getvalue())


def cell(value: Any, *, exact: bool = False) -> Any:
    """One CSV cell: floats to 10 significant digits (``exact``: every digit, as the CEX files keep
    them so their metrics rebuild exactly), NaN and None as empty, booleans as 0/1."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        if value != value:
            return ""
        return repr(value) if exact else f"{value:.10g}"
    return "" if value is None else value
