"""Summaries of learning curves: area, labels to reach a target, active gain."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "active_gain",
    "alc_scorer",
    "area_under_learning_curve",
    "labels_to_reach",
    "lower_is_better",
    "make_alc_scorer",
]

# The metrics of a learning curve that are errors or costs: the lower, the
# better. Everything else (accuracy, F1, R², scikit-learn's scorers, whose
# errors are negated: "neg_root_mean_squared_error") is a score.
_LOWER_IS_BETTER = frozenset(
    {"rmse", "mae", "mse", "max_error", "fit_time", "query_time", "n_noisy_labels"}
)


def lower_is_better(metric) -> bool:
    """Whether a learning-curve metric is an error (lower is better).

    The history of :func:`~skactive.simulate` records scores (``accuracy``,
    ``f1_macro``, ``r2``: higher is better) and errors (``rmse``, ``mae``:
    lower is better). Every summary of a curve follows this direction:
    :func:`labels_to_reach` of an error is the first point at or *below*
    the target, and :func:`active_gain` is positive when the strategy is
    better than its baseline, whichever the direction (for an error, the
    baseline's area minus the strategy's). The areas themselves stay in the
    metric's units (the area under the RMSE curve is the mean RMSE over the
    label range).

    Parameters
    ----------
    metric : str
        A metric name: ``"rmse"``, ``"mae"``, ``"mse"``, ``"max_error"``,
        ``"fit_time"``, ``"query_time"`` and ``"n_noisy_labels"`` are
        errors or costs; any other name (``"accuracy"``, ``"r2"``, a
        scikit-learn scorer name such as ``"neg_root_mean_squared_error"``,
        whose error is already negated) is a score.

    Returns
    -------
    lower : bool
        ``True`` for an error, ``False`` for a score.

    Examples
    --------
    >>> from skactive.metrics import lower_is_better
    >>> lower_is_better("rmse"), lower_is_better("r2")
    (True, False)
    >>> lower_is_better("neg_root_mean_squared_error")
    False
    """
    if not isinstance(metric, str):
        raise TypeError(f"metric must be a str, got {type(metric).__name__}.")
    return metric in _LOWER_IS_BETTER


def _check_direction(greater_is_better) -> bool:
    if not isinstance(greater_is_better, bool | np.bool_):
        raise TypeError(f"greater_is_better must be a bool, got {greater_is_better!r}.")
    return bool(greater_is_better)


def _check_curve(n_labels, scores, *, log_scale: bool = False):
    """Validate a learning curve: two finite 1-d arrays, labels increasing."""
    x = np.asarray(n_labels, dtype=np.float64)
    y = np.asarray(scores, dtype=np.float64)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(
            "n_labels and scores must be 1-d arrays; got shapes "
            f"{x.shape} and {y.shape}."
        )
    if x.shape != y.shape:
        raise ValueError(
            f"n_labels and scores must have the same length; got {x.shape[0]} "
            f"and {y.shape[0]}."
        )
    if x.shape[0] == 0:
        raise ValueError("n_labels is empty: a learning curve needs a point.")
    if not np.isfinite(x).all():
        raise ValueError("n_labels contains NaN or infinite values.")
    if not np.isfinite(y).all():
        raise ValueError(
            "scores contains NaN or infinite values: was every round scored?"
        )
    if np.any(np.diff(x) <= 0):
        raise ValueError("n_labels must be strictly increasing.")
    if log_scale and x[0] <= 0:
        raise ValueError("log_scale=True needs n_labels > 0.")
    return x, y


def area_under_learning_curve(
    n_labels, scores, *, normalize: bool = True, log_scale: bool = False
) -> float:
    """Area under a learning curve, by the trapezoidal rule over the labels.

    Parameters
    ----------
    n_labels : array-like of shape (n_points,)
        Number of labelled samples at each point, strictly increasing.
    scores : array-like of shape (n_points,)
        The score (accuracy, macro F1, ...) of the model trained on that many
        labels.
    normalize : bool, default=True
        Divide the area by the width of the label range, so that the result
        is the mean score over the range, in the units of ``scores``
        (between 0 and 1 for accuracy): curves over the same range compare
        directly. A single point gives its score. ``False`` returns the raw
        area (score x labels), 0 for a single point.
    log_scale : bool, default=False
        Integrate over ``log2(n_labels)`` instead, so that the first labels
        weigh as much as the doubling that follows them, as in the Active
        Learning Challenge (Guyon et al., 2011).

    Returns
    -------
    area : float
        The (normalised) area under the curve.

    See Also
    --------
    labels_to_reach : labels needed to reach a target score.
    active_gain : the difference of areas with a baseline.

    Examples
    --------
    >>> from skactive.metrics import area_under_learning_curve
    >>> area_under_learning_curve([10, 20, 40], [0.5, 0.7, 0.8])
    0.7
    >>> area_under_learning_curve([10, 20, 40], [0.5, 0.7, 0.8], normalize=False)
    21.0
    """
    x, y = _check_curve(n_labels, scores, log_scale=log_scale)
    if log_scale:
        x = np.log2(x)
    if x.shape[0] == 1:
        return float(y[0]) if normalize else 0.0
    area = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))
    return area / float(x[-1] - x[0]) if normalize else area


def labels_to_reach(
    n_labels, scores, target: float, *, greater_is_better: bool = True
) -> float:
    """Number of labels at which a learning curve first reaches a target.

    Parameters
    ----------
    n_labels : array-like of shape (n_points,)
        Number of labelled samples at each point, strictly increasing.
    scores : array-like of shape (n_points,)
        The score (or error) of the model trained on that many labels.
    target : float
        The score to reach: ``score >= target``, or for an error
        (``greater_is_better=False``) ``error <= target``.
    greater_is_better : bool, default=True
        ``False`` for an error such as the RMSE (see
        :func:`lower_is_better`): the target is reached at or below it.

    Returns
    -------
    n : float
        The first ``n_labels`` whose score reaches ``target``; ``NaN``
        when the curve never reaches it (more labels than the budget would be
        needed). The first point reaching the target counts, even if a later
        one falls back again.

    See Also
    --------
    active_gain : with ``target``, the fraction of labels saved.

    Examples
    --------
    >>> from skactive.metrics import labels_to_reach
    >>> labels_to_reach([10, 20, 40], [0.5, 0.7, 0.8], target=0.7)
    20.0
    >>> labels_to_reach([10, 20, 40], [0.5, 0.7, 0.8], target=0.9)
    nan
    >>> labels_to_reach([10, 20, 40], [9.0, 6.5, 5.0], target=6.5,
    ...                 greater_is_better=False)       # RMSE <= 6.5
    20.0
    """
    greater = _check_direction(greater_is_better)
    x, y = _check_curve(n_labels, scores)
    if not isinstance(target, numbers.Real) or not np.isfinite(target):
        raise ValueError(f"target must be a finite number, got {target!r}.")
    reached = np.flatnonzero(y >= target if greater else y <= target)
    return float(x[reached[0]]) if reached.size else float("nan")


def active_gain(
    n_labels,
    scores,
    baseline_scores,
    *,
    baseline_n_labels=None,
    target: float | None = None,
    normalize: bool = True,
    log_scale: bool = False,
    greater_is_better: bool = True,
) -> float:
    """Gain of a strategy over a baseline (usually random sampling).

    Positive means better than the baseline, for a score and for an error
    alike.

    Parameters
    ----------
    n_labels : array-like of shape (n_points,)
        Number of labels at each point of the strategy's curve.
    scores : array-like of shape (n_points,)
        The strategy's scores.
    baseline_scores : array-like of shape (n_baseline_points,)
        The baseline's scores.
    baseline_n_labels : array-like of shape (n_baseline_points,), default=None
        Number of labels at each point of the baseline's curve; ``None``
        means the same as ``n_labels``.
    target : float, default=None
        ``None``: the gain in area, ``area(strategy) - area(baseline)``
        (with ``normalize=True``, the mean improvement of the score over the
        label range; positive means better than the baseline); for an error,
        ``area(baseline) - area(strategy)``, the mean reduction of the error.
        A float: the fraction of labels saved to reach ``target``,
        ``1 - labels(strategy) / labels(baseline)`` (0.25 means a quarter
        fewer labels); ``NaN`` when either curve never reaches the target.
    normalize : bool, default=True
        Passed to :func:`area_under_learning_curve`.
    log_scale : bool, default=False
        Passed to :func:`area_under_learning_curve`.
    greater_is_better : bool, default=True
        ``False`` when the curves are of an error such as the RMSE (see
        :func:`lower_is_better`): the gain in area is then the baseline's
        area minus the strategy's, and a target is reached at or below it.

    Returns
    -------
    gain : float
        The gain in area, or the fraction of labels saved.

    See Also
    --------
    area_under_learning_curve, labels_to_reach

    Examples
    --------
    >>> from skactive.metrics import active_gain
    >>> n = [10, 20, 40]
    >>> round(active_gain(n, [0.6, 0.8, 0.9], [0.5, 0.7, 0.8]), 3)
    0.1
    >>> active_gain(n, [0.6, 0.8, 0.9], [0.5, 0.7, 0.8], target=0.8)
    0.5
    >>> round(active_gain(n, [8.0, 6.0, 5.0], [9.0, 7.0, 5.5],
    ...                   greater_is_better=False), 3)    # RMSE: lower is better
    0.833
    """
    greater = _check_direction(greater_is_better)
    if baseline_n_labels is None:
        baseline_n_labels = n_labels
    if target is None:
        ours = area_under_learning_curve(
            n_labels, scores, normalize=normalize, log_scale=log_scale
        )
        theirs = area_under_learning_curve(
            baseline_n_labels,
            baseline_scores,
            normalize=normalize,
            log_scale=log_scale,
        )
        return ours - theirs if greater else theirs - ours
    ours = labels_to_reach(n_labels, scores, target, greater_is_better=greater)
    theirs = labels_to_reach(
        baseline_n_labels, baseline_scores, target, greater_is_better=greater
    )
    return 1.0 - ours / theirs


class _ALCScorer:
    """Scorer: area under the learning curve of a fitted active learner."""

    def __init__(self, scoring, normalize, log_scale):
        self.scoring = scoring
        self.normalize = normalize
        self.log_scale = log_scale

    def __call__(self, estimator, X, y, **kwargs):
        if kwargs:
            raise TypeError(
                "the learning-curve scorer takes no extra arguments; got "
                f"{sorted(kwargs)}."
            )
        final = estimator
        if hasattr(estimator, "steps"):  # a Pipeline ending in the learner
            final = estimator.steps[-1][1]
            X = estimator[:-1].transform(X)
        if not hasattr(final, "learning_curve"):
            raise TypeError(
                "alc_scorer scores an ActiveLearningClassifier or an "
                "ActiveLearningRegressor (an estimator with a learning_curve "
                "method, possibly at the end of a Pipeline); got "
                f"{type(final).__name__}."
            )
        curve = final.learning_curve(X, y, scoring=self.scoring)
        return area_under_learning_curve(
            curve["n_labels"],
            curve["score"],
            normalize=self.normalize,
            log_scale=self.log_scale,
        )

    def __repr__(self):
        return (
            f"make_alc_scorer(scoring={self.scoring!r}, "
            f"normalize={self.normalize}, log_scale={self.log_scale})"
        )


def make_alc_scorer(scoring=None, *, normalize: bool = True, log_scale: bool = False):
    """Scorer of the area under the learning curve on held-out data.

    The returned callable ``scorer(estimator, X, y)`` takes a fitted
    :class:`~skactive.ActiveLearningClassifier` or
    :class:`~skactive.ActiveLearningRegressor` (alone or as the last step
    of a :class:`~sklearn.pipeline.Pipeline`), scores the model of every
    round of its simulated loop on ``(X, y)`` and returns the area under that
    curve. Passed as ``scoring`` to
    :class:`~sklearn.model_selection.GridSearchCV` or
    :func:`~sklearn.model_selection.cross_val_score`, it chooses the strategy
    that learns fastest on the held-out folds, not only the one that ends
    best.

    Parameters
    ----------
    scoring : str or callable, default=None
        The score of each round's model, as scikit-learn's ``scoring``
        (e.g. ``"accuracy"``, ``"f1_macro"``, ``"balanced_accuracy"``; for
        regression ``"neg_root_mean_squared_error"``, ``"r2"``; or a
        scorer callable). Scikit-learn's scorers are greater-is-better (an
        error is negated), and so is the area. ``None`` uses the model's
        ``score``: the accuracy of a classifier, the R² of a regressor.
    normalize : bool, default=True
        Passed to :func:`area_under_learning_curve`: the mean score over the
        label range.
    log_scale : bool, default=False
        Passed to :func:`area_under_learning_curve`.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y) -> float``, greater is better.

    See Also
    --------
    alc_scorer : ``make_alc_scorer()``, the area under the accuracy curve.
    skactive.ActiveLearningClassifier : the estimator it scores.
    skactive.ActiveLearningRegressor : the same, for regression.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import ActiveLearningClassifier
    >>> from skactive.metrics import make_alc_scorer
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = ActiveLearningClassifier(initial_size=6, budget=12, batch_size=3,
    ...                                random_state=0).fit(X[::2], y[::2])
    >>> scorer = make_alc_scorer("f1_macro")
    >>> 0 <= scorer(clf, X[1::2], y[1::2]) <= 1
    True

    For regression, the area under the negated RMSE curve (greater is
    better, as every scikit-learn scorer):

    >>> from sklearn.datasets import load_diabetes
    >>> from skactive import ActiveLearningRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = ActiveLearningRegressor(initial_size=10, budget=20, batch_size=10,
    ...                               random_state=0).fit(X[::2], y[::2])
    >>> rmse_scorer = make_alc_scorer("neg_root_mean_squared_error")
    >>> bool(-100 < rmse_scorer(reg, X[1::2], y[1::2]) < -40)
    True
    """
    return _ALCScorer(scoring, normalize, log_scale)


alc_scorer = make_alc_scorer()
alc_scorer.__doc__ = """Area under the accuracy learning curve on held-out data.

``make_alc_scorer()``: pass it as ``scoring`` to
:class:`~sklearn.model_selection.GridSearchCV` over an
:class:`~skactive.ActiveLearningClassifier` (over an
:class:`~skactive.ActiveLearningRegressor`, the area under its R² curve).
"""
