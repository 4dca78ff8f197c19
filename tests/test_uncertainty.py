"""Uncertainty measures and strategies against hand-computed values."""

import math
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skactive import (
    EntropySampling,
    LeastConfidentSampling,
    MarginSampling,
    RandomSampling,
    UncertaintySampling,
    VariationRatioSampling,
    measures,
)

# A fixed probability table: rows are samples, columns classes.
P = np.array(
    [
        [1.0, 0.0, 0.0],  # certain
        [0.5, 0.5, 0.0],  # torn between two classes
        [1 / 3, 1 / 3, 1 / 3],  # uniform
        [0.6, 0.3, 0.1],
        [0.2, 0.7, 0.1],
    ]
)
LN2, LN3 = math.log(2), math.log(3)
H4 = -(0.6 * math.log(0.6) + 0.3 * math.log(0.3) + 0.1 * math.log(0.1))
H5 = -(0.2 * math.log(0.2) + 0.7 * math.log(0.7) + 0.1 * math.log(0.1))
EXPECTED = {
    "least_confident": [0.0, 0.5, 2 / 3, 0.4, 0.3],
    "margin": [0.0, 1.0, 1.0, 0.7, 0.5],
    "entropy": [0.0, LN2, LN3, H4, H5],
    # 1 - max p for a single model (no predict_proba_samples)
    "variation_ratio": [0.0, 0.5, 2 / 3, 0.4, 0.3],
}


class TableClassifier(ClassifierMixin, BaseEstimator):
    """Returns row ``int(x[0])`` of a fixed probability table."""

    def __init__(self, table=None):
        self.table = table

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict_proba(self, X):
        return np.asarray(self.table)[np.asarray(X)[:, 0].astype(int)]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


X_TABLE = np.arange(len(P), dtype=float)[:, None]
Y_FIT = np.array([0, 1, 2, 0, 1])


def test_measures_match_hand_computed_values():
    np.testing.assert_allclose(measures.least_confident(P), EXPECTED["least_confident"])
    np.testing.assert_allclose(measures.margin(P), EXPECTED["margin"])
    np.testing.assert_allclose(measures.entropy(P), EXPECTED["entropy"])


def test_margin_with_tied_top_classes_and_binary():
    np.testing.assert_allclose(measures.margin(np.array([[0.4, 0.4, 0.2]])), [1.0])
    np.testing.assert_allclose(measures.margin(np.array([[0.9, 0.1]])), [0.2])
    with pytest.raises(ValueError, match="at least 2 classes"):
        measures.margin(np.ones((2, 1)))


@pytest.mark.parametrize("method", sorted(EXPECTED))
def test_strategy_utilities_match_the_table(method):
    strategy = UncertaintySampling(TableClassifier(P), method=method).fit(
        X_TABLE, Y_FIT
    )
    np.testing.assert_allclose(strategy.utility(X_TABLE), EXPECTED[method])


@pytest.mark.parametrize(
    "cls, method",
    [
        (LeastConfidentSampling, "least_confident"),
        (MarginSampling, "margin"),
        (EntropySampling, "entropy"),
        (VariationRatioSampling, "variation_ratio"),
    ],
)
def test_named_classes_equal_the_generic_one(cls, method):
    X, y = load_iris(return_X_y=True)
    named = cls(LogisticRegression(max_iter=500), batch_size=10, random_state=0)
    generic = UncertaintySampling(
        LogisticRegression(max_iter=500), method=method, batch_size=10, random_state=0
    )
    named.fit(X[::7], y[::7])
    generic.fit(X[::7], y[::7])
    np.testing.assert_array_equal(named.query(X), generic.query(X))
    assert "method" not in named.get_params()


def test_query_selects_best_first_like_a_brute_force_sort():
    rng = np.random.RandomState(0)
    table = rng.dirichlet(np.ones(4), size=500)  # no exact ties
    X = np.arange(500, dtype=float)[:, None]
    for method in EXPECTED:
        strategy = UncertaintySampling(
            TableClassifier(table), method=method, batch_size=25, chunk_size=37
        ).fit(X[:4], [0, 1, 2, 3])
        utilities = strategy.utility(X)
        brute = np.argsort(-utilities, kind="stable")[:25]
        np.testing.assert_array_equal(strategy.query(X), brute)


