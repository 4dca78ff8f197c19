"""NearestNeighborsIndex: k-nearest and radius neighbours with pluggable backends."""

from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils._validation import check_chunk_size, check_int, check_n_jobs, check_real
from ._backends import BACKEND_MODULES, available_backends, make_backend

__all__ = ["BACKENDS", "NearestNeighborsIndex"]

BACKENDS = ("auto", "exact", *BACKEND_MODULES)
METRICS = ("euclidean", "cosine")

# "auto" searches exactly below this many fitted rows: an exact k-NN query of
# every fitted row then costs at most a few seconds on one core, and an
# approximate index would not pay for its construction (docs/engine.md).
AUTO_EXACT_BELOW = 50_000
# Fitted rows whose k nearest neighbours calibrate an approximate backend.
_CALIBRATION_QUERIES = 256
# "auto" falls back to exact search when faiss must probe more than this
# fraction of its cells to reach the target recall.
_MAX_PROBED_FRACTION = 0.25


def _raised_target(target: float, m: int) -> float:
    """The calibration's target: ``target`` plus two standard deviations of
    a recall measured on ``m`` neighbours, so that the whole search reaches
    ``target``."""
    return min(1.0, target + 2 * math.sqrt(target * (1 - target) / max(m, 1)))


def _symmetric(row, col, dist, r: float, n: int) -> sp.csr_matrix:
    """The pairs within ``r`` found either way, distances + 1 as data.

    A pair is found once per direction at most; the union of both
    directions keeps the (equal) distance. The distances are stored plus 1,
    so that pairs at distance 0 (duplicated rows) are not dropped as zeros.
    """
    keep = dist <= r
    data = dist[keep] + np.asarray(1.0, dtype=dist.dtype)
    graph = sp.csr_matrix((data, (row[keep], col[keep])), shape=(n, n))
    del data, keep
    graph = graph.maximum(graph.T.tocsr())
    graph.sort_indices()
    return graph


def _to_space(X, metric: str):
    """Rows in the Euclidean space of the search.

    For ``"cosine"``: rows scaled to unit norm, with one more coordinate, 1
    for a zero row (0 otherwise), so that ``|a - b|^2 = 2 (1 - cos(a, b))``
    and a zero row is at cosine distance 1 from every other row.
    """
    if metric == "euclidean":
        return X
    if sp.issparse(X):
        unit = normalize(X, copy=True)
        zero = np.asarray(abs(unit).sum(axis=1) == 0).ravel()
        return sp.hstack([unit, sp.csr_matrix(zero[:, None].astype(X.dtype))]).tocsr()
    norms = np.sqrt(np.einsum("ij,ij->i", X, X))
    zero = norms == 0
    norms[zero] = 1.0
    return np.hstack([X / norms[:, None], zero[:, None].astype(X.dtype)])


