"""Hybrid strategies: an uncertainty pre-filter, then a diversity selector.

The pool is scored by a pointwise utility (any measure of
:mod:`skactive.measures` or any pointwise strategy); the ``ceil(beta * k)``
most informative samples pass the filter; a diversity selector (core-set,
k-means centres, utility-weighted k-means centres, or a callable) picks the
batch of ``k`` among them, in the embedding of the ``embedding`` parameter.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from ..base import QueryStrategy, QueryTags
from ..embedding import check_embedding
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import draw_salt, tie_keys
from ..utils._validation import check_real
from ._diversity import (
    _EmbeddingMixin,
    check_metric,
    check_uncertainty,
    make_uncertainty_strategy,
    select_near_centres,
    uncertainty_query_tags,
)
from ._kcenter import greedy_k_center

__all__ = ["HybridSampling"]

SELECTORS = ("coreset", "kmeans", "weighted_kmeans")


def kmeans_weights(utilities: np.ndarray) -> np.ndarray:
    """Sample weights from utilities: clipped at 0, plus 1e-6 of the largest.

    The small floor keeps every candidate eligible for k-means++ seeding;
    all-zero utilities give uniform weights.
    """
    weights = np.clip(np.asarray(utilities, dtype=np.float64), 0.0, None)
    largest = weights.max() if weights.shape[0] else 0.0
    if not largest > 0.0:
        return np.ones_like(weights)
    return weights + 1e-6 * largest


class _PrefilterStrategy(_EmbeddingMixin, QueryStrategy):
    """Pre-filter the top ``beta * k`` by a utility, then select for diversity."""

    def _get_selector(self):
        return self.selector

    def _query_tags(self) -> QueryTags:
        return uncertainty_query_tags(self.uncertainty)

    def _check_params(self) -> None:
        check_uncertainty(self.uncertainty)
        check_real(self.beta, "beta", low=1.0)
        check_metric(self.metric)
        check_embedding(self.embedding)
        selector = self._get_selector()
        if not callable(selector) and selector not in SELECTORS:
            raise ValueError(
                f"selector must be one of {SELECTORS} or a callable, got {selector!r}."
            )

    def _fit(self, X, y) -> None:
        self._fit_embedding(X)
        self.uncertainty_strategy_ = make_uncertainty_strategy(self, X, y)

    def _prepare_query(self, pool: Pool, rng: np.random.RandomState):
        # the pre-filter's own per-query state, from every candidate row
        return self.uncertainty_strategy_._prepare_query(pool, rng)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        salt = draw_salt(rng)
        n_kept = min(pool.n, math.ceil(self.beta * batch_size))
        (kept_utilities, kept), _ = pool.score_top_k(
            self.uncertainty_strategy_, n_kept, salt, False, context
        )
        kept_local = pool.local_positions(kept)
        if n_kept == batch_size:
            return kept_local
        Z = self._embed(pool.take(kept_local))
        selector = self._get_selector()
        if selector == "coreset":
            chosen = greedy_k_center(
                Z,
                batch_size,
                centres=self.labelled_embedding_,
                metric=self.metric,
                random_state=rng,
                block_rows=self.chunk_size,
            )
        elif selector in ("kmeans", "weighted_kmeans"):
            weights = (
                kmeans_weights(kept_utilities)
                if selector == "weighted_kmeans"
                else None
            )
            chosen, _ = select_near_centres(
                Z, batch_size, rng, salt, sample_weight=weights, metric=self.metric
            )
            # Best first: by utility, ties by tie key.
            chosen = chosen[
                np.lexsort((tie_keys(kept[chosen], salt), -kept_utilities[chosen]))
            ]
        else:
            extra = {}
            if takes_labelled(selector):
                labelled = self.labelled_embedding_.view()
                labelled.flags.writeable = False  # the selector reads it only
                extra["Z_labelled"] = labelled
            chosen = _check_selected(
                selector(Z, kept_utilities, batch_size, rng, **extra),
                batch_size,
                n_kept,
            )
        return kept_local[chosen]


def takes_labelled(selector) -> bool:
    """Whether a callable selector accepts the keyword argument ``Z_labelled``
    (by name, or through ``**kwargs``): the labelled set's embedding is then
    passed to it; a selector of four arguments is called as before."""
    try:
        parameters = inspect.signature(selector).parameters.values()
    except (TypeError, ValueError):  # a callable without a signature
        return False
    return any(
        p.kind is p.VAR_KEYWORD
        or (p.name == "Z_labelled" and p.kind is not p.POSITIONAL_ONLY)
        for p in parameters
    )


def _check_selected(selected, batch_size: int, n_candidates: int) -> np.ndarray:
    selected = np.asarray(selected)
    if (
        selected.shape != (batch_size,)
        or not np.issubdtype(selected.dtype, np.integer)
        or np.unique(selected).shape[0] != batch_size
        or selected.min() < 0
        or selected.max() >= n_candidates
    ):
        raise ValueError(
            f"selector must return {batch_size} distinct integer indices in "
            f"[0, {n_candidates}); got {selected!r}."
        )
    return selected.astype(np.intp)


_HYBRID_DOC_COMMON = """%(batch_size)s
    chunk_size : int, default=None
        Number of pool rows scored at a time by the pre-filter utility (and
        rows per block of the core-set distances). The selected indices do not
        depend on it.
    %(n_jobs)s
    %(pool_subsample)s
    %(random_state)s
        It also seeds k-means.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    uncertainty_strategy_ : QueryStrategy
        The fitted pointwise strategy of the pre-filter (its estimator is
        ``estimator_``, frozen).
    labelled_embedding_ : ndarray of shape (n_labelled, n_dims)
        Embedding of the labelled samples (the initial core-set centres).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.
