"""Speed overview: query time of every strategy family against the pool size.

One synthetic problem (50 features, 10 Gaussian classes, 2,000 labelled
samples; ``LogisticRegression``, or a ``Committee`` of 5 bagged copies of
it) and pools of 10^4, 10^5 and 10^6 samples (float64). For each strategy it
reports the time of ``query(pool, 100)`` and its ratio to the bare
``predict_proba`` of the model the strategy wraps (``strategy.estimator_``,
i.e. the committee's averaged members for committee strategies) on the same
pool, measured in the same run, and the peak memory a query allocates
(tracemalloc, a separate untimed run) as a multiple of the pool array (and,
for reference, the peak of the bare ``predict_proba`` on the whole pool).

- ``random``, ``margin``, ``egl`` (expected gradient length), ``qbc``
  (vote entropy over the committee), ``bald`` (over the committee),
  ``coreset`` (k-center greedy from the 2,000 labelled samples),
  ``diverse_minibatch`` (k-means on the top 10 x 100 by margin),
  ``information_density`` (entropy x similarity to 1,000 reference samples)
  and ``badge`` (k-means++ on gradient embeddings): 10^4 to 10^6.
- ``bald (MC-Dropout MLP)``: BALD over an MC-Dropout network (MLP
  50-128-10, dropout 0.5, T = 20 passes, float32 pool), against the
  network's ``predict_proba`` (the mean of the same T passes), when torch
  and skorch are installed.
- ``typiclust`` (a cold-start strategy: k-means + k-NN typicality over the
  whole pool) stops at 10^5: at 10^6 a query takes minutes.
- ``margin`` also at 10^7 with a memory-mapped pool (``np.save`` to a
  temporary folder, then ``np.load(mmap_mode="r")``; 3.7 GiB of float64,
  removed afterwards). The file was just written, so it is in the page cache:
  the time is compute, not disk. Not in ``--quick``.

Then the scaling of pool scoring with ``n_jobs=1`` against ``n_jobs=2`` on
expensive models (pool 10^5 x 20): margin over a RandomForest of 100 trees,
a 15-nearest-neighbours classifier and an MLP (256-256), vote entropy over a
committee of 5 forests of 20 trees, and information density over the
forest.

BLAS/OpenMP thread pools are pinned to one thread (threadpoolctl) while
timing; times are the best of several runs (5 at 10^4, 3 at 10^5, 2 at 10^6,
1 at 10^7).

Usage::

    python benchmarks/bench_speed.py            # full: up to 10^6 (10^7 margin)
    python benchmarks/bench_speed.py --quick    # up to 10^5, no 10^7
    python benchmarks/bench_speed.py --table    # the docs' tables, from the JSON
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
from _common import RESULTS, best_time, environment, peak_memory, write_json
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

import skactive as sa

N_FEATURES, N_CLASSES, N_LABELLED, BATCH = 50, 10, 2_000, 100
MIB = 2**20
REPEATS = {10_000: 5, 100_000: 3, 1_000_000: 2, 10_000_000: 1}
MAX_POOL = {"typiclust": 100_000}
DEEP = {"bald (MC-Dropout MLP)"}  # float32 pools, as networks use


def centres(n_features=N_FEATURES, seed=0):
    return np.random.default_rng(seed).normal(scale=2.0, size=(N_CLASSES, n_features))


def labelled(n_features=N_FEATURES):
    rng = np.random.default_rng(1)
    y = rng.integers(N_CLASSES, size=N_LABELLED)
    return centres(n_features)[y] + rng.normal(size=(N_LABELLED, n_features)), y


def pool_rows(n, n_features=N_FEATURES, seed=2, out=None, block=1_000_000):
    """A pool of ``n`` rows, made block by block (into ``out`` if given)."""
    rng = np.random.default_rng(seed)
    c = centres(n_features)
    if out is None:
        out = np.empty((n, n_features))
    for start in range(0, n, block):
        stop = min(n, start + block)
        out[start:stop] = rng.normal(size=(stop - start, n_features))
        out[start:stop] += c[rng.integers(N_CLASSES, size=stop - start)]
    return out


def strategies(model, committee) -> dict:
    return {
        "random": sa.RandomSampling(model),
        "margin": sa.MarginSampling(model),
        "egl": sa.ExpectedGradientLength(model),
        "qbc": sa.QueryByCommittee(committee),
        "bald": sa.BALD(committee),
        "coreset": sa.CoreSet(model),
        "diverse_minibatch": sa.DiverseMiniBatch(model),
        "information_density": sa.InformationDensity(model),
        "badge": sa.BADGE(model),
        "typiclust": sa.TypiClust(model),
    }


def measure(name, strategy, pool, repeats, with_memory=True) -> dict:
    bare_model = strategy.estimator_
    bare = best_time(lambda: bare_model.predict_proba(pool), repeats)
    query = best_time(lambda: strategy.query(pool, BATCH), repeats)
    row = {
        "strategy": name,
        "n_pool": int(pool.shape[0]),
        "batch_size": BATCH,
        "predict_proba_s": bare,
        "query_s": query,
        "ratio": query / bare,
        "pool_bytes": int(pool.nbytes),
    }
    if with_memory:
        peak = peak_memory(lambda: strategy.query(pool, BATCH))
        row["query_peak_extra_bytes"] = int(peak)
        row["query_peak_extra_over_pool"] = peak / pool.nbytes
        row["predict_proba_peak_extra_bytes"] = int(
            peak_memory(lambda: bare_model.predict_proba(pool))
        )
    extra = (
        f", peak extra {row['query_peak_extra_bytes'] / MIB:8.1f} MiB "
        f"({row['query_peak_extra_over_pool']:.3f}x the pool)"
        if with_memory
        else ""
    )
    print(
        f"n={pool.shape[0]:>10,} {name:>20}: query {query:8.3f} s / "
        f"predict_proba {bare:7.3f} s = {query / bare:7.2f}{extra}",
        flush=True,
    )
    return row


def deep_strategies() -> dict:
    """BALD over an MC-Dropout MLP (50-128-10, T=20), if torch is installed."""
    if importlib.util.find_spec("skorch") is None:
        print("torch or skorch is not installed: the MC-Dropout case is skipped")
        return {}
    import torch
    from skorch.toy import MLPModule

    from skactive.deep import MCDropoutClassifier

    torch.set_num_threads(1)
    net = MCDropoutClassifier(
        MLPModule,
        module__input_units=N_FEATURES,
        module__output_units=N_CLASSES,
        module__hidden_units=128,
        module__dropout=0.5,
        optimizer=torch.optim.Adam,
        max_epochs=5,
        iterator_valid__batch_size=1024,
        n_mc_samples=20,
        random_state=0,
    )
    return {"bald (MC-Dropout MLP)": sa.BALD(net)}


def speed(sizes) -> list:
    X, y = labelled()
    model = LogisticRegression(max_iter=300).fit(X, y)
    committee = sa.Committee(estimator=model, n_members=5, random_state=0)
    fitted = {
        name: s.set_params(random_state=0).fit(X.astype(np.float32), y)
        if name in DEEP
        else s.set_params(random_state=0).fit(X, y)
        for name, s in {**strategies(model, committee), **deep_strategies()}.items()
    }
    rows = []
    for n in sizes:
        pool = pool_rows(n)
        for name, strategy in fitted.items():
            if n > MAX_POOL.get(name, np.inf):
                continue
            data = pool.astype(np.float32) if name in DEEP else pool
            rows.append(measure(name, strategy, data, REPEATS[n]))
            del data
        del pool
    return rows


def memmap_pool(n) -> dict:
    """Margin sampling on a memory-mapped pool of ``n`` rows (float64)."""
    X, y = labelled()
    strategy = sa.MarginSampling(LogisticRegression(max_iter=300), random_state=0)
    strategy.fit(X, y)
    folder = Path(tempfile.mkdtemp(prefix="skactive_bench_"))
    try:
        path = folder / "pool.npy"
        out = np.lib.format.open_memmap(
            path, mode="w+", dtype=np.float64, shape=(n, N_FEATURES)
        )
        pool_rows(n, out=out)
        out.flush()
        del out
        pool = np.load(path, mmap_mode="r")
        row = measure("margin (memmap)", strategy, pool, REPEATS[n])
        row["memmap"] = True
        del pool
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return row


def parallel(n, repeats) -> list:
    n_features = 20
    X, y = labelled(n_features)
    pool = pool_rows(n, n_features)
    forest = RandomForestClassifier(n_estimators=100, random_state=0)
    forests = sa.Committee(
        estimator=RandomForestClassifier(n_estimators=20, random_state=0),
        n_members=5,
        random_state=0,
    )
    knn = KNeighborsClassifier(n_neighbors=15)
    mlp = MLPClassifier(hidden_layer_sizes=(256, 256), max_iter=300, random_state=0)
    cases = {
        "margin (forest, 100 trees)": lambda n_jobs: sa.MarginSampling(
            forest, n_jobs=n_jobs, random_state=0
        ),
        "margin (k-NN, 15 neighbours)": lambda n_jobs: sa.MarginSampling(
            knn, n_jobs=n_jobs, random_state=0
        ),
        "margin (MLP, 256-256)": lambda n_jobs: sa.MarginSampling(
            mlp, n_jobs=n_jobs, random_state=0
        ),
        "qbc (5 forests x 20 trees)": lambda n_jobs: sa.QueryByCommittee(
            forests, n_jobs=n_jobs, random_state=0
        ),
        "information_density (forest)": lambda n_jobs: sa.InformationDensity(
            forest, n_jobs=n_jobs, random_state=0
        ),
    }
    rows = []
    for name, make in cases.items():
        times, picks = {}, {}
        for n_jobs in (1, 2):
            strategy = make(n_jobs).fit(X, y)
            times[n_jobs] = best_time(lambda: strategy.query(pool, BATCH), repeats)
            picks[n_jobs] = strategy.query(pool, BATCH)
        same = bool(np.array_equal(picks[1], picks[2]))
        rows.append(
            {
                "strategy": name,
                "n_pool": n,
                "n_features": n_features,
                "n_jobs_1_s": times[1],
                "n_jobs_2_s": times[2],
                "speedup": times[1] / times[2],
                "same_selection": same,
            }
        )
        print(
            f"{name:>30}, pool {n:,}: n_jobs=1 {times[1]:6.2f} s, n_jobs=2 "
            f"{times[2]:6.2f} s, speed-up {times[1] / times[2]:.2f}x, "
            f"same picks: {same}",
            flush=True,
        )
    return rows


def markdown(payload) -> str:
    """The tables of docs/benchmarks.md, from a payload."""
    rows = payload["speed"]
    sizes = sorted({r["n_pool"] for r in rows})
    names = list(dict.fromkeys(r["strategy"] for r in rows))
    cell = {(r["strategy"], r["n_pool"]): r for r in rows}
    head = " | ".join(f"{n:,}" for n in sizes)
    lines = [
        f"| strategy | {head} | peak extra at {sizes[-1]:,} |",
        "|---" + "|---:" * (len(sizes) + 1) + "|",
    ]
    bare = " | ".join(f"{cell['margin', n]['predict_proba_s']:.4f} s" for n in sizes)
    lines.append(f"| *bare predict_proba* | {bare} | |")
    for name in names:
        cells = []
        for n in sizes:
            r = cell.get((name, n))
            cells.append(
                "n/a" if r is None else f"{r['query_s']:.4f} s ({r['ratio']:.2f}x)"
            )
        largest = cell.get((name, sizes[-1]))
        memory = (
            "n/a"
            if largest is None
            else f"{largest['query_peak_extra_bytes'] / MIB:.1f} MiB"
        )
        lines.append(f"| {name} | {' | '.join(cells)} | {memory} |")
    if "memmap" in payload:
        m = payload["memmap"]
        lines += [
            "",
            f"Memory-mapped pool of {m['n_pool']:,} x {N_FEATURES} "
            f"({m['pool_bytes'] / 2**30:.1f} GiB): margin query "
            f"{m['query_s']:.2f} s and {m['query_peak_extra_bytes'] / MIB:.1f} MiB "
            f"extra; bare predict_proba {m['predict_proba_s']:.2f} s and "
            f"{m['predict_proba_peak_extra_bytes'] / MIB:,.0f} MiB extra.",
        ]
    if payload.get("parallel"):
        lines += [
            "",
            "| pool scoring (pool x features) | n_jobs=1 | n_jobs=2 | speed-up "
            "| same picks |",
            "|---|---:|---:|---:|---|",
        ]
        for r in payload["parallel"]:
            lines.append(
                f"| {r['strategy']} ({r['n_pool']:,} x {r['n_features']}) | "
                f"{r['n_jobs_1_s']:.2f} s | {r['n_jobs_2_s']:.2f} s | "
                f"{r['speedup']:.2f}x | {'yes' if r['same_selection'] else 'no'} |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pools up to 10^5")
    parser.add_argument(
        "--table",
        action="store_true",
        help="print the tables of the stored results and exit (no timing)",
    )
    args = parser.parse_args()
    if args.table:
        name = "speed" + ("_quick" if args.quick else "")
        print(markdown(json.loads((RESULTS / f"{name}.json").read_text())))
        return
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    with threadpool_limits(1):
        payload = {
            "environment": environment(threads=1),
            "n_features": N_FEATURES,
            "n_classes": N_CLASSES,
            "n_labelled": N_LABELLED,
            "speed": speed(sizes),
        }
        if not args.quick:
            payload["memmap"] = memmap_pool(10_000_000)
        payload["parallel"] = parallel(20_000 if args.quick else 100_000, 3)
    path = write_json("speed" + ("_quick" if args.quick else ""), payload)
    print(f"written {path}\n\n{markdown(payload)}")


if __name__ == "__main__":
    main()
