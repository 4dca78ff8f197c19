"""Core-set selection: greedy k-center over an embedding (Sener & Savarese, 2018).

The algorithm, exact in bounded memory, is :func:`~skactive.greedy_k_center`
(:mod:`._kcenter`); the pool's embedding comes from the engine's chunked,
parallel pass.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from ..base import BaseQueryStrategy, QueryTags
from ..embedding import check_embedding
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ._diversity import _EmbeddingMixin, check_metric
from ._fallback import check_fallback, fallback_picks, fit_fallback
from ._kcenter import greedy_k_center

__all__ = ["CoreSet"]


@fill_doc
class CoreSet(_EmbeddingMixin, BaseQueryStrategy):
    """Core-set selection: greedy k-center over an embedding.

    Each pick is the pool sample farthest from its nearest centre, the
    centres being the labelled samples and the samples already picked
    (Sener & Savarese's greedy 2-approximation of the k-center problem).
    The batch therefore covers the pool: after ``k`` picks every pool sample
    lies within the *covering radius* of a centre, at most twice the best
    radius any ``k`` picks could achieve.

    Distances are measured in the feature space chosen by ``embedding``:
    the raw features, a pipeline's transform, or a network's penultimate
    layer. The selection needs nothing of the model but that embedding, so
    core-set serves classification and regression alike: with a regressor
    it is a regressor (for regression, :class:`GreedySamplingX` is the same
    selection, under the name of the regression literature). The
    computation streams over the pool with O(n_pool) extra memory (no
    distance matrix), in float32 with each pick certified in float64, so
    the picks equal those of exact arithmetic; see
    :func:`greedy_k_center`.

    Parameters
    ----------
    %(any_estimator)s
    metric : {"euclidean", "cosine"}, default="euclidean"
        Distance between embeddings; ``"cosine"`` is ``1 - cos``.
    embedding : {"auto", "raw", "transform", "penultimate"} or callable, \
default="auto"
        Feature space of the distances, through
        :func:`skactive.embedding.get_embedding` with the fitted estimator:
        ``"auto"`` is the penultimate layer of a network with ``embed``, the
        transform of a pipeline's steps before its final estimator, else the
        raw features.
    fallback : {"margin", None}, default="margin"
        With a classifier that predicts one class for the whole pool
        (checked on up to 2,000 evenly spaced candidates), the batch is
        queried by margin instead, with a
        :class:`~skactive.exceptions.DegenerateModelWarning`, until it
        predicts a second class: distances do not find the samples of a
        class the model has not learned yet. ``None``: core-set in every
        round. Regressors and classifiers without ``predict_proba`` never
        fall back.
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
    estimator_ : classifier or regressor
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (with a classifier only).
    labelled_embedding_ : ndarray of shape (n_labelled, n_dims)
        Embedding of the labelled samples: the initial centres.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    greedy_k_center : the selection engine.
    HybridSampling : uncertainty pre-filter, then core-set or clustering.
    TypiClust : typical samples of uncovered clusters, for small budgets.
    GreedySamplingX : the same selection for regression (Wu et al., 2019).

    References
    ----------
    .. [1] O. Sener and S. Savarese, "Active Learning for Convolutional
       Neural Networks: A Core-Set Approach", ICLR 2018.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import CoreSet
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = CoreSet(LogisticRegression(), batch_size=3, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X)
    array([117, 134, 118])
    """

    def __init__(
        self,
        estimator=None,
        *,
        metric="euclidean",
        embedding="auto",
        fallback="margin",
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
        self.metric = metric
        self.embedding = embedding
        self.fallback = fallback

    def _default_estimator(self):
        return LogisticRegression()

    def _query_tags(self) -> QueryTags:
        return QueryTags(
            requires_proba=False, batch_aware=True, pointwise_utility=False
        )

    def _check_params(self) -> None:
        check_metric(self.metric)
        check_embedding(self.embedding)
        check_fallback(self.fallback)

    def _fit(self, X, y) -> None:
        self._fit_embedding(X)
        self._fallback = fit_fallback(self, X, y)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        picks = fallback_picks(
            self, pool, batch_size, rng, unhelpful="distances in this embedding"
        )
        if picks is not None:
            return picks
        return greedy_k_center(
            self._embed_pool(pool),
            batch_size,
            centres=self.labelled_embedding_,
            metric=self.metric,
            random_state=rng,
            block_rows=self.chunk_size,
            n_jobs=self.n_jobs,
        )
