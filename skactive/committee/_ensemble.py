"""A scikit-learn ensemble as a committee: the probabilities of its members.

Random forests, extra trees, bagging and soft voting are committees already:
their fitted members (``estimators_``) each predict class probabilities, and
the ensemble averages them. :class:`EnsembleCommittee` exposes them through
the committee protocol ``predict_proba_samples(X) -> (n_samples, n_members,
n_classes)``, so query by committee, BALD and BatchBALD work over a
``RandomForestClassifier`` as they do over a :class:`~skactive.Committee`.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.ensemble import (
    BaggingClassifier,
    ExtraTreesClassifier,
    RandomForestClassifier,
    VotingClassifier,
)
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import _num_samples
from ..utils._validation import inherit_input_tags
from ._committee import _member_proba_into

__all__ = ["EnsembleCommittee", "is_committee_ensemble"]

# Ensembles whose members are trained on the label *indices* (0 .. C-1) and
# average their predict_proba: a member's columns are those indices.
_ENSEMBLES = (
    RandomForestClassifier,
    ExtraTreesClassifier,
    BaggingClassifier,
    VotingClassifier,
)


def is_committee_ensemble(estimator) -> bool:
    """Whether ``estimator`` is a scikit-learn ensemble usable as a committee.

    Random forests and extra trees (classifiers), bagging, and voting
    classifiers (whose members must then offer ``predict_proba``).
    """
    return isinstance(estimator, _ENSEMBLES)


class EnsembleCommittee(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """A scikit-learn ensemble, seen as the committee of its fitted members.

    ``fit`` trains a clone of ``ensemble``; :meth:`predict_proba_samples`
    returns every member's class probabilities (a bagging member sees its own
    features; a class it never saw gets probability 0), and ``predict`` /
    ``predict_proba`` are the ensemble's own. Strategies that need a
    committee wrap a supported ensemble in it by themselves:
    ``QueryByCommittee(RandomForestClassifier())`` just works.

    Parameters
    ----------
    ensemble : RandomForestClassifier, ExtraTreesClassifier, \
BaggingClassifier or VotingClassifier
        The ensemble (unfitted; a clone is fitted).

    Attributes
    ----------
    ensemble_ : estimator
        The fitted clone of ``ensemble``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_members_ : int
        Number of members.

    See Also
    --------
    skactive.Committee : bagged copies of one model, or a list of models.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skactive.committee import EnsembleCommittee
    >>> X, y = load_iris(return_X_y=True)
    >>> committee = EnsembleCommittee(
    ...     RandomForestClassifier(n_estimators=7, random_state=0)).fit(X, y)
    >>> committee.predict_proba_samples(X[:2]).shape
    (2, 7, 3)
    """

    def __init__(self, ensemble=None):
        self.ensemble = ensemble

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.ensemble is None:
            return tags
        return inherit_input_tags(tags, [self.ensemble])

    def fit(self, X, y, **fit_params):
        """Fit a clone of the ensemble.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The labelled samples.
        y : array-like of shape (n_samples,)
            Their labels.
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
                "BaggingClassifier or VotingClassifier, got "
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

    def predict_proba(self, X):
        """The ensemble's class probabilities.

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
