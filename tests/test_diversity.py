"""Diversity, density, hybrid and cold-start strategies against plain references."""

import itertools
import math
import tracemalloc

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_blobs, make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import cosine_distances
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skactive.strategies._kcenter as coreset_module
from skactive import (
    BatchSizeWarning,
    CoreSet,
    DiverseMiniBatch,
    EntropySampling,
    HybridSampling,
    InformationDensity,
    MarginSampling,
    RandomSampling,
    TypiClust,
    cold_start,
)
from skactive.strategies import greedy_k_center
from skactive.utils._selection import draw_salt, sample_indices, tie_keys


# ----------------------------------------------------------------- helpers
def brute_force_k_center(Z, centres, k, salt, metric="euclidean"):
    """Greedy k-center on the full distance matrix, ties by smallest tie key."""
    everything = np.vstack([centres, Z])
    if metric == "cosine":
        D = cosine_distances(Z, everything)
    else:
        D = ((Z[:, None, :] - everything[None, :, :]) ** 2).sum(axis=-1)
    n_centres = len(centres)
    nearest = D[:, :n_centres].min(axis=1)
    picks = []
    for _ in range(k):
        candidate = nearest.copy()
        candidate[picks] = -np.inf
        tied = np.flatnonzero(candidate == candidate.max())
        pick = tied[np.argmin(tie_keys(tied, salt))]
        picks.append(pick)
        nearest = np.minimum(nearest, D[:, n_centres + pick])
    return np.array(picks)


def covering_radius(Z, centres):
    D = np.sqrt(((Z[:, None, :] - centres[None, :, :]) ** 2).sum(axis=-1))
    return D.min(axis=1).max()


@pytest.fixture
def lazy_engine(monkeypatch):
    """Make the core-set engine use its lazy paths on tiny data."""
    monkeypatch.setattr(coreset_module, "_MIN_ACTIVE", 3)
    monkeypatch.setattr(coreset_module, "_N_BOUND_CENTRES", 2)
    monkeypatch.setattr(coreset_module, "_BOUND_WORK", 2)
    monkeypatch.setattr(coreset_module, "_MIN_COMPACT", 1)


def _salt(seed):
    """The tie-key salt that ``random_state=seed`` draws."""
    return draw_salt(np.random.RandomState(seed))


def labelled_and_pool(seed, n_pool=300, n_labelled=40, n_features=4):
    X, y = make_classification(
        n_samples=n_pool + n_labelled,
        n_features=n_features,
        n_informative=3,
        n_redundant=0,
        random_state=seed,
    )
    return X[:n_labelled], y[:n_labelled], X[n_labelled:]


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


# ---------------------------------------------------------------- core-set
@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_coreset_matches_brute_force(seed, lazy, request):
    if lazy:
        request.getfixturevalue("lazy_engine")
    X, y, X_pool = labelled_and_pool(seed)
    k = 25
    strategy = CoreSet(LogisticRegression(), embedding="raw", random_state=seed)
    picks = strategy.fit(X, y).query(X_pool, batch_size=k)
    salt = draw_salt(np.random.RandomState(seed))
    np.testing.assert_array_equal(picks, brute_force_k_center(X_pool, X, k, salt))


@pytest.mark.parametrize("lazy", [False, True])
def test_coreset_cosine_matches_brute_force(lazy, request):
    if lazy:
        request.getfixturevalue("lazy_engine")
    X, y, X_pool = labelled_and_pool(7)
    strategy = CoreSet(metric="cosine", embedding="raw", random_state=3).fit(X, y)
    salt = draw_salt(np.random.RandomState(3))
    np.testing.assert_array_equal(
        strategy.query(X_pool, batch_size=20),
        brute_force_k_center(X_pool, X, 20, salt, metric="cosine"),
    )


