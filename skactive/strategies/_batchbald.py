"""BatchBALD: greedy joint mutual information of a batch (Kirsch et al., 2019)."""

from __future__ import annotations

import numbers
from contextlib import contextmanager

import numpy as np
from scipy.special import entr

from ..base import QueryStrategy, QueryTags
from ..committee import Committee
from ..embedding import unwrap_estimator
from ..utils._compat import _num_samples
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import argmax
from ..utils._validation import check_int, check_proba_samples

__all__ = ["BatchBALD", "batchbald_select"]

# Elements of the (configurations x candidates x classes) block whose
# entropy is taken at once: 4 Mi float32, 16 MiB per temporary.
_BLOCK_ELEMENTS = 2**22
_TINY32 = np.finfo(np.float32).tiny


def _conditional_entropies(
    posterior: np.ndarray,
    weights: np.ndarray,
    proba_km: np.ndarray,
    n_classes: int,
) -> np.ndarray:
    r"""``sum_m w_m H[q_m^{(i)}]`` for every candidate ``i``.

    ``q_m^{(i)}(c) = sum_k posterior[k, m] p_k(c | x_i)`` is the predictive
    distribution of candidate ``i`` given the batch's ``m``-th label
    configuration. All candidates at once, as one matrix product per block
    of candidates, in float32.

    Parameters
    ----------
    posterior : ndarray of shape (n_members, n_configs)
        Posterior over the members given each configuration (columns sum to 1).
    weights : ndarray of shape (n_configs,)
        Probability of each configuration (exact) or ``1/M`` (sampled).
    proba_km : ndarray of shape (n_members, n_samples * n_classes), float32
        The pool's probabilities, member-major.
    n_classes : int

    Returns
    -------
    entropies : ndarray of shape (n_samples,)
    """
    n_configs = posterior.shape[1]
    n_samples = proba_km.shape[1] // n_classes
    post_t = np.ascontiguousarray(posterior.T, dtype=np.float32)
    weights32 = weights.astype(np.float32)
    rows = max(1, _BLOCK_ELEMENTS // (n_configs * n_classes))
    out = np.empty(n_samples)
    for start in range(0, n_samples, rows):
        stop = min(n_samples, start + rows)
        q = post_t @ proba_km[:, start * n_classes : stop * n_classes]
        qlogq = np.maximum(q, _TINY32)  # 0 log 0 = 0, without warnings
        np.log(qlogq, out=qlogq)
        qlogq *= q
        plogp = (weights32 @ qlogq).reshape(stop - start, n_classes)
        out[start:stop] = -plogp.sum(axis=1, dtype=np.float64)
    return out


def _add_to_batch(
    posterior: np.ndarray,
    weights: np.ndarray,
    proba_point: np.ndarray,
    n_configurations: int,
    sampled: bool,
    rng: np.random.RandomState,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Extend the batch's label configurations with one more point.

    Exact while the number of configurations stays at most
    ``n_configurations``: every configuration is split by the new point's
    label. Beyond, ``n_configurations`` configurations are drawn from the
    exact joint and from then on each is extended by one label drawn from
    its own predictive distribution (ancestral sampling of the joint).

    Parameters
    ----------
    posterior : ndarray of shape (n_members, n_configs)
    weights : ndarray of shape (n_configs,)
    proba_point : ndarray of shape (n_members, n_classes)
        The new point's probabilities under every member.
    n_configurations : int
    sampled : bool
        Whether the configurations are already sampled.
    rng : RandomState

    Returns
    -------
    posterior, weights, sampled
    """
    n_members, n_classes = proba_point.shape
    if sampled:
        predictive = posterior.T @ proba_point  # (n_configs, n_classes)
        cdf = np.cumsum(predictive, axis=1)
        draws = rng.random_sample(cdf.shape[0]) * cdf[:, -1]
        labels = np.minimum((cdf <= draws[:, None]).sum(axis=1), n_classes - 1)
        posterior = posterior * proba_point[:, labels]
        posterior /= posterior.sum(axis=0)
        return posterior, weights, True
    joint = posterior[:, :, None] * proba_point[:, None, :]  # (K, M, C)
    predictive = joint.sum(axis=0)  # q_m(c): the new label given config m
    new_weights = (weights[:, None] * predictive).ravel()
    joint /= np.where(predictive > 0.0, predictive, 1.0)
    posterior = joint.reshape(n_members, -1)
    keep = new_weights > 0.0
    if not keep.all():
        posterior, new_weights = posterior[:, keep], new_weights[keep]
    new_weights /= new_weights.sum()
    if new_weights.shape[0] <= n_configurations:
        return posterior, new_weights, False
    drawn = rng.choice(new_weights.shape[0], size=n_configurations, p=new_weights)
    return posterior[:, drawn], np.full(n_configurations, 1.0 / n_configurations), True


def _proba_samples(X, estimator) -> np.ndarray:
    return check_proba_samples(estimator.predict_proba_samples(X), _num_samples(X))


@contextmanager
def _fixed_members(estimator, rng: np.random.RandomState):
    """Fix a stochastic model's members for the duration of a query.

    ``predict_proba_samples`` of an MC-Dropout network draws its members
    (dropout masks) from ``random_state`` at every call: unless that is an
    int, two chunks of the pool would see different networks. The model
    (through a ``FrozenEstimator`` or a ``Pipeline``) is given an int seed
    drawn from the query's generator, and its own ``random_state`` back
    afterwards. A committee's members are fixed once fitted; a seeded
    network's too.
    """
    model = unwrap_estimator(estimator, final=True)
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    if "random_state" not in params or isinstance(
        params["random_state"], numbers.Integral
    ):
        yield
        return
    model.set_params(random_state=int(rng.randint(np.iinfo(np.int32).max)))
    try:
        yield
    finally:
        model.set_params(random_state=params["random_state"])


def batchbald_select(
    proba_samples,
    batch_size: int,
    rng: np.random.RandomState,
    *,
    n_configurations: int = 1000,
) -> np.ndarray:
    r"""Greedy BatchBALD selection.

    Adds, one at a time, the point :math:`x` that maximises the joint mutual
    information :math:`I(y_1, \dots, y_{n-1}, y; \omega)` of the batch with
    the model, i.e. (up to terms common to every candidate)

    .. math::

        H(y \mid y_1, \dots, y_{n-1}) - \mathbb E_\omega H(y \mid \omega),

    with :math:`p(y_{1:n}) = \frac1K \sum_k \prod_j p_k(y_j)` over the
    ``K`` members (MC samples). The conditional entropy is
    :math:`\sum_m \pi_m H[q_m]`, summed over the batch's label
    configurations :math:`m` with probability :math:`\pi_m` and predictive
    :math:`q_m(y) = \sum_k w_{km} p_k(y)` (:math:`w_{km}` the posterior of
    member ``k`` given configuration ``m``). The configurations are exact
    while there are at most ``n_configurations`` of them (``C^{n-1}`` for
    ``C`` classes), and ``n_configurations`` samples of the joint beyond,
    for which :math:`\pi_m = 1/M` gives the Monte Carlo estimate of Kirsch
    et al. Each step is one float32 matrix product
    ``(M x K) @ (K x n·C)`` (in blocks of candidates) and its entropies.

    Parameters
    ----------
    proba_samples : array-like of shape (n_samples, n_members, n_classes)
        Probabilities of every member (MC pass) for every candidate.
    batch_size : int
        Number of points to select, at most ``n_samples``.
    rng : RandomState
        Draws the sampled configurations and breaks ties.
    n_configurations : int, default=1000
        The largest number of joint label configurations enumerated exactly,
        and the number sampled beyond.

    Returns
    -------
    indices : ndarray of shape (batch_size,)
        Selected candidates, in order of selection.
    """
    proba = np.asarray(proba_samples, dtype=np.float64)
    n_samples, n_members, n_classes = proba.shape
    expected_entropy = entr(proba).sum(axis=2).mean(axis=1)
    proba_km = np.ascontiguousarray(
        proba.transpose(1, 0, 2).reshape(n_members, n_samples * n_classes),
        dtype=np.float32,
    )
    posterior = np.full((n_members, 1), 1.0 / n_members)
    weights = np.ones(1)
    sampled = False
    available = np.ones(n_samples, dtype=bool)
    order = np.empty(batch_size, dtype=np.intp)
    for step in range(batch_size):
        gain = _conditional_entropies(posterior, weights, proba_km, n_classes)
        gain -= expected_entropy
        gain[~available] = -np.inf
        pick = argmax(gain, rng)
        order[step] = pick
        available[pick] = False
        if step < batch_size - 1:
            posterior, weights, sampled = _add_to_batch(
                posterior, weights, proba[pick], n_configurations, sampled, rng
            )
    return order


@fill_doc
class BatchBALD(QueryStrategy):
    r"""BatchBALD: the batch with the largest joint mutual information.

    BALD scores each sample alone, so a top-k batch is often full of
    near-duplicates that teach the model the same thing. BatchBALD scores the
    batch jointly,

    .. math::

        a(x_{1:n}) = I(y_1, \dots, y_n; \omega)
        = H(y_1, \dots, y_n) - \sum_{j=1}^n \mathbb E_\omega H(y_j \mid \omega),

    and builds it greedily (the function is submodular, so the greedy batch
    is within :math:`1 - 1/e` of the best). A point whose label the batch
    already determines adds nothing: an exact copy of a chosen point is
    worth only the label noise it resolves. The first point is BALD's
    argmax.

    The joint entropy runs over the :math:`C^n` label configurations of the
    batch: they are enumerated exactly while there are at most
    ``n_configurations`` of them, and ``n_configurations`` configurations
    are sampled from the joint beyond (Monte Carlo, as in the paper). See
    :func:`batchbald_select` for the computation.

    Parameters
    ----------
    estimator : estimator with ``predict_proba_samples``, default=None
        A committee or Bayesian model, fitted as a clone ``estimator_``,
        whose ``predict_proba_samples(X)`` returns shape ``(n_samples,
        n_members, n_classes)``: :class:`~skactive.committee.Committee` or
        :class:`skactive.deep.MCDropoutClassifier`. The members must be the
        same for every pool sample (an MC-Dropout network with
        ``consistent_masks=True``, the default). ``None`` means
        ``Committee(random_state=random_state)``.
    n_configurations : int, default=1000
        Joint label configurations of the batch enumerated exactly (at most
        this many) or sampled (this many, beyond). Time and memory of each
        step grow linearly with it.
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Drives the sampled configurations, the pool subsample and ties. Pass
        an int for reproducible queries.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during ``fit``.

    See Also
    --------
    BALD : the pointwise mutual information.
    BADGE : batch diversity through gradient embeddings.

    References
    ----------
    .. [1] A. Kirsch, J. van Amersfoort and Y. Gal, "BatchBALD: Efficient and
       Diverse Batch Acquisition for Deep Bayesian Active Learning",
       NeurIPS 2019.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import BatchBALD, Committee
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = BatchBALD(Committee(n_members=5, random_state=0),
    ...                      batch_size=4, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (4,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        n_configurations=1000,
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
        self.n_configurations = n_configurations

    def _default_estimator(self):
        return Committee(random_state=self.random_state)

    def _query_tags(self) -> QueryTags:
        return QueryTags(
            requires_proba=False,
            requires_proba_samples=True,
            batch_aware=True,
            pointwise_utility=False,
        )

    def _check_params(self) -> None:
        check_int(self.n_configurations, "n_configurations")

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        # Every chunk must see the same members: a stochastic model with
        # random_state=None (an MC-Dropout network) is seeded from this
        # query's generator while the pool is read.
        with _fixed_members(self.estimator_, rng):
            proba_samples = pool.map(_proba_samples, self.estimator_)
        return batchbald_select(
            proba_samples,
            batch_size,
            rng,
            n_configurations=self.n_configurations,
        )
