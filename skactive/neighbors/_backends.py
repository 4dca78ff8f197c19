"""The search backends of :class:`~skactive.neighbors.NearestNeighborsIndex`.

Every backend works in Euclidean space (the index maps cosine distances
there) and offers the same three operations on its fitted rows:

- ``build(Z)``: index the rows;
- ``search(Q, k) -> (distances, indices)``: the ``k`` nearest fitted rows of
  each query row, nearest first (float64 Euclidean distances, int64
  indices);
- ``range(Q, r) -> csr_matrix``: every fitted row within distance ``r`` of
  each query row, the distances as data.

Approximate backends also have an *effort* knob (faiss' ``nprobe``, the
HNSW graphs' ``ef``, NN-descent's ``epsilon``) that the index sets by
calibration: :attr:`efforts` lists its values from cheapest to most
thorough.

The optional libraries are imported only when a backend is built, so that
``import skactive`` never needs them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math

import numpy as np
import scipy.sparse as sp
from sklearn.neighbors import NearestNeighbors

__all__ = ["BACKEND_MODULES", "available_backends", "make_backend"]

# The approximate backends, in the order "auto" prefers them, and the module
# each needs (see docs/engine.md, "Nearest-neighbour search", for the
# measurements behind the order).
BACKEND_MODULES = {"faiss": "faiss", "hnswlib": "hnswlib", "pynndescent": "pynndescent"}
_PIP_NAMES = {"faiss": "faiss-cpu", "hnswlib": "hnswlib", "pynndescent": "pynndescent"}


def available_backends() -> list[str]:
    """The backends that can be used here: ``"exact"`` and the installed ones.

    Examples
    --------
    >>> from skactive.neighbors import available_backends
    >>> available_backends()[0]
    'exact'
    """
    return ["exact"] + [
        name
        for name, module in BACKEND_MODULES.items()
        if importlib.util.find_spec(module) is not None
    ]


def _as_float32(Z) -> np.ndarray:
    return np.ascontiguousarray(Z, dtype=np.float32)


def _csr(indptr, indices, data, n_fit: int) -> sp.csr_matrix:
    return sp.csr_matrix(
        (np.asarray(data, dtype=np.float64), indices, indptr),
        shape=(indptr.shape[0] - 1, n_fit),
    )


class _Exact:
    """Exact search through :class:`sklearn.neighbors.NearestNeighbors`.

    ``algorithm="auto"``: a k-d or ball tree for dense rows of few
    dimensions, else brute force (blocked matrix products, bounded memory);
    sparse rows are searched by brute force.
    """

    name = "exact"
    approximate = False
    efforts: tuple = (None,)

    def __init__(self, n_jobs, seed, params):
        self.n_jobs = n_jobs
        self.params = params

    def build(self, Z) -> None:
        self.n_fit = Z.shape[0]
        self.nn = NearestNeighbors(
            algorithm=self.params.get("algorithm", "auto"),
            leaf_size=self.params.get("leaf_size", 30),
            n_jobs=self.n_jobs,
        ).fit(Z)

    def set_effort(self, effort) -> None:
        pass

    def search(self, Q, k: int):
        dist, ind = self.nn.kneighbors(Q, k)
        return np.asarray(dist, dtype=np.float64), ind.astype(np.int64, copy=False)

    def range(self, Q, r: float) -> sp.csr_matrix:
        graph = self.nn.radius_neighbors_graph(Q, r, mode="distance")
        return graph.tocsr()


class _Faiss:
    """faiss' inverted-file index (``IndexIVFFlat``): k-means cells, exact
    distances to the rows of the ``nprobe`` cells nearest each query.

    ``nlist`` (default ``2 sqrt(n)``, at most ``n / 8``) cells, trained on at
    most ``16 nlist`` rows; ``nprobe`` is the effort. Range search is native;
    the radius self-join of the fitted rows is done cell by cell
    (:meth:`range_self`).
    """

    name = "faiss"
    approximate = True

    def __init__(self, n_jobs, seed, params):
        self.threads = n_jobs
        self.seed = seed
        self.params = params

    @contextlib.contextmanager
    def _threads(self):
        import faiss

        before = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(self.threads)
        try:
            yield
        finally:
            faiss.omp_set_num_threads(before)

    def build(self, Z) -> None:
        import faiss

        Z = _as_float32(Z)
        n, d = Z.shape
        self.n_fit = n
        nlist = self.params.get("nlist")
        if nlist is None:
            nlist = int(min(round(2 * math.sqrt(n)), n // 8))
        nlist = max(1, int(nlist))
        self.nlist = nlist
        steps = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256]
        steps += [384 * 2**i for i in range(int(math.log2(max(nlist, 384))))]
        self.efforts = tuple(sorted({min(nlist, e) for e in steps}))
        quantizer = faiss.IndexFlatL2(d)
        index = faiss.IndexIVFFlat(quantizer, d, nlist)
        index.cp.seed = int(self.seed)
        index.cp.niter = int(self.params.get("niter", 10))
        index.cp.min_points_per_centroid = 1  # no warning below 39 per cell
        index.cp.max_points_per_centroid = int(
            self.params.get("max_points_per_centroid", 16)
        )
        with self._threads():
            index.train(Z)
            index.add(Z)
        self._quantizer = quantizer  # the IVF index does not own it
        self.index = index
        self.set_effort(self.params.get("nprobe", self.efforts[0]))

    def set_effort(self, effort) -> None:
        # set on the index at each search: a copy of this backend with
        # another effort shares the index
        self.nprobe = int(effort)

    # ------------------------------------------------ self-join by cells
    def _cells(self):
        """Members (fitted row indices) and centroid of every cell."""
        if getattr(self, "_cell_members", None) is None:
            import faiss

            invlists = self.index.invlists
            members = []
            for cell in range(self.nlist):
                size = invlists.list_size(cell)
                members.append(
                    faiss.rev_swig_ptr(invlists.get_ids(cell), size).copy()
                    if size
                    else np.empty(0, dtype=np.int64)
                )
            self._cell_members = members
            self._centroids = self.index.quantizer.reconstruct_n(0, self.nlist)
        return self._cell_members, self._centroids

    def range_self(self, Z, r: float, rows=None):
        """Every pair of fitted rows within ``r``, joined cell by cell.

        A radius query of *every* fitted row, one faiss search per row, took
        about 90 s at 10^6 x 64 on one core: each search scans its cells'
        rows one query at a time. The same search is done here with matrix
        products: each row picks the ``nprobe`` cells of centroids nearest
        it (among the 4 ``nprobe`` cells nearest its own cell's centroid, at
        least 32), the rows are grouped by the cell they probe, and each
        cell's rows are compared with all the rows probing it by one product
        (BLAS): the pairs of a per-row search, at a fraction of its cost.

        Parameters
        ----------
        Z : ndarray of shape (n_fit, d)
            The fitted rows (float32).
        r : float
            Radius.
        rows : ndarray of int, default=None
            Only the pairs of these rows (a calibration sample).

        Returns
        -------
        row, col, dist : ndarrays
            The pairs found, each in one order or both (symmetrise them),
            and their distances; with ``rows``, the pairs with a row of
            ``rows`` at either end, found either way.
        """
        members, centroids = self._cells()
        nprobe = min(self.nprobe, self.nlist)
        shortlist = min(self.nlist, max(4 * nprobe, 32))
        _, near = self.index.quantizer.search(centroids, shortlist)
        centroid_sq = np.einsum("ij,ij->i", centroids, centroids)
        if getattr(self, "_sq_norms", None) is None:
            self._sq_norms = np.einsum("ij,ij->i", Z, Z)
        sq = self._sq_norms
        limit = np.float32(r * r * (1 + 1e-5))
        only = None
        if rows is not None:
            only = np.zeros(Z.shape[0], dtype=bool)
            only[rows] = True
        # 1. each row's probes: (row, cell) pairs
        probe_rows, probe_cells = [], []
        for cell in range(self.nlist):
            queries = members[cell]
            if queries.shape[0] == 0:
                continue
            cells = near[cell][near[cell] >= 0]
            if nprobe < cells.shape[0]:
                to_cells = Z[queries] @ centroids[cells].T
                to_cells *= -2.0
                to_cells += centroid_sq[cells][None, :]
                own = np.argpartition(to_cells, nprobe - 1, axis=1)[:, :nprobe]
                picked = cells[own]
            else:
                picked = np.broadcast_to(cells, (queries.shape[0], cells.shape[0]))
            probe_rows.append(np.repeat(queries, picked.shape[1]).astype(np.int64))
            probe_cells.append(picked.ravel())
        if not probe_rows:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0)
        probe_rows = np.concatenate(probe_rows)
        probe_cells = np.concatenate(probe_cells)
        order = np.argsort(probe_cells, kind="stable")
        probe_rows = probe_rows[order]
        bounds = np.searchsorted(probe_cells[order], np.arange(self.nlist + 1))
        del probe_cells, order
        # 2. each cell against the rows that probe it
        out_row, out_col, out_dist = [], [], []

        def join(queries, cand):
            sq_dist = Z[queries] @ Z[cand].T
            sq_dist *= -2.0
            sq_dist += sq[queries][:, None]
            sq_dist += sq[cand][None, :]
            i, j = np.nonzero(sq_dist <= limit)
            out_row.append(queries[i].astype(index_dtype))
            out_col.append(cand[j].astype(index_dtype))
            out_dist.append(np.sqrt(np.maximum(sq_dist[i, j], 0.0)))

        # int32 indices and float32 distances: 12 bytes a pair
        index_dtype = np.int32 if Z.shape[0] < 2**31 else np.int64
        with self._threads():
            for cell in range(self.nlist):
                queries = probe_rows[bounds[cell] : bounds[cell + 1]]
                cand = members[cell]
                if queries.shape[0] == 0 or cand.shape[0] == 0:
                    continue
                if only is None:
                    join(queries, cand)
                    continue
                # the sample's pairs, both ways: its rows' probes, and the
                # rows whose probes reach the sample's cells
                mine = only[queries]
                if mine.any():
                    join(queries[mine], cand)
                kept = cand[only[cand]]
                if kept.shape[0]:
                    join(queries[~mine], kept)
        del probe_rows
        if not out_row:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0)
        return (
            np.concatenate(out_row),
            np.concatenate(out_col),
            np.concatenate(out_dist),
        )

    def __copy__(self):  # shares the index (copy.copy would serialise it)
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        return clone

    def __getstate__(self):  # faiss indexes pickle through their serialisation
        import faiss

        state = dict(self.__dict__)
        for cached in ("_quantizer", "_cell_members", "_centroids", "_sq_norms"):
            state.pop(cached, None)
        state["index"] = faiss.serialize_index(self.index)
        return state

    def __setstate__(self, state):
        import faiss

        self.__dict__.update(state)
        self.index = faiss.deserialize_index(state["index"])

    def search(self, Q, k: int):
        self.index.nprobe = self.nprobe
        with self._threads():
            sq, ind = self.index.search(_as_float32(Q), k)
        return np.sqrt(np.maximum(sq, 0.0), dtype=np.float64), ind.astype(np.int64)

    def range(self, Q, r: float) -> sp.csr_matrix:
        # squared L2 radius, slightly widened for float32 rounding; trimmed
        # to r below (the index reports float32 distances)
        self.index.nprobe = self.nprobe
        with self._threads():
            lims, sq, ind = self.index.range_search(
                _as_float32(Q), float(r) ** 2 * (1 + 1e-5)
            )
        dist = np.sqrt(np.maximum(sq, 0.0), dtype=np.float64)
        graph = _csr(lims.astype(np.int64), ind.astype(np.int64), dist, self.n_fit)
        graph.sort_indices()
        return graph


class _KnnOnly:
    """Range search by k-nearest-neighbour search with a doubling ``k``, for
    the backends that only answer k-NN queries."""

    def range(self, Q, r: float) -> sp.csr_matrix:
        n_q = Q.shape[0]
        rows, cols, vals = [], [], []
        todo = np.arange(n_q)
        k = min(self.n_fit, 32)
        while todo.shape[0]:
            dist, ind = self.search(Q[todo], k)
            inside = (dist <= r) & (ind >= 0)
            r_idx, c_idx = np.nonzero(inside)
            full = inside[:, -1] & (k < self.n_fit)  # the ball may hold more
            done = ~full[r_idx]
            rows.append(todo[r_idx[done]])
            cols.append(ind[r_idx[done], c_idx[done]])
            vals.append(dist[r_idx[done], c_idx[done]])
            todo = todo[full]
            k = min(self.n_fit, 2 * k)
        rows, cols, vals = (np.concatenate(a) for a in (rows, cols, vals))
        graph = sp.csr_matrix((vals, (rows, cols)), shape=(n_q, self.n_fit))
        graph.sort_indices()
        return graph


class _Hnswlib(_KnnOnly):
    """hnswlib's HNSW graph: ``M=16``, ``ef_construction=100``; the search
    breadth ``ef`` (at least ``k``) is the effort."""

    name = "hnswlib"
    approximate = True
    efforts = (16, 32, 64, 128, 256, 512, 1024)

    def __init__(self, n_jobs, seed, params):
        self.threads = n_jobs
        self.seed = seed
        self.params = params
        self.ef = self.efforts[0]

    def build(self, Z) -> None:
        import hnswlib

        Z = _as_float32(Z)
        n, d = Z.shape
        self.n_fit = n
        index = hnswlib.Index(space="l2", dim=d)
        index.init_index(
            max_elements=n,
            M=int(self.params.get("M", 16)),
            ef_construction=int(self.params.get("ef_construction", 100)),
            random_seed=int(self.seed),
        )
        index.set_num_threads(self.threads)
        index.add_items(Z, np.arange(n), num_threads=self.threads)
        self.index = index
        self.set_effort(self.params.get("ef", self.efforts[0]))

    def set_effort(self, effort) -> None:
        self.ef = int(effort)

    def search(self, Q, k: int):
        self.index.set_ef(max(self.ef, k))
        ind, sq = self.index.knn_query(_as_float32(Q), k, num_threads=self.threads)
        return np.sqrt(np.maximum(sq, 0.0), dtype=np.float64), ind.astype(np.int64)


class _PyNNDescent(_KnnOnly):
    """pynndescent's nearest-neighbour-descent graph; its search's
    ``epsilon`` is the effort."""

    name = "pynndescent"
    approximate = True
    efforts = (0.1, 0.2, 0.3, 0.45, 0.6, 0.8)

    def __init__(self, n_jobs, seed, params):
        self.threads = n_jobs
        self.seed = seed
        self.params = params
        self.epsilon = self.efforts[0]

    def build(self, Z) -> None:
        from pynndescent import NNDescent

        Z = _as_float32(Z)
        self.n_fit = Z.shape[0]
        self.index = NNDescent(
            Z,
            n_neighbors=int(self.params.get("n_neighbors", 30)),
            random_state=int(self.seed),
            n_jobs=self.threads,
            compressed=True,
        )
        self.index.prepare()
        self.set_effort(self.params.get("epsilon", self.efforts[0]))

    def set_effort(self, effort) -> None:
        self.epsilon = float(effort)

    def search(self, Q, k: int):
        ind, dist = self.index.query(_as_float32(Q), k=k, epsilon=self.epsilon)
        return np.asarray(dist, dtype=np.float64), ind.astype(np.int64)


_BACKENDS = {
    "exact": _Exact,
    "faiss": _Faiss,
    "hnswlib": _Hnswlib,
    "pynndescent": _PyNNDescent,
}


def make_backend(name: str, n_jobs: int, seed: int, params: dict):
    """A backend by name, unbuilt; an ImportError names the missing package."""
    module = BACKEND_MODULES.get(name)
    if module is not None and importlib.util.find_spec(module) is None:
        raise ImportError(
            f'backend="{name}" needs the {_PIP_NAMES[name]} package: pip install '
            f'{_PIP_NAMES[name]} (skactive\'s "ann" extra has faiss-cpu), or use '
            'backend="exact".'
        )
    return _BACKENDS[name](n_jobs, seed, params)
