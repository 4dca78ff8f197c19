"""The pool-scoring engine: validation, selection, subsampling, chunking."""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from skactive import BatchSizeWarning, MarginSampling, UncertaintySampling
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
