"""Stochastic batch acquisition (Kirsch et al., 2023).

Instead of the ``k`` samples of highest utility, a batch is *drawn* without
replacement with probabilities that grow with the utility: the top-k of a
pointwise score holds near-duplicates (the most uncertain samples of one
model are much alike), a draw spreads the batch at no extra cost.

The draw is the Gumbel-top-k trick: the ``k`` largest ``log w_i + g_i``,
with ``g_i`` independent standard Gumbel variables, are a sample without
replacement, in order, from the weights ``w`` (successive draws with
probability proportional to ``w`` among the rest, the Plackett-Luce model).
Each ``g_i`` comes from a hash of the pool row and a salt drawn from
``random_state`` (as the engine's tie keys), so a query is reproducible and
its picks do not depend on ``chunk_size`` or ``n_jobs``.
"""

from __future__ import annotations

import numpy as np

from ..base import QueryStrategy, QueryTags
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import draw_salt, tie_keys
from ..utils._validation import check_real
from ._diversity import (
    check_uncertainty,
    make_uncertainty_strategy,
    uncertainty_query_tags,
)

__all__ = ["StochasticBatch"]

MODES = ("power", "softmax", "softrank")


def gumbel_noise(rows: np.ndarray, salt) -> np.ndarray:
    """Standard Gumbel variables, one per pool row, from a hash of row and salt.

    The 53 high bits of the tie key of each row are a uniform variable in
    ``(0, 1)``; ``-log(-log(u))`` is Gumbel distributed.
    """
    bits = tie_keys(rows, salt) >> np.uint64(11)
    u = (bits.astype(np.float64) + 0.5) * 2.0**-53
    return -np.log(-np.log(u))


def log_weights(utilities: np.ndarray, mode: str, temperature: float) -> np.ndarray:
    """Log sampling weights of the candidates (up to a constant).

    - ``"power"``: :math:`w_i = s_i^{1/T}`, for non-negative utilities;
    - ``"softmax"``: :math:`w_i = \\exp(s_i / T)`;
    - ``"softrank"``: :math:`w_i = r_i^{-1/T}`, :math:`r_i` the rank of
      :math:`s_i` (1 for the largest; ties share the smallest rank).
    """
    if mode == "softmax":
        return utilities / temperature
    if mode == "power":
        if (utilities < 0).any():
            raise ValueError(
                'mode="power" samples with weights utility ** (1 / temperature) '
                "and needs non-negative utilities; this uncertainty gave "
                f'{utilities.min():.3g}: use mode="softmax" or "softrank".'
            )
        with np.errstate(divide="ignore"):  # a zero utility is never drawn
            return np.log(utilities) / temperature
    # softrank: the rank of each utility among all candidates, 1 = best
    order = np.sort(utilities)[::-1]
    ranks = np.searchsorted(-order, -utilities, side="left") + 1
    return -np.log(ranks) / temperature


@fill_doc
class StochasticBatch(QueryStrategy):
    """Draw the batch from a pointwise utility instead of taking its top-k.

    The stochastic batch acquisition of Kirsch et al. (2023): the batch is
    a sample without replacement from the candidates, each draw choosing a
    sample with probability proportional to a weight that grows with its
    utility ``s`` (any measure or pointwise strategy), tempered by
    ``temperature`` :math:`T`:

    - ``mode="power"``: :math:`w = s^{1/T}` (``PowerBALD`` with
      ``uncertainty="mutual_information"``; needs :math:`s \\ge 0`, which
      every measure of :mod:`skactive.measures` is);
    - ``mode="softmax"``: :math:`w = \\exp(s / T)`;
    - ``mode="softrank"``: :math:`w = r^{-1/T}`, :math:`r` the rank of the
      sample's utility among the candidates (1 for the best).

    The top-k of the utility picks the most informative samples of one
    model, which are often near-duplicates; a draw keeps most of the
    informative samples and spreads the rest, for the cost of a pointwise
    query (no distances, no clustering). A small ``temperature`` tends to
    the top-k, a large one to random sampling.

    The batch is returned in the order drawn. Utilities come from one
    chunked, parallel pass of the engine; the draw keeps one float per
    candidate (``"softrank"`` sorts them).

    Parameters
    ----------
    %(estimator)s
    uncertainty : str, callable, Measure or QueryStrategy, default="margin"
        The utility :math:`s`: a name of :data:`skactive.measures.MEASURES`
        (``"margin"``, ``"entropy"``... on ``predict_proba``;
        ``"mutual_information"``... on ``predict_proba_samples``), a
        callable ``uncertainty(proba) -> utilities``, a
        :class:`skactive.measures.Measure`, or a strategy with a pointwise
        utility (e.g. ``BALD()``), whose own estimator is replaced by this
        strategy's fitted ``estimator_``.
    mode : {"power", "softmax", "softrank"}, default="power"
        How the weights grow with the utility, see above.
    temperature : float, default=1.0
        :math:`T > 0`: the sharpness of the draw.
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Seeds the draw (and the pool subsample). Pass an int for
        reproducible batches: the same int gives the same indices for any
        ``n_jobs`` and ``chunk_size``.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    uncertainty_strategy_ : QueryStrategy
        The fitted pointwise strategy scoring :math:`s` (its estimator is
        ``estimator_``, frozen).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    UncertaintySampling : the top-k of a measure (``temperature`` to 0).
    DiverseMiniBatch : a diverse batch by clustering the most uncertain.
    RankedBatch : a batch built greedily against similarity.

    References
    ----------
    .. [1] A. Kirsch, S. Farquhar, P. Atighehchian, A. Jesson,
       F. Branchaud-Charron and Y. Gal, "Stochastic Batch Acquisition: A
       Simple Baseline for Deep Active Learning", TMLR 2023.
    .. [2] W. Kool, H. van Hoof and M. Welling, "Stochastic Beams and Where
       to Find Them: The Gumbel-Top-k Trick for Sampling Sequences Without
       Replacement", ICML 2019.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import StochasticBatch
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = StochasticBatch(LogisticRegression(), batch_size=3,
    ...                            random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        uncertainty="margin",
        mode="power",
        temperature=1.0,
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
        self.mode = mode
        self.temperature = temperature

    def _query_tags(self) -> QueryTags:
        return uncertainty_query_tags(self.uncertainty)

    def _check_params(self) -> None:
        check_uncertainty(self.uncertainty)
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}.")
        check_real(self.temperature, "temperature", low=0.0, include_low=False)

    def _fit(self, X, y) -> None:
        self.uncertainty_strategy_ = make_uncertainty_strategy(self, X, y)

    def _prepare_query(self, pool: Pool, rng: np.random.RandomState):
        return self.uncertainty_strategy_._prepare_query(pool, rng)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        salt = draw_salt(rng)
        _, utilities = pool.score_top_k(
            self.uncertainty_strategy_, 0, salt, True, context
        )
        rows = pool.global_indices()
        keys = log_weights(utilities[rows], self.mode, float(self.temperature))
        keys += gumbel_noise(rows, draw_salt(rng))
        # The k largest keys, drawn first to last; -inf keys (zero weights)
        # come last, in tie-key order, only if the batch needs them.
        top = np.argpartition(-keys, batch_size - 1)[:batch_size]
        return top[np.lexsort((tie_keys(rows[top], salt), -keys[top]))]
