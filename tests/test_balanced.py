"""ClassBalancedSampling against a plain reference implementation."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skactive import ClassBalancedSampling, MarginSampling
from skactive.measures import margin
from skactive.strategies._balanced import target_classes


class TableClassifier(ClassifierMixin, BaseEstimator):
    """Returns row ``int(x[0])`` of a fixed probability table."""

    def __init__(self, table=None):
        self.table = table

    def fit(self, X, y):
        self.classes_ = np.arange(np.asarray(self.table).shape[1])
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict_proba(self, X):
        return np.asarray(self.table)[np.asarray(X)[:, 0].astype(int)]


def reference(proba, counts, k):
    """Plain loop: the least-labelled class, then its most uncertain sample
    (or, if none is predicted as it, the most probable one); distinct
    utilities, so no tie-break is needed."""
    counts = list(counts)
    free = list(range(len(proba)))
    utility = margin(proba)
    picks = []
    for _ in range(k):
        c = min(range(len(counts)), key=lambda j: (counts[j], j))
        mine = [i for i in free if proba[i].argmax() == c]
        if mine:
            best = max(mine, key=lambda i: utility[i])
        else:
            best = max(free, key=lambda i: proba[i, c])
        picks.append(best)
        free.remove(best)
        counts[c] += 1
    return picks


@pytest.mark.parametrize("seed", range(4))
def test_picks_match_the_reference(seed):
    rng = np.random.RandomState(seed)
    proba = rng.dirichlet([0.5, 0.5, 0.5, 0.5], size=60)
    X = np.arange(60.0)[:, None]
    y_labelled = np.array([0] * 9 + [1] * 4 + [2] * 1 + [3] * 2)
    strategy = ClassBalancedSampling(TableClassifier(proba), batch_size=12)
    strategy.fit(np.zeros((16, 1)), y_labelled)
    np.testing.assert_array_equal(strategy.class_counts_, [9, 4, 1, 2])
    expected = reference(proba, [9, 4, 1, 2], 12)
    np.testing.assert_array_equal(strategy.query(X), expected)
    # A pool restricted by candidates= gives the reference on those rows.
    rows = np.arange(10, 60, 2)
    sub = reference(proba[rows], [9, 4, 1, 2], 12)
    np.testing.assert_array_equal(strategy.query(X, candidates=rows), rows[sub])


def test_a_model_blind_to_the_rare_class_asks_its_most_probable_samples():
    # The model predicts class 0 everywhere: margin sampling asks the
    # samples nearest p = 0.5, the balanced strategy those most likely rare.
    p_rare = np.linspace(0.01, 0.45, 40)
    proba = np.column_stack([1 - p_rare, p_rare])
    X = np.arange(40.0)[:, None]
    y_labelled = np.array([0] * 8 + [1] * 2)
    balanced = ClassBalancedSampling(TableClassifier(proba), batch_size=4)
    balanced.fit(np.zeros((10, 1)), y_labelled)
    assert target_classes(balanced.class_counts_, 4).tolist() == [1, 1, 1, 1]
    np.testing.assert_array_equal(balanced.query(X), [39, 38, 37, 36])


def test_target_classes_fill_the_least_labelled_first():
    assert target_classes([5, 1, 3], 5).tolist() == [1, 1, 1, 2, 1]


def test_on_imbalanced_data_the_batch_holds_more_rare_samples_than_margins():
    X, y = make_classification(
        n_samples=3000, n_features=10, weights=[0.97], flip_y=0, random_state=1
    )
    labelled = np.r_[np.flatnonzero(y == 0)[:18], np.flatnonzero(y == 1)[:2]]
    pool = np.setdiff1d(np.arange(len(y)), labelled)
    model = LogisticRegression()
    rare = {}
    for name, cls in [("margin", MarginSampling), ("balanced", ClassBalancedSampling)]:
        strategy = cls(model, batch_size=20, random_state=0)
        picks = strategy.fit(X[labelled], y[labelled]).query(X, candidates=pool)
        rare[name] = int((y[picks] == 1).sum())
    assert rare["balanced"] > rare["margin"]


def test_method_must_read_predict_proba():
    strategy = ClassBalancedSampling(LogisticRegression(), method="mutual_information")
    with pytest.raises(ValueError, match="method must be a measure of predict_proba"):
        strategy.fit(np.arange(8.0)[:, None], [0, 1] * 4)
