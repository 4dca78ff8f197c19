"""An estimator whose fit runs a simulated active learning loop."""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import check_scoring
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..strategies import DiverseMiniBatch
from ..utils._validation import inherit_input_tags, validate_samples
from ._core import check_loop_params, draw_seeds, simulated_loop
from ._session import map_candidates

__all__ = ["ActiveLearningClassifier"]


def _strategy_has(attr: str):
    def check(self) -> bool:
        strategy = getattr(self, "strategy_", None)
        if strategy is None:
            strategy = self._get_strategy()
        return hasattr(strategy, attr)

    return check


class ActiveLearningClassifier(ClassifierMixin, BaseEstimator):
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
        :class:`~skactive.DiverseMiniBatch` over a
        :class:`~sklearn.linear_model.LogisticRegression`, the strategy with
        the largest gain over random sampling in the label-efficiency
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

    def _get_strategy(self):
        return DiverseMiniBatch() if self.strategy is None else self.strategy

    def __sklearn_tags__(self):
        return inherit_input_tags(super().__sklearn_tags__(), [self._get_strategy()])

    def _validate_X(self, X, *, reset: bool, y=None):
        return validate_samples(self, X, reset=reset, y=y)

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
        X, y = self._validate_X(X, reset=True, y=y)
        check_classification_targets(y)
        strategy = self._get_strategy()
        check_loop_params(strategy, self.initial_size, self.budget, self.batch_size)
        seeds = draw_seeds(self.random_state, 3)
        keep_copies = bool(getattr(strategy, "warm_start", False))
        estimators = []

        def score(learner):
            fitted = learner.strategy_
            model = fitted.estimator_
            estimators.append(copy.deepcopy(model) if keep_copies else model)
            unlabelled = learner.unlabelled_indices
            if not unlabelled.size:
                return {"pool_accuracy": np.nan}
            y_pred = map_candidates(fitted, X, unlabelled, fitted.predict)
            return {"pool_accuracy": float(np.mean(y_pred == y[unlabelled]))}

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
            pseudo_label_threshold=self.pseudo_label_threshold,
            stopping=self.stopping,
        )
        self.classes_ = np.unique(y)
        self.strategy_ = learner.strategy_
        self.estimators_ = estimators
        self.history_ = history
        self.labelled_indices_ = learner.labelled_indices
        self.n_iter_ = len(estimators) - 1
        self.termination_condition_ = termination
        return self

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

    def learning_curve(self, X, y, *, scoring=None) -> dict:
        """Score the model of every round on ``(X, y)``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Held-out samples.
        y : array-like of shape (n_samples,)
            Their labels.
        scoring : str or callable, default=None
            As scikit-learn's ``scoring``; ``None`` uses the model's
            ``score`` (accuracy).

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
