"""The query-strategy base classes and the pool-scoring engine.

A strategy is a scikit-learn meta-estimator: ``fit`` trains a clone of its
estimator on the labelled samples, ``query`` returns the indices of the pool
samples to label next. :class:`BaseQueryStrategy` holds everything that does
not depend on the task (the engine, ``fit``'s template, validation) and,
subclassed directly, is whatever its estimator is (a classifier or a
regressor, as a :class:`~sklearn.pipeline.Pipeline` is what its final step
is): model-free strategies (random, core-set) serve both tasks.
:class:`QueryStrategy` is the classification family (``classes_``,
``predict_proba``), :class:`RegressionQueryStrategy` the regression family
(real-valued targets, ``predict(X, return_std=True)``).
Subclasses write only the algorithm, through these hooks:

- ``_utility(X, context)`` for strategies that score samples one by one
  (higher is more informative). The engine scores the pool in chunks, in
  parallel through joblib, and keeps a streaming top-k, so memory is bounded
  by the chunk size.
- ``_select(pool, batch_size, rng, context)`` for batch-aware strategies,
  which choose the batch jointly (their ``query_tags.batch_aware`` is
  ``True``). ``pool`` is a :class:`~skactive.utils.Pool`: its ``map`` gives
  chunked, parallel passes (probabilities, sampled probabilities,
  embeddings) with the same ``chunk_size`` and ``n_jobs``; ``_select``
  returns positions in the pool, the engine maps them to ``X_pool`` rows.
- ``_prepare_query(pool, rng)``, optional: per-query preparation from the
  candidate rows (before ``pool_subsample``), whose result reaches the two
  hooks above as ``context`` (e.g. information density's reference set).

``query`` validates the pool, resolves ``batch_size`` and the candidate rows
(``candidates=``, then ``pool_subsample``), builds the random generator and
selects; it never copies the pool and adds no attributes to the strategy.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, fields

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    clone,
    is_regressor,
)
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import BayesianRidge, LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import (
    ClassifierTags,
    RegressorTags,
    Tags,
    check_random_state,
    get_tags,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_is_fitted,
)

from .exceptions import BatchSizeWarning, QuerySearchWarning
from .utils._compat import _num_samples
from .utils._dask import check_dask_pool, is_dask_array
from .utils._docstrings import fill_doc
from .utils._pool import Pool, check_candidates
from .utils._regression import (
    check_predictive_std,
    check_regression_targets,
    has_predictive_std,
    predict_mean_std,
)
from .utils._search import searched_query_params
from .utils._selection import draw_salt, sample_indices
from .utils._validation import (
    check_batch_size,
    check_has_method,
    check_multiple_classes,
    check_pool_subsample,
    inherit_input_tags,
    validate_samples,
)

__all__ = [
    "BaseQueryStrategy",
    "QueryStrategy",
    "QueryTags",
    "RegressionQueryStrategy",
    "StrategyTags",
    "get_query_tags",
]


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
    required_methods : tuple of str, default=()
        Further methods the estimator must implement (e.g. a regression
        strategy's ``"predict_samples"``).
    requires_std : bool, default=False
        The estimator (a regressor) must give a predictive standard
        deviation: ``predict(X, return_std=True)`` or ``predict_samples``
        (see :func:`skactive.utils.predict_mean_std`).
    """

    requires_proba: bool = True
    requires_proba_samples: bool = False
    batch_aware: bool = False
    pointwise_utility: bool = True
    required_methods: tuple[str, ...] = ()
    requires_std: bool = False

    def methods(self) -> tuple[str, ...]:
        """Every method the estimator must implement."""
        return (
            ("predict_proba",) * self.requires_proba
            + ("predict_proba_samples",) * self.requires_proba_samples
            + tuple(self.required_methods)
        )


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
    return self._query_tags().pointwise_utility