@pytest.mark.parametrize("lazy", [False, True])
def test_coreset_ties_follow_the_tie_keys(lazy, request):
    if lazy:
        request.getfixturevalue("lazy_engine")
    rng = np.random.RandomState(0)
    # Every point four times, and an integer grid (many equal distances).
    duplicated = np.repeat(rng.normal(size=(15, 2)), 4, axis=0)
    grid = np.array(list(itertools.product(range(6), range(6))), dtype=float)
    for Z, centres in [(duplicated, rng.normal(size=(3, 2))), (grid, grid[:1])]:
        runs = []
        for seed in range(4):
            salt = _salt(seed)
            picks = greedy_k_center(Z, 20, centres=centres, random_state=seed)
            np.testing.assert_array_equal(
                picks, brute_force_k_center(Z, centres, 20, salt)
            )
            runs.append(tuple(picks))
        assert len(set(runs)) > 1  # ties are broken at random, by the salt


def test_coreset_float32_is_certified_by_float64():
    # Far from the origin (float32 alone would lose most digits) and with
    # pairs of candidates whose distances differ by ~1e-9 relative.
    rng = np.random.RandomState(1)
    base = rng.normal(size=(60, 3))
    Z = 1e4 + np.vstack([base, base + 1e-9]) * np.array([1.0, 1.0, 1.0])
    centres = 1e4 + rng.normal(size=(5, 3))
    salt = _salt(5)
    np.testing.assert_array_equal(
        greedy_k_center(Z, 30, centres=centres, random_state=5),
        brute_force_k_center(Z, centres, 30, salt),
    )


@pytest.mark.parametrize("scale", [1e-30, 1.0, 1e30])
def test_coreset_extreme_scales_and_outliers(scale, recwarn):
    # float32 would underflow or overflow without rescaling; outliers of the
    # pool overflow at the labelled set's scale. No spurious warning either.
    rng = np.random.RandomState(2)
    Z, centres = rng.normal(size=(300, 4)) * scale, rng.normal(size=(20, 4)) * scale
    Z[7] *= 1e25
    salt = _salt(3)
    picks = greedy_k_center(Z, 20, centres=centres, random_state=3)
    np.testing.assert_array_equal(picks, brute_force_k_center(Z, centres, 20, salt))
    assert picks[0] == 7
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("seed", range(5))
def test_coreset_covering_radius_at_most_twice_optimal(seed):
    rng = np.random.RandomState(seed)
    Z, centres, k = rng.uniform(size=(10, 2)), rng.uniform(size=(1, 2)), 3
    picks = greedy_k_center(Z, k, centres=centres, random_state=seed)
    greedy = covering_radius(Z, np.vstack([centres, Z[picks]]))
    optimal = min(
        covering_radius(Z, np.vstack([centres, Z[list(subset)]]))
        for subset in itertools.combinations(range(len(Z)), k)
    )
    assert optimal <= greedy <= 2 * optimal + 1e-12


def test_coreset_without_centres_starts_at_random():
    Z = np.arange(10.0)[:, None]
    first = {int(greedy_k_center(Z, 2, random_state=s)[0]) for s in range(10)}
    assert len(first) > 1
    salt = _salt(4)
    picks = greedy_k_center(Z, 3, random_state=4)
    start = np.argmin(tie_keys(np.arange(10), salt))
    assert picks[0] == start
    np.testing.assert_array_equal(
        picks[1:], brute_force_k_center(Z, Z[[start]], 2, salt)
    )
    assert picks[1] in (0, 9)  # then the farthest end


