"""Streaming top-k selection with reproducible random tie-breaking.

Every pool sample gets a *tie key*: a bijective 64-bit hash of its global
index, salted by a number drawn from the strategy's ``random_state``. Samples
are ranked by utility (descending), then by tie key (ascending). Because the
key depends only on the global index and the salt, the ranking is a total
order that does not depend on how the pool is cut into chunks or on the
order in which chunks finish, so the selected indices are identical for any
``n_jobs`` and ``chunk_size``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TopK", "argmax", "draw_salt", "tie_keys", "top_k"]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def draw_salt(rng: np.random.RandomState) -> np.uint64:
    """Draw the salt of the tie keys from ``rng`` (consumes one draw)."""
    return np.uint64(rng.randint(np.iinfo(np.int64).max, dtype=np.int64))


def tie_keys(indices: np.ndarray, salt: np.uint64) -> np.ndarray:
    """SplitMix64 finaliser of ``indices + salt``: a bijection on uint64.

    Distinct indices therefore always get distinct keys, and the keys look
    uniformly random, so ties are broken uniformly at random.
    """
    z = np.asarray(indices).astype(np.uint64) + salt  # wraps modulo 2**64
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def argmax(values: np.ndarray, rng: np.random.RandomState) -> int:
    """Index of the maximum of ``values``, ties broken by tie keys.

    The same rule as :func:`top_k` with ``k = 1``, for selections that pick
    one sample at a time; a salt is drawn from ``rng`` only when there is a
    tie.
    """
    best = np.flatnonzero(values == values.max())
    if best.shape[0] == 1:
        return int(best[0])
    return int(best[np.argmin(tie_keys(best, draw_salt(rng)))])


def top_k(
    utilities: np.ndarray, indices: np.ndarray, k: int, salt: np.uint64
) -> tuple[np.ndarray, np.ndarray]:
    """Select the ``k`` best ``(utility, index)`` pairs, best first.

    Uses :func:`numpy.partition` (linear time) to find the k-th largest
    utility; only the samples tied at that threshold are ranked by tie key.
    The result is sorted best first.

    Parameters
    ----------
    utilities : ndarray of shape (n,)
        Utilities, higher is better. Must not contain NaN.
    indices : ndarray of shape (n,)
        Global pool indices of the utilities.
    k : int
        Number of pairs to keep (``k >= 1``); fewer are returned when
        ``n < k``.
    salt : numpy.uint64
        Salt of the tie keys, from :func:`draw_salt`.

    Returns
    -------
    utilities, indices : ndarray of shape (min(k, n),)
        The selected pairs, best first.
    """
    n = utilities.shape[0]
    if n > k:
        threshold = np.partition(utilities, n - k)[n - k]
        above = np.flatnonzero(utilities > threshold)
        tied = np.flatnonzero(utilities == threshold)
        n_needed = k - above.shape[0]
        if tied.shape[0] > n_needed:
            keys = tie_keys(indices[tied], salt)
            tied = tied[np.argpartition(keys, n_needed - 1)[:n_needed]]
        keep = np.concatenate([above, tied])
        utilities, indices = utilities[keep], indices[keep]
    order = np.lexsort((tie_keys(indices, salt), -utilities))
    return utilities[order], indices[order]


class TopK:
    """Running top-k over a stream of chunks, best first.

    Memory stays at ``O(k)`` plus one chunk: each chunk is reduced to its own
    top-k before it is merged.

    Parameters
    ----------
    k : int
        Number of samples to select.
    salt : numpy.uint64
        Salt of the tie keys, from :func:`draw_salt`.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils import TopK
    >>> topk = TopK(2, np.uint64(0))
    >>> topk.push(np.array([0.1, 0.9]), np.array([0, 1]))
    >>> topk.push(np.array([0.5, 0.2]), np.array([2, 3]))
    >>> topk.indices
    array([1, 2])
    """

    def __init__(self, k: int, salt: np.uint64) -> None:
        self.k = k
        self.salt = salt
        self.utilities = np.empty(0, dtype=np.float64)
        self.indices = np.empty(0, dtype=np.intp)

    def push(self, utilities: np.ndarray, indices: np.ndarray) -> None:
        """Merge one chunk of ``(utilities, global indices)``."""
        u, i = top_k(utilities, indices, self.k, self.salt)
        if self.indices.shape[0] == 0:  # the first chunk: nothing to merge
            self.utilities, self.indices = u, i
            return
        self.utilities, self.indices = top_k(
            np.concatenate([self.utilities, u]),
            np.concatenate([self.indices, i]),
            self.k,
            self.salt,
        )


def sample_indices(n: int, k: int, rng: np.random.RandomState) -> np.ndarray:
    """``k`` distinct indices drawn uniformly from ``range(n)``, in random order.

    For ``k`` up to half of ``n`` it draws integers with replacement and keeps
    the first occurrence of each value until ``k`` are distinct (the first
    ``k`` distinct values of an i.i.d. uniform stream are a uniform random
    ``k``-subset in random order): O(k) time and memory, where
    :meth:`~numpy.random.RandomState.choice` permutes all ``n``. Larger ``k``
    takes the first ``k`` of a permutation.
    """
    if 2 * k > n:
        return rng.permutation(n)[:k]
    drawn = np.empty(0, dtype=np.int64)
    while True:
        batch = rng.randint(n, size=k + k // 4 + 16)
        drawn = np.concatenate([drawn, batch])
        values, first = np.unique(drawn, return_index=True)
        if values.shape[0] >= k:
            return drawn[np.sort(first)[:k]]