class NearestNeighborsIndex(BaseEstimator):
    """Nearest-neighbour search over embeddings, exact or approximate.

    One search component for every part of skactive that needs neighbours
    (TypiClust's typicality, ProbCover's covering balls...): ``fit`` indexes
    the rows of an embedding; :meth:`kneighbors` finds each query's ``k``
    nearest fitted rows and :meth:`radius_neighbors` every fitted row within
    a radius, as a sparse matrix. The methods follow
    :class:`sklearn.neighbors.NearestNeighbors`, whose semantics they keep
    (``X=None`` queries the fitted rows, each without itself).

    Backends:

    - ``"exact"``: :class:`sklearn.neighbors.NearestNeighbors` (a k-d or
      ball tree in few dimensions, else brute force by blocked matrix
      products; sparse rows by sparse products);
    - ``"faiss"`` (``pip install faiss-cpu``, the ``ann`` extra): an
      inverted-file index, ``IndexIVFFlat``, with range search;
    - ``"hnswlib"`` (``pip install hnswlib``): an HNSW graph;
    - ``"pynndescent"`` (``pip install pynndescent``): a nearest-neighbour
      descent graph;
    - ``"auto"`` (default): exact for sparse rows and for fewer than
      ``AUTO_EXACT_BELOW = 50,000`` fitted rows, else the first installed of
      faiss, hnswlib, pynndescent (exact when none is), and exact again when
      the approximate backend cannot reach ``target_recall`` cheaply (faiss
      would have to probe more than a quarter of its cells).

    An approximate backend is **calibrated** in ``fit``: its search effort
    (faiss' ``nprobe``, HNSW's ``ef``, NN-descent's ``epsilon``) is raised
    until the recall@``n_neighbors`` of 256 random fitted rows, against an
    exact search, reaches ``target_recall`` (``recall_``). Backends without
    range search (hnswlib, pynndescent) answer :meth:`radius_neighbors` by
    k-nearest-neighbour queries with a doubling ``k``.

    Parameters
    ----------
    n_neighbors : int, default=5
        Neighbours of :meth:`kneighbors` by default, and of the calibration.
    radius : float, default=1.0
        Radius of :meth:`radius_neighbors` by default.
    metric : {"euclidean", "cosine"}, default="euclidean"
        ``"cosine"`` is ``1 - cos(a, b)`` (a zero row is at distance 1 from
        every other row).
    backend : {"auto", "exact", "faiss", "hnswlib", "pynndescent"}, \
default="auto"
        The search library, see above.
    target_recall : float, default=0.95
        Recall@``n_neighbors`` an approximate backend is calibrated to, in
        ``(0, 1]``.
    backend_params : dict, default=None
        Parameters of the backend's index: ``nlist``, ``nprobe``, ``niter``
        for faiss; ``M``, ``ef_construction``, ``ef`` for hnswlib;
        ``n_neighbors``, ``epsilon`` for pynndescent; ``algorithm`` and
        ``leaf_size`` for exact search. A given effort (``nprobe``, ``ef``,
        ``epsilon``) skips the calibration.
    chunk_size : int, default=None
        Query rows searched at a time (bounds the memory of the search's
        temporaries); default about 16 MiB of queries.
    n_jobs : int, default=None
        Threads of the search (``None``: one, -1: every core).
    random_state : int, RandomState instance or None, default=None
        Seeds the approximate index and the calibration sample.

    Attributes
    ----------
    backend_ : str
        The backend used (``"auto"`` resolved).
    recall_ : float
        Estimated recall@``n_neighbors`` of the search (1.0 when exact).
    effort_ : float or None
        The calibrated search effort of an approximate backend.
    n_samples_fit_ : int
        Number of fitted rows.
    n_features_in_ : int
        Number of features seen during ``fit``.

    See Also
    --------
    sklearn.neighbors.NearestNeighbors : exact search, the default backend.
    skactive.ProbCover : greedy coverage of radius-neighbour balls.
    skactive.TypiClust : typicality from k-nearest neighbours.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.neighbors import NearestNeighborsIndex
    >>> Z = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [5.0, 5.0]])
    >>> index = NearestNeighborsIndex(n_neighbors=2).fit(Z)
    >>> index.backend_
    'exact'
    >>> distances, indices = index.kneighbors([[0.1, 0.0]])
    >>> indices
    array([[0, 1]])
    >>> index.radius_neighbors(radius=1.5).toarray()  # X=None: without itself
    array([[0., 1., 0., 0.],
           [1., 0., 0., 0.],
           [0., 0., 0., 0.],
           [0., 0., 0., 0.]])
    """

    def __init__(
        self,
        n_neighbors=5,
        radius=1.0,
        *,
        metric="euclidean",
        backend="auto",
        target_recall=0.95,
        backend_params=None,
        chunk_size=None,
        n_jobs=None,
        random_state=None,
    ):
        self.n_neighbors = n_neighbors
        self.radius = radius
        self.metric = metric
        self.backend = backend
        self.target_recall = target_recall
        self.backend_params = backend_params
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------ fitting
    def _check_params(self) -> None:
        check_int(self.n_neighbors, "n_neighbors")
        check_real(self.radius, "radius", low=0.0)
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {self.metric!r}.")
        if self.backend not in BACKENDS:
            raise ValueError(
                f"backend must be one of {BACKENDS}, got {self.backend!r}."
            )
        check_real(
            self.target_recall, "target_recall", low=0.0, high=1.0, include_low=False
        )
        if self.backend_params is not None and not isinstance(
            self.backend_params, dict
        ):
            raise TypeError(
                "backend_params must be a dict or None, got "
                f"{type(self.backend_params).__name__}."
            )
        check_int(self.chunk_size, "chunk_size", allow_none=True)
        check_n_jobs(self.n_jobs)

    def _resolve_backend(self, Z) -> str:
        if self.backend != "auto":
            return self.backend
        if sp.issparse(Z) or Z.shape[0] < AUTO_EXACT_BELOW:
            return "exact"
        installed = available_backends()
        return installed[1] if len(installed) > 1 else "exact"

    def fit(self, X, y=None):
        """Index the rows of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to search (an embedding). Sparse rows need the exact
            backend.
        y : None
            Ignored.

        Returns
        -------
        self : NearestNeighborsIndex
        """
        self._check_params()
        X = validate_data(
            self, X, accept_sparse="csr", dtype=(np.float64, np.float32), reset=True
        )
        Z = _to_space(X, self.metric)
        name = self._resolve_backend(Z)
        if sp.issparse(Z) and name != "exact":
            raise ValueError(
                f'backend="{name}" searches dense rows only; X is sparse. Use '
                'backend="exact" (or "auto"), or reduce X to dense features.'
            )
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        self._seed = seed
        params = dict(self.backend_params or {})
        threads = max(1, effective_n_jobs(self.n_jobs))
        backend = make_backend(
            name, self.n_jobs if name == "exact" else threads, seed, params
        )
        backend.build(Z)
        self._Z = Z
        self._Z32 = (
            np.ascontiguousarray(Z, dtype=np.float32) if name == "faiss" else None
        )
        self.n_samples_fit_ = Z.shape[0]
        self.effort_ = None
        self.recall_ = 1.0
        self._effort_given = False
        if backend.approximate:
            given = {"faiss": "nprobe", "hnswlib": "ef", "pynndescent": "epsilon"}
            self._effort_given = given[name] in params
            if self._effort_given:
                self.effort_ = params[given[name]]
                backend.set_effort(self.effort_)
                self.recall_ = self._recall(backend, rng)
            else:
                self._calibrate(backend, rng)
            if self.backend == "auto" and self._not_worth_it(backend):
                backend = make_backend("exact", self.n_jobs, seed, {})
                backend.build(Z)
                self._Z32 = None
                self.effort_, self.recall_ = None, 1.0
        self._backend = backend
        self.backend_ = backend.name
        return self

    def _recall(self, backend, rng) -> float:
        """Recall@``n_neighbors`` of ``backend`` on a sample of fitted rows.

        A returned row counts as found when its exact distance is within
        the exact ``k``-th distance (so ties at the ``k``-th distance do not
        count as misses).
        """
        sample, kth = self._calibration_reference(rng)
        Q = self._Z[sample]
        k = min(self.n_neighbors + 1, self.n_samples_fit_)
        _, ind = backend.search(Q, k)
        valid = ind >= 0
        rows = np.repeat(np.arange(Q.shape[0]), k)[valid.ravel()]
        diff = np.asarray(Q[rows], dtype=np.float64) - self._Z[ind[valid]]
        kth = np.broadcast_to(kth, ind.shape)
        exact = np.zeros(ind.shape)
        exact[valid] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
        tol = 1e-6 * kth + 1e-12
        found = valid & (exact <= kth + tol)
        return float(found.sum() / found.size)

    def _calibration_reference(self, rng):
        if not hasattr(self, "_reference"):
            n = self.n_samples_fit_
            size = min(n, _CALIBRATION_QUERIES)
            sample = np.sort(rng.choice(n, size=size, replace=False))
            k = min(self.n_neighbors + 1, n)  # the row itself and its k neighbours
            dist, _ = (
                NearestNeighbors(algorithm="brute", n_jobs=self.n_jobs)
                .fit(self._Z)
                .kneighbors(self._Z[sample], k)
            )
            self._reference = (sample, dist[:, -1:])
        return self._reference

    def _calibrate(self, backend, rng) -> None:
        # the recall of a sample of m neighbours is noisy: the target is
        # raised by two of its standard deviations, so that the recall of
        # the whole search reaches it
        sample, _ = self._calibration_reference(rng)
        m = sample.shape[0] * min(self.n_neighbors + 1, self.n_samples_fit_)
        target = _raised_target(self.target_recall, m)
        for effort in backend.efforts:
            backend.set_effort(effort)
            recall = self._recall(backend, rng)
            self.effort_, self.recall_ = effort, recall
            if recall >= target:
                break
        else:
            if self.backend != "auto":
                warnings.warn(
                    f'backend="{backend.name}" reached a recall@{self.n_neighbors} '
                    f"of {self.recall_:.3f} only (target_recall="
                    f"{self.target_recall}) at its largest search effort "
                    f"({self.effort_}).",
                    UserWarning,
                    stacklevel=3,
                )
        del self._reference

    def _not_worth_it(self, backend) -> bool:
        if self.recall_ < self.target_recall:  # the largest effort fell short
            return True
        return backend.name == "faiss" and (
            backend.nprobe > _MAX_PROBED_FRACTION * backend.nlist
        )

    def _calibrate_radius(self, Q, r: float):
        """The search effort of a radius query, from a sample of its queries.

        The fitted effort was calibrated for ``n_neighbors`` neighbours; a
        larger ball may reach more cells (faiss) or need a broader search.
        The effort is raised, from the fitted one, until the neighbours found
        for 256 random query rows hold ``target_recall`` of those an exact
        search finds (the approximate backends report only true neighbours,
        so the ratio of counts is the recall).
        """
        rng = np.random.RandomState(self._seed)
        n_q = Q.shape[0]
        sample = np.sort(
            rng.choice(n_q, size=min(n_q, _CALIBRATION_QUERIES), replace=False)
        )
        Qs = Q[sample]
        exact = (
            NearestNeighbors(algorithm="brute", n_jobs=self.n_jobs)
            .fit(self._Z)
            .radius_neighbors_graph(Qs, r, mode="connectivity")
            .nnz
        )
        efforts = [e for e in self._backend.efforts if e >= self.effort_]
        backend = copy.copy(self._backend)
        for effort in efforts:
            backend.set_effort(effort)
            graph = backend.range(Qs, r)
            if graph.nnz >= _raised_target(self.target_recall, exact) * exact:
                break
        return effort

    def _radius_self_join(self, r: float, mode: str):
        """:meth:`radius_neighbors` of every fitted row, by faiss' cells.

        The effort (cells probed per cell) is calibrated on this join: raised
        from the fitted one until the pairs found for 256 random fitted rows
        hold ``target_recall`` of those of an exact search.
        """
        Z = self._Z32
        backend = copy.copy(self._backend)
        if not self._effort_given:
            rng = np.random.RandomState(self._seed)
            n = self.n_samples_fit_
            sample = np.sort(
                rng.choice(n, size=min(n, _CALIBRATION_QUERIES), replace=False)
            )
            exact = (
                NearestNeighbors(algorithm="brute", n_jobs=self.n_jobs)
                .fit(self._Z)
                .radius_neighbors_graph(self._Z[sample], r, mode="connectivity")
            )
            in_sample = np.zeros(n, dtype=bool)
            in_sample[sample] = True
            target = _raised_target(self.target_recall, exact.nnz) * exact.nnz
            for effort in [e for e in backend.efforts if e >= self.effort_]:
                backend.set_effort(effort)
                found = _symmetric(*backend.range_self(Z, r, rows=sample), r, n)
                if found[in_sample].nnz >= target:
                    break
        row, col, dist = backend.range_self(Z, r)
        other = row != col  # without the rows themselves
        row, col, dist = row[other], col[other], dist[other]
        del other
        graph = _symmetric(row, col, dist, r, self.n_samples_fit_)
        del row, col, dist
        graph.data = graph.data.astype(np.float64) - 1.0
        if self.metric == "cosine":
            graph.data **= 2
            graph.data /= 2
        if mode == "connectivity":
            graph.data[:] = 1.0
        return graph

    # ----------------------------------------------------------- queries
    def _queries(self, X):
        """``(Z_queries, self_join)`` for the query rows ``X`` (None: fitted)."""
        check_is_fitted(self, "backend_")
        if X is None:
            return self._Z, True
        X = validate_data(
            self, X, accept_sparse="csr", dtype=(np.float64, np.float32), reset=False
        )
        return _to_space(X, self.metric), False

    def _chunks(self, Q):
        n_features = Q.shape[1]
        itemsize = Q.dtype.itemsize
        size = check_chunk_size(self.chunk_size, n_features, itemsize)
        return gen_batches(Q.shape[0], size)

    def _exact_rows(self, Q, k: int):
        return (
            NearestNeighbors(algorithm="brute", n_jobs=self.n_jobs)
            .fit(self._Z)
            .kneighbors(Q, k)
        )

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """The ``n_neighbors`` nearest fitted rows of each query row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_queries, n_features), \
default=None
            The query rows; ``None``: every fitted row, each without itself
            (as in scikit-learn).
        n_neighbors : int, default=None
            Number of neighbours (default: the ``n_neighbors`` parameter).
        return_distance : bool, default=True
            Whether to return the distances too.

        Returns
        -------
        distances : ndarray of shape (n_queries, n_neighbors)
            Distances, nearest first (only with ``return_distance``).
        indices : ndarray of shape (n_queries, n_neighbors)
            Indices of the fitted rows.
        """
        Q, self_join = self._queries(X)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        check_int(k, "n_neighbors")
        n_fit = self.n_samples_fit_
        limit = n_fit - 1 if self_join else n_fit
        if k > limit:
            raise ValueError(
                f"n_neighbors={k} is larger than the {limit} fitted rows it can "
                "return" + (" (X=None: each row without itself)." if self_join else ".")
            )
        n_q = Q.shape[0]
        distances = np.empty((n_q, k))
        indices = np.empty((n_q, k), dtype=np.int64)
        for rows in self._chunks(Q):
            dist, ind = self._backend.search(Q[rows], k + self_join)
            missing = (ind < 0).any(axis=1)
            if missing.any():  # an approximate search found too few rows
                ex_d, ex_i = self._exact_rows(Q[rows][missing], k + self_join)
                dist[missing], ind[missing] = ex_d, ex_i
            if self_join:
                own = np.arange(rows.start, rows.stop)[:, None]
                is_self = ind == own
                # drop the row itself, or the last neighbour when it is absent
                is_self[~is_self.any(axis=1), -1] = True
                keep = ~is_self
                dist = dist[keep].reshape(-1, k)
                ind = ind[keep].reshape(-1, k)
            distances[rows], indices[rows] = dist, ind
        if self.metric == "cosine":
            distances = distances**2 / 2
        return (distances, indices) if return_distance else indices

    def radius_neighbors(self, X=None, radius=None, *, mode="distance"):
        """Every fitted row within ``radius`` of each query row, as a sparse matrix.

        Unlike :meth:`sklearn.neighbors.NearestNeighbors.radius_neighbors`,
        which returns one array per query, the result is one CSR matrix
        (its structure is the neighbourhoods; its columns are sorted), built
        ``chunk_size`` queries at a time.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_queries, n_features), \
default=None
            The query rows; ``None``: every fitted row, each without itself.
        radius : float, default=None
            The radius (default: the ``radius`` parameter); closed balls:
            distance ``<= radius``.
        mode : {"distance", "connectivity"}, default="distance"
            Store the distances (a neighbour at distance 0 is an explicit
            zero of the matrix), or ones.

        Returns
        -------
        graph : scipy.sparse.csr_matrix of shape (n_queries, `n_samples_fit_`)
        """
        Q, self_join = self._queries(X)
        r = self.radius if radius is None else radius
        check_real(r, "radius", low=0.0)
        if mode not in ("distance", "connectivity"):
            raise ValueError(
                f'mode must be "distance" or "connectivity", got {mode!r}.'
            )
        r_space = math.sqrt(2 * r) if self.metric == "cosine" else r
        backend = self._backend
        if self_join and hasattr(backend, "range_self"):
            return self._radius_self_join(r_space, mode)
        if backend.approximate and not self._effort_given:
            effort = self._calibrate_radius(Q, r_space)
            if effort != self.effort_:
                backend = copy.copy(backend)  # the fitted effort stays as it is
                backend.set_effort(effort)
        blocks = []
        for rows in self._chunks(Q):
            graph = backend.range(Q[rows], r_space).tocoo()
            keep = graph.data <= r_space
            if self_join:
                keep &= graph.col != graph.row + rows.start
            row, col, data = graph.row[keep], graph.col[keep], graph.data[keep]
            if self.metric == "cosine":
                data = data**2 / 2
            if mode == "connectivity":
                data = np.ones_like(data)
            blocks.append(
                sp.csr_matrix(
                    (data, (row, col)),
                    shape=(rows.stop - rows.start, self.n_samples_fit_),
                )
            )
        graph = sp.vstack(blocks, format="csr") if blocks else None
        graph.sort_indices()
        return graph
