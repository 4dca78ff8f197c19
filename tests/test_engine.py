"""The pool-scoring engine: validation, selection, subsampling, chunking."""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import RegressorMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import BayesianRidge, LogisticRegression
from sklearn.svm import SVC

from skactive import BatchSizeWarning, MarginSampling, QueryTags, UncertaintySampling
from skactive.base import BaseQueryStrategy
from skactive.utils import TopK, check_pool_subsample, tie_keys, top_k


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=300, n_features=5, random_state=0)
    return X[:40], y[:40], X[40:]


def test_tie_keys_are_a_bijection_of_the_index():
    idx = np.arange(100_000)
    keys = tie_keys(idx, np.uint64(12345))
    assert np.unique(keys).size == idx.size
    assert not np.array_equal(keys, tie_keys(idx, np.uint64(54321)))


def test_top_k_equals_lexicographic_brute_force():
    rng = np.random.RandomState(0)
    u = rng.randint(0, 5, size=1000).astype(float)  # many ties
    idx = rng.permutation(5000)[:1000]
    salt = np.uint64(7)
    keys = tie_keys(idx, salt)
    brute = np.lexsort((keys, -u))[:37]
    got_u, got_i = top_k(u, idx, 37, salt)
    np.testing.assert_array_equal(got_i, idx[brute])
    np.testing.assert_array_equal(got_u, u[brute])
    # streaming in any chunking gives the same answer
    for size in (1, 10, 333, 1000):
        stream = TopK(37, salt)
        for start in range(0, 1000, size):
            stream.push(u[start : start + size], idx[start : start + size])
        np.testing.assert_array_equal(stream.indices, idx[brute])


def test_check_pool_subsample():
    assert check_pool_subsample(None, 100, 5) is None
    assert check_pool_subsample(10, 100, 5) == 10
    assert check_pool_subsample(10, 100, 20) == 20  # at least a batch
    assert check_pool_subsample(0.25, 100, 5) == 25
    assert check_pool_subsample(1.0, 100, 5) is None
    assert check_pool_subsample(500, 100, 5) is None
    with pytest.raises(ValueError, match="pool_subsample must be >= 1"):
        check_pool_subsample(0, 100, 5)
    with pytest.raises(ValueError, match=r"pool_subsample must be in \(0, 1\]"):
        check_pool_subsample(1.5, 100, 5)
    with pytest.raises(TypeError, match="pool_subsample must be"):
        check_pool_subsample("half", 100, 5)


def test_subsample_is_reproducible_and_scores_only_the_subsample(data):
    X, y, pool = data
    s = MarginSampling(batch_size=3, pool_subsample=0.1, random_state=0).fit(X, y)
    idx, u = s.query(pool, return_utilities=True)
    scored = np.flatnonzero(~np.isnan(u))
    assert scored.size == 26  # ceil(0.1 * 260)
    assert set(idx) <= set(scored)
    # the best of the subsample, by the full-pool utility
    full = s.utility(pool)
    np.testing.assert_array_equal(idx, scored[np.argsort(-full[scored])[:3]])
    np.testing.assert_array_equal(idx, s.query(pool))


def test_errors_name_the_problem(data):
    X, y, pool = data
    with pytest.raises(NotFittedError):
        MarginSampling().query(pool)
    with pytest.raises(TypeError, match="estimator must implement predict_proba"):
        MarginSampling(SVC()).fit(X, y)
    with pytest.raises(ValueError, match="only one class"):
        MarginSampling().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="method must be one of"):
        UncertaintySampling(method="confidence").fit(X, y)

    s = MarginSampling().fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features, but MarginSampling"):
        s.query(pool[:, :4])
    bad = pool.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="X_pool contains NaN"):
        s.query(bad)
    bad[3, 2] = np.inf
    with pytest.raises(ValueError, match="X_pool contains infinity"):
        s.query(bad)
    with pytest.raises(ValueError, match="X_pool is empty"):
        s.query(pool[:0])
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        s.query(pool, batch_size=0)
    with pytest.raises(TypeError, match="batch_size must be a positive int"):
        s.query(pool, batch_size=2.5)
    with pytest.raises(ValueError, match="chunk_size must be >= 1"):
        s.set_params(chunk_size=0).query(pool)


