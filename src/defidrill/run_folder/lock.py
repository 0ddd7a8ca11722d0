"""One writer per folder, provably: an ``flock`` on ``FOLDER/.lock``, shared by run, report, sweep and risk.

    with folder_lock(Path("runs/x"), field="--out") as held:   # ConfigError (exit 2) if another process holds it
        held.previous_pid                                       # the pid a dead writer left in the file, if any
    probe_lock(Path("runs/x")).held                             # a reader's look: is a live process writing?

The rules, each closing a way the old lock lost data:

- The lock file is opened with ``O_NOFOLLOW | O_CREAT`` (never ``O_TRUNC``): a ``.lock`` planted as a
  symbolic link is refused, never followed out of the folder; opening never wipes a holder's pid.
- The lock is ``flock(LOCK_EX)`` on that open file, so it dies with its holder: a process killed
  with SIGKILL leaves the file (with its pid) but not the lock.
- Only the holder writes the file (its pid) or unlinks it (on release, while still holding it). A
  process refused the lock closes its descriptor and touches nothing else. One that took the lock
  on a file its holder unlinked meanwhile (same inode no longer at the path) drops it and retries:
  two processes can never both hold "the" lock of one folder.
- A reader (``probe_lock``) opens without creating and takes a shared lock for an instant; a writer
  that meets it (or a writer between its ``flock`` and its pid) waits up to :data:`BUSY_WAIT_S`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from defidrill.errors import ConfigError, OutputError
from defidrill.run_folder.atomic import symlink_refusal
from defidrill.run_folder.names import LOCK_FILE

#: How long a writer waits for a lock held by no pid (a reader's instant probe, a writer writing its pid).
BUSY_WAIT_S = 0.5
_RETRY_S = 0.02


@dataclass(frozen=True)
class HeldLock:
    """The lock of ``folder`` held by this process; ``previous_pid``: the pid left in the file by a holder
    that never released it (killed), None when the file was new or empty."""

    folder: Path
    fd: int
    previous_pid: int | None


@dataclass(frozen=True)
class LockProbe:
    """What a reader sees of a folder's lock without taking it: held by a live process or not, and
    the pid written in the file (the holder's, or a dead holder's when ``held`` is False)."""

    held: bool
    pid: int | None


def _open_lock(path: Path) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise symlink_refusal(path, "the lock file") from None
        raise OutputError("cannot open the lock file", file=str(path), reason=exc.strerror or str(exc)) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ConfigError("the lock file is not a regular file", file=str(path),
                          allowed="a regular file, or nothing there (defidrill creates it)")
    return fd


def _pid_in(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    """Whether ``pid`` exists (a lock held under a dead pid is a reader's probe over a killed writer's file)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_at(fd: int, path: Path) -> bool:
    """Whether ``fd`` is still the file at ``path`` (a holder unlinks it on release)."""
    try:
        here, there = os.fstat(fd), os.lstat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def acquire(folder: Path, *, field: str = "--out") -> HeldLock:
    """Take ``folder``'s lock or raise ConfigError naming the holder's pid (``field``: the option that named
    the folder, for the message). The caller must :func:`release` it (or use :func:`folder_lock`)."""
    path = folder / LOCK_FILE
    deadline = time.monotonic() + BUSY_WAIT_S
    while True:
        fd = _open_lock(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _pid_in(fd)
            os.close(fd)  # refused: nothing of the holder's is touched
            if (holder is None or not _alive(holder)) and time.monotonic() < deadline:
                time.sleep(_RETRY_S)
                continue
            who = f"pid {holder}" if holder is not None else "pid unknown"
            raise ConfigError(f"another defidrill process ({who}) is writing this folder", file=str(folder),
                              path=field, allowed="a folder no other process is using (wait for it to finish)") from None
        if not _is_at(fd, path):  # its holder released and unlinked it while we waited: take the new one
            os.close(fd)
            continue
        previous = _pid_in(fd)
        with contextlib.suppress(OSError):  # the pid is for people; a full disk must not stop the lock
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return HeldLock(folder, fd, previous)


def release(held: HeldLock) -> None:
    """Unlink the lock file (still holding it, and only if it is still ours), then let go."""
    path = held.folder / LOCK_FILE
    with contextlib.suppress(OSError):
        if _is_at(held.fd, path):
            os.unlink(path)
    os.close(held.fd)


@contextlib.contextmanager
def folder_lock(folder: Path, *, field: str = "--out") -> Iterator[HeldLock]:
    """Hold ``folder``'s lock for the block (see the module docstring); refused: ConfigError, exit 2."""
    held = acquire(folder, field=field)
    try:
        yield held
    finally:
        release(held)


def probe_lock(folder: Path) -> LockProbe:
    """Whether a live process holds ``folder``'s lock, creating and changing nothing (``compare``).

    A missing lock file is a free lock (every holder keeps its file while it holds it); a ``.lock``
    that is a symbolic link or not a regular file is refused as it is by writers."""
    path = folder / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return LockProbe(False, None)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise symlink_refusal(path, "the lock file") from None
        raise OutputError("cannot open the lock file", file=str(path), reason=exc.strerror or str(exc)) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError("the lock file is not a regular file", file=str(path), allowed="a regular file")
        pid = _pid_in(fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return LockProbe(True, pid)
        return LockProbe(False, pid)
    finally:
        os.close(fd)  # closing drops the shared lock at once
