"""An advisory lock on a session file, held while a save reads, merges and
replaces it.

The lock is ``fcntl.flock`` on ``<session>.lock`` (POSIX) or
``msvcrt.locking`` on a byte of it (Windows). The operating system releases
it when its holder exits, however it exits, so a crashed process never
leaves a stale lock; the file itself stays (removing a lock file races with
the next writer) and holds the last holder's process id, host and time, for
the error of a writer that waited too long. On a file system without locks
(some network mounts), saves go on unlocked with a warning: the merge of
:mod:`skactive.loop._merge` still sees the changes of writers that saved
before this save read the file.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import threading
import time
import warnings
from pathlib import Path

from ..exceptions import SessionLockedError
from ._atomic import resolve_target

__all__ = ["DEFAULT_TIMEOUT", "lock_path", "session_lock"]

DEFAULT_TIMEOUT = 10.0
# Errors of a file system that has no locks: save unlocked.
_NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}
_NOTE_BYTES = 512
_WINDOWS_LOCK_OFFSET = 1 << 20  # beyond the holder's note, which stays readable

_held = threading.local()  # lock paths this thread holds, with their depth
_warned: set[str] = set()


def lock_path(path) -> Path:
    """``<session>.lock`` next to the file ``path`` names (a link's target)."""
    target = resolve_target(path)
    return target.with_name(target.name + ".lock")


def _try_lock(fd: int) -> bool:
    """Take the lock without waiting; ``False`` when another process has it."""
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLK):
                return False
            raise
        return True
    try:
        import fcntl
    except ImportError:  # pragma: no cover - a platform without locks
        raise OSError(errno.ENOSYS, "no file locks on this platform") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _write_note(fd: int) -> None:
    """Who holds the lock, for a writer that times out: JSON padded with
    spaces to a fixed size, so that it overwrites the last note whole
    (without a truncation, which costs a metadata write)."""
    note = json.dumps(
        {"pid": os.getpid(), "host": socket.gethostname()[:200], "since": time.time()}
    ).encode()
    with contextlib.suppress(OSError):
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, note.ljust(_NOTE_BYTES))


def _holder(path: Path) -> str:
    """``process 123 on host 'x' (since 12:00:01)``, as far as the note says."""
    try:
        with open(path, "rb") as f:
            note = json.loads(f.read(4096))
        since = time.strftime("%H:%M:%S", time.localtime(float(note["since"])))
        return (
            f"process {int(note['pid'])} on host {str(note['host'])!r} "
            f"(holding it since {since})"
        )
    except (OSError, ValueError, TypeError, KeyError, OverflowError):
        return "another process"


def _open_lock_file(lock: Path) -> int:
    """The lock file, created if needed; read-only when it belongs to another
    user of a shared folder (a lock needs no write access; the holder's note
    is then not written)."""
    binary = getattr(os, "O_BINARY", 0)
    try:
        return os.open(lock, os.O_RDWR | os.O_CREAT | binary, 0o666)
    except PermissionError:
        if not lock.exists():
            raise
        return os.open(lock, os.O_RDONLY | binary)


@contextlib.contextmanager
def session_lock(path, timeout: float | None = None, *, shown=None):
    """Hold the lock of the session file ``path`` for the ``with`` block.

    Re-entrant within a thread (a save inside a locked block does not wait
    for itself); other threads and processes wait, polling, up to
    ``timeout`` seconds.

    Parameters
    ----------
    path : path-like
        The session file (not the lock file).
    timeout : float, default=None
        Seconds to wait for another holder; ``0`` tries once; ``None``:
        :data:`DEFAULT_TIMEOUT` (10 seconds).
    shown : str, default=None
        The name of the session in errors (default: ``path``).

    Raises
    ------
    SessionLockedError
        Another process held the lock for ``timeout`` seconds; the message
        names it.
    OSError
        The lock file cannot be created (a missing or read-only folder); the
        message names the session.
    """
    shown = os.fspath(path) if shown is None else shown
    timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
    lock = lock_path(path)
    key = str(lock)
    depth = getattr(_held, "depth", None)
    if depth is None:
        depth = _held.depth = {}
    if depth.get(key):
        depth[key] += 1
        try:
            yield
        finally:
            depth[key] -= 1
        return
    try:
        fd = _open_lock_file(lock)
    except OSError as exc:
        cause = exc.strerror or str(exc)
        if isinstance(exc, FileNotFoundError) and not lock.parent.is_dir():
            cause = f"the folder {lock.parent} does not exist"
        raise OSError(exc.errno, f"cannot save {shown}: {cause} ({lock})") from exc
    locked = False
    try:
        deadline = time.monotonic() + timeout
        delay = 0.001
        while True:
            try:
                locked = _try_lock(fd)
            except OSError as exc:
                if exc.errno not in _NO_LOCKS:
                    raise
                if key not in _warned:
                    _warned.add(key)
                    warnings.warn(
                        f"the file system of {shown} has no file locks: saves "
                        "go on unlocked, and two processes saving it at the same "
                        "moment may lose labels.",
                        UserWarning,
                        stacklevel=3,
                    )
                break
            if locked:
                _write_note(fd)
                break
            if time.monotonic() >= deadline:
                raise SessionLockedError(
                    f"{shown} is locked by {_holder(lock)}, which is saving it: "
                    f"gave up after {timeout:g} s, nothing was saved. Try again "
                    "(the lock is released when that save ends or that process "
                    f"exits; the lock file is {lock})."
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        depth[key] = 1
        try:
            yield
        finally:
            del depth[key]
    finally:
        try:
            if locked:
                _unlock(fd)
        finally:
            os.close(fd)
