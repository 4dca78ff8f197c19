"""NearestNeighborsIndex against brute-force references, and its backends."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import pairwise_distances

from skactive.neighbors import NearestNeighborsIndex, _backends, available_backends

APPROXIMATE = ["faiss", "hnswlib", "pynndescent"]
# pynndescent compiles its numba code at first use (about 40 s here)
APPROXIMATE_PARAMS = [
    "faiss",
    "hnswlib",
    pytest.param("pynndescent", marks=pytest.mark.slow),
]


def _clustered(n, d=16, seed=0):
    """Rows near a few low-dimensional clusters: where approximate search works."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(8, d))
    basis = rng.normal(size=(8, 3, d))
    label = rng.integers(8, size=n)
    latent = rng.normal(size=(n, 3))
    return (
        centres[label]
        + np.einsum("nl,nld->nd", latent, basis[label])
        + 0.05 * rng.normal(size=(n, d))
    )


def _brute_knn(Q, Z, k, metric="euclidean", exclude_self=False):
    D = pairwise_distances(Q, Z, metric=metric)
    if exclude_self:
        np.fill_diagonal(D, np.inf)
    order = np.argsort(D, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(D, order, axis=1), order


def _skip_unless_installed(backend):
    if backend not in available_backends():
        pytest.skip(f"{backend} is not installed")


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_exact_kneighbors_matches_brute_force(metric, dtype):
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(300, 6)).astype(dtype)
    Q = rng.normal(size=(40, 6)).astype(dtype)
    index = NearestNeighborsIndex(n_neighbors=7, metric=metric, backend="exact")
    dist, ind = index.fit(Z).kneighbors(Q)
    ref_dist, ref_ind = _brute_knn(Q, Z, 7, metric)
    tol = 1e-5 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(dist, ref_dist, atol=tol)
    np.testing.assert_array_equal(ind, ref_ind)  # continuous data: no ties
    assert index.backend_ == "exact" and index.recall_ == 1.0


def test_exact_kneighbors_without_queries_excludes_each_row():
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(200, 5))
    dist, ind = (
        NearestNeighborsIndex(n_neighbors=4, backend="exact").fit(Z).kneighbors()
    )
    ref_dist, ref_ind = _brute_knn(Z, Z, 4, exclude_self=True)
    np.testing.assert_allclose(dist, ref_dist, atol=1e-9)
    np.testing.assert_array_equal(ind, ref_ind)
    assert not (ind == np.arange(200)[:, None]).any()


def test_exact_kneighbors_of_duplicates_keeps_the_twin():
    Z = np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 0.0], [7.0, 0.0]])
    dist, ind = NearestNeighborsIndex(n_neighbors=1).fit(Z).kneighbors()
    np.testing.assert_array_equal(ind[:, 0], [1, 0, 0, 2])
    np.testing.assert_allclose(dist[:, 0], [0.0, 0.0, 3.0, 4.0])


def test_exact_kneighbors_of_sparse_rows():
    Z = sp.random(150, 40, density=0.1, format="csr", random_state=0)
    Q = sp.random(20, 40, density=0.1, format="csr", random_state=1)
    for metric in ("euclidean", "cosine"):
        index = NearestNeighborsIndex(n_neighbors=5, metric=metric).fit(Z)
        assert index.backend_ == "exact"
        dist, _ = index.kneighbors(Q)
        ref_dist, _ = _brute_knn(Q.toarray(), Z.toarray(), 5, metric)
        np.testing.assert_allclose(dist, ref_dist, atol=1e-9)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_exact_radius_neighbors_matches_brute_force(metric):
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(250, 4))
    Q = rng.normal(size=(30, 4))
    r = 1.2 if metric == "euclidean" else 0.1
    index = NearestNeighborsIndex(radius=r, metric=metric, chunk_size=7).fit(Z)
    graph = index.radius_neighbors(Q)
    D = pairwise_distances(Q, Z, metric=metric)
    assert sp.issparse(graph) and graph.shape == (30, 250)
    np.testing.assert_array_equal(graph.toarray() > 0, r >= D)
    rows, cols = graph.nonzero()
    np.testing.assert_allclose(graph.toarray()[rows, cols], D[rows, cols], atol=1e-9)
    ones = index.radius_neighbors(Q, mode="connectivity")
    np.testing.assert_array_equal(ones.toarray(), (r >= D).astype(float))


def test_radius_neighbors_without_queries_excludes_only_the_row_itself():
    Z = np.array([[0.0], [0.0], [0.5], [4.0]])
    graph = NearestNeighborsIndex(radius=1.0).fit(Z).radius_neighbors()
    expected = np.array(
        [[0, 1, 1, 0], [1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 0]], dtype=bool
    )
    # the twins are at distance 0: explicit zeros of the matrix
    structure = np.zeros((4, 4), dtype=bool)
    coo = graph.tocoo()
    structure[coo.row, coo.col] = True
    np.testing.assert_array_equal(structure, expected)


