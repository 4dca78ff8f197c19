"""BADGE: batch active learning by diverse gradient embeddings."""

from __future__ import annotations

import numpy as np

from ..base import QueryStrategy, QueryTags
from ..embedding import check_embedding
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import argmax
from ._fallback import check_fallback, fallback_picks, fit_fallback
from ._last_layer import gradient_factors, gradient_sq_norms

__all__ = ["BADGE", "gradient_sq_distances", "kmeanspp_gradient_embedding"]

# Rows per block of a distance pass: the block's (rows x centres)
# temporaries stay in cache.
_BLOCK_ROWS = 4096
# Entries per block of the two-level sums that D^2 sampling draws from.
_SAMPLE_BLOCK = 1024
# Proposals rejected within one pick before every bound is refreshed.
_MAX_REJECTIONS = 16


def _sq_distances(a, h, g_sq, rows, centres, bias: float) -> np.ndarray:
    """Squared gradient distances of ``rows`` to ``centres``: (rows x centres)."""
    dots = (a[rows] @ a[centres].T).astype(np.float64, copy=False)
    dots *= (h[rows] @ h[centres].T).astype(np.float64, copy=False) + bias
    dist = np.add.outer(g_sq[rows], g_sq[centres])
    dist -= 2.0 * dots
    return np.maximum(dist, 0.0, out=dist)


def gradient_sq_distances(
    a: np.ndarray,
    h: np.ndarray,
    g_sq: np.ndarray,
    center: int,
    *,
    bias: float = 1.0,
) -> np.ndarray:
    r"""Squared distances of every gradient embedding to the ``center``-th.

    :math:`\|g_i - g_c\|^2 = \|g_i\|^2 + \|g_c\|^2 - 2 (a_i \cdot a_c)
    (h_i \cdot h_c + \mathrm{bias})`, computed by blocks of rows from the
    factors; clipped at 0 (rounding).

    Parameters
    ----------
    a : ndarray of shape (n_samples, n_classes)
    h : ndarray of shape (n_samples, n_dims)
    g_sq : ndarray of shape (n_samples,)
        Squared norms ``||a_i||^2 (||h_i||^2 + bias)``.
    center : int
    bias : float, default=1.0

    Returns
    -------
    distances : ndarray of shape (n_samples,)
    """
    out = np.empty(a.shape[0])
    for start in range(0, a.shape[0], _BLOCK_ROWS):
        rows = slice(start, start + _BLOCK_ROWS)
        out[rows] = _sq_distances(a, h, g_sq, rows, [center], bias)[:, 0]
    return out


