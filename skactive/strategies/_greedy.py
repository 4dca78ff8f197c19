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
  near its predicted value. Not a metric, so k-center's triangle-inequality
  pruning does not apply; :func:`improved_greedy_picks` prunes with upper
  bounds instead (see there): exact picks, O(n_pool) memory, no matrix of
  the pool.

The predictions come from one chunked, parallel pass of the engine
(``Pool.map``), the embedding from :func:`skactive.embedding.get_pool_embedding`.
The paper's first step (GSx until the model can be fitted, when nothing is
labelled) does not arise: a strategy is fitted on labelled samples.
"""

from __future__ import annotations

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils import gen_batches
from sklearn.utils.parallel import Parallel, delayed

from ..base import QueryTags, RegressionQueryStrategy
from ..embedding import check_embedding
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import draw_salt, tie_keys
from ._diversity import _EmbeddingMixin
from ._kcenter import _EPS64, _Float32Space, greedy_k_center

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


_WINDOW = 2  # labelled targets around a prediction in iGS's bound pass
_BOUND_ROWS = 512  # pool rows per block of the bound pass (in cache)
_FIRST_ACTIVE = 1024  # fewest points evaluated exactly at the first activation


def _product_bounds(Z, rows, f, sorted_centres, sorted_targets, inflate):
    """Upper bounds of iGS's squared distances for one block of pool rows:
    the exact squared products to the ``_WINDOW`` labelled samples whose
    targets are nearest each row's prediction (a minimum over a subset).

    ``sorted_centres`` and ``sorted_targets`` are the labelled samples in
    the order of their targets.
    """
    Zb = np.asarray(Z[rows], dtype=np.float64)
    fb = f[rows]
    n_centres = sorted_targets.shape[0]
    window = min(_WINDOW, n_centres)
    start = np.searchsorted(sorted_targets, fb) - window // 2
    np.clip(start, 0, n_centres - window, out=start)
    bounds = np.full(fb.shape[0], np.inf)
    for k in range(window):
        diff = Zb - sorted_centres[start + k]
        diff *= diff
        sq = diff.sum(axis=1)
        w = fb - sorted_targets[start + k]
        sq *= w * w
        np.minimum(bounds, sq, out=bounds)
    bounds *= inflate
    return rows, bounds


def _product_to(Z, f, points, pick, pick_row):
    """Exact squared products of the rows ``points`` to the point ``pick``."""
    diff = np.asarray(Z[points], dtype=np.float64) - pick_row
    diff *= diff
    sq = diff.sum(axis=1)
    w = f[points] - f[pick]
    sq *= w * w
    return sq


def improved_greedy_picks(
    Z, f, centres, targets, n_select, salt, *, block_rows=None, n_jobs=None
) -> np.ndarray:
    """Improved greedy sampling's batch: exact picks from upper bounds.

    Each pick maximises ``v(x) = min_c |x - c|^2 (f(x) - t_c)^2`` (the square
    of iGS's distance) over the points not yet picked, the centres ``c``
    being the labelled samples (``t_c`` their targets) and the points picked
    so far (``t_c = f(c)``). Computing ``v`` for every point against every
    labelled sample costs n_pool x n_labelled x n_dims; instead:

    1. **Bounds.** One blocked, parallel pass gives every point an upper
       bound ``u(x) >= v(x)``: its exact product with the labelled samples
       whose targets are just below and just above ``f(x)`` (a sorted
       search), n_pool x 2 x n_dims. The output factor usually decides the minimum
       (distances in many dimensions are alike), so the bound is tight for
       most points; ``v`` only decreases as points are picked, so the bound
       stays valid.
    2. **Lazy exact values.** By decreasing bound, in doubling batches,
       points are first refreshed against the picks their bound has not
       seen (one product each), then, if still above the best exact value,
       evaluated exactly (against every labelled sample, in blocks, pair by
       pair as :meth:`~._kcenter._Float32Space.exact` does, and against the
       picks), until the best exact value is above every bound left: no
       other point can beat or tie it. The evaluated points' values follow
       each pick (one product per point).

    The picks are those of evaluating every point exactly (ties broken by
    the tie keys of ``salt``), whatever ``block_rows`` and ``n_jobs``; in the
    worst case (useless bounds) every point is evaluated once, as a plain
    greedy pass would. Memory: O(n_pool) beyond the embedding, no matrix of
    the pool.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_dims)
        The points (an embedding of the pool); not modified.
    f : ndarray of shape (n_samples,)
        Their predictions.
    centres : ndarray of shape (n_centres, n_dims)
        The labelled samples' embedding.
    targets : ndarray of shape (n_centres,)
        Their targets.
    n_select : int
        Number of picks, at most ``n_samples``.
    salt : numpy.uint64
        Salt of the tie keys.
    block_rows : int, default=None
        Rows per block of the bound pass (512 if ``None``).
    n_jobs : int, default=None
        Blocks of the bound pass computed in parallel threads.

    Returns
    -------
    picks : ndarray of shape (n_select,)
        Indices into ``Z``, in the order picked.
    """
    n_samples = Z.shape[0]
    centres = np.asarray(centres, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    order = np.argsort(targets, kind="stable")
    sorted_centres, sorted_targets = centres[order], targets[order]
    # The bounds are pair values like the exact ones; a relative margin
    # covers any difference in their summation order.
    inflate = 1.0 + 8.0 * (centres.shape[1] + 2) * _EPS64
    step = block_rows or _BOUND_ROWS
    bounds = np.empty(n_samples)
    args = (f, sorted_centres, sorted_targets, inflate)
    blocks = gen_batches(n_samples, step)
    if effective_n_jobs(n_jobs) == 1:  # no joblib machinery for small blocks
        results = (_product_bounds(Z, rows, *args) for rows in blocks)
    else:
        results = Parallel(
            n_jobs=n_jobs, prefer="threads", return_as="generator_unordered"
        )(delayed(_product_bounds)(Z, rows, *args) for rows in blocks)
    for rows, block in results:
        bounds[rows] = block
    space = _Float32Space("euclidean", centres)

    act_idx = np.empty(0, dtype=np.intp)  # points evaluated exactly
    act_v = np.empty(0)  # their current values (-inf once picked)
    seen = np.zeros(n_samples, dtype=np.intp)  # picks in each bound
    picks: list[int] = []
    pick_rows: list[np.ndarray] = []
    while len(picks) < n_select:
        best = act_v.max() if act_v.shape[0] else -np.inf
        n_new = _FIRST_ACTIVE
        while bounds.max() >= best:
            # the largest bounds left (evaluated points have bound -inf)
            n_take = min(n_new, n_samples - act_idx.shape[0])
            new = np.argpartition(bounds, n_samples - n_take)[n_samples - n_take :]
            new = new[bounds[new] > -np.inf]
            n_new *= 2
            # cheapest first: the picks each bound has not seen
            for j in range(int(seen[new].min()), len(picks)):
                stale = new[seen[new] <= j]
                bounds[stale] = np.minimum(
                    bounds[stale], _product_to(Z, f, stale, picks[j], pick_rows[j])
                )
            seen[new] = len(picks)
            new = new[bounds[new] >= best]
            if not new.shape[0]:
                continue
            # then every labelled sample, for the points still in the race
            values = space.exact(
                np.asarray(Z[new], dtype=np.float64), centres, f[new], targets
            )
            for pick, pick_row in zip(picks, pick_rows):
                np.minimum(values, _product_to(Z, f, new, pick, pick_row), out=values)
            bounds[new] = -np.inf
            act_idx = np.concatenate([act_idx, new])
            act_v = np.concatenate([act_v, values])
            best = act_v.max()
        tied = np.flatnonzero(act_v == best)
        if tied.shape[0] > 1:
            tied = tied[[np.argmin(tie_keys(act_idx[tied], salt))]]
        position = int(tied[0])
        pick = int(act_idx[position])
        picks.append(pick)
        pick_rows.append(np.asarray(Z[pick], dtype=np.float64))
        act_v[position] = -np.inf
        if len(picks) < n_select:
            live = np.flatnonzero(act_v > -np.inf)
            act_v[live] = np.minimum(
                act_v[live], _product_to(Z, f, act_idx[live], pick, pick_rows[-1])
            )
    return np.asarray(picks, dtype=np.intp)


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

    The picks are exact, in O(n_pool) memory and without a matrix of the
    pool: every sample gets an upper bound from the two labelled samples
    whose targets are just below and just above its prediction, and only
    the samples whose bound can still win are evaluated against every
    labelled sample (the bounds are refreshed by the picks first). The
    picks are those of evaluating every sample, whatever ``chunk_size`` and
    ``n_jobs``.

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
        return improved_greedy_picks(
            self._embed_pool(pool),
            self._predictions(pool),
            self.labelled_embedding_,
            self.labelled_targets_,
            batch_size,
            draw_salt(rng),
            block_rows=self.chunk_size,
            n_jobs=self.n_jobs,
        )
