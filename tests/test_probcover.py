"""ProbCover against a brute-force reference, and TypiClust's sparse path."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import pairwise_distances

from skactive import ProbCover, TypiClust
from skactive.neighbors import NearestNeighborsIndex
from skactive.strategies import _coldstart, _probcover
from skactive.utils._selection import tie_keys


def _brute_greedy(Z, delta, k, salt, labelled=None):
    """Greedy max coverage with a dense n x n ball matrix (the reference)."""
    balls = pairwise_distances(Z) <= delta
    covered = np.zeros(Z.shape[0], dtype=bool)
    if labelled is not None and labelled.shape[0]:
        covered |= (pairwise_distances(labelled, Z) <= delta).any(axis=0)
    keys = tie_keys(np.arange(Z.shape[0]), salt)
    picked = []
    for _ in range(k):
        gain = (balls & ~covered[None, :]).sum(axis=1)
        gain[picked] = -1
        best = np.flatnonzero(gain == gain.max())
        pick = int(best[np.argmin(keys[best])])
        picked.append(pick)
        covered |= balls[pick]
    return np.array(picked)


def _data(n=300, seed=0):
    X, y = make_blobs(n_samples=n, centers=4, cluster_std=1.5, random_state=seed)
    return X, y


@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_greedy_coverage_matches_brute_force(delta):
    Z, _ = _data()
    salt = np.uint64(12345)
    graph = (
        NearestNeighborsIndex(backend="exact")
        .fit(Z)
        .radius_neighbors(radius=delta, mode="connectivity")
    )
    picks = _probcover.probcover_select(graph, 25, salt)
    np.testing.assert_array_equal(picks, _brute_greedy(Z, delta, 25, salt))


def test_query_matches_brute_force_with_labelled_coverage():
    X, y = _data(400, seed=1)
    X_lab, y_lab, pool = X[:20], y[:20], X[20:]
    strategy = ProbCover(
        LogisticRegression(), delta=1.2, batch_size=15, embedding="raw", random_state=3
    )
    picks = strategy.fit(X_lab, y_lab).query(pool)
    assert picks.shape == (15,) and np.unique(picks).shape == (15,)
    # the salt of the tie keys is the engine's: compare the coverage, each
    # pick covers as many new samples as the best one available
    balls = pairwise_distances(pool) <= 1.2
    covered = (pairwise_distances(X_lab, pool) <= 1.2).any(axis=0)
    for pick in picks:
        gain = (balls & ~covered[None, :]).sum(axis=1)
        gain[picks[: list(picks).index(pick)]] = -1
        assert gain[pick] == gain.max()
        covered |= balls[pick]


def test_purity_delta_matches_brute_force():
    Z, _ = _data(250, seed=2)
    _, labels = _coldstart._cluster(Z, 4, 7)
    D = pairwise_distances(Z)
    other = np.where(labels[:, None] != labels[None, :], D, np.inf).min(axis=1)
    for alpha in (0.8, 0.95, 1.0):
        delta = _probcover.purity_delta(Z, 4, alpha, 7)
        purity = lambda r: np.mean(other > r)  # noqa: E731
        assert purity(delta) >= alpha
        # a larger radius reaches the next distance: purity below alpha
        larger = np.min(other[other > delta])
        assert purity(larger) < alpha
        # just below the (1 - alpha)-quantile of the distances to another
        # cluster (up to the last bits of the two distance computations)
        threshold = np.sort(other)[250 - math.ceil(alpha * 250)]
        assert delta < threshold + 1e-12 and delta == pytest.approx(threshold)


def test_auto_delta_is_the_purity_radius_and_picks_cover():
    X, y = _data(500, seed=4)
    strategy = ProbCover(
        LogisticRegression(), batch_size=8, embedding="raw", random_state=0
    ).fit(X[:12], y[:12])
    picks = strategy.query(X[12:])
    assert picks.shape == (8,) and np.unique(picks).shape == (8,)
    again = strategy.query(X[12:])
    np.testing.assert_array_equal(picks, again)


def test_fully_covered_pool_gives_distinct_random_picks():
    X, y = _data(60)
    strategy = ProbCover(
        LogisticRegression(), delta=100.0, batch_size=10, random_state=0
    ).fit(X[:8], y[:8])
    picks = strategy.query(X)
    assert np.unique(picks).shape == (10,)


def test_parameters_are_checked():
    X, y = _data(60)
    for params, error, match in [
        ({"delta": "big"}, TypeError, "delta must be"),
        ({"delta": -1.0}, ValueError, "delta must be"),
        ({"alpha": 0.0}, ValueError, "alpha must be"),
        ({"n_clusters": 0}, ValueError, "n_clusters must be"),
        ({"backend": "annoy"}, ValueError, "backend must be"),
    ]:
        with pytest.raises(error, match=match):
            ProbCover(LogisticRegression(), batch_size=5, **params).fit(X, y)


def test_probcover_on_sparse_embedding():
    X = sp.random(200, 50, density=0.2, format="csr", random_state=0)
    y = np.arange(200) % 2
    strategy = ProbCover(LogisticRegression(), batch_size=5, random_state=0)
    picks = strategy.fit(X[:20], y[:20]).query(X)
    assert np.unique(picks).shape == (5,)


# ----------------------------------------------------------- TypiClust
def test_typiclust_keeps_a_sparse_pool_sparse(monkeypatch):
    seen = []
    real = _coldstart.typiclust_select

    def spy(Z, *args, **kwargs):
        seen.append(sp.issparse(Z))
        return real(Z, *args, **kwargs)

    monkeypatch.setattr(_coldstart, "typiclust_select", spy)
    X = sp.random(300, 80, density=0.1, format="csr", random_state=1)
    y = np.arange(300) % 3
    picks = (
        TypiClust(LogisticRegression(), batch_size=6, random_state=0)
        .fit(X[:30], y[:30])
        .query(X)
    )
    assert seen == [True] and np.unique(picks).shape == (6,)


def test_typicality_of_sparse_rows_equals_dense():
    X = sp.random(120, 30, density=0.3, format="csr", random_state=2)
    np.testing.assert_allclose(
        _coldstart._typicality(X, 5), _coldstart._typicality(X.toarray(), 5)
    )


def test_sparse_kmeans_plusplus_seeds_distinct_rows():
    X, _ = make_blobs(n_samples=200, centers=5, random_state=0)
    centres = _coldstart._sparse_kmeans_plusplus(
        sp.csr_matrix(X), 5, np.random.RandomState(0)
    )
    rows = {tuple(c) for c in centres}
    assert len(rows) == 5 and all(any(np.allclose(c, x) for x in X) for c in centres)


def test_large_pools_are_clustered_on_a_sample(monkeypatch):
    monkeypatch.setattr(_coldstart, "_CLUSTER_SAMPLE", 100)
    X, _ = make_blobs(n_samples=3000, centers=3, random_state=0)
    model, labels = _coldstart._cluster(X, 3, 0)
    assert labels.shape == (3000,)
    np.testing.assert_array_equal(labels, model.predict(X))
    assert np.bincount(labels).min() > 900


# ------------------------------------------------- information density
def test_knn_density_matches_brute_force():
    from skactive import InformationDensity

    X, y = _data(200, seed=5)
    for metric in ("euclidean", "cosine"):
        strategy = InformationDensity(
            LogisticRegression(), metric=metric, n_neighbors=7, n_reference=None,
            embedding="raw", batch_size=5, random_state=0,
        ).fit(X[:20], y[:20])  # fmt: skip
        utilities = strategy.utility(X)
        phi = strategy.uncertainty_strategy_.utility(X)
        D = pairwise_distances(X, metric=metric)
        nearest = np.sort(D, axis=1)[:, :7]
        sim = 1 / (1 + nearest) if metric == "euclidean" else 1 - nearest
        np.testing.assert_allclose(utilities, phi * sim.mean(axis=1), rtol=1e-7)
