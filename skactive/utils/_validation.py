"""Validation of the parameters shared by every query strategy."""

from __future__ import annotations

import math
import numbers

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.validation import (
    check_consistent_length,
    column_or_1d,
    validate_data,
)

__all__ = [
    "check_array_params",
    "check_batch_size",
    "check_chunk_size",
    "check_has_method",
    "check_int",
    "check_multiple_classes",
    "check_pool_subsample",
    "check_proba_samples",
    "check_real",
    "inherit_input_tags",
    "is_raw_input",
    "unwrap_estimator",
]

# The input tags a meta-estimator shares with the models it wraps: sparse
# matrices, NaN, and arrays of more than two dimensions (``three_d_array``:
# images or sequences for a network, which reads them as any tensor).
_INHERITED_INPUT_TAGS = ("sparse", "allow_nan", "three_d_array")


def inherit_input_tags(tags, estimators):
    """Set ``tags``' input tags to what every one of ``estimators`` accepts."""
    inner = [get_tags(e).input_tags for e in estimators]
    for name in _INHERITED_INPUT_TAGS:
        setattr(tags.input_tags, name, all(getattr(t, name) for t in inner))
    return tags


def check_array_params(estimator) -> dict:
    """``check_array`` keyword arguments that follow ``estimator``'s input tags."""
    input_tags = get_tags(estimator).input_tags
    return dict(
        accept_sparse=["csr", "csc"] if input_tags.sparse else False,
        ensure_all_finite="allow-nan" if input_tags.allow_nan else True,
        allow_nd=input_tags.three_d_array,
    )


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(value, name: str, *, low: int = 1, allow_none: bool = False):
    """Return ``value`` as an int ``>= low``, else an error naming ``name``.

    The one check of every count parameter (``batch_size``, ``n_members``,
    ``n_mc_samples``...). It follows :func:`sklearn.utils.check_scalar`
    (``TypeError`` for the wrong type, ``ValueError`` for the wrong value) but
    rejects booleans (``True`` is not a count) and says what was expected in
    words.

    Parameters
    ----------
    value : object
        The parameter's value.
    name : str
        The parameter's name, for the error message.
    low : int, default=1
        The smallest valid value.
    allow_none : bool, default=False
        Whether ``None`` is valid (it is then returned as is).

    Returns
    -------
    value : int or None
        ``value`` as a Python int (``None`` when ``allow_none`` and it is).

    Raises
    ------
    TypeError
        ``value`` is not an int (``numbers.Integral``, not a bool).
    ValueError
        ``value`` is smaller than ``low``.

    Examples
    --------
    >>> from skactive.utils import check_int
    >>> check_int(3, "n_members")
    3
    >>> check_int(0, "n_members")
    Traceback (most recent call last):
    ...
    ValueError: n_members must be >= 1, got 0.
    """
    if value is None and allow_none:
        return None
    if not _is_int(value):
        expected = {1: "a positive int", 0: "a non-negative int"}.get(
            low, f"an int >= {low}"
        )
        if allow_none:
            expected = f"None or {expected}"
        raise TypeError(
            f"{name} must be {expected}, got {value!r} of type {type(value).__name__}."
        )
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}.")
    return int(value)


def check_batch_size(batch_size, name: str = "batch_size") -> int:
    """Return ``batch_size`` as a positive int: :func:`check_int` for it."""
    return check_int(batch_size, name)


def check_real(
    value,
    name: str,
    *,
    low: float,
    high: float | None = None,
    include_low: bool = True,
    include_high: bool = True,
    allow_none: bool = False,
):
    """Return ``value`` as a finite float in its interval, else an error naming it.

    The one check of every real parameter (``beta``, ``loss_weight``, a
    threshold or a rate in ``[0, 1]``...), :func:`check_int`'s twin:
    ``TypeError`` for the wrong type (booleans included), ``ValueError`` for
    a value outside the interval, NaN or infinity.

    Parameters
    ----------
    value : object
        The parameter's value.
    name : str
        The parameter's name, for the error message.
    low : float
        The lower bound.
    high : float, default=None
        The upper bound, ``None`` for none.
    include_low, include_high : bool, default=True
        Whether the bounds are valid values.
    allow_none : bool, default=False
        Whether ``None`` is valid (it is then returned as is).

    Returns
    -------
    value : float or None
        ``value`` as a Python float (``None`` when ``allow_none`` and it is).

    Examples
    --------
    >>> from skactive.utils import check_real
    >>> check_real(0.5, "noise_rate", low=0.0, high=1.0)
    0.5
    >>> check_real(1.5, "noise_rate", low=0.0, high=1.0)
    Traceback (most recent call last):
    ...
    ValueError: noise_rate must be finite and in [0.0, 1.0], got 1.5.
    """
    if value is None and allow_none:
        return None
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        expected = "None or a real number" if allow_none else "a real number"
        raise TypeError(
            f"{name} must be {expected}, got {value!r} of type {type(value).__name__}."
        )
    value = float(value)
    too_low = value < low or (value == low and not include_low)
    too_high = high is not None and (
        value > high or (value == high and not include_high)
    )
    if not np.isfinite(value) or too_low or too_high:
        if high is None:
            bounds = f"{'>=' if include_low else '>'} {low}"
        else:
            bounds = (
                f"in {'[' if include_low else '('}{low}, {high}"
                f"{']' if include_high else ')'}"
            )
        raise ValueError(f"{name} must be finite and {bounds}, got {value}.")
    return value


