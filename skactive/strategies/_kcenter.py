"""Greedy k-center (farthest-first traversal), exact and in bounded memory.

Each pick is the point farthest from its nearest centre, the centres being
the given ones (a labelled set) plus the points picked so far. Used by
:class:`~skactive.CoreSet` (Sener & Savarese, 2018) and by the hybrid
strategies' core-set selector. :func:`greedy_k_center` keeps memory at
O(n_pool) beyond the embedding and never builds an n_pool x n_pool or
n_pool x n_labelled matrix:

1. **Bounds.** One blocked pass over the pool computes each point's float32
   squared distance to a random subset of the labelled centres (64 in 50
   dimensions, all of them in a few dimensions). A minimum over a subset is
   an *upper bound* of the distance to the nearest centre.
2. **Lazy evaluation.** Distances only decrease as centres are added, so a
   point whose upper bound is below the farthest distance found can never
   be the next pick. Only *active* points (the largest bounds, refreshed
   against the other centres by blocked matrix products, first against the
   picks, then against the remaining labelled centres only if still needed)
   are updated after each pick, by one matrix-vector product over the
   points the new centre can improve: a point at distance ``r`` from its
   nearest centre ``c`` is skipped when ``|c - new| >= 2 r`` (triangle
   inequality). When the farthest active distance falls near the largest
   inactive bound, more points are activated (twice as many each time) and
   active points fallen below that level are demoted. On a pool of 10^6
   Gaussian points, batches of 100 to 1,000 touch a few percent of the pool
   after the first pass; in the worst case (all distances alike) each pick
   still costs at most one float32 pass over the pool.
3. **float32, exact picks.** Distances are computed in float32 as
   ``||z||^2 + ||c||^2 - 2 z.c`` on embeddings centred on the labelled mean
   (a float32 pass streams half the bytes of a float64 one). Rounding could
   swap two points whose distances agree to ~1e-6 relative, so each pick is
   certified: every active point within twice a rigorous float32 error bound
   of the maximum is re-scored in float64 (``sum((z - c)**2)`` against every
   centre that a float64 product places near its minimum; duplicated points
   scored once), the exact maximum wins, and ties are broken by the
   reproducible random tie keys of :mod:`skactive.utils._selection`. The
   picks are therefore those of exact arithmetic, whatever float32,
   ``chunk_size`` and ``n_jobs`` do. Only when too many *distinct* points
   tie within rounding for an exact re-score (about 300 with 2,000 centres
   in 50 dimensions; degenerate data) are the float32 values trusted.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.parallel import Parallel, delayed

from ..exceptions import DegenerateEmbeddingWarning
from ..utils._selection import draw_salt, tie_keys
from ._diversity import normalize_rows

__all__ = ["greedy_k_center"]

_EPS32 = float(np.finfo(np.float32).eps)
_EPS64 = float(np.finfo(np.float64).eps)
_BLOCK_ROWS = 4096  # pool rows per block of the bound pass
_GEMM_ELEMENTS = 2**19  # elements of one (rows x centres) product
_N_BOUND_CENTRES = 64  # fewest labelled centres of the bound pass
_BOUND_WORK = 64 * 51  # bound centres x (dims + 1) of the bound pass
_MIN_ACTIVE = 8192  # first size of the active set
_REFINE_WORK = 2**25  # most (candidates x centres x dims) re-scored exactly
_MIN_COMPACT = 1024  # fewest points demoted at once from the active set
_FLOAT32_SAFE = 1e30  # largest scaled squared norm of a float32 row


class _Float32Space:
    """The metric space of the distances, and its float32 working copies.

    Both metrics are Euclidean in some space: ``"euclidean"`` in the
    embedding itself, ``"cosine"`` in the embedding's rows scaled to unit
    norm with one more coordinate, 1 for zero rows (0 otherwise), where
    ``|x - c|^2 = 2 (1 - cos(x, c))`` and a zero row is at ``2`` (cosine 0)
    from every other row. ``transform`` maps raw rows there (float64).

    A float32 row is ``[x', 1]`` with ``x' = (x - shift) * scale`` and a
    centre ``[-2 c', |c'|^2]``, so that one product gives ``|c'|^2 - 2 x'.c'``
    and adding ``a = |x'|^2`` the squared distance, in units of
    ``1 / scale^2``. ``shift`` (the labelled mean) limits cancellation
    errors; ``scale`` (the inverse of the largest labelled norm, or of the
    pool's if the pool would overflow float32) keeps values near 1, away
    from float32 overflow and underflow.
    """

    def __init__(self, metric: str, centres: np.ndarray, pool_norm2=None) -> None:
        self.cosine = metric == "cosine"
        transformed = self.transform(centres)
        self.shift = transformed.mean(axis=0)
        self.width = self.shift.shape[0]
        shifted = transformed - self.shift
        norm2 = float(np.einsum("ij,ij->i", shifted, shifted).max())
        if pool_norm2 is not None:
            norm2 = max(norm2, pool_norm2)
        self.scale = 1.0 / np.sqrt(norm2) if norm2 > 0.0 else 1.0

    def transform(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.float64)
        if not self.cosine:
            return rows
        out = np.empty((rows.shape[0], rows.shape[1] + 1))
        out[:, :-1] = normalize_rows(rows)
        out[:, -1] = ~out[:, :-1].any(axis=1)
        return out

    def rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w = self.width
        out = np.empty((rows.shape[0], w + 1), dtype=np.float32)
        with np.errstate(over="ignore"):  # an overflow is detected by the caller
            out[:, :w] = (self.transform(rows) - self.shift) * self.scale
            out[:, w] = 1.0
            return out, np.einsum("ij,ij->i", out[:, :w], out[:, :w])

    def centres(self, rows: np.ndarray) -> np.ndarray:
        out, b = self.rows(rows)
        out[:, : self.width] *= -2.0
        out[:, self.width] = b
        return out

    def exact(
        self,
        rows: np.ndarray,
        centres: np.ndarray,
        row_values: np.ndarray | None = None,
        centre_values: np.ndarray | None = None,
    ) -> np.ndarray:
        """Exact distance of each (raw) row to its nearest (transformed) centre.

        ``sum((x - c)**2)`` in float64, evaluated for the pairs that a float64
        matrix product places within its rounding error of each row's minimum
        (the others cannot attain it). With ``row_values`` and
        ``centre_values`` (one number per row and per centre), each pair's
        squared distance is weighted by ``(v_x - v_c)**2``: the square of the
        product of the distances in the two spaces (improved greedy
        sampling's), the candidates placed the same way.
        """
        rows = self.transform(rows)
        rows_c, centres_c = rows - self.shift, centres - self.shift
        a = np.einsum("ij,ij->i", rows_c, rows_c)
        b = np.einsum("ij,ij->i", centres_c, centres_c)
        margin = 6.0 * (rows.shape[1] + 6) * _EPS64 * (a.max() + b.max())
        best = np.full(rows.shape[0], np.inf)
        step = max(1, _GEMM_ELEMENTS // max(1, centres.shape[0]))
        for start in range(0, rows.shape[0], step):
            batch = slice(start, start + step)
            approx = rows_c[batch] @ centres_c.T
            approx *= -2.0
            approx += a[batch, None]
            approx += b[None, :]
            if row_values is None:
                near_row, near_col = np.nonzero(
                    approx <= (approx.min(axis=1) + margin)[:, None]
                )
            else:
                w2 = row_values[batch, None] - centre_values[None, :]
                w2 *= w2
                high = (approx + margin) * w2
                approx -= margin
                approx *= w2
                near_row, near_col = np.nonzero(approx <= high.min(axis=1)[:, None])
            near_row += start
            direct = ((rows[near_row] - centres[near_col]) ** 2).sum(axis=1)
            if row_values is not None:
                w = row_values[near_row] - centre_values[near_col]
                direct *= w * w
            np.minimum.at(best, near_row, direct)
        return best


def _bound_block(space, Z, rows, centres_t):
    """Upper bounds of one block of pool rows against the bound centres, and
    the centre attaining each."""
    Zb, a = space.rows(np.asarray(Z[rows], dtype=np.float64))
    with np.errstate(all="ignore"):  # see greedy_k_center
        products = Zb @ centres_t
    nearest = products.argmin(axis=1)
    bounds = products[np.arange(nearest.shape[0]), nearest]
    bounds += a
    return rows, bounds, nearest, float(a.max()) if a.shape[0] else 0.0


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows and, for each row, the index of its distinct row."""
    if (rows == rows[0]).all():
        return rows[:1], np.zeros(rows.shape[0], dtype=np.intp)
    order = np.lexsort(rows.T[::-1])
    ordered = rows[order]
    starts = np.ones(rows.shape[0], dtype=bool)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(rows.shape[0], dtype=np.intp)
    inverse[order] = np.cumsum(starts) - 1
    return ordered[starts], inverse


def _min_distances(Z32, a, centres_t, centre_ids, out, out_ids, rows=None):
    """``out[rows] = min(out[rows], a + min_c (Z32 @ centres_t))``, in blocks,
    with ``out_ids`` following the centre (``centre_ids``) attaining it."""
    rows = np.arange(Z32.shape[0]) if rows is None else rows
    step = max(1, _GEMM_ELEMENTS // max(1, centres_t.shape[1]))
    for start in range(0, rows.shape[0], step):
        block = rows[start : start + step]
        with np.errstate(all="ignore"):  # see greedy_k_center
            products = Z32[block] @ centres_t
        nearest = products.argmin(axis=1)
        dist = products[np.arange(nearest.shape[0]), nearest]
        dist += a[block]
        better = dist < out[block]
        out[block[better]] = dist[better]
        out_ids[block[better]] = centre_ids[nearest[better]]


def _nearest_block(space, Z, rows, centres):
    """Exact squared distances of one block of rows to their nearest centre,
    the rows' squared norms about the space's shift, and their norms."""
    raw = Z[rows]
    Zt = space.transform(raw)
    shifted = Zt - space.shift
    norms = np.sqrt(np.einsum("ij,ij->i", Zt, Zt))
    a = np.einsum("ij,ij->i", shifted, shifted)
    return rows, space.exact(raw, centres), a, norms


class NearestDistances:
    """Every point's exact squared distance to its nearest centre, as centres
    are added one at a time.

    The plain greedy loop that :class:`_LazyKCenter` avoids, for selections
    that need every point's distance at every step (ranked batch-mode
    sampling mixes it with a utility, so no distance bound prunes a point).
    Memory is O(n) plus blocks of ``block_rows`` rows; no distance matrix.

    - ``__init__``: one blocked pass (``n_jobs`` threads) computes each
      point's distance to the given centres with :meth:`_Float32Space.exact`
      (a float64 product places the candidates of the minimum, which are then
      re-scored as ``sum((z - c)**2)``);
    - :meth:`add_centre`: one blocked float64 matrix-vector product per new
      centre; the points it may improve (the product within a rigorous
      rounding bound of their current value) are re-scored the same way.

    Each value is therefore the minimum of ``sum((z - c)**2)`` over the
    centres, computed pair by pair: the same bits for any ``block_rows`` and
    ``n_jobs``, so ties and argmaxes over these values are reproducible.
    ``sq`` holds them in the metric space of :class:`_Float32Space` (for
    ``"cosine"``, ``2 (1 - cos)``); :meth:`distances` in the metric's units.
    """

    def __init__(self, Z, centres, metric, block_rows=None, n_jobs=None) -> None:
        self.Z, self.cosine = Z, metric == "cosine"
        centres = np.asarray(centres, dtype=np.float64)
        self.space = space = _Float32Space(metric, centres)
        n_samples, n_centres = Z.shape[0], centres.shape[0]
        self.n_dims = space.width
        self.sq = np.empty(n_samples)
        self.a = np.empty(n_samples)  # |T(z) - shift|^2
        self.norms = np.empty(n_samples)  # |T(z)|
        exact_centres = space.transform(centres)
        step = max(1, min(block_rows or _BLOCK_ROWS, _GEMM_ELEMENTS // n_centres))
        results = Parallel(
            n_jobs=n_jobs, prefer="threads", return_as="generator_unordered"
        )(
            delayed(_nearest_block)(space, Z, rows, exact_centres)
            for rows in gen_batches(n_samples, step)
        )
        for rows, sq, a, norms in results:
            self.sq[rows], self.a[rows], self.norms[rows] = sq, a, norms
        self.shift_norm = float(np.sqrt(space.shift @ space.shift))
        self.step = block_rows or _BLOCK_ROWS

    def add_centre(self, index: int) -> None:
        """Make the point ``Z[index]`` a centre; update every distance.

        ``|z - s|^2 + |c - s|^2 - 2 (z.(c - s) - s.(c - s))``, ``s`` the
        shift, approximates the squared distance in float64 with an error
        below ``6 (d + 6) eps (|z - s|^2 + |c - s|^2 + 2 (|z| + |s|) |c - s|)``
        (one product of the raw rows per block, no copy of them); only the
        points whose approximation is within that bound of their current
        value are re-scored exactly.
        """
        space = self.space
        centre = space.transform(self.Z[[index]])[0]
        shifted = centre - space.shift
        b = float(shifted @ shifted)
        offset = float(space.shift @ shifted)
        c_norm = float(np.sqrt(b))
        factor = 6.0 * (self.n_dims + 6) * _EPS64
        for rows in gen_batches(self.Z.shape[0], self.step):
            Zt = space.transform(self.Z[rows])
            approx = Zt @ shifted
            approx -= offset
            approx *= -2.0
            a = self.a[rows]
            approx += a
            approx += b
            bound = self.norms[rows] + self.shift_norm
            bound *= 2.0 * c_norm
            bound += a
            bound += b
            bound *= factor
            current = self.sq[rows]  # a view: updated in place
            bound += current
            near = np.flatnonzero(approx <= bound)
            if near.shape[0]:
                direct = ((Zt[near] - centre) ** 2).sum(axis=1)
                current[near] = np.minimum(current[near], direct)

    def distances(self) -> np.ndarray:
        """The distances to the nearest centres, in the metric's units."""
        return self.sq / 2.0 if self.cosine else np.sqrt(self.sq)


class _LazyKCenter:
    """State of one greedy k-center selection (see the module docstring).

    Every point not picked is *active* (its current float32 distance is
    kept, with its float32 row) or *inactive* with an upper bound of its
    distance: *fresh* points (bound from the bound pass, sorted, consumed
    from the top) and *demoted* points (bound = their distance when
    demoted, with the number of picks it accounts for and whether it
    accounts for all the labelled centres). Active points all have distances
    at least ``threshold``; inactive bounds are all below it. Each value is
    the float32 distance to a known centre (``*_c``, an index into
    ``exact_centres``), which lets a new centre skip the points it cannot
    improve (triangle inequality).
    """

    def __init__(
        self, Z, centres, salt, metric, n_select, excluded, block_rows, n_jobs
    ):
        self.Z, self.salt = Z, salt
        n_samples = Z.shape[0]
        n_centres = centres.shape[0]
        self.space = space = _Float32Space(metric, centres)
        n_dims = space.width
        # Exact centres (float64, in the metric space): labelled, then picks.
        self.exact_centres = np.empty((n_centres + n_select, n_dims))
        self.exact_centres[:n_centres] = space.transform(centres)
        self.n_exact = n_centres
        self.pick_centres = np.empty((n_select, n_dims + 1), dtype=np.float32)
        self.n_picks = 0

        # 1. Bounds against a random subset of the centres (by tie key), as
        # many as 64 centres cost in 50 dimensions (all of them in few
        # dimensions, where a small subset gives loose bounds).
        n_bound = max(_N_BOUND_CENTRES, _BOUND_WORK // (n_dims + 1))
        if n_centres <= 2 * n_bound:
            bound_idx = np.arange(n_centres)
        else:
            keys = tie_keys(np.arange(n_centres), salt)
            bound_idx = np.sort(np.argpartition(keys, n_bound)[:n_bound])
        step = max(1, min(block_rows or _BLOCK_ROWS, _GEMM_ELEMENTS // len(bound_idx)))
        batches = list(gen_batches(n_samples, step))
        bounds = np.empty(n_samples, dtype=np.float32)
        self.bound_c = np.empty(n_samples, dtype=np.int32)

        def bound_pass(space) -> float:
            bound_t = np.ascontiguousarray(space.centres(centres[bound_idx]).T)
            a_max = 0.0
            results = Parallel(
                n_jobs=n_jobs, prefer="threads", return_as="generator_unordered"
            )(delayed(_bound_block)(space, Z, rows, bound_t) for rows in batches)
            for rows, block_bounds, nearest, block_a_max in results:
                bounds[rows] = block_bounds
                self.bound_c[rows] = bound_idx[nearest]
                a_max = max(a_max, block_a_max)
            return a_max

        a_max = bound_pass(space)
        if not a_max < _FLOAT32_SAFE:  # pool norms overflow at the labelled scale
            pool_norm2 = 0.0
            for rows in batches:
                diff = space.transform(Z[rows]) - space.shift
                pool_norm2 = max(
                    pool_norm2, float(np.einsum("ij,ij->i", diff, diff).max())
                )
            self.space = space = _Float32Space(metric, centres, pool_norm2)
            a_max = bound_pass(space)
        bounds[excluded] = -np.inf  # a first pick made without centres
        late_idx = np.setdiff1d(np.arange(n_centres), bound_idx)
        self.late_idx = late_idx
        self.late_t = (
            np.ascontiguousarray(space.centres(centres[late_idx]).T)
            if late_idx.shape[0]
            else None
        )

        # float32 error bound of one distance, in the scaled units (see the
        # module docstring); the labelled norms are at most 1 once scaled.
        scale2 = space.scale**2
        shifted = self.exact_centres[:n_centres] - space.shift
        b_max = float(np.einsum("ij,ij->i", shifted, shifted).max()) * scale2
        self.delta = 3.0 * (n_dims + 6) * _EPS32 * max(a_max, b_max)
        self.scale2 = scale2

        # 2. Inactive and active points.
        self.order = np.argsort(-bounds)
        self.neg_sorted = -bounds[self.order]  # ascending
        self.head = 0
        self.n_fresh = int(np.searchsorted(self.neg_sorted, np.inf))  # no picks
        self.dem_idx = np.empty(0, dtype=np.intp)
        self.dem_bound = np.empty(0, dtype=np.float32)
        self.dem_version = np.empty(0, dtype=np.intp)
        self.dem_full = np.empty(0, dtype=bool)
        self.dem_c = np.empty(0, dtype=np.int32)
        self.act_c = np.empty(0, dtype=np.int32)
        self.act_idx = np.empty(0, dtype=np.intp)
        self.act_Z = np.empty((0, n_dims + 1), dtype=np.float32)
        self.act_a = np.empty(0, dtype=np.float32)
        self.act_m = np.empty(0, dtype=np.float32)
        self.threshold = np.inf
        self.n_new = max(_MIN_ACTIVE, 4 * n_select)

    def _n_inactive(self) -> int:
        return self.n_fresh - self.head + self.dem_idx.shape[0]

    def _demote(self, idx, bound, full, nearest) -> None:
        self.dem_c = np.concatenate([self.dem_c, nearest])
        self.dem_idx = np.concatenate([self.dem_idx, idx])
        self.dem_bound = np.concatenate([self.dem_bound, bound])
        self.dem_version = np.concatenate(
            [self.dem_version, np.full(idx.shape[0], self.n_picks, dtype=np.intp)]
        )
        self.dem_full = np.concatenate([self.dem_full, full])

    def _activate(self) -> None:
        """Refresh the ``n_new`` largest bounds; keep those still above the cut."""
        n_new, head, n_fresh = self.n_new, self.head, self.n_fresh
        if self._n_inactive() > n_new:
            top = np.concatenate(
                [-self.neg_sorted[head : min(head + n_new, n_fresh)], self.dem_bound]
            )
            cut = np.partition(top, top.shape[0] - n_new)[top.shape[0] - n_new]
        else:
            cut = np.float32(-np.inf)
        stop = min(n_fresh, int(np.searchsorted(self.neg_sorted, -cut, side="right")))
        revived = self.dem_bound >= cut
        idx = np.concatenate([self.order[head:stop], self.dem_idx[revived]])
        m = np.concatenate([-self.neg_sorted[head:stop], self.dem_bound[revived]])
        version = np.concatenate(
            [np.zeros(stop - head, dtype=np.intp), self.dem_version[revived]]
        )
        full = np.concatenate(
            [np.full(stop - head, self.late_t is None), self.dem_full[revived]]
        )
        nearest = np.concatenate(
            [self.bound_c[self.order[head:stop]], self.dem_c[revived]]
        )
        self.head = stop
        keep = ~revived
        self.dem_idx, self.dem_bound = self.dem_idx[keep], self.dem_bound[keep]
        self.dem_version, self.dem_full = self.dem_version[keep], self.dem_full[keep]
        self.dem_c = self.dem_c[keep]

        # Cheapest first: the picks each point has not seen, then the
        # labelled centres left out of the bound pass, only for the points
        # still above the cut (the others keep a valid, smaller bound).
        Z32, a = self.space.rows(np.asarray(self.Z[idx], dtype=np.float64))
        oldest = int(version.min()) if version.shape[0] else self.n_picks
        if self.n_picks > oldest:
            picks_t = np.ascontiguousarray(self.pick_centres[oldest : self.n_picks].T)
            pick_ids = self.n_exact - self.n_picks + np.arange(oldest, self.n_picks)
            _min_distances(Z32, a, picks_t, pick_ids, m, nearest)
        if self.late_t is not None:
            need = np.flatnonzero(~full & (m >= cut))
            if need.shape[0]:
                _min_distances(
                    Z32, a, self.late_t, self.late_idx, m, nearest, rows=need
                )
                full[need] = True

        above = m >= cut
        below = ~above
        self._demote(idx[below], m[below], full[below], nearest[below])
        # Active points fallen below the cut are demoted too.
        old_above = self.act_m >= cut
        old_below = ~old_above & (self.act_m > -np.inf)
        self._demote(
            self.act_idx[old_below],
            self.act_m[old_below],
            np.ones(int(old_below.sum()), dtype=bool),
            self.act_c[old_below],
        )
        self.act_idx = np.concatenate([self.act_idx[old_above], idx[above]])
        self.act_Z = np.concatenate([self.act_Z[old_above], Z32[above]])
        self.act_a = np.concatenate([self.act_a[old_above], a[above]])
        self.act_m = np.concatenate([self.act_m[old_above], m[above]])
        self.act_c = np.concatenate([self.act_c[old_above], nearest[above]])
        self.threshold = float(cut)
        self.n_new *= 2

    def next_pick(self) -> int:
        """The point farthest from every centre (exact arithmetic, tie keys)."""
        delta = self.delta
        while True:
            best = self.act_m.max() if self.act_m.shape[0] else -np.inf
            if self._n_inactive() == 0 or (
                np.isfinite(best) and float(best) >= self.threshold + 2.0 * delta
            ):
                break
            self._activate()
        cut = np.nextafter(np.float32(float(best) - 2.0 * delta), np.float32(-np.inf))
        near = np.flatnonzero(self.act_m >= cut)
        # Distinct points within rounding of the farthest (float32 rounding
        # when too many to re-score, else a relative 1e-9 of exact values).
        self.n_tied = near.shape[0] if float(best) > 0 else 0
        if near.shape[0] > 1:
            rows = np.asarray(self.Z[self.act_idx[near]], dtype=np.float64)
            unique, inverse = _unique_rows(rows)
            work = unique.shape[0] * self.n_exact * rows.shape[1]
            if work <= _REFINE_WORK:
                exact = self.space.exact(unique, self.exact_centres[: self.n_exact])
                top = exact.max()
                self.n_tied = int((exact >= top * (1.0 - 1e-9)).sum()) if top > 0 else 0
                exact = exact[inverse]
                near = near[exact == top]
            else:  # degenerate: many distinct points tie within rounding
                near = near[self.act_m[near] == best]
        if near.shape[0] > 1:
            near = near[[np.argmin(tie_keys(self.act_idx[near], self.salt))]]
        pos = int(near[0])
        self.act_m[pos] = -np.inf
        return int(self.act_idx[pos])

    def add_centre(self, pick: int) -> None:
        """Make ``pick`` a centre: update the active distances it can improve.

        If ``x``'s float32 distance to its centre ``c`` is ``m`` (true value at
        most ``m + delta``) and ``|c - new|^2 >= 4 (m + delta)``, the triangle
        inequality gives ``|x - new| >= |x - c|``: ``x`` is skipped.
        """
        row = np.asarray(self.Z[[pick]], dtype=np.float64)
        new = self.space.transform(row)[0]
        apart = ((self.exact_centres[: self.n_exact] - new) ** 2).sum(axis=1)
        new_id = self.n_exact
        self.exact_centres[new_id] = new
        self.n_exact += 1
        centre = self.space.centres(row)[0]
        self.pick_centres[self.n_picks] = centre
        self.n_picks += 1

        # In unscaled units, like apart.
        reach = self.act_m.astype(np.float64)
        reach += self.delta
        reach *= 4.0 * (1.0 + 1e-9) / self.scale2
        rows = np.flatnonzero(apart[self.act_c] < reach)
        with np.errstate(all="ignore"):  # see greedy_k_center
            if rows.shape[0] > self.act_m.shape[0] // 2:
                dist = self.act_Z @ centre
                dist += self.act_a
                better = np.flatnonzero(dist < self.act_m)
                self.act_m[better] = dist[better]
            else:
                dist = self.act_Z[rows] @ centre
                dist += self.act_a[rows]
                improved = dist < self.act_m[rows]
                better = rows[improved]
                self.act_m[better] = dist[improved]
        self.act_c[better] = new_id
        # Compact: points below the threshold cannot be picked before the
        # next activation; demote them once they are half the active set.
        below = self.act_m < self.threshold
        n_below = int(below.sum())
        if n_below > max(_MIN_COMPACT, self.act_m.shape[0] // 2):
            drop = below & (self.act_m > -np.inf)
            self._demote(
                self.act_idx[drop],
                self.act_m[drop],
                np.ones(int(drop.sum()), dtype=bool),
                self.act_c[drop],
            )
            keep = ~below
            self.act_idx, self.act_Z = self.act_idx[keep], self.act_Z[keep]
            self.act_a, self.act_m = self.act_a[keep], self.act_m[keep]
            self.act_c = self.act_c[keep]


def greedy_k_center(
    Z,
    n_select: int,
    *,
    centres=None,
    metric: str = "euclidean",
    random_state=None,
    block_rows: int | None = None,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Greedy k-center selection (farthest-first traversal).

    Each pick is the point of ``Z`` whose distance to its nearest centre
    (``centres`` plus the points already picked) is largest; the picks are
    those of exact float64 arithmetic (see the module docstring for how the
    float32 computation is certified). Ties are broken at random by the tie
    keys of the indices (:mod:`skactive.utils`), salted by one draw from
    ``random_state``. Without ``centres`` the first pick is the point with
    the smallest tie key (uniformly random).

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_dims)
        Candidate points (an embedding of the pool); not modified.
    n_select : int
        Number of picks, ``1 <= n_select <= n_samples``.
    centres : array-like of shape (n_centres, n_dims), default=None
        Points already covered (the labelled set's embedding).
    metric : {"euclidean", "cosine"}, default="euclidean"
        Distance; ``"cosine"`` is ``1 - cos(z, c)`` (0 cosine for zero rows).
    random_state : int, RandomState instance or None, default=None
        Breaks ties between equally distant points (one draw). Pass an int
        for reproducible picks.
    block_rows : int, default=None
        Pool rows per block of the bound pass (default 4096). The picks do
        not depend on it.
    n_jobs : int, default=None
        Blocks of the bound pass computed in parallel threads.

    Returns
    -------
    picks : ndarray of shape (n_select,)
        Indices into ``Z``, in the order picked.

    References
    ----------
    .. [1] O. Sener and S. Savarese, "Active Learning for Convolutional
       Neural Networks: A Core-Set Approach", ICLR 2018.
    .. [2] T. F. Gonzalez, "Clustering to minimize the maximum intercluster
       distance", Theoretical Computer Science 38, 1985.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive import greedy_k_center
    >>> Z = np.array([[0.0], [1.0], [2.0], [10.0]])
    >>> greedy_k_center(Z, 2, centres=np.array([[0.0]]), random_state=0)
    array([3, 2])
    """
    salt = draw_salt(check_random_state(random_state))
    # The float32 products run under np.errstate(all="ignore"): their inputs
    # are finite and scaled to norms near 1 (an overflowing pool is rescaled),
    # while BLAS kernels can raise spurious "invalid value" flags.
    n_samples = Z.shape[0]
    picks: list[int] = []
    if centres is None or len(centres) == 0:
        picks.append(int(np.argmin(tie_keys(np.arange(n_samples), salt))))
        centres = Z[picks]
    centres = np.asarray(centres, dtype=np.float64)
    if len(picks) < n_select:
        engine = _LazyKCenter(
            Z, centres, salt, metric, n_select, picks, block_rows, n_jobs
        )
        first = True
        while len(picks) < n_select:
            picks.append(engine.next_pick())
            if first:
                warn_if_degenerate(engine.n_tied, n_samples, n_select)
                first = False
            if len(picks) < n_select:
                engine.add_centre(picks[-1])
    return np.asarray(picks[:n_select], dtype=np.intp)


def warn_if_degenerate(n_tied: int, n_samples: int, n_select: int) -> None:
    """Warn when the farthest candidates tie in numbers: the embedding does
    not separate them, and farthest-first picks among them at random.

    ``n_tied`` counts the candidates within rounding of the largest
    distance (float32 rounding in :func:`greedy_k_center`, a relative 1e-9
    in exact distances). The threshold (a tenth of the candidates, and more
    than the batch) is far from what data with any geometry gives (one or
    a few points at the maximum).
    """
    if n_tied > max(n_select, 0.1 * n_samples) and n_tied > 1:
        warnings.warn(
            f"{n_tied} of {n_samples} candidates ({n_tied / n_samples:.0%}) are "
            "equally far from the labelled samples in this embedding: distances "
            "do not tell them apart, and the picks among them are left to "
            "chance (to uncertainty alone in a ranked batch). A TF-IDF "
            "vectorizer fitted on a few labelled texts does that: most texts "
            "share no word with them, and empty texts are among the farthest. "
            "Use an "
            "embedding of the whole pool (a pre-trained encoder as "
            "embedding=...), or a strategy that weighs uncertainty "
            "(DiverseMiniBatch, BADGE).",
            DegenerateEmbeddingWarning,
            stacklevel=3,
        )
