"""Shared pieces of the diversity, density and hybrid strategies.

- parameter checks for ``metric`` and ``uncertainty`` (``embedding`` and real
  numbers are checked by :mod:`skactive.embedding` and ``utils._validation``);
- :class:`_EmbeddingMixin`: stores the labelled set's embedding in ``_fit``
  (computed by :func:`skactive.embedding.get_embedding` from the *fitted*
  ``estimator_``) and embeds pool samples the same way;
- :func:`make_uncertainty_strategy`: the pointwise utility of a pre-filter, a
  measure of :mod:`skactive.measures` (by name, callable or record, scored by
  :class:`UncertaintySampling`) or a pointwise strategy;
- :func:`select_near_centres`: (weighted) k-means on a candidate set, then the
  member nearest each centre, distinct by construction.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator

from .. import measures
from ..base import BaseQueryStrategy, QueryStrategy, QueryTags, get_query_tags
from ..embedding import get_embedding, get_pool_embedding
from ..utils._selection import tie_keys
from ._measure import measure_query_tags
from ._uncertainty import UncertaintySampling

METRICS = ("euclidean", "cosine")


# ------------------------------------------------------------------ checks
def check_metric(metric, name: str = "metric") -> None:
    if not isinstance(metric, str) or metric not in METRICS:
        raise ValueError(f"{name} must be one of {METRICS}, got {metric!r}.")


def check_uncertainty(utility, name: str = "uncertainty") -> None:
    """A measure (name, callable or record) or a pointwise strategy."""
    if isinstance(utility, BaseQueryStrategy):
        if not get_query_tags(utility).pointwise_utility:
            raise ValueError(
                f"{name}={type(utility).__name__}(...) selects its batch jointly "
                "and has no pointwise utility: pass a pointwise strategy such as "
                "MarginSampling() or EntropySampling()."
            )
        return
    is_class = isinstance(utility, type)
    if isinstance(utility, str | measures.Measure) or (
        callable(utility) and not is_class
    ):
        measures.get_measure(utility, name=name)
        return
    got = f"the class {utility.__name__}" if is_class else type(utility).__name__
    raise TypeError(
        f"{name} must be a measure name (one of "
        f"{', '.join(sorted(measures.MEASURES))}), a callable "
        "proba -> utilities, a skactive.measures.Measure or a QueryStrategy "
        f"with a pointwise utility (e.g. MarginSampling()); got {got}."
    )


def uncertainty_query_tags(utility) -> QueryTags:
    """What the estimator must offer for the utility ``utility``."""
    if isinstance(utility, BaseQueryStrategy):
        tags = get_query_tags(utility)
    else:
        tags = measure_query_tags(utility)
    return QueryTags(
        requires_proba=tags.requires_proba,
        requires_proba_samples=tags.requires_proba_samples,
        batch_aware=True,
        pointwise_utility=False,
    )


# ------------------------------------------------------------- utilities
def make_uncertainty_strategy(owner: QueryStrategy, X, y) -> QueryStrategy:
    """The fitted pointwise strategy scoring ``owner.uncertainty`` on the pool.

    A measure (name, callable or record) is scored by
    :class:`UncertaintySampling`; a strategy is cloned. Its estimator is
    ``owner.estimator_`` wrapped in a :class:`~sklearn.frozen.FrozenEstimator`
    (no second fit), and it inherits the owner's ``chunk_size``, ``n_jobs`` and
    ``random_state``, so its scores are chunked and parallel like the owner's.
    """
    utility = owner.uncertainty
    if isinstance(utility, BaseQueryStrategy):
        strategy = clone(utility)
    else:
        # A user's function checks its output with errors naming "uncertainty".
        method = (
            utility
            if isinstance(utility, str)
            else measures.get_measure(utility, name="uncertainty")
        )
        strategy = UncertaintySampling(method=method)
    return fit_over(owner, strategy, X, y, batch_size=1)


def fit_over(owner, strategy, X, y, *, batch_size=None):
    """Fit ``strategy`` (in place) over ``owner``'s fitted model.

    Its estimator becomes ``owner.estimator_`` in a
    :class:`~sklearn.frozen.FrozenEstimator` (no second fit), and it takes
    ``owner``'s ``chunk_size``, ``n_jobs`` and ``random_state`` and
    ``batch_size`` (or the one given), without ``pool_subsample`` or
    ``warm_start``: one model for the strategies a strategy is made of.
    """
    params = {
        "estimator": FrozenEstimator(owner.estimator_),
        "batch_size": owner.batch_size if batch_size is None else batch_size,
        "chunk_size": owner.chunk_size,
        "n_jobs": owner.n_jobs,
        "pool_subsample": None,
        "random_state": owner.random_state,
        "warm_start": False,
    }
    names = strategy.get_params(deep=False)
    strategy.set_params(**{k: v for k, v in params.items() if k in names})
    return strategy.fit(X, y)


# ------------------------------------------------------------- embeddings
class _EmbeddingMixin:
    """Labelled-set embedding in ``_fit``; pool embedding at query time."""

    def _fit_embedding(self, X) -> None:
        # From the fitted estimator_: "transform" and "penultimate" need it.
        self.labelled_embedding_ = np.array(
            get_embedding(self.estimator_, X, self.embedding), dtype=np.float64
        )

    def _embed(self, X) -> np.ndarray:
        return self._check_embedded(get_embedding(self.estimator_, X, self.embedding))

    def _embed_pool(self, pool, *, dense: bool = True):
        """The embedding of a :class:`~skactive.utils.Pool`'s candidate rows
        (a CSR matrix for a sparse embedding when ``dense`` is ``False``)."""
        return self._check_embedded(
            get_pool_embedding(self.estimator_, pool, self.embedding, dense=dense)
        )

    def _check_embedded(self, Z) -> np.ndarray:
        expected = self.labelled_embedding_.shape[1]
        if Z.shape[1] != expected:
            raise ValueError(
                f"embedding returned {Z.shape[1]} dimensions for the pool but "
                f"{expected} for the labelled set: it must be the same map."
            )
        return Z


def normalize_rows(Z: np.ndarray) -> np.ndarray:
    """Rows scaled to unit Euclidean norm (zero rows stay zero), float64."""
    Z = np.asarray(Z, dtype=np.float64)
    norms = np.sqrt(np.einsum("ij,ij->i", Z, Z))
    norms[norms == 0.0] = 1.0
    return Z / norms[:, None]


# --------------------------------------------------------------- k-means
def select_near_centres(
    Z: np.ndarray,
    n_select: int,
    rng: np.random.RandomState,
    salt: np.uint64,
    *,
    sample_weight: np.ndarray | None = None,
    metric: str = "euclidean",
    n_init: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """(Weighted) k-means with ``n_select`` clusters; the member nearest each centre.

    Each cluster contributes the member closest to its centre (ties by tie
    key), so the picks are distinct. A cluster left empty (fewer distinct
    points than clusters) takes the unused point nearest its centre.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_dims)
        Candidates, ``n_samples >= n_select``.
    n_select : int
        Number of clusters and of picks.
    rng : RandomState
        Seeds :class:`~sklearn.cluster.KMeans` (one draw).
    salt : numpy.uint64
        Salt of the tie keys.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the k-means objective.
    metric : {"euclidean", "cosine"}
        ``"cosine"`` clusters the rows scaled to unit norm.
    n_init : int, default=1
        Runs of k-means (the one of lowest inertia is kept).

    Returns
    -------
    picks : ndarray of shape (n_select,)
        Indices into ``Z``, one per cluster, in cluster order.
    sizes : ndarray of shape (n_select,)
        Total ``sample_weight`` (or number of members) of each pick's cluster.
    """
    Z = normalize_rows(Z) if metric == "cosine" else np.asarray(Z, dtype=np.float64)
    seed = rng.randint(np.iinfo(np.int32).max)
    n_samples = Z.shape[0]
    kmeans = KMeans(n_clusters=n_select, n_init=n_init, random_state=seed)
    with warnings.catch_warnings():
        # Fewer distinct points than clusters: handled below.
        warnings.simplefilter("ignore", ConvergenceWarning)
        kmeans.fit(Z, sample_weight=sample_weight)
    labels, centres = kmeans.labels_, kmeans.cluster_centers_
    own = Z - centres[labels]
    d2 = np.einsum("ij,ij->i", own, own)
    keys = tie_keys(np.arange(n_samples), salt)
    order = np.lexsort((keys, d2, labels))
    first = np.ones(n_samples, dtype=bool)
    first[1:] = labels[order][1:] != labels[order][:-1]
    picks = np.full(n_select, -1, dtype=np.intp)
    picks[labels[order][first]] = order[first]
    weights = np.ones(n_samples) if sample_weight is None else sample_weight
    sizes = np.bincount(labels, weights=weights, minlength=n_select)
    empty = np.flatnonzero(picks < 0)
    if empty.shape[0]:
        used = np.zeros(n_samples, dtype=bool)
        used[picks[picks >= 0]] = True
        for c in empty:  # rare: only with duplicated points
            diff = Z - centres[c]
            dist = np.einsum("ij,ij->i", diff, diff)
            dist[used] = np.inf
            tied = np.flatnonzero(dist == dist.min())
            picks[c] = tied[np.argmin(keys[tied])]
            used[picks[c]] = True
    return picks, sizes