def test_cosine_zero_rows_are_at_distance_one():
    Z = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    dist, _ = (
        NearestNeighborsIndex(n_neighbors=2, metric="cosine")
        .fit(Z)
        .kneighbors([[0.0, 0.0]])
    )
    np.testing.assert_allclose(dist, [[0.0, 1.0]])


def test_auto_is_exact_for_small_and_sparse_data():
    Z = _clustered(500)
    assert NearestNeighborsIndex().fit(Z).backend_ == "exact"
    assert NearestNeighborsIndex().fit(sp.csr_matrix(Z)).backend_ == "exact"


def test_auto_takes_an_installed_approximate_backend_for_large_data(monkeypatch):
    installed = [b for b in APPROXIMATE if b in available_backends()]
    if not installed:
        pytest.skip("no approximate backend is installed")
    monkeypatch.setattr("skactive.neighbors._index.AUTO_EXACT_BELOW", 1000)
    Z = _clustered(3000)
    index = NearestNeighborsIndex(n_neighbors=10, random_state=0).fit(Z)
    assert index.backend_ in (installed[0], "exact")
    assert index.recall_ >= 0.95


@pytest.mark.parametrize("backend", APPROXIMATE_PARAMS)
def test_approximate_backends_reach_their_target_recall(backend):
    _skip_unless_installed(backend)
    Z = _clustered(2000)
    index = NearestNeighborsIndex(
        n_neighbors=10, backend=backend, random_state=0, chunk_size=500
    ).fit(Z)
    assert index.backend_ == backend
    assert index.recall_ >= 0.95
    _, ind = index.kneighbors()
    _, ref = _brute_knn(Z, Z, 10, exclude_self=True)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ind, ref)])
    assert recall >= 0.9
    assert not (ind == np.arange(2000)[:, None]).any()
    # radius search: a subset of the exact balls, most of them
    graph = index.radius_neighbors(Z[:200], radius=4.0).tocoo()
    D = pairwise_distances(Z[:200], Z)
    found = np.zeros(D.shape, dtype=bool)
    found[graph.row, graph.col] = True
    assert not (found & (D > 4.0 + 1e-5)).any()
    assert found.sum() >= 0.9 * (D <= 4.0).sum() > 2000
    # the radius self-join (faiss joins its cells): without the rows themselves
    graph = index.radius_neighbors(radius=4.0).tocoo()
    D = pairwise_distances(Z)
    np.fill_diagonal(D, np.inf)
    found = np.zeros(D.shape, dtype=bool)
    found[graph.row, graph.col] = True
    assert not (found & (D > 4.0 + 1e-5)).any()
    assert found.sum() >= 0.9 * (D <= 4.0).sum()
    # pickling keeps the index and its calibration
    again = pickle.loads(pickle.dumps(index))
    np.testing.assert_array_equal(
        again.kneighbors(Z[:50])[1], index.kneighbors(Z[:50])[1]
    )


def test_given_effort_skips_the_calibration():
    _skip_unless_installed("faiss")
    Z = _clustered(2000)
    index = NearestNeighborsIndex(
        backend="faiss", backend_params={"nprobe": 3}, random_state=0
    ).fit(Z)
    assert index.effort_ == 3 and 0 < index.recall_ <= 1


def test_errors_name_the_parameter(monkeypatch):
    Z = np.zeros((5, 2))
    with pytest.raises(ValueError, match="backend must be one of"):
        NearestNeighborsIndex(backend="annoy").fit(Z)
    with pytest.raises(ValueError, match="metric must be one of"):
        NearestNeighborsIndex(metric="manhattan").fit(Z)
    with pytest.raises(ValueError, match="target_recall"):
        NearestNeighborsIndex(target_recall=0.0).fit(Z)
    with pytest.raises(TypeError, match="backend_params"):
        NearestNeighborsIndex(backend_params=[1]).fit(Z)
    index = NearestNeighborsIndex(n_neighbors=5).fit(Z)
    with pytest.raises(ValueError, match="n_neighbors=5 is larger than the 4"):
        index.kneighbors()
    with pytest.raises(ValueError, match="mode must be"):
        index.radius_neighbors(mode="weights")
    with pytest.raises(ValueError, match="radius must be"):
        index.radius_neighbors(radius=-1.0)
    monkeypatch.setattr(_backends.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="pip install faiss-cpu"):
        NearestNeighborsIndex(backend="faiss").fit(Z)


def test_sparse_rows_need_the_exact_backend():
    _skip_unless_installed("faiss")
    with pytest.raises(ValueError, match="dense rows only"):
        NearestNeighborsIndex(backend="faiss").fit(sp.eye(10, format="csr"))


def test_import_skactive_needs_no_approximate_library():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for name in ('faiss', 'hnswlib', 'pynndescent'):\n"
        "    sys.modules[name] = None\n"
        "import skactive, skactive.neighbors\n"
        "from skactive.neighbors import NearestNeighborsIndex\n"
        "import numpy as np\n"
        "print(NearestNeighborsIndex().fit(np.eye(3)).backend_)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "exact"
