"""Models of the command line that scikit-learn does not ship as such."""

from __future__ import annotations

from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.validation import check_is_fitted


class FewLabelsKNeighborsClassifier(ClassifierMixin, BaseEstimator):
    """k-nearest neighbours that also fit on fewer samples than neighbours.

    A labelling session starts with a handful of labels, and
    :class:`~sklearn.neighbors.KNeighborsClassifier` with ``n_neighbors=5``
    cannot predict after a fit on fewer than 5 samples. This classifier
    votes among ``min(n_neighbors, n_samples)`` neighbours: from 2 labels
    upward, and exactly as ``KNeighborsClassifier(n_neighbors)`` once there
    are enough of them.

    Parameters
    ----------
    n_neighbors : int, default=5
        Largest number of neighbours that vote.

    Attributes
    ----------
    estimator_ : KNeighborsClassifier
        The fitted classifier, with ``min(n_neighbors, n_samples)``
        neighbours.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> from skactive.cli._estimators import FewLabelsKNeighborsClassifier
    >>> model = FewLabelsKNeighborsClassifier().fit([[0.0], [1.0], [5.0]], [0, 0, 1])
    >>> model.estimator_.n_neighbors
    3
    >>> model.predict([[0.5]]).tolist()
    [0]
    """

    def __init__(self, n_neighbors=5):
        self.n_neighbors = n_neighbors

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # it reads what KNeighborsClassifier reads (sparse matrices too)
        tags.input_tags = KNeighborsClassifier().__sklearn_tags__().input_tags
        return tags

    def fit(self, X, y):
        """Fit the neighbours on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The labelled samples.
        y : array-like of shape (n_samples,)
            Their labels.

        Returns
        -------
        self : FewLabelsKNeighborsClassifier
        """
        estimator = KNeighborsClassifier(n_neighbors=self.n_neighbors).fit(X, y)
        k = min(self.n_neighbors, estimator.n_samples_fit_)
        self.estimator_ = estimator.set_params(n_neighbors=k)
        self.classes_ = estimator.classes_
        self.n_features_in_ = estimator.n_features_in_
        if hasattr(estimator, "feature_names_in_"):
            self.feature_names_in_ = estimator.feature_names_in_
        return self

    def predict(self, X):
        """Majority class among the neighbours of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        """Share of the neighbours of each sample in every class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)
