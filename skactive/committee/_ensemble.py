"""A scikit-learn ensemble as a committee: the predictions of its members.

Random forests, extra trees, bagging and voting ensembles are committees
already: their fitted members (``estimators_``) each predict, and the
ensemble averages them. :class:`EnsembleCommittee` exposes them through the
committee protocols, ``predict_proba_samples(X) -> (n_samples, n_members,
n_classes)`` for classifier ensembles and ``predict_samples(X) ->
(n_samples, n_members)`` for regressor ensembles, so query by committee,
BALD and BatchBALD work over a ``RandomForestClassifier`` as they do over a
:class:`~skactive.Committee`, and :class:`~skactive.MaxStdSampling` over a
``RandomForestRegressor`` as over a
:class:`~skactive.committee.CommitteeRegressor`.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_regressor
from sklearn.ensemble import (
    BaggingClassifier,
    BaggingRegressor,
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
    VotingClassifier,
    VotingRegressor,
)
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import ClassifierTags, RegressorTags, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, check_is_fitted

from ..utils._compat import _num_samples
from ..utils._validation import inherit_input_tags
from ._committee import _member_proba_into
from ._regressor import _member_predict_into

__all__ = ["EnsembleCommittee", "is_committee_ensemble"]

# Classifier ensembles whose members are trained on the label *indices*
# (0 .. C-1) and average their predict_proba: a member's columns are those
# indices.
_CLASSIFIER_ENSEMBLES = (
    RandomForestClassifier,
    ExtraTreesClassifier,
    BaggingClassifier,
    VotingClassifier,
)
# Regressor ensembles that average their members' predictions.
_REGRESSOR_ENSEMBLES = (
    RandomForestRegressor,
    ExtraTreesRegressor,
    BaggingRegressor,
    VotingRegressor,
)
# Forests: their trees predict float32 rows, validated once for all trees.
_FORESTS = (RandomForestRegressor, ExtraTreesRegressor)


def is_committee_ensemble(estimator) -> bool:
    """Whether ``estimator`` is a scikit-learn ensemble usable as a committee.

    Random forests and extra trees, bagging and voting ensembles, classifiers
    (whose members must then offer ``predict_proba``) and regressors.
    """
    return isinstance(estimator, _CLASSIFIER_ENSEMBLES + _REGRESSOR_ENSEMBLES)


def _is_regression(ensemble) -> bool:
    return isinstance(ensemble, _REGRESSOR_ENSEMBLES) or (
        not isinstance(ensemble, _CLASSIFIER_ENSEMBLES) and is_regressor(ensemble)
    )


def _fitted_is(task: str):
    """``available_if``: the (fitted, else given) ensemble is of ``task``."""

    def check(self) -> bool:
        ensemble = getattr(self, "ensemble_", self.ensemble)
        return _is_regression(ensemble) == (task == "regression")

    return check


class EnsembleCommittee(MetaEstimatorMixin, BaseEstimator):
    """A scikit-learn ensemble, seen as the committee of its fitted members.

    ``fit`` trains a clone of ``ensemble``. For a classifier ensemble,
    :meth:`predict_proba_samples` returns every member's class probabilities
    (a bagging member sees its own features; a class it never saw gets
    probability 0); for a regressor ensemble, :meth:`predict_samples`
    returns every member's prediction. ``predict`` (and ``predict_proba``)
    are the ensemble's own. The committee is whatever its ensemble is, a
    classifier or a regressor, as a :class:`~sklearn.pipeline.Pipeline` is
    what its final step is. Strategies that need a committee wrap a
    supported ensemble in it by themselves:
    ``QueryByCommittee(RandomForestClassifier())`` and
    ``MaxStdSampling(RandomForestRegressor())`` just work.

    Parameters
    ----------
    ensemble : RandomForestClassifier, ExtraTreesClassifier, \
