"""Simulated active learning: the loop with the true labels as the oracle."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.metrics import (
    get_scorer,
    mean_absolute_error,
    precision_recall_fscore_support,
    r2_score,
)
from sklearn.model_selection import train_test_split
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.multiclass import check_classification_targets

from ..metrics import area_under_learning_curve, labels_to_reach, lower_is_better
from ..strategies import AdaptiveSampling
from ..utils._compat import _num_samples, _safe_indexing
from ..utils._regression import check_regression_targets
from ..utils._validation import check_real
from ._core import check_initial_rows, check_loop_params, draw_seeds, simulated_loop
from ._oracle import NoisyOracle
from ._session import is_regression

__all__ = ["SimulationResult", "simulate"]

# The metric of a task's learning curve when none is named.
DEFAULT_METRIC = {"classification": "accuracy", "regression": "rmse"}
# How the tables and plots name the metrics.
METRIC_NAMES = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "f1_macro": "macro F1",
    "rmse": "RMSE",
    "mae": "MAE",
    "r2": "R²",
}
_NOT_SCORES = ("round", "n_labels", "query_time", "fit_time")


def _check_scoring(scoring) -> dict:
    """``scoring`` as a dict of name -> scorer callable."""
    if scoring is None:
        return {}
    if isinstance(scoring, str):
        return {scoring: get_scorer(scoring)}
    if callable(scoring):
        return {"score": scoring}
    if isinstance(scoring, dict):
        return {
            str(k): get_scorer(v) if isinstance(v, str) else v
            for k, v in scoring.items()
        }
    if isinstance(scoring, list | tuple) and all(isinstance(s, str) for s in scoring):
        return {s: get_scorer(s) for s in scoring}
    raise TypeError(
        "scoring must be None, a str, a callable, a list of str or a dict of "
        f"name -> str or callable; got {type(scoring).__name__}."
    )


class SimulationResult:
    """The learning curve of one simulated active learning run.

    Returned by :func:`~skactive.simulate`. Its methods summarise the curve
    of one metric, by default the task's (:attr:`default_metric`: the
    accuracy of a classifier, the RMSE of a regressor). An error (RMSE,
    MAE) is lower-is-better: its area is the mean error over the label
    range (lower is better) and :meth:`labels_to_reach` counts the labels
    to get *down* to a target (see :func:`skactive.metrics.lower_is_better`).

    Attributes
    ----------
    history : dict of ndarray
        The learning curve, one entry per round (round 0 is the initial
        set), equal-length arrays like ``cv_results_`` (shaped as the
        ``history_`` of :class:`~skactive.ActiveLearner` and
        :class:`~skactive.ActiveLearningClassifier`): ``"round"``,
        ``"n_labels"``, then for a classifier ``"accuracy"``,
        ``"balanced_accuracy"``, ``"f1_macro"`` (macro over the classes of
        the test set), ``"f1_per_class"`` (shape ``(n_rounds, n_classes)``,
        columns in the order of ``classes``), ``"n_noisy_labels"`` (labels
        the oracle got wrong so far), ``"n_pseudo_labels"``, and for a
        regressor ``"rmse"``, ``"mae"`` and ``"r2"`` on the test set; one
        array per extra ``scoring``, ``"query_time"`` and ``"fit_time"``
        (seconds).
    task : {"classification", "regression"}
        The strategy's task (:func:`sklearn.base.is_regressor`).
    classes : ndarray of shape (n_classes,) or None
        The classes of the test set (``None`` for regression).
    indices : ndarray of shape (n_labels,)
        Indices into ``X`` of the labelled samples, in the order they were
        labelled (the initial set first).
    labels : ndarray of shape (n_labels,)
        The labels the oracle returned for them (noisy if ``noise_rate``).
    true_labels : ndarray of shape (n_labels,)
        Their true labels, ``y[indices]``.
    test_indices : ndarray or None
        Indices into ``X`` of the held-out samples when the test set was
        split off ``X``; ``None`` when ``X_test`` was given.
    termination_condition : {"budget", "all_labelled", "stopping_criterion"}
        Why the loop stopped.
    strategy : QueryStrategy
        The strategy fitted at the last round.
    random_state : int or None
        The seed of this run.
    name : str or None
        The strategy's name in a :func:`~skactive.compare`.
    """

    def __init__(
        self,
        *,
        history,
        classes,
        indices,
        labels,
        true_labels,
        test_indices,
        termination_condition,
        strategy,
        random_state=None,
        name=None,
        task="classification",
    ):
        self.history = history
        self.task = task
        self.classes = classes
        self.indices = indices
        self.labels = labels
        self.true_labels = true_labels
        self.test_indices = test_indices
        self.termination_condition = termination_condition
        self.strategy = strategy
        self.random_state = random_state
        self.name = name

    @property
    def n_labels(self) -> np.ndarray:
        """Number of labels at each round."""
        return self.history["n_labels"]

    @property
    def default_metric(self) -> str:
        """The metric of the task: ``"accuracy"``, or ``"rmse"`` for
        regression."""
        return DEFAULT_METRIC[self.task]

    @property
    def metrics(self) -> list:
        """The metrics of the held-out set recorded at every round (the 1-d
        entries of :attr:`history` other than the round, the label count
        and the timings)."""
        return [
            k
            for k, v in self.history.items()
            if np.ndim(v) == 1 and k not in _NOT_SCORES
        ]

    def _metric(self, metric) -> str:
        return self.default_metric if metric is None else metric

    def scores(self, metric: str | None = None) -> np.ndarray:
        """The curve of one metric, one value per round.

        Parameters
        ----------
        metric : str, default=None
            A 1-d entry of :attr:`history`; ``None``: :attr:`default_metric`.

        Returns
        -------
        scores : ndarray of shape (n_rounds,)
        """
        metric = self._metric(metric)
        values = self.history.get(metric)
        if values is None or np.ndim(values) != 1 or metric in ("round", "n_labels"):
            choices = [
                k
                for k, v in self.history.items()
                if np.ndim(v) == 1 and k not in ("round", "n_labels")
            ]
            raise ValueError(f"metric must be one of {choices}, got {metric!r}.")
        return np.asarray(values, dtype=float)

    def curves(self, metric: str | None = None):
        """The learning curve, in the form of :meth:`ComparisonResult.curves`.

        Parameters
        ----------
        metric : str, default=None
            A 1-d entry of :attr:`history`; ``None``: :attr:`default_metric`.

        Returns
        -------
        n_labels : ndarray of shape (n_rounds,)
            The number of labels at each round.
        scores : dict of str -> ndarray of shape (1, n_rounds)
            The curve, under the run's name (``name``, else the strategy's
            class name).
        """
        name = self.name or type(self.strategy).__name__
        return np.asarray(self.n_labels), {name: self.scores(metric)[np.newaxis]}

    def area_under_curve(
        self, metric: str | None = None, *, normalize: bool = True, log_scale=False
    ) -> float:
        """Area under the learning curve of ``metric``.

        In the metric's units: for an error (RMSE), the mean error over the
        label range, lower is better. ``None``: :attr:`default_metric`. See
        :func:`skactive.metrics.area_under_learning_curve`.
        """
        return area_under_learning_curve(
            self.n_labels,
            self.scores(metric),
            normalize=normalize,
            log_scale=log_scale,
        )

    def labels_to_reach(self, target: float, metric: str | None = None) -> float:
        """Labels needed to reach ``target`` (``NaN`` if never reached).

        A score reaches it from below (``accuracy >= target``), an error from
        above (``rmse <= target``). ``None``: :attr:`default_metric`. See
        :func:`skactive.metrics.labels_to_reach`.
        """
        metric = self._metric(metric)
        return labels_to_reach(
            self.n_labels,
            self.scores(metric),
            target,
            greater_is_better=not lower_is_better(metric),
        )

    def to_frame(self):
        """The history as a pandas DataFrame, one row per round.

        Per-class F1 scores become columns ``f1[<class>]``. Needs pandas.

        Returns
        -------
        frame : pandas.DataFrame
        """
        pd = _import_pandas()
        return pd.DataFrame(_flat_history(self))

    def plot(self, metric: str | None = None, *, ax=None, **kwargs):
        """Plot the learning curve (needs matplotlib).

        Parameters
        ----------
        metric : str, default=None
            The metric to plot; ``None``: :attr:`default_metric`.
        ax : matplotlib Axes, default=None
            Where to plot; ``None`` makes a new figure.
        **kwargs : dict
            Passed to
            :meth:`skactive.plotting.ActiveLearningCurveDisplay.from_results`.

        Returns
        -------
        display : skactive.plotting.ActiveLearningCurveDisplay
        """
        from ..plotting import ActiveLearningCurveDisplay

        return ActiveLearningCurveDisplay.from_results(
            self, metric=self._metric(metric), ax=ax, **kwargs
        )

    def __repr__(self) -> str:
        n = self.n_labels
        name = self.name or type(self.strategy).__name__
        metric = self.default_metric
        curve = self.scores(metric)
        direction = " (lower is better)" if lower_is_better(metric) else ""
        f = ".3f" if self.task == "classification" else ".4g"
        return (
            f"SimulationResult({name}: {len(n)} rounds, {n[0]} -> {n[-1]} "
            f"labels, {METRIC_NAMES.get(metric, metric)} {curve[0]:{f}} -> "
            f"{curve[-1]:{f}}, area {self.area_under_curve(metric):{f}}"
            f"{direction}, stopped: {self.termination_condition})"
        )


def _import_pandas():
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - pandas is installed in CI
        raise ImportError(
            "to_frame needs pandas: pip install pandas (or use the history "
            "dict directly)."
        ) from exc
    return pd


def _flat_history(result: SimulationResult) -> dict:
    """History with the per-class F1 columns spread out."""
    flat = {}
    for key, values in result.history.items():
        values = np.asarray(values)
        if values.ndim == 2:
            for j, c in enumerate(result.classes):
                flat[f"f1[{c}]"] = values[:, j]
        else:
            flat[key] = values
    return flat


def simulate(
    strategy,
    X,
    y,
    X_test=None,
    y_test=None,
    *,
    initial_size: int = 10,
    batch_size: int | None = None,
    budget: int | None = 100,
    test_size: float = 0.25,
    noise_rate: float = 0.0,
    warm_start: bool | None = None,
    pool_subsample=None,
    pseudo_label_threshold: float | None = None,
    stopping=None,
    scoring=None,
    random_state=None,
    progress: bool = False,
) -> SimulationResult:
    """Simulate active learning on a labelled data set.

    ``y`` plays the annotator: the loop draws a stratified initial set,
    then queries ``batch_size`` samples at a time with ``strategy`` and
    teaches their labels (flipped at ``noise_rate``), until ``budget`` labels
    have been queried; after every round the model is scored on the
    held-out set.

    The task is the strategy's (:func:`sklearn.base.is_regressor`): with a
    regression strategy (:class:`~skactive.MaxStdSampling`,
    :class:`~skactive.ImprovedGreedySampling`, or
    :class:`~skactive.RandomSampling` over a regressor...) ``y`` holds
    real-valued targets, the test split and the initial set are uniform
    random draws (no classes to stratify), each round records the RMSE,
    the MAE and the R² on the held-out set, and ``noise_rate`` adds
    Gaussian noise.

    Parameters
    ----------
    strategy : QueryStrategy or None
        The strategy to simulate; a clone is fitted. Its ``random_state`` is
        replaced by a seed drawn from ``random_state``, so that repeats with
        different seeds differ. ``None``: :class:`~skactive.AdaptiveSampling`
        over a logistic regression (classification).
    X : array-like or sparse matrix of shape (n_samples, n_features)
        The pool (and the test set when ``X_test`` is None).
    y : array-like of shape (n_samples,)
        The true labels of ``X`` (regression: the targets): the oracle.
    X_test : array-like of shape (n_test, n_features), default=None
        Held-out samples the curve is measured on. ``None``: a stratified
        (regression: uniform) ``test_size`` part of ``X`` is held out (and
        never queried).
    y_test : array-like of shape (n_test,), default=None
        Labels of ``X_test``.
    initial_size : int or array-like of int, default=10
        Size of the initial labelled set, drawn at random and stratified:
        every class gets a sample when ``initial_size`` allows it, and
        always at least two classes, since a classifier cannot be fitted on
        one. The rest is allocated in proportion to the class frequencies.
        For regression, drawn uniformly at random (at least 2 rows).
        An array gives the initial rows themselves (indices into ``X``, as
        in a published protocol); they stay out of the held-out split.
        Every class of ``y`` is also handed to an estimator that takes a
        ``classes`` parameter left at ``None`` (a network's output layer),
        so an initial set that misses a class does not break it
        (classification).
    batch_size : int, default=None
        Samples queried per round; ``None`` uses the strategy's.
    budget : int or None, default=100
        Number of labels queried after the initial set (the last batch is
        cut to fit); ``None`` labels the whole pool.
    test_size : float, default=0.25
        Fraction of ``X`` held out when ``X_test`` is None.
    noise_rate : float, default=0.0
        Probability that the oracle answers with a wrong class, drawn
        uniformly among the others (see :class:`~skactive.loop.NoisyOracle`);
        the initial set is noisy too. Regression: the oracle adds Gaussian
        noise of standard deviation ``noise_rate * y.std()`` to every
        answer (0.1: an annotator's error of a tenth of the targets' spread),
        drawn once per sample; the test set stays clean.
    warm_start : bool, default=None
        Set the strategy's ``warm_start``: ``True`` continues training the
        model from round to round, ``False`` retrains it from scratch;
        ``None`` keeps the strategy's setting.
    pool_subsample : int or float, default=None
        Set the strategy's ``pool_subsample`` (score only a random part of
        the unlabelled pool each round); ``None`` keeps the strategy's.
    pseudo_label_threshold : float, default=None
        Train on confident predictions too, see
        :class:`~skactive.ActiveLearner` (classification only).
    stopping : StoppingCriterion, default=None
        Stop before the budget is spent, e.g.
        :class:`~skactive.loop.MaxConfidence` or
        :class:`~skactive.loop.StabilizingPredictions` (for regression
        only the latter: a regressor has no class probabilities).
    scoring : str, callable, list or dict, default=None
        Extra scores of each round's model on the test set, as
        scikit-learn's ``scoring`` (greater is better: errors negated, as
        ``"neg_mean_absolute_percentage_error"``); accuracy, balanced
        accuracy, macro F1 and per-class F1 are always computed, and for
        regression the RMSE, the MAE and the R².
    random_state : int, RandomState instance or None, default=None
        Seeds the test split, the initial set, the oracle's noise and the
        strategy. Pass an int for a reproducible run.
    progress : bool, default=False
        Show a progress bar (``tqdm.auto``).

    Returns
    -------
    result : SimulationResult
        The learning curve and what was labelled.

    See Also
    --------
    compare : several strategies, repeated over seeds.
    ActiveLearningClassifier : the simulated loop as an estimator.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import MarginSampling, simulate
    >>> X, y = load_iris(return_X_y=True)
    >>> result = simulate(MarginSampling(), X, y, initial_size=6, batch_size=3,
    ...                   budget=12, random_state=0)
    >>> result.history["n_labels"].tolist()
    [6, 9, 12, 15, 18]
    >>> round(result.area_under_curve(), 2)
    0.87

    A regression strategy records the RMSE (its default metric, lower is
    better), the MAE and the R²:

    >>> from sklearn.datasets import load_diabetes
    >>> from skactive import MaxStdSampling
    >>> X, y = load_diabetes(return_X_y=True)
    >>> result = simulate(MaxStdSampling(), X, y, initial_size=10,
    ...                   batch_size=10, budget=40, random_state=0)
    >>> result.metrics
    ['rmse', 'mae', 'r2']
    >>> bool(result.history["rmse"][-1] < result.history["rmse"][0])
    True
    """
    if strategy is None:
        strategy = AdaptiveSampling()
    check_loop_params(strategy, initial_size, budget, batch_size, stopping)
    regression = is_regression(strategy)
    if isinstance(X, list | tuple):
        X = np.asarray(X)
    y = column_or_1d(y, warn=True)
    check_consistent_length(X, y)
    if regression:
        y = check_regression_targets(y)
        if pseudo_label_threshold is not None:
            raise ValueError(
                "pseudo_label_threshold is for classification: "
                f"{type(strategy).__name__} is a regression strategy."
            )
    else:
        check_classification_targets(y)
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test must be given together.")
    seeds = draw_seeds(random_state, 5)

    if X_test is None:
        check_real(
            test_size,
            "test_size",
            low=0.0,
            high=1.0,
            include_low=False,
            include_high=False,
        )
        rows = np.arange(y.shape[0])
        given = None if np.ndim(initial_size) == 0 else initial_size
        if given is not None:  # the initial rows stay in the pool
            given = check_initial_rows(given, y.shape[0])
            rows = np.setdiff1d(rows, given)
        stratify = None
        if not regression:
            _, counts = np.unique(y[rows], return_counts=True)
            stratify = y[rows] if counts.min() >= 2 else None
        pool_idx, test_idx = train_test_split(
            rows, test_size=test_size, random_state=seeds[0], stratify=stratify
        )
        if given is not None:
            pool_idx = np.concatenate([pool_idx, given])
        pool_idx.sort()
        test_idx.sort()
        if given is not None:  # rows of X -> rows of the pool
            initial_size = np.searchsorted(pool_idx, given)
        X_pool, y_pool = _safe_indexing(X, pool_idx), y[pool_idx]
        X_test, y_test = _safe_indexing(X, test_idx), y[test_idx]
    else:
        pool_idx, test_idx = np.arange(y.shape[0]), None
        X_pool, y_pool = X, y
        y_test = column_or_1d(y_test, warn=True)
        if regression:
            y_test = check_regression_targets(y_test)
        check_consistent_length(X_test, y_test)
    if _num_samples(X_test) == 0:
        raise ValueError("the test set is empty.")
    scorers = _check_scoring(scoring)
    if regression:
        check_real(noise_rate, "noise_rate", low=0.0, high=1.0)
        oracle = NoisyOracle(
            y_pool,
            noise_std=float(noise_rate) * float(np.std(y)) if noise_rate else None,
            random_state=seeds[2],
        )
        classes = None
        score = _regression_score(X_test, y_test, scorers)
    else:
        classes = np.unique(y_test)
        oracle = NoisyOracle(
            y_pool, noise_rate=noise_rate, classes=np.unique(y), random_state=seeds[2]
        )
        score = _classification_score(X_test, y_test, classes, oracle, scorers)

    learner, history, termination = simulated_loop(
        strategy,
        X_pool,
        y_pool,
        oracle,
        initial_size=initial_size,
        budget=budget,
        batch_size=batch_size,
        seeds={"strategy": seeds[3], "session": seeds[4], "initial": seeds[1]},
        score=score,
        pseudo_label_threshold=pseudo_label_threshold,
        stopping=stopping,
        strategy_params={"warm_start": warm_start, "pool_subsample": pool_subsample},
        progress=progress,
        desc=type(strategy).__name__,
    )
    labelled = learner.labelled_indices
    return SimulationResult(
        history=history,
        classes=classes,
        indices=pool_idx[labelled],
        labels=learner.labels,
        true_labels=y_pool[labelled],
        test_indices=test_idx,
        termination_condition=termination,
        strategy=learner.strategy_,
        random_state=random_state
        if isinstance(random_state, numbers.Integral)
        else None,
        task="regression" if regression else "classification",
    )


def _classification_score(X_test, y_test, classes, oracle, scorers):
    """``score(learner)`` of a classification round: accuracy, balanced
    accuracy, macro and per-class F1, noisy and pseudo labels, ``scoring``."""

    def score(learner):
        if learner.is_fitted:
            model = learner.strategy_
            y_pred = model.predict(X_test)
        else:  # the noisy initial labels hold one class: predict it
            model = None
            y_pred = np.full(_num_samples(X_test), learner.labels[0])
        _, recall, f1, _ = precision_recall_fscore_support(
            y_test, y_pred, labels=classes, zero_division=0
        )
        return {
            "accuracy": float(np.mean(y_pred == y_test)),
            "balanced_accuracy": float(np.mean(recall)),
            "f1_macro": float(np.mean(f1)),
            "f1_per_class": f1,
            "n_noisy_labels": int(oracle.flipped[learner.labelled_indices].sum()),
            "n_pseudo_labels": learner.pseudo_indices.shape[0],
            **{
                name: np.nan if model is None else float(scorer(model, X_test, y_test))
                for name, scorer in scorers.items()
            },
        }

    return score


def _regression_score(X_test, y_test, scorers):
    """``score(learner)`` of a regression round: RMSE, MAE, R², ``scoring``."""

    def score(learner):
        model = learner.strategy_
        y_pred = np.asarray(model.predict(X_test), dtype=np.float64)
        error = y_pred - y_test
        return {
            "rmse": float(np.sqrt(np.mean(error**2))),
            "mae": float(mean_absolute_error(y_test, y_pred)),
            # R² needs two test samples (sklearn warns and gives NaN)
            "r2": float(r2_score(y_test, y_pred)) if y_test.shape[0] > 1 else np.nan,
            **{
                name: float(scorer(model, X_test, y_test))
                for name, scorer in scorers.items()
            },
        }

    return score
