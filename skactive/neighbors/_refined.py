"""Exact k-nearest neighbours with float64 distances, for the data-centric tools.

Where :class:`~skactive.QueryByExample` and
:class:`~skactive.datacentric.DistanceToLabelled` look for neighbours. The
search is :class:`NearestNeighborsIndex` with its exact backend
(leave-one-out queries included); every returned distance is then
recomputed pair by pair in float64 and the neighbours re-sorted by it: the
matrix-product form of the Euclidean distance that brute-force search uses
can swap two neighbours whose distances agree to ~1e-8.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import gen_batches

from ._index import NearestNeighborsIndex

METRICS = ("euclidean", "cosine")

_BLOCK_ELEMENTS = 2**22  # query rows x neighbours x dims re-scored at a time


def _space(Z, metric: str) -> np.ndarray:
    """Rows where the Euclidean distance ranks as ``metric`` does."""
    Z = np.asarray(Z, dtype=np.float64)
    if metric == "cosine":
        norms = np.sqrt(np.einsum("ij,ij->i", Z, Z))
        norms[norms == 0.0] = 1.0
        Z = Z / norms[:, None]
    return Z


class NeighborIndex:
    """Exact nearest rows of a reference set.

    Parameters
    ----------
    reference : array-like of shape (n_reference, n_dims)
        The rows searched (an embedding: the labelled samples, the pool).
    metric : {"euclidean", "cosine"}, default="euclidean"
        ``"cosine"`` is ``1 - cos`` (0 cosine for zero rows).
    n_jobs : int, default=None
        Parallel jobs of the search.
    """

    def __init__(self, reference, *, metric: str = "euclidean", n_jobs=None) -> None:
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}.")
        self.metric = metric
        self.reference = _space(reference, metric)
        self.n_reference = self.reference.shape[0]
        self._index = NearestNeighborsIndex(backend="exact", n_jobs=n_jobs)
        self._index.fit(self.reference)

    def kneighbors(self, queries, n_neighbors: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``n_neighbors`` nearest reference rows of each query row.

        Parameters
        ----------
        queries : array-like of shape (n_queries, n_dims) or None
            ``None``: the reference rows themselves, each without itself
            (leave-one-out neighbours).
        n_neighbors : int
            At most ``n_reference`` (less one for ``queries=None``).

        Returns
        -------
        distances : ndarray of shape (n_queries, n_neighbors)
            Exact float64 distances, increasing along each row (ties by
            reference row).
        indices : ndarray of shape (n_queries, n_neighbors)
            Rows of ``reference``.
        """
        Q = self.reference if queries is None else _space(queries, self.metric)
        # queries=None: the index drops each row from its own neighbours.
        found = self._index.kneighbors(
            None if queries is None else Q,
            n_neighbors=n_neighbors,
            return_distance=False,
        )
        distances = np.empty(found.shape)
        step = max(1, _BLOCK_ELEMENTS // max(1, n_neighbors * Q.shape[1]))
        for rows in gen_batches(Q.shape[0], step):
            diff = Q[rows, None, :] - self.reference[found[rows]]
            distances[rows] = np.einsum("ijk,ijk->ij", diff, diff)
        if self.metric == "cosine":
            distances /= 2.0
        else:
            np.sqrt(distances, out=distances)
        order = np.lexsort((found, distances), axis=1)
        return (
            np.take_along_axis(distances, order, axis=1),
            np.take_along_axis(found, order, axis=1),
        )
