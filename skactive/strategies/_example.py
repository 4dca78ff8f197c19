"""Query by example: the unlabelled neighbours of given samples.

Given examples (validation samples the model gets wrong, samples a person
marks), the batch is their nearest candidates in the strategy's embedding,
taken in turns so that every example gets a share of the batch.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from ..base import BaseQueryStrategy, QueryTags
from ..embedding import check_embedding, get_embedding, get_pool_embedding
from ..neighbors._refined import NeighborIndex
from ..utils._compat import _num_samples
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import draw_salt, tie_keys
from ..utils._validation import check_int
from ._diversity import (
    check_metric,
    check_uncertainty,
    make_uncertainty_strategy,
    uncertainty_query_tags,
)

__all__ = ["QueryByExample"]


def round_robin(rankings: list[np.ndarray], n_select: int, n_pool: int) -> np.ndarray:
    """Picks in turns: each ranking in order gives its best candidate not
    picked yet, until ``n_select`` picks.

    Parameters
    ----------
    rankings : list of ndarray of int
        One ranking of positions per example, best first; each must hold at
        least ``n_select`` distinct positions (then it never runs out).
    n_select : int
        Number of picks.
    n_pool : int
        Positions are in ``[0, n_pool)``.

    Returns
    -------
    picks : ndarray of shape (n_select,)
        In the order picked: the first pick of every ranking, then the
        second...
    """
    picked = np.zeros(n_pool, dtype=bool)
    pointers = [0] * len(rankings)
    out: list[int] = []
    while len(out) < n_select:
        for e, ranking in enumerate(rankings):
            if len(out) == n_select:
                break
            p = pointers[e]
            while picked[ranking[p]]:
                p += 1
            picked[ranking[p]] = True
            out.append(int(ranking[p]))
            pointers[e] = p + 1
    return np.asarray(out, dtype=np.intp)


@fill_doc
class QueryByExample(BaseQueryStrategy):
    """Query by example: the unlabelled neighbours of given samples.

    Given ``examples`` (validation samples the model gets wrong, samples a
    person marks as interesting), each query returns their nearest
    candidates in the feature space of ``embedding``, **in turns**: the
    nearest candidate of the first example, then of the second, ..., then
    the second nearest of each, skipping candidates already picked, so
    that every example gets a share of the batch (``ceil(batch_size /
    n_examples)`` at most) and no single example takes it all. With more
    examples than ``batch_size``, the first ``batch_size`` examples get one
    candidate each: give the examples in order of priority.

    With ``uncertainty``, the ``n_neighbors`` nearest candidates of each
    example are taken most uncertain first (by the fitted model), then the
    farther ones by distance: among the neighbours of a failure, those the
    model is least sure about. Without it (the default), the selection
    needs nothing of the model but its embedding, and serves
    classification and regression alike.

    The neighbours are exact (distances in float64; ties between equally
    distant candidates broken by the random tie keys of the engine). The
    pool's embedding comes from one chunked, parallel pass; each example's
    search keeps only its nearest ``max(batch_size, n_neighbors)``
    candidates, so memory is O(n_pool + n_examples * batch_size) beyond
    the embedding.

    Parameters
    ----------
    %(any_estimator)s
    examples : array-like of shape (n_examples, n_features), default=None
        The examples, as samples (rows with the features of ``X``, or
        whatever the estimator reads: texts for a text pipeline). Stored as
        given, checked at each query (required, with the number of
        features seen in ``fit``). Pool rows are examples too:
        ``examples=X_pool[rows]``.
    uncertainty : None, str, callable, Measure or QueryStrategy, default=None
        ``None``: each example's candidates in order of distance. Else the
        uncertainty that orders each example's ``n_neighbors`` nearest
        candidates (a classifier only): a name of
        :data:`skactive.measures.MEASURES` (``"margin"``, ``"entropy"``...),
        a callable ``proba -> utilities``, a
        :class:`~skactive.measures.Measure`, or a strategy with a pointwise
        utility, scored with this strategy's fitted ``estimator_``.
    n_neighbors : int, default=10
        Size of each example's neighbourhood ordered by ``uncertainty``
        (unused without it).
    metric : {"euclidean", "cosine"}, default="euclidean"
        Distance between embeddings; ``"cosine"`` is ``1 - cos``.
    embedding : {"auto", "raw", "transform", "penultimate"} or callable, \
