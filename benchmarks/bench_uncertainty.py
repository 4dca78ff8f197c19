"""Query time and memory of uncertainty sampling against the bare model.

For pools of 10^4, 10^5 and 10^6 samples (50 features, 10 classes,
LogisticRegression fitted on 2,000 labels) it reports, for each uncertainty
strategy and batch sizes 100 and 1,000, the query time divided by the time of
the bare ``predict_proba`` on the same pool in the same process (target: at
most 1.10 at 10^6), and the peak extra memory of a query at the largest pool
as a multiple of the pool array (target: within 1.5x of the pool itself, i.e.
at most 0.5x extra). It also times ``n_jobs=2`` against ``n_jobs=1`` for an
expensive model (a RandomForest).

BLAS/OpenMP thread pools are pinned to one thread (threadpoolctl) while
timing: multi-threaded BLAS is many times slower on small 2-core machines.

Usage::

    python benchmarks/bench_uncertainty.py            # full: up to 10^6
    python benchmarks/bench_uncertainty.py --quick    # up to 10^5
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import best_time, environment, peak_memory, write_json
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from skactive import RandomSampling, UncertaintySampling

METHODS = ["least_confident", "margin", "entropy", "variation_ratio"]


def make_data(n_pool: int, n_features: int = 50, n_classes: int = 10, seed: int = 0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=2.0, size=(n_classes, n_features))
    y = rng.integers(n_classes, size=2_000)
    X = centers[y] + rng.normal(size=(2_000, n_features))
    pool = (
        rng.normal(size=(n_pool, n_features))
        + centers[rng.integers(n_classes, size=n_pool)]
    )
    return X, y, pool


def speed(sizes, batch_sizes, repeats):
    rows = []
    X, y, _ = make_data(10)
    model = LogisticRegression(max_iter=300).fit(X, y)
    for n in sizes:
        _, _, pool = make_data(n, seed=n)
        bare = best_time(lambda: model.predict_proba(pool), repeats)
        rnd = RandomSampling(model, random_state=0).fit(X, y)
        for batch_size in batch_sizes:
            t_random = best_time(lambda: rnd.query(pool, batch_size), repeats)
            for method in METHODS:
                strategy = UncertaintySampling(model, method=method, random_state=0)
                strategy.fit(X, y)
                t = best_time(lambda: strategy.query(pool, batch_size), repeats)
                rows.append(
                    {
                        "n_pool": n,
                        "batch_size": batch_size,
                        "method": method,
                        "predict_proba_s": bare,
                        "query_s": t,
                        "ratio": t / bare,
                        "random_sampling_s": t_random,
                    }
                )
                print(
                    f"n={n:>9,} batch={batch_size:>5} {method:>16}: "
                    f"query {t:7.3f} s / predict_proba {bare:7.3f} s = {t / bare:5.2f}"
                )
    return rows


def memory(n):
    X, y, pool = make_data(n, seed=n)
    rows = []
    model = LogisticRegression(max_iter=300).fit(X, y)
    bare = peak_memory(lambda: model.predict_proba(pool))
    for method in METHODS:
        for batch_size in (100, 1000):
            strategy = UncertaintySampling(model, method=method, random_state=0)
            strategy.fit(X, y)
            peak = peak_memory(lambda: strategy.query(pool, batch_size))
            rows.append(
                {
                    "n_pool": n,
                    "method": method,
                    "batch_size": batch_size,
                    "pool_bytes": pool.nbytes,
                    "query_peak_extra_bytes": peak,
                    "predict_proba_peak_extra_bytes": bare,
                    "peak_total_over_pool": (pool.nbytes + peak) / pool.nbytes,
                }
            )
            print(
                f"memory n={n:,} {method:>16} batch={batch_size}: pool "
                f"{pool.nbytes / 2**20:.0f} MiB, query peak extra {peak / 2**20:.1f} MiB"
                f" (total {(pool.nbytes + peak) / pool.nbytes:.3f}x the pool; bare "
                f"predict_proba extra {bare / 2**20:.1f} MiB)"
            )
    return rows


def parallel(n, repeats):
    X, y, pool = make_data(n, n_features=20, seed=1)
    forest = RandomForestClassifier(n_estimators=100, random_state=0).fit(X, y)
    times = {}
    for n_jobs in (1, 2):
        strategy = UncertaintySampling(forest, method="margin", n_jobs=n_jobs)
        strategy.fit(X, y)
        times[n_jobs] = best_time(lambda: strategy.query(pool, 100), repeats)
    print(
        f"RandomForest(100 trees), pool {n:,}: n_jobs=1 {times[1]:.2f} s, "
        f"n_jobs=2 {times[2]:.2f} s, speed-up {times[1] / times[2]:.2f}x"
    )
    return {
        "n_pool": n,
        "n_jobs_1_s": times[1],
        "n_jobs_2_s": times[2],
        "speedup": times[1] / times[2],
    }


def markdown(payload) -> str:
    """The speed table of docs/benchmarks.md, from a payload."""
    cells = {}
    for r in payload["speed"]:
        cells.setdefault((r["n_pool"], r["batch_size"]), {})[r["method"]] = r
    lines = [
        "| pool | batch | predict_proba (s) | least confident | margin | entropy "
        "| variation ratio | random sampling (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (n, b), row in sorted(cells.items()):
        timed = " | ".join(
            f"{row[m]['query_s']:.4f} ({row[m]['ratio']:.2f}x)" for m in METHODS
        )
        lines.append(
            f"| {n:,} | {b:,} | {row['margin']['predict_proba_s']:.4f} | {timed} "
            f"| {row['margin']['random_sampling_s']:.4f} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pools up to 10^5")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    repeats = 3 if args.quick else 5
    with threadpool_limits(1):
        payload = {
            "environment": environment(threads=1),
            "speed": speed(sizes, [100, 1000], repeats),
            "memory": memory(sizes[-1]),
            "parallel": parallel(20_000 if args.quick else 100_000, 3),
        }
    path = write_json("uncertainty" + ("_quick" if args.quick else ""), payload)
    print(f"written {path}\n\n{markdown(payload)}")


if __name__ == "__main__":
    main()