@fill_doc
class BaseQueryStrategy(MetaEstimatorMixin, BaseEstimator):
    """Base class of the query strategies of any task.

    Holds the engine (``query``, ``utility``, candidate rows, chunking,
    parallel passes, tie-breaking) and ``fit``'s template; subclasses
    implement the hooks described in the module docstring. A task family
    pins the task (:class:`QueryStrategy` for classification,
    :class:`RegressionQueryStrategy` for regression); a strategy that
    subclasses this base directly follows its estimator: a classifier makes
    it a classifier (``classes_``, accuracy as ``score``), a regressor a
    regressor (real-valued targets, R² as ``score``), with scikit-learn's
    tags to match.

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
        batch_size=10,
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

    def _is_regression(self) -> bool:
        """Whether the strategy serves a regressor: fixed by a task family's
        mixin, else its estimator's type (classification by default)."""
        if isinstance(self, RegressorMixin):
            return True
        if isinstance(self, ClassifierMixin):
            return False
        try:
            return is_regressor(self._get_estimator())
        except ValueError:  # no estimator and no default: fit reports it
            return False

    def _check_targets(self, y):
        """Validate the targets of the labelled set; return them.

        A classifier's labels: at least two classes, kept as ``classes_``. A
        regressor's targets: real numbers, 1-d, finite.
        """
        if self._is_regression():
            self.__dict__.pop("classes_", None)  # refitted with a regressor
            return check_regression_targets(y)
        check_classification_targets(y)
        classes = np.unique(y)
        check_multiple_classes(classes)
        self.classes_ = classes
        return y

    def _fit(self, X, y) -> None:
        """Keep what the strategy needs from the labelled set (after fitting)."""

    def _prepare_query(self, pool: Pool, rng: np.random.RandomState):
        """Per-query preparation from the candidate rows; the hooks' ``context``."""
        return None

    def _utility(self, X, context=None) -> np.ndarray:
        """Utilities of the samples of one pool chunk, higher is better."""
        raise NotImplementedError  # pragma: no cover - abstract hook

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        """Positions in ``pool`` of the jointly selected batch, best first."""
        raise NotImplementedError  # pragma: no cover - abstract hook

    # ------------------------------------------------------------ estimator
    def _default_estimator(self):
        raise ValueError(
            f"estimator is required: {type(self).__name__} has no default model."
        )

    def _get_estimator(self):
        if self.estimator is None:
            return self._default_estimator()
        if self._needs_members(self.estimator):
            # A scikit-learn ensemble (forest, bagging, voting) is the
            # committee of its fitted members.
            from .committee import EnsembleCommittee, is_committee_ensemble

            if is_committee_ensemble(self.estimator):
                return EnsembleCommittee(self.estimator)
        return self.estimator

    def _needs_members(self, estimator) -> bool:
        """Whether the query tags ask for members that ``estimator`` does not
        expose (sampled probabilities or predictions, a predictive std)."""
        tags = self._query_tags()
        return (
            (
                tags.requires_proba_samples
                and not hasattr(estimator, "predict_proba_samples")
            )
            or (
                "predict_samples" in tags.required_methods
                and not hasattr(estimator, "predict_samples")
            )
            or (tags.requires_std and not has_predictive_std(estimator))
        )

    def __sklearn_tags__(self) -> StrategyTags:
        tags = inherit_input_tags(super().__sklearn_tags__(), [self._get_estimator()])
        if tags.estimator_type is None:  # no task mixin: the estimator's task
            tags.target_tags.required = True
            if self._is_regression():
                tags.estimator_type = "regressor"
                tags.regressor_tags = RegressorTags()
            else:
                tags.estimator_type = "classifier"
                tags.classifier_tags = ClassifierTags()
        return StrategyTags(
            **{f.name: getattr(tags, f.name) for f in fields(Tags)},
            query_tags=self._query_tags(),
        )

    def _query_tags(self) -> QueryTags:
        return QueryTags(requires_proba=False)

    def _validate_X(self, X, *, reset: bool, input_name: str = "X", fit_y=None):
        """Validation with the estimator's input tags; raw samples (texts,
        categories) go to the estimator as they are, see
        :func:`~skactive.utils._validation.validate_samples`."""
        return validate_samples(
            self, X, reset=reset, y=fit_y, pool=input_name == "X_pool"
        )

    def _fit_estimator(self, X, y, **fit_params) -> None:
        """Fit ``estimator_``: a fresh clone, or the same one under warm start."""
        if self.warm_start and hasattr(self, "estimator_"):
            self.estimator_.fit(X, y, **fit_params)
        else:
            self.estimator_ = clone(self._get_estimator()).fit(X, y, **fit_params)
        if hasattr(self, "classes_"):
            # A pre-trained (frozen) model may know more classes than y holds.
            self.classes_ = getattr(self.estimator_, "classes_", self.classes_)

    def fit(self, X, y, **fit_params):
        """Fit a clone of the estimator on the labelled samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The labelled samples.
        y : array-like of shape (n_samples,)
            Their targets (for a classifier, at least two classes).
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
        for method in query_tags.methods():
            check_has_method(estimator, method)
        if query_tags.requires_std:
            check_predictive_std(estimator)
        X, y = self._validate_X(X, reset=True, fit_y=y)
        # What a query needs of the tags, once: a model's tags can cost a
        # deep copy (FrozenEstimator's), a fifth of a 10^4-row query.
        self._allow_nan = get_tags(self).input_tags.allow_nan
        y = self._check_targets(y)
        self._fit_estimator(X, y, **fit_params)
        self._fit(X, y)
        return self

    def predict(self, X):
        """Predict with the fitted estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The estimator's predictions.
        """
        check_is_fitted(self)
        return self.estimator_.predict(self._validate_X(X, reset=False))

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

    def score(self, X, y, sample_weight=None) -> float:
        """The fitted estimator's accuracy (a classifier) or R² (a regressor).

        Like :meth:`QueryStrategy.score`, it issues a
        :class:`~skactive.exceptions.QuerySearchWarning` when a
        model-selection search varies a query parameter.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True labels or targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy or coefficient of determination of ``self.predict(X)``.
        """
        self._warn_if_searched()
        metric = r2_score if self._is_regression() else accuracy_score
        return float(metric(y, self.predict(X), sample_weight=sample_weight))

    def _warn_if_searched(self) -> None:
        """A :class:`QuerySearchWarning` when a search varies query parameters
        and scores them with ``score``, which they do not change."""
        searched = searched_query_params(self)
        if not searched:
            return
        if self._is_regression():
            measure = "the R^2 of its model"
            instead = (
                "Search ActiveLearningRegressor(strategy=...) with scoring="
                'skactive.metrics.make_alc_scorer("neg_root_mean_squared_error") '
                "instead: it runs the active learning loop and scores its "
                "learning curve."
            )
        else:
            measure = "the accuracy of its model"
            instead = (
                "Search ActiveLearningClassifier(strategy=...) with "
                "scoring=skactive.metrics.alc_scorer instead: it runs the "
                "active learning loop and scores its learning curve."
            )
        warnings.warn(
            f"a model-selection search varies {', '.join(searched)} of "
            f"{type(self).__name__}, which changes what it queries, and "
            f"scores each candidate with the strategy's score: {measure}, "
            "which these parameters do not change (every candidate ties and "
            f"the first wins). {instead}",
            QuerySearchWarning,
            stacklevel=3,
        )

    # ---------------------------------------------------------------- query
    @available_if(_has_pointwise_utility)
    def utility(self, X_pool, *, candidates=None):
        """Informativeness of every pool sample (higher is more informative).

        Scored in chunks of ``chunk_size`` rows, ``n_jobs`` chunks at a time.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)
            The pool.
        candidates : array-like of int or bool, default=None
            Rows of ``X_pool`` to score (indices, or a boolean mask); ``None``
            scores every row. The pool is read row by row where needed, never
            copied.

        Returns
        -------
        utilities : ndarray of shape (n_pool,)
            One utility per pool sample; ``NaN`` for rows outside
            ``candidates``.
        """
        X_pool = self._check_pool(X_pool)
        pool = self._pool(X_pool, candidates)
        context = self._prepare_query(pool, check_random_state(self.random_state))
        return pool.score_top_k(self, 0, np.uint64(0), True, context)[1]

    def query(
        self, X_pool, batch_size=None, *, candidates=None, return_utilities=False
    ):
        """Indices of the pool samples to label next, most informative first.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)
            The pool.
        batch_size : int, default=None
            Number of samples to select; ``None`` uses the ``batch_size``
            parameter. Larger than the candidates: a
            :class:`~skactive.exceptions.BatchSizeWarning` and all of them.
        candidates : array-like of int or bool, default=None
            Rows of ``X_pool`` that may be selected (indices, or a boolean
            mask), e.g. a labelling session's unlabelled rows; ``None`` means
            every row. The pool is read chunk by chunk through these rows,
            never copied; ``pool_subsample`` then draws from them.
        return_utilities : bool, default=False
            Also return the utility of every pool sample (``NaN`` for rows
            that were not scored). Only for strategies with a pointwise
            utility.

        Returns
        -------
        indices : ndarray of shape (batch_size,)
            Indices into ``X_pool``, most informative first.
        utilities : ndarray of shape (n_pool,)
            Returned when ``return_utilities=True``.
        """
        X_pool = self._check_pool(X_pool)
        query_tags = self._query_tags()
        if return_utilities and not query_tags.pointwise_utility:
            raise ValueError(
                f"return_utilities=True: {type(self).__name__} selects its batch "
                "jointly and has no pointwise utility."
            )
        pool = self._pool(X_pool, candidates)
        k = check_batch_size(self.batch_size if batch_size is None else batch_size)
        if k > pool.n:
            warnings.warn(
                f"batch_size={k} is larger than the pool ({pool.n} samples to "
                "choose from): all of them are returned.",
                BatchSizeWarning,
                stacklevel=2,
            )
            k = pool.n
        rng = check_random_state(self.random_state)
        context = self._prepare_query(pool, rng)
        n_sub = check_pool_subsample(self.pool_subsample, pool.n, k)
        if n_sub is not None:
            pool = pool.subset(sample_indices(pool.n, n_sub, rng))

        if query_tags.batch_aware:
            local = np.asarray(self._select(pool, k, rng, context), dtype=np.intp)
            return pool.global_indices(local)
        (_, indices), utilities = pool.score_top_k(
            self, k, draw_salt(rng), return_utilities, context
        )
        return (indices, utilities) if return_utilities else indices

    def _check_pool(self, X_pool):
        if not hasattr(self, "estimator_"):  # check_is_fitted, without the tags
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call "
                "'fit' with appropriate arguments before using this estimator."
            )
        if is_dask_array(X_pool):
            check_dask_pool(X_pool, self.n_features_in_, type(self).__name__)
        else:
            X_pool = self._validate_X(X_pool, reset=False, input_name="X_pool")
        if _num_samples(X_pool) == 0:
            raise ValueError("X_pool is empty: there is nothing left to query.")
        return X_pool

    def _pool(self, X_pool, candidates) -> Pool:
        """The candidate rows of the validated ``X_pool``, with this strategy's
        chunking and parallelism."""
        allow_nan = getattr(self, "_allow_nan", None)
        if allow_nan is None:  # fitted by an older version, or fit overridden
            allow_nan = get_tags(self).input_tags.allow_nan
        return Pool(
            X_pool,
            check_candidates(candidates, _num_samples(X_pool)),
            chunk_size=self.chunk_size,
            n_jobs=self.n_jobs,
            allow_nan=allow_nan,
        )


@fill_doc
class QueryStrategy(ClassifierMixin, BaseQueryStrategy):
    """Base class of the classification query strategies.

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

    def _default_estimator(self):
        return LogisticRegression()

    def _query_tags(self) -> QueryTags:
        return QueryTags()

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
        return super().predict(X)

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy of the fitted estimator on ``(X, y)``.

        It does not depend on how the strategy queries: a
        :class:`~sklearn.model_selection.GridSearchCV` that varies a query
        parameter (``method``, ``batch_size``...) and scores with it would
        tie every candidate, so it issues a
        :class:`~skactive.exceptions.QuerySearchWarning`. Search an
        :class:`~skactive.ActiveLearningClassifier` with
        ``scoring=skactive.metrics.alc_scorer`` to compare query parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean accuracy of ``self.predict(X)``.
        """
        self._warn_if_searched()
        return super().score(X, y, sample_weight=sample_weight)


@fill_doc
class RegressionQueryStrategy(RegressorMixin, BaseQueryStrategy):
    """Base class of the regression query strategies.

    A strategy is a regressor wrapping ``estimator``: ``predict`` and
    ``score`` (R²) use the fitted clone ``estimator_``, and
    ``predict(X, return_std=True)`` returns the predictive mean and
    standard deviation of any estimator that gives one (see
    :func:`skactive.utils.predict_mean_std`). The labelled targets must be
    real numbers, 1-d and finite. Subclasses implement ``_utility``
    (pointwise) or ``_select`` (batch-aware), as classification strategies
    do; see the module docstring.

    Parameters
    ----------
    %(regressor)s
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    %(random_state)s
    %(warm_start)s
    """

    def _default_estimator(self):
        return BayesianRidge()

    def _query_tags(self) -> QueryTags:
        return QueryTags(requires_proba=False)

    def predict(self, X, return_std=False):
        """Predict with the fitted estimator, with its uncertainty if asked.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.
        return_std : bool, default=False
            Also return the predictive standard deviation, from the
            estimator's ``predict(X, return_std=True)`` or the spread of its
            ``predict_samples`` (:func:`skactive.utils.predict_mean_std`).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The estimator's predictions (the predictive mean, with
            ``return_std``).
        y_std : ndarray of shape (n_samples,)
            Predictive standard deviation; only with ``return_std=True``.
        """
        if not return_std:
            return super().predict(X)
        check_is_fitted(self)
        return predict_mean_std(self.estimator_, self._validate_X(X, reset=False))

    @available_if(_estimator_has("predict_samples"))
    def predict_samples(self, X):
        """Predictions of every member (or stochastic pass) of the estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        samples : ndarray of shape (n_samples, n_members)
            The estimator's ``predict_samples``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_samples(self._validate_X(X, reset=False))

    def score(self, X, y, sample_weight=None) -> float:
        """R² of the fitted estimator on ``(X, y)``.

        As :meth:`QueryStrategy.score`, it does not depend on how the
        strategy queries, and issues a
        :class:`~skactive.exceptions.QuerySearchWarning` when a
        model-selection search varies a query parameter and scores with it.
        Search an :class:`~skactive.ActiveLearningRegressor` with
        ``scoring=make_alc_scorer("neg_root_mean_squared_error")`` to
        compare query parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Coefficient of determination of ``self.predict(X)``.
        """
        self._warn_if_searched()
        return super().score(X, y, sample_weight=sample_weight)
