"""Learning curves of active learning strategies, as a Display."""

from __future__ import annotations

import numpy as np

from ..metrics import align_learning_curves, learning_curve_band, lower_is_better

__all__ = ["ActiveLearningCurveDisplay"]

# The y-axis label of the metrics whose name is not a plain word.
_AXIS_LABELS = {
    "rmse": "RMSE",
    "mae": "MAE",
    "mse": "MSE",
    "r2": "R²",
}


def metric_label(metric: str) -> str:
    """The y-axis label of a metric, saying when lower is better."""
    label = _AXIS_LABELS.get(metric, metric.replace("_", " ").capitalize())
    return f"{label} (lower is better)" if lower_is_better(metric) else label


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is installed in CI
        raise ImportError(
            "plotting needs matplotlib: pip install matplotlib (or skactive[plot])."
        ) from exc
    return plt


def _curves_of(results, metric):
    """``(n_labels, scores)`` of loop results, through their ``curves``."""
    if hasattr(results, "curves") and not isinstance(results, dict):
        return results.curves(metric)  # a ComparisonResult or SimulationResult
    if not isinstance(results, dict):
        raise TypeError(
            "results must be a ComparisonResult, a SimulationResult or "
            f"a dict of them; got {type(results).__name__}."
        )
    runs = {}
    for name, value in results.items():
        pairs = []
        for result in value if isinstance(value, list | tuple) else [value]:
            if not hasattr(result, "curves"):
                raise TypeError(
                    f"results[{name!r}] must be a SimulationResult or a list of "
                    f"them; got {type(result).__name__}."
                )
            n_labels, scores = result.curves(metric)
            for table in scores.values():
                pairs.extend((n_labels, row) for row in np.atleast_2d(table))
        runs[name] = pairs
    return align_learning_curves(runs)


