"""Greedy sampling for regression: GSx, GSy and iGS (Wu, Lin & Huang, 2019).

Each pick maximises a distance to the labelled samples and the samples
already picked (a farthest-first traversal); the three strategies differ in
the space of that distance:

- **GSx** (:class:`GreedySamplingX`): the input space, ``|x - x_m|``. This
  is greedy k-center, the selection of :class:`~skactive.CoreSet`:
  :func:`~skactive.greedy_k_center` runs it, exact and in bounded memory.
- **GSy** (:class:`GreedySamplingY`): the output space, ``|f(x) - y_m|``,
  with ``y_m`` the target of a labelled sample and, for a sample picked in
  this batch, its prediction ``f(x_m)`` (its label is not known yet). A
  greedy k-center in one dimension, the same function runs it on the
  predictions, with the labelled targets as the first centres.
- **iGS** (:class:`ImprovedGreedySampling`): the product of the two,
  ``min_m |x - x_m| |f(x) - y_m|``, taken per pair: a sample is far only
  if no labelled (or picked) sample is both near it in the input space and
  near its predicted value. Not a metric, so the lazy k-center bounds do not
  hold; :class:`~._kcenter.NearestDistances` keeps every candidate's exact
  value and updates it with one blocked pass per pick (no distance matrix:
  the labelled set is read in blocks, O(n_pool) memory).

The predictions come from one chunked, parallel pass of the engine
(``Pool.map``), the embedding from :func:`skactive.embedding.get_pool_embedding`.
The paper's first step (GSx until the model can be fitted, when nothing is
labelled) does not arise: a strategy is fitted on labelled samples.
"""

from __future__ import annotations

import numpy as np

from ..base import QueryTags, RegressionQueryStrategy
from ..embedding import check_embedding
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import draw_salt, tie_keys
from ._diversity import _EmbeddingMixin
from ._kcenter import NearestDistances, greedy_k_center

__all__ = ["GreedySamplingX", "GreedySamplingY", "ImprovedGreedySampling"]


def _predict_rows(X, estimator) -> np.ndarray:
    """The estimator's predictions of a chunk, as a flat float64 array."""
    prediction = np.asarray(estimator.predict(X), dtype=np.float64)
    if prediction.ndim == 2 and prediction.shape[1] == 1:
        prediction = prediction[:, 0]
    if prediction.ndim != 1:
        raise ValueError(
            f"{type(estimator).__name__}.predict returned shape "
            f"{prediction.shape}; greedy sampling in the output space needs "
            "one value per sample (a single target)."
        )
    return prediction


def _check_finite(values: np.ndarray, owner) -> None:
    if not np.isfinite(values).all():
        raise ValueError(
            f"{type(owner).__name__}: the estimator predicted NaN or infinite "
            "values for some pool samples."
        )


_EMBEDDING_DOC = """embedding : {"auto", "raw", "transform", "penultimate"} or \
callable, default="auto"
        The input space of the distances, through
        :func:`skactive.embedding.get_embedding` with the fitted estimator:
        ``"auto"`` is the penultimate layer of a network with ``embed``,
        the transform of a pipeline's steps before its final estimator
        (e.g. standardised features), else the raw features."""

_COMMON_ATTRIBUTES = """estimator_ : regressor
        The fitted clone of ``estimator``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names."""

_REFERENCE = """.. [1] D. Wu, C.-T. Lin and J. Huang, "Active learning for regression
       using greedy sampling", Information Sciences 474, 2019."""

_fill = fill_doc(
    greedy_embedding=_EMBEDDING_DOC,
    greedy_attributes=_COMMON_ATTRIBUTES,
    greedy_reference=_REFERENCE,
)


class _GreedySampling(RegressionQueryStrategy):
    """The shared parts: batch-aware, a fitted regressor, no std needed."""

    def _query_tags(self) -> QueryTags:
        return QueryTags(
            requires_proba=False, batch_aware=True, pointwise_utility=False
        )

    def _predictions(self, pool: Pool) -> np.ndarray:
        predictions = pool.map(_predict_rows, self.estimator_)
        _check_finite(predictions, self)
        return predictions


