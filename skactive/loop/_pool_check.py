"""Checks of a new session's pool, before any label is recorded.

One implementation for :class:`~skactive.ActiveLearner` and the command
line's ``skactive query``: cheap rules first (an empty pool, a 1-d numeric
pool, NaN or infinite values the model does not accept), then a dry run: a
copy of the strategy fitted on a few rows with made-up labels queries a few
rows spread over the pool, as the session will once two classes are
labelled. A pool the model cannot read fails here, not after the first
labels are saved.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.utils import get_tags

from ..exceptions import InvalidPoolError
from ..utils._compat import _num_samples, _safe_indexing

__all__ = ["DRY_RUN_ROWS", "check_session_pool", "is_network"]

# Rows the dry run fits on (and twice as many it queries).
DRY_RUN_ROWS = 20
_CHUNK_BYTES = 8 << 20


def _fail(reason: str, hint: str = "validate_pool=False skips this check", **where):
    error = InvalidPoolError(f"{reason}; {hint}." if hint else f"{reason}.")
    error.reason = reason  # without the Python hint, for the command line
    error.row = where.get("row")  # of a NaN or infinite value
    error.column = where.get("column")
    error.value = where.get("value")
    return error


def is_network(strategy) -> bool:
    """Whether the strategy wraps a neural network (skorch, torch, or
    :mod:`skactive.deep`): fitting one, even on a few rows, takes seconds,
    so ``validate_pool="auto"`` skips the dry run for it."""
    try:
        params = list(strategy.get_params(deep=True).values())
    except Exception:  # a strategy without get_params: look at it alone
        params = []
    for obj in (strategy, *params):
        cls = obj if isinstance(obj, type) else type(obj)
        for klass in getattr(cls, "__mro__", ()):
            module = getattr(klass, "__module__", None) or ""
            if module.split(".")[0] in ("skorch", "torch") or module.startswith(
                "skactive.deep"
            ):
                return True
    return False


def _allow_nan(strategy) -> bool:
    """The strategy's ``allow_nan`` input tag (its model's); ``True`` when it
    has no tags to read (the dry run then tells)."""
    try:
        return bool(get_tags(strategy).input_tags.allow_nan)
    except Exception:
        return True


def _first_bad(block: np.ndarray, allow_nan: bool):
    """``(row, column)`` of the first NaN or infinite value, else ``None``."""
    bad = np.isinf(block) if allow_nan else ~np.isfinite(block)
    if not bad.any():
        return None
    row, column = np.argwhere(bad)[0]
    return int(row), int(column)


def _non_finite(X, allow_nan: bool):
    """``(row, column, value)`` of the first value the model cannot take, for
    the numeric pools whose values are at hand (arrays, sparse matrices,
    DataFrames); ``None`` for others, left to the dry run."""
    if sp.issparse(X):
        if X.dtype.kind not in "fc":
            return None
        direct = X.format in ("csr", "csc", "coo", "bsr")
        data = X.data if direct else X.tocsr().data
        if _first_bad(np.asarray(data).reshape(-1, 1), allow_nan) is None:
            return None
        coo = X.tocoo()  # only for the message
        k = _first_bad(coo.data.reshape(-1, 1), allow_nan)[0]
        return int(coo.row[k]), int(coo.col[k]), coo.data[k]
    if hasattr(X, "columns") and hasattr(X, "iloc"):  # a pandas DataFrame
        for column in X.columns:
            values = X[column].to_numpy()
            if values.dtype.kind in "fc":
                found = _first_bad(values.reshape(-1, 1), allow_nan)
                if found is not None:
                    return found[0], column, values[found[0]]
        return None
    if not isinstance(X, np.ndarray) or X.dtype.kind not in "fc" or X.size == 0:
        return None
    row_bytes = max(1, X.itemsize * (X.size // X.shape[0]))
    step = max(1, _CHUNK_BYTES // row_bytes)
    for start in range(0, X.shape[0], step):
        block = X[start : start + step].reshape(min(step, X.shape[0] - start), -1)
        found = _first_bad(block, allow_nan)
        if found is not None:
            row, column = start + found[0], found[1]
            column = column if X.ndim == 2 else None
            return row, column, X[row] if column is None else X[row, column]
    return None


def _labels(classes, k: int) -> np.ndarray:
    """Made-up labels of two or more classes (the declared ones, if any)."""
    if classes is not None:
        classes = np.asarray(classes)
        return classes[np.arange(k) % classes.shape[0]]
    return np.arange(k) % 2


def _dry_run(strategy, X_pool, n: int, classes) -> None:
    k = min(n, DRY_RUN_ROWS)
    probe = clone(strategy)
    try:
        if "batch_size" in probe.get_params(deep=False):
            probe.set_params(batch_size=1)
    except Exception:  # a strategy without get_params
        pass
    candidates = np.unique(np.linspace(0, n - 1, min(n, 2 * k)).astype(np.intp))
    step = "fit"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            probe.fit(_safe_indexing(X_pool, np.arange(k)), _labels(classes, k))
            step = "query"
            probe.query(X_pool, batch_size=1, candidates=candidates)
    except Exception as exc:  # any failure of the user's model: reported
        text = str(exc).strip()
        message = text.splitlines()[0] if text else ""
        raise _fail(
            f"the strategy cannot read X_pool: a copy of {type(strategy).__name__} "
            f"fitted on the first {k} rows with made-up labels failed to {step} "
            f"({type(exc).__name__}: {message})"
        ) from exc


def check_session_pool(strategy, X_pool, *, dry_run="auto", classes=None) -> None:
    """Check that ``strategy`` can work on ``X_pool`` before a session starts.

    Parameters
    ----------
    strategy : QueryStrategy
        The session's strategy (not fitted, not modified: the dry run fits a
        clone).
    X_pool : array-like, sparse matrix or DataFrame
        The pool.
    dry_run : bool or "auto", default="auto"
        Fit a clone of the strategy on the first 20 rows with made-up labels
        and query 40 rows spread over the pool. ``"auto"``: unless the
        strategy wraps a neural network, whose fit takes seconds.
    classes : array-like, default=None
        The declared label set, for the made-up labels.

    Raises
    ------
    InvalidPoolError
        An empty pool, a 1-d numeric pool, NaN (for a model that does not
        accept it) or an infinite value (named by row and column), or a
        dry run that failed (its error chained). ``error.reason`` is the
        message without the hint on ``validate_pool``.
    """
    n = _num_samples(X_pool)
    if n == 0:
        raise _fail("X_pool is empty: a session needs a pool", hint="")
    if (
        isinstance(X_pool, np.ndarray)
        and X_pool.ndim == 1
        and X_pool.dtype.kind in "biufc"
    ):
        raise _fail(
            f"X_pool is 1-d (shape {X_pool.shape}) and holds numbers: a pool "
            "has one sample per row; X_pool.reshape(-1, 1) makes it one feature"
        )
    allow_nan = _allow_nan(strategy)
    found = _non_finite(X_pool, allow_nan)
    if found is not None:
        row, column, value = found
        where = f"row {row}" + ("" if column is None else f", column {column!r}")
        if np.isnan(value):
            raise _fail(
                f"X_pool holds NaN ({where}), which the model of "
                f"{type(strategy).__name__} does not accept: fill in the missing "
                "values, or use a model that accepts them (such as "
                "HistGradientBoostingClassifier)",
                row=row,
                column=column,
                value=value,
            )
        raise _fail(
            f"X_pool holds an infinite value ({where}), which scikit-learn "
            "models do not accept",
            row=row,
            column=column,
            value=value,
        )
    if dry_run == "auto":
        dry_run = not is_network(strategy)
    if dry_run and n >= 2:
        _dry_run(strategy, X_pool, n, classes)
