"""StochasticBatch against the distributions it draws from."""

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from skactive import BALD, Committee, MarginSampling, StochasticBatch
from skactive.strategies._stochastic import gumbel_noise, log_weights

# Margins 1 - (p1 - p2) of these rows: 0.2, 0.4, 0.6, 0.8, 1.0, 0.0.
TABLE = np.array([[0.9 - d, 0.1 + d] for d in (0.0, 0.1, 0.2, 0.3, 0.4)] + [[1.0, 0.0]])
MARGINS = np.array([0.2, 0.4, 0.6, 0.8, 1.0, 0.0])
X = np.arange(len(TABLE), dtype=float)[:, None]


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


def _fitted(**params):
    strategy = StochasticBatch(TableClassifier(TABLE), **params)
    return strategy.fit(X, [0, 1, 0, 1, 0, 1])


def test_log_weights_match_the_three_formulas():
    s = np.array([0.5, 2.0, 0.0, 2.0, 1.0])
    np.testing.assert_allclose(log_weights(s, "softmax", 0.5), s / 0.5)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(log_weights(s, "power", 2.0), np.log(s) / 2.0)
    # ranks: 2.0 (twice) -> 1, 1.0 -> 3, 0.5 -> 4, 0.0 -> 5
    np.testing.assert_allclose(
        log_weights(s, "softrank", 1.0), -np.log([4, 1, 5, 1, 3])
    )
    with pytest.raises(ValueError, match=r'mode="power" .* non-negative'):
        log_weights(np.array([0.1, -0.2]), "power", 1.0)


def test_gumbel_noise_is_standard_gumbel_and_a_function_of_row_and_salt():
    rows = np.arange(200_000)
    g = gumbel_noise(rows, np.uint64(12345))
    assert stats.kstest(g, "gumbel_r").pvalue > 1e-3
    np.testing.assert_array_equal(gumbel_noise(rows[::-7], np.uint64(12345)), g[::-7])
    assert not np.array_equal(gumbel_noise(rows[:100], np.uint64(1)), g[:100])


@pytest.mark.parametrize(
    "mode, temperature, weights",
    [
        ("power", 1.0, MARGINS),
        ("power", 0.5, MARGINS**2),
        ("softmax", 0.25, np.exp(MARGINS / 0.25)),
        ("softrank", 1.0, 1.0 / np.array([5, 4, 3, 2, 1, 6])),
    ],
)
def test_draws_follow_the_plackett_luce_model(mode, temperature, weights):
    # Brute force: the first pick of a batch of 2 is row i with probability
    # w_i / sum(w), the second row j after i with w_j / (sum(w) - w_i).
    p_first = weights / weights.sum()
    p_pair = np.zeros((6, 6))
    for i in range(6):
        for j in range(6):
            if i != j:
                p_pair[i, j] = p_first[i] * weights[j] / (weights.sum() - weights[i])
    strategy = _fitted(mode=mode, temperature=temperature, batch_size=2)
    n = 4000
    counts = np.zeros((6, 6))
    for seed in range(n):
        i, j = strategy.set_params(random_state=seed).query(X)
        counts[i, j] += 1
    expected = p_pair * n
    seen = expected > 0
    assert counts[~seen].sum() == 0  # a zero weight is never drawn
    chi2 = ((counts[seen] - expected[seen]) ** 2 / expected[seen]).sum()
    assert chi2 < stats.chi2.ppf(0.999, seen.sum() - 1)


def test_a_cold_draw_is_the_top_k_and_zero_weights_come_last():
    strategy = _fitted(mode="softmax", temperature=1e-4, batch_size=3)
    np.testing.assert_array_equal(strategy.query(X), [4, 3, 2])
    # The whole pool: the zero-margin row (weight 0 under "power") is last.
    everything = _fitted(mode="power", batch_size=6, random_state=0).query(X)
    assert sorted(everything.tolist()) == list(range(6))
    assert everything[-1] == 5


def test_iris_queries_are_reproducible_and_use_the_candidates():
    X_iris, y = load_iris(return_X_y=True)
    strategy = StochasticBatch(LogisticRegression(), batch_size=5, random_state=3)
    strategy.fit(X_iris[::10], y[::10])
    first = strategy.query(X_iris)
    np.testing.assert_array_equal(first, strategy.query(X_iris))
    np.testing.assert_array_equal(
        first, strategy.set_params(chunk_size=7, n_jobs=2).query(X_iris)
    )
    candidates = np.arange(50, 150)
    assert set(strategy.query(X_iris, candidates=candidates)) <= set(candidates)


def test_power_bald_over_a_committee():
    X_iris, y = load_iris(return_X_y=True)
    committee = Committee(estimator=LogisticRegression(), n_members=3, random_state=0)
    power_bald = StochasticBatch(
        committee, uncertainty="mutual_information", batch_size=4, random_state=0
    ).fit(X_iris[::5], y[::5])
    assert power_bald.query(X_iris).shape == (4,)
    # A pointwise strategy as the utility reads the same fitted model.
    as_strategy = StochasticBatch(
        committee, uncertainty=BALD(), batch_size=4, random_state=0
    ).fit(X_iris[::5], y[::5])
    np.testing.assert_array_equal(power_bald.query(X_iris), as_strategy.query(X_iris))


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"mode": "gumbel"}, ValueError, "mode must be one of"),
        ({"temperature": 0.0}, ValueError, "temperature"),
        ({"uncertainty": 3}, TypeError, "uncertainty must be a measure name"),
        ({"uncertainty": MarginSampling}, TypeError, "the class MarginSampling"),
    ],
)
def test_bad_parameters_are_named(params, error, match):
    with pytest.raises(error, match=match):
        _fitted(**params)
