"""Compare strategies: repeated simulations in parallel, summarised."""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.utils.parallel import Parallel, delayed
from tqdm.auto import tqdm

from ..metrics import (
    active_gain,
    align_learning_curves,
    area_under_learning_curve,
    labels_to_reach,
    lower_is_better,
)
from ..strategies import RandomSampling
from ..utils._validation import check_int
from ._core import draw_seeds
from ._session import check_query_strategy, is_regression
from ._simulate import (
    DEFAULT_METRIC,
    _flat_history,
    _import_pandas,
    simulate,
)

__all__ = ["ComparisonResult", "compare"]


def _simulate_task(name, repeat, strategy, X, y, X_test, y_test, seed, kwargs):
    """One simulation; module-level so that any joblib backend can run it."""
    result = simulate(strategy, X, y, X_test, y_test, random_state=seed, **kwargs)
    result.name = name
    return name, repeat, result


class ComparisonResult:
    """Learning curves of several strategies over repeated seeds.

    Returned by :func:`~skactive.compare`. Repeat ``i`` of every strategy
    uses the same seed (same test split, initial set and label noise), so
    strategies are compared pairwise, repeat by repeat.

    Every method summarises the curves of one metric, by default the
    task's (:attr:`default_metric`: accuracy, or RMSE for regression). The
    areas are in the metric's units (for an error, the mean error over the
    label range: lower is better); the gains over the baseline are positive
    when a strategy does better, for a score and an error alike, and an
    error's target is reached at or below it (see
    :func:`skactive.metrics.lower_is_better`).

    Attributes
    ----------
    results : dict of str -> list of SimulationResult
        The runs of each strategy, in repeat order.
    seeds : ndarray of shape (n_repeats,)
        The seed of each repeat.
    names : list of str
        The strategies' names, in the order given.
    """

    def __init__(self, results: dict, seeds):
        self.results = results
        self.seeds = np.asarray(seeds)
        self.names = list(results)

    @property
    def n_repeats(self) -> int:
        """Number of repeats of each strategy."""
        return self.seeds.shape[0]

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``: the strategies' task."""
        return next(iter(self.results.values()))[0].task

    @property
    def default_metric(self) -> str:
        """The metric of the task: ``"accuracy"``, or ``"rmse"`` for
        regression."""
        return DEFAULT_METRIC[self.task]

    @property
    def metrics(self) -> list:
        """The metrics recorded at every round (see
        :attr:`SimulationResult.metrics`)."""
        return next(iter(self.results.values()))[0].metrics

    def _metric(self, metric) -> str:
        return self.default_metric if metric is None else metric

    def curves(self, metric: str | None = None):
        """Learning curves on a common grid of label counts.

        Parameters
        ----------
        metric : str, default=None
            A metric of the runs' history; ``None``: :attr:`default_metric`.

        Returns
        -------
        n_labels : ndarray of shape (n_points,)
            Every label count reached by some run.
        scores : dict of str -> ndarray of shape (n_repeats, n_points)
            Each strategy's curves; ``NaN`` where a run has no point (e.g. it
            stopped early).

        See Also
        --------
        skactive.metrics.align_learning_curves : the alignment.
        skactive.metrics.learning_curve_band : the mean curve and its band.
        """
        metric = self._metric(metric)
        return align_learning_curves(
            {
                name: [(r.n_labels, r.scores(metric)) for r in results]
                for name, results in self.results.items()
            }
        )

    def area_under_curve(
        self, metric: str | None = None, *, normalize: bool = True, log_scale=False
    ) -> dict:
        """Area under each run's learning curve.

        In the metric's units (``None``: :attr:`default_metric`); for an
        error, lower is better.

        Returns
        -------
        areas : dict of str -> ndarray of shape (n_repeats,)
        """
        metric = self._metric(metric)
        return {
            name: np.array(
                [
                    area_under_learning_curve(
                        r.n_labels,
                        r.scores(metric),
                        normalize=normalize,
                        log_scale=log_scale,
                    )
                    for r in results
                ]
            )
            for name, results in self.results.items()
        }

    def labels_to_reach(self, target: float, metric: str | None = None) -> dict:
        """Labels each run needed to reach ``target`` (``NaN`` if never).

        A score reaches it from below, an error (``"rmse"``) from above:
        ``labels_to_reach(50.0)`` of a regression comparison counts the
        labels to get to an RMSE of at most 50. ``None``:
        :attr:`default_metric`.

        Returns
        -------
        labels : dict of str -> ndarray of shape (n_repeats,)
        """
        metric = self._metric(metric)
        greater = not lower_is_better(metric)
        return {
            name: np.array(
                [
                    labels_to_reach(
                        r.n_labels, r.scores(metric), target, greater_is_better=greater
                    )
                    for r in results
                ]
            )
            for name, results in self.results.items()
        }

    def _baseline_name(self, baseline):
        if baseline is not None:
            if baseline not in self.results:
                raise ValueError(
                    f"baseline must be one of {self.names}, got {baseline!r}."
                )
            return baseline
        if "random" in self.results:
            return "random"
        randoms = [
            name
            for name, results in self.results.items()
            if isinstance(results[0].strategy, RandomSampling)
        ]
        if len(randoms) != 1:
            raise ValueError(
                "baseline is required: name the baseline strategy (no single "
                "'random' or RandomSampling entry to default to)."
            )
        return randoms[0]

    def active_gain(
        self,
        baseline: str | None = None,
        *,
        metric: str | None = None,
        target: float | None = None,
        normalize: bool = True,
        log_scale: bool = False,
    ) -> dict:
        """Gain of each strategy over a baseline, repeat by repeat.

        Positive means better than the baseline: for a score, the strategy's
        area minus the baseline's; for an error (``"rmse"``, see
        :func:`skactive.metrics.lower_is_better`), the baseline's area minus
        the strategy's, the mean reduction of the error.

        Parameters
        ----------
        baseline : str, default=None
            Name of the baseline; ``None`` means ``"random"``, or the only
            :class:`~skactive.RandomSampling` strategy.
        metric : str, default=None
            The metric of the curves; ``None``: :attr:`default_metric`.
        target : float, default=None
            ``None``: gain in (normalised) area; a float: fraction of labels
            saved to reach it. See :func:`skactive.metrics.active_gain`.
        normalize, log_scale : bool
            Passed to :func:`skactive.metrics.area_under_learning_curve`.

        Returns
        -------
        gains : dict of str -> ndarray of shape (n_repeats,)
        """
        metric = self._metric(metric)
        greater = not lower_is_better(metric)
        base = self.results[self._baseline_name(baseline)]
        return {
            name: np.array(
                [
                    active_gain(
                        r.n_labels,
                        r.scores(metric),
                        b.scores(metric),
                        baseline_n_labels=b.n_labels,
                        target=target,
                        normalize=normalize,
                        log_scale=log_scale,
                        greater_is_better=greater,
                    )
                    for r, b in zip(results, base, strict=True)
                ]
            )
            for name, results in self.results.items()
        }

    def summary(
        self,
        metric: str | None = None,
        *,
        target: float | None = None,
        baseline: str | None = None,
    ) -> dict:
        """One row per strategy: area, final score, labels to reach, gain.

        Parameters
        ----------
        metric : str, default=None
            The metric of the curves; ``None``: :attr:`default_metric`.
            The areas and final values are in its units (an error's: lower
            is better); the gains are positive when better than the
            baseline.
        target : float, default=None
            Also report the labels needed to reach this score (an error:
            to get down to it).
        baseline : str, default=None
            The baseline of the active gain; ``None``: ``"random"`` or the
            only :class:`~skactive.RandomSampling`, and no gain columns if
            there is none.

        Returns
        -------
        summary : dict of ndarray
            Equal-length arrays (``pandas.DataFrame(summary)`` makes a
            table): ``"strategy"``, ``"area_mean"``, ``"area_std"``,
            ``"final_mean"``, ``"final_std"``, with ``target``
            ``"labels_to_reach_mean"`` (``NaN`` if a repeat never reached
            it), and with a baseline ``"gain_mean"`` and ``"gain_std"``.
        """
        metric = self._metric(metric)
        areas = self.area_under_curve(metric)
        finals = {
            name: np.array([r.scores(metric)[-1] for r in results])
            for name, results in self.results.items()
        }
        out = {
            "strategy": np.array(self.names, dtype=object),
            "area_mean": np.array([areas[n].mean() for n in self.names]),
            "area_std": np.array([areas[n].std() for n in self.names]),
            "final_mean": np.array([finals[n].mean() for n in self.names]),
            "final_std": np.array([finals[n].std() for n in self.names]),
        }
        if target is not None:
            reach = self.labels_to_reach(target, metric)
            out["labels_to_reach_mean"] = np.array(
                [reach[n].mean() for n in self.names]
            )
        try:
            name = self._baseline_name(baseline)
        except ValueError:
            if baseline is not None:
                raise
            name = None
        if name is not None:
            gains = self.active_gain(name, metric=metric)
            out["gain_mean"] = np.array([gains[n].mean() for n in self.names])
            out["gain_std"] = np.array([gains[n].std() for n in self.names])
        return out

    def to_frame(self):
        """Every round of every run as a tidy pandas DataFrame.

        Columns ``strategy``, ``repeat``, ``seed``, then the history of the
        runs (per-class F1 as ``f1[<class>]`` columns). Needs pandas.

        Returns
        -------
        frame : pandas.DataFrame
        """
        pd = _import_pandas()
        frames = []
        for name, results in self.results.items():
            for repeat, r in enumerate(results):
                frame = pd.DataFrame(_flat_history(r))
                frame.insert(0, "seed", self.seeds[repeat])
                frame.insert(0, "repeat", repeat)
                frame.insert(0, "strategy", name)
                frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def plot(self, metric: str | None = None, *, ax=None, **kwargs):
        """Plot the mean learning curves with their spread (needs matplotlib).

        Parameters
        ----------
        metric : str, default=None
            The metric to plot; ``None``: :attr:`default_metric`.
        ax : matplotlib Axes, default=None
            Where to plot; ``None`` makes a new figure.
        **kwargs : dict
            Passed to
            :meth:`skactive.plotting.ActiveLearningCurveDisplay.from_results`
            (``spread``, ``show_repeats``, matplotlib's ``plot`` keywords).

        Returns
        -------
        display : skactive.plotting.ActiveLearningCurveDisplay
        """
        from ..plotting import ActiveLearningCurveDisplay

        return ActiveLearningCurveDisplay.from_results(
            self, metric=self._metric(metric), ax=ax, **kwargs
        )

    def __repr__(self) -> str:
        if self.task == "regression":
            return self._regression_repr()
        summary = self.summary()
        balanced = self.summary("balanced_accuracy") if "gain_mean" in summary else None
        width = max(len("strategy"), *(len(n) for n in self.names))
        header = f"{'strategy':<{width}}  area (mean ± std)  final accuracy"
        if "gain_mean" in summary:
            header += "  gain over baseline  (balanced accuracy)"
        lines = [
            f"ComparisonResult({len(self.names)} strategies x "
            f"{self.n_repeats} repeats)",
            header,
        ]
        for i, name in enumerate(self.names):
            line = (
                f"{name:<{width}}  {summary['area_mean'][i]:.3f} ± "
                f"{summary['area_std'][i]:.3f}      "
                f"{summary['final_mean'][i]:.3f} ± {summary['final_std'][i]:.3f}"
            )
            if "gain_mean" in summary:
                line += (
                    f"   {summary['gain_mean'][i]:+.3f}"
                    f"               {balanced['gain_mean'][i]:+.3f}"
                )
            lines.append(line)
        return "\n".join(lines)

    def _regression_repr(self) -> str:
        """The table of a regression comparison: RMSE areas (lower is
        better) and gains (positive is better), with the R² gain."""
        summary = self.summary("rmse")
        r2 = self.summary("r2") if "gain_mean" in summary else None
        rows = []
        for i, name in enumerate(self.names):
            row = [
                name,
                f"{summary['area_mean'][i]:.4g} ± {summary['area_std'][i]:.2g}",
                f"{summary['final_mean'][i]:.4g} ± {summary['final_std'][i]:.2g}",
            ]
            if r2 is not None:
                row += [
                    f"{summary['gain_mean'][i]:+.4g}",
                    f"{r2['gain_mean'][i]:+.3f}",
                ]
            rows.append(row)
        header = ["strategy", "area under RMSE", "final RMSE"]
        if r2 is not None:
            header += ["gain over baseline", "(R²)"]
        widths = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(header)]
        lines = [
            f"ComparisonResult({len(self.names)} strategies x "
            f"{self.n_repeats} repeats; RMSE: lower is better, gains: positive "
            "is better)",
            "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
        ]
        lines += [
            "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows
        ]
        return "\n".join(lines)


