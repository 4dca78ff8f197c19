"""Active learning by learning (Hsu & Lin, 2015): a bandit over strategies.

No query strategy is best on every data set (uncertainty sampling falls
behind random sampling on some, typicality wins at low budgets on others),
and a labelling session has no test set to tell. Active learning by
learning treats the strategies of a portfolio as the experts of a
contextual bandit (EXP4, Auer et al., 2002): each query mixes their
advice with probabilities learned from the labels the session receives,
rewarded by an importance-weighted estimate of the model's accuracy.

The bandit's state lives across ``fit`` calls (a session refits the same
strategy after every round) and is saved in a session file through
``get_query_state`` / ``set_query_state``, so that a resumed session keeps
what it learned. Labelled rows are matched to the rows the bandit drew by a
digest of their content (:func:`row_keys`), so the strategy learns in any
loop that refits it on the labelled rows: :class:`~skactive.ActiveLearner`,
:func:`~skactive.simulate`, or a user's own.
"""

from __future__ import annotations

import hashlib
import numbers
import warnings

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from ..base import BaseQueryStrategy, QueryStrategy, QueryTags
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import draw_salt, tie_keys
from ..utils._validation import check_real
from ._cluster import DiverseMiniBatch
from ._coldstart import TypiClust
from ._diversity import fit_over
from ._random import RandomSampling
from ._stochastic import gumbel_noise
from ._uncertainty import MarginSampling

__all__ = ["ActiveLearningByLearning", "row_keys"]

STATE_VERSION = 1


def default_portfolio() -> list[tuple[str, BaseQueryStrategy]]:
    """The default strategies: uniform random sampling (the bandit's unbiased
    exploration), margin, diverse mini-batch and TypiClust."""
    return [
        ("random", RandomSampling()),
        ("margin", MarginSampling()),
        ("diverse_minibatch", DiverseMiniBatch()),
        ("typiclust", TypiClust()),
    ]


def row_keys(X) -> np.ndarray:
    """A digest of the content of every row of ``X`` (an object array of str).

    Equal rows get equal keys whatever their position, so the rows a strategy
    drew from the pool are recognised among the labelled rows it is later
    fitted on. Numbers are compared as float64 (an int pool and its float
    copy match), sparse rows by their stored values and columns, other rows
    (texts, mixed DataFrame rows) by :func:`joblib.hash`.
    """
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64)
        X.sum_duplicates()
        keys = []
        for start, stop in zip(X.indptr[:-1], X.indptr[1:], strict=True):
            h = hashlib.blake2b(X.indices[start:stop].astype(np.int64).tobytes())
            h.update(X.data[start:stop].tobytes())
            keys.append(h.hexdigest()[:32])
        return np.asarray(keys, dtype=object)
    values = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X, dtype=object)
    n = values.shape[0]
    if values.dtype == object:
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            return np.asarray(
                [joblib.hash(row)[:32] for row in values.reshape(n, -1).tolist()],
                dtype=object,
            )
    rows = np.ascontiguousarray(values.reshape(n, -1), dtype=np.float64)
    rows = rows + 0.0  # -0.0 and 0.0 are one value
    return np.asarray(
        [hashlib.blake2b(row.tobytes()).hexdigest()[:32] for row in rows],
        dtype=object,
    )


def _check_portfolio(strategies) -> list[tuple[str, BaseQueryStrategy]]:
    """``(name, strategy)`` pairs of the ``strategies`` parameter."""
    if strategies is None:
        return default_portfolio()
    if isinstance(strategies, (str, BaseQueryStrategy)) or not hasattr(
        strategies, "__iter__"
    ):
        raise TypeError(
            "strategies must be a list of query strategies or of (name, "
            f"strategy) pairs; got {type(strategies).__name__}."
        )
    pairs = []
    for item in strategies:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, strategy = item
        else:
            name, strategy = type(item).__name__, item
        if not isinstance(strategy, QueryStrategy | RandomSampling):
            raise TypeError(
                "strategies must hold classification query strategies (e.g. "
                f"skactive.MarginSampling()); got {type(strategy).__name__}."
            )
        pairs.append((name, strategy))
    if not pairs:
        raise ValueError("strategies is empty: give at least one strategy.")
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError(
            f"strategies must have distinct names; got {names}: name them with "
            "(name, strategy) pairs."
        )
    return pairs


