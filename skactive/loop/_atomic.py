"""Atomic file replacement: a crash leaves the old file or the new one.

Used for session files (:mod:`skactive.loop._persist`) and for every file
the command line writes.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import os
import secrets
import socket
import stat
from pathlib import Path

__all__ = ["atomic_write_bytes", "check_replaceable", "resolve_target"]


def resolve_target(path) -> Path:
    """The file a write to ``path`` should replace: a symbolic link's target.

    Saving through a link (``session.json -> /data/session.json``) writes the
    file it points to and keeps the link, as editors do; the lock and the
    temporary file live next to the target, so that writers through
    different links share them.
    """
    return Path(os.path.realpath(os.fspath(path)))


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX; a no-op elsewhere)."""
    if os.name != "posix":  # pragma: no cover - Windows has no directory fds
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _writer_id() -> str:
    """``<host>-<pid>`` of this process, the host as 8 hex digits of its name."""
    host = hashlib.blake2b(socket.gethostname().encode(), digest_size=4).hexdigest()
    return f"{host}-{os.getpid()}"


def _create_temporary(path: Path) -> tuple[int, Path]:
    """A new file next to ``path``, with the permissions a new file gets.

    Unlike :func:`tempfile.mkstemp` (mode 0600), the mode is that of an
    existing ``path``, or 0666 minus the umask for a new one, so the renamed
    file has the permissions the user expects.
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{_writer_id()}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        if mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(tmp, mode)
        return fd, tmp
    raise FileExistsError(f"no free temporary name next to {path}.")  # pragma: no cover


def _process_is_gone(pid: int) -> bool:
    """Whether no process ``pid`` exists (POSIX; never claimed elsewhere)."""
    if os.name != "posix" or pid <= 0:  # pragma: no cover - Windows
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # another user's process, for instance
        return False
    return False


def _remove_stale_temporaries(path: Path) -> None:
    """Remove the temporary files of writes to ``path`` whose process died.

    A write killed between creating its temporary file and the rename (a
    ``SIGKILL``, a power cut) cannot clean up after itself. The name of a
    temporary file holds its writer's host and process id, so the next write
    on the same host removes those of processes that no longer exist, and
    never one still in use (nor one of another machine on a shared disk).
    """
    host, own_pid = _writer_id().split("-")
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        writer = tmp.name[len(path.name) + 2 :].split(".", 1)[0]
        tmp_host, _, pid = writer.partition("-")
        if (
            tmp_host == host
            and pid.isdigit()
            and pid != own_pid
            and _process_is_gone(int(pid))
        ):
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def check_replaceable(path: Path, shown) -> None:
    """Refuse to replace what is not a regular file, or a read-only file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(
            f"{shown} is not a regular file (a device, a pipe or a folder): "
            "an atomic write would replace it."
        )
    # A rename needs no write permission on the file, only on its folder:
    # a file made read-only (chmod a-w) is kept, even for root.
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(
            errno.EACCES,
            f"cannot write {shown}: the file is read-only (make it writable "
            "to save, or save elsewhere)",
        )


def _named_error(exc: OSError, shown, directory: Path) -> OSError:
    """``exc`` as an error about ``shown`` (the user's path), not about the
    temporary file: the same ``OSError`` subclass, the cause in words."""
    cause = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, FileNotFoundError) and not directory.is_dir():
        cause = f"the folder {directory} does not exist"
    message = f"cannot write {shown}: {cause}"
    if exc.errno is None:
        return type(exc)(message)
    return OSError(exc.errno, message)  # the errno picks the subclass


def atomic_write_bytes(path, data: bytes | None = None, writer=None) -> None:
    """Replace ``path`` with new content, atomically.

    The content goes to a temporary file in the same directory, which is
    flushed, ``fsync``-ed and then renamed over ``path`` with
    :func:`os.replace` (atomic on POSIX and Windows); the directory is
    ``fsync``-ed too. A crash at any moment leaves either the old file or
    the new one, never a mix; a failed write removes its temporary file, and
    a write that succeeds removes those left by killed writers.

    A symbolic link is followed: its target is replaced and the link kept.
    An existing ``path`` that is not a regular file (a device such as
    ``/dev/null``, a pipe) is a ``ValueError``, and a read-only file a
    ``PermissionError``: the rename would replace them. Errors name
    ``path`` and the cause (a missing folder, a full disk), never the
    temporary file.

    Parameters
    ----------
    path : path-like
        The file to write.
    data : bytes, default=None
        The content.
    writer : callable, default=None
        Instead of ``data``: ``writer(file)`` writes into the open binary
        temporary file.
    """
    shown = os.fspath(path)
    target = resolve_target(path)
    check_replaceable(target, shown)
    directory = target.parent
    try:
        fd, tmp = _create_temporary(target)
    except OSError as exc:
        raise _named_error(exc, shown, directory) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            if writer is None:
                f.write(data)
            else:
                writer(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _named_error(exc, shown, directory) from exc
        raise
    _fsync_directory(directory)
    _remove_stale_temporaries(target)
