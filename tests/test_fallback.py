"""BADGE and core-set with a model that predicts one class for the pool:
they query by margin (issue 12, item 4), and only then."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression

from skactive import BADGE, CoreSet, MarginSampling
from skactive.exceptions import DegenerateModelWarning
from skactive.strategies import _fallback


def _one_class_model_data():
    # Nine labels of class 0 near the origin, one of class 1 far away; the
    # pool lies on class 0's side: the model predicts 0 for all of it.
    rng = np.random.RandomState(0)
    X_lab = np.vstack([rng.normal(0, 1, (9, 2)), [[6.0, 6.0]]])
    y_lab = np.array([0] * 9 + [1])
    X_pool = rng.normal(-2, 1, (200, 2))
    return X_lab, y_lab, X_pool


@pytest.mark.parametrize("cls", [BADGE, CoreSet])
def test_one_class_model_queries_by_margin(cls):
    X_lab, y_lab, X_pool = _one_class_model_data()
    strategy = cls(LogisticRegression(), batch_size=5, random_state=0)
    strategy.fit(X_lab, y_lab)
    assert np.unique(strategy.predict(X_pool)).tolist() == [0]
    with pytest.warns(DegenerateModelWarning, match="predicts one class"):
        picks = strategy.query(X_pool)
    # brute force: the 5 smallest margins |p_1 - p_0|
    proba = strategy.predict_proba(X_pool)
    expected = np.argsort(np.abs(proba[:, 1] - proba[:, 0]))[:5]
    assert set(picks) == set(expected)
    reference = MarginSampling(LogisticRegression(), batch_size=5, random_state=0)
    np.testing.assert_array_equal(picks, reference.fit(X_lab, y_lab).query(X_pool))
    # fallback=None keeps the published algorithm
    strategy.set_params(fallback=None).fit(X_lab, y_lab)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateModelWarning)
        own = strategy.query(X_pool)
    assert set(own) != set(expected)


@pytest.mark.parametrize("cls", [BADGE, CoreSet])
def test_a_model_of_two_classes_keeps_the_strategy(cls):
    X, y = load_iris(return_X_y=True)
    labelled = np.r_[0:5, 50:55, 100:105]
    picks = {}
    for fallback in ("margin", None):
        strategy = cls(
            LogisticRegression(), fallback=fallback, batch_size=6, random_state=3
        ).fit(X[labelled], y[labelled])
        with warnings.catch_warnings():
            warnings.simplefilter("error", DegenerateModelWarning)
            picks[fallback] = strategy.query(X)
    np.testing.assert_array_equal(picks["margin"], picks[None])


def test_the_check_reads_evenly_spaced_candidates(monkeypatch):
    # A class predicted only beyond the checked rows goes unseen: the check
    # is a sample of N_CHECK rows, not the whole pool.
    monkeypatch.setattr(_fallback, "N_CHECK", 3)

    class Sign:
        def predict(self, X):
            return (X[:, 0] > 0).astype(int)

    from skactive.utils._pool import Pool

    X = -np.ones((10, 1))
    assert _fallback.predicts_one_class(Sign(), Pool(X, None))
    X[1] = 1.0  # not among positions 0, 4 (or 5) and 9
    assert _fallback.predicts_one_class(Sign(), Pool(X, None))
    X[9] = 1.0
    assert not _fallback.predicts_one_class(Sign(), Pool(X, None))


def test_regressors_never_fall_back():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    strategy = CoreSet(LinearRegression(), batch_size=4, random_state=0)
    strategy.fit(X[:10], np.ones(10) + X[:10, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateModelWarning)
        assert strategy.query(X[10:]).shape == (4,)
    assert strategy._fallback is None


@pytest.mark.parametrize("cls", [BADGE, CoreSet])
def test_bad_fallback_names_itself(cls):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="fallback must be one of"):
        cls(LogisticRegression(), fallback="random").fit(X, y)