def check_n_jobs(n_jobs) -> int | None:
    """Return ``n_jobs`` (joblib's meaning), else an error naming it.

    ``None`` or a nonzero int: ``-1`` uses every CPU, ``-2`` all but one.
    """
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(
            f"n_jobs must be an int or None (joblib's number of workers), got "
            f"{n_jobs!r} of type {type(n_jobs).__name__}."
        )
    if n_jobs == 0:
        raise ValueError(
            "n_jobs must be None or a nonzero int (-1 uses every CPU), got 0."
        )
    return int(n_jobs)


def check_chunk_size(
    chunk_size, n_features: int, itemsize: int = 8, n_rows: int = 0, n_jobs: int = 1
) -> int:
    """Return the number of pool rows scored per chunk.

    ``n_features`` is the number of values per row (``C x H x W`` for an
    image). ``None`` picks about 16 MiB of input per chunk (at least 256
    rows), which
    keeps each chunk's intermediate arrays in cache-friendly sizes while
    amortising the per-call overhead of ``predict_proba``. With ``n_jobs > 1``
    workers, it also cuts the ``n_rows`` scored rows into at least four chunks
    per worker (of at least 1,024 rows), so that the workers share the load.
    """
    if chunk_size is None:
        row_bytes = max(1, n_features) * max(1, itemsize)
        rows = max(256, (16 * 2**20) // row_bytes)
        if n_jobs > 1:
            rows = min(rows, max(1024, math.ceil(n_rows / (4 * n_jobs))))
        return rows
    return check_int(chunk_size, "chunk_size")


def check_pool_subsample(pool_subsample, n_pool: int, batch_size: int) -> int | None:
    """Resolve ``pool_subsample`` into a number of samples, or ``None`` for all.

    An int is a number of samples, a float in ``(0, 1]`` a fraction of the pool.
    The subsample never holds fewer than ``batch_size`` samples (when the pool
    has that many), so a query always returns a full batch.
    """
    if pool_subsample is None:
        return None
    if _is_int(pool_subsample):
        m = check_int(pool_subsample, "pool_subsample")
    elif isinstance(pool_subsample, numbers.Real) and not isinstance(
        pool_subsample, bool
    ):
        if not 0.0 < pool_subsample <= 1.0:
            raise ValueError(
                f"pool_subsample must be in (0, 1] as a float, got {pool_subsample}."
            )
        m = math.ceil(pool_subsample * n_pool)
    else:
        raise TypeError(
            "pool_subsample must be None, an int or a float, "
            f"got {type(pool_subsample).__name__}."
        )
    m = min(n_pool, max(m, batch_size))
    return None if m >= n_pool else m


def check_has_method(estimator, method: str, name: str = "estimator") -> None:
    """Raise a ``TypeError`` naming the parameter when ``method`` is missing.

    Parameters
    ----------
    estimator : object
        The estimator (or any object) to check.
    method : str
        The method it needs, e.g. ``"predict_proba"``.
    name : str, default="estimator"
        The parameter's name, for the error message.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> from skactive.utils import check_has_method
    >>> check_has_method(SVC(), "predict_proba")
    Traceback (most recent call last):
    ...
    TypeError: estimator must implement predict_proba; got SVC, which does not. ...
    """
    if not hasattr(estimator, method):
        raise TypeError(
            f"{name} must implement {method}; got "
            f"{type(estimator).__name__}, which does not. "
            + (
                "Use a probabilistic classifier (e.g. LogisticRegression, or "
                "SVC(probability=True))."
                if method == "predict_proba"
                else ""
            )
        )


def check_multiple_classes(classes) -> None:
    """Raise a ``ValueError`` unless ``classes`` holds at least 2 labels.

    Parameters
    ----------
    classes : array-like of shape (n_classes,)
        The distinct labels of ``y`` (``np.unique(y)``).

    Examples
    --------
    >>> from skactive.utils import check_multiple_classes
    >>> check_multiple_classes(["cat"])
    Traceback (most recent call last):
    ...
    ValueError: y contains only one class ('cat'): the labelled set needs ...
    """
    if len(classes) < 2:
        found = "no class"
        if len(classes):
            label = classes[0]
            label = label.item() if isinstance(label, np.generic) else label
            found = f"only one class ({label!r})"
        raise ValueError(
            f"y contains {found}: the labelled set needs samples of at least 2 "
            "classes to fit a classifier."
        )


def check_proba_samples(proba_samples, n_samples: int | None = None) -> np.ndarray:
    """Check the ``predict_proba_samples`` protocol: a 3-d probability array.

    Parameters
    ----------
    proba_samples : array-like of shape (n_samples, n_members, n_classes)
        Class probabilities of every member (or stochastic pass) per sample.
    n_samples : int, default=None
        Expected number of samples, if known.

    Returns
    -------
    proba_samples : ndarray of shape (n_samples, n_members, n_classes)
    """
    proba_samples = np.asarray(proba_samples)
    if proba_samples.ndim != 3:
        raise ValueError(
            "predict_proba_samples must return an array of shape "
            "(n_samples, n_members, n_classes); got shape "
            f"{proba_samples.shape}."
        )
    if n_samples is not None and proba_samples.shape[0] != n_samples:
        raise ValueError(
            f"predict_proba_samples returned {proba_samples.shape[0]} samples "
            f"for {n_samples} inputs: samples must be the first axis."
        )
    return proba_samples


def is_raw_input(X) -> bool:
    """Whether ``X`` holds raw, non-numeric samples for the estimator to read.

    Raw samples are strings (a list or an object/string array of texts),
    dicts, or a DataFrame with a non-numeric column (text or categories for
    a ``ColumnTransformer``). skactive does not convert them: the estimator
    (typically a :class:`~sklearn.pipeline.Pipeline` starting with a
    vectorizer or a column transformer) validates what it reads, and the
    engine only slices rows. Numeric arrays, sparse matrices and numeric
    DataFrames are not raw.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(X, "columns"):  # a DataFrame
        return any(getattr(d, "kind", "O") not in "biufc" for d in dtypes)
    dtype = getattr(X, "dtype", None)
    if dtype is not None:
        if not hasattr(X, "shape") or dtype.kind not in "OSU":
            return False
        # an object array of numbers is numbers (converted, as scikit-learn does)
        return dtype.kind in "SU" or (
            X.size > 0 and isinstance(X.flat[0], (str, bytes))
        )
    if isinstance(X, (list, tuple)) and len(X):
        return isinstance(X[0], (str, bytes, dict))
    return False


def check_plain_array(estimator, X) -> bool:
    """Whether ``X`` can skip ``validate_data`` at prediction time.

    True for a plain 2-d numeric ndarray when ``estimator`` was fitted without
    feature names; its feature count is then checked here, with
    ``validate_data``'s message. Finiteness is left to whoever consumes ``X``:
    a pool is validated at every query, and a full ``validate_data`` pass
    costs about as much as a linear model's ``predict_proba`` on 1,000
    samples.
    """
    if not (
        isinstance(X, np.ndarray)
        and X.ndim == 2
        and X.dtype.kind in "fiu"
        and not hasattr(estimator, "feature_names_in_")
    ):
        return False
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} "
            f"is expecting {estimator.n_features_in_} features as input."
        )
    return True


def validate_samples(estimator, X, *, reset: bool, y=None, pool: bool = False):
    """``validate_data`` for a meta-estimator that hands ``X`` to its models.

    - ``reset=True`` (``fit``): returns ``(X, y)``, validated with the
      estimator's input tags (sparse, NaN, n-d arrays).
    - ``reset=False``: returns ``X``, its feature count and names checked. A
      plain numeric array skips the conversion pass (its finiteness is left
      to the models, which check their input anyway); with ``pool=True``
      finiteness is left to the engine and an empty pool passes (the query
      reports it).
    - Raw samples (:func:`is_raw_input`: texts, a DataFrame with text or
      category columns) are not converted: the models (a Pipeline starting
      with a vectorizer or a column transformer) validate what they read.
    """
    if not reset and check_plain_array(estimator, X):
        return X
    if is_raw_input(X):
        if not reset:
            return validate_data(estimator, X, reset=False, skip_check_array=True)
        X, y = validate_data(estimator, X, y, reset=True, skip_check_array=True)
        check_consistent_length(X, y)
        return X, column_or_1d(y, warn=True)
    kwargs = check_array_params(estimator)
    if reset:
        return validate_data(estimator, X, y, reset=True, **kwargs)
    if pool:
        kwargs["ensure_all_finite"] = False
        kwargs["ensure_min_samples"] = 0
    return validate_data(estimator, X, reset=False, **kwargs)


def unwrap_estimator(estimator, *, final: bool = False):
    """The model inside :class:`~sklearn.frozen.FrozenEstimator` wrappers.

    Parameters
    ----------
    estimator : estimator
        A model, possibly frozen, possibly a pipeline.
    final : bool, default=False
        Also go to the final step of pipelines (through any nesting of
        pipelines and frozen wrappers): the model that owns the last layer.

    Returns
    -------
    estimator : estimator
        The unwrapped model.

    Examples
    --------
    >>> from sklearn.frozen import FrozenEstimator
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skactive.embedding import unwrap_estimator
    >>> model = FrozenEstimator(make_pipeline(StandardScaler(), LogisticRegression()))
    >>> type(unwrap_estimator(model)).__name__
    'Pipeline'
    >>> unwrap_estimator(model, final=True)
    LogisticRegression()
    """
    while True:
        if isinstance(estimator, FrozenEstimator):
            estimator = estimator.estimator
        elif final and isinstance(estimator, Pipeline):
            estimator = estimator[-1]
        else:
            return estimator
