"""Scoring on a real Dask cluster (worker processes on loopback)."""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_classification

from skactive import MarginSampling, RandomSampling

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=3000, n_features=8, random_state=0)
    return X[:200], y[:200], X[200:]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        worker_dashboard_address=None,
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_dask_array_pool_matches_numpy_without_a_cluster(data):
    X, y, pool = data
    strategy = MarginSampling(batch_size=11, random_state=0).fit(X, y)
    blocks = da.from_array(pool, chunks=(333, 3))  # blocks need not align
    np.testing.assert_array_equal(strategy.query(blocks), strategy.query(pool))
    _, u = strategy.query(blocks, return_utilities=True)
    np.testing.assert_allclose(u, strategy.utility(pool))
    with pytest.raises(ValueError, match="X has 7 features"):
        strategy.query(blocks[:, :7])


def test_cluster_gives_the_single_process_result(data, client):
    X, y, pool = data
    strategy = MarginSampling(batch_size=13, random_state=1, chunk_size=250).fit(X, y)
    expected = strategy.query(pool)
    # a Dask array is scored block by block on the workers
    blocks = da.from_array(pool, chunks=(400, 8))
    np.testing.assert_array_equal(strategy.query(blocks), expected)
    # joblib's dask backend sends the engine's chunks to the workers
    with parallel_config(backend="dask"):
        np.testing.assert_array_equal(strategy.query(pool), expected)
    # subsampled pools and batch-aware strategies too
    strategy.set_params(pool_subsample=500)
    np.testing.assert_array_equal(strategy.query(blocks), strategy.query(pool))
    rnd = RandomSampling(batch_size=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(rnd.query(blocks), rnd.query(pool))
    assert len(client.scheduler_info()["workers"]) == 2
