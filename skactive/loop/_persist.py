"""The session file: its JSON format, the schema every loaded file is checked
against, and atomic writes.

A labelling session (:class:`~skactive.ActiveLearner`) is saved as a JSON
file: the labelled indices and their labels, the rounds, the settings, the
strategy's description and a fingerprint of the pool (not the pool itself).
:class:`SessionFile` is its content; :func:`write_session` writes it
atomically (and, opt-in, a pickled model next to it); :func:`read_session`
and :func:`parse_session` read one and check every field against a schema
with types and limits, so that a malformed or hostile file is a
:class:`~skactive.exceptions.SessionFileError` naming the file and the
field, never a crash further on nor an allocation out of proportion to the
file. Loading runs no code: only :func:`read_model`, called on request,
unpickles.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import numbers
import os
import stat
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ..exceptions import SessionFileError
from ._atomic import (  # noqa: F401 (_writer_id: for the tests)
    _writer_id,
    atomic_write_bytes,
    resolve_target,
)

__all__ = [
    "FORMAT",
    "MAX_FILE_BYTES",
    "MAX_LABEL_LENGTH",
    "VERSION",
    "SessionFile",
    "atomic_write_bytes",
    "bytes_digest",
    "count_labels",
    "describe_targets",
    "file_digest",
    "label_kind",
    "parse_session",
    "pool_fingerprint",
    "read_model",
    "read_session",
    "target_summary",
    "write_session",
]

FORMAT = "skactive.ActiveLearner"
VERSION = 2  # 2: a round's label count is "n_labels" (1: "n_labelled")

# Limits of the schema. A session file of a million labels with their
# rounds is about 40 MB; a larger one is refused before it is parsed.
MAX_FILE_BYTES = 1 << 30
# A class label is a name, not a document: longer ones are refused (in
# ``teach`` too, so that every saved session loads again).
MAX_LABEL_LENGTH = 1000
# Labels are a fixed-width string array (every label as wide as the widest)
# up to this size; beyond it, Python strings, so that one long label among
# many short ones costs its own length, not the width times their number.
_MAX_FIXED_WIDTH_BYTES = 64 << 20
_MAX_SHAPE_LENGTH = 32
_MAX_SHORT_STRING = 256  # dtype names, fingerprints, digests, file names


# ------------------------------------------------------------ digests
def bytes_digest(data: bytes) -> str:
    """SHA-256 of bytes, as ``"sha256:<hex>"``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


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


# ------------------------------------------------------------ format
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


def target_summary(labels: np.ndarray) -> dict:
    """Count, range, mean and std (``ddof=0``) of numeric labels (``NaN``
    while there are none): a regression session's :meth:`class_counts`."""
    values = np.asarray(labels, dtype=np.float64)
    if not values.size:
        nan = float("nan")
        return {"n_labels": 0, "min": nan, "max": nan, "mean": nan, "std": nan}
    return {
        "n_labels": int(values.shape[0]),
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "std": float(values.std()),
    }


def describe_targets(summary: dict) -> str:
    """One line of :func:`target_summary`, for a repr or the command line."""
    if not summary["n_labels"]:
        return "none yet"
    return (
        f"{summary['n_labels']:,} in [{summary['min']:.4g}, {summary['max']:.4g}], "
        f"mean {summary['mean']:.4g}, std {summary['std']:.4g}"
    )


def label_kind(labels: np.ndarray) -> str:
    """``"str"`` or ``"number"``; a mix of both is a ``TypeError``."""
    kind = labels.dtype.kind
    if kind in "US":
        return "str"
    if kind in "biuf":
        return "number"
    if kind == "O":
        values = labels.ravel().tolist()
        is_str = [isinstance(v, str) for v in values]
        if all(is_str):
            return "str"
        if not any(is_str) and all(isinstance(v, numbers.Number) for v in values):
            return "number"
    raise TypeError(
        "labels must all be strings or all be numbers (scikit-learn class "
        f"labels); got {labels.tolist()[:5]!r} of dtype {labels.dtype}."
    )


def _labels_to_json(labels: np.ndarray) -> dict:
    return {"dtype": labels.dtype.str, "values": labels.tolist()}


def _shape_to_json(shape) -> list:
    """The pool's shape; unknown sizes (a lazy array's NaN) as ``null``."""
    return [
        int(s) if isinstance(s, numbers.Integral) and not isinstance(s, bool) else None
        for s in shape
    ]