def test_coreset_memory_stays_linear():
    rng = np.random.RandomState(0)
    Z, centres = rng.normal(size=(20_000, 8)), rng.normal(size=(500, 8))
    tracemalloc.start()
    try:
        greedy_k_center(Z, 50, centres=centres, random_state=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # A pool x labelled distance matrix alone would take 80 MB.
    assert peak < 8e6


def test_coreset_embedding_uses_the_fitted_pipeline():
    X, y, X_pool = labelled_and_pool(2, n_features=6)
    X_pool = X_pool * 50.0  # raw distances and scaled distances disagree
    model = make_pipeline(StandardScaler(), PCA(3), LogisticRegression())
    strategy = CoreSet(model, embedding="transform", random_state=0).fit(X, y)
    transform = strategy.estimator_[:-1]
    np.testing.assert_allclose(strategy.labelled_embedding_, transform.transform(X))
    salt = draw_salt(np.random.RandomState(0))
    np.testing.assert_array_equal(
        strategy.query(X_pool, batch_size=10),
        brute_force_k_center(
            transform.transform(X_pool), transform.transform(X), 10, salt
        ),
    )
    auto = CoreSet(model, random_state=0).fit(X, y).query(X_pool, batch_size=10)
    np.testing.assert_array_equal(auto, strategy.query(X_pool, batch_size=10))


# ------------------------------------------------------- cluster / hybrid
def margin_top(model, X, y, X_pool, n):
    strategy = MarginSampling(model, random_state=0).fit(X, y)
    return set(np.argsort(-strategy.utility(X_pool), kind="stable")[:n])


@pytest.mark.parametrize(
    "strategy",
    [
        DiverseMiniBatch(LogisticRegression(), beta=4),
        HybridSampling(LogisticRegression(), selector="kmeans", beta=4),
        HybridSampling(LogisticRegression(), selector="coreset", beta=4),
    ],
    ids=["DiverseMiniBatch", "kmeans", "coreset"],
)
def test_cluster_picks_are_distinct_and_prefiltered(strategy):
    X, y, X_pool = labelled_and_pool(3)
    k = 8
    picks = strategy.set_params(random_state=0).fit(X, y).query(X_pool, batch_size=k)
    assert len(set(picks)) == k
    utilities = MarginSampling(LogisticRegression()).fit(X, y).utility(X_pool)
    threshold = np.sort(utilities)[-4 * k]  # the 32nd largest utility
    assert (utilities[picks] >= threshold).all()


def test_cluster_picks_avoid_near_duplicates():
    # Five distinct points near the boundary, each copied 8 times (plus a
    # tiny jitter): top-k queries copies of the same few points.
    rng = np.random.RandomState(0)
    X, y = make_blobs(n_samples=80, centers=[[-3, 0], [3, 0]], random_state=0)
    seeds = np.c_[np.zeros(5), np.linspace(-4, 4, 5)]
    copies = np.repeat(seeds, 8, axis=0) + 1e-6 * rng.normal(size=(40, 2))
    far = rng.normal(size=(200, 2)) * 0.5 + np.array([[6.0, 0.0]])
    X_pool = np.vstack([copies, far])
    model = LogisticRegression()
    k = 5

    def n_locations(picks):
        return len({tuple(np.round(X_pool[i], 3)) for i in picks})

    top = MarginSampling(model, random_state=0).fit(X, y).query(X_pool, batch_size=k)
    for strategy in [
        DiverseMiniBatch(model, beta=8, random_state=0),
        HybridSampling(model, selector="kmeans", beta=8, random_state=0),
        HybridSampling(model, selector="coreset", beta=8, random_state=0),
    ]:
        picks = strategy.fit(X, y).query(X_pool, batch_size=k)
        assert set(picks) <= set(range(40))  # from the pre-filtered copies
        assert n_locations(picks) == 5 > n_locations(top)
        assert set(picks) != set(top)


def test_exact_duplicates_still_give_distinct_picks():
    X, y = make_blobs(n_samples=60, centers=[[-3, 0], [3, 0]], random_state=0)
    X_pool = np.repeat(np.c_[np.zeros(3), np.arange(3.0)], 10, axis=0)
    picks = DiverseMiniBatch(random_state=0).fit(X, y).query(X_pool, batch_size=6)
    assert len(set(picks)) == 6


def test_beta_one_is_plain_top_k():
    X, y, X_pool = labelled_and_pool(4)
    expected = MarginSampling(random_state=5).fit(X, y).query(X_pool, batch_size=6)
    for strategy in [DiverseMiniBatch(beta=1), HybridSampling(beta=1)]:
        picks = strategy.set_params(random_state=5).fit(X, y).query(X_pool, 6)
        np.testing.assert_array_equal(picks, expected)


def test_hybrid_uncertainty_strategy_and_callable_selector():
    X, y, X_pool = labelled_and_pool(5)
    by_name = HybridSampling(uncertainty="entropy", random_state=0).fit(X, y)
    by_strategy = HybridSampling(uncertainty=EntropySampling(), random_state=0).fit(
        X, y
    )
    np.testing.assert_array_equal(
        by_name.query(X_pool, 5), by_strategy.query(X_pool, 5)
    )
    assert isinstance(by_strategy.uncertainty_strategy_, EntropySampling)

    def first_k(Z, utilities, k, rng):
        assert Z.shape == (30, X.shape[1]) and utilities.shape == (30,)
        assert (np.diff(utilities) <= 0).all()  # candidates best first
        return np.arange(k)[::-1]

    top = MarginSampling(random_state=0).fit(X, y).query(X_pool, 30)
    picks = HybridSampling(selector=first_k, beta=6, random_state=0).fit(X, y)
    np.testing.assert_array_equal(picks.query(X_pool, 5), top[:5][::-1])

    bad = HybridSampling(selector=lambda Z, u, k, rng: np.zeros(k, dtype=int))
    with pytest.raises(ValueError, match="selector must return"):
        bad.fit(X, y).query(X_pool, 3)

    density = HybridSampling(uncertainty=InformationDensity(), random_state=0).fit(X, y)
    assert len(set(density.query(X_pool, 4))) == 4


# ------------------------------------------------------ information density
TABLE = np.array([[0.5, 0.5], [0.9, 0.1], [0.7, 0.3], [1.0, 0.0]])


def _entropy(p):
    return -sum(q * math.log(q) for q in p if q > 0)


def test_information_density_hand_computed():
    # Features (a, b, row of TABLE); the embedding is (a, b).
    X_lab = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    y_lab = np.array([0, 1])
    X_pool = np.array(
        [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 2.0], [3.0, 0.0, 3.0]]
    )
    embed = lambda X: np.asarray(X)[:, :2]  # noqa: E731
    H = [_entropy(p) for p in TABLE]
    s2 = 1 / math.sqrt(2)
    # Mean cosine similarity to the 4 pool points (itself included).
    cosine = [
        (1 + 0 + s2 + 1) / 4,
        (0 + 1 + s2 + 0) / 4,
        (s2 + s2 + 1 + s2) / 4,
        (1 + 0 + s2 + 1) / 4,
    ]
    strategy = InformationDensity(
        TableClassifier(TABLE), embedding=embed, beta=2.0
    ).fit(X_lab, y_lab)
    np.testing.assert_allclose(
        strategy.utility(X_pool), [h * c**2 for h, c in zip(H, cosine)]
    )
    # Euclidean similarity 1 / (1 + distance).
    P = X_pool[:, :2]
    dist = np.sqrt(((P[:, None] - P[None]) ** 2).sum(-1))
    euclid = (1 / (1 + dist)).mean(axis=1)
    strategy.set_params(metric="euclidean", beta=1.0).fit(X_lab, y_lab)
    np.testing.assert_allclose(strategy.utility(X_pool), H * euclid)
    # Sample 0 and 3 have the same density but sample 0 is more uncertain.
    assert strategy.query(X_pool, batch_size=1)[0] == 0


