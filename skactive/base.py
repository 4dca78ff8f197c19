"""The query-strategy base class and the pool-scoring engine.

A strategy is a scikit-learn meta-estimator: ``fit`` trains a clone of its
estimator on the labelled samples, ``query`` returns the indices of the pool
samples to label next. Subclasses write only the algorithm:

- ``_utility(X)`` for strategies that score samples one by one (higher is more
  informative). The engine scores the pool in chunks, in parallel through
  joblib, and keeps a streaming top-k, so memory is bounded by the chunk size.
- ``_select(X, batch_size, rng)`` for batch-aware strategies, which choose the
  batch jointly (their ``query_tags.batch_aware`` is ``True``).

``query`` validates the pool, resolves ``batch_size``, draws the pool
subsample, builds the random generator and selects; it adds no attributes to
the strategy.
"""

from __future__ import annotations

import math
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field, fields

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    clone,
)
from sklearn.linear_model import LogisticRegression
from sklearn.utils import (
    Tags,
    assert_all_finite,
    check_random_state,
    gen_batches,
    get_tags,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from .exceptions import BatchSizeWarning
from .utils._compat import _num_samples, _safe_indexing
from .utils._dask import check_dask_pool, is_dask_array, score_dask_blocks
from .utils._docstrings import fill_doc
from .utils._selection import TopK, draw_salt, sample_indices, top_k
from .utils._validation import (
    check_array_params,
    check_batch_size,
    check_chunk_size,
    check_has_method,
    check_plain_array,
    check_pool_subsample,
    inherit_input_tags,
)

__all__ = ["QueryStrategy", "QueryTags", "StrategyTags", "get_query_tags"]


@dataclass(slots=True)
class QueryTags:
    """Capabilities of a query strategy.

    Parameters
    ----------
    requires_proba : bool, default=True
        The estimator must implement ``predict_proba``.
    requires_proba_samples : bool, default=False
        The estimator must implement ``predict_proba_samples`` (a committee or
        a Bayesian model).
    batch_aware : bool, default=False
        The batch is selected jointly by ``_select``, not as the top-k of a
        pointwise utility.
    pointwise_utility : bool, default=True
        The strategy offers ``utility(X_pool)`` and
        ``query(..., return_utilities=True)``.
    """

    requires_proba: bool = True
    requires_proba_samples: bool = False
    batch_aware: bool = False
    pointwise_utility: bool = True


@dataclass(slots=True)
class StrategyTags(Tags):
    """scikit-learn's :class:`~sklearn.utils.Tags` plus :class:`QueryTags`."""

    query_tags: QueryTags = field(default_factory=QueryTags)


def get_query_tags(strategy) -> QueryTags | None:
    """Return the :class:`QueryTags` of ``strategy``, or ``None`` if it has none."""
    return getattr(get_tags(strategy), "query_tags", None)


def _estimator_has(attr: str):
    """``available_if`` check on the fitted estimator, else the unfitted one."""

    def check(self) -> bool:
        estimator = getattr(self, "estimator_", None)
        if estimator is None:
            estimator = self._get_estimator()
        return hasattr(estimator, attr)

    return check


def _has_pointwise_utility(self) -> bool:
    return get_query_tags(self).pointwise_utility


def _score_chunk(strategy, X, indices, k, salt, keep_utilities, allow_nan):
    """Score one chunk of the pool: its top-k and, if asked, all utilities.

    A module-level function so that any joblib backend can run it. The pool's
    finiteness is left to the estimator, which checks its input anyway (a
    second pass over the pool would cost ~10% of ``predict_proba``); when the
    estimator rejects the chunk, a non-finite pool is reported as such.
    """
    try:
        utilities = np.asarray(strategy._utility(X), dtype=np.float64)
    except ValueError as exc:
        try:
            assert_all_finite(X, allow_nan=allow_nan, input_name="X_pool")
        except ValueError as finite_exc:
            raise finite_exc from exc
        raise
    if utilities.shape != (indices.shape[0],):
        raise ValueError(
            f"{type(strategy).__name__}._utility returned shape "
            f"{utilities.shape} for {indices.shape[0]} samples."
        )
    if np.isnan(utilities).any():
        assert_all_finite(X, allow_nan=allow_nan, input_name="X_pool")
        raise ValueError(
            f"{type(strategy).__name__} computed NaN utilities: does the "
            "estimator's predict_proba return NaN for some pool samples?"
        )
    top = top_k(utilities, indices, k, salt) if k else None
    return top, indices, (utilities if keep_utilities else None)


@fill_doc
class QueryStrategy(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Base class of the query strategies.

    A strategy is a classifier wrapping ``estimator``: ``predict``,
    ``predict_proba`` and ``score`` use the fitted clone ``estimator_``.
    Subclasses implement ``_utility`` (pointwise) or ``_select``
    (batch-aware); see the module docstring.

    Parameters
    ----------
    %(estimator)s
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    %(random_state)s
    %(warm_start)s
    """

    def __init__(
        self,
        estimator=None,
        *,
        batch_size=1,
        chunk_size=None,
        n_jobs=None,
        pool_subsample=None,
        random_state=None,
        warm_start=False,
    ):
        self.estimator = estimator
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.pool_subsample = pool_subsample
        self.random_state = random_state
        self.warm_start = warm_start

    # ------------------------------------------------------------------ hooks
    def _check_params(self) -> None:
        """Validate strategy-specific parameters (called first in ``fit``)."""

    def _fit(self, X, y) -> None:
        """Keep what the strategy needs from the labelled set (after fitting)."""

    def _utility(self, X) -> np.ndarray:
        """Utilities of the samples of one pool chunk, higher is better."""
        raise NotImplementedError  # pragma: no cover - abstract hook

    def _select(self, X, batch_size: int, rng: np.random.RandomState) -> np.ndarray:
        """Indices into ``X`` of the jointly selected batch, best first."""
        raise NotImplementedError  # pragma: no cover - abstract hook

    # ------------------------------------------------------------ estimator
    def _get_estimator(self):
        return LogisticRegression() if self.estimator is None else self.estimator

    def __sklearn_tags__(self) -> StrategyTags:
        tags = inherit_input_tags(super().__sklearn_tags__(), [self._get_estimator()])
        return StrategyTags(
            **{f.name: getattr(tags, f.name) for f in fields(Tags)},
            query_tags=self._query_tags(),
        )

    def _query_tags(self) -> QueryTags:
        return QueryTags()

    def _validate_X(self, X, *, reset: bool, input_name: str = "X", fit_y=None):
        """``validate_data`` with the estimator's sparse and NaN support."""
        if input_name == "X_pool" and check_plain_array(self, X):
            return X
        kwargs = check_array_params(self)
        if reset:
            return validate_data(self, X, fit_y, reset=True, **kwargs)
        if input_name == "X_pool":
            # Finiteness is left to the estimator, see _score_chunk.
            kwargs["ensure_all_finite"] = False
            kwargs["ensure_min_samples"] = 0
        return validate_data(self, X, reset=reset, **kwargs)

    def fit(self, X, y, **fit_params):
        """Fit a clone of the estimator on the labelled samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The labelled samples.
        y : array-like of shape (n_samples,)
            Their labels (at least two classes).
        **fit_params : dict
            Passed to the estimator's ``fit`` (e.g. ``sample_weight``).

        Returns
        -------
        self : object
            The fitted strategy.
        """
        self._check_params()
        estimator = self._get_estimator()
        query_tags = self._query_tags()
        if query_tags.requires_proba:
            check_has_method(estimator, "predict_proba")
        if query_tags.requires_proba_samples:
            check_has_method(estimator, "predict_proba_samples")
        X, y = self._validate_X(X, reset=True, fit_y=y)
        check_classification_targets(y)
        classes = np.unique(y)
        if classes.shape[0] < 2:
            raise ValueError(
                f"y contains only one class ({classes[0]!r}): the labelled set "
                "needs samples of at least 2 classes to fit a classifier."
            )
        if self.warm_start and hasattr(self, "estimator_"):
            self.estimator_.fit(X, y, **fit_params)
        else:
            self.estimator_ = clone(estimator).fit(X, y, **fit_params)
        self.classes_ = getattr(self.estimator_, "classes_", classes)
        self._fit(X, y)
        return self

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(self._validate_X(X, reset=False))

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The estimator's decision function.
        """
        check_is_fitted(self)
        return self.estimator_.decision_function(self._validate_X(X, reset=False))

    def predict(self, X):
        """Predict classes with the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted classes.
        """
        check_is_fitted(self)
        return self.estimator_.predict(self._validate_X(X, reset=False))

    # ---------------------------------------------------------------- query
    @available_if(_has_pointwise_utility)
    def utility(self, X_pool):
        """Informativeness of every pool sample (higher is more informative).

        Scored in chunks of ``chunk_size`` rows, ``n_jobs`` chunks at a time.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)
            The unlabelled pool.

        Returns
        -------
        utilities : ndarray of shape (n_pool,)
            One utility per pool sample.
        """
        X_pool = self._check_pool(X_pool)
        allow_nan = get_tags(self).input_tags.allow_nan
        _, utilities = self._score_pool(X_pool, None, 0, np.uint64(0), True, allow_nan)
        return utilities

    def query(self, X_pool, batch_size=None, *, return_utilities=False):
        """Indices of the pool samples to label next, most informative first.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)
            The unlabelled pool.
        batch_size : int, default=None
            Number of samples to select; ``None`` uses the ``batch_size``
            parameter. Larger than the pool: a
            :class:`~skactive.exceptions.BatchSizeWarning` and the whole pool.
        return_utilities : bool, default=False
            Also return the utility of every pool sample (``NaN`` for samples
            left out by ``pool_subsample``). Only for strategies with a
            pointwise utility.

        Returns
        -------
        indices : ndarray of shape (batch_size,)
            Indices into ``X_pool``, most informative first.
        utilities : ndarray of shape (n_pool,)
            Returned when ``return_utilities=True``.
        """
        X_pool = self._check_pool(X_pool)
        n_pool = _num_samples(X_pool)
        k = check_batch_size(self.batch_size if batch_size is None else batch_size)
        if k > n_pool:
            warnings.warn(
                f"batch_size={k} is larger than the pool ({n_pool} samples): "
                "the whole pool is returned.",
                BatchSizeWarning,
                stacklevel=2,
            )
            k = n_pool
        tags = get_tags(self)
        query_tags, allow_nan = tags.query_tags, tags.input_tags.allow_nan
        if return_utilities and not query_tags.pointwise_utility:
            raise ValueError(
                f"return_utilities=True: {type(self).__name__} selects its batch "
                "jointly and has no pointwise utility."
            )
        rng = check_random_state(self.random_state)
        n_sub = check_pool_subsample(self.pool_subsample, n_pool, k)
        candidates = (
            None if n_sub is None else np.sort(sample_indices(n_pool, n_sub, rng))
        )

        if query_tags.batch_aware:
            X_cand = (
                X_pool if candidates is None else _safe_indexing(X_pool, candidates)
            )
            if is_dask_array(X_cand):  # a joint selection needs it in memory
                X_cand = X_cand.compute()
            assert_all_finite(
                X_cand,
                allow_nan=allow_nan,
                input_name="X_pool",
            )
            selected = np.asarray(self._select(X_cand, k, rng), dtype=np.intp)
            return selected if candidates is None else candidates[selected]

        indices, utilities = self._score_pool(
            X_pool, candidates, k, draw_salt(rng), return_utilities, allow_nan
        )
        return (indices, utilities) if return_utilities else indices

    def _check_pool(self, X_pool):
        check_is_fitted(self)
        if is_dask_array(X_pool):
            check_dask_pool(X_pool, self.n_features_in_, type(self).__name__)
        else:
            X_pool = self._validate_X(X_pool, reset=False, input_name="X_pool")
        if _num_samples(X_pool) == 0:
            raise ValueError("X_pool is empty: there is nothing left to query.")
        return X_pool

    def _score_pool(self, X_pool, candidates, k, salt, keep_utilities, allow_nan):
        """Score the pool chunk by chunk; stream the top-k and/or utilities."""
        n_pool = _num_samples(X_pool)
        n_scored = n_pool if candidates is None else candidates.shape[0]
        n_jobs = effective_n_jobs(self.n_jobs)
        itemsize = getattr(getattr(X_pool, "dtype", None), "itemsize", 8)
        values_per_row = math.prod(X_pool.shape[1:])  # features, or C x H x W
        chunk_size = check_chunk_size(
            self.chunk_size, values_per_row, itemsize, n_rows=n_scored, n_jobs=n_jobs
        )

        def tasks():
            for batch in gen_batches(n_scored, chunk_size):
                if candidates is None:
                    indices = np.arange(batch.start, batch.stop)
                    X_chunk = X_pool[batch]
                else:
                    indices = candidates[batch]
                    X_chunk = _safe_indexing(X_pool, indices)
                yield delayed(_score_chunk)(
                    self, X_chunk, indices, k, salt, keep_utilities, allow_nan
                )

        best = TopK(k, salt) if k else None
        utilities = np.full(n_pool, np.nan) if keep_utilities else None
        # Parallel chunks each get one BLAS/OpenMP thread: nested thread pools
        # oversubscribe the cores (measured 1.3x slower with 2 jobs on 2 cores).
        threads = threadpool_limits(limits=1) if n_jobs > 1 else nullcontext()
        with threads:
            if is_dask_array(X_pool):
                results = score_dask_blocks(
                    _score_chunk, self, X_pool, candidates,
                    k, salt, keep_utilities, allow_nan,
                )  # fmt: skip
            else:
                # A chunk is already a coarse unit of work: joblib's
                # auto-batching would group fast chunks into a few large
                # batches and leave workers idle, so dispatch them one by one.
                results = Parallel(
                    n_jobs=self.n_jobs,
                    prefer="threads",
                    batch_size=1,
                    return_as="generator_unordered",
                )(tasks())
            for top, indices, chunk_utilities in results:
                if best is not None:
                    best.push(*top)
                if keep_utilities:
                    utilities[indices] = chunk_utilities
        return (best.indices if best is not None else None), utilities
