"""A committee of regressors: bagged copies of one regressor, or a list."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.linear_model import BayesianRidge
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import _num_samples
from ..utils._regression import check_regression_targets, mean_std_of_samples
from ._committee import _BaseCommittee

__all__ = ["CommitteeRegressor"]


def _member_predict_into(estimator, X, out) -> None:
    """Write ``estimator.predict(X)`` into ``out`` (n_samples,)."""
    prediction = np.asarray(estimator.predict(X))
    if prediction.shape != out.shape and prediction.shape != (out.shape[0], 1):
        raise ValueError(
            f"committee member {type(estimator).__name__} returned predictions "
            f"of shape {prediction.shape}; expected ({out.shape[0]},), one "
            "value per sample (a single target)."
        )
    out[...] = prediction.reshape(out.shape)


class CommitteeRegressor(RegressorMixin, _BaseCommittee):
    """A committee of regressors, for query by committee in regression.

    The members are either a list of (possibly different) regressors,
    ``estimators``, or ``n_members`` copies of one ``estimator``. With
    ``bootstrap=True`` each member is fitted on its own bootstrap resample
    of the labelled set (bagging), which makes copies of one estimator
    disagree. The committee shares :class:`Committee`'s parameters and
    seeding; it is its regression twin, as scikit-learn pairs
    :class:`~sklearn.ensemble.BaggingRegressor` with
    :class:`~sklearn.ensemble.BaggingClassifier`.

    It implements the regressors' uncertainty protocol: :meth:`predict_samples`
    returns every member's prediction with shape ``(n_samples, n_members)``,
    and :meth:`predict` their mean, with their standard deviation when
    ``return_std=True`` (as :class:`~sklearn.gaussian_process.GaussianProcessRegressor`
    does). :class:`~skactive.MaxStdSampling` over a committee is query by
    committee for regression (the members' variance, Burbidge et al., 2007).

    Parameters
    ----------
    estimators : list of regressors or of (str, regressor) tuples, \
default=None
        The members, fitted as clones. Named members, ``[("ridge",
        Ridge()), ("tree", DecisionTreeRegressor())]``, expose their
        parameters as ``ridge__alpha`` to :meth:`get_params`,
        :meth:`set_params` and :class:`~sklearn.model_selection.GridSearchCV`.
        Cannot be combined with ``estimator``.
    estimator : regressor, default=None
        The regressor copied ``n_members`` times when ``estimators`` is
        ``None``. ``None`` (with ``estimators=None``) means
        :class:`~sklearn.linear_model.BayesianRidge`.
    n_members : int, default=5
        Number of copies of ``estimator``. Ignored when ``estimators`` is
        given.
    bootstrap : bool, default=True
        Fit every member on a bootstrap resample of the labelled set (rows
        drawn with replacement); ``False`` fits every member on the whole
        set (then copies of a deterministic estimator all agree: use it with
        a list of different estimators).
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
    estimators_ : list of regressors
        The fitted members.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    Committee : the committee of classifiers.
    EnsembleCommittee : a scikit-learn forest or bagging regressor as a
        committee of its members.
    skactive.MaxStdSampling : query the samples the members disagree on.
    skactive.ExpectedModelChange : bootstrap models of the expected change.

    Notes
    -----
    :meth:`predict_samples` stores each member's predictions contiguously
    (members are the outer axis in memory) and returns a view with samples
    first, as :meth:`Committee.predict_proba_samples` does.

    References
    ----------
    .. [1] T. RayChaudhuri and L. G. C. Hamey, "Minimisation of data
       collection by active learning", ICNN 1995.
    .. [2] R. Burbidge, J. J. Rowland and R. D. King, "Active learning for
       regression based on query by committee", IDEAL 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from skactive.committee import CommitteeRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-3, 3, size=(40, 2))
    >>> y = np.sin(X[:, 0]) + X[:, 1]
    >>> committee = CommitteeRegressor(
    ...     estimator=DecisionTreeRegressor(max_depth=3), n_members=4,
    ...     random_state=0).fit(X, y)
    >>> committee.predict_samples(X[:3]).shape
    (3, 4)
    >>> mean, std = committee.predict(X[:3], return_std=True)
    >>> bool((std >= 0).all())
    True
    """

    _member_kind = "regressor"
    _member_method = "predict"

    def _default_member(self):
        return BayesianRidge()

    def fit(self, X, y):
        """Fit every member (on its bootstrap resample).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The labelled samples.
        y : array-like of shape (n_samples,)
            Their targets, real numbers.

        Returns
        -------
        self : CommitteeRegressor
            The fitted committee.
        """
        members = self._check_params()
        X, y = self._validate_X(X, reset=True, y=y)
        y = check_regression_targets(y)
        self._fit_members(members, X, y, None)
        return self

    def predict_samples(self, X):
        """Predictions of every member.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        samples : ndarray of shape (n_samples, n_members)
            ``samples[i, m]`` is member ``m``'s prediction for sample ``i``.
            Stored member by member, see Notes.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        out = np.empty((len(self.estimators_), _num_samples(X)))
        self._members_into(_member_predict_into, X, out)
        return out.T

    def predict(self, X, return_std=False):
        """Mean of the members' predictions, and their spread if asked.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.
        return_std : bool, default=False
            Also return the standard deviation of the members' predictions
            (``ddof=0``).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Mean prediction of the members.
        y_std : ndarray of shape (n_samples,)
            Standard deviation of the members' predictions; only with
            ``return_std=True``.
        """
        samples = self.predict_samples(X)
        if return_std:
            return mean_std_of_samples(samples)
        return samples.mean(axis=1)

    def score(self, X, y, sample_weight=None) -> float:
        """R² of the members' mean prediction on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Coefficient of determination of ``self.predict(X)``.
        """
        return super().score(X, y, sample_weight=sample_weight)
