"""Atomic file writes and pool fingerprints for labelling sessions."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import secrets
import socket
import stat
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = ["atomic_write_bytes", "file_digest", "pool_fingerprint"]


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX; a no-op elsewhere)."""
    if os.name != "posix":  # pragma: no cover - Windows has no directory fds
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def _writer_id() -> str:
    """``<host>-<pid>`` of this process, the host as 8 hex digits of its name."""
    host = hashlib.blake2b(socket.gethostname().encode(), digest_size=4).hexdigest()
    return f"{host}-{os.getpid()}"


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


def atomic_write_bytes(path, data: bytes | None = None, writer=None) -> None:
    """Replace ``path`` with new content, atomically.

    The content goes to a temporary file in the same directory, which is
    flushed, ``fsync``-ed and then renamed over ``path`` with
    :func:`os.replace` (atomic on POSIX and Windows); the directory is
    ``fsync``-ed too. A crash at any moment leaves either the old file or
    the new one, never a mix; a failed write removes its temporary file, and
    a write that succeeds removes those left by killed writers.

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
    path = Path(path)
    directory = path.parent
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            if writer is None:
                f.write(data)
            else:
                writer(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)
    _remove_stale_temporaries(path)


def file_digest(path) -> str:
    """SHA-256 of a file, as ``"sha256:<hex>"``."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def _update_with_array(h, arr: np.ndarray) -> None:
    arr = np.asarray(arr)
    h.update(f"{arr.dtype.str}{arr.shape}".encode())
    if arr.dtype.hasobject:
        h.update("\x1f".join(map(repr, arr.ravel().tolist())).encode())
        return
    if arr.ndim == 0:
        h.update(arr.tobytes())
        return
    # Hash about 16 MiB at a time: no copy of a large pool in memory.
    row_bytes = max(1, arr.itemsize * (arr.size // max(1, arr.shape[0])))
    step = max(1, (16 << 20) // row_bytes)
    for start in range(0, arr.shape[0], step):
        h.update(np.ascontiguousarray(arr[start : start + step]).data)


def pool_fingerprint(X) -> str:
    """A digest of the pool's values, to detect a different pool at load.

    Dense arrays, sparse matrices and pandas DataFrames are hashed from
    their values (and column names); the digest depends on the dtype and the
    shape, not on the memory layout.
    """
    h = hashlib.blake2b(digest_size=20)
    if sp.issparse(X):
        X = sp.csr_matrix(X)
        if not X.has_canonical_format:
            X = X.copy()
            X.sum_duplicates()
        h.update(f"sparse{X.shape}".encode())
        for part in (X.data, X.indices, X.indptr.astype(np.int64)):
            _update_with_array(h, part)
    elif hasattr(X, "columns") and hasattr(X, "iloc"):  # a pandas DataFrame
        import pandas as pd

        h.update(repr([str(c) for c in X.columns]).encode())
        h.update(repr([str(t) for t in X.dtypes]).encode())
        _update_with_array(h, pd.util.hash_pandas_object(X, index=False).to_numpy())
    else:
        _update_with_array(h, np.asarray(X))
    return "blake2b:" + h.hexdigest()