default="auto"
        Feature space of the distances, through
        :func:`skactive.embedding.get_embedding` with the fitted estimator:
        ``"auto"`` is the penultimate layer of a network with ``embed``, the
        transform of a pipeline's steps before its final estimator, else the
        raw features.
    %(batch_size)s
    %(chunk_size)s
    n_jobs : int, default=None
        Number of chunks of the pool embedded in parallel (joblib), and
        parallel jobs of the neighbour search. The selected indices do not
        depend on it.
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Breaks ties between equally distant (or equally uncertain)
        candidates, and draws the pool subsample. Pass an int for
        reproducible queries.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier or regressor
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (with a classifier only).
    uncertainty_strategy_ : QueryStrategy
        The fitted pointwise strategy scoring ``uncertainty`` (its estimator
        is ``estimator_``, frozen); only with ``uncertainty``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    skactive.datacentric.find_label_issues : labelled samples whose label
        looks wrong.
    skactive.datacentric.DistanceToLabelled : how far pool samples are from
        the labelled ones.
    CoreSet : the candidates farthest from the labelled samples.

    References
    ----------
    .. [1] C. Coleman, E. Chou, J. Katz-Samuels, S. Culatana, P. Bailis,
       A. C. Berg, R. Nowak, R. Sumbaly, M. Zaharia and I. Z. Yalniz,
       "Similarity Search for Efficient Active Learning and Search of Rare
       Concepts", AAAI 2022 (queries restricted to the nearest neighbours
       of the labelled examples of a rare concept).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import QueryByExample
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = QueryByExample(LogisticRegression(), examples=X[[70, 130]],
    ...                           batch_size=4, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X, candidates=range(1, 150, 2))
    array([127, 107, 149, 125])
    """

    def __init__(
        self,
        estimator=None,
        *,
        examples=None,
        uncertainty=None,
        n_neighbors=10,
        metric="euclidean",
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
        self.examples = examples
        self.uncertainty = uncertainty
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.embedding = embedding

    def _default_estimator(self):
        return LogisticRegression()

    def _query_tags(self) -> QueryTags:
        if self.uncertainty is None:
            return QueryTags(
                requires_proba=False, batch_aware=True, pointwise_utility=False
            )
        return uncertainty_query_tags(self.uncertainty)

    def _check_params(self) -> None:
        if self.examples is None:
            raise ValueError(
                "examples is required: the samples whose unlabelled neighbours "
                "to query (e.g. validation samples the model gets wrong), one "
                "row per example, with the features of X."
            )
        if self.uncertainty is not None:
            check_uncertainty(self.uncertainty)
        check_int(self.n_neighbors, "n_neighbors")
        check_metric(self.metric)
        check_embedding(self.embedding)

    def _fit(self, X, y) -> None:
        if self.uncertainty is None:
            self.__dict__.pop("uncertainty_strategy_", None)
            return
        if self._is_regression():
            raise ValueError(
                "uncertainty orders the neighbours by a classifier's "
                "probabilities; with a regressor, leave uncertainty=None."
            )
        self.uncertainty_strategy_ = make_uncertainty_strategy(self, X, y)

    def _embedded_examples(self) -> np.ndarray:
        """The examples, checked against ``fit`` and embedded."""
        if self.examples is None:
            self._check_params()
        try:
            examples = self._validate_X(self.examples, reset=False)
        except ValueError as exc:
            raise ValueError(f"examples: {exc}") from None
        if _num_samples(examples) == 0:
            raise ValueError("examples is empty: give at least one example.")
        return get_embedding(self.estimator_, examples, self.embedding)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        Ze = self._embedded_examples()
        Z = get_pool_embedding(self.estimator_, pool, self.embedding)
        if Z.shape[1] != Ze.shape[1]:
            raise ValueError(
                f"embedding returned {Z.shape[1]} dimensions for the pool but "
                f"{Ze.shape[1]} for the examples: it must be the same map."
            )
        salt = draw_salt(rng)
        n_near = self.n_neighbors if self.uncertainty is not None else 0
        depth = min(pool.n, max(batch_size, n_near))
        index = NeighborIndex(Z, metric=self.metric, n_jobs=self.n_jobs)
        distances, near = index.kneighbors(Ze, depth)
        keys = tie_keys(pool.global_indices(near.ravel()), salt).reshape(near.shape)
        order = np.lexsort((keys, distances), axis=1)
        near = np.take_along_axis(near, order, axis=1)
        distances = np.take_along_axis(distances, order, axis=1)
        keys = np.take_along_axis(keys, order, axis=1)
        n_near = min(n_near, depth)
        if n_near > 1:
            positions, inverse = np.unique(near[:, :n_near], return_inverse=True)
            utilities = np.asarray(
                self.uncertainty_strategy_.utility(pool.take(positions)),
                dtype=np.float64,
            )[inverse.reshape(near.shape[0], n_near)]
            head = np.lexsort(
                (keys[:, :n_near], distances[:, :n_near], -utilities), axis=1
            )
            near[:, :n_near] = np.take_along_axis(near[:, :n_near], head, axis=1)
        return round_robin(list(near), batch_size, pool.n)
