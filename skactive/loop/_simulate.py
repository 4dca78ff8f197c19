"""Simulated active learning: the loop with the true labels as the oracle."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.metrics import get_scorer, precision_recall_fscore_support
from sklearn.model_selection import train_test_split
from sklearn.utils import check_consistent_length, column_or_1d
from sklearn.utils.multiclass import check_classification_targets

from ..metrics import area_under_learning_curve, labels_to_reach
from ..utils._compat import _num_samples, _safe_indexing
from ..utils._validation import check_real
from ._core import check_initial_rows, check_loop_params, draw_seeds, simulated_loop
from ._oracle import NoisyOracle

__all__ = ["SimulationResult", "simulate"]


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

    Returned by :func:`~skactive.simulate`.

    Attributes
    ----------
    history : dict of ndarray
        The learning curve, one entry per round (round 0 is the initial
        set), equal-length arrays like ``cv_results_`` (shaped as the
        ``history_`` of :class:`~skactive.ActiveLearner` and
        :class:`~skactive.ActiveLearningClassifier`): ``"round"``,
        ``"n_labels"``, ``"accuracy"``, ``"balanced_accuracy"``,
        ``"f1_macro"`` (macro over the classes of the test set),
        ``"f1_per_class"`` (shape ``(n_rounds, n_classes)``, columns in the
        order of ``classes``), ``"n_noisy_labels"`` (labels the oracle got
        wrong so far), ``"n_pseudo_labels"``, one array per extra
        ``scoring``, ``"query_time"`` and ``"fit_time"`` (seconds).
    classes : ndarray of shape (n_classes,)
        The classes of the test set.
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
    ):
        self.history = history
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

    def scores(self, metric: str = "accuracy") -> np.ndarray:
        """The curve of one metric, one value per round.

        Parameters
        ----------
        metric : str, default="accuracy"
            A 1-d entry of :attr:`history`.

        Returns
        -------
        scores : ndarray of shape (n_rounds,)
        """
        values = self.history.get(metric)
        if values is None or np.ndim(values) != 1 or metric in ("round", "n_labels"):
            choices = [
                k
                for k, v in self.history.items()
                if np.ndim(v) == 1 and k not in ("round", "n_labels")
            ]
            raise ValueError(f"metric must be one of {choices}, got {metric!r}.")
        return np.asarray(values, dtype=float)

    def curves(self, metric: str = "accuracy"):
        """The learning curve, in the form of :meth:`ComparisonResult.curves`.

        Parameters
        ----------
        metric : str, default="accuracy"
            A 1-d entry of :attr:`history`.

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
        self, metric: str = "accuracy", *, normalize: bool = True, log_scale=False
    ) -> float:
        """Area under the learning curve of ``metric``.

        See :func:`skactive.metrics.area_under_learning_curve`.
        """
        return area_under_learning_curve(
            self.n_labels,
            self.scores(metric),
            normalize=normalize,
            log_scale=log_scale,
        )

    def labels_to_reach(self, target: float, metric: str = "accuracy") -> float:
        """Labels needed to reach ``target`` (``NaN`` if never reached).

        See :func:`skactive.metrics.labels_to_reach`.
        """
        return labels_to_reach(self.n_labels, self.scores(metric), target)

    def to_frame(self):
        """The history as a pandas DataFrame, one row per round.

        Per-class F1 scores become columns ``f1[<class>]``. Needs pandas.

        Returns
        -------
        frame : pandas.DataFrame
        """
        pd = _import_pandas()
        return pd.DataFrame(_flat_history(self))

    def plot(self, metric: str = "accuracy", *, ax=None, **kwargs):
        """Plot the learning curve (needs matplotlib).

        Parameters
        ----------
        metric : str, default="accuracy"
            The metric to plot.
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
            self, metric=metric, ax=ax, **kwargs
        )

    def __repr__(self) -> str:
        n = self.n_labels
        name = self.name or type(self.strategy).__name__
        return (
            f"SimulationResult({name}: {len(n)} rounds, {n[0]} -> {n[-1]} "
            f"labels, accuracy {self.history['accuracy'][0]:.3f} -> "
            f"{self.history['accuracy'][-1]:.3f}, area "
            f"{self.area_under_curve():.3f}, stopped: "
            f"{self.termination_condition})"
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

    Parameters
    ----------
    strategy : QueryStrategy
        The strategy to simulate; a clone is fitted. Its ``random_state`` is
        replaced by a seed drawn from ``random_state``, so that repeats with
        different seeds differ.
    X : array-like or sparse matrix of shape (n_samples, n_features)
        The pool (and the test set when ``X_test`` is None).
    y : array-like of shape (n_samples,)
        The true labels of ``X``: the oracle.
    X_test : array-like of shape (n_test, n_features), default=None
        Held-out samples the curve is measured on. ``None``: a stratified
        ``test_size`` part of ``X`` is held out (and never queried).
    y_test : array-like of shape (n_test,), default=None
        Labels of ``X_test``.
    initial_size : int or array-like of int, default=10
        Size of the initial labelled set, drawn at random and stratified:
        every class gets a sample when ``initial_size`` allows it, and
        always at least two classes, since a classifier cannot be fitted on
        one. The rest is allocated in proportion to the class frequencies.
        An array gives the initial rows themselves (indices into ``X``, as
        in a published protocol); they stay out of the held-out split.
        Every class of ``y`` is also handed to an estimator that takes a
        ``classes`` parameter left at ``None`` (a network's output layer),
        so an initial set that misses a class does not break it.
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
        the initial set is noisy too.
    warm_start : bool, default=None
        Set the strategy's ``warm_start``: ``True`` continues training the
        model from round to round, ``False`` retrains it from scratch;
        ``None`` keeps the strategy's setting.
    pool_subsample : int or float, default=None
        Set the strategy's ``pool_subsample`` (score only a random part of
        the unlabelled pool each round); ``None`` keeps the strategy's.
    pseudo_label_threshold : float, default=None
        Train on confident predictions too, see
        :class:`~skactive.ActiveLearner`.
    stopping : StoppingCriterion, default=None
        Stop before the budget is spent, e.g.
        :class:`~skactive.loop.MaxConfidence` or
        :class:`~skactive.loop.StabilizingPredictions`.
    scoring : str, callable, list or dict, default=None
        Extra scores of each round's model on the test set, as
        scikit-learn's ``scoring``; accuracy, balanced accuracy, macro F1
        and per-class F1 are always computed.
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
    """
    check_loop_params(strategy, initial_size, budget, batch_size)
    if isinstance(X, list | tuple):
        X = np.asarray(X)
    y = column_or_1d(y, warn=True)
    check_consistent_length(X, y)
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
        _, counts = np.unique(y[rows], return_counts=True)
        pool_idx, test_idx = train_test_split(
            rows,
            test_size=test_size,
            random_state=seeds[0],
            stratify=y[rows] if counts.min() >= 2 else None,
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
        check_consistent_length(X_test, y_test)
    if _num_samples(X_test) == 0:
        raise ValueError("the test set is empty.")
    scorers = _check_scoring(scoring)
    classes = np.unique(y_test)
    oracle = NoisyOracle(
        y_pool, noise_rate=noise_rate, classes=np.unique(y), random_state=seeds[2]
    )

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
    )
