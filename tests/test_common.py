"""scikit-learn's estimator checks and skactive's query checks, for every
public estimator (found by discovery, so a new class is tested at once)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from skactive import QueryStrategy, get_query_tags
from skactive.utils.discovery import all_estimators

from ._instances import expected_failed, make_instance

ESTIMATORS = [make_instance(name, cls) for name, cls in all_estimators()]
STRATEGIES = [e for e in ESTIMATORS if isinstance(e, QueryStrategy)]
WITH_SAMPLES = [e for e in ESTIMATORS if hasattr(e, "predict_proba_samples")]


def _ids(est):
    return type(est).__name__


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda est: expected_failed(_ids(est))
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_discovery_finds_the_uncertainty_family():
    names = {name for name, _ in all_estimators()}
    assert {
        "RandomSampling",
        "UncertaintySampling",
        "LeastConfidentSampling",
        "MarginSampling",
        "EntropySampling",
        "VariationRatioSampling",
    } <= names


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=260, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return X[:60], y[:60], X[60:]


@pytest.mark.parametrize("strategy", STRATEGIES, ids=_ids)
def test_query_before_fit_raises(strategy, data):
    _, _, X_pool = data
    with pytest.raises(NotFittedError):
        clone(strategy).query(X_pool)


@pytest.mark.parametrize("strategy", STRATEGIES, ids=_ids)
def test_query_returns_unique_in_range_indices(strategy, data):
    X, y, X_pool = data
    strategy = clone(strategy).set_params(batch_size=7, random_state=0).fit(X, y)
    X_before = X_pool.copy()
    idx = strategy.query(X_pool)
    assert idx.shape == (7,)
    assert np.issubdtype(idx.dtype, np.integer)
    assert len(np.unique(idx)) == 7
    assert idx.min() >= 0 and idx.max() < len(X_pool)
    np.testing.assert_array_equal(X_pool, X_before)  # pool unmodified
    assert strategy.query(X_pool, batch_size=3).shape == (3,)


@pytest.mark.parametrize("strategy", STRATEGIES, ids=_ids)
def test_query_is_reproducible_and_adds_no_attributes(strategy, data):
    X, y, X_pool = data
    strategy = clone(strategy).set_params(batch_size=5, random_state=3).fit(X, y)
    attrs = set(vars(strategy))
    first = strategy.query(X_pool)
    np.testing.assert_array_equal(first, strategy.query(X_pool))
    assert set(vars(strategy)) == attrs


@pytest.mark.parametrize("strategy", STRATEGIES, ids=_ids)
def test_query_independent_of_chunking_and_jobs(strategy, data):
    X, y, X_pool = data
    base = clone(strategy).set_params(batch_size=9, random_state=1).fit(X, y)
    expected = base.query(X_pool)
    for chunk_size, n_jobs in [(1, 1), (13, 2), (50, 2), (10_000, None)]:
        base.set_params(chunk_size=chunk_size, n_jobs=n_jobs)
        np.testing.assert_array_equal(base.query(X_pool), expected)


@pytest.mark.parametrize("strategy", STRATEGIES, ids=_ids)
def test_pool_subsample_keeps_queries_inside_the_subsample(strategy, data):
    X, y, X_pool = data
    strategy = (
        clone(strategy)
        .set_params(batch_size=4, pool_subsample=20, random_state=0)
        .fit(X, y)
    )
    idx = strategy.query(X_pool)
    assert len(np.unique(idx)) == 4
    if get_query_tags(strategy).pointwise_utility:
        _, utilities = strategy.query(X_pool, return_utilities=True)
        assert np.isfinite(utilities).sum() == 20
        assert np.isfinite(utilities[idx]).all()


@pytest.mark.parametrize("estimator", WITH_SAMPLES, ids=_ids)
def test_predict_proba_samples_axes_and_classes(estimator, data):
    X, y, X_pool = data
    est = clone(estimator).fit(X, y)
    samples = est.predict_proba_samples(X_pool[:11])
    assert samples.ndim == 3
    assert samples.shape[0] == 11
    assert samples.shape[2] == len(est.classes_)
    np.testing.assert_allclose(samples.sum(axis=2), 1.0, rtol=1e-5)
