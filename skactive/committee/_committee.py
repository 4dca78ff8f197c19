"""Committees: bagged copies of one estimator, or a list of estimators.

:class:`_BaseCommittee` holds what does not depend on the task (members as
parameters, seeding, bootstrap resamples, parallel fits); :class:`Committee`
is the committee of classifiers (``predict_proba_samples``) and
:class:`~skactive.committee.CommitteeRegressor` (in ``_regressor``) the
committee of regressors (``predict_samples``), as scikit-learn pairs
``BaggingClassifier`` with ``BaggingRegressor``.
"""

from __future__ import annotations

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import _num_samples, _safe_indexing
from ..utils._validation import (
    check_has_method,
    check_int,
    inherit_input_tags,
    validate_samples,
)

__all__ = ["Committee"]

_MAX_SEED = np.iinfo(np.int32).max


def _fit_member(estimator, X, y, indices):
    """Fit one member on the rows ``indices`` of ``(X, y)`` (all rows if None).

    A module-level function so that any joblib backend can run it; the rows
    are taken inside the worker, so only the indices travel with each task.
    """
    if indices is not None:
        X = _safe_indexing(X, indices)
        y = y[indices]
    return estimator.fit(X, y)


def _member_proba_into(estimator, X, out, columns):
    """Write ``estimator.predict_proba(X)`` into ``out`` (n_samples, n_classes).

    ``columns`` maps the member's columns to the committee's classes; ``None``
    when they are the same. Classes the member never saw get probability 0.
    """
    proba = estimator.predict_proba(X)
    expected = out.shape[1] if columns is None else len(columns)
    if proba.ndim != 2 or proba.shape[1] != expected:
        raise ValueError(
            f"committee member {type(estimator).__name__} returned "
            f"predict_proba of shape {proba.shape}; expected ({out.shape[0]}, "
            f"{expected}), one column per class it knows. A member without "
            "classes_ must predict every class of the committee."
        )
    if columns is None:
        out[...] = proba
    else:
        out[...] = 0.0
        out[:, columns] = proba


def _is_named(estimators) -> bool:
    """Whether ``estimators`` is a non-empty list of (name, estimator) pairs."""
    return (
        isinstance(estimators, (list, tuple))
        and len(estimators) > 0
        and all(
            isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
            for item in estimators
        )
    )


def _seed_member(estimator, seed: int, override: bool) -> None:
    """Set every ``random_state`` parameter of ``estimator`` (and its steps).

    ``override=False`` only fills the ones left to ``None``.
    """
    params = {
        key: seed
        for key, value in estimator.get_params(deep=True).items()
        if (key == "random_state" or key.endswith("__random_state"))
        and (override or value is None)
    }
    if params:
        estimator.set_params(**params)


