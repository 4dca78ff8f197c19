"""Margin sampling in skactive, modAL and scikit-activeml: the same query.

One synthetic problem (50 features, 10 Gaussian classes, 2,000 labelled
samples, a fitted ``LogisticRegression``) and pools of 10^4, 10^5 and 10^6
samples (float64). Each library runs in its own process, on the same data
and the same fitted model, and times ``query`` for a batch of 100 by margin
(the smallest difference between the two largest probabilities), against
the bare ``predict_proba`` of the model on the whole pool, measured in the
same process alternately with the query: warmed up, median of 21 runs at
10^4, 7 at 10^5, 5 at 10^6.

- skactive: ``MarginSampling(model, batch_size=100).query(pool)`` (the
  strategy's estimator is the fitted model, frozen).
- modAL: ``modAL.uncertainty.margin_sampling(model, pool, n_instances=100)``.
- scikit-activeml: ``UncertaintySampling(method="margin_sampling")
  .query(pool, y_unlabelled, clf, fit_clf=False, batch_size=100)`` with the
  model wrapped in ``SklearnClassifier``.

Every run is made twice: with BLAS/OpenMP pinned to one thread
(threadpoolctl), and with the machine's default thread pools, which is what
a user gets without doing anything. Then the chunk-size sensitivity of
skactive's margin query at 10^6 under both thread settings, which explains
why the ratio to ``predict_proba`` moves between machines.

The peers install with ``pip install --no-deps -r benchmarks/requirements.txt``
(``make bench-data``); a missing peer is skipped with a message.

Usage::

    python benchmarks/bench_peers.py            # 10^4 to 10^6
    python benchmarks/bench_peers.py --quick    # 10^4 and 10^5
    python benchmarks/bench_peers.py --table    # the docs' table, from the JSON
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _common import RESULTS, environment, write_json

N_FEATURES, N_CLASSES, N_LABELLED, BATCH = 50, 10, 2000, 100
LIBRARIES = ("skactive", "modAL", "scikit-activeml")
REPEATS = {10_000: 21, 100_000: 7, 1_000_000: 5}


def data(n):
    rng = np.random.RandomState(0)
    centres = rng.normal(scale=1.5, size=(N_CLASSES, N_FEATURES))
    y = rng.randint(N_CLASSES, size=N_LABELLED + n)
    X = centres[y] + rng.normal(size=(N_LABELLED + n, N_FEATURES))
    return X[:N_LABELLED], y[:N_LABELLED], X[N_LABELLED:]


def query_function(library, model, X_pool, chunk_size=None):
    """A no-argument callable running one margin query of ``library``."""
    if library == "skactive":
        from sklearn.frozen import FrozenEstimator

        from skactive import MarginSampling

        strategy = MarginSampling(
            FrozenEstimator(model), batch_size=BATCH, chunk_size=chunk_size
        )
        X_lab, y_lab, _ = data(0)
        strategy.fit(X_lab, y_lab)
        return lambda: strategy.query(X_pool)
    if library == "modAL":
        from modAL.uncertainty import margin_sampling

        return lambda: margin_sampling(model, X_pool, n_instances=BATCH)
    from skactiveml.classifier import SklearnClassifier
    from skactiveml.pool import UncertaintySampling

    X_lab, y_lab, _ = data(0)
    clf = SklearnClassifier(model, classes=np.arange(N_CLASSES)).fit(X_lab, y_lab)
    qs = UncertaintySampling(method="margin_sampling", random_state=0)
    y_pool = np.full(X_pool.shape[0], np.nan)
    return lambda: qs.query(X_pool, y_pool, clf, fit_clf=False, batch_size=BATCH)


def worker(library, n, threads, chunk_size=None):
    """Run in a child process: time the query and the bare predict_proba."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    X_lab, y_lab, X_pool = data(n)
    model = LogisticRegression(max_iter=500).fit(X_lab, y_lab)
    run = query_function(library, model, X_pool, chunk_size)
    limits = threadpool_limits(1) if threads == 1 else threadpool_limits(None)
    with limits:
        for _ in range(2):  # warm up
            run()
            model.predict_proba(X_pool)
        q, p = [], []
        for _ in range(REPEATS.get(n, 5)):
            start = time.perf_counter()
            run()
            q.append(time.perf_counter() - start)
            start = time.perf_counter()
            model.predict_proba(X_pool)
            p.append(time.perf_counter() - start)
    return {"query_s": float(np.median(q)), "proba_s": float(np.median(p))}


def spawn(*args):
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def available(library) -> bool:
    module = {"modAL": "modAL", "scikit-activeml": "skactiveml"}.get(library, library)
    try:
        __import__(module)
    except ImportError:
        print(f"{library} is not installed: skipped (make bench-data)")
        return False
    return True


def markdown(payload) -> str:
    lines = [
        "| pool | threads | library | query (ms) | predict_proba (ms) | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for row in payload["peers"]:
        if "error" in row:
            continue
        lines.append(
            f"| {row['n']:.0e} | {row['threads']} | {row['library']} | "
            f"{1e3 * row['query_s']:.2f} | {1e3 * row['proba_s']:.2f} | "
            f"{row['query_s'] / row['proba_s']:.2f}x |"
        )
    lines += [
        "",
        "| chunk_size (rows) | threads | margin query / predict_proba at 10^6 |",
        "|---|---|---|",
    ]
    for row in payload["chunks"]:
        if "error" in row:
            continue
        lines.append(
            f"| {row['chunk_size']} | {row['threads']} | "
            f"{row['query_s'] / row['proba_s']:.2f}x |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pools up to 10^5")
    parser.add_argument("--table", action="store_true", help="print from the JSON")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        library, n, threads, *chunk = args.worker
        chunk_size = int(chunk[0]) if chunk else None
        print(json.dumps(worker(library, int(n), int(threads), chunk_size)))
        return
    name = "peers_quick" if args.quick else "peers"
    if args.table:
        print(markdown(json.loads(Path(RESULTS / f"{name}.json").read_text())))
        return
    sizes = (10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    libraries = [lib for lib in LIBRARIES if available(lib)]
    peers = []
    for n in sizes:
        for threads in (1, 0):
            for library in libraries:
                row = {"library": library, "n": n, "threads": threads or "default"}
                row.update(spawn(library, n, threads))
                peers.append(row)
                print(row, flush=True)
    chunks = []
    n = sizes[-1]
    for threads in (1, 0):
        for chunk_size in (4096, 16384, 41943, 131072):
            row = {"chunk_size": chunk_size, "threads": threads or "default"}
            row.update(spawn("skactive", n, threads, chunk_size))
            chunks.append(row)
            print(row, flush=True)
    payload = {"environment": environment(1), "peers": peers, "chunks": chunks}
    write_json(name, payload)
    print(markdown(payload))


if __name__ == "__main__":
    main()