@_fill
class GreedySamplingX(_EmbeddingMixin, _GreedySampling):
    """Greedy sampling in the input space (GSx): the farthest samples first.

    Each pick is the pool sample whose distance to its nearest labelled or
    already picked sample is largest, so the batch spreads over the input
    space where the labelled set is thin. The model plays no part in the
    choice (only, with ``embedding``, in the space of the distances): GSx
    is :class:`CoreSet`'s greedy k-center under its name in the regression
    literature, run by the same exact, bounded-memory
    :func:`~skactive.greedy_k_center`; this class is the regression
    strategy (a regressor, with ``BayesianRidge`` as its default model).

    Parameters
    ----------
    %(regressor)s
    %(greedy_embedding)s
    %(batch_size)s
    chunk_size : int, default=None
        Pool rows per block of the distance computations (4096 if
        ``None``). The selected indices do not depend on it.
    n_jobs : int, default=None
        Number of blocks of the first pass over the pool computed in
        parallel threads. The selected indices do not depend on it.
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Breaks ties between equally distant samples (and draws the pool
        subsample). Pass an int for reproducible queries.
    %(warm_start)s

    Attributes
    ----------
    %(greedy_attributes)s
    labelled_embedding_ : ndarray of shape (n_labelled, n_dims)
        Embedding of the labelled samples: the initial centres.

    See Also
    --------
    GreedySamplingY : greedy sampling in the output space.
    ImprovedGreedySampling : in both spaces at once (iGS).
    CoreSet : the same selection, for any estimator.

    References
    ----------
    %(greedy_reference)s

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skactive import GreedySamplingX
    >>> X, y = load_diabetes(return_X_y=True)
    >>> strategy = GreedySamplingX(batch_size=3, random_state=0)
    >>> strategy.fit(X[:20], y[:20]).query(X[20:]).shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        embedding="auto",
        batch_size=10,
        chunk_size=None,
        n_jobs=None,
        pool_subsample=None,
        random_state=None,
        warm_start=False,
    ):
        super().__init__(
            estimator,
            batch_size=batch_size,
            chunk_size=chunk_size,
            n_jobs=n_jobs,
            pool_subsample=pool_subsample,
            random_state=random_state,
            warm_start=warm_start,
        )
        self.embedding = embedding

    def _check_params(self) -> None:
        check_embedding(self.embedding)

    def _fit(self, X, y) -> None:
        self._fit_embedding(X)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        return greedy_k_center(
            self._embed_pool(pool),
            batch_size,
            centres=self.labelled_embedding_,
            random_state=rng,
            block_rows=self.chunk_size,
            n_jobs=self.n_jobs,
        )


@_fill
class GreedySamplingY(_GreedySampling):
    """Greedy sampling in the output space (GSy): the most novel predictions.

    Each pick is the pool sample whose *predicted* value is farthest from
    the nearest known value: the targets of the labelled samples and, for
    the samples already picked in this batch, their predictions,

    .. math::

        x^* = \\arg\\max_x \\min_m |f(x) - y_m|.

    The batch thus explores the range of the target, where the labelled
    values are sparse (Wu et al.'s GSy), with one prediction per pool
    sample: a greedy k-center in one dimension, run by
    :func:`~skactive.greedy_k_center` on the predictions.

    Parameters
    ----------
    %(regressor)s
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Breaks ties between samples of equally distant predictions (and
        draws the pool subsample). Pass an int for reproducible queries.
    %(warm_start)s

    Attributes
    ----------
    %(greedy_attributes)s
    labelled_targets_ : ndarray of shape (n_labelled,)
        Targets of the labelled samples: the initial centres.

    See Also
    --------
    GreedySamplingX : greedy sampling in the input space.
    ImprovedGreedySampling : in both spaces at once (iGS).

    References
    ----------
    %(greedy_reference)s

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skactive import GreedySamplingY
    >>> X, y = load_diabetes(return_X_y=True)
    >>> strategy = GreedySamplingY(batch_size=3, random_state=0)
    >>> strategy.fit(X[:20], y[:20]).query(X[20:]).shape
    (3,)
    """

    def _fit(self, X, y) -> None:
        self.labelled_targets_ = np.asarray(y, dtype=np.float64)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        return greedy_k_center(
            self._predictions(pool)[:, None],
            batch_size,
            centres=self.labelled_targets_[:, None],
            random_state=rng,
            block_rows=self.chunk_size,
            n_jobs=self.n_jobs,
        )


@_fill
class ImprovedGreedySampling(_EmbeddingMixin, _GreedySampling):
    """Improved greedy sampling (iGS): far in the input and the output space.

    Each pick maximises, over the pool, the smallest *product* of the
    distances in the input space and in the output space to a labelled
    sample or a sample already picked,

    .. math::

        x^* = \\arg\\max_x \\min_m \\|x - x_m\\| \\, |f(x) - y_m|,

    with ``y_m`` the target of a labelled sample and, for a sample picked in
    this batch, its prediction. A sample is far only when no known sample is
    both close to it and close to its predicted value, which balances
    exploring the input space (GSx) and the range of the target (GSy);
    Wu et al. (2019) found it the best of the three.

    Every candidate's exact value is kept (the minimum over the labelled
    samples is computed in blocks, never as a matrix of the pool) and
    updated with one blocked pass per pick, so each pick costs O(n_pool x
    n_dims).

    Parameters
    ----------
    %(regressor)s
    %(greedy_embedding)s
    %(batch_size)s
    chunk_size : int, default=None
        Pool rows per chunk of the predictions and per block of the
        distance computations. The selected indices do not depend on it.
    n_jobs : int, default=None
        Number of chunks predicted (and blocks of the first distance pass
        computed) in parallel threads. The selected indices do not depend
        on it.
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Breaks ties between equally distant samples (and draws the pool
        subsample). Pass an int for reproducible queries.
    %(warm_start)s

    Attributes
    ----------
    %(greedy_attributes)s
    labelled_embedding_ : ndarray of shape (n_labelled, n_dims)
        Embedding of the labelled samples.
    labelled_targets_ : ndarray of shape (n_labelled,)
        Targets of the labelled samples.

    See Also
    --------
    GreedySamplingX : greedy sampling in the input space.
    GreedySamplingY : greedy sampling in the output space.

    References
    ----------
    %(greedy_reference)s

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skactive import ImprovedGreedySampling
    >>> X, y = load_diabetes(return_X_y=True)
    >>> strategy = ImprovedGreedySampling(batch_size=3, random_state=0)
    >>> strategy.fit(X[:20], y[:20]).query(X[20:]).shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        embedding="auto",
        batch_size=10,
        chunk_size=None,
        n_jobs=None,
        pool_subsample=None,
        random_state=None,
        warm_start=False,
    ):
        super().__init__(
            estimator,
            batch_size=batch_size,
            chunk_size=chunk_size,
            n_jobs=n_jobs,
            pool_subsample=pool_subsample,
            random_state=random_state,
            warm_start=warm_start,
        )
        self.embedding = embedding

    def _check_params(self) -> None:
        check_embedding(self.embedding)

    def _fit(self, X, y) -> None:
        self._fit_embedding(X)
        self.labelled_targets_ = np.asarray(y, dtype=np.float64)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        salt = draw_salt(rng)
        nearest = NearestDistances(
            self._embed_pool(pool),
            self.labelled_embedding_,
            "euclidean",
            block_rows=self.chunk_size,
            n_jobs=self.n_jobs,
            values=self._predictions(pool),
            centre_values=self.labelled_targets_,
        )
        picked = np.zeros(pool.n, dtype=bool)
        picks = np.empty(batch_size, dtype=np.intp)
        for t in range(batch_size):
            score = np.where(picked, -np.inf, nearest.sq)
            tied = np.flatnonzero(score == score.max())
            if tied.shape[0] > 1:
                tied = tied[[np.argmin(tie_keys(pool.global_indices(tied), salt))]]
            picks[t] = tied[0]
            picked[picks[t]] = True
            if t + 1 < batch_size:
                nearest.add_centre(int(picks[t]))
        return picks