@fill_doc
class ActiveLearningByLearning(QueryStrategy):
    """Active learning by learning: a bandit chooses among strategies.

    The ALBL meta-strategy of Hsu & Lin (2015). The strategies of the
    portfolio are the experts of the EXP4 bandit (Auer et al., 2002). At
    every query each expert :math:`i` advises a batch of ``batch_size``
    samples, the distribution :math:`\\xi_i` uniform over its batch (uniform
    over all candidates for :class:`RandomSampling`); the bandit trusts the
    experts with probabilities

    .. math::

        \\pi_i = (1 - \\gamma) \\frac{w_i}{\\sum_j w_j} + \\frac{\\gamma}{N},

    :math:`\\gamma` the ``exploration`` and :math:`N` the number of experts,
    and draws the batch without replacement from the mixture
    :math:`q(x) = \\sum_i \\pi_i \\xi_i(x)` (the Gumbel-top-k trick, so a
    sample advised by several experts is more likely). Each drawn sample
    :math:`x_\\tau` keeps its probability :math:`q_\\tau`.

    The reward is the importance-weighted accuracy (Hsu & Lin's IW-ACC)
    of the model :math:`f_t` that the experts' batch :math:`t` produced,
    measured on the next batch, which :math:`f_t` drew and whose labels it
    had not seen:

    .. math::

        r_t = \\frac{\\sum_{s} q_s^{-1} [f_t(x_s) = y_s]}
                    {\\sum_{s} q_s^{-1}} \\in [0, 1],

    over the draws :math:`x_s` of batch :math:`t + 1`. Weighted by
    :math:`1 / q_s`, it estimates :math:`f_t`'s accuracy on the whole pool
    whatever the experts advise, because the uniform expert gives every
    sample a chance. Every draw :math:`x_\\tau` of batch :math:`t` is then
    one EXP4 trial: :math:`\\log w_i \\mathrel{+}= \\gamma \\xi_i(x_\\tau)
    r_t / (N q_\\tau)`.

    Hsu & Lin score the current model on every labelled draw so far, its
    own training samples, which a flexible model fits exactly (a logistic
    regression on digits scores 100%%, every round, and the bandit learns
    nothing); scoring each draw by the model that drew it, before its label
    came (progressive validation), keeps the estimate out of sample. The
    self-normalised form keeps it in :math:`[0, 1]`, as EXP4 requires.

    The bandit learns across ``fit`` calls: ``fit`` refits the model and
    rewards the experts once the draws of the previous query are labelled
    (recognised by the content of their rows, see :func:`row_keys`); draws
    left unlabelled are forgotten at the next query. Its state
    (:meth:`get_query_state`) is saved in a session file and restored when
    the session resumes. A clone starts afresh.

    Parameters
    ----------
    %(estimator)s
    strategies : list of QueryStrategy or of (str, QueryStrategy), default=None
        The portfolio. Each expert's estimator is replaced by this
        strategy's fitted ``estimator_`` (one model for all); its
        ``batch_size``, ``chunk_size``, ``n_jobs`` and ``random_state`` by
        this strategy's. ``None``: random sampling, margin, diverse
        mini-batch and TypiClust. Keep :class:`RandomSampling` in a
        portfolio of your own: without it, samples that no expert advises
        are never drawn and the reward estimates the accuracy on the
        experts' choices only.
    exploration : float, default=0.1
        :math:`\\gamma` in :math:`(0, 1]`: the share of the trust spread
        evenly over the experts, and the learning rate of the bandit.
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    %(random_state)s
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    strategies_ : list of (str, QueryStrategy)
        The fitted experts (over ``estimator_``, frozen).
    log_weights_ : ndarray of shape (n_strategies,)
        The bandit's log weights :math:`\\log w_i`.
    probabilities_ : ndarray of shape (n_strategies,)
        The trust :math:`\\pi_i` in each expert at the next query.
    rewards_ : list of float
        The reward of every update so far.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    DiverseMiniBatch : uncertainty and diversity, one expert of the default.
    TypiClust : typical samples for low budgets, another.
    StochasticBatch : a batch drawn from one strategy's scores.

    Notes
    -----
    ``query`` records the draws it returns (their row digests, their
    probabilities and the experts' advice on them), unlike the other
    strategies, whose ``query`` changes nothing: the bandit needs them to
    credit the experts when the labels arrive. With a batch of :math:`k`
    samples an update counts :math:`k` trials that share one reward.

    References
    ----------
    .. [1] W.-N. Hsu and H.-T. Lin, "Active Learning by Learning", AAAI 2015.
    .. [2] P. Auer, N. Cesa-Bianchi, Y. Freund and R. E. Schapire, "The
       Nonstochastic Multiarmed Bandit Problem", SIAM Journal on Computing
       32(1), 2002.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import ActiveLearningByLearning
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = ActiveLearningByLearning(LogisticRegression(), batch_size=3,
    ...                                     random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    >>> [name for name, _ in strategy.strategies_]
    ['random', 'margin', 'diverse_minibatch', 'typiclust']
    """

    def __init__(
        self,
        estimator=None,
        *,
        strategies=None,
        exploration=0.1,
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
        self.strategies = strategies
        self.exploration = exploration

    # ------------------------------------------------------------ hooks
    def _query_tags(self) -> QueryTags:
        try:
            pairs = _check_portfolio(self.strategies)
        except (TypeError, ValueError):  # fit reports it
            pairs = []
        tags = [s._query_tags() for _, s in pairs]
        return QueryTags(
            requires_proba=any(t.requires_proba for t in tags),
            requires_proba_samples=any(t.requires_proba_samples for t in tags),
            batch_aware=True,
            pointwise_utility=False,
        )

    def _check_params(self) -> None:
        _check_portfolio(self.strategies)
        check_real(
            self.exploration, "exploration", low=0.0, high=1.0, include_low=False
        )

    def _fit(self, X, y) -> None:
        pairs = _check_portfolio(self.strategies)
        names = [name for name, _ in pairs]
        experts = [
            (name, fit_over(self, clone(strategy), X, y)) for name, strategy in pairs
        ]
        self.strategies_ = experts
        if getattr(self, "_names", None) != names:
            self._reset_state(names)
        self._reward(X, y)

    def _reset_state(self, names) -> None:
        self._names = list(names)
        self.log_weights_ = np.zeros(len(names))
        self.rewards_ = []
        self._pending = None  # the last query's draws, awaiting labels
        self._credit = None  # the draws that made the model, awaiting a reward

    @property
    def probabilities_(self) -> np.ndarray:
        gamma = float(self.exploration)
        w = np.exp(self.log_weights_ - self.log_weights_.max())
        return (1.0 - gamma) * w / w.sum() + gamma / w.shape[0]

    def _reward(self, X, y) -> None:
        """Score the model that drew the last query on its labelled draws,
        and reward the experts of the batch before (which made that model)."""
        pending = self._pending
        if pending is None:
            return
        keys = row_keys(X)
        labelled = np.isin(pending["keys"], keys)
        if not labelled.any():
            return
        self._pending = None
        # The label of each labelled draw (the first row with its key).
        first = dict(zip(keys[::-1], np.arange(keys.shape[0])[::-1], strict=True))
        rows = np.array([first[k] for k in pending["keys"][labelled]])
        correct = pending["predicted"][labelled] == np.asarray(y, dtype=object)[rows]
        w = 1.0 / pending["q"][labelled]
        reward = float(np.dot(w, correct) / w.sum())
        self.rewards_.append(reward)
        credit = self._credit
        if credit is not None:
            gain = (credit["advice"] * (reward / credit["q"])[:, None]).sum(axis=0)
            n = self.log_weights_.shape[0]
            self.log_weights_ = self.log_weights_ + float(self.exploration) * gain / n
        self._credit = {
            "q": pending["q"][labelled],
            "advice": pending["advice"][labelled],
        }

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        n = pool.n
        pi = self.probabilities_
        advice = np.zeros((n, pi.shape[0]))  # xi_i(x) of every candidate
        for i, (_, expert) in enumerate(self.strategies_):
            if type(expert) is RandomSampling:
                advice[:, i] = 1.0 / n
                continue
            picks = expert_picks(expert, pool, batch_size, rng)
            advice[picks, i] = 1.0 / picks.shape[0]
        q = advice @ pi
        rows = pool.global_indices()
        with np.errstate(divide="ignore"):  # unadvised samples are not drawn
            keys = np.log(q) + gumbel_noise(rows, draw_salt(rng))
        salt = draw_salt(rng)
        top = np.argpartition(-keys, batch_size - 1)[:batch_size]
        drawn = top[np.lexsort((tie_keys(rows[top], salt), -keys[top]))]
        drawn = drawn[q[drawn] > 0]
        X_drawn = pool.take(drawn)
        self._pending = {
            "keys": row_keys(X_drawn),
            "q": q[drawn],
            "advice": advice[drawn],
            # out of sample: this model has not seen their labels
            "predicted": np.asarray(self.estimator_.predict(X_drawn), dtype=object),
        }
        return drawn

    # ------------------------------------------------------------ state
    def get_query_state(self) -> dict | None:
        """The bandit's state, as JSON-compatible values (``None`` unfitted).

        What :class:`~skactive.ActiveLearner` saves in a session file and
        restores with :meth:`set_query_state`.

        Returns
        -------
        state : dict or None
            The experts' names, the log weights, the rewards so far, the
            draws of the last query awaiting their labels (row digests,
            probabilities, the experts' advice, the model's predictions)
            and the draws awaiting their reward.
        """
        if getattr(self, "_names", None) is None:
            return None
        pending, credit = self._pending, self._credit
        return {
            "version": STATE_VERSION,
            "strategies": list(self._names),
            "log_weights": self.log_weights_.tolist(),
            "rewards": [float(r) for r in self.rewards_],
            "pending": None
            if pending is None
            else {
                "keys": pending["keys"].tolist(),
                "q": pending["q"].tolist(),
                "advice": pending["advice"].tolist(),
                "predicted": _to_json(pending["predicted"]),
            },
            "credit": None
            if credit is None
            else {"q": credit["q"].tolist(), "advice": credit["advice"].tolist()},
        }

    def set_query_state(self, state: dict) -> ActiveLearningByLearning:
        """Restore a state of :meth:`get_query_state`.

        Parameters
        ----------
        state : dict
            A state saved by :meth:`get_query_state`. A state of other
            experts (another ``strategies``) is ignored with a warning: the
            bandit starts afresh.

        Returns
        -------
        self : ActiveLearningByLearning

        Raises
        ------
        ValueError
            ``state`` is malformed.
        """
        state = _check_state(state)
        names = [name for name, _ in _check_portfolio(self.strategies)]
        if state["strategies"] != names:
            warnings.warn(
                f"the saved bandit state is over the strategies "
                f"{state['strategies']}, this strategy's are {names}: it starts "
                "afresh.",
                UserWarning,
                stacklevel=2,
            )
            self._reset_state(names)
            return self
        self._reset_state(names)
        self.log_weights_ = np.array(state["log_weights"], dtype=np.float64)
        self.rewards_ = [float(r) for r in state["rewards"]]
        n = len(names)
        pending, credit = state["pending"], state["credit"]
        if pending is not None:
            self._pending = {
                "keys": np.asarray(pending["keys"], dtype=object),
                "q": np.asarray(pending["q"], dtype=np.float64),
                "advice": np.asarray(pending["advice"], dtype=np.float64).reshape(
                    -1, n
                ),
                "predicted": _from_json(pending["predicted"]),
            }
        if credit is not None:
            self._credit = {
                "q": np.asarray(credit["q"], dtype=np.float64),
                "advice": np.asarray(credit["advice"], dtype=np.float64).reshape(-1, n),
            }
        return self


def _to_json(labels: np.ndarray) -> list:
    """Labels as JSON values (numbers or strings)."""
    return [v.item() if isinstance(v, np.generic) else v for v in labels.tolist()]


def _from_json(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def expert_picks(expert, pool: Pool, k: int, rng) -> np.ndarray:
    """Local positions of the ``k`` samples ``expert`` would query from
    ``pool`` (its engine, as its own ``query`` runs it)."""
    context = expert._prepare_query(pool, rng)
    if expert._query_tags().batch_aware:
        return np.asarray(expert._select(pool, k, rng, context), dtype=np.intp)
    (_, rows), _ = pool.score_top_k(expert, k, draw_salt(rng), False, context)
    return pool.local_positions(rows)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_probability(value, *, positive: bool = False) -> bool:
    if not _is_number(value) or not value <= 1.0:
        return False
    return value > 0.0 if positive else value >= 0.0


def _check_draws(draws, n_experts: int, fail, field: str) -> None:
    """``q`` in (0, 1] and one advice row of ``n_experts`` per draw."""
    if not isinstance(draws, dict):
        fail(f"{field!r} must be null or an object")
    q, advice = draws.get("q"), draws.get("advice")
    if (
        not isinstance(q, list)
        or not all(_is_probability(v, positive=True) for v in q)
        or not isinstance(advice, list)
        or len(advice) != len(q)
        or not all(
            isinstance(row, list)
            and len(row) == n_experts
            and all(_is_probability(v) for v in row)
            for row in advice
        )
    ):
        fail(f"{field!r} must hold probabilities in (0, 1] and advice rows")


def _check_state(state) -> dict:
    """A state of :meth:`ActiveLearningByLearning.get_query_state`, checked."""

    def fail(what):
        raise ValueError(f"not a bandit state of ActiveLearningByLearning: {what}.")

    if not isinstance(state, dict):
        fail(f"a {type(state).__name__}, not an object")
    if state.get("version") != STATE_VERSION:
        fail(f"version {state.get('version')!r}, expected {STATE_VERSION}")
    names = state.get("strategies")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        fail("'strategies' must be a list of names")
    weights = state.get("log_weights")
    if (
        not isinstance(weights, list)
        or len(weights) != len(names)
        or not all(_is_number(w) and np.isfinite(w) for w in weights)
    ):
        fail("'log_weights' must hold one finite number per strategy")
    rewards = state.get("rewards")
    if not isinstance(rewards, list) or not all(_is_probability(r) for r in rewards):
        fail("'rewards' must be a list of numbers in [0, 1]")
    pending = state.get("pending")
    if pending is not None:
        _check_draws(pending, len(names), fail, "pending")
        keys, predicted = pending.get("keys"), pending.get("predicted")
        n = len(pending["q"])
        if (
            not isinstance(keys, list)
            or len(keys) != n
            or not all(isinstance(k, str) for k in keys)
            or not isinstance(predicted, list)
            or len(predicted) != n
            or not all(isinstance(v, str) or _is_number(v) for v in predicted)
        ):
            fail("'pending' must hold one row key and one predicted label per draw")
    if state.get("credit") is not None:
        _check_draws(state["credit"], len(names), fail, "credit")
    return state
