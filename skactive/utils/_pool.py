"""The rows of a pool that one query reads, chunk by chunk.

A :class:`Pool` is what every strategy hook sees of ``X_pool``: the pool
itself, never copied, and optionally ``candidates``, the rows to consider
(a labelling session's unlabelled rows, a random subsample, a pre-filtered
set). Its passes read the rows one chunk at a time, ``n_jobs`` chunks at a
time through joblib, so a query's extra memory is bounded by the chunk size
and by what the strategy keeps per row (a probability vector, an
embedding), never by the raw pool:

- :meth:`Pool.map` applies a row-wise function (``predict_proba``, an
  embedding, sampled probabilities) and stacks the results;
- :meth:`Pool.score_top_k` streams a pointwise utility into a top-k;
- :meth:`Pool.take` materialises a few rows (cluster members, centres).

Positions inside a pool are *local* (``0 .. n - 1``); :meth:`Pool.global_indices`
maps them to rows of ``X_pool``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from joblib import effective_n_jobs
from sklearn.utils import assert_all_finite, gen_batches
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from ._compat import _num_samples, _safe_indexing
from ._dask import is_dask_array, score_dask_blocks
from ._selection import TopK, top_k
from ._validation import check_chunk_size, check_n_jobs, is_raw_input

__all__ = ["Pool", "check_candidates"]


def check_candidates(candidates, n_pool: int) -> np.ndarray | None:
    """``candidates`` as sorted, distinct row indices into a pool of ``n_pool``.

    ``None`` means every row. Accepts any 1-d array-like of integers (or a
    boolean mask of length ``n_pool``).
    """
    if candidates is None:
        return None
    candidates = np.asarray(candidates)
    if candidates.dtype == bool:
        if candidates.shape != (n_pool,):
            raise ValueError(
                f"candidates as a boolean mask must have shape ({n_pool},), "
                f"got {candidates.shape}."
            )
        candidates = np.flatnonzero(candidates)
    if candidates.ndim != 1 or (candidates.size and candidates.dtype.kind not in "iu"):
        raise ValueError(
            "candidates must be a 1-d array of integer row indices into X_pool "
            f"(or a boolean mask), got shape {candidates.shape} and dtype "
            f"{candidates.dtype}."
        )
    if candidates.size == 0:
        raise ValueError("candidates is empty: there is nothing left to query.")
    candidates = candidates.astype(np.intp, copy=False)
    if candidates.min() < 0 or candidates.max() >= n_pool:
        raise ValueError(
            f"candidates must be row indices in [0, {n_pool}), got values from "
            f"{candidates.min()} to {candidates.max()}."
        )
    if np.any(candidates[1:] <= candidates[:-1]):  # not strictly increasing
        unique = np.unique(candidates)
        if unique.shape[0] != candidates.shape[0]:
            raise ValueError("candidates must not contain an index twice.")
        candidates = unique
    return candidates


def _finite_or_raise(func, X, allow_nan, *args):
    """``func(X, *args)``; when it fails, a non-finite pool is named as such.

    The pool's finiteness is left to the estimator, which checks its input
    anyway (a second pass over the pool would cost ~10% of
    ``predict_proba``); only when it rejects a chunk is the chunk checked.
    """
    try:
        return func(X, *args)
    except ValueError as exc:
        if is_raw_input(X):  # texts, categories: the estimator's message
            raise
        try:
            assert_all_finite(X, allow_nan=allow_nan, input_name="X_pool")
        except ValueError as finite_exc:
            raise finite_exc from exc
        raise


def _rows_of(result, select):
    """The rows ``select`` of a row-wise result (an array or a tuple of them)."""
    if isinstance(result, tuple):
        return tuple(np.asarray(part)[select] for part in result)
    if sp.issparse(result):
        return result.tocsr()[select]
    return np.asarray(result)[select]


def _call(func, X, select, allow_nan, *args):
    """``func`` of the candidate rows of one chunk.

    ``select`` is ``None`` when ``X`` holds exactly the candidate rows, else
    the positions of the candidates in ``X``, a view of the pool's rows
    spanning them (see :meth:`Pool._read`): ``func`` runs on the view and
    the candidates' rows of its result are kept. Should the view fail (a
    row that is not a candidate holds NaN, say), the candidate rows are
    gathered and ``func`` runs on them alone, so an error always concerns
    candidates.
    """
    if select is not None:
        try:
            return _rows_of(func(X, *args), select)
        except Exception:
            X = X[select]
    return _finite_or_raise(func, X, allow_nan, *args)


def _apply(func, X, select, batch, allow_nan, args):
    """One chunk of :meth:`Pool.map` (module level: any joblib backend runs it)."""
    return batch, _call(func, X, select, allow_nan, *args)


def _score_chunk(
    strategy, X, indices, k, salt, keep_utilities, allow_nan, context, select=None
):
    """Score one chunk of the pool: its top-k and, if asked, all utilities.

    A module-level function so that any joblib backend can run it.
    """
    utilities = np.asarray(
        _call(strategy._utility, X, select, allow_nan, context), dtype=np.float64
    )
    if utilities.shape != (indices.shape[0],):
        raise ValueError(
            f"{type(strategy).__name__}._utility returned shape "
            f"{utilities.shape} for {indices.shape[0]} samples."
        )
    if np.isnan(utilities).any():
        if not is_raw_input(X):
            assert_all_finite(
                X if select is None else X[select],
                allow_nan=allow_nan,
                input_name="X_pool",
            )
        raise ValueError(
            f"{type(strategy).__name__} computed NaN utilities: does the "
            "estimator return NaN (probabilities, predictions, standard "
            "deviations) for some pool samples?"
        )
    top = top_k(utilities, indices, k, salt) if k else None
    return top, indices, (utilities if keep_utilities else None)


class Pool:
    """The candidate rows of a pool, read in chunks, in parallel.

    Parameters
    ----------
    X : array-like of shape (n_pool, ...)
        The whole pool (validated by the strategy), never copied.
    candidates : ndarray of int or None, default=None
        Sorted distinct rows of ``X`` to consider; ``None`` for all.
    chunk_size : int or None, default=None
        Rows per chunk, see :func:`~skactive.utils.check_chunk_size`.
    n_jobs : int or None, default=None
        Chunks processed at a time (joblib; threads unless the user's
        :func:`joblib.parallel_config` says otherwise).
    allow_nan : bool, default=False
        Whether the estimator accepts NaN (for the error message of a
        non-finite pool).

    Attributes
    ----------
    n : int
        Number of candidate rows.
    chunk_size : int
        The resolved number of rows per chunk.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils import Pool
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> pool = Pool(X, np.array([1, 3, 4]), chunk_size=2)
    >>> pool.map(lambda rows: rows.sum(axis=1))  # one value per candidate
    array([ 5., 13., 17.])
    >>> pool.global_indices([2, 0])  # positions in the pool -> rows of X
    array([4, 1])
    """

    def __init__(
        self,
        X,
        candidates: np.ndarray | None = None,
        *,
        chunk_size: int | None = None,
        n_jobs: int | None = None,
        allow_nan: bool = False,
    ) -> None:
        self.X = X
        self.candidates = candidates
        self.n_pool = _num_samples(X)
        self.n = self.n_pool if candidates is None else candidates.shape[0]
        self.n_jobs = check_n_jobs(n_jobs)
        self.allow_nan = allow_nan
        self._chunk_param = chunk_size
        itemsize = getattr(getattr(X, "dtype", None), "itemsize", 8)
        shape = getattr(X, "shape", (self.n_pool, 1))
        values_per_row = math.prod(shape[1:]) if len(shape) > 1 else 1
        if is_raw_input(X):  # texts, categories: about 1 KiB a row, unknown
            values_per_row, itemsize = max(values_per_row, 128), 8
        self.chunk_size = check_chunk_size(
            chunk_size,
            values_per_row,
            itemsize,
            n_rows=self.n,
            n_jobs=effective_n_jobs(n_jobs),
        )

    # ----------------------------------------------------------- indexing
    def global_indices(self, local=None) -> np.ndarray:
        """Rows of ``X_pool`` of the local positions ``local`` (all if None)."""
        if local is None:
            return np.arange(self.n) if self.candidates is None else self.candidates
        local = np.asarray(local, dtype=np.intp)
        return local if self.candidates is None else self.candidates[local]

    def local_positions(self, rows) -> np.ndarray:
        """Local positions of the rows ``rows`` of ``X_pool`` (candidates)."""
        rows = np.asarray(rows, dtype=np.intp)
        return (
            rows if self.candidates is None else np.searchsorted(self.candidates, rows)
        )

    def subset(self, local) -> Pool:
        """The pool of the local positions ``local`` (sorted by position)."""
        rows = np.sort(self.global_indices(local))
        return Pool(
            self.X,
            rows,
            chunk_size=self._chunk_param,
            n_jobs=self.n_jobs,
            allow_nan=self.allow_nan,
        )

    def take(self, local=None):
        """The rows at local positions ``local`` (all if None), in memory."""
        if local is None and self.candidates is None:
            X = self.X
        else:
            X = _safe_indexing(self.X, self.global_indices(local))
        return X.compute() if is_dask_array(X) else X

    def _read(self, batch: slice):
        """The rows of one chunk (a slice of local positions), in memory.

        Returns ``(X, select)``. Without candidates ``X`` is a slice of the
        pool (a view for an array) and ``select`` is ``None``. With candidates
        that lie densely in an in-memory pool (their rows span at most 1.25
        times their number, as a labelling session's unlabelled rows do),
        ``X`` is the view of the rows spanning them and ``select`` their
        positions in it: no copy, at the price of scoring the few rows in
        between. Otherwise the candidate rows are gathered (a copy of one
        chunk).
        """
        if self.candidates is None:
            # a slice of rows: a view of an array (without _safe_indexing's
            # ~30 us a chunk), else of a list of texts, a DataFrame, sparse
            X = (
                self.X[batch]
                if isinstance(self.X, np.ndarray)
                else _safe_indexing(self.X, batch)
            )
            return (X.compute() if is_dask_array(X) else X), None
        rows = self.candidates[batch]
        start, stop = int(rows[0]), int(rows[-1]) + 1
        if isinstance(self.X, np.ndarray) and 4 * (stop - start) <= 5 * rows.shape[0]:
            select = None if stop - start == rows.shape[0] else rows - start
            return self.X[start:stop], select
        X = _safe_indexing(self.X, rows)
        return (X.compute() if is_dask_array(X) else X), None

    def _tasks(self, make):
        """``make(batch, X, select)`` for every chunk, as ``(func, args)`` tasks.

        A generator that drops its own reference to a chunk once the task is
        handed over, so that with one worker a gathered chunk is released
        before the next one is read.
        """
        for batch in gen_batches(self.n, self.chunk_size):
            X, select = self._read(batch)
            task = make(batch, X, select)
            del X, select
            yield task
            del task

    def _run(self, tasks):
        """Yield the results of ``tasks`` (``(func, args)`` pairs) as they
        finish, ``n_jobs`` at a time.

        Parallel chunks each get one BLAS/OpenMP thread: nested thread pools
        oversubscribe the cores (measured 1.3x slower with 2 jobs on 2
        cores). A chunk is already a coarse unit of work: joblib's
        auto-batching would group fast chunks into a few large batches and
        leave workers idle, so chunks are dispatched one by one.
        """
        if effective_n_jobs(self.n_jobs) == 1:
            # One worker: no joblib machinery to start (a fixed ~0.3 ms a
            # query, a fifth of a 10^4-row predict_proba).
            for task in tasks:
                func, args = task
                del task  # the chunk is released before the next one is read
                result = func(*args)
                del args
                yield result
            return
        with threadpool_limits(limits=1):
            yield from Parallel(
                n_jobs=self.n_jobs,
                prefer="threads",
                batch_size=1,
                return_as="generator_unordered",
            )(delayed(func)(*args) for func, args in tasks)

    # -------------------------------------------------------------- passes
    def map(self, func: Callable, *args):
        """Apply a row-wise ``func(X_chunk, *args)`` chunk by chunk; stack it.

        ``func`` returns an array whose first axis is the chunk's rows, or a
        tuple of such arrays. The results are written into arrays allocated
        once (no list of chunk results, no concatenation copy).

        Returns
        -------
        result : ndarray of shape (n, ...) or tuple of them
            (a CSR matrix when ``func`` returns sparse matrices)
        """
        tasks = self._tasks(
            lambda batch, X, select: (
                _apply,
                (func, X, select, batch, self.allow_nan, args),
            )
        )
        outputs = None
        sparse_parts = []
        for batch, result in self._run(tasks):
            if sp.issparse(result):  # a sparse embedding: stacked at the end
                sparse_parts.append((batch.start, result))
                continue
            parts = result if isinstance(result, tuple) else (result,)
            if outputs is None:
                outputs = [
                    np.empty((self.n, *np.shape(p)[1:]), dtype=np.asarray(p).dtype)
                    for p in parts
                ]
            for out, part in zip(outputs, parts):
                out[batch] = part
        if sparse_parts:
            sparse_parts.sort(key=lambda part: part[0])
            return sp.vstack([part for _, part in sparse_parts], format="csr")
        if outputs is None:  # pragma: no cover - pools are never empty
            return None
        return tuple(outputs) if len(outputs) > 1 else outputs[0]

    def score_top_k(self, strategy, k: int, salt, keep_utilities: bool, context):
        """Score every candidate with ``strategy._utility``; stream the top-k.

        Returns
        -------
        top : tuple of ndarray of shape (k,), or None
            ``(utilities, rows of X_pool)`` of the ``k`` best candidates,
            best first (``None`` when ``k == 0``).
        utilities : ndarray of shape (n_pool,) or None
            With ``keep_utilities``: every scored row's utility, ``NaN`` for
            rows that are not candidates.
        """
        best = TopK(k, salt) if k else None
        utilities = np.full(self.n_pool, np.nan) if keep_utilities else None
        if is_dask_array(self.X):
            results = score_dask_blocks(
                _score_chunk, strategy, self.X, self.candidates,
                k, salt, keep_utilities, self.allow_nan, context,
            )  # fmt: skip
        else:
            tasks = self._tasks(
                lambda batch, X, select: (
                    _score_chunk,
                    (
                        strategy,
                        X,
                        self.global_indices(np.arange(batch.start, batch.stop)),
                        k,
                        salt,
                        keep_utilities,
                        self.allow_nan,
                        context,
                        select,
                    ),
                )
            )
            results = self._run(tasks)
        for top, indices, chunk_utilities in results:
            if best is not None:
                best.push(*top)
            if keep_utilities:
                utilities[indices] = chunk_utilities
        top = None if best is None else (best.utilities, best.indices)
        return top, utilities
