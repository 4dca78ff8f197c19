"""Stopping criteria: when more labels are unlikely to change the model."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import cohen_kappa_score
from sklearn.utils import check_random_state

from ..utils._compat import _safe_indexing
from ..utils._validation import check_int, check_real
from ._session import is_regression, map_candidates, max_proba

__all__ = ["MaxConfidence", "StabilizingPredictions", "StoppingCriterion"]


class StoppingCriterion:
    """Base class of the stopping criteria of a simulated loop.

    A criterion is asked after every round whether to stop. It keeps no
    state itself: what it must remember between rounds goes in ``memory``, a
    dict that the loop creates empty for each run, so one criterion object
    serves many simulations (and the parallel repeats of
    :func:`~skactive.compare`).
    """

    def should_stop(self, strategy, X_pool, candidates, memory: dict) -> bool:
        """Whether the loop should stop after this round.

        Parameters
        ----------
        strategy : QueryStrategy
            The strategy, fitted on the labels of this round.
        X_pool : array-like of shape (n_pool, n_features)
            The whole pool, labelled rows included (not copied: read the
            rows ``candidates`` chunk by chunk, as
            ``strategy.query(X_pool, candidates=candidates)`` does).
        candidates : ndarray of shape (n_unlabelled,)
            The rows of ``X_pool`` still unlabelled, sorted.
        memory : dict
            Empty at the first round of a run; the criterion may keep what
            it needs in it.

        Returns
        -------
        stop : bool
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def check_strategy(self, strategy) -> None:
        """Refuse, before the loop starts, a strategy the criterion cannot
        judge (e.g. a regressor for a criterion of class probabilities).

        Parameters
        ----------
        strategy : QueryStrategy
            The loop's strategy, not fitted.

        Raises
        ------
        ValueError
            The criterion does not apply to the strategy's task.
        """

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


class MaxConfidence(StoppingCriterion):
    """Stop when the model is confident about every unlabelled sample.

    The max-confidence criterion of Zhu et al. [1]_: the loop stops once the
    highest class probability of the least confident unlabelled sample
    reaches ``threshold``, i.e. not even the most uncertain sample is
    uncertain any more.

    Parameters
    ----------
    threshold : float, default=0.9
        Confidence, in ``(0, 1]``, that every unlabelled sample must reach.

    References
    ----------
    .. [1] J. Zhu, H. Wang, E. Hovy, "Multi-criteria-based strategy to stop
       active learning for data annotation", COLING 2008.

    Examples
    --------
    >>> from skactive.loop import MaxConfidence
    >>> MaxConfidence(threshold=0.95)
    MaxConfidence(threshold=0.95)
    """

    def __init__(self, threshold=0.9):
        self.threshold = threshold

    def check_strategy(self, strategy) -> None:
        """A regression strategy is a ``ValueError``: no class probabilities.

        See :meth:`StoppingCriterion.check_strategy`.
        """
        if is_regression(strategy):
            raise ValueError(
                "stopping=MaxConfidence() stops when every class probability is "
                f"confident, and {type(strategy).__name__} is a regression "
                "strategy, which has none: use StabilizingPredictions() (successive "
                "models' predictions agree) or a budget."
            )

    def should_stop(self, strategy, X_pool, candidates, memory: dict) -> bool:
        """Whether every candidate's top probability has reached ``threshold``.

        See :meth:`StoppingCriterion.should_stop` for the parameters.
        """
        self.check_strategy(strategy)
        check_real(self.threshold, "threshold", low=0.0, high=1.0, include_low=False)
        if len(candidates) == 0:
            return True
        confidence = map_candidates(strategy, X_pool, candidates, max_proba, strategy)
        return bool(confidence.min() >= self.threshold)


class StabilizingPredictions(StoppingCriterion):
    """Stop when successive models agree on a fixed stop set.

    The stabilizing-predictions criterion of Bloodgood and Vijay-Shanker
    [1]_: a stop set of ``stop_set_size`` unlabelled samples is drawn at the
    first round; after each round, Cohen's kappa between the predictions of
    this round's model and the previous one on the stop set is computed; the
    loop stops when the mean of the last ``window`` kappas reaches
    ``threshold``.

    For a regression strategy, kappa (an agreement of classes) becomes the
    agreement of real-valued predictions: the coefficient of determination
    of this round's predictions against the previous round's,
    :math:`1 - \\sum (f_t - f_{t-1})^2 / \\sum (f_{t-1} - \\bar f_{t-1})^2`
    (1 when they are equal; 0.99 means the change is 1% of the spread of
    the predictions).

    Parameters
    ----------
    window : int, default=3
        Number of successive agreements averaged.
    threshold : float, default=0.99
        Mean kappa at which to stop.
    stop_set_size : int, default=1000
        Number of samples in the stop set (fewer if the pool is smaller).
    random_state : int, RandomState instance or None, default=0
        Draws the stop set.

    References
    ----------
    .. [1] M. Bloodgood, K. Vijay-Shanker, "A method for stopping active
       learning based on stabilizing predictions and the need for
       user-adjustable stopping", CoNLL 2009.

    Examples
    --------
    >>> from skactive.loop import StabilizingPredictions
    >>> StabilizingPredictions(window=2)
    StabilizingPredictions(window=2, threshold=0.99, stop_set_size=1000, \
random_state=0)
    """

    def __init__(self, window=3, threshold=0.99, stop_set_size=1000, random_state=0):
        self.window = window
        self.threshold = threshold
        self.stop_set_size = stop_set_size
        self.random_state = random_state

    def should_stop(self, strategy, X_pool, candidates, memory: dict) -> bool:
        """Whether the predictions on the stop set have stopped changing.

        See :meth:`StoppingCriterion.should_stop` for the parameters.
        """
        check_int(self.window, "window")
        if "stop_set" not in memory:
            n = len(candidates)
            if n == 0:
                return True
            rng = check_random_state(self.random_state)
            size = min(int(self.stop_set_size), n)
            rows = np.sort(rng.choice(n, size=size, replace=False))
            memory["stop_set"] = _safe_indexing(X_pool, np.asarray(candidates)[rows])
            memory["kappas"] = []
        predictions = strategy.predict(memory["stop_set"])
        previous = memory.get("previous")
        memory["previous"] = predictions
        if previous is None:
            return False
        if np.array_equal(previous, predictions):
            kappa = 1.0  # also when both are constant (kappa is 0/0 there)
        elif is_regression(strategy):
            kappa = _agreement(previous, predictions)
        else:
            kappa = cohen_kappa_score(previous, predictions)
        memory["kappas"].append(kappa)
        last = memory["kappas"][-self.window :]
        return len(last) == self.window and float(np.mean(last)) >= self.threshold


def _agreement(previous: np.ndarray, predictions: np.ndarray) -> float:
    """R² of real-valued predictions against the previous ones (which vary
    or not: a change of constant predictions is no agreement)."""
    previous = np.asarray(previous, dtype=np.float64)
    change = float(np.sum((np.asarray(predictions, dtype=np.float64) - previous) ** 2))
    spread = float(np.sum((previous - previous.mean()) ** 2))
    return 1.0 - change / spread if spread > 0 else 0.0
