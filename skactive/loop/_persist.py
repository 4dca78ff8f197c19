"""The session file: its JSON format, checks of loaded files, atomic writes.

A labelling session (:class:`~skactive.ActiveLearner`) is saved as a JSON
file: the labelled indices and their labels, the rounds, the settings, the
strategy's description and a fingerprint of the pool (not the pool itself).
:class:`SessionFile` is its content; :func:`write_session` writes it
atomically (and, opt-in, a pickled model next to it); :func:`read_session`
reads one and checks every field, so that a malformed or hostile file is a
``ValueError`` naming what is wrong, never a crash further on. Loading runs
no code: only :func:`read_model`, called on request, unpickles.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import io
import json
import numbers
import os
import secrets
import socket
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = [
    "FORMAT",
    "VERSION",
    "SessionFile",
    "atomic_write_bytes",
    "count_labels",
    "file_digest",
    "pool_fingerprint",
    "read_model",
    "read_session",
    "write_session",
]

FORMAT = "skactive.ActiveLearner"
VERSION = 2  # 2: a round's label count is "n_labels" (1: "n_labelled")


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
    a write that succeeds removes those left by killed writers. An existing
    ``path`` that is not a regular file (a device such as ``/dev/null``, a
    pipe) is a ``ValueError``: the rename would replace it.

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
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ValueError(
                f"{path} is not a regular file (a device, a pipe or a folder): "
                "an atomic write would replace it."
            )
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


# ------------------------------------------------------------------ format
def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(
        f"a label of type {type(value).__name__} cannot be saved in a session "
        "file: use strings or numbers as labels."
    )


def count_labels(labels: np.ndarray, classes: np.ndarray) -> dict:
    """``{label: count}`` for every class of ``classes``, in its order."""
    labelled, counts = np.unique(labels, return_counts=True)
    found = dict(zip(labelled.tolist(), counts.tolist()))
    return {c: found.get(c, 0) for c in np.asarray(classes).tolist()}


def _labels_to_json(labels: np.ndarray) -> dict:
    return {"dtype": labels.dtype.str, "values": labels.tolist()}


@dataclass
class SessionFile:
    """The content of a session file, as :func:`read_session` checked it.

    ``rounds`` holds one dict per ``teach`` call: ``"indices"`` and
    ``"labels"`` (arrays), ``"n_labels"``, ``"time"`` and ``"relabel"``.
    ``settings`` holds ``"refit"``, ``"pseudo_label_threshold"``,
    ``"random_state"``, ``"autosave"`` (whether the session autosaved) and
    ``"classes"`` (the declared label set, or ``None``).
    ``model`` describes the pickled model file (``"file"``, ``"sha256"``,
    ``"fitted"``), or is ``None``.
    """

    n_pool: int
    pool_shape: list
    fingerprint: str
    strategy_class: str
    strategy_repr: str
    settings: dict
    indices: np.ndarray
    labels: np.ndarray
    rounds: list
    model: dict | None = None

    @property
    def classes(self) -> np.ndarray:
        """The declared label set, else the classes labelled so far; sorted."""
        declared = self.settings.get("classes")
        return np.unique(self.labels) if declared is None else np.unique(declared)

    def class_counts(self) -> dict:
        """Number of labels of every class of :attr:`classes`, as the session's
        :meth:`~skactive.ActiveLearner.class_counts`: no pool needed."""
        return count_labels(self.labels, self.classes)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "saved_at": time.time(),
            "pool": {
                "n_samples": self.n_pool,
                "shape": list(self.pool_shape),
                "fingerprint": self.fingerprint,
            },
            "strategy": {"class": self.strategy_class, "repr": self.strategy_repr},
            "settings": {
                key: (_labels_to_json(value) if key == "classes" else value)
                for key, value in self.settings.items()
                if key != "classes" or value is not None
            },
            "indices": self.indices.tolist(),
            "labels": _labels_to_json(self.labels),
            "history": [
                {
                    "indices": r["indices"].tolist(),
                    "labels": _labels_to_json(r["labels"]),
                    "n_labels": r["n_labels"],
                    "time": r["time"],
                    "relabel": r["relabel"],
                }
                for r in self.rounds
            ],
            "model": self.model,
        }


_NO_MODEL = object()


def write_session(path, content: SessionFile, model=_NO_MODEL) -> None:
    """Write a session file atomically, with a pickled model if one is given.

    ``model`` (the fitted strategy, or ``None`` for an unfitted one) is
    dumped with joblib to ``<path>.model.joblib``, atomically and before the
    session file, which records its SHA-256.
    """
    path = Path(path)
    if model is not _NO_MODEL:
        import joblib

        model_path = path.with_name(path.name + ".model.joblib")
        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        atomic_write_bytes(model_path, buffer.getvalue())
        content.model = {
            "file": model_path.name,
            "sha256": file_digest(model_path),
            "fitted": model is not None,
        }
    data = json.dumps(content.to_json(), default=_json_default, indent=1).encode()
    atomic_write_bytes(path, data)


class _Reader:
    """Typed access to the fields of a loaded file; errors name the field."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, what: str):
        raise ValueError(f"{self.path} is not a valid session file: {what}.")

    def get(self, obj, key, kinds, where="", optional=False):
        if not isinstance(obj, dict) or key not in obj:
            if optional:
                return None
            self.fail(f"{where}{key!r} is missing")
        value = obj[key]
        if optional and value is None:
            return None
        # bool is an int to Python, never to the format.
        if isinstance(value, bool) != (bool in kinds) or not isinstance(value, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            self.fail(f"{where}{key!r} must be {names}, got {value!r:.80}")
        return value

    def indices(self, obj, key, where=""):
        values = self.get(obj, key, (list,), where)
        if not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values
        ):
            self.fail(f"{where}{key!r} must hold integer row indices")
        return np.array(values, dtype=np.intp).reshape(-1)

    def labels(self, obj, key, n, where=""):
        """A label array: strings or numbers, 1-d, ``n`` of them.

        The saved dtype is only followed for its kind: a string dtype's
        width comes from the values, so no file can make a huge array.
        """
        spec = self.get(obj, key, (dict,), where)
        dtype = self.get(spec, "dtype", (str,), f"{where}{key}.")
        values = self.get(spec, "values", (list,), f"{where}{key}.")
        if len(values) != n:
            self.fail(f"{where}{key!r} has {len(values)} values for {n} indices")
        if not all(isinstance(v, str | int | float) for v in values):
            self.fail(f"{where}{key!r} must hold strings or numbers")
        try:
            kind = np.dtype(dtype).kind
        except (TypeError, ValueError):
            self.fail(f"{where}{key}.dtype {dtype!r} is not a NumPy dtype")
        if kind not in "USbiufO":
            self.fail(f"{where}{key}.dtype {dtype!r} is not a label dtype")
        try:
            if kind in "US":
                return np.array(values, dtype=str)
            return np.array(values, dtype=object if kind == "O" else np.dtype(dtype))
        except (TypeError, ValueError, OverflowError) as exc:
            self.fail(f"{where}{key!r} does not match its dtype ({exc})")


