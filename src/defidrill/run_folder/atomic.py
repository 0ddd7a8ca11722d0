"""Whole-file writes that a reader never sees half done, and OS errors as OutputError.

A file is written to a temporary name in the same folder, flushed to disk, then renamed
over the old one (``os.replace`` is atomic on POSIX): a full disk or a kill mid-write leaves
the previous version intact. Nothing is written through a symbolic link: the temporary file is
created with ``O_EXCL | O_NOFOLLOW`` and a target that is a link is refused (ConfigError, exit 2),
so a link planted in a folder defidrill was given never sends a write out of it. Every OSError
(ENOSPC, EROFS, EACCES, ENOTDIR ...) becomes an :class:`~defidrill.errors.OutputError` naming
the file and the OS's reason (exit status 4).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from defidrill.errors import ConfigError, OutputError

#: The temporary name of ``NAME`` while it is written (``.NAME.tmp-<pid>``); a run's ``--force`` clears leftovers.
TMP_INFIX = ".tmp-"


@contextlib.contextmanager
def os_errors_as_output_errors(path: Path, doing: str) -> Iterator[None]:
    """Turn an OSError raised inside into OutputError("cannot <doing>", file=path)."""
    try:
        yield
    except OSError as exc:
        raise OutputError(f"cannot {doing}", file=str(path), reason=exc.strerror or str(exc)) from exc


def temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{TMP_INFIX}{os.getpid()}")


def symlink_refusal(path: Path, what: str) -> ConfigError:
    """The refusal for a symbolic link where defidrill would write (a planted link in a folder it was given)."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return ConfigError(f"{what} is a symbolic link (to {target[:200]!r}): defidrill never writes through one",
                       file=str(path), allowed="a regular file, or nothing there (remove the link)")


def refuse_symlink(path: Path, what: str = "the file to write") -> None:
    """ConfigError when ``path`` is a symbolic link (nothing there, or anything else, passes)."""
    if os.path.islink(path):
        raise symlink_refusal(path, what)


def _create_exclusive(tmp: Path) -> int:
    """A new file at ``tmp``; a leftover of a killed process of the same pid (or a planted link) is
    unlinked first (the name, never what a link points to)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(tmp, flags, 0o644)
    except FileExistsError:
        os.unlink(tmp)
        return os.open(tmp, flags, 0o644)


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file and a rename; the old file survives any failure.

    Refuses (ConfigError) a ``path`` that is a symbolic link: the rename would replace the link, not
    write through it, but a link where a run file belongs is planted and worth saying so."""
    refuse_symlink(path)
    tmp = temporary_name(path)
    with os_errors_as_output_errors(path, "write"):
        try:
            fd = _create_exclusive(tmp)
            with open(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    return path


def ensure_dir(path: Path, what: str = "the folder") -> Path:
    """``path`` as a real folder (created if missing) inside a folder defidrill writes: a symbolic link
    there is refused (ConfigError), a file there is an OutputError."""
    with os_errors_as_output_errors(path, f"create {what}"):
        try:
            path.mkdir()
        except FileExistsError:
            pass
        mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        refuse_symlink(path, what)
    if not stat.S_ISDIR(mode):
        raise OutputError(f"cannot use {what}: it is a file, not a folder", file=str(path),
                          reason=os.strerror(errno.ENOTDIR))
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
