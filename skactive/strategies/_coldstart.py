"""Cold start: a first batch better than random, before any label exists.

Two entry points share one algorithm, TypiClust (Hacohen, Dekel & Weinshall,
2022):

- :func:`cold_start` is a plain function of the unlabelled data. With no
  labels there is no model to fit, so it is deliberately *not* an estimator:
  ``cold_start(X_pool, batch_size)`` returns the indices of the first batch.
- :class:`TypiClust` is the same selection as a query strategy for the
  following rounds, when the labelled set exists: the clusters that already
  hold labelled samples count as covered, so the new batch goes to the
  uncovered ones. Like every strategy it fits (and predicts with) a
  classifier on the labelled set.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state

from ..base import QueryStrategy, QueryTags
from ..embedding import check_embedding, get_embedding
from ..exceptions import BatchSizeWarning
from ..neighbors import NearestNeighborsIndex
from ..utils._compat import _num_samples
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import draw_salt, tie_keys
from ..utils._validation import check_batch_size, check_int, is_raw_input
from ._diversity import _EmbeddingMixin, select_near_centres

__all__ = ["TypiClust", "cold_start"]

# Clusters larger than this are represented by a random sample of this many
# members when typicality is computed (the nearest-neighbour search is
# quadratic in the cluster size).
_MAX_TYPICALITY_POINTS = 10_000
# k-means is fitted on a random sample of at most this many rows (and 100
# rows per cluster); every row is then assigned to its nearest centre. At
# 10^6 x 64 and 500 clusters, MiniBatchKMeans on every row took 17 s, on a
# sample of 50,000 rows 1 s, at the same inertia per row (docs/diversity.md).
_CLUSTER_SAMPLE = 50_000
# Up to this many clusters KMeans is used, MiniBatchKMeans beyond (as in the
# paper's implementation); runs of k-means of each (the best is kept).
_MAX_FULL_KMEANS_CLUSTERS = 50
_N_INIT_KMEANS = 10
_N_INIT_MINIBATCH = 3
METHODS = ("typiclust", "kmeans", "random")


def _sparse_kmeans_plusplus(Z, n_clusters: int, rng, sq_norms=None) -> np.ndarray:
    """Greedy k-means++ seeding of the rows of a CSR matrix (dense centres).

    scikit-learn's seeding (``2 + log k`` trials per centre, the one that
    lowers the potential most is kept), with the distances to the trials
    computed as one sparse-dense product: scikit-learn's own converts the
    whole matrix at each step, which took half of TypiClust's time on a
    5,000-text TF-IDF pool.
    """
    n_samples = Z.shape[0]
    if sq_norms is None:
        sq_norms = np.asarray(Z.multiply(Z).sum(axis=1)).ravel()
    n_trials = 2 + int(np.log(n_clusters))
    centres = np.empty((n_clusters, Z.shape[1]))
    first = rng.randint(n_samples)
    centres[0] = Z[first].toarray().ravel()
    closest = np.maximum(sq_norms - 2 * (Z @ centres[0]) + sq_norms[first], 0.0)
    for c in range(1, n_clusters):
        potential = closest.sum()
        if potential > 0:
            cumulative = np.cumsum(closest)
            trials = np.searchsorted(cumulative, rng.uniform(size=n_trials) * potential)
            trials = np.minimum(trials, n_samples - 1)
        else:  # every row is a centre already: duplicates
            trials = rng.randint(n_samples, size=n_trials)
        T = Z[trials].toarray()
        dist = sq_norms[:, None] - 2 * (Z @ T.T) + sq_norms[trials][None, :]
        np.maximum(dist, 0.0, out=dist)
        np.minimum(dist, closest[:, None], out=dist)
        best = int(np.argmin(dist.sum(axis=0)))
        centres[c] = T[best]
        closest = dist[:, best]
    return centres


def _sparse_kmeans(Z, n_clusters: int, n_init: int, seed: int) -> KMeans:
    """KMeans of a CSR matrix: ``n_init`` runs from our seeding, the best kept."""
    rng = np.random.RandomState(seed)
    sq_norms = np.asarray(Z.multiply(Z).sum(axis=1)).ravel()
    best = None
    for _ in range(n_init):
        centres = _sparse_kmeans_plusplus(Z, n_clusters, rng, sq_norms)
        model = KMeans(
            n_clusters=n_clusters,
            init=centres,
            n_init=1,
            random_state=rng.randint(np.iinfo(np.int32).max),
        ).fit(Z)
        if best is None or model.inertia_ < best.inertia_:
            best = model
    return best


def _sparse_minibatch_kmeans(Z, n_clusters: int, n_init: int, seed: int):
    """MiniBatchKMeans of a CSR matrix, seeded as scikit-learn seeds it.

    ``n_init`` seedings of a random sample of ``max(3 x 1024, 3 k)`` rows
    (scikit-learn's ``init_size``), the one of lowest inertia on its sample
    kept, by our sparse k-means++ (see :func:`_sparse_kmeans_plusplus`).
    """
    rng = np.random.RandomState(seed)
    n_samples = Z.shape[0]
    init_size = min(n_samples, max(3 * 1024, 3 * n_clusters))
    sq_norms = np.asarray(Z.multiply(Z).sum(axis=1)).ravel()
    best, best_inertia = None, np.inf
    for _ in range(n_init):
        sample = rng.choice(n_samples, size=init_size, replace=False)
        centres = _sparse_kmeans_plusplus(Z[sample], n_clusters, rng, sq_norms[sample])
        dist = (
            sq_norms[sample][:, None]
            - 2 * (Z[sample] @ centres.T)
            + np.einsum("ij,ij->i", centres, centres)[None, :]
        )
        inertia = np.maximum(dist.min(axis=1), 0.0).sum()
        if inertia < best_inertia:
            best, best_inertia = centres, inertia
    return MiniBatchKMeans(
        n_clusters=n_clusters,
        init=best,
        n_init=1,
        random_state=rng.randint(np.iinfo(np.int32).max),
    ).fit(Z)


def _cluster(Z, n_clusters: int, seed: int):
    """``(model, labels)``: k-means of the rows of ``Z`` (dense or CSR).

    On more than ``max(_CLUSTER_SAMPLE, 100 n_clusters)`` rows, k-means is
    fitted on a random sample of that many rows and every row is assigned to
    its nearest centre.
    """
    if n_clusters <= _MAX_FULL_KMEANS_CLUSTERS:
        model = KMeans(n_clusters=n_clusters, n_init=_N_INIT_KMEANS, random_state=seed)
    else:
        model = MiniBatchKMeans(
            n_clusters=n_clusters, n_init=_N_INIT_MINIBATCH, random_state=seed
        )
    n_samples = Z.shape[0]
    n_fit = max(_CLUSTER_SAMPLE, 100 * n_clusters)
    sample = None
    if n_samples > n_fit:
        rng = np.random.RandomState(seed)
        sample = np.sort(rng.choice(n_samples, size=n_fit, replace=False))
    Z_fit = Z if sample is None else Z[sample]
    with warnings.catch_warnings():
        # Fewer distinct points than clusters leaves clusters empty: harmless.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if sp.issparse(Z_fit) and isinstance(model, KMeans):
            model = _sparse_kmeans(Z_fit, n_clusters, _N_INIT_KMEANS, seed)
        elif sp.issparse(Z_fit):
            model = _sparse_minibatch_kmeans(Z_fit, n_clusters, _N_INIT_MINIBATCH, seed)
        else:
            model.fit(Z_fit)
    labels = model.labels_ if sample is None else model.predict(Z)
    return model, labels


def _typicality(Z, n_neighbors: int) -> np.ndarray:
    """Mean distance to the ``n_neighbors`` nearest other members (lower = more
    typical; the paper's typicality is its inverse), by exact search."""
    k = min(n_neighbors, Z.shape[0] - 1)
    if k < 1:
        return np.zeros(Z.shape[0])
    index = NearestNeighborsIndex(n_neighbors=k, backend="exact").fit(Z)
    distances, _ = index.kneighbors()
    return distances.mean(axis=1)


def typiclust_select(
    Z: np.ndarray,
    n_select: int,
    rng: np.random.RandomState,
    salt: np.uint64,
    *,
    labelled: np.ndarray | None = None,
    n_neighbors: int = 20,
    max_clusters: int = 500,
    min_cluster_size: int = 5,
) -> np.ndarray:
    """TypiClust: the most typical sample of the largest uncovered clusters.

    The pool is clustered by k-means into ``min(n_labelled + n_select,
    max_clusters)`` clusters (at least ``n_select``, at most the pool);
    labelled samples are assigned to their nearest centre. Each pick takes
    the cluster with the fewest labelled-or-picked samples, then the largest
    (ties by tie key), among clusters of at least ``min_cluster_size``
    members when any is left, and queries its most typical unpicked member:
    the smallest mean distance to its ``n_neighbors`` nearest neighbours in
    the cluster.

    Returns
    -------
    picks : ndarray of shape (n_select,)
        Indices into ``Z``, in the order picked.
    """
    n_samples = Z.shape[0]
    n_labelled = 0 if labelled is None else labelled.shape[0]
    n_clusters = min(n_samples, max(n_select, min(n_labelled + n_select, max_clusters)))
    model, labels = _cluster(Z, n_clusters, rng.randint(np.iinfo(np.int32).max))
    sizes = np.bincount(labels, minlength=n_clusters)
    covered = np.zeros(n_clusters, dtype=np.intp)
    if n_labelled:
        labelled = np.asarray(labelled, dtype=model.cluster_centers_.dtype)
        covered += np.bincount(model.predict(labelled), minlength=n_clusters)
    order = np.argsort(labels, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    remaining = np.minimum(sizes, _MAX_TYPICALITY_POINTS)
    cluster_keys = tie_keys(np.arange(n_clusters), salt)
    cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    picks = []
    for _ in range(n_select):
        available = remaining > 0
        eligible = available & (sizes >= min_cluster_size)
        if not eligible.any():
            eligible = available
        clusters = np.flatnonzero(eligible)
        c = int(
            clusters[
                np.lexsort(
                    (cluster_keys[clusters], -sizes[clusters], covered[clusters])
                )[0]
            ]
        )
        if c not in cache:
            members = order[starts[c] : starts[c + 1]]
            if members.shape[0] > _MAX_TYPICALITY_POINTS:
                members = np.sort(
                    rng.choice(members, size=_MAX_TYPICALITY_POINTS, replace=False)
                )
            cache[c] = (members, _typicality(Z[members], n_neighbors))
        members, spread = cache[c]
        best = np.flatnonzero(spread == spread.min())
        if best.shape[0] > 1:
            best = best[[np.argmin(tie_keys(members[best], salt))]]
        picks.append(int(members[best[0]]))
        spread[best[0]] = np.inf  # picked
        covered[c] += 1
        remaining[c] -= 1
    return np.asarray(picks, dtype=np.intp)


def cold_start(
    X,
    batch_size: int,
    *,
    method: str = "typiclust",
    n_neighbors: int = 20,
    max_clusters: int = 500,
    min_cluster_size: int = 5,
    embedding=None,
    random_state=None,
) -> np.ndarray:
    """Choose the first batch to label, with no labels and no model.

    Model-free selectors that spread the first batch over the data better
    than random sampling, for the very first round of active learning.

    - ``"typiclust"`` (default): k-means into ``batch_size`` clusters (at
      most ``max_clusters``), and in each the most *typical* sample, the one
      with the smallest mean distance to its ``n_neighbors`` nearest
      neighbours in its cluster (Hacohen et al., 2022; the paper's
      typicality is the inverse of this distance). Larger clusters first.
    - ``"kmeans"``: k-means into ``batch_size`` clusters and the sample
      nearest each centre, larger clusters first.
    - ``"random"``: uniform sampling without replacement, the baseline.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples, ...)
        The unlabelled pool.
    batch_size : int
        Number of samples to select. Larger than the pool: a
        :class:`~skactive.exceptions.BatchSizeWarning` and the whole pool.
    method : {"typiclust", "kmeans", "random"}, default="typiclust"
        The selector, see above.
    n_neighbors : int, default=20
        Neighbours of the typicality (TypiClust only).
    max_clusters : int, default=500
        Most clusters of TypiClust (never fewer than ``batch_size``).
    min_cluster_size : int, default=5
        TypiClust skips clusters smaller than this while larger ones remain.
    embedding : None, "raw" or callable, default=None
        Feature space of the clustering: the raw features (``None`` or
        ``"raw"``), or a callable ``f(X) -> ndarray of shape (n_samples,
        n_dims)``, e.g. a pre-trained encoder or ``PCA(...).fit(X).transform``.
    random_state : int, RandomState instance or None, default=None
        Seeds k-means, breaks ties and draws the random baseline. Pass an
        int for reproducible batches.

    Returns
    -------
    indices : ndarray of shape (batch_size,)
        Indices into ``X``, in order of selection (largest cluster first).

    See Also
    --------
    TypiClust : the same selection as a query strategy for later rounds.
    CoreSet : coverage of the pool once labels exist.

    References
    ----------
    .. [1] G. Hacohen, A. Dekel and D. Weinshall, "Active Learning on a
       Budget: Opposite Strategies Suit High and Low Budgets", ICML 2022.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from skactive import cold_start
    >>> X, y = make_blobs(n_samples=300, centers=4, random_state=0)
    >>> idx = cold_start(X, 4, random_state=0)
    >>> sorted(y[idx].tolist())
    [0, 1, 2, 3]
    """
    if embedding is None:
        embedding = "raw"
    if not (callable(embedding) or embedding == "raw"):
        raise ValueError(
            'embedding must be None, "raw" or a callable (cold start has no '
            f"fitted model to take an embedding from), got {embedding!r}."
        )
    if embedding == "raw":  # a callable reads X as it is: texts, sparse...
        if is_raw_input(X):
            raise ValueError(
                "cold_start clusters numbers, and X holds raw samples (texts, "
                "or a DataFrame with text or category columns): give "
                "embedding=a callable that turns them into numbers, e.g. "
                "TfidfVectorizer().fit(X).transform or an encoder."
            )
        X = check_array(X, allow_nd=True, input_name="X")
    n_samples = _num_samples(X)
    k = check_batch_size(batch_size)
    if k > n_samples:
        warnings.warn(
            f"batch_size={k} is larger than X ({n_samples} samples): the whole "
            "pool is returned.",
            BatchSizeWarning,
            stacklevel=2,
        )
        k = n_samples
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    n_neighbors = check_int(n_neighbors, "n_neighbors")
    max_clusters = check_int(max_clusters, "max_clusters")
    min_cluster_size = check_int(min_cluster_size, "min_cluster_size")
    rng = check_random_state(random_state)
    if method == "random":
        return rng.choice(n_samples, size=k, replace=False)
    salt = draw_salt(rng)
    Z = get_embedding(None, X, embedding)
    if method == "kmeans":
        picks, sizes = select_near_centres(Z, k, rng, salt, n_init=_N_INIT_KMEANS)
        return picks[np.lexsort((tie_keys(picks, salt), -sizes))]
    return typiclust_select(
        Z,
        k,
        rng,
        salt,
        n_neighbors=n_neighbors,
        max_clusters=max_clusters,
        min_cluster_size=min_cluster_size,
    )


@fill_doc
class TypiClust(_EmbeddingMixin, QueryStrategy):
    """TypiClust: typical samples of the uncovered clusters (low budgets).

    For small labelling budgets, querying *typical* samples beats querying
    uncertain ones (Hacohen et al., 2022). The pool is clustered by k-means
    into ``min(n_labelled + batch_size, max_clusters)`` clusters (at least
    ``batch_size``); the labelled samples are assigned to their nearest
    centre, so clusters holding them count as covered. Each pick goes to the
    cluster with the fewest labelled-or-picked samples, the largest first
    (among clusters of at least ``min_cluster_size`` members while any is
    left), and queries its most typical member: the smallest mean distance
    to its ``n_neighbors`` nearest neighbours in the cluster (the paper's
    typicality is its inverse). Clusters beyond 10,000 members are
    represented by a random sample of 10,000. KMeans clusters up to 50
    clusters, MiniBatchKMeans more, as in the paper.

    This class needs a labelled set (it fits ``estimator``); for the very
    first batch, before any label, use :func:`cold_start`.

    Parameters
    ----------
    %(estimator)s
        Need not implement ``predict_proba``; used for ``predict`` and for
        the embedding.
    n_neighbors : int, default=20
        Neighbours of the typicality.
    max_clusters : int, default=500
        Most clusters (never fewer than ``batch_size``).
    min_cluster_size : int, default=5
        Clusters smaller than this are skipped while larger ones remain.
    embedding : {"auto", "raw", "transform", "penultimate"} or callable, \
default="auto"
        Feature space of the clustering, through
        :func:`skactive.embedding.get_embedding` with the fitted estimator.
    %(batch_size)s
    chunk_size : int, default=None
        Rows embedded at a time (bounds the memory of the embedding pass);
        the clustering then runs on the whole (sub-sampled) embedding.
    n_jobs : int, default=None
        Chunks of the pool embedded in parallel (joblib); k-means then uses
        scikit-learn's own OpenMP threads.
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Seeds k-means, draws the pool subsample and breaks ties. Pass an int
        for reproducible queries.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    labelled_embedding_ : ndarray of shape (n_labelled, n_dims)
        Embedding of the labelled samples, which mark covered clusters.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    cold_start : the first batch, without labels.
    CoreSet : coverage by greedy k-center.

    References
    ----------
    .. [1] G. Hacohen, A. Dekel and D. Weinshall, "Active Learning on a
       Budget: Opposite Strategies Suit High and Low Budgets", ICML 2022.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import TypiClust
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = TypiClust(LogisticRegression(), batch_size=3, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        n_neighbors=20,
        max_clusters=500,
        min_cluster_size=5,
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
        self.n_neighbors = n_neighbors
        self.max_clusters = max_clusters
        self.min_cluster_size = min_cluster_size
        self.embedding = embedding

    def _query_tags(self) -> QueryTags:
        return QueryTags(
            requires_proba=False, batch_aware=True, pointwise_utility=False
        )

    def _check_params(self) -> None:
        check_int(self.n_neighbors, "n_neighbors")
        check_int(self.max_clusters, "max_clusters")
        check_int(self.min_cluster_size, "min_cluster_size")
        check_embedding(self.embedding)

    def _fit(self, X, y) -> None:
        self._fit_embedding(X)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        salt = draw_salt(rng)
        return typiclust_select(
            self._embed_pool(pool, dense=False),
            batch_size,
            rng,
            salt,
            labelled=self.labelled_embedding_,
            n_neighbors=self.n_neighbors,
            max_clusters=self.max_clusters,
            min_cluster_size=self.min_cluster_size,
        )
