"""Ranked batch-mode sampling against a plain reference, and the hybrid's
selector that sees the labelled set."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import cosine_distances
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skactive import (
    CoreSet,
    HybridSampling,
    MarginSampling,
    RankedBatch,
    UncertaintySampling,
)
from skactive.measures import MEASURES
from skactive.strategies._hybrid import takes_labelled
from skactive.strategies._kcenter import NearestDistances
from skactive.utils._selection import draw_salt, sample_indices, tie_keys


# ----------------------------------------------------------------- helpers
def labelled_and_pool(seed, n_pool=200, n_labelled=30, n_features=4):
    X, y = make_classification(
        n_samples=n_pool + n_labelled,
        n_features=n_features,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        random_state=seed,
    )
    return X[:n_labelled], y[:n_labelled], X[n_labelled:]


def _salt(seed):
    """The tie-key salt that ``random_state=seed`` draws first."""
    return draw_salt(np.random.RandomState(seed))


def brute_force_ranked(
    Z, L, u, k, salt, *, alpha="auto", metric="euclidean", n_unlabelled=None
):
    """The ranked batch on the full distance matrix, one pick at a time:
    score = alpha (1 - 1 / (1 + d)) + (1 - alpha) u, d the distance to the
    nearest of L and the picks, alpha = |U| / (|U| + |L|) with each pick
    moved from U to L. Ties by smallest tie key."""
    everything = np.vstack([L, Z])
    if metric == "cosine":
        D = cosine_distances(Z, everything)
    else:
        D = np.sqrt(((Z[:, None, :] - everything[None, :, :]) ** 2).sum(axis=-1))
    n_labelled = len(L)
    n_unlabelled = len(Z) if n_unlabelled is None else n_unlabelled
    nearest = D[:, :n_labelled].min(axis=1)
    picks = []
    for t in range(k):
        if alpha == "auto":
            a = (n_unlabelled - t) / (n_unlabelled + n_labelled)
        else:
            a = alpha
        score = a * (1.0 - 1.0 / (1.0 + nearest)) + (1.0 - a) * u
        score[picks] = -np.inf
        tied = np.flatnonzero(score == score.max())
        picks.append(tied[np.argmin(tie_keys(tied, salt))])
        nearest = np.minimum(nearest, D[:, n_labelled + picks[-1]])
    return np.array(picks)


class TableClassifier(ClassifierMixin, BaseEstimator):
    """Returns row ``int(x[-1])`` of a fixed probability table."""

    def __init__(self, table=None):
        self.table = table

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict_proba(self, X):
        return np.asarray(self.table)[np.asarray(X)[:, -1].astype(int)]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _position(X):
    return np.asarray(X)[:, :1]


# -------------------------------------------------------- against reference
@pytest.mark.parametrize("seed", range(4))
def test_ranked_batch_matches_brute_force(seed):
    X, y, X_pool = labelled_and_pool(seed)
    k = 20
    strategy = RankedBatch(LogisticRegression(), embedding="raw", random_state=seed)
    picks = strategy.fit(X, y).query(X_pool, batch_size=k)
    u = MEASURES["least_confident"].function(strategy.estimator_.predict_proba(X_pool))
    expected = brute_force_ranked(X_pool, X, u, k, _salt(seed))
    np.testing.assert_array_equal(picks, expected)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_ranked_batch_cosine_fixed_alpha_and_margin(alpha):
    X, y, X_pool = labelled_and_pool(5)
    strategy = RankedBatch(
        LogisticRegression(),
        uncertainty="margin",
        alpha=alpha,
        metric="cosine",
        embedding="raw",
        random_state=2,
    ).fit(X, y)
    u = MEASURES["margin"].function(strategy.estimator_.predict_proba(X_pool))
    expected = brute_force_ranked(
        X_pool, X, u, 15, _salt(2), alpha=alpha, metric="cosine"
    )
    np.testing.assert_array_equal(strategy.query(X_pool, batch_size=15), expected)


def test_alpha_is_unlabelled_over_all_and_follows_the_candidates():
    # One feature (the position) is the embedding; the last column is the
    # row of the probability table. Labelled: two samples at 0 (|L| = 2).
    # A at 1 with u = 0.5, B at 3 with u = 0.1, four fillers at 0 with u = 0.
    # |U| = 6: alpha = 6 / 8; score(A) = .75 * 1/2 + .25 * .5 = .5,
    # score(B) = .75 * 3/4 + .25 * .1 = .5875: B first.
    # (With |L| / (|U| + |L|) = .25, A would come first.)
    table = [[0.5, 0.5], [0.9, 0.1], [1.0, 0.0]]
    X = np.array([[0.0, 2], [0.0, 2]])
    y = np.array([0, 1])
    X_pool = np.array([[1.0, 0], [3.0, 1]] + [[0.0, 2]] * 4)
    strategy = RankedBatch(
        TableClassifier(table), embedding=_position, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(strategy.query(X_pool, batch_size=2), [1, 0])
    # |U| = 2 candidates: alpha = 2 / 4; score(A) = .5, score(B) = .425.
    np.testing.assert_array_equal(
        strategy.query(X_pool, batch_size=2, candidates=[0, 1]), [0, 1]
    )


def test_batch_of_one_is_the_top_of_the_pointwise_score():
    # Before any pick the score is pointwise: alpha_0 = |U| / (|U| + |L|)
    # times the dissimilarity to the labelled set, plus (1 - alpha_0) u.
    # Greedy picks make a ranking: a batch of j is the first j of a batch
    # of k.
    X, y, X_pool = labelled_and_pool(1)
    strategy = RankedBatch(LogisticRegression(), embedding="raw", random_state=0)
    strategy.fit(X, y)
    D = np.sqrt(((X_pool[:, None, :] - X[None, :, :]) ** 2).sum(axis=-1))
    d = D.min(axis=1)
    alpha = len(X_pool) / (len(X_pool) + len(X))
    u = 1.0 - strategy.estimator_.predict_proba(X_pool).max(axis=1)
    score = alpha * d / (1.0 + d) + (1.0 - alpha) * u
    assert strategy.query(X_pool, batch_size=1)[0] == np.argmax(score)
    ranking = strategy.query(X_pool, batch_size=12)
    for j in (1, 5):
        np.testing.assert_array_equal(strategy.query(X_pool, batch_size=j), ranking[:j])


def test_alpha_one_is_coreset_and_alpha_zero_is_uncertainty_top_k():
    X, y, X_pool = labelled_and_pool(3)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    ranked = RankedBatch(model, alpha=1.0, random_state=4).fit(X, y)
    coreset = CoreSet(model, random_state=4).fit(X, y)
    np.testing.assert_array_equal(
        ranked.query(X_pool, batch_size=10), coreset.query(X_pool, batch_size=10)
    )
    ranked.set_params(alpha=0.0, uncertainty="entropy").fit(X, y)
    top = UncertaintySampling(model, method="entropy", random_state=4).fit(X, y)
    np.testing.assert_array_equal(
        ranked.query(X_pool, batch_size=10), top.query(X_pool, batch_size=10)
    )


def test_candidates_are_the_unlabelled_set():
    X, y, X_pool = labelled_and_pool(6)
    rows = np.arange(1, len(X_pool), 3)
    strategy = RankedBatch(LogisticRegression(), embedding="raw", random_state=1)
    picks = strategy.fit(X, y).query(X_pool, batch_size=8, candidates=rows)
    u = 1.0 - strategy.estimator_.predict_proba(X_pool[rows]).max(axis=1)
    # tie keys are those of the rows of X_pool; no ties here
    expected = brute_force_ranked(X_pool[rows], X, u, 8, _salt(1))
    np.testing.assert_array_equal(picks, rows[expected])
    mask = np.zeros(len(X_pool), dtype=bool)
    mask[rows] = True
    np.testing.assert_array_equal(
        strategy.query(X_pool, batch_size=8, candidates=mask), picks
    )


def test_pipeline_embedding_and_ties_between_duplicates():
    # Each distinct row three times: ties broken by tie key, the same for any
    # chunk_size and n_jobs; a pick's copies fall to the bottom (distance 0).
    X, y, X_pool = labelled_and_pool(2, n_pool=40)
    X_pool = np.repeat(X_pool, 3, axis=0)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    strategy = RankedBatch(model, random_state=0).fit(X, y)
    picks = strategy.query(X_pool, batch_size=12)
    assert len({i // 3 for i in picks}) == 12
    for chunk_size, n_jobs in [(7, 2), (1, None), (1000, 2)]:
        strategy.set_params(chunk_size=chunk_size, n_jobs=n_jobs)
        np.testing.assert_array_equal(strategy.query(X_pool, batch_size=12), picks)
    Z = strategy.estimator_[:-1].transform(X_pool)
    L = strategy.labelled_embedding_
    u = 1.0 - strategy.estimator_.predict_proba(X_pool).max(axis=1)
    np.testing.assert_array_equal(
        picks, brute_force_ranked(Z, L, u, 12, _salt(0), n_unlabelled=len(X_pool))
    )


def test_pool_subsample_keeps_alpha_of_the_whole_pool():
    X, y, X_pool = labelled_and_pool(7)
    strategy = RankedBatch(
        LogisticRegression(), embedding="raw", pool_subsample=50, random_state=3
    ).fit(X, y)
    picks = strategy.query(X_pool, batch_size=5)
    rng = np.random.RandomState(3)  # the engine's draws: subsample, then salt
    sub = np.sort(sample_indices(len(X_pool), 50, rng))
    u = 1.0 - strategy.estimator_.predict_proba(X_pool[sub]).max(axis=1)
    expected = brute_force_ranked(  # no ties: which tie keys does not matter
        X_pool[sub], X, u, 5, draw_salt(rng), n_unlabelled=len(X_pool)
    )
    np.testing.assert_array_equal(picks, sub[expected])


# ------------------------------------------------------- the distance engine
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_nearest_distances_are_exact_and_blocking_free(metric):
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(300, 5)) * 10.0 + 1e3  # far from the origin
    Z[7] = 0.0
    L = rng.normal(size=(17, 5)) * 10.0 + 1e3
    reference = None
    for block_rows, n_jobs in [(None, None), (1, None), (64, 2)]:
        nearest = NearestDistances(Z, L, metric, block_rows=block_rows, n_jobs=n_jobs)
        for index in (3, 150, 7):
            nearest.add_centre(index)
        if reference is None:
            reference = nearest.distances()
            centres = np.vstack([L, Z[[3, 150, 7]]])
            if metric == "cosine":  # a zero row: cosine 0, but to itself 0
                expected = cosine_distances(Z, centres).min(axis=1)
                expected[7] = 0.0
            else:
                diff = Z[:, None, :] - centres[None, :, :]
                expected = np.sqrt((diff**2).sum(axis=-1)).min(axis=1)
            np.testing.assert_allclose(reference, expected, rtol=1e-9, atol=1e-12)
            assert reference[[3, 150, 7]].max() == 0.0
        else:  # the same bits
            np.testing.assert_array_equal(nearest.distances(), reference)


def test_float32_embedding():
    X, y, X_pool = labelled_and_pool(8)
    strategy = RankedBatch(
        embedding=lambda A: np.asarray(A, dtype=np.float32), random_state=0
    ).fit(X, y)
    assert len(set(strategy.query(X_pool, batch_size=6))) == 6
    assert strategy.labelled_embedding_.dtype == np.float64


@pytest.mark.parametrize(
    "strategy, match",
    [
        (RankedBatch(alpha="paper"), "alpha"),
        (RankedBatch(alpha=1.5), "alpha"),
        (RankedBatch(alpha=True), "alpha"),
        (RankedBatch(metric="manhattan"), "metric"),
        (RankedBatch(embedding="pixels"), "embedding"),
        (RankedBatch(uncertainty="confusion"), "uncertainty"),
        (RankedBatch(uncertainty=CoreSet()), "uncertainty"),
    ],
)
def test_errors_name_the_parameter(strategy, match):
    X, y, _ = labelled_and_pool(0, n_pool=10)
    with pytest.raises((ValueError, TypeError), match=match):
        strategy.fit(X, y)


def test_uncertainty_strategy_as_utility():
    X, y, X_pool = labelled_and_pool(4)
    by_name = RankedBatch(uncertainty="margin", random_state=0).fit(X, y)
    by_strategy = RankedBatch(uncertainty=MarginSampling(), random_state=0).fit(X, y)
    np.testing.assert_array_equal(
        by_name.query(X_pool, batch_size=5), by_strategy.query(X_pool, batch_size=5)
    )


# -------------------------------------- HybridSampling: the labelled rows
def test_hybrid_selector_receives_the_labelled_embedding():
    X, y, X_pool = labelled_and_pool(9)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    seen = {}

    def farthest_from_labelled(Z, utilities, k, rng, *, Z_labelled):
        seen["Z"], seen["Z_labelled"] = Z, Z_labelled
        d = np.sqrt(((Z[:, None] - Z_labelled[None]) ** 2).sum(axis=-1)).min(axis=1)
        return np.argsort(-d, kind="stable")[:k]

    strategy = HybridSampling(
        model, selector=farthest_from_labelled, beta=4, random_state=0
    ).fit(X, y)
    picks = strategy.query(X_pool, batch_size=5)
    expected_labelled = strategy.estimator_[:-1].transform(X)
    np.testing.assert_allclose(seen["Z_labelled"], expected_labelled)
    assert seen["Z_labelled"].shape == (len(X), X.shape[1])
    assert not seen["Z_labelled"].flags.writeable
    assert seen["Z"].shape == (20, X.shape[1])
    assert len(set(picks)) == 5

    def with_kwargs(Z, utilities, k, rng, **kwargs):
        seen["kwargs"] = sorted(kwargs)
        return np.arange(k)

    strategy.set_params(selector=with_kwargs).query(X_pool, batch_size=3)
    assert seen["kwargs"] == ["Z_labelled"]


def test_hybrid_four_argument_selector_still_works():
    X, y, X_pool = labelled_and_pool(9)
    calls = []

    def old_selector(Z, utilities, k, rng):
        calls.append(k)
        return np.arange(k)

    top = MarginSampling(random_state=0).fit(X, y).query(X_pool, batch_size=3)
    picks = HybridSampling(selector=old_selector, beta=4, random_state=0).fit(X, y)
    np.testing.assert_array_equal(picks.query(X_pool, batch_size=3), top)
    assert calls == [3]
    # a callable without a signature (a builtin) is called with four arguments
    assert not takes_labelled(max)