def _stratified_bootstrap(y_encoded: np.ndarray, rng) -> np.ndarray:
    """Indices of a bootstrap resample that keeps every class's count.

    Each class's samples are resampled with replacement among themselves, so
    every member sees every class of the labelled set, however few samples a
    class has. The indices are sorted (the original sample order is kept).
    """
    counts = np.bincount(y_encoded)
    order = np.argsort(y_encoded, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sorted_classes = y_encoded[order]
    offsets = rng.randint(0, counts[sorted_classes])
    return np.sort(order[starts[sorted_classes] + offsets])


class _BaseCommittee(MetaEstimatorMixin, BaseEstimator):
    """What a committee of classifiers and one of regressors share.

    Subclasses set ``_member_kind`` (``"classifier"`` or ``"regressor"``, for
    the messages) and ``_member_method`` (what every member must implement),
    implement ``_default_member()``, and fit with ``_fit_members`` after
    checking their targets; ``_members_into`` runs a function of every
    fitted member (``n_jobs`` at a time) into one block of an output each.
    """

    _member_kind = "estimator"
    _member_method = "predict"
    # joblib's preferred backend for the members' fits (the user's
    # joblib.parallel_config overrides it): threads for scikit-learn models,
    # which release the GIL in their numerical code.
    _fit_prefer = "threads"

    def __init__(
        self,
        estimators=None,
        *,
        estimator=None,
        n_members=5,
        bootstrap=True,
        n_jobs=None,
        random_state=None,
    ):
        self.estimators = estimators
        self.estimator = estimator
        self.n_members = n_members
        self.bootstrap = bootstrap
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ------------------------------------------------------------ params
    def get_params(self, deep=True):
        """Parameters of the committee and, with ``deep``, of named members.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of ``estimator`` and of the named
            members of ``estimators`` (as ``name__param``).

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        if deep and _is_named(self.estimators):
            for name, estimator in self.estimators:
                params[name] = estimator
                if hasattr(estimator, "get_params") and not isinstance(estimator, type):
                    for key, value in estimator.get_params(deep=True).items():
                        params[f"{name}__{key}"] = value
        return params

    def set_params(self, **params):
        """Set parameters of the committee and of its named members.

        Parameters
        ----------
        **params : dict
            Committee parameters, ``name`` (replace the named member) or
            ``name__param`` (a parameter of the named member).

        Returns
        -------
        self : object
            This committee.
        """
        if "estimators" in params:
            self.estimators = params.pop("estimators")
        if _is_named(self.estimators):
            members = list(self.estimators)
            names = [name for name, _ in members]
            own = self._get_param_names()
            for key in list(params):
                name, _, sub = key.partition("__")
                if name in own or name not in names:
                    continue
                value = params.pop(key)
                i = names.index(name)
                if sub:
                    members[i][1].set_params(**{sub: value})
                else:
                    members[i] = (name, value)
            self.estimators = members
        return super().set_params(**params)

    # ----------------------------------------------------------- members
    def _members(self) -> list[tuple[str, object]]:
        """The unfitted members as (parameter name, estimator) pairs."""
        if self.estimators is None:
            base = self._default_member() if self.estimator is None else self.estimator
            n_members = check_int(self.n_members, "n_members")
            return [("estimator", base)] * n_members
        if _is_named(self.estimators):
            return [(f"estimators[{name!r}]", e) for name, e in self.estimators]
        return [(f"estimators[{i}]", e) for i, e in enumerate(self.estimators)]

    def _check_params(self) -> list[tuple[str, object]]:
        kind = self._member_kind
        check_int(self.n_members, "n_members")
        if not isinstance(self.bootstrap, (bool, np.bool_)):
            raise TypeError(f"bootstrap must be a bool, got {self.bootstrap!r}.")
        if self.estimators is not None:
            if self.estimator is not None:
                raise ValueError(
                    "estimators and estimator were both given: pass either "
                    "a list of estimators or one estimator to copy "
                    "n_members times."
                )
            if not isinstance(self.estimators, (list, tuple)) or not self.estimators:
                raise ValueError(
                    f"estimators must be a non-empty list of {kind}s or of "
                    f"(name, {kind}) tuples, got {self.estimators!r}."
                )
            if _is_named(self.estimators):
                names = [name for name, _ in self.estimators]
                own = set(self._get_param_names())
                for name in names:
                    if "__" in name or name in own or names.count(name) > 1:
                        raise ValueError(
                            f"estimators: invalid member name {name!r}; names "
                            "must be unique, contain no '__' and differ from "
                            f"the parameters of {type(self).__name__} "
                            f"{sorted(own)}."
                        )
            elif any(isinstance(item, tuple) for item in self.estimators):
                raise ValueError(
                    f"estimators must be all {kind}s or all (name, {kind}) "
                    "tuples with a str name, not a mix."
                )
        members = self._members()
        method = self._member_method
        for name, estimator in members:
            if not hasattr(estimator, "fit"):
                raise TypeError(
                    f"{name} must be a {kind} with fit and {method}; got {estimator!r}."
                )
            check_has_method(estimator, method, name=name)
        return members

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            return inherit_input_tags(tags, [e for _, e in self._members()])
        except (TypeError, ValueError, AttributeError):
            return tags  # invalid parameters: fit reports them

    def _validate_X(self, X, *, reset: bool, y=None):
        return validate_samples(self, X, reset=reset, y=y)

    # --------------------------------------------------------------- fit
    def _fit_members(self, members, X, y, strata) -> None:
        """Fit a clone of every member on its resample (``estimators_``).

        ``members`` are those of :meth:`_check_params`; ``strata`` (class
        indices) makes the bootstrap stratified, ``None`` draws a plain
        bootstrap of the rows.
        """
        rng = check_random_state(self.random_state)
        bagged = self.estimators is None
        n_samples = _num_samples(X)
        tasks = []
        for _, template in members:
            estimator = clone(template)
            _seed_member(estimator, int(rng.randint(_MAX_SEED)), override=bagged)
            indices = None
            if self.bootstrap:
                indices = (
                    _stratified_bootstrap(strata, rng)
                    if strata is not None
                    else np.sort(rng.randint(0, n_samples, n_samples))
                )
            tasks.append(delayed(_fit_member)(estimator, X, y, indices))
        self.estimators_ = Parallel(n_jobs=self.n_jobs, prefer=self._fit_prefer)(tasks)

    def _members_into(self, func, X, out) -> None:
        """``func(member, X, member_out, *extra)`` for every member, ``n_jobs``
        at a time; ``out`` holds one block per member."""
        jobs = zip(self.estimators_, out, self._member_extra())
        if effective_n_jobs(self.n_jobs) == 1:
            for estimator, member_out, extra in jobs:
                func(estimator, X, member_out, *extra)
        else:
            Parallel(n_jobs=self.n_jobs, require="sharedmem")(
                delayed(func)(estimator, X, member_out, *extra)
                for estimator, member_out, extra in jobs
            )

    def _member_extra(self):
        return [()] * len(self.estimators_)


class Committee(ClassifierMixin, _BaseCommittee):
    """A committee of classifiers for query by committee and BALD.

    The members are either a list of (possibly different) classifiers,
    ``estimators``, or ``n_members`` copies of one ``estimator``. With
    ``bootstrap=True`` each member is fitted on its own bootstrap resample of
    the labelled set (bagging), which makes copies of one estimator disagree.

    The committee is a classifier in its own right: :meth:`predict_proba` is
    the mean of the members' probabilities (soft voting). It implements the
    protocol shared by committees and Bayesian models,
    :meth:`predict_proba_samples`, which returns every member's probabilities
    with shape ``(n_samples, n_members, n_classes)``; every disagreement
    measure of :mod:`skactive.measures` works on it.

    Parameters
    ----------
    estimators : list of classifiers or of (str, classifier) tuples, \
default=None
        The members, fitted as clones. Named members, ``[("lr",
        LogisticRegression()), ("nb", GaussianNB())]``, expose their
        parameters as ``lr__C`` to :meth:`get_params`, :meth:`set_params` and
        :class:`~sklearn.model_selection.GridSearchCV`. Every member needs
        ``predict_proba``. Cannot be combined with ``estimator``.
    estimator : classifier, default=None
        The classifier copied ``n_members`` times when ``estimators`` is
        ``None``. ``None`` (with ``estimators=None``) means
        :class:`~sklearn.linear_model.LogisticRegression`.
    n_members : int, default=5
        Number of copies of ``estimator``. Ignored when ``estimators`` is
        given.
    bootstrap : bool, default=True
        Fit every member on a bootstrap resample of the labelled set; ``False``
        fits every member on the whole set (then copies of a deterministic
        estimator all agree: use it with a list of different estimators).
        The resample is stratified: each class is resampled among its own
        samples, so every member sees every class and keeps the class counts
        of the labelled set (a plain bootstrap of a small labelled set often
        misses a rare class, and a member fitted on a single class fails).
    n_jobs : int, default=None
        Number of members fitted (and predicting) in parallel through joblib,
        threads by default; the backend follows
        :func:`joblib.parallel_config`. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; ``-1`` means all processors.
        Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Draws the bootstrap resamples and seeds the members: copies of
        ``estimator`` get a distinct seed each for every ``random_state``
        parameter (of the estimator or of its pipeline steps); members of
        ``estimators`` only where theirs is ``None``. Pass an int for
        reproducible fits.

    Attributes
    ----------
    estimators_ : list of classifiers
        The fitted members.
    classes_ : ndarray of shape (n_classes,)
        The labels of the training set together with those of any member
        fitted beforehand (a :class:`~sklearn.frozen.FrozenEstimator`). The
        columns of :meth:`predict_proba` and :meth:`predict_proba_samples`
        follow it; a member that never saw a class gives it probability 0.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    CommitteeRegressor : the committee of regressors.
    skactive.QueryByCommittee : query the samples the members disagree on.
    skactive.BALD : query by mutual information between label and member.
    sklearn.ensemble.BaggingClassifier : bagging for prediction only.

    Notes
    -----
    :meth:`predict_proba_samples` stores each member's probabilities
    contiguously (members are the outer axis in memory) and returns a view
    with samples first; use :func:`numpy.ascontiguousarray` if C order is
    needed. Writing each member's output in one contiguous block costs a
    third of interleaving it, and the measures read it member by member.

    References
    ----------
    .. [1] H. S. Seung, M. Opper and H. Sompolinsky, "Query by committee",
       COLT 1992.
    .. [2] N. Abe and H. Mamitsuka, "Query learning strategies using boosting
       and bagging", ICML 1998.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.committee import Committee
    >>> X, y = load_iris(return_X_y=True)
    >>> committee = Committee(estimator=LogisticRegression(), n_members=4,
    ...                       random_state=0).fit(X[::5], y[::5])
    >>> committee.predict_proba_samples(X[:3]).shape
    (3, 4, 3)
    >>> committee.predict(X[:3])
    array([0, 0, 0])
    """

    _member_kind = "classifier"
    _member_method = "predict_proba"

    def _default_member(self):
        return LogisticRegression()

    # --------------------------------------------------------------- fit
    def fit(self, X, y):
        """Fit every member (on its bootstrap resample).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The labelled samples.
        y : array-like of shape (n_samples,)
            Their labels.

        Returns
        -------
        self : Committee
            The fitted committee.
        """
        members = self._check_params()
        X, y = self._validate_X(X, reset=True, y=y)
        check_classification_targets(y)
        labels, y_encoded = np.unique(y, return_inverse=True)
        self._fit_members(members, X, y, y_encoded)

        member_classes = [getattr(e, "classes_", None) for e in self.estimators_]
        extra = [c for c in member_classes if c is not None]
        self.classes_ = np.unique(np.concatenate([labels, *extra])) if extra else labels
        self._columns = []
        for classes in member_classes:
            if classes is None or np.array_equal(classes, self.classes_):
                self._columns.append(None)
            else:
                self._columns.append(np.searchsorted(self.classes_, classes))
        return self

    # ----------------------------------------------------------- predict
    def predict_proba_samples(self, X):
        """Class probabilities of every member.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba_samples : ndarray of shape (n_samples, n_members, n_classes)
            ``proba_samples[i, m]`` is member ``m``'s prediction for sample
            ``i``, columns in the order of ``classes_`` (0 for a class the
            member never saw). Stored member by member, see Notes.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        n_samples = _num_samples(X)
        out = np.empty((len(self.estimators_), n_samples, len(self.classes_)))
        self._members_into(_member_proba_into, X, out)
        return out.transpose(1, 0, 2)

    def _member_extra(self):
        return [(columns,) for columns in self._columns]

    def predict_proba(self, X):
        """Mean of the members' class probabilities (soft vote).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        proba = np.zeros((_num_samples(X), len(self.classes_)))
        for estimator, columns in zip(self.estimators_, self._columns):
            member = estimator.predict_proba(X)
            if columns is None:
                proba += member
            else:
                proba[:, columns] += member
        proba /= len(self.estimators_)
        return proba

    def predict(self, X):
        """Class with the highest mean probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted classes.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
