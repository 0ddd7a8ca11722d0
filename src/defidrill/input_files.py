"""The one way defidrill reads a file someone pointed it at: bounded, regular files only, UTF-8 checked.

Every input file (a drill, a sweep or risk file, a replay CSV, a run folder's summary.json, steps.csv,
events.jsonl, drill.yaml, contracts.json) is user data, possibly hostile, and goes through
:func:`read_bytes` / :func:`read_text`:

* it is opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open descriptor, so a FIFO (which
  would block ``open`` until a writer came), a device (``/dev/zero`` never ends) or a directory is
  refused at once, naming what it is, and a path swapped after a check cannot slip past it;
* at most ``max_bytes`` + 1 bytes are read, whatever ``st_size`` claims (``/proc`` files say 0);
* text must be UTF-8: the byte offset of the first bad byte is named.

A refusal is an :class:`UnreadableFile` carrying the reason and what is allowed; each caller turns it
into its own error (ConfigError for a drill, RunFolderError for a run folder) naming the file.
:func:`defidrill.errors.quoted` is how any message quotes a piece of such a file: bounded and with
control characters escaped, so an error about ``/proc/self/environ`` cannot print the environment.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["UnreadableFile", "file_kind", "read_bytes", "read_text"]


class UnreadableFile(Exception):
    """``path`` cannot be read as the caller needs: ``reason`` says why, ``allowed`` what would do."""

    def __init__(self, path: Path, reason: str, allowed: str, *, offset: int | None = None) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.allowed = allowed
        self.offset = offset


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words (for the refusal)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: str | Path, *, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them (else UnreadableFile)."""
    file = Path(path)
    allowed = f"a regular {what} of at most {max_bytes:,} bytes"
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise UnreadableFile(file, "not found", allowed) from None
    except IsADirectoryError:
        raise UnreadableFile(file, "is a directory", allowed) from None
    except (OSError, ValueError) as err:  # no permission, a loop of links, a NUL in the path
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise UnreadableFile(file, f"cannot be opened ({reason})", allowed) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(file, f"is {file_kind(info.st_mode)}, not a regular file", allowed)
        if info.st_size > max_bytes:
            raise UnreadableFile(file, f"is {info.st_size:,} bytes, too large", allowed)
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            try:
                chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            except BlockingIOError:  # a regular file never blocks; be safe anyway
                break
            except OSError as err:
                raise UnreadableFile(file, f"cannot be read ({err.strerror or err})", allowed) from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:
            raise UnreadableFile(file, f"is more than {max_bytes:,} bytes, too large", allowed)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: str | Path, *, max_bytes: int, what: str = "file") -> str:
    """:func:`read_bytes` decoded as UTF-8 (a BOM is dropped); a bad byte is an UnreadableFile naming its offset."""
    raw = read_bytes(path, max_bytes=max_bytes, what=what)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadableFile(Path(path), f"is not UTF-8 text ({err.reason} at byte {err.start:,})",
                             f"a UTF-8 {what}", offset=err.start) from None

