"""The simulated loop, shared by simulate and ActiveLearningClassifier.

:func:`check_loop_params` validates its parameters, :func:`simulated_loop`
sets it up (a clone of the strategy with its seed, a session over the pool,
an initial set: stratified for a classifier, uniform for a regressor) and
runs it with :func:`run_loop`, recording one row of the history per round.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state
from tqdm.auto import tqdm

from ..utils._compat import _num_samples
from ..utils._validation import check_batch_size, check_int, check_multiple_classes
from ._session import ActiveLearner, check_query_strategy, is_regression

__all__ = [
    "check_loop_params",
    "draw_seeds",
    "initial_draw",
    "run_loop",
    "set_strategy_params",
    "simulated_loop",
]

_SEED_MAX = np.iinfo(np.int32).max


def check_loop_params(
    strategy, initial_size, budget, batch_size, stopping=None
) -> None:
    """Validate the parameters of a simulated loop, naming the bad one."""
    check_query_strategy(strategy)
    if np.ndim(initial_size) == 0:
        # two classes at least (a regressor: two rows)
        check_int(initial_size, "initial_size", low=2)
    check_int(budget, "budget", low=0, allow_none=True)
    if batch_size is not None:
        check_batch_size(batch_size)
    if stopping is not None:
        if not hasattr(stopping, "should_stop"):
            raise TypeError(
                "stopping must be a StoppingCriterion (with should_stop), e.g. "
                f"skactive.loop.StabilizingPredictions(); got {stopping!r:.60}."
            )
        check = getattr(stopping, "check_strategy", None)
        if check is not None:
            check(strategy)


def check_initial_rows(initial, n: int) -> np.ndarray:
    """``initial_size`` given as rows: distinct ints in ``[0, n)``, not empty."""
    rows = np.asarray(initial)
    if rows.ndim != 1 or rows.size == 0 or rows.dtype.kind not in "iu":
        raise ValueError(
            "initial_size must be an int (the size of a stratified draw) or a "
            f"non-empty 1-d array of row indices, got {initial!r:.80}."
        )
    if rows.min() < 0 or rows.max() >= n or np.unique(rows).size != rows.size:
        raise ValueError(
            f"initial_size as rows must hold distinct indices in [0, {n}), got "
            f"{rows.tolist()[:10]!r}."
        )
    return rows.astype(np.intp)


def draw_seeds(random_state, n: int) -> np.ndarray:
    """``n`` independent int seeds from ``random_state``."""
    return check_random_state(random_state).randint(_SEED_MAX, size=n)


def initial_draw(y, size: int, random_state, *, regression=False) -> np.ndarray:
    """A stratified random initial set of ``size`` samples, >= 2 classes.

    The classes get shares of ``size`` in proportion to their frequency
    (largest remainders), and at least one sample each when ``size`` allows
    it (otherwise ``size`` classes drawn at random get one each). The result
    is shuffled. For regression (real-valued ``y``, no classes to
    stratify), ``size`` samples drawn uniformly without replacement.
    """
    rng = check_random_state(random_state)
    if regression:
        n = y.shape[0]
        return rng.choice(n, size=min(int(size), n), replace=False)
    classes, codes = np.unique(y, return_inverse=True)
    n_classes = classes.shape[0]
    check_multiple_classes(classes)
    counts = np.bincount(codes, minlength=n_classes)
    size = min(int(size), codes.shape[0])
    if size < n_classes:
        take = np.zeros(n_classes, dtype=int)
        take[rng.choice(n_classes, size=size, replace=False)] = 1
    else:
        ideal = size * counts / codes.shape[0]
        take = np.minimum(np.maximum(1, np.floor(ideal)).astype(int), counts)
        while take.sum() > size:  # the minimum of one pushed it over
            c = np.argmax(np.where(take > 1, take - ideal, -np.inf))
            take[c] -= 1
        while take.sum() < size:  # largest remainders
            c = np.argmax(np.where(take < counts, ideal - take, -np.inf))
            take[c] += 1
    chosen = [
        rng.choice(np.flatnonzero(codes == c), size=take[c], replace=False)
        for c in range(n_classes)
        if take[c]
    ]
    return rng.permutation(np.concatenate(chosen))


def _declare_classes(strategy, classes) -> None:
    """Hand every class to a model that takes them (a network's ``classes``).

    A simulation knows every label: a network whose output layer needs the
    classes upfront would otherwise fail when the initial set misses one.
    """
    params = strategy.get_params(deep=True)
    if "estimator__classes" in params and params["estimator__classes"] is None:
        strategy.set_params(estimator__classes=list(classes))


def set_strategy_params(strategy, **params) -> None:
    """Set the strategy's parameters that it has and that are not None."""
    own = strategy.get_params(deep=False)
    strategy.set_params(
        **{k: v for k, v in params.items() if v is not None and k in own}
    )


def run_loop(
    learner,
    oracle,
    initial,
    *,
    budget,
    batch_size,
    stopping=None,
    record=None,
    progress=False,
    desc=None,
) -> str:
    """Teach ``initial``, then query and teach until the budget is spent.

    ``record(round, query_time, fit_time)`` is called after every round,
    round 0 being the initial set. Returns the termination condition:
    ``"budget"``, ``"all_labelled"`` or ``"stopping_criterion"``.
    """
    memory: dict = {}

    def stop() -> bool:
        if stopping is None or not learner.is_fitted:
            return False
        return bool(
            stopping.should_stop(
                learner.strategy_, learner.X_pool, learner.unlabelled_indices, memory
            )
        )

    start = time.perf_counter()
    learner.teach(initial, oracle(initial))
    record(0, 0.0, time.perf_counter() - start)
    if stop():
        return "stopping_criterion"
    k = learner._batch_size(batch_size)
    remaining = learner.n_unlabelled if budget is None else int(budget)
    total = min(remaining, learner.n_unlabelled)
    with tqdm(total=total, disable=not progress, desc=desc, leave=False) as bar:
        round_ = 0
        while True:
            if learner.n_unlabelled == 0:
                return "all_labelled"
            if remaining <= 0:
                return "budget"
            start = time.perf_counter()
            idx = learner.query(min(k, remaining, learner.n_unlabelled))
            query_time = time.perf_counter() - start
            start = time.perf_counter()
            learner.teach(idx, oracle(idx))
            fit_time = time.perf_counter() - start
            round_ += 1
            remaining -= idx.shape[0]
            bar.update(idx.shape[0])
            record(round_, query_time, fit_time)
            if stop():
                return "stopping_criterion"


def simulated_loop(
    strategy,
    X_pool,
    y_pool,
    oracle,
    *,
    initial_size,
    budget,
    batch_size,
    seeds,
    score,
    pseudo_label_threshold=None,
    stopping=None,
    strategy_params=None,
    progress=False,
    desc=None,
):
    """Set up and run the loop on a labelled pool; record its history.

    Parameters
    ----------
    strategy : QueryStrategy
        Cloned; the clone gets the seed ``seeds["strategy"]`` and the
        ``strategy_params`` that it has and that are not None.
    X_pool : array-like of shape (n_pool, n_features)
        The pool.
    y_pool : ndarray of shape (n_pool,)
        Its true labels (or targets), from which the stratified initial set
        is drawn (a uniform one for a regression strategy).
    oracle : callable
        ``oracle(indices) -> labels`` (the true labels, possibly noisy).
    seeds : dict
        Int seeds ``"strategy"``, ``"session"`` (the session's random
        queries) and ``"initial"`` (the initial set).
    score : callable
        ``score(learner) -> dict``: the values of this round, called after
        every round (round 0 is the initial set).

    Returns
    -------
    learner : ActiveLearner
        The session at the end of the loop.
    history : dict of ndarray
        ``"round"``, ``"n_labels"``, the keys of ``score``, ``"query_time"``
        and ``"fit_time"``, one entry per round.
    termination_condition : str
        See :func:`run_loop`.
    """
    regression = is_regression(strategy)
    if np.ndim(initial_size) == 0:
        initial = initial_draw(
            y_pool, initial_size, seeds["initial"], regression=regression
        )
    else:  # the rows labelled at the start, given
        initial = check_initial_rows(initial_size, _num_samples(X_pool))
    strategy = clone(strategy)
    set_strategy_params(
        strategy, random_state=int(seeds["strategy"]), **(strategy_params or {})
    )
    if not regression:
        _declare_classes(strategy, np.unique(y_pool))
    learner = ActiveLearner(
        strategy,
        X_pool,
        pseudo_label_threshold=pseudo_label_threshold,
        random_state=int(seeds["session"]),
        validate_pool=False,  # a simulation fits on real labels at once
    )
    rows: dict[str, list] = {}

    def record(round_, query_time, fit_time):
        values = {
            "round": round_,
            "n_labels": learner.n_labelled,
            **score(learner),
            "query_time": query_time,
            "fit_time": fit_time,
        }
        for key, value in values.items():
            rows.setdefault(key, []).append(value)

    termination = run_loop(
        learner,
        oracle,
        initial,
        budget=budget,
        batch_size=batch_size,
        stopping=stopping,
        record=record,
        progress=progress,
        desc=desc,
    )
    history = {key: np.asarray(values) for key, values in rows.items()}
    return learner, history, termination