class _BoundedD2Sampler:
    """Exact D^2 sampling from upper bounds of the distances, refreshed lazily.

    ``bound[i]`` is the squared distance of sample ``i`` to its nearest
    centre among the first ``seen[i]`` centres: an upper bound of its D^2
    (distances only shrink as centres are added). A proposal is drawn with
    probability proportional to the bounds, its bound is brought up to date
    against the centres it has not seen (a few dot products), and it is
    accepted with probability ``D^2 / bound`` -- rejection sampling, so an
    accepted sample is distributed exactly as ``D^2``. When a pick has
    needed ``_MAX_REJECTIONS`` proposals, the stale bounds that carry most
    of the mass are refreshed together against the centres they have not
    seen (blocked matrix products: one read of their factors for many
    centres, where the textbook algorithm reads every factor once per
    centre).
    The bounds are summed by blocks of ``_SAMPLE_BLOCK`` entries, so a draw
    costs O(n / block + block).
    """

    def __init__(self, a, h, g_sq, bias, first: int) -> None:
        self.a, self.h, self.g_sq, self.bias = a, h, g_sq, bias
        n = g_sq.shape[0]
        self.bound = np.full(n, np.inf)
        self.seen = np.zeros(n, dtype=np.intp)
        self.centres = [first]
        self.refreshed = 0  # every bound has seen the centres before this
        self.n_blocks = -(-n // _SAMPLE_BLOCK)
        self.block_sums = np.empty(self.n_blocks)
        self.refresh()

    def refresh(self) -> None:
        """Bring every bound up to date in one pass over the factors."""
        new = self.centres[self.refreshed :]
        for start in range(0, self.bound.shape[0], _BLOCK_ROWS):
            rows = slice(start, start + _BLOCK_ROWS)
            dist = _sq_distances(self.a, self.h, self.g_sq, rows, new, self.bias)
            np.minimum(self.bound[rows], dist.min(axis=1), out=self.bound[rows])
        self.bound[self.centres] = 0.0
        self.seen[:] = self.refreshed = len(self.centres)
        self._sum_blocks(slice(0, self.n_blocks))

    def refresh_heavy(self) -> None:
        """Bring up to date the stale bounds that carry most of the mass.

        The proposals fall where the bounds are large: the stale bounds
        above the mean are refreshed (gathered, against the centres they
        have not seen), which costs a fraction of a full pass when the mass
        is concentrated (most gradients of a fitted model are small). When
        they are half the pool or more, every bound is refreshed instead.
        """
        n_centres = len(self.centres)
        heavy = np.flatnonzero(
            (self.seen < n_centres) & (self.bound >= self.bound.mean())
        )
        if heavy.shape[0] == 0 or 2 * heavy.shape[0] > self.bound.shape[0]:
            self.refresh()
            return
        new = self.centres[int(self.seen[heavy].min()) :]
        for start in range(0, heavy.shape[0], _BLOCK_ROWS):
            rows = heavy[start : start + _BLOCK_ROWS]
            dist = _sq_distances(self.a, self.h, self.g_sq, rows, new, self.bias)
            self.bound[rows] = np.minimum(self.bound[rows], dist.min(axis=1))
        self.seen[heavy] = n_centres
        self._sum_blocks(slice(0, self.n_blocks))

    def _sum_blocks(self, blocks: slice) -> None:
        start, stop = blocks.start * _SAMPLE_BLOCK, blocks.stop * _SAMPLE_BLOCK
        starts = np.arange(0, min(stop, self.bound.shape[0]) - start, _SAMPLE_BLOCK)
        self.block_sums[blocks] = np.add.reduceat(self.bound[start:stop], starts)

    def _set(self, i: int, value: float) -> None:
        self.bound[i] = value
        block = i // _SAMPLE_BLOCK
        self._sum_blocks(slice(block, block + 1))

    def _propose(self, rng: np.random.RandomState) -> int:
        cum = np.cumsum(self.block_sums)
        u = rng.random_sample() * cum[-1]
        block = min(int(np.searchsorted(cum, u, side="right")), self.n_blocks - 1)
        u -= cum[block - 1] if block else 0.0
        start = block * _SAMPLE_BLOCK
        within = np.cumsum(self.bound[start : start + _SAMPLE_BLOCK])
        j = min(int(np.searchsorted(within, u, side="right")), within.shape[0] - 1)
        while j > 0 and self.bound[start + j] == 0.0:  # rounding at a block's end
            j -= 1
        if self.bound[start + j] == 0.0:  # pragma: no cover - u rounded to the end
            return int(np.flatnonzero(self.bound)[-1])
        return start + j

    def sample(self, rng: np.random.RandomState) -> int:
        """Draw the next centre with probability proportional to D^2; add it."""
        rejections = 0
        while True:
            if not self.block_sums.sum() > 0.0:
                if self.refreshed < len(self.centres):
                    self.refresh()
                    continue
                # every remaining point coincides with a centre
                pick = self._uniform_unchosen(rng)
                break
            i = self._propose(rng)
            proposed = self.bound[i]
            if self.seen[i] < len(self.centres):
                unseen = self.centres[self.seen[i] :]
                dist = _sq_distances(self.a, self.h, self.g_sq, [i], unseen, self.bias)
                self.seen[i] = len(self.centres)
                if dist.min() < proposed:
                    self._set(i, dist.min())
                    if rng.random_sample() * proposed >= self.bound[i]:
                        rejections += 1
                        if rejections >= _MAX_REJECTIONS:
                            self.refresh_heavy()
                            rejections = 0
                        continue
            pick = i
            break
        self.centres.append(pick)
        self._set(pick, 0.0)
        self.seen[pick] = len(self.centres)
        return pick

    def _uniform_unchosen(self, rng: np.random.RandomState) -> int:
        chosen = np.zeros(self.bound.shape[0], dtype=bool)
        chosen[self.centres] = True
        return int(rng.choice(np.flatnonzero(~chosen)))


def kmeanspp_gradient_embedding(
    a: np.ndarray,
    h: np.ndarray,
    n_select: int,
    rng: np.random.RandomState,
    *,
    bias: float = 1.0,
    g_sq: np.ndarray | None = None,
) -> np.ndarray:
    r"""k-means++ seeding on gradient embeddings ``g_i = a_i ⊗ [h_i, 1]``.

    The embedding (``n_samples x n_classes·(n_dims+1)``) is never built:
    squared distances come from the factors,

    .. math::

        \|g_i - g_j\|^2 = \|a_i\|^2 \|\tilde h_i\|^2 + \|a_j\|^2 \|\tilde h_j\|^2
        - 2 (a_i \cdot a_j)(\tilde h_i \cdot \tilde h_j),
        \qquad \tilde h = [h, 1].

    The first centre is the sample with the largest gradient norm (ties at
    random), as in Ash et al.; each next one is drawn with probability
    proportional to its squared distance to the nearest centre (:math:`D^2`
    sampling). The draws are exact but the distances are kept lazily: each
    sample holds an upper bound of its :math:`D^2`, proposals are drawn in
    proportion to the bounds and accepted with probability
    :math:`D^2 / \mathrm{bound}` after their bound is brought up to date
    (rejection sampling), and all bounds are refreshed in one blocked pass
    against every new centre only when proposals keep being rejected. The
    factors are read a few times per batch instead of once per pick; memory
    is O(n_samples) beyond the inputs. When every remaining distance is
    zero, the next centre is drawn uniformly among the samples not yet
    chosen.

    Parameters
    ----------
    a : ndarray of shape (n_samples, n_classes)
        First factor, ``p - e_ŷ``.
    h : ndarray of shape (n_samples, n_dims)
        Second factor, the last layer's input (without the bias ``1``).
    n_select : int
        Number of centres, at most ``n_samples``.
    rng : RandomState
        The random generator.
    bias : float, default=1.0
        The constant appended to ``h`` (``1.0`` for a last layer with bias,
        ``0.0`` without).
    g_sq : ndarray of shape (n_samples,), default=None
        The squared gradient norms ``||a_i||^2 (||h_i||^2 + bias)``, if
        already computed.

    Returns
    -------
    indices : ndarray of shape (n_select,)
        The chosen samples, in order of selection.
    """
    if g_sq is None:
        g_sq = gradient_sq_norms(a, h, bias)
    first = argmax(g_sq, rng)
    if n_select == 1:
        return np.array([first], dtype=np.intp)
    sampler = _BoundedD2Sampler(a, h, g_sq, bias, first)
    for _ in range(n_select - 1):
        sampler.sample(rng)
    return np.asarray(sampler.centres, dtype=np.intp)


@fill_doc
class BADGE(QueryStrategy):
    r"""Batch active learning by diverse gradient embeddings (BADGE).

    Each pool sample is represented by the gradient of the loss with respect
    to the model's last layer, *hallucinating* the predicted label
    :math:`\hat y = \arg\max_c p_c`:

    .. math::

        g_i = (p_i - e_{\hat y_i}) \otimes [h_i, 1],

    where :math:`h_i` is the last layer's input and the ``1`` carries the
    bias gradient. Its norm is large where the model is uncertain; its
    direction says how the sample would change the model. The batch is
    chosen by k-means++ seeding on these embeddings (the largest norm first,
    then :math:`D^2` sampling), which trades off uncertainty and diversity
    without any hyper-parameter.

    The gradient embedding has ``n_classes * (n_dims + 1)`` dimensions
    (77,000 for 100 classes and 768 features: 12 GB in float64 for 20,000
    samples); it is never materialised, see
    :func:`kmeanspp_gradient_embedding`.

    Where :math:`h` comes from (``embedding``):

    - an :class:`skactive.deep.MCDropoutClassifier` (or any estimator with
      ``embed``): the penultimate-layer activations;
    - a :class:`~sklearn.pipeline.Pipeline` (e.g. scaler + logistic
      regression): the features after every step but the last, the input of
      the linear model;
    - any other estimator: the raw features, i.e. the gradient of a softmax
      last layer on the input.

    A binary linear model with a single weight vector (binary
    :class:`~sklearn.linear_model.LogisticRegression`) has the gradient
    :math:`(p_1 - 1[\hat y = 1])\,[x, 1]`; the two-column softmax form would
    scale every distance by :math:`\sqrt 2` and pick the same samples.

    Parameters
    ----------
    %(estimator)s
    embedding : str or callable, default="auto"
        The last layer's input :math:`h`: ``"auto"``, ``"raw"``,
        ``"transform"``, ``"penultimate"`` or a callable, see
        :func:`skactive.embedding.get_embedding`.
    fallback : {"margin", None}, default="margin"
        While the model predicts one class for the whole pool (checked on
        up to 2,000 evenly spaced candidates), its gradient embeddings do
        not say what it is unsure of and the :math:`D^2` picks are as good
        as random: ``"margin"`` queries by margin instead, with a
        :class:`~skactive.exceptions.DegenerateModelWarning`, until it
        predicts a second class. ``None``: BADGE in every round.
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Drives the :math:`D^2` sampling, the pool subsample and ties. Pass
        an int for reproducible queries.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during ``fit``.

    See Also
    --------
    ExpectedGradientLength : the expected norm of the same gradient,
        pointwise.
    BatchBALD : a Bayesian batch-aware strategy.

    Notes
    -----
    The probabilities are the estimator's ``predict_proba``: for an
    :class:`skactive.deep.MCDropoutClassifier` the MC average unless it has
    ``mc_predict=False`` (the deterministic network, as in the paper).

    References
    ----------
    .. [1] J. T. Ash, C. Zhang, A. Krishnamurthy, J. Langford and A. Agarwal,
       "Deep Batch Active Learning by Diverse, Uncertain Gradient Lower
       Bounds", ICLR 2020.
    .. [2] D. Arthur and S. Vassilvitskii, "k-means++: the advantages of
       careful seeding", SODA 2007.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import BADGE
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = BADGE(LogisticRegression(), batch_size=5, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (5,)
    """

    def __init__(
        self,
        estimator=None,
        *,
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
        self.embedding = embedding
        self.fallback = fallback

    def _query_tags(self) -> QueryTags:
        return QueryTags(batch_aware=True, pointwise_utility=False)

    def _check_params(self) -> None:
        check_embedding(self.embedding)
        check_fallback(self.fallback)

    def _fit(self, X, y) -> None:
        self._fallback = fit_fallback(self, X, y)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        picks = fallback_picks(
            self, pool, batch_size, rng, unhelpful="gradient embeddings"
        )
        if picks is not None:
            return picks
        a, h, g_sq, bias = gradient_factors(self.estimator_, pool, self.embedding)
        return kmeanspp_gradient_embedding(a, h, batch_size, rng, bias=bias, g_sq=g_sq)
