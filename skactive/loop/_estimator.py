"""Estimators whose fit runs a simulated active learning loop.

:class:`ActiveLearningClassifier` and :class:`ActiveLearningRegressor` share
:class:`_BaseActiveLearningEstimator`: the loop in ``fit``, the model of
every round for the learning-curve scorer, ``predict``; each adds what its
task needs (the targets it accepts, the pool metric of its history,
``predict_proba`` or ``predict(X, return_std=True)``).
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import BayesianRidge
from sklearn.metrics import check_scoring
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..strategies import AdaptiveSampling, GreedySamplingX
from ..utils._regression import check_regression_targets
from ..utils._validation import inherit_input_tags, validate_samples
from ._core import check_loop_params, draw_seeds, simulated_loop
from ._session import is_regression, map_candidates

__all__ = ["ActiveLearningClassifier", "ActiveLearningRegressor"]


def _strategy_has(attr: str):
    def check(self) -> bool:
        strategy = getattr(self, "strategy_", None)
        if strategy is None:
            strategy = self._get_strategy()
        return hasattr(strategy, attr)

    return check


class _BaseActiveLearningEstimator(BaseEstimator):
    """The simulated loop as an estimator; a task's subclass says the rest.

    Subclasses define ``__init__`` (their parameters), ``_default_strategy``,
    ``_check_targets(y)`` and ``_pool_metric(y_true, y_pred) -> dict``, and
    set ``_task_regression``.
    """

    _task_regression = False

    def _get_strategy(self):
        return self._default_strategy() if self.strategy is None else self.strategy

    def __sklearn_tags__(self):
        return inherit_input_tags(super().__sklearn_tags__(), [self._get_strategy()])

    def _validate_X(self, X, *, reset: bool, y=None):
        return validate_samples(self, X, reset=reset, y=y)

    def _check_task(self, strategy) -> None:
        if is_regression(strategy) == self._task_regression:
            return
        name = type(self).__name__
        if self._task_regression:
            raise ValueError(
                f"{name} needs a regression strategy (is_regressor: "
                "MaxStdSampling, ImprovedGreedySampling, RandomSampling over a "
                f"regressor...); got {type(strategy).__name__}, a classifier: "
                "use ActiveLearningClassifier for it."
            )
        raise ValueError(
            f"{name} needs a classification strategy; got "
            f"{type(strategy).__name__}, a regressor: use "
            "ActiveLearningRegressor for it."
        )

    def fit(self, X, y):
        """Run the simulated active learning loop on ``(X, y)``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The pool.
        y : array-like of shape (n_samples,)
            The true labels (regression: the targets), answering the
            queries.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = self._validate_X(X, reset=True, y=y)
        y = self._check_targets(y)
        strategy = self._get_strategy()
        self._check_task(strategy)
        stopping = self.stopping
        check_loop_params(
            strategy, self.initial_size, self.budget, self.batch_size, stopping
        )
        seeds = draw_seeds(self.random_state, 3)
        keep_copies = bool(getattr(strategy, "warm_start", False))
        estimators = []

        def score(learner):
            fitted = learner.strategy_
            model = fitted.estimator_
            estimators.append(copy.deepcopy(model) if keep_copies else model)
            unlabelled = learner.unlabelled_indices
            if not unlabelled.size:
                return self._pool_metric(None, None)
            y_pred = map_candidates(fitted, X, unlabelled, fitted.predict)
            return self._pool_metric(y[unlabelled], y_pred)

        learner, history, termination = simulated_loop(
            strategy,
            X,
            y,
            y.__getitem__,
            initial_size=self.initial_size,
            budget=self.budget,
            batch_size=self.batch_size,
            seeds={"strategy": seeds[0], "session": seeds[1], "initial": seeds[2]},
            score=score,
            pseudo_label_threshold=getattr(self, "pseudo_label_threshold", None),
            stopping=stopping,
        )
        if not self._task_regression:
            self.classes_ = np.unique(y)
        self.strategy_ = learner.strategy_
        self.estimators_ = estimators
        self.history_ = history
        self.labelled_indices_ = learner.labelled_indices
        self.n_iter_ = len(estimators) - 1
        self.termination_condition_ = termination
        return self

    def learning_curve(self, X, y, *, scoring=None) -> dict:
        """Score the model of every round on ``(X, y)``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Held-out samples.
        y : array-like of shape (n_samples,)
            Their labels (regression: targets).
        scoring : str or callable, default=None
            As scikit-learn's ``scoring`` (greater is better:
            ``"neg_root_mean_squared_error"`` for the RMSE); ``None`` uses
            the model's ``score`` (a classifier's accuracy, a regressor's
            R²).

        Returns
        -------
        curve : dict of ndarray
            ``"n_labels"`` and ``"score"``, one value per round.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from skactive import ActiveLearningClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = ActiveLearningClassifier(initial_size=6, budget=6,
        ...                                batch_size=3, random_state=0)
        >>> curve = clf.fit(X[::2], y[::2]).learning_curve(X[1::2], y[1::2])
        >>> curve["n_labels"].tolist()
        [6, 9, 12]
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        y = column_or_1d(y, warn=True)
        scorer = check_scoring(self.estimators_[0], scoring=scoring)
        scores = np.array([scorer(est, X, y) for est in self.estimators_])
        return {"n_labels": self.history_["n_labels"].copy(), "score": scores}


class ActiveLearningClassifier(ClassifierMixin, _BaseActiveLearningEstimator):
    """A classifier trained by simulated active learning on its ``fit`` data.

    ``fit(X, y)`` runs the active learning loop with ``y`` as the annotator:
    a stratified initial set of ``initial_size`` samples, then ``budget``
    more chosen by ``strategy``, ``batch_size`` at a time. The model of the
    last round predicts. Because it is an estimator, scikit-learn's model
    selection chooses among strategies and their parameters: with
    :data:`skactive.metrics.alc_scorer` as ``scoring``,
    :class:`~sklearn.model_selection.GridSearchCV` scores every round's model
    on the held-out fold and keeps the strategy whose learning curve has the
    largest area, i.e. the one that learns fastest from few labels.

    Parameters
    ----------
    strategy : QueryStrategy, default=None
        The query strategy (its estimator is the model); ``None`` means
        :class:`~skactive.AdaptiveSampling` over a
        :class:`~sklearn.linear_model.LogisticRegression` (TypiClust while
        the model is unstable, diverse mini-batch after), the strategy
        closest to the best of each of the 16 sets of the label-efficiency
        benchmark (docs/benchmarks.md). Its
        ``random_state`` is replaced by a seed drawn from ``random_state``.
    initial_size : int or array-like of int, default=10
        Size of the stratified random initial set (at least 2 classes), or
        the initial rows themselves (indices into ``X``); see
        :func:`~skactive.simulate`.
    budget : int or None, default=100
        Number of labels queried after the initial set; ``None`` labels the
        whole training set.
    batch_size : int, default=None
        Samples queried per round; ``None`` uses the strategy's.
    pseudo_label_threshold : float, default=None
        Train on confident predictions too, see
        :class:`~skactive.ActiveLearner`.
    stopping : StoppingCriterion, default=None
        Stop before the budget is spent, e.g.
        :class:`~skactive.loop.MaxConfidence`.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial set and the strategy. Pass an int for a
        reproducible fit.

    Attributes
    ----------
    strategy_ : QueryStrategy
        The strategy fitted at the last round.
    classes_ : ndarray of shape (n_classes,)
        The classes of ``y``.
    estimators_ : list of estimators
        The model of every round (round 0: the initial set), for
        :meth:`learning_curve`.
    history_ : dict of ndarray
        The learning curve on the training set, one entry per round (round
        0 is the initial set), as :func:`~skactive.simulate`'s ``history``:
        ``"round"``, ``"n_labels"``,
        ``"pool_accuracy"`` (accuracy on the training samples not yet
        labelled, with their true labels; ``NaN`` when none is left),
        ``"query_time"`` and ``"fit_time"``.
    labelled_indices_ : ndarray of shape (n_labels,)
        Indices into ``X`` of the samples labelled, in order.
    n_iter_ : int
        Number of query rounds after the initial set (``history_`` has
        ``n_iter_ + 1`` entries).
    termination_condition_ : {"budget", "all_labelled", "stopping_criterion"}
        Why the loop stopped.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    skactive.metrics.alc_scorer : score by the area under the learning curve.
    skactive.simulate : the same loop, with a held-out curve and options.
    sklearn.semi_supervised.SelfTrainingClassifier : a relative that labels
        with its own predictions.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skactive import ActiveLearningClassifier, MarginSampling, RandomSampling
    >>> from skactive.metrics import alc_scorer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), LogisticRegression())
    >>> search = GridSearchCV(
    ...     ActiveLearningClassifier(initial_size=6, budget=30, batch_size=3,
    ...                              random_state=0),
    ...     {"strategy": [RandomSampling(model), MarginSampling(model)]},
    ...     scoring=alc_scorer, cv=3,
    ... ).fit(X, y)
    >>> search.cv_results_["mean_test_score"].round(3)  # random, margin
    array([0.917, 0.952])
    >>> search.best_estimator_.history_["n_labels"][:4]
    array([ 6,  9, 12, 15])
    """

    def __init__(
        self,
        strategy=None,
        *,
        initial_size=10,
        budget=100,
        batch_size=None,
        pseudo_label_threshold=None,
        stopping=None,
        random_state=None,
    ):
        self.strategy = strategy
        self.initial_size = initial_size
        self.budget = budget
        self.batch_size = batch_size
        self.pseudo_label_threshold = pseudo_label_threshold
        self.stopping = stopping
        self.random_state = random_state

    def _default_strategy(self):
        return AdaptiveSampling()

    def _check_targets(self, y):
        check_classification_targets(y)
        return y

    def _pool_metric(self, y_true, y_pred) -> dict:
        if y_true is None:
            return {"pool_accuracy": np.nan}
        return {"pool_accuracy": float(np.mean(y_pred == y_true))}

    def fit(self, X, y):
        """Run the simulated active learning loop on ``(X, y)``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The pool.
        y : array-like of shape (n_samples,)
            The true labels, answering the queries.

        Returns
        -------
        self : ActiveLearningClassifier
            The fitted estimator.
        """
        return super().fit(X, y)

    def predict(self, X):
        """Predict classes with the model of the last round.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.strategy_.predict(self._validate_X(X, reset=False))

    @available_if(_strategy_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the model of the last round.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``; 0 for a class that no
            labelled sample had.
        """
        check_is_fitted(self)
        proba = self.strategy_.predict_proba(self._validate_X(X, reset=False))
        columns = np.searchsorted(self.classes_, self.strategy_.classes_)
        if columns.shape[0] == self.classes_.shape[0]:
            return proba
        full = np.zeros((proba.shape[0], self.classes_.shape[0]), dtype=proba.dtype)
        full[:, columns] = proba
        return full


class ActiveLearningRegressor(RegressorMixin, _BaseActiveLearningEstimator):
    """A regressor trained by simulated active learning on its ``fit`` data.

    The regression twin of :class:`ActiveLearningClassifier` (the two share
    their code): ``fit(X, y)`` runs the active learning loop with the
    targets ``y`` as the annotator, a uniform random initial set of
    ``initial_size`` samples, then ``budget`` more chosen by ``strategy``,
    ``batch_size`` at a time; the model of the last round predicts. With
    ``scoring=make_alc_scorer("neg_root_mean_squared_error")``,
    :class:`~sklearn.model_selection.GridSearchCV` scores every round's
    model on the held-out fold and keeps the strategy whose RMSE falls
    fastest (the largest area under the negated RMSE curve).

    Parameters
    ----------
    strategy : RegressionQueryStrategy, default=None
        A regression strategy (``sklearn.base.is_regressor(strategy)``; its
        estimator is the model); ``None`` means
        :class:`~skactive.GreedySamplingX` over
        ``make_pipeline(StandardScaler(), BayesianRidge())``, the strategy
        that beat random sampling on the most data sets of the regression
        benchmark (docs/benchmarks.md), with that benchmark's linear model.
        Its ``random_state`` is replaced by a seed drawn from
        ``random_state``.
    initial_size : int or array-like of int, default=10
        Size of the random initial set (at least 2), or the initial rows
        themselves (indices into ``X``); see :func:`~skactive.simulate`.
    budget : int or None, default=100
        Number of labels queried after the initial set; ``None`` labels the
        whole training set.
    batch_size : int, default=None
        Samples queried per round; ``None`` uses the strategy's.
    stopping : StoppingCriterion, default=None
        Stop before the budget is spent:
        :class:`~skactive.loop.StabilizingPredictions` (successive models'
        predictions agree).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial set and the strategy. Pass an int for a
        reproducible fit.

    Attributes
    ----------
    strategy_ : RegressionQueryStrategy
        The strategy fitted at the last round.
    estimators_ : list of estimators
        The model of every round (round 0: the initial set), for
        :meth:`learning_curve`.
    history_ : dict of ndarray
        The learning curve on the training set, one entry per round (round
        0 is the initial set): ``"round"``, ``"n_labels"``, ``"pool_rmse"``
        (the RMSE on the training samples not yet labelled, with their
        true targets; ``NaN`` when none is left), ``"query_time"`` and
        ``"fit_time"``.
    labelled_indices_ : ndarray of shape (n_labels,)
        Indices into ``X`` of the samples labelled, in order.
    n_iter_ : int
        Number of query rounds after the initial set (``history_`` has
        ``n_iter_ + 1`` entries).
    termination_condition_ : {"budget", "all_labelled", "stopping_criterion"}
        Why the loop stopped.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    ActiveLearningClassifier : the same, for classification.
    skactive.metrics.make_alc_scorer : score by the area under the learning
        curve.
    skactive.simulate : the same loop, with a held-out curve and options.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import BayesianRidge
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skactive import ActiveLearningRegressor, MaxStdSampling, RandomSampling
    >>> from skactive.metrics import make_alc_scorer
    >>> X, y = load_diabetes(return_X_y=True)
    >>> search = GridSearchCV(
    ...     ActiveLearningRegressor(initial_size=10, budget=40, batch_size=10,
    ...                             random_state=0),
    ...     {"strategy": [RandomSampling(BayesianRidge()),
    ...                   MaxStdSampling(BayesianRidge())]},
    ...     scoring=make_alc_scorer("neg_root_mean_squared_error"), cv=3,
    ... ).fit(X, y)
    >>> search.cv_results_["mean_test_score"].round(1)  # random, max_std
    array([-61.4, -60.9])
    >>> search.best_estimator_.history_["n_labels"].tolist()
    [10, 20, 30, 40, 50]
    """

    _task_regression = True

    def __init__(
        self,
        strategy=None,
        *,
        initial_size=10,
        budget=100,
        batch_size=None,
        stopping=None,
        random_state=None,
    ):
        self.strategy = strategy
        self.initial_size = initial_size
        self.budget = budget
        self.batch_size = batch_size
        self.stopping = stopping
        self.random_state = random_state

    def _default_strategy(self):
        return GreedySamplingX(make_pipeline(StandardScaler(), BayesianRidge()))

    def _check_targets(self, y):
        y = check_regression_targets(y)
        if y.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 samples to fit a "
                f"regressor; got {y.shape[0]} sample."
            )
        return y

    def _pool_metric(self, y_true, y_pred) -> dict:
        if y_true is None:
            return {"pool_rmse": np.nan}
        error = np.asarray(y_pred, dtype=np.float64) - y_true
        return {"pool_rmse": float(np.sqrt(np.mean(error**2)))}

    def fit(self, X, y):
        """Run the simulated active learning loop on ``(X, y)``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The pool.
        y : array-like of shape (n_samples,)
            The true targets, answering the queries.

        Returns
        -------
        self : ActiveLearningRegressor
            The fitted estimator.
        """
        return super().fit(X, y)

    def predict(self, X, return_std=False):
        """Predict with the model of the last round.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            The samples.
        return_std : bool, default=False
            Also return the predictive standard deviation (see
            :func:`skactive.utils.predict_mean_std`).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predictions (the predictive mean, with ``return_std``).
        y_std : ndarray of shape (n_samples,)
            Only with ``return_std=True``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        if return_std:
            return self.strategy_.predict(X, return_std=True)
        return self.strategy_.predict(X)
