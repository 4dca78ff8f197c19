"""Information density (Settles & Craven, 2008).

The utility of a pool sample is its uncertainty times its representativeness,
the average similarity to the pool raised to ``beta``. The density depends on
the whole pool while the engine scores the pool chunk by chunk, so the
strategy draws its *reference set* once per call of :meth:`query` or
:meth:`utility`, in the engine's per-query preparation hook, and every chunk
is scored against that same set (the hook's ``context``). The utilities,
hence the selected indices, do not depend on ``chunk_size`` or ``n_jobs``.
"""

from __future__ import annotations

import numpy as np

from ..base import QueryStrategy, QueryTags
from ..embedding import check_embedding
from ..neighbors import NearestNeighborsIndex
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import sample_indices
from ..utils._validation import check_int, check_real
from ._diversity import (
    _EmbeddingMixin,
    check_metric,
    check_uncertainty,
    make_uncertainty_strategy,
    normalize_rows,
    uncertainty_query_tags,
)

__all__ = ["InformationDensity"]

_DISTANCE_ELEMENTS = 2**22  # elements of one (chunk x reference) block


def _unit_embedding(X, embed) -> np.ndarray:
    """The rows of ``X`` embedded and scaled to unit norm."""
    return normalize_rows(embed(X))


def _euclidean(Z: np.ndarray, R: np.ndarray, R_sq: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of ``Z`` and ``R``.

    ``||z||^2 + ||r||^2 - 2 z.r`` loses about half the digits of the distance
    between near-identical rows (a sample and itself in the reference set
    would be at ~1e-8 instead of 0), so pairs whose squared distance is
    below 1e-4 of the squared norms are recomputed from their difference.
    """
    Z_sq = np.einsum("ij,ij->i", Z, Z)
    sq_dist = Z @ R.T
    sq_dist *= -2.0
    sq_dist += Z_sq[:, None]
    sq_dist += R_sq[None, :]
    near = Z_sq[:, None] + R_sq[None, :]
    near *= 1e-4
    rows, cols = np.nonzero(sq_dist < near)
    if rows.shape[0]:
        diff = Z[rows] - R[cols]
        sq_dist[rows, cols] = np.einsum("ij,ij->i", diff, diff)
    np.maximum(sq_dist, 0.0, out=sq_dist)
    return np.sqrt(sq_dist, out=sq_dist)


@fill_doc
class InformationDensity(_EmbeddingMixin, QueryStrategy):
    r"""Uncertainty weighted by representativeness (information density).

    .. math::

        \mathrm{utility}(x) = \phi(x) \times \Big(\frac{1}{|R|}
        \sum_{r \in R} \mathrm{sim}(x, r)\Big)^{\beta}

    where :math:`\phi` is the ``uncertainty`` and :math:`R` the
    reference set: the pool, or a random sample of ``n_reference`` pool
    samples when the pool is larger. Outliers, uncertain but unlike the rest
    of the pool, are demoted in favour of uncertain samples from dense
    regions.

    - ``metric="cosine"`` (default, as in the paper): :math:`\mathrm{sim}`
      is the cosine similarity. The mean over :math:`R` is computed exactly
      as :math:`\hat x \cdot \frac{1}{|R|}\sum_r \hat r` (unit vectors), so
      even the whole pool as reference costs one pass. A negative mean
      similarity (possible for centred features) is clipped to 0. On centred
      data every mean cosine is close to 0: prefer ``"euclidean"`` there.
    - ``metric="euclidean"``: :math:`\mathrm{sim} = 1 / (1 + \|x - r\|)`, in
      ``(0, 1]``; costs ``O(n_pool x |R|)`` time.

    With ``n_neighbors`` set, the mean runs over the ``n_neighbors`` nearest
    members of :math:`R` only (a *local* density, the sample itself
    included when it is in :math:`R`), found by
    :class:`~skactive.neighbors.NearestNeighborsIndex` (exact, or
    approximate on large reference sets): with ``n_reference=None`` the
    whole pool is the reference at the cost of a nearest-neighbour search
    instead of ``O(n_pool^2)``.

    The reference set is drawn once per :meth:`query` or :meth:`utility`
    call, from the whole pool (before ``pool_subsample``) with
    ``random_state``, and every chunk is scored against it: the utilities do
    not depend on ``chunk_size`` or ``n_jobs``.

    Parameters
    ----------
    %(estimator)s
    uncertainty : str, callable, Measure or QueryStrategy, default="entropy"
        The uncertainty :math:`\phi`: a name of
        :data:`skactive.measures.MEASURES` (e.g. ``"entropy"``, ``"margin"``,
        ``"least_confident"``, or ``"mutual_information"`` for an estimator
        with ``predict_proba_samples``); a callable
        ``uncertainty(proba) -> utilities`` of shape ``(n_samples,)``; a
        :class:`skactive.measures.Measure`; or a strategy with a pointwise
        utility (e.g. ``MarginSampling()``), whose own estimator is replaced
        by this strategy's fitted ``estimator_``. A measure is scored as by
        ``UncertaintySampling(method=uncertainty)``.
    beta : float, default=1.0
        Weight of the density, ``beta >= 0``; ``0`` is plain uncertainty.
    metric : {"cosine", "euclidean"}, default="cosine"
        Similarity, see above.
    n_reference : int or None, default=1000
        Size of the random reference sample of the pool; the whole pool when
        the pool is not larger, or when ``None``.
    n_neighbors : int or None, default=None
        Average the similarity over the ``n_neighbors`` nearest members of
        the reference set only (``None``: over all of them).
    embedding : str or callable, default="auto"
        Feature space of the similarities: ``"auto"``, ``"raw"``,
        ``"transform"``, ``"penultimate"`` or a callable, through
        :func:`skactive.embedding.get_embedding` with the fitted estimator.
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
        The density is still relative to the whole pool.
    random_state : int, RandomState instance or None, default=None
        Draws the reference sample and the pool subsample, and breaks ties.
        Pass an int for reproducible utilities and queries.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    uncertainty_strategy_ : QueryStrategy
        The fitted pointwise strategy computing :math:`\phi`.
    labelled_embedding_ : ndarray of shape (n_labelled, n_dims)
        Embedding of the labelled samples.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    HybridSampling : uncertainty pre-filter, then a diversity selector.
    CoreSet : pure coverage of the pool.

    References
    ----------
    .. [1] B. Settles and M. Craven, "An Analysis of Active Learning
       Strategies for Sequence Labeling Tasks", EMNLP 2008.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import InformationDensity
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = InformationDensity(LogisticRegression(), metric="euclidean",
    ...                               batch_size=3, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        uncertainty="entropy",
        beta=1.0,
        metric="cosine",
        n_reference=1000,
        n_neighbors=None,
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
        self.uncertainty = uncertainty
        self.beta = beta
        self.metric = metric
        self.n_reference = n_reference
        self.n_neighbors = n_neighbors
        self.embedding = embedding

    def _query_tags(self) -> QueryTags:
        tags = uncertainty_query_tags(self.uncertainty)
        return QueryTags(
            requires_proba=tags.requires_proba,
            requires_proba_samples=tags.requires_proba_samples,
        )

    def _check_params(self) -> None:
        check_uncertainty(self.uncertainty)
        if isinstance(self.uncertainty, InformationDensity):
            raise TypeError(
                "uncertainty cannot be an InformationDensity: pass its uncertainty "
                "measure and combine the densities with beta."
            )
        check_real(self.beta, "beta", low=0.0)
        check_metric(self.metric)
        check_embedding(self.embedding)
        check_int(self.n_reference, "n_reference", allow_none=True)
        check_int(self.n_neighbors, "n_neighbors", allow_none=True)

    def _fit(self, X, y) -> None:
        self._fit_embedding(X)
        self.uncertainty_strategy_ = make_uncertainty_strategy(self, X, y)

    # --------------------------------------------------------- reference
    def _prepare_query(self, pool: Pool, rng: np.random.RandomState):
        """The reference statistic of this query, from the candidate rows.

        Drawn before ``pool_subsample`` (the density is relative to every
        candidate), with the query's generator; the chunks are then scored
        against it, as ``context``.
        """
        reference = pool
        if self.n_reference is not None and pool.n > self.n_reference:
            reference = pool.subset(sample_indices(pool.n, self.n_reference, rng))
        if self.n_neighbors is not None:
            R = np.asarray(reference.map(self._embed), dtype=np.float64)
            index = NearestNeighborsIndex(
                n_neighbors=min(self.n_neighbors, R.shape[0]),
                metric=self.metric,
                n_jobs=self.n_jobs,
                random_state=rng.randint(np.iinfo(np.int32).max),
            ).fit(R)
            return index, self.uncertainty_strategy_._prepare_query(pool, rng)
        if self.metric == "cosine":
            # The mean cosine similarity to R is x_hat . mean(r_hat).
            unit = reference.map(_unit_embedding, self._embed)
            statistic = unit.sum(axis=0) / reference.n
        else:
            R = np.asarray(reference.map(self._embed), dtype=np.float64)
            shift = R.mean(axis=0)
            R -= shift
            statistic = (shift, R, np.einsum("ij,ij->i", R, R))
        # the uncertainty's own per-query state, if it has one
        return statistic, self.uncertainty_strategy_._prepare_query(pool, rng)

    def _density(self, Z, reference) -> np.ndarray:
        if isinstance(reference, NearestNeighborsIndex):
            dist, _ = reference.kneighbors(np.asarray(Z, dtype=np.float64))
            if self.metric == "cosine":  # 1 - cosine distance, clipped at 0
                return np.maximum(1.0 - dist, 0.0).mean(axis=1)
            return (1.0 / (1.0 + dist)).mean(axis=1)
        if self.metric == "cosine":
            return np.maximum(normalize_rows(Z) @ reference, 0.0)
        shift, R, R_sq = reference
        Z = np.asarray(Z, dtype=np.float64) - shift
        total = np.zeros(Z.shape[0])
        step = max(1, _DISTANCE_ELEMENTS // max(1, Z.shape[0]))
        for start in range(0, R.shape[0], step):
            stop = start + step
            dist = _euclidean(Z, R[start:stop], R_sq[start:stop])
            dist += 1.0
            np.reciprocal(dist, out=dist)
            total += dist.sum(axis=1)
        return total / R.shape[0]

    def _utility(self, X, context=None) -> np.ndarray:
        reference, inner = context
        phi = np.asarray(
            self.uncertainty_strategy_._utility(X, inner), dtype=np.float64
        )
        if self.beta == 0:
            return phi
        return phi * self._density(self._embed(X), reference) ** self.beta