def read_session(path) -> SessionFile:
    """Read and check a session file; executes no code.

    Raises
    ------
    ValueError
        The file is not JSON, not a session file, written by a newer
        skactive, or one of its fields is missing or of the wrong type.
    """
    path = Path(path)
    try:
        state = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a session file: {exc}") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{path} is not a skactive session file.")
    r = _Reader(path)
    version = r.get(state, "version", (int,))
    if version > VERSION:
        raise ValueError(
            f"{path} was written by a newer skactive (format version "
            f"{version}); upgrade skactive to read it."
        )
    pool = r.get(state, "pool", (dict,))
    n_pool = r.get(pool, "n_samples", (int,), "pool.")
    shape = r.get(pool, "shape", (list,), "pool.")
    fingerprint = r.get(pool, "fingerprint", (str,), "pool.")
    strategy = r.get(state, "strategy", (dict,))
    settings = r.get(state, "settings", (dict,))
    checked = {
        "refit": r.get(settings, "refit", (bool,), "settings."),
        "pseudo_label_threshold": r.get(
            settings, "pseudo_label_threshold", (int, float), "settings.", True
        ),
        "random_state": r.get(settings, "random_state", (int,), "settings.", True),
        "autosave": bool(r.get(settings, "autosave", (bool,), "settings.", True)),
        "classes": None,
    }
    declared = r.get(settings, "classes", (dict,), "settings.", True)
    if declared is not None:
        n = len(r.get(declared, "values", (list,), "settings.classes."))
        checked["classes"] = r.labels(settings, "classes", n, "settings.")
    indices = r.indices(state, "indices")
    labels = r.labels(state, "labels", indices.shape[0])
    rounds = []
    n_key = "n_labels" if version >= 2 else "n_labelled"
    for i, entry in enumerate(r.get(state, "history", (list,))):
        where = f"history[{i}]."
        idx = r.indices(entry, "indices", where)
        rounds.append(
            {
                "indices": idx,
                "labels": r.labels(entry, "labels", idx.shape[0], where),
                "n_labels": r.get(entry, n_key, (int,), where),
                "time": float(r.get(entry, "time", (int, float), where)),
                "relabel": r.get(entry, "relabel", (bool,), where),
            }
        )
    model = r.get(state, "model", (dict,), optional=True)
    if model is not None:
        name = r.get(model, "file", (str,), "model.")
        if Path(name).name != name or name in ("", ".", ".."):
            r.fail(f"model.file {name!r} must be a file name next to the session")
        r.get(model, "sha256", (str,), "model.")
        r.get(model, "fitted", (bool,), "model.")
    return SessionFile(
        n_pool=n_pool,
        pool_shape=shape,
        fingerprint=fingerprint,
        strategy_class=r.get(strategy, "class", (str,), "strategy."),
        strategy_repr=r.get(strategy, "repr", (str,), "strategy."),
        settings=checked,
        indices=indices,
        labels=labels,
        rounds=rounds,
        model=model,
    )


def read_model(path, content: SessionFile):
    """Unpickle the model saved next to a session file, after checking it.

    Unpickling runs code: only for files the user trusts, on request.
    """
    path = Path(path)
    if not content.model:
        raise ValueError(
            f"{path} has no saved model: save with include_model=True, or "
            "load with load_model=False to refit it from the labels."
        )
    model_path = path.with_name(content.model["file"])
    if file_digest(model_path) != content.model["sha256"]:
        raise ValueError(
            f"{model_path} does not match the session file (SHA-256 "
            "differs): it was replaced or saved by another session."
        )
    import joblib

    return joblib.load(model_path)