def test_batch_larger_than_pool_warns_and_returns_the_pool(data):
    X, y, pool = data
    s = MarginSampling(batch_size=50).fit(X, y)
    with pytest.warns(BatchSizeWarning, match="larger than the pool"):
        idx = s.query(pool[:12])
    np.testing.assert_array_equal(np.sort(idx), np.arange(12))
    np.testing.assert_array_equal(idx, np.argsort(-s.utility(pool[:12]), kind="stable"))


def test_nan_in_pool_allowed_when_the_estimator_handles_it(data):
    X, y, pool = data
    pool = pool.copy()
    pool[::5, 0] = np.nan
    s = MarginSampling(HistGradientBoostingClassifier(max_iter=5), batch_size=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert s.fit(X, y).query(pool).shape == (4,)


def test_sparse_pool_gives_the_same_picks(data):
    X, y, pool = data
    s = MarginSampling(LogisticRegression(), batch_size=6, chunk_size=17)
    s.fit(sparse.csr_matrix(X), y)
    dense = MarginSampling(LogisticRegression(), batch_size=6).fit(X, y)
    np.testing.assert_array_equal(s.query(sparse.csr_matrix(pool)), dense.query(pool))


def test_warm_start_refits_the_same_estimator(data):
    X, y, _ = data
    s = MarginSampling(LogisticRegression(warm_start=True), warm_start=True).fit(X, y)
    first = s.estimator_
    s.fit(X[:30], y[:30])
    assert s.estimator_ is first
    s.set_params(warm_start=False).fit(X, y)
    assert s.estimator_ is not first


def test_memmap_pool(tmp_path, data):
    X, y, pool = data
    path = tmp_path / "pool.npy"
    np.save(path, pool)
    mm = np.load(path, mmap_mode="r")
    s = MarginSampling(batch_size=5, chunk_size=50).fit(X, y)
    np.testing.assert_array_equal(s.query(mm), s.query(pool))


class ImageLogistic(LogisticRegression):
    """A logistic regression on flattened images that records its batch sizes."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    def fit(self, X, y):
        return super().fit(np.reshape(X, (len(X), -1)), y)

    def predict_proba(self, X):
        self.batch_sizes_ = [*getattr(self, "batch_sizes_", []), len(X)]
        return super().predict_proba(np.reshape(X, (len(X), -1)))


def test_default_chunks_of_images_hold_about_16_mib():
    rng = np.random.RandomState(0)
    images = rng.normal(size=(3000, 1, 64, 64)).astype(np.float32)  # 16 KiB each
    y = rng.randint(2, size=3000)
    strategy = MarginSampling(ImageLogistic(max_iter=50), random_state=0)
    strategy.fit(images[:100], y[:100])
    picks = strategy.query(images, 5)
    assert strategy.estimator_.batch_sizes_ == [1024, 1024, 952]
    flat = MarginSampling(LogisticRegression(max_iter=50), random_state=0)
    flat.fit(images[:100].reshape(100, -1), y[:100])
    np.testing.assert_array_equal(flat.query(images.reshape(3000, -1), 5), picks)


# ------------------------------------------------------------- candidates
def test_candidates_equal_querying_the_copied_rows(data):
    X, y, pool = data
    rows = np.sort(np.random.RandomState(1).choice(len(pool), 90, replace=False))
    s = MarginSampling(batch_size=7, random_state=0).fit(X, y)
    expected = rows[s.query(pool[rows])]  # continuous utilities: no ties
    np.testing.assert_array_equal(s.query(pool, candidates=rows), expected)
    mask = np.zeros(len(pool), dtype=bool)
    mask[rows] = True
    np.testing.assert_array_equal(s.query(pool, candidates=mask), expected)
    # any order of the same rows
    shuffled = np.random.RandomState(2).permutation(rows)
    np.testing.assert_array_equal(s.query(pool, candidates=shuffled), expected)
    idx, u = s.query(pool, candidates=rows, return_utilities=True)
    np.testing.assert_array_equal(idx, expected)
    assert np.isnan(np.delete(u, rows)).all()
    np.testing.assert_allclose(u[rows], s.utility(pool[rows]))
    np.testing.assert_array_equal(u, s.utility(pool, candidates=rows))


def test_candidates_with_pool_subsample_draw_from_the_candidates(data):
    X, y, pool = data
    rows = np.arange(0, 260, 2)
    s = MarginSampling(batch_size=3, pool_subsample=20, random_state=0).fit(X, y)
    idx, u = s.query(pool, candidates=rows, return_utilities=True)
    scored = np.flatnonzero(~np.isnan(u))
    assert scored.size == 20 and set(scored) <= set(rows)
    assert set(idx) <= set(scored)


@pytest.mark.parametrize(
    "candidates, message",
    [
        (np.array([0, 5, 260]), r"row indices in \[0, 260\)"),
        (np.array([-1, 3]), r"row indices in \[0, 260\)"),
        (np.array([3, 3]), "twice"),
        (np.array([1.0, 2.0]), "integer row indices"),
        (np.zeros((2, 2), dtype=int), "1-d array"),
        (np.zeros(5, dtype=bool), r"boolean mask must have shape \(260,\)"),
        (np.array([], dtype=int), "candidates is empty"),
    ],
)
def test_bad_candidates_are_rejected(data, candidates, message):
    X, y, pool = data
    s = MarginSampling().fit(X, y)
    with pytest.raises(ValueError, match=message):
        s.query(pool, candidates=candidates)


def test_candidates_do_not_copy_the_pool():
    import tracemalloc

    rng = np.random.RandomState(0)
    pool = rng.normal(size=(100_000, 20))  # 16 MB
    y = rng.randint(2, size=200)
    s = MarginSampling(batch_size=10, chunk_size=2000, random_state=0)
    s.fit(pool[:200], y)
    candidates = np.arange(0, 100_000, 2)
    tracemalloc.start()
    try:
        s.query(pool, candidates=candidates)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2e6  # the candidate rows alone would take 8 MB


def test_pool_map_stacks_chunks_in_order_for_any_chunking():
    from skactive.utils import Pool

    X = np.arange(40.0).reshape(20, 2)
    rows = np.array([1, 4, 5, 9, 12, 19])
    for chunk_size, n_jobs in [(1, 1), (4, 2), (100, None)]:
        pool = Pool(X, rows, chunk_size=chunk_size, n_jobs=n_jobs)
        total, first = pool.map(lambda Z: (Z.sum(axis=1), Z[:, 0].astype(int)))
        np.testing.assert_array_equal(total, X[rows].sum(axis=1))
        np.testing.assert_array_equal(first, X[rows, 0])
        np.testing.assert_array_equal(pool.take([2, 0]), X[[5, 1]])
        np.testing.assert_array_equal(pool.local_positions([9, 1]), [3, 0])


# ------------------------------------------------- a task-neutral engine
class MaxStdSampling(RegressorMixin, BaseQueryStrategy):
    """A regression strategy on the task-neutral base: largest predictive std."""

    def _default_estimator(self):
        return BayesianRidge()

    def _query_tags(self):
        return QueryTags(requires_proba=False)

    def _utility(self, X, context=None):
        return self.estimator_.predict(X, return_std=True)[1]


def test_a_regression_strategy_reuses_the_engine():
    rng = np.random.RandomState(0)
    X = rng.uniform(-3, 3, size=(400, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=400)
    s = MaxStdSampling(batch_size=5, random_state=0).fit(X[:20], y[:20])
    std = BayesianRidge().fit(X[:20], y[:20]).predict(X[20:], return_std=True)[1]
    np.testing.assert_array_equal(s.query(X[20:]), np.argsort(-std)[:5])
    for chunk_size, n_jobs in [(7, 2), (1000, None)]:
        s.set_params(chunk_size=chunk_size, n_jobs=n_jobs)
        np.testing.assert_array_equal(s.query(X[20:]), np.argsort(-std)[:5])
    assert s.score(X, y) > 0.9  # RegressorMixin: R^2
    assert not hasattr(s, "classes_")


def test_candidates_skip_rows_the_estimator_rejects(data):
    # The candidates are read through a view of the rows spanning them; a NaN
    # in a row that is not a candidate must not reach the verdict.
    X, y, pool = data
    pool = pool.copy()
    pool[10, 0] = np.nan
    rows = np.delete(np.arange(len(pool)), 10)
    s = MarginSampling(batch_size=5, random_state=0).fit(X, y)
    expected = rows[s.query(pool[rows])]
    np.testing.assert_array_equal(s.query(pool, candidates=rows), expected)
    with pytest.raises(ValueError, match="X_pool contains NaN"):
        s.query(pool, 2, candidates=[3, 10, 11])


def test_an_all_false_mask_says_there_is_nothing_to_query(data):
    X, y, pool = data
    s = MarginSampling().fit(X, y)
    with pytest.raises(ValueError, match="candidates is empty"):
        s.query(pool, candidates=np.zeros(len(pool), dtype=bool))