def test_information_density_reference_sample_and_chunking():
    X, y, X_pool = labelled_and_pool(6, n_pool=400)
    strategy = InformationDensity(
        metric="euclidean", n_reference=50, random_state=0
    ).fit(X, y)
    utilities = strategy.utility(X_pool)
    rows = np.sort(sample_indices(400, 50, np.random.RandomState(0)))
    R = X_pool[rows]
    dist = np.sqrt(((X_pool[:, None] - R[None]) ** 2).sum(-1))
    phi = EntropySampling().fit(X, y).utility(X_pool)
    np.testing.assert_allclose(utilities, phi * (1 / (1 + dist)).mean(axis=1))
    for chunk_size, n_jobs in [(1, 1), (37, 2)]:
        strategy.set_params(chunk_size=chunk_size, n_jobs=n_jobs)
        np.testing.assert_allclose(strategy.utility(X_pool), utilities, rtol=1e-12)
    # The whole pool as reference (n_reference=None), cosine: x . mean(r_hat).
    whole = InformationDensity(n_reference=None, beta=0.5).fit(X, y)
    unit = X_pool / np.linalg.norm(X_pool, axis=1, keepdims=True)
    density = np.maximum(unit @ unit.mean(axis=0), 0.0)
    np.testing.assert_allclose(whole.utility(X_pool), phi * density**0.5)
    # return_utilities agrees with utility().
    idx, u = whole.query(X_pool, batch_size=3, return_utilities=True)
    np.testing.assert_allclose(u, whole.utility(X_pool))
    np.testing.assert_array_equal(idx, np.argsort(-u)[:3])


