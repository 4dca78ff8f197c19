"""Scoring a pool held in a Dask array, block by block, where the data lives.

Dask is optional: it is imported only when a pool is a Dask array.
"""

from __future__ import annotations

import numpy as np

__all__ = ["is_dask_array", "score_dask_blocks"]


def is_dask_array(X) -> bool:
    """Whether ``X`` is a :class:`dask.array.Array` (without importing dask)."""
    return type(X).__module__.startswith("dask.array") and hasattr(X, "to_delayed")


def check_dask_pool(X, n_features: int, name: str) -> None:
    """Shape checks of a Dask pool that do not compute it."""
    if X.ndim != 2:
        raise ValueError(f"X_pool must be 2-d, got a {X.ndim}-d Dask array.")
    if np.isnan(X.shape[0]):
        raise ValueError(
            "X_pool is a Dask array with unknown chunk sizes: call "
            "X_pool.compute_chunk_sizes() first."
        )
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but {name} is expecting "
            f"{n_features} features as input."
        )
    if X.dtype.kind not in "fiub":
        raise ValueError(f"X_pool must be numeric, got a Dask array of {X.dtype}.")


def score_dask_blocks(score_chunk, strategy, X, candidates, *args):
    """Run ``score_chunk`` on every row block of the Dask array ``X``.

    Each block is scored by a task of the active Dask scheduler (a
    ``dask.distributed`` client when one exists), so a pool larger than memory
    is never gathered: only each block's top-k (and utilities, if asked)
    come back. The blocks need not be aligned with ``chunk_size``.

    Returns
    -------
    results : tuple
        The ``score_chunk`` results, one per block.
    """
    import dask

    if candidates is not None:
        X = X[candidates]
    X = X.rechunk({1: -1})
    offsets = np.cumsum((0, *X.chunks[0]))
    strategy = dask.delayed(strategy, traverse=False)
    score = dask.delayed(score_chunk, pure=True)
    tasks = []
    for block, start, stop in zip(X.to_delayed()[:, 0], offsets[:-1], offsets[1:]):
        indices = (
            np.arange(start, stop) if candidates is None else candidates[start:stop]
        )
        tasks.append(score(strategy, block, indices, *args))
    return dask.compute(*tasks)