def _check_strategies(strategies) -> dict:
    if isinstance(strategies, dict):
        named = dict(strategies)
    elif isinstance(strategies, list | tuple):
        named = {}
        for strategy in strategies:
            name = type(strategy).__name__
            if name in named:
                raise ValueError(
                    f"two strategies are named {name!r}: pass a dict of "
                    "name -> strategy."
                )
            named[name] = strategy
    else:
        raise TypeError(
            "strategies must be a dict of name -> strategy (or a list of "
            f"strategies); got {type(strategies).__name__}."
        )
    if not named:
        raise ValueError("strategies is empty.")
    for name, strategy in named.items():
        check_query_strategy(strategy, f"strategies[{name!r}]")
    tasks = {name: is_regression(s) for name, s in named.items()}
    if len(set(tasks.values())) > 1:
        regressors = sorted(name for name, r in tasks.items() if r)
        classifiers = sorted(name for name, r in tasks.items() if not r)
        raise ValueError(
            "strategies must all be of one task: "
            f"{regressors} are regression strategies and {classifiers} "
            "classification ones (RandomSampling and CoreSet follow their "
            "estimator's task: give them a regressor to compare with regression "
            "strategies)."
        )
    return named


def compare(
    strategies,
    X,
    y,
    X_test=None,
    y_test=None,
    *,
    n_repeats: int = 5,
    n_jobs: int | None = None,
    random_state=None,
    progress: bool = False,
    **simulate_params,
) -> ComparisonResult:
    """Simulate several strategies, repeated over seeds, in parallel.

    Every strategy is simulated ``n_repeats`` times with :func:`simulate`;
    repeat ``i`` uses the same seed for all strategies (same test split,
    initial set and label noise), so that their curves compare pairwise.
    The runs are spread over ``n_jobs`` joblib workers. The strategies are
    all classifiers, or all regressors (then every curve is of RMSE, MAE
    and R², and the summaries default to the RMSE).

    Parameters
    ----------
    strategies : dict of str -> QueryStrategy, or list of QueryStrategy
        The strategies, by name (a list is named by class), of one task.
        Name the baseline ``"random"`` (a :class:`~skactive.RandomSampling`)
        to get the active gain over it.
    X : array-like or sparse matrix of shape (n_samples, n_features)
        The pool, see :func:`simulate`.
    y : array-like of shape (n_samples,)
        The true labels.
    X_test, y_test : array-like, default=None
        Held-out set; ``None`` splits one off ``X`` in each repeat.
    n_repeats : int, default=5
        Number of seeds.
    n_jobs : int, default=None
        Number of simulations run in parallel (joblib's default backend,
        processes; see :func:`joblib.parallel_config`). ``None`` means 1
        unless in a :func:`joblib.parallel_config` context; ``-1`` means all
        processors.
    random_state : int, RandomState instance or None, default=None
        Draws the seeds of the repeats. Pass an int for reproducible results
        (they do not depend on ``n_jobs``).
    progress : bool, default=False
        Show a progress bar over the runs (``tqdm.auto``).
    **simulate_params : dict
        Passed to :func:`simulate`: ``initial_size``, ``batch_size``,
        ``budget``, ``noise_rate``, ``warm_start``, ``stopping``, ...

    Returns
    -------
    result : ComparisonResult
        The runs, with ``to_frame()``, ``plot()``, ``area_under_curve()``,
        ``labels_to_reach()``, ``active_gain()`` and ``summary()``.

    See Also
    --------
    simulate : one run.
    skactive.plotting.ActiveLearningCurveDisplay : the plot.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import MarginSampling, RandomSampling, compare
    >>> X, y = load_iris(return_X_y=True)
    >>> result = compare({"random": RandomSampling(), "margin": MarginSampling()},
    ...                  X, y, n_repeats=2, initial_size=6, batch_size=3,
    ...                  budget=9, random_state=0)
    >>> sorted(result.area_under_curve())
    ['margin', 'random']
    >>> result.active_gain()["random"].tolist()
    [0.0, 0.0]
    """
    named = _check_strategies(strategies)
    check_int(n_repeats, "n_repeats")
    allowed = set(inspect.signature(simulate).parameters) - {
        "strategy",
        "X",
        "y",
        "X_test",
        "y_test",
        "random_state",
        "progress",
    }
    unknown = set(simulate_params) - allowed
    if unknown:
        raise TypeError(
            f"unknown simulate parameters {sorted(unknown)}; allowed: "
            f"{sorted(allowed)}."
        )
    seeds = draw_seeds(random_state, n_repeats)
    tasks = [
        delayed(_simulate_task)(
            name, repeat, strategy, X, y, X_test, y_test, int(seed), simulate_params
        )
        for repeat, seed in enumerate(seeds)
        for name, strategy in named.items()
    ]
    runs: dict = {name: [None] * n_repeats for name in named}
    with tqdm(total=len(tasks), disable=not progress, desc="compare") as bar:
        results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)
        for name, repeat, result in results:
            runs[name][repeat] = result
            bar.update()
    return ComparisonResult(runs, seeds)