# -------------------------------------------------------------- cold start
def _coverage(y, idx):
    return len(set(y[idx].tolist()))


def test_cold_start_covers_clusters_better_than_random():
    centres = [[0, 0], [0, 6], [0, 12], [6, 0], [6, 6], [6, 12], [12, 0], [12, 6]]
    X, y = make_blobs(
        n_samples=[120, 80, 60, 40, 30, 25, 20, 15],
        centers=centres,
        cluster_std=1.0,
        random_state=1,
    )
    k = 8
    random_coverage = np.mean(
        [
            _coverage(y, cold_start(X, k, method="random", random_state=s))
            for s in range(20)
        ]
    )
    for method in ["typiclust", "kmeans"]:
        idx = cold_start(X, k, method=method, random_state=0)
        assert len(set(idx)) == k
        assert _coverage(y, idx) >= random_coverage
        assert _coverage(y, idx) == 8
        np.testing.assert_array_equal(
            idx, cold_start(X, k, method=method, random_state=0)
        )
    # Typical points sit near their blob's centre.
    idx = cold_start(X, k, random_state=0)
    for i in idx:
        members = X[y == y[i]]
        spread = np.linalg.norm(members - members.mean(axis=0), axis=1)
        assert np.linalg.norm(X[i] - members.mean(axis=0)) <= np.median(spread)


def test_cold_start_embedding_and_large_batch():
    X, _ = make_blobs(n_samples=50, centers=3, random_state=0)
    idx = cold_start(X, 3, embedding=lambda A: A[:, :1], random_state=0)
    assert len(set(idx)) == 3
    with pytest.warns(BatchSizeWarning):
        assert sorted(cold_start(X, 60, random_state=0)) == list(range(50))


def test_typiclust_queries_uncovered_clusters():
    X, y = make_blobs(n_samples=400, centers=6, cluster_std=0.4, random_state=3)
    labelled = np.r_[np.flatnonzero(y == 0)[:3], np.flatnonzero(y == 1)[:3]]
    pool = np.setdiff1d(np.arange(400), labelled)
    # As many clusters as blobs: the labelled ones cover blobs 0 and 1.
    strategy = TypiClust(max_clusters=6, random_state=0).fit(X[labelled], y[labelled])
    picks = strategy.query(X[pool], batch_size=4)
    assert set(y[pool][picks]) == {2, 3, 4, 5}
    np.testing.assert_array_equal(picks, strategy.query(X[pool], batch_size=4))


# ------------------------------------------------------------- embeddings
def _float32(X):
    return np.asarray(X, dtype=np.float32)


