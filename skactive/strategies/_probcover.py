"""ProbCover (Yehuda, Dekel, Hacohen & Weinshall, 2022): greedy coverage by balls.

Every pool sample covers the ball of radius ``delta`` around it in the
embedding; the batch is chosen greedily to cover as many not-yet-covered
samples as possible, the labelled samples' balls counting as covered from
the start. ``delta`` is chosen by the paper's purity heuristic (the largest
radius at which a fraction ``alpha`` of the balls hold samples of one k-means
cluster only) or given.

The balls are a sparse radius-neighbour graph built by
:class:`~skactive.neighbors.NearestNeighborsIndex`, a block of queries at a
time: never an n x n matrix. The greedy coverage then costs the graph's
size once (each newly covered sample lowers the degrees of the balls that
hold it) plus one pass over the degrees per pick.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import scipy.sparse as sp

from ..base import QueryStrategy, QueryTags
from ..embedding import check_embedding
from ..neighbors import NearestNeighborsIndex
from ..neighbors._index import BACKENDS
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import draw_salt, tie_keys
from ..utils._validation import check_int, check_real
from ._coldstart import _cluster
from ._diversity import _EmbeddingMixin

__all__ = ["ProbCover", "probcover_select", "purity_delta"]

# Random pool samples whose distance to the nearest sample of another
# cluster estimates the purity (every sample when the pool is not larger).
_PURITY_SAMPLE = 2_000


def purity_delta(Z, n_clusters: int, alpha: float, seed: int, *, n_jobs=None):
    """The largest radius whose balls are pure with probability ``alpha``.

    The samples are clustered by k-means into ``n_clusters`` pseudo-classes.
    The closed ball of radius ``delta`` around ``x`` is *pure* when it holds
    no sample of another cluster, that is when ``delta`` is below ``x``'s
    distance ``d(x)`` to the nearest sample of another cluster. The purity
    ``P(d(x) > delta)`` is estimated on ``_PURITY_SAMPLE`` random samples
    (exact below that many), and the largest ``delta`` with purity
    ``>= alpha`` is the largest float below the ``(1 - alpha)``-quantile of
    ``d`` (the ``(n - ceil(alpha n) + 1)``-th smallest).

    Returns
    -------
    delta : float
    """
    _, labels = _cluster(Z, n_clusters, seed)
    n_samples = Z.shape[0]
    rng = np.random.RandomState(seed)
    if n_samples > _PURITY_SAMPLE:
        sample = np.sort(rng.choice(n_samples, size=_PURITY_SAMPLE, replace=False))
    else:
        sample = np.arange(n_samples)
    other = np.full(sample.shape[0], np.inf)
    for c in np.unique(labels):
        queries = np.flatnonzero(labels[sample] != c)
        if queries.shape[0] == 0:
            continue
        index = NearestNeighborsIndex(n_neighbors=1, backend="exact", n_jobs=n_jobs)
        dist, _ = index.fit(Z[labels == c]).kneighbors(Z[sample[queries]])
        other[queries] = np.minimum(other[queries], dist[:, 0])
    n = sample.shape[0]
    threshold = np.sort(other)[n - math.ceil(alpha * n - 1e-9)]
    if not np.isfinite(threshold):  # a single cluster: every ball is pure
        return np.inf
    return float(np.nextafter(threshold, 0.0))


def probcover_select(
    graph: sp.csr_matrix,
    n_select: int,
    salt: np.uint64,
    *,
    covered: np.ndarray | None = None,
) -> np.ndarray:
    """Greedy max coverage of the balls of ``graph``.

    Parameters
    ----------
    graph : csr_matrix of shape (n_samples, n_samples)
        Symmetric structure without the diagonal: row ``i`` holds the other
        samples of the ball around sample ``i`` (which holds ``i`` too).
    n_select : int
        Number of picks.
    salt : numpy.uint64
        Salt of the tie keys (ties between balls covering as many samples).
    covered : ndarray of bool of shape (n_samples,), default=None
        Samples covered before the first pick (by the labelled samples).

    Returns
    -------
    picks : ndarray of shape (n_select,)
        Sample indices in the order picked: each covers the most samples not
        covered by the labelled samples and the earlier picks; once every
        sample is covered, the remaining picks are random (tie keys).
    """
    n_samples = graph.shape[0]
    covered = np.zeros(n_samples, dtype=bool) if covered is None else covered.copy()
    indptr, indices = graph.indptr, graph.indices
    # uncovered samples in each ball: its row's, and itself
    hits = np.append((~covered[indices]).astype(np.int64), 0)
    degree = np.add.reduceat(hits, indptr[:-1]) * (np.diff(indptr) > 0)
    degree += ~covered
    keys = tie_keys(np.arange(n_samples), salt)
    eligible = np.ones(n_samples, dtype=bool)
    picks = []
    for _ in range(n_select):
        best_degree = degree[eligible].max()
        tied = np.flatnonzero((degree == best_degree) & eligible)
        pick = int(tied[np.argmin(keys[tied])]) if tied.shape[0] > 1 else int(tied[0])
        picks.append(pick)
        eligible[pick] = False
        ball = np.append(indices[indptr[pick] : indptr[pick + 1]], pick)
        new = ball[~covered[ball]]
        if new.shape[0] == 0:
            continue
        covered[new] = True
        # every ball holding a newly covered sample (its neighbours' and its
        # own) covers one sample less
        starts, stops = indptr[new], indptr[new + 1]
        lengths = stops - starts
        holders = indices[
            np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
            + np.arange(lengths.sum())
        ]
        holders = np.concatenate([holders, new])
        if holders.shape[0] > n_samples // 8:
            degree -= np.bincount(holders, minlength=n_samples)
        else:
            np.subtract.at(degree, holders, 1)
    return np.asarray(picks, dtype=np.intp)


@fill_doc
class ProbCover(_EmbeddingMixin, QueryStrategy):
    """ProbCover: greedy coverage of the pool by balls of radius ``delta``.

    For small labelling budgets, Yehuda et al. (2022) choose the samples
    that maximise the *probability coverage* of the data: every sample
    covers the closed ball of radius :math:`\\delta` around it in the
    embedding, and the batch greedily maximises the number of pool samples
    covered by the labelled samples and the batch,

    .. math::

        x_{t+1} = \\arg\\max_x \\big|\\{x' \\in \\text{pool} :
        \\|z(x) - z(x')\\| \\le \\delta\\} \\setminus \\text{covered}_t\\big|,

    the sample whose ball holds the most samples not yet covered (ties
    broken at random, reproducibly). Once every sample is covered, the
    remaining picks are random.

    ``delta="auto"`` takes the paper's purity heuristic: the pool is
    clustered by k-means into ``n_clusters`` pseudo-classes (default: the
    number of classes of the labelled set), and :math:`\\delta` is the
    largest radius at which a fraction ``alpha`` of the balls hold samples
    of one cluster only, estimated on 2,000 random pool samples (every
    sample of a smaller pool).

    The balls are a sparse radius-neighbour graph from
    :class:`~skactive.neighbors.NearestNeighborsIndex` (``backend``: exact,
    or approximate on large pools), built a block of samples at a time,
    never an n x n matrix; its memory is that of its edges (12 bytes each),
    so a ``delta`` whose balls hold a large part of the pool is expensive.

    Parameters
    ----------
    %(estimator)s
        Need not implement ``predict_proba``; used for ``predict`` and for
        the embedding.
    delta : "auto" or float, default="auto"
        Radius of the balls, in the embedding's distance; ``"auto"``: the
        purity heuristic above.
    alpha : float, default=0.95
        Purity of the heuristic, in ``(0, 1]``.
    n_clusters : int, default=None
        Pseudo-classes of the purity heuristic; ``None``: the number of
        classes seen in ``fit`` (at least 2). With one, every ball is pure
        at any radius: a warning, and a random batch.
    embedding : {"auto", "raw", "transform", "penultimate"} or callable, \
default="auto"
        Feature space of the balls, through
        :func:`skactive.embedding.get_embedding` with the fitted estimator.
    backend : {"auto", "exact", "faiss", "hnswlib", "pynndescent"}, \
default="auto"
        Search backend of the radius-neighbour graph (see
        :class:`~skactive.neighbors.NearestNeighborsIndex`).
    %(batch_size)s
    chunk_size : int, default=None
        Rows embedded, and samples searched, at a time.
    n_jobs : int, default=None
        Chunks of the pool embedded in parallel, and threads of the search.
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Seeds k-means and the search, draws the purity sample and the pool
        subsample, and breaks ties. Pass an int for reproducible queries.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    labelled_embedding_ : ndarray of shape (n_labelled, n_dims)
        Embedding of the labelled samples, whose balls are covered.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    TypiClust : typical samples of uncovered clusters, the same budget regime.
    CoreSet : covering radius instead of covered mass.
    skactive.neighbors.NearestNeighborsIndex : the radius search.

    References
    ----------
    .. [1] O. Yehuda, A. Dekel, G. Hacohen and D. Weinshall, "Active Learning
       Through a Covering Lens", NeurIPS 2022.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import ProbCover
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = ProbCover(LogisticRegression(), batch_size=3, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        delta="auto",
        alpha=0.95,
        n_clusters=None,
        embedding="auto",
        backend="auto",
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
        self.delta = delta
        self.alpha = alpha
        self.n_clusters = n_clusters
        self.embedding = embedding
        self.backend = backend

    def _query_tags(self) -> QueryTags:
        return QueryTags(
            requires_proba=False, batch_aware=True, pointwise_utility=False
        )

    def _check_params(self) -> None:
        if not (
            isinstance(self.delta, str) and self.delta == "auto"
        ) and not isinstance(self.delta, numbers.Real):
            raise TypeError(
                f'delta must be "auto" or a non-negative float, got {self.delta!r}.'
            )
        if not isinstance(self.delta, str):
            check_real(self.delta, "delta", low=0.0)
        check_real(self.alpha, "alpha", low=0.0, high=1.0, include_low=False)
        check_int(self.n_clusters, "n_clusters", allow_none=True)
        check_embedding(self.embedding)
        if self.backend not in BACKENDS:
            raise ValueError(
                f"backend must be one of {BACKENDS}, got {self.backend!r}."
            )

    def _fit(self, X, y) -> None:
        self._fit_embedding(X)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        salt = draw_salt(rng)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        Z = self._embed_pool(pool, dense=False)
        if isinstance(self.delta, str):
            n_clusters = self.n_clusters or max(2, len(self.classes_))
            n_clusters = min(n_clusters, Z.shape[0])
            delta = purity_delta(Z, n_clusters, self.alpha, seed, n_jobs=self.n_jobs)
        else:
            delta = float(self.delta)
        if not np.isfinite(delta):
            warnings.warn(
                "ProbCover: every ball is pure at any radius (a single "
                "k-means cluster): the batch is drawn at random.",
                UserWarning,
                stacklevel=2,
            )
            return rng.permutation(Z.shape[0])[:batch_size]
        index = NearestNeighborsIndex(
            radius=delta,
            backend=self.backend,
            chunk_size=self.chunk_size,
            n_jobs=self.n_jobs,
            random_state=seed,
        ).fit(Z)
        graph = index.radius_neighbors(mode="connectivity")
        if index.backend_ != "faiss":  # faiss' self-join is symmetric
            # an approximate search may find a pair one way only, and
            # rounding may split a pair at the radius
            graph = graph.maximum(graph.T).tocsr()
        covered = np.zeros(Z.shape[0], dtype=bool)
        labelled = self.labelled_embedding_
        if labelled.shape[0]:
            balls = index.radius_neighbors(labelled, mode="connectivity")
            covered[balls.indices] = True
        return probcover_select(graph, batch_size, salt, covered=covered)