@dataclass
class SessionFile:
    """The content of a session file, as :func:`read_session` checked it.

    ``rounds`` holds one dict per ``teach`` call: ``"indices"`` and
    ``"labels"`` (arrays), ``"n_labels"``, ``"time"`` and ``"relabel"``.
    ``settings`` holds ``"refit"``, ``"pseudo_label_threshold"``,
    ``"random_state"``, ``"autosave"`` (whether the session autosaved) and
    ``"classes"`` (the declared label set, or ``None``).
    ``model`` describes the pickled model file (``"file"``, ``"sha256"``,
    ``"fitted"``), or is ``None``. ``strategy_state`` is what a stateful
    strategy learned across rounds (its ``get_query_state()``, e.g. the
    bandit of :class:`~skactive.ActiveLearningByLearning`), or ``None``.
    ``digest`` is the SHA-256 of the file's bytes as read or written (not a
    field of the file).
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
    strategy_state: dict | None = None
    digest: str | None = None

    @property
    def classes(self) -> np.ndarray:
        """The declared label set, else the classes labelled so far; sorted."""
        declared = self.settings.get("classes")
        return np.unique(self.labels) if declared is None else np.unique(declared)

    def class_counts(self) -> dict:
        """Number of labels of every class of :attr:`classes`, as the session's
        :meth:`~skactive.ActiveLearner.class_counts`: no pool needed."""
        return count_labels(self.labels, self.classes)

    def target_summary(self) -> dict:
        """The labels as numbers (a regression session), as the session's
        :meth:`~skactive.ActiveLearner.target_summary`: no pool needed."""
        return target_summary(self.labels)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "saved_at": time.time(),
            "pool": {
                "n_samples": self.n_pool,
                "shape": _shape_to_json(self.pool_shape),
                "fingerprint": self.fingerprint,
            },
            "strategy": {
                "class": self.strategy_class,
                "repr": self.strategy_repr,
                **(
                    {}
                    if self.strategy_state is None
                    else {"state": self.strategy_state}
                ),
            },
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


def write_session(path, content: SessionFile, model=_NO_MODEL) -> bytes:
    """Write a session file atomically, with a pickled model if one is given.

    ``model`` (the fitted strategy, or ``None`` for an unfitted one) is
    dumped with joblib to ``<path>.model.joblib``, atomically and before the
    session file, which records its SHA-256. Returns the bytes written (and
    sets ``content.digest``). The caller holds the session's lock.
    """
    if model is not _NO_MODEL:
        import joblib

        target = resolve_target(path)
        model_path = target.with_name(target.name + ".model.joblib")
        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        atomic_write_bytes(model_path, buffer.getvalue())
        content.model = {
            "file": model_path.name,
            "sha256": bytes_digest(buffer.getvalue()),
            "fitted": model is not None,
        }
    data = json.dumps(content.to_json(), default=_json_default, indent=1).encode()
    atomic_write_bytes(path, data)
    content.digest = bytes_digest(data)
    return data


# ------------------------------------------------------------ schema
def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _type_name(value) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


class _Reader:
    """Typed access to the fields of a loaded file; errors name the field."""

    def __init__(self, path):
        self.path = path

    def fail(self, field, what: str):
        raise SessionFileError(self.path, what, field)

    def get(self, obj, key, kinds, where="", optional=False):
        field = f"{where}{key}"
        if not isinstance(obj, dict) or key not in obj:
            if optional:
                return None
            self.fail(field, "missing")
        value = obj[key]
        if optional and value is None:
            return None
        # bool is an int to Python, never to the format.
        if isinstance(value, bool) != (bool in kinds) or not isinstance(value, kinds):
            names = " or ".join(_type_name(k()) for k in kinds)
            self.fail(field, f"must be {names}, got {_type_name(value)}")
        return value

    def short_string(self, obj, key, where="", optional=False):
        value = self.get(obj, key, (str,), where, optional)
        if value is not None and len(value) > _MAX_SHORT_STRING:
            self.fail(f"{where}{key}", f"longer than {_MAX_SHORT_STRING} characters")
        return value

    def integer(self, obj, key, where="", low=None, high=None, optional=False):
        value = self.get(obj, key, (int,), where, optional)
        if value is not None and (
            (low is not None and value < low) or (high is not None and value > high)
        ):
            bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
            shown = str(value) if len(str(value)) <= 30 else f"{str(value)[:20]}..."
            self.fail(f"{where}{key}", f"must be {bounds}, got {shown}")
        return value

    def indices(self, obj, key, n_pool, where=""):
        """Unique row indices in ``[0, n_pool)``."""
        field = f"{where}{key}"
        values = self.get(obj, key, (list,), where)
        if len(values) > n_pool:
            self.fail(field, f"has {len(values)} indices for a pool of {n_pool}")
        if not all(map(_is_int, values)):
            self.fail(field, "must hold integer row indices")
        if values and (min(values) < 0 or max(values) >= n_pool):
            bad = [v for v in values if not 0 <= v < n_pool][:5]
            self.fail(field, f"must be in [0, {n_pool}) (rows of the pool), got {bad}")
        arr = np.array(values, dtype=np.intp).reshape(-1)
        if np.unique(arr).shape[0] != arr.shape[0]:
            unique, counts = np.unique(arr, return_counts=True)
            self.fail(field, f"holds duplicates: {unique[counts > 1][:5].tolist()}")
        return arr

    def labels(self, obj, key, n, where=""):
        """A label array: strings, numbers or booleans, one kind, ``n`` of them.

        The saved dtype is followed for its kind only: the width of a string
        array comes from the values, so no file can make a huge array.
        """
        field = f"{where}{key}"
        spec = self.get(obj, key, (dict,), where)
        dtype = self.short_string(spec, "dtype", f"{field}.")
        values = self.get(spec, "values", (list,), f"{field}.")
        if len(values) != n:
            self.fail(f"{field}.values", f"has {len(values)} labels for {n} indices")
        try:
            with warnings.catch_warnings():  # NumPy deprecates some aliases
                warnings.simplefilter("ignore")
                kind = np.dtype(dtype).kind
        except Exception:  # TypeError, ValueError, even SyntaxError
            self.fail(f"{field}.dtype", f"{dtype!r} is not a NumPy dtype")
        if kind not in "USbiufO":
            self.fail(f"{field}.dtype", f"{dtype!r} is not a label dtype")
        strings = all(isinstance(v, str) for v in values)
        if kind in "US" or (kind == "O" and strings and values):
            if not strings:
                self.fail(f"{field}.values", f"must hold strings (dtype {dtype!r})")
            return self._strings(values, f"{field}.values")
        if kind == "b":
            if not all(isinstance(v, bool) for v in values):
                self.fail(f"{field}.values", f"must hold booleans (dtype {dtype!r})")
            return np.array(values, dtype=bool)
        if not all(map(_is_int if kind in "iu" else _is_number, values)):
            expected = "integers" if kind in "iu" else "finite numbers"
            self.fail(
                f"{field}.values",
                f"must hold {expected}, all of one kind (dtype {dtype!r})",
            )
        try:
            return np.array(values, dtype=object if kind == "O" else np.dtype(dtype))
        except (TypeError, ValueError, OverflowError) as exc:
            self.fail(f"{field}.values", f"do not fit the dtype {dtype!r} ({exc})")

    def _strings(self, values, field):
        width = max(map(len, values), default=1) or 1
        if width > MAX_LABEL_LENGTH:
            self.fail(field, f"a label is longer than {MAX_LABEL_LENGTH} characters")
        for v in values:
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                self.fail(field, f"label {v!r:.40} is not valid Unicode")
        if 4 * width * len(values) > _MAX_FIXED_WIDTH_BYTES:
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
            return arr
        return np.array(values, dtype=f"<U{width}")


def _decode(data: bytes, path):
    if len(data) > MAX_FILE_BYTES:
        raise SessionFileError(
            path, f"larger than {MAX_FILE_BYTES >> 20} MiB, the limit of the format"
        )
    try:
        return json.loads(data)
    except RecursionError:
        raise SessionFileError(path, "JSON nested too deeply") from None
    except UnicodeDecodeError:
        raise SessionFileError(path, "not UTF-8 text") from None
    except ValueError as exc:  # JSONDecodeError; an integer of 5000 digits
        raise SessionFileError(path, f"not JSON ({exc})") from None


def parse_session(data: bytes, path) -> SessionFile:
    """Check the bytes of a session file against the schema; executes no code.

    Parameters
    ----------
    data : bytes
        The file's content.
    path : path-like
        The file's name, for errors.

    Returns
    -------
    content : SessionFile
        With ``digest`` set to the SHA-256 of ``data``.

    Raises
    ------
    SessionFileError
        The file is not JSON, not a session file, written by a newer
        skactive, or one of its fields is missing, of the wrong type or out
        of its limits.
    """
    state = _decode(data, path)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise SessionFileError(path, "not a skactive session file (no 'format')")
    r = _Reader(path)
    version = r.integer(state, "version", low=1)
    if version > VERSION:
        raise SessionFileError(
            path,
            f"written by a newer skactive (format version {version}); upgrade "
            "skactive to read it",
            "version",
        )
    pool = r.get(state, "pool", (dict,))
    n_pool = r.integer(pool, "n_samples", "pool.", low=1, high=2**53)
    shape = r.get(pool, "shape", (list,), "pool.")
    if len(shape) > _MAX_SHAPE_LENGTH or not all(
        s is None or (_is_int(s) and s >= 0) for s in shape
    ):
        r.fail("pool.shape", "must be a short list of sizes")
    fingerprint = r.short_string(pool, "fingerprint", "pool.")
    strategy = r.get(state, "strategy", (dict,))
    settings = r.get(state, "settings", (dict,))
    threshold = r.get(
        settings, "pseudo_label_threshold", (int, float), "settings.", True
    )
    if threshold is not None and not (_is_number(threshold) and 0 < threshold <= 1):
        r.fail("settings.pseudo_label_threshold", "must be in (0, 1]")
    checked = {
        "refit": r.get(settings, "refit", (bool,), "settings."),
        "pseudo_label_threshold": threshold,
        "random_state": r.integer(
            settings, "random_state", "settings.", 0, 2**32 - 1, optional=True
        ),
        "autosave": bool(r.get(settings, "autosave", (bool,), "settings.", True)),
        "classes": None,
    }
    declared = r.get(settings, "classes", (dict,), "settings.", True)
    if declared is not None:
        n = len(r.get(declared, "values", (list,), "settings.classes."))
        classes = r.labels(settings, "classes", n, "settings.")
        if np.unique(classes).shape[0] != n or n < 2:
            r.fail("settings.classes", "must hold at least 2 distinct labels")
        checked["classes"] = classes
    indices = r.indices(state, "indices", n_pool)
    labels = r.labels(state, "labels", indices.shape[0])
    rounds = []
    n_key = "n_labels" if version >= 2 else "n_labelled"
    for i, entry in enumerate(r.get(state, "history", (list,))):
        where = f"history[{i}]."
        if not isinstance(entry, dict):
            r.fail(f"history[{i}]", f"must be an object, got {_type_name(entry)}")
        idx = r.indices(entry, "indices", n_pool, where)
        when = r.get(entry, "time", (int, float), where)
        if not _is_number(when):
            r.fail(f"{where}time", "must be a finite number")
        rounds.append(
            {
                "indices": idx,
                "labels": r.labels(entry, "labels", idx.shape[0], where),
                "n_labels": r.integer(entry, n_key, where, 0, n_pool),
                "time": float(when),
                "relabel": r.get(entry, "relabel", (bool,), where),
            }
        )
    model = r.get(state, "model", (dict,), optional=True)
    if model is not None:
        name = r.short_string(model, "file", "model.")
        if Path(name).name != name or name in ("", ".", ".."):
            r.fail("model.file", f"{name!r} must be a file name next to the session")
        model = {
            "file": name,
            "sha256": r.short_string(model, "sha256", "model."),
            "fitted": r.get(model, "fitted", (bool,), "model."),
        }
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
        strategy_state=r.get(strategy, "state", (dict,), "strategy.", True),
        digest=bytes_digest(data),
    )


def read_bytes(path, limit: int | None = None) -> bytes:
    """A regular file's bytes; one larger than ``limit`` (default
    :data:`MAX_FILE_BYTES`) is a ``SessionFileError``, without reading it."""
    limit = MAX_FILE_BYTES if limit is None else limit
    if not stat.S_ISREG(os.stat(path).st_mode):  # a pipe would block the open
        raise SessionFileError(path, "not a regular file")
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        if st.st_size > limit:
            raise SessionFileError(
                path, f"larger than {limit >> 20} MiB, the limit of the format"
            )
        data = f.read(st.st_size + 1)  # the file's size, allocated once
    if len(data) > limit:  # pragma: no cover - it grew while being read
        raise SessionFileError(path, f"larger than {limit >> 20} MiB")
    return data


def read_session(path) -> SessionFile:
    """Read and check a session file; executes no code.

    Raises
    ------
    SessionFileError
        The file is malformed (see :func:`parse_session`).
    OSError
        The file cannot be read (it does not exist, for instance).
    """
    return parse_session(read_bytes(path), os.fspath(path))


def read_model(path, content: SessionFile):
    """Unpickle the model saved next to a session file, after checking it.

    Unpickling runs code: only for files the user trusts, on request.
    """
    path = resolve_target(path)
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
