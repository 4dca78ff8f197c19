"""BADGE: batch active learning by diverse gradient embeddings."""

from __future__ import annotations

import numpy as np

from ..base import QueryStrategy, QueryTags
from ..embedding import check_embedding
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ._last_layer import last_layer

__all__ = ["BADGE", "gradient_sq_distances", "kmeanspp_gradient_embedding"]

# Rows per block of the distance update: the block's temporaries (a few
# vectors of this length) stay in cache.
_BLOCK_ROWS = 65536


def _pick_max(values: np.ndarray, rng: np.random.RandomState) -> int:
    """Index of the maximum, ties broken at random with ``rng``."""
    best = np.flatnonzero(values == values.max())
    return int(best[0]) if best.shape[0] == 1 else int(rng.choice(best))


def gradient_sq_distances(
    a: np.ndarray,
    h: np.ndarray,
    g_sq: np.ndarray,
    center: int,
    *,
    bias: float = 1.0,
    out: np.ndarray | None = None,
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
    out : ndarray of shape (n_samples,), default=None
        Where to write the distances.

    Returns
    -------
    distances : ndarray of shape (n_samples,)
    """
    n_samples = a.shape[0]
    out = np.empty(n_samples) if out is None else out
    a_c, h_c, g_c = a[center], h[center], g_sq[center]
    for start in range(0, n_samples, _BLOCK_ROWS):
        block = slice(start, start + _BLOCK_ROWS)
        dots = (a[block] @ a_c).astype(np.float64, copy=False)
        dots *= (h[block] @ h_c).astype(np.float64, copy=False) + bias
        dist = out[block]
        np.add(g_sq[block], g_c, out=dist)
        dist -= 2.0 * dots
        np.maximum(dist, 0.0, out=dist)
    return out


def kmeanspp_gradient_embedding(
    a: np.ndarray,
    h: np.ndarray,
    n_select: int,
    rng: np.random.RandomState,
    *,
    bias: float = 1.0,
) -> np.ndarray:
    r"""k-means++ seeding on gradient embeddings ``g_i = a_i ⊗ [h_i, 1]``.

    The embedding (``n_samples x n_classes·(n_dims+1)``) is never built:
    squared distances come from the factors,

    .. math::

        \|g_i - g_j\|^2 = \|a_i\|^2 \|\tilde h_i\|^2 + \|a_j\|^2 \|\tilde h_j\|^2
        - 2 (a_i \cdot a_j)(\tilde h_i \cdot \tilde h_j),
        \qquad \tilde h = [h, 1],

    and a running vector of each sample's squared distance to its nearest
    chosen centre is updated after each pick: memory is O(n_samples) beyond
    the inputs, time O(n_select · n_samples · (n_classes + n_dims)).

    The first centre is the sample with the largest gradient norm (ties at
    random), as in Ash et al.; each next one is drawn with probability
    proportional to its squared distance to the nearest centre
    (``rng.choice(n_samples, p=D2 / D2.sum())``). When every remaining
    distance is zero, the next centre is drawn uniformly among the samples
    not yet chosen.

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

    Returns
    -------
    indices : ndarray of shape (n_select,)
        The chosen samples, in order of selection.
    """
    n_samples = a.shape[0]
    a_sq = np.einsum("ij,ij->i", a, a, dtype=np.float64)
    h_sq = np.einsum("ij,ij->i", h, h, dtype=np.float64) + bias
    g_sq = a_sq * h_sq
    chosen = np.zeros(n_samples, dtype=bool)
    order = np.empty(n_select, dtype=np.intp)
    min_dist = np.full(n_samples, np.inf)
    dist = np.empty(n_samples)

    center = _pick_max(g_sq, rng)
    for step in range(n_select):
        if step > 0:
            total = min_dist.sum()
            if total > 0.0:
                center = int(rng.choice(n_samples, p=min_dist / total))
            else:  # all remaining points coincide with a centre
                center = int(rng.choice(np.flatnonzero(~chosen)))
        order[step] = center
        chosen[center] = True
        if step == n_select - 1:
            break
        gradient_sq_distances(a, h, g_sq, center, bias=bias, out=dist)
        np.minimum(min_dist, dist, out=min_dist)
        min_dist[center] = 0.0
    return order


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
        batch_size=1,
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

    def _query_tags(self) -> QueryTags:
        return QueryTags(batch_aware=True, pointwise_utility=False)

    def _check_params(self) -> None:
        check_embedding(self.embedding)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        layer = last_layer(self.estimator_, pool, self.embedding)
        return kmeanspp_gradient_embedding(
            layer.hallucinated_factor(overwrite=True),  # no copy of the pool's p
            layer.embedding,
            batch_size,
            rng,
            bias=layer.bias,
        )