BaggingClassifier, VotingClassifier, RandomForestRegressor, \
ExtraTreesRegressor, BaggingRegressor or VotingRegressor
        The ensemble (unfitted; a clone is fitted). A ``VotingRegressor``'s
        members are read without its ``weights``.

    Attributes
    ----------
    ensemble_ : estimator
        The fitted clone of ``ensemble``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifier ensembles only).
    n_members_ : int
        Number of members.

    See Also
    --------
    skactive.Committee : bagged copies of one classifier, or a list of them.
    CommitteeRegressor : bagged copies of one regressor, or a list of them.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes, load_iris
    >>> from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    >>> from skactive.committee import EnsembleCommittee
    >>> X, y = load_iris(return_X_y=True)
    >>> committee = EnsembleCommittee(
    ...     RandomForestClassifier(n_estimators=7, random_state=0)).fit(X, y)
    >>> committee.predict_proba_samples(X[:2]).shape
    (2, 7, 3)
    >>> X, y = load_diabetes(return_X_y=True)
    >>> committee = EnsembleCommittee(
    ...     RandomForestRegressor(n_estimators=7, random_state=0)).fit(X, y)
    >>> committee.predict_samples(X[:2]).shape
    (2, 7)
    """

    def __init__(self, ensemble=None):
        self.ensemble = ensemble

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.ensemble is None:
            return tags
        tags.target_tags.required = True
        if _is_regression(self.ensemble):
            tags.estimator_type = "regressor"
            tags.regressor_tags = get_tags(self.ensemble).regressor_tags or (
                RegressorTags()
            )
        else:
            tags.estimator_type = "classifier"
            tags.classifier_tags = get_tags(self.ensemble).classifier_tags or (
                ClassifierTags()
            )
        return inherit_input_tags(tags, [self.ensemble])

    def fit(self, X, y, **fit_params):
        """Fit a clone of the ensemble.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The labelled samples.
        y : array-like of shape (n_samples,)
            Their labels or targets.
        **fit_params : dict
            Passed to the ensemble's ``fit``.

        Returns
        -------
        self : object
            The fitted committee.
        """
        if not is_committee_ensemble(self.ensemble):
            raise TypeError(
                "ensemble must be a RandomForestClassifier, ExtraTreesClassifier, "
                "BaggingClassifier, VotingClassifier, RandomForestRegressor, "
                "ExtraTreesRegressor, BaggingRegressor or VotingRegressor, got "
                f"{type(self.ensemble).__name__}."
            )
        if (
            isinstance(self.ensemble, VotingClassifier)
            and self.ensemble.voting != "soft"
        ):
            raise ValueError(
                'ensemble: a VotingClassifier is a committee with voting="soft" '
                "(every member predicts probabilities)."
            )
        self.ensemble_ = clone(self.ensemble).fit(X, y, **fit_params)
        if _is_regression(self.ensemble_):
            self.__dict__.pop("classes_", None)
        else:
            self.classes_ = self.ensemble_.classes_
        self.n_members_ = len(self.ensemble_.estimators_)
        if hasattr(self.ensemble_, "n_features_in_"):
            self.n_features_in_ = self.ensemble_.n_features_in_
        if hasattr(self.ensemble_, "feature_names_in_"):
            self.feature_names_in_ = self.ensemble_.feature_names_in_
        return self

    def _features(self):
        features = getattr(self.ensemble_, "estimators_features_", None)
        return features if features is not None else [None] * self.n_members_

    @available_if(_fitted_is("classification"))
    def predict_proba_samples(self, X):
        """Class probabilities of every member (classifier ensembles).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba_samples : ndarray of shape (n_samples, n_members, n_classes)
            ``proba_samples[i, m]`` is member ``m``'s prediction for sample
            ``i``, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        n_classes = len(self.classes_)
        out = np.empty((self.n_members_, _num_samples(X), n_classes))
        for member, features, member_out in zip(
            self.ensemble_.estimators_, self._features(), out
        ):
            rows = X if features is None else np.asarray(X)[:, features]
            # the members are trained on the label indices 0 .. C-1
            indices = np.asarray(member.classes_).astype(np.intp)
            aligned = np.array_equal(indices, np.arange(n_classes))
            _member_proba_into(member, rows, member_out, None if aligned else indices)
        return out.transpose(1, 0, 2)

    @available_if(_fitted_is("regression"))
    def predict_samples(self, X):
        """Predictions of every member (regressor ensembles).

        The trees of a forest read the rows as float32, converted once for
        all of them (as the forest's own ``predict`` does).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        samples : ndarray of shape (n_samples, n_members)
            ``samples[i, m]`` is member ``m``'s prediction for sample ``i``;
            their mean is the ensemble's prediction (unweighted, for a
            ``VotingRegressor`` with ``weights``). Stored member by member.
        """
        check_is_fitted(self)
        out = np.empty((self.n_members_, _num_samples(X)))
        if isinstance(self.ensemble_, _FORESTS):
            allow_nan = get_tags(self.ensemble_).input_tags.allow_nan
            rows = check_array(
                X,
                dtype=np.float32,
                accept_sparse="csr",
                ensure_all_finite="allow-nan" if allow_nan else True,
            )
            if rows.shape[1] != self.ensemble_.n_features_in_:
                raise ValueError(
                    f"X has {rows.shape[1]} features, but {type(self).__name__} "
                    f"is expecting {self.ensemble_.n_features_in_} features as "
                    "input."
                )
            for tree, member_out in zip(self.ensemble_.estimators_, out):
                member_out[...] = tree.predict(rows, check_input=False)
            return out.T
        for member, features, member_out in zip(
            self.ensemble_.estimators_, self._features(), out
        ):
            rows = X if features is None else np.asarray(X)[:, features]
            _member_predict_into(member, rows, member_out)
        return out.T

    @available_if(_fitted_is("classification"))
    def predict_proba(self, X):
        """The ensemble's class probabilities (classifier ensembles).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return self.ensemble_.predict_proba(X)

    def predict(self, X):
        """The ensemble's predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.ensemble_.predict(X)

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy (classifier ensembles) or R² (regressor ensembles).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True labels or targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        metric = r2_score if _is_regression(self.ensemble) else accuracy_score
        return float(metric(y, self.predict(X), sample_weight=sample_weight))