class ActiveLearningCurveDisplay:
    """Learning curves (score vs number of labels) of one or more strategies.

    The mean curve of each strategy over its repeats is drawn with its
    spread (standard deviation or min-max band). Build it with
    :meth:`from_results` from :func:`~skactive.simulate` or
    :func:`~skactive.compare` results, or from arrays, then call
    :meth:`plot`. Named so as not to clash with scikit-learn's
    :class:`~sklearn.model_selection.LearningCurveDisplay` (score vs
    training-set size of one estimator).

    Parameters
    ----------
    n_labels : ndarray of shape (n_points,)
        The label counts, shared by every curve.
    scores : dict of str -> ndarray of shape (n_repeats, n_points)
        Each strategy's curves, one row per repeat; ``NaN`` where a repeat
        has no point.
    metric : str, default="accuracy"
        Name of the score, for the y axis (``"RMSE (lower is better)"`` for
        an error, see :func:`skactive.metrics.lower_is_better`; the legend
        then goes to the upper right, above curves that fall).

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes of the plot.
    figure_ : matplotlib Figure
        The figure of the plot.
    lines_ : dict of str -> matplotlib Line2D
        The mean curve of each strategy.
    fill_between_ : dict of str -> matplotlib PolyCollection
        The spread band of each strategy (absent with ``spread=None``).

    See Also
    --------
    skactive.compare : compare strategies over seeds.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skactive.plotting import ActiveLearningCurveDisplay
    >>> display = ActiveLearningCurveDisplay(
    ...     n_labels=np.array([10, 20, 30]),
    ...     scores={"random": np.array([[0.5, 0.6, 0.7], [0.5, 0.7, 0.7]]),
    ...             "margin": np.array([[0.5, 0.7, 0.8], [0.6, 0.8, 0.9]])},
    ... ).plot()
    >>> sorted(display.lines_)
    ['margin', 'random']
    """

    def __init__(self, *, n_labels, scores, metric="accuracy"):
        self.n_labels = n_labels
        self.scores = scores
        self.metric = metric

    @classmethod
    def from_results(
        cls,
        results,
        *,
        metric=None,
        ax=None,
        spread="std",
        show_repeats=False,
        **kwargs,
    ):
        """Plot the learning curves of simulation results.

        Parameters
        ----------
        results : ComparisonResult, SimulationResult, or dict
            A :func:`~skactive.compare` result; one :func:`~skactive.simulate`
            result; or a dict of name -> SimulationResult or list of them.
            Any object with their ``curves(metric) -> (n_labels, scores)``
            method works: the Display reads nothing else from them.
        metric : str, default=None
            The metric to plot; ``None``: the results' default metric
            (accuracy, or RMSE for regression), ``"accuracy"`` for a dict.
        ax : matplotlib Axes, default=None
            Where to plot; ``None`` makes a new figure.
        spread : {"std", "minmax"}, pair of float, or None, default="std"
            The band around the mean: one standard deviation, the range of
            the repeats, a pair of quantiles such as ``(0.25, 0.75)``, or
            none (see :func:`skactive.metrics.learning_curve_band`).
        show_repeats : bool, default=False
            Also draw every repeat, thin.
        **kwargs : dict
            Passed to matplotlib's ``plot`` for the mean curves.

        Returns
        -------
        display : ActiveLearningCurveDisplay
        """
        if metric is None:
            metric = getattr(results, "default_metric", None)
        if metric is None and isinstance(results, dict) and results:
            first = next(iter(results.values()))
            first = first[0] if isinstance(first, list | tuple) and first else first
            metric = getattr(first, "default_metric", None)
        metric = "accuracy" if metric is None else metric
        n_labels, scores = _curves_of(results, metric)
        display = cls(n_labels=n_labels, scores=scores, metric=metric)
        return display.plot(ax=ax, spread=spread, show_repeats=show_repeats, **kwargs)

    def plot(self, ax=None, *, spread="std", show_repeats=False, **kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to plot; ``None`` makes a new figure.
        spread : {"std", "minmax"}, pair of float, or None, default="std"
            The band around the mean curve: one standard deviation, the
            range of the repeats, a pair of quantiles such as
            ``(0.25, 0.75)``, or none (see
            :func:`skactive.metrics.learning_curve_band`).
        show_repeats : bool, default=False
            Also draw every repeat, thin.
        **kwargs : dict
            Passed to matplotlib's ``plot`` for the mean curves.

        Returns
        -------
        display : ActiveLearningCurveDisplay
            ``self``, with ``ax_``, ``figure_``, ``lines_`` and
            ``fill_between_``.
        """
        x = np.asarray(self.n_labels, dtype=float)
        bands = {}  # computed (and spread validated) before any figure is made
        for name, table in self.scores.items():
            table = np.atleast_2d(np.asarray(table, dtype=float))
            bands[name] = (table, *learning_curve_band(table, spread=spread))
        plt = _import_pyplot()
        if ax is None:
            _, ax = plt.subplots()
        self.lines_ = {}
        self.fill_between_ = {}
        for name, (table, mean, low, high) in bands.items():
            keep = np.isfinite(mean)
            label = name if table.shape[0] == 1 else f"{name} (n={table.shape[0]})"
            (line,) = ax.plot(x[keep], mean[keep], label=label, **kwargs)
            self.lines_[name] = line
            if spread is not None and table.shape[0] > 1:
                self.fill_between_[name] = ax.fill_between(
                    x[keep],
                    low[keep],
                    high[keep],
                    alpha=0.2,
                    color=line.get_color(),
                    linewidth=0,
                )
            if show_repeats:
                for row in table:
                    ok = np.isfinite(row)
                    ax.plot(
                        x[ok], row[ok], color=line.get_color(), alpha=0.3, linewidth=0.7
                    )
        ax.set_xlabel("Number of labels")
        ax.set_ylabel(metric_label(self.metric))
        ax.legend(loc="upper right" if lower_is_better(self.metric) else "lower right")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
