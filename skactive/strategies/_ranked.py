"""Ranked batch-mode sampling (Cardoso et al., 2017).

The batch is built greedily: each pick maximises a mix of dissimilarity to
the labelled samples and the samples already picked, and of uncertainty,

    score(x) = alpha * (1 - sim(x)) + (1 - alpha) * u(x),

with ``sim(x) = 1 / (1 + d(x))``, ``d(x)`` the distance from ``x`` to its
nearest labelled or picked sample. Every candidate's ``d`` is kept exactly
and updated with one blocked pass per pick
(:class:`~._kcenter.NearestDistances`, the plain loop of the core-set
machinery); the utilities ``u`` come from one chunked, parallel pass of the
engine.
"""

from __future__ import annotations

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
    uncertainty_query_tags,
)
from ._kcenter import NearestDistances, warn_if_degenerate

__all__ = ["RankedBatch"]


def ranked_alpha(n_unlabelled: int, n_labelled: int, n_picked: int) -> float:
    """``|U| / (|U| + |L|)`` after ``n_picked`` picks moved from ``U`` to ``L``."""
    return (n_unlabelled - n_picked) / (n_unlabelled + n_labelled)


@fill_doc
class RankedBatch(_EmbeddingMixin, QueryStrategy):
    """Ranked batch-mode sampling: uncertainty against similarity, greedily.

    The batch is built one pick at a time. Each pick is the candidate of
    highest

    .. math::

        \\mathrm{score}(x) = \\alpha \\, (1 - \\mathrm{sim}(x))
        + (1 - \\alpha) \\, u(x), \\qquad
        \\mathrm{sim}(x) = \\frac{1}{1 + \\min_{c \\in L \\cup S} d(x, c)}

    where :math:`u` is the ``uncertainty``, :math:`L` the labelled samples,
    :math:`S` the samples picked so far and :math:`d` the ``metric`` in the
    feature space of ``embedding``. After a pick the sample joins
    :math:`S` (it now counts as labelled, without its label), the
    similarities are updated and the next pick is scored: the batch is
    *ranked*, its order the order of the picks, and samples near a pick
    fall down the ranking.

    With ``alpha="auto"`` (Cardoso et al.'s rule, as modAL implements it)
    :math:`\\alpha = |U| / (|U| + |L|)`, recomputed at every pick as each
    pick moves from the unlabelled set :math:`U` (the candidates, before
    ``pool_subsample``) to :math:`L`: :math:`\\alpha_t = (|U| - t) / (|U| +
    |L|)` at the pick of index :math:`t`. A small labelled set therefore
    favours exploration (dissimilarity), a large one uncertainty. A float
    fixes :math:`\\alpha`: ``alpha=0`` is the top-k of the uncertainty,
    ``alpha=1`` the core-set's greedy k-center (:math:`1 - \\mathrm{sim}` is
    increasing in the distance).

    The two terms are mixed as they are: both lie in ``[0, 1]`` for
    ``"least_confident"`` (the default, as in modAL) and ``"margin"``;
    a measure on another scale (``"entropy"``, in ``[0, log(n_classes)]``)
    weighs more than :math:`\\alpha` says.

    Distances are exact (float64, each pair's value computed from the
    difference of the two rows, so the picks do not depend on ``chunk_size``
    or ``n_jobs``): one blocked pass over the candidates computes their
    distances to the labelled set, then each pick costs one blocked
    matrix-vector product over the candidates. Extra memory is O(n_pool)
    plus blocks; no distance matrix is built.

    Parameters
    ----------
    %(estimator)s
    uncertainty : str, callable, Measure or QueryStrategy, \
default="least_confident"
        The uncertainty :math:`u`: a name of
        :data:`skactive.measures.MEASURES` (``"least_confident"``,
        ``"margin"``, ``"entropy"`` on ``predict_proba``;
        ``"mutual_information"``, ``"vote_entropy"``... on
        ``predict_proba_samples``); a callable
        ``uncertainty(proba) -> utilities`` of shape ``(n_samples,)``; a
        :class:`skactive.measures.Measure`; or a strategy with a pointwise
        utility (e.g. ``MarginSampling()``), whose own estimator is replaced
        by this strategy's fitted ``estimator_``. A measure is scored as by
        ``UncertaintySampling(method=uncertainty)``.
    alpha : "auto" or float, default="auto"
        Weight of the dissimilarity, in ``[0, 1]``; ``"auto"`` is
        :math:`|U| / (|U| + |L|)` updated at every pick, see above.
    metric : {"euclidean", "cosine"}, default="euclidean"
        The distance :math:`d` (``"cosine"`` is ``1 - cos``); the similarity
        is ``1 / (1 + d)`` for both.
    embedding : {"auto", "raw", "transform", "penultimate"} or callable, \
default="auto"
        Feature space of the distances, through
        :func:`skactive.embedding.get_embedding` with the fitted estimator:
        ``"auto"`` is the penultimate layer of a network with ``embed``, the
        transform of a pipeline's steps before its final estimator, else the
        raw features.
    %(batch_size)s
    chunk_size : int, default=None
        Number of pool rows scored at a time by the uncertainty (and rows
        per block of the distance computations, 4096 if ``None``). The
        selected indices do not depend on it.
    n_jobs : int, default=None
        Number of chunks of the uncertainty, and of blocks of the distances
        to the labelled set, computed in parallel (threads). The selected
        indices do not depend on it.
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Breaks ties between equal scores (and draws the pool subsample).
        Pass an int for reproducible queries.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    uncertainty_strategy_ : QueryStrategy
        The fitted pointwise strategy scoring :math:`u` (its estimator is
        ``estimator_``, frozen).
    labelled_embedding_ : ndarray of shape (n_labelled, n_dims)
        Embedding of the labelled samples: :math:`L` at the first pick.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    CoreSet : greedy k-center, the ``alpha=1`` end of this mix.
    UncertaintySampling : the top-k of a measure, the ``alpha=0`` end.
    HybridSampling : uncertainty pre-filter, then a diversity selector.
    InformationDensity : uncertainty weighted by representativeness.

    References
    ----------
    .. [1] T. N. C. Cardoso, R. M. Silva, S. Canuto, M. M. Moro and
       M. A. Gonçalves, "Ranked batch-mode active learning", Information
       Sciences 379, 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import RankedBatch
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = RankedBatch(LogisticRegression(), batch_size=3, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X)
    array([134, 117, 118])
    """

    def __init__(
        self,
        estimator=None,
        *,
        uncertainty="least_confident",
        alpha="auto",
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
        self.alpha = alpha
        self.metric = metric
        self.embedding = embedding

    def _query_tags(self) -> QueryTags:
        return uncertainty_query_tags(self.uncertainty)

    def _check_params(self) -> None:
        check_uncertainty(self.uncertainty)
        if not (isinstance(self.alpha, str) and self.alpha == "auto"):
            if isinstance(self.alpha, str):
                raise ValueError(
                    f'alpha must be "auto" or a float in [0, 1], got {self.alpha!r}.'
                )
            check_real(self.alpha, "alpha", low=0.0, high=1.0)
        check_metric(self.metric)
        check_embedding(self.embedding)

    def _fit(self, X, y) -> None:
        self._fit_embedding(X)
        self.uncertainty_strategy_ = make_uncertainty_strategy(self, X, y)

    def _prepare_query(self, pool: Pool, rng: np.random.RandomState):
        # |U|: the candidates before pool_subsample; and the uncertainty's
        # own per-query state, from every candidate row.
        return pool.n, self.uncertainty_strategy_._prepare_query(pool, rng)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        n_unlabelled, utility_context = context
        salt = draw_salt(rng)
        _, utilities = pool.score_top_k(
            self.uncertainty_strategy_, 0, salt, True, utility_context
        )
        u = utilities[pool.global_indices()]
        nearest = NearestDistances(
            self._embed_pool(pool),
            self.labelled_embedding_,
            self.metric,
            block_rows=self.chunk_size,
            n_jobs=self.n_jobs,
        )
        n_labelled = self.labelled_embedding_.shape[0]
        picked = np.zeros(pool.n, dtype=bool)
        picks = np.empty(batch_size, dtype=np.intp)
        for t in range(batch_size):
            alpha = (
                ranked_alpha(n_unlabelled, n_labelled, t)
                if isinstance(self.alpha, str)
                else float(self.alpha)
            )
            d = nearest.distances()
            if t == 0:
                top = d.max()
                tied = int((d >= top * (1.0 - 1e-9)).sum()) if top > 0 else 0
                warn_if_degenerate(tied, pool.n, batch_size)
            score = d / (1.0 + d)  # 1 - sim
            score *= alpha
            score += (1.0 - alpha) * u
            score[picked] = -np.inf
            tied = np.flatnonzero(score == score.max())
            if tied.shape[0] > 1:
                tied = tied[[np.argmin(tie_keys(pool.global_indices(tied), salt))]]
            picks[t] = tied[0]
            picked[picks[t]] = True
            if t + 1 < batch_size:
                nearest.add_centre(int(picks[t]))
        return picks
