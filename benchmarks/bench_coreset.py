"""Core-set (greedy k-center) query time and memory, against two baselines.

Pools of 10^4, 10^5 and 10^6 samples with 50 features (a mixture of 10
Gaussian classes), 1,000 labelled samples, batches of 100 and 1,000, embedding
= the raw features. For each case it reports the wall-clock time of
``CoreSet.query`` (best of 3 below 10^6, a single run at 10^6), its CPU time
and the peak memory it allocates (tracemalloc, a separate run). Target: at
most 4 s for a batch of 100 from 10^6 x 50.

Baselines:

- ``numpy_greedy``: the plain NumPy greedy loop, float64, one matrix-vector
  product over the whole pool per pick (initial distances to the labelled set
  in blocks of 4,096 rows, so O(n_pool) memory too);
- ``distance_matrix``: materialises the pool x (labelled + pool) distance
  matrix with ``sklearn.metrics.pairwise_distances``, then runs greedy on it.
  It is run at small pools only; its time (quadratic) and memory
  (``8 n_pool (n_pool + n_labelled)`` bytes) are extrapolated to 10^6.

BLAS/OpenMP thread pools are pinned to one thread (threadpoolctl) while
timing: multi-threaded BLAS is many times slower on small 2-core machines.

Usage::

    python benchmarks/bench_coreset.py            # full: up to 10^6
    python benchmarks/bench_coreset.py --quick    # up to 10^5
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import environment, peak_memory, write_json
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import pairwise_distances
from threadpoolctl import threadpool_limits

from skactive import CoreSet

N_FEATURES = 50
N_LABELLED = 1_000
BATCH_SIZES = (100, 1_000)


def make_data(n_pool: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(10, N_FEATURES))
    y = rng.integers(10, size=N_LABELLED)
    X = centres[y] + rng.normal(size=(N_LABELLED, N_FEATURES))
    pool = centres[rng.integers(10, size=n_pool)] + rng.normal(
        size=(n_pool, N_FEATURES)
    )
    return X, y, pool


def timed(fn, repeats: int) -> tuple[float, float, object]:
    """Best wall-clock and CPU seconds of ``repeats`` calls, and the result."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - w)
        cpu = min(cpu, time.process_time() - c)
    return wall, cpu, result


def numpy_greedy(pool: np.ndarray, labelled: np.ndarray, k: int) -> np.ndarray:
    """Plain greedy k-center: one float64 pass over the pool per pick."""
    sq = np.einsum("ij,ij->i", pool, pool)
    lab_sq = np.einsum("ij,ij->i", labelled, labelled)
    nearest = np.empty(pool.shape[0])
    for start in range(0, pool.shape[0], 4096):
        block = slice(start, start + 4096)
        d = sq[block, None] + lab_sq[None, :] - 2.0 * pool[block] @ labelled.T
        nearest[block] = d.min(axis=1)
    picks = []
    for _ in range(k):
        i = int(np.argmax(nearest))
        picks.append(i)
        d = sq + sq[i] - 2.0 * (pool @ pool[i])
        np.minimum(nearest, d, out=nearest)
        nearest[i] = -np.inf
    return np.asarray(picks)


def distance_matrix_greedy(pool, labelled, k):
    """Greedy k-center on the materialised pool x (labelled + pool) matrix."""
    D = pairwise_distances(pool, np.vstack([labelled, pool]))
    nearest = D[:, : labelled.shape[0]].min(axis=1)
    picks = []
    for _ in range(k):
        i = int(np.argmax(nearest))
        picks.append(i)
        np.minimum(nearest, D[:, labelled.shape[0] + i], out=nearest)
        nearest[i] = -np.inf
    return np.asarray(picks)


def row(method, n, k, wall, cpu, peak, note=""):
    return {
        "method": method,
        "n_pool": n,
        "batch_size": k,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_mib": None if peak is None else peak / 2**20,
        "note": note,
    }


def coreset_rows(sizes):
    rows = []
    for n in sizes:
        X, y, pool = make_data(n, seed=n)
        strategy = CoreSet(
            LogisticRegression(max_iter=300), embedding="raw", random_state=0
        ).fit(X, y)
        for k in BATCH_SIZES:
            repeats = 1 if n >= 1_000_000 else 3
            wall, cpu, picks = timed(lambda: strategy.query(pool, k), repeats)
            peak = peak_memory(lambda: strategy.query(pool, k))
            rows.append(row("CoreSet", n, k, wall, cpu, peak))
            if n <= 100_000 and k == 100:
                # Same picks as the plain float64 loop (exact arithmetic).
                reference = numpy_greedy(pool, X, k)
                assert np.array_equal(picks, reference), "picks differ"
        if n == sizes[-1]:
            for k in BATCH_SIZES[:1]:
                repeats = 1 if n >= 1_000_000 else 3
                wall, cpu, _ = timed(lambda: numpy_greedy(pool, X, k), repeats)
                peak = peak_memory(lambda: numpy_greedy(pool, X, k))
                rows.append(row("numpy_greedy", n, k, wall, cpu, peak))
    return rows


def matrix_rows(sizes, target):
    rows = []
    for n in sizes:
        X, _, pool = make_data(n, seed=n)
        k = BATCH_SIZES[0]
        wall, cpu, _ = timed(lambda: distance_matrix_greedy(pool, X, k), 3)
        peak = peak_memory(lambda: distance_matrix_greedy(pool, X, k))
        rows.append(row("distance_matrix", n, k, wall, cpu, peak))
    # Extrapolate from the largest measured pool: time ~ n (n + L), memory
    # = the float64 matrix.
    last = rows[-1]
    n0 = last["n_pool"]
    scale = target * (target + N_LABELLED) / (n0 * (n0 + N_LABELLED))
    rows.append(
        row(
            "distance_matrix",
            target,
            BATCH_SIZES[0],
            last["wall_s"] * scale,
            last["cpu_s"] * scale,
            8.0 * target * (target + N_LABELLED),
            note=f"extrapolated from n_pool={n0:,}",
        )
    )
    return rows


def print_table(rows):
    print(
        f"{'method':<16} {'n_pool':>10} {'batch':>6} {'wall s':>10} "
        f"{'cpu s':>10} {'peak MiB':>12}  note"
    )
    for r in rows:
        peak = "" if r["peak_mib"] is None else f"{r['peak_mib']:12,.1f}"
        print(
            f"{r['method']:<16} {r['n_pool']:>10,} {r['batch_size']:>6} "
            f"{r['wall_s']:>10.3f} {r['cpu_s']:>10.3f} {peak:>12}  {r['note']}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pools up to 10^5")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    matrix_sizes = [2_000, 5_000] if args.quick else [2_000, 5_000, 10_000]
    with threadpool_limits(1):
        rows = coreset_rows(sizes) + matrix_rows(matrix_sizes, sizes[-1])
    print_table(rows)
    payload = {
        "environment": environment(threads=1),
        "settings": {
            "n_features": N_FEATURES,
            "n_labelled": N_LABELLED,
            "threadpool_limits": 1,
            "repeats": "best of 3 below 10^6 pool samples, 1 run at 10^6",
            "peak_memory": "tracemalloc, separate run",
        },
        "results": rows,
    }
    path = write_json("coreset" + ("_quick" if args.quick else ""), payload)
    print(f"written {path}")


if __name__ == "__main__":
    main()