"""

_UNCERTAINTY_DOC = """uncertainty : str, callable, Measure or QueryStrategy, \
default="margin"
        Informativeness of the pre-filter: a name of
        :data:`skactive.measures.MEASURES` (``"margin"``, ``"entropy"``,
        ``"least_confident"`` on ``predict_proba``; ``"mutual_information"``,
        ``"vote_entropy"``, ``"kl_divergence"``, ``"consensus_entropy"``,
        ``"variation_ratio"``, ``"mean_std"`` on ``predict_proba_samples``);
        a callable ``uncertainty(proba) -> utilities`` of shape
        ``(n_samples,)``, higher meaning more informative; a
        :class:`skactive.measures.Measure`; or a strategy with a pointwise
        utility (e.g. ``EntropySampling()``, ``QueryByCommittee()``,
        ``InformationDensity()``), whose own estimator is replaced by this
        strategy's fitted ``estimator_``. A measure is scored by
        :class:`UncertaintySampling` (``uncertainty_strategy_``), as
        ``UncertaintySampling(method=uncertainty)``."""

_BETA_DOC = """beta : float, default=10
        Pre-filter size factor: the ``ceil(beta * batch_size)`` samples of
        highest utility (at most the pool) are the candidates. ``beta >= 1``;
        with ``beta=1`` the batch is the plain top-k."""

_METRIC_DOC = """metric : {"euclidean", "cosine"}, default="euclidean"
        Distance of the diversity step. With ``"cosine"`` the embeddings are
        scaled to unit norm (k-means then clusters directions)."""

_EMBEDDING_DOC = """embedding : {"auto", "raw", "transform", "penultimate"} or \
callable, default="auto"
        Feature space of the diversity step, through
        :func:`skactive.embedding.get_embedding` with the fitted estimator
        (``"auto"``: a network's penultimate layer, else a pipeline's
        transform, else the raw features). Only the pre-filtered samples are
        embedded."""


# The docstrings of the hybrids (HybridSampling, DiverseMiniBatch).
_fill_hybrid_doc = fill_doc(
    uncertainty=_UNCERTAINTY_DOC,
    beta=_BETA_DOC,
    metric=_METRIC_DOC,
    embedding=_EMBEDDING_DOC,
    hybrid_common=_HYBRID_DOC_COMMON,
)


@_fill_hybrid_doc
class HybridSampling(_PrefilterStrategy):
    """Uncertainty pre-filter, then a diversity selector on top.

    A generic two-stage hybrid: the ``ceil(beta * k)`` most informative pool
    samples under ``uncertainty`` are the candidates, and ``selector`` picks a
    diverse batch of ``k`` among them:

    - ``"coreset"``: greedy k-center over the candidates, the labelled
      samples being the initial centres (uncertainty, then core-set);
    - ``"kmeans"``: k-means with ``k`` clusters over the candidates, the
      candidate nearest each centre (*representative sampling*, Xu et al.
      2003: cluster the most uncertain samples and query the medoids);
    - ``"weighted_kmeans"``: the same with the utilities as k-means sample
      weights (:class:`DiverseMiniBatch`, Zhdanov 2019);
    - a callable ``selector(Z, utilities, k, rng) -> indices`` into the
      candidates' embedding ``Z`` (``k`` distinct indices, best first),
      ``utilities`` being the candidates' utilities (``Z`` and
      ``utilities`` best first) and ``rng`` a seeded
      :class:`numpy.random.RandomState`. A selector that also accepts the
      keyword argument ``Z_labelled`` (``def selector(Z, utilities, k, rng,
      *, Z_labelled)``, or ``**kwargs``) receives the embedding of the
      labelled samples, shape ``(n_labelled, n_dims)``, in the space of
      ``Z`` (``labelled_embedding_``, read-only): the initial centres of a
      coverage criterion, say. The signature is read with
      :func:`inspect.signature` at each query.

    The picks of ``"kmeans"`` and ``"weighted_kmeans"`` are returned by
    decreasing utility; those of ``"coreset"`` in the order picked.

    Parameters
    ----------
    %(estimator)s
    %(uncertainty)s
    selector : {"coreset", "kmeans", "weighted_kmeans"} or callable, \
default="coreset"
        The diversity selector, see above.
    %(beta)s
    %(metric)s
    %(embedding)s
    %(hybrid_common)s
    See Also
    --------
    DiverseMiniBatch : the weighted k-means hybrid of Zhdanov (2019).
    CoreSet : greedy k-center over the whole pool.
    InformationDensity : uncertainty weighted by representativeness.

    References
    ----------
    .. [1] Z. Xu, K. Yu, V. Tresp, X. Xu and J. Wang, "Representative
       Sampling for Text Classification Using Support Vector Machines",
       ECIR 2003.
    .. [2] F. Zhdanov, "Diverse mini-batch Active Learning",
       arXiv:1901.05954, 2019.
    .. [3] O. Sener and S. Savarese, "Active Learning for Convolutional
       Neural Networks: A Core-Set Approach", ICLR 2018.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import HybridSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = HybridSampling(LogisticRegression(), uncertainty="entropy",
    ...                           selector="kmeans", batch_size=3, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        uncertainty="margin",
        selector="coreset",
        beta=10,
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
        self.uncertainty = uncertainty
        self.selector = selector
        self.beta = beta
        self.metric = metric
        self.embedding = embedding