def test_variation_ratio_uses_member_votes_when_available():
    class Members(TableClassifier):
        def predict_proba_samples(self, X):
            # two samples, four members
            return np.array(
                [
                    [[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.6, 0.4]],  # 4 votes for 0
                    [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]],  # 2 / 2
                ]
            )[np.asarray(X)[:, 0].astype(int)]

    X = np.array([[0.0], [1.0]])
    strategy = VariationRatioSampling(Members(np.full((2, 2), 0.5))).fit(X, [0, 1])
    np.testing.assert_allclose(strategy.utility(X), [0.0, 0.5])


def test_ties_are_broken_at_random_but_reproducibly():
    table = np.full((200, 2), 0.5)  # every sample ties
    X = np.arange(200, dtype=float)[:, None]
    picks = set()
    for seed in range(5):
        strategy = MarginSampling(
            TableClassifier(table), batch_size=5, random_state=seed
        )
        strategy.fit(X[:2], [0, 1])
        first = strategy.query(X)
        np.testing.assert_array_equal(first, strategy.query(X))
        picks.add(tuple(first))
    assert len(picks) == 5  # different seeds break the ties differently
    # a RandomState instance advances between queries
    strategy.set_params(random_state=np.random.RandomState(0))
    assert tuple(strategy.query(X)) != tuple(strategy.query(X))


def test_pipeline_frozen_and_gridsearch():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    strategy = MarginSampling(pipe, batch_size=5, random_state=0).fit(X[::5], y[::5])
    assert strategy.query(X).shape == (5,)
    assert strategy.score(X, y) > 0.8

    frozen_model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    frozen = EntropySampling(FrozenEstimator(frozen_model), batch_size=3)
    frozen.fit(X[::30], y[::30])
    assert frozen.estimator_ is frozen.estimator  # used as is, not refitted
    np.testing.assert_array_equal(frozen.predict(X), frozen_model.predict(X))

    search = GridSearchCV(
        MarginSampling(LogisticRegression(max_iter=500)),
        {"estimator__C": [0.01, 1.0]},
        cv=3,
    ).fit(X, y)
    assert search.best_params_ == {"estimator__C": 1.0}


def test_a_search_over_query_parameters_scored_by_the_model_warns():
    # Issue 15, item 2: every candidate of this search ties (the model is the
    # same), so the first would win silently.
    from skactive import ActiveLearningClassifier
    from skactive.exceptions import QuerySearchWarning
    from skactive.metrics import alc_scorer

    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        UncertaintySampling(LogisticRegression(max_iter=500)),
        {"method": ["least_confident", "margin", "entropy"]},
        cv=3,
    )
    with pytest.warns(QuerySearchWarning, match="varies method of Uncertainty"):
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.ptp(scores) == 0  # the tie the warning is about

    # In a pipeline, the parameter is named as the search names it.
    piped = GridSearchCV(
        make_pipeline(StandardScaler(), MarginSampling(LogisticRegression())),
        {"marginsampling__batch_size": [1, 5], "standardscaler__with_mean": [True]},
        cv=3,
    )
    with pytest.warns(QuerySearchWarning, match="marginsampling__batch_size of"):
        piped.fit(X, y)

    # Model parameters, a plain cross-validation and the loop-running
    # estimator with the learning-curve scorer are what searches should do:
    # no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", QuerySearchWarning)
        GridSearchCV(
            MarginSampling(LogisticRegression(max_iter=500)),
            {"estimator__C": [0.1, 1.0]},
            cv=3,
        ).fit(X, y)
        GridSearchCV(
            ActiveLearningClassifier(
                initial_size=6, budget=12, batch_size=3, random_state=0
            ),
            {"strategy": [MarginSampling(), EntropySampling()]},
            scoring=alc_scorer,
            cv=3,
        ).fit(X, y)
        MarginSampling(LogisticRegression(max_iter=500)).fit(X, y).score(X, y)


def test_random_sampling_is_uniform_and_needs_no_proba():
    from sklearn.svm import SVC

    X, y = load_iris(return_X_y=True)
    strategy = RandomSampling(SVC(), batch_size=10, random_state=0).fit(X, y)
    counts = np.zeros(len(X))
    for seed in range(300):
        counts[strategy.set_params(random_state=seed).query(X)] += 1
    # 3000 draws over 150 samples: 20 expected each, chi-square sanity bound
    chi2 = ((counts - 20) ** 2 / 20).sum()
    assert chi2 < 220  # df = 149, p(chi2 > 220) < 1e-3
    with pytest.raises(ValueError, match="pointwise utility"):
        strategy.query(X, return_utilities=True)
    assert not hasattr(strategy, "utility")