@pytest.mark.parametrize(
    "strategy",
    [
        CoreSet(),
        CoreSet(metric="cosine"),
        DiverseMiniBatch(),
        HybridSampling(),
        InformationDensity(),
        InformationDensity(metric="euclidean"),
        TypiClust(),
    ],
    ids=lambda s: type(s).__name__,
)
def test_float32_embeddings(strategy):
    # A network's penultimate layer is float32.
    X, y, X_pool = labelled_and_pool(8)
    strategy.set_params(embedding=_float32, random_state=0).fit(X, y)
    picks = strategy.query(X_pool, batch_size=6)
    assert len(set(picks)) == 6
    assert strategy.labelled_embedding_.shape == X.shape


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    "strategy, match",
    [
        (CoreSet(metric="manhattan"), "metric"),
        (CoreSet(embedding="pixels"), "embedding"),
        (HybridSampling(selector="greedy"), "selector"),
        (HybridSampling(beta=0.5), "beta"),
        (HybridSampling(uncertainty="confusion"), "uncertainty"),
        (HybridSampling(uncertainty=CoreSet()), "uncertainty"),
        (HybridSampling(uncertainty=RandomSampling()), "uncertainty"),
        (DiverseMiniBatch(beta="ten"), "beta"),
        (InformationDensity(beta=-1.0), "beta"),
        (InformationDensity(n_reference=0), "n_reference"),
        (InformationDensity(uncertainty=InformationDensity()), "uncertainty"),
        (TypiClust(n_neighbors=0), "n_neighbors"),
        (TypiClust(max_clusters=1.5), "max_clusters"),
    ],
)
def test_errors_name_the_parameter(strategy, match):
    X, y, _ = labelled_and_pool(0, n_pool=10)
    with pytest.raises((ValueError, TypeError), match=match):
        strategy.fit(X, y)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"method": "greedy"}, "method"),
        ({"batch_size": 0}, "batch_size"),
        ({"embedding": "transform"}, "embedding"),
        ({"n_neighbors": 0}, "n_neighbors"),
    ],
)
def test_cold_start_errors_name_the_parameter(kwargs, match):
    X, _ = make_blobs(n_samples=30, random_state=0)
    kwargs = {"batch_size": 3, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        cold_start(X, **kwargs)


def test_samples_measure_needs_predict_proba_samples():
    X, y, _ = labelled_and_pool(0, n_pool=10)
    with pytest.raises(TypeError, match="predict_proba_samples"):
        HybridSampling(LogisticRegression(), uncertainty="mutual_information").fit(X, y)


def test_distance_selections_warn_when_the_embedding_ties_the_candidates():
    # Issue 12, item 4: orthogonal unit rows (texts sharing no word, in a
    # TF-IDF space) are all at the same distance from the labelled samples:
    # farthest-first would silently pick at random among them.
    import warnings

    from skactive import RankedBatch, greedy_k_center
    from skactive.exceptions import DegenerateEmbeddingWarning

    Z = np.eye(60)
    with pytest.warns(DegenerateEmbeddingWarning, match="60 of 60 candidates"):
        greedy_k_center(Z, 3, centres=np.zeros((1, 60)), random_state=0)
    y = np.arange(60) % 2
    labelled = np.arange(6)
    # (the model of these rows predicts one class, and core-set would query
    # by margin instead: fallback=None keeps it to its distances here)
    for strategy in (
        CoreSet(LogisticRegression(), fallback=None, batch_size=3, random_state=0),
        RankedBatch(LogisticRegression(), batch_size=3, random_state=0),
    ):
        strategy.fit(Z[labelled], y[labelled])
        with pytest.warns(DegenerateEmbeddingWarning, match="54 of 54 candidates"):
            strategy.query(Z, candidates=np.arange(6, 60))
    # Data with a geometry: one farthest point, no warning.
    rng = np.random.RandomState(0)
    G = rng.randn(2000, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DegenerateEmbeddingWarning)
        greedy_k_center(G, 10, centres=G[:20], random_state=0)
        RankedBatch(LogisticRegression(), batch_size=10).fit(
            G[:20], (G[:20, 0] > 0).astype(int)
        ).query(G)
