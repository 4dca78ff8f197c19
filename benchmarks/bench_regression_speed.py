"""Speed of the regression strategies against the predictions they need.

One synthetic problem: 50 features, a smooth non-linear target (a sine of
one direction plus a linear part, Gaussian noise), 200 labelled samples, and
pools of 10^4, 10^5 and 10^6 samples (float64). For each strategy it reports
the time of ``query(pool, 10)`` and its ratio to the **reference**: what the
strategy must compute of its model on the same pool, bare (no chunks, no
strategy), measured in the same run:

- ``max_std`` over ``BayesianRidge``: ``predict(pool, return_std=True)``;
- ``max_std`` over a ``CommitteeRegressor`` of 5 bagged ``Ridge``: the
  committee's ``predict_samples(pool)`` (query by committee, variance);
- ``max_std`` over a ``RandomForestRegressor`` of 20 trees (read through
  its members): the forest's ``predict(pool)``;
- ``emcm`` (expected model change, ``Ridge``, K = 4 bootstraps): the
  model's ``predict`` plus the bootstrap committee's ``predict_samples``;
- ``gsy`` and ``igs`` (greedy sampling in the output space, improved greedy
  sampling; ``BayesianRidge``): ``predict(pool, return_std=True)``, the
  yardstick of the issue, and (column ``predict``) the bare ``predict``
  they actually need;
- ``gsx`` (greedy sampling in the input space: greedy k-center from the 200
  labelled samples) and ``random``: ``predict(pool, return_std=True)`` of
  ``BayesianRidge`` as well (they need no prediction);
- ``max_std (MC-Dropout MLP)``: an MC-Dropout network (50-64-1, dropout
  0.2, T = 10 passes, float32 pool), against its ``predict(pool,
  return_std=True)`` (the same T passes); when torch and skorch are
  installed, up to 10^5 (a pass over 10^6 rows takes a minute on one core).

The peak memory a query allocates (tracemalloc, a separate untimed run) is
reported as a multiple of the pool array: a pointwise strategy keeps the
chunks in flight and the top-k (constant in the pool size), a greedy one a
few floats per candidate (its distances and predictions), never a matrix
of the pool.

BLAS/OpenMP thread pools are pinned to one thread (threadpoolctl) while
timing, torch to one thread; times are the best of several runs (7 at 10^4,
4 at 10^5, 3 at 10^6), the query and its reference run alternately so that
both see the same load. The full run takes about 3 minutes on 2 cores.

Usage::

    python benchmarks/bench_regression_speed.py           # up to 10^6
    python benchmarks/bench_regression_speed.py --quick   # up to 10^5
    python benchmarks/bench_regression_speed.py --table   # the docs' table
"""

from __future__ import annotations

import argparse
import importlib.util
import json

import numpy as np
from _common import RESULTS, best_time, environment, peak_memory, write_json
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import BayesianRidge, Ridge
from threadpoolctl import threadpool_limits

import skactive as sa

N_FEATURES, N_LABELLED, BATCH = 50, 200, 10
MIB = 2**20
REPEATS = {10_000: 7, 100_000: 4, 1_000_000: 3}
MAX_POOL = {"max_std (MC-Dropout MLP)": 100_000}
DEEP = {"max_std (MC-Dropout MLP)"}


def direction(n_features=N_FEATURES):
    return np.random.default_rng(0).normal(size=n_features) / np.sqrt(n_features)


def target(X):
    w = direction(X.shape[1])
    return np.sin(3 * X @ w) + X[:, :5].sum(axis=1) / 5


def labelled():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(N_LABELLED, N_FEATURES))
    return X, target(X) + 0.1 * rng.normal(size=N_LABELLED)


def pool_rows(n, seed=2, block=1_000_000):
    rng = np.random.default_rng(seed)
    out = np.empty((n, N_FEATURES))
    for start in range(0, n, block):
        stop = min(n, start + block)
        out[start:stop] = rng.normal(size=(stop - start, N_FEATURES))
    return out


def with_std(model):
    return lambda pool: model.predict(pool, return_std=True)


def cases() -> dict:
    """name -> (strategy, reference of the fitted strategy, reference name)."""
    ridge = Ridge(alpha=1.0)
    committee = sa.CommitteeRegressor(estimator=ridge, n_members=5, random_state=0)
    forest = RandomForestRegressor(n_estimators=20, random_state=0)
    std_reference = (lambda s: with_std(s.estimator_), "predict(return_std)")
    table = {
        "random": (sa.RandomSampling(BayesianRidge()), *std_reference),
        "max_std (BayesianRidge)": (sa.MaxStdSampling(BayesianRidge()), *std_reference),
        "max_std (committee, 5 Ridge)": (
            sa.MaxStdSampling(committee),
            lambda s: s.estimator_.predict_samples,
            "committee predict_samples",
        ),
        "max_std (forest, 20 trees)": (
            sa.MaxStdSampling(forest),
            lambda s: s.estimator_.ensemble_.predict,
            "forest predict",
        ),
        "emcm (Ridge, K=4)": (
            sa.ExpectedModelChange(ridge, n_bootstraps=4),
            lambda s: (
                lambda pool: (
                    s.estimator_.predict(pool),
                    s.committee_.predict_samples(pool),
                )
            ),
            "predict + 4 bootstraps",
        ),
        "gsx (greedy k-center)": (sa.GreedySamplingX(BayesianRidge()), *std_reference),
        "gsy": (sa.GreedySamplingY(BayesianRidge()), *std_reference),
        "igs": (sa.ImprovedGreedySampling(BayesianRidge()), *std_reference),
    }
    if importlib.util.find_spec("skorch") is None:
        print("torch or skorch is not installed: the MC-Dropout case is skipped")
        return table
    import torch
    from skorch.toy import MLPModule

    from skactive.deep import MCDropoutRegressor

    torch.set_num_threads(1)
    net = MCDropoutRegressor(
        MLPModule,
        module__input_units=N_FEATURES,
        module__output_units=1,
        module__hidden_units=64,
        module__dropout=0.2,
        optimizer=torch.optim.Adam,
        max_epochs=20,
        iterator_valid__batch_size=4096,
        n_mc_samples=10,
        mc_max_rows=2**16,
        random_state=0,
    )
    table["max_std (MC-Dropout MLP)"] = (
        sa.MaxStdSampling(net),
        lambda s: with_std(s.estimator_),
        "predict(return_std)",
    )
    return table


def interleaved(first, second, repeats) -> tuple[float, float]:
    """Best times of two functions run alternately: on a shared machine the
    load drifts, and alternating exposes both to the same drift."""
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        for i, fn in enumerate((first, second)):
            best[i] = min(best[i], best_time(fn, 1))
    return best[0], best[1]


def measure(name, strategy, reference, reference_name, pool, repeats) -> dict:
    bare, query = interleaved(
        lambda: reference(pool), lambda: strategy.query(pool, BATCH), repeats
    )
    row = {
        "strategy": name,
        "n_pool": int(pool.shape[0]),
        "batch_size": BATCH,
        "reference": reference_name,
        "reference_s": bare,
        "query_s": query,
        "ratio": query / bare,
        "pool_bytes": int(pool.nbytes),
    }
    if name.startswith(("gsy", "igs")):
        row["predict_s"] = best_time(lambda: strategy.estimator_.predict(pool), repeats)
    peak = peak_memory(lambda: strategy.query(pool, BATCH))
    row["query_peak_extra_bytes"] = int(peak)
    row["query_peak_extra_over_pool"] = peak / pool.nbytes
    print(
        f"n={pool.shape[0]:>10,} {name:>28}: query {query:8.3f} s / "
        f"{reference_name} {bare:7.3f} s = {query / bare:6.2f}x, peak extra "
        f"{peak / MIB:8.1f} MiB ({peak / pool.nbytes:.3f}x the pool)",
        flush=True,
    )
    return row


def speed(sizes) -> list:
    X, y = labelled()
    fitted = {}
    for name, (strategy, reference, reference_name) in cases().items():
        data = X.astype(np.float32) if name in DEEP else X
        strategy.set_params(random_state=0).fit(data, y)
        fitted[name] = (strategy, reference(strategy), reference_name)
    rows = []
    for n in sizes:
        pool = pool_rows(n)
        for name, (strategy, reference, reference_name) in fitted.items():
            if n > MAX_POOL.get(name, np.inf):
                continue
            data = pool.astype(np.float32) if name in DEEP else pool
            rows.append(
                measure(name, strategy, reference, reference_name, data, REPEATS[n])
            )
            del data
        del pool
    return rows


def markdown(payload) -> str:
    """The table of docs/benchmarks.md, from a payload."""
    rows = payload["speed"]
    sizes = sorted({r["n_pool"] for r in rows})
    names = list(dict.fromkeys(r["strategy"] for r in rows))
    cell = {(r["strategy"], r["n_pool"]): r for r in rows}
    head = " | ".join(f"{n:,}" for n in sizes)
    lines = [
        f"| strategy (reference) | {head} | peak extra at the largest |",
        "|---" + "|---:" * (len(sizes) + 1) + "|",
    ]
    for name in names:
        cells = []
        for n in sizes:
            r = cell.get((name, n))
            cells.append(
                "n/a"
                if r is None
                else f"{r['query_s']:.3f} s / {r['reference_s']:.3f} s "
                f"= **{r['ratio']:.2f}x**"
            )
        largest = max(n for n in sizes if (name, n) in cell)
        r = cell[name, largest]
        memory = (
            f"{r['query_peak_extra_bytes'] / MIB:.1f} MiB "
            f"({r['query_peak_extra_over_pool']:.3f}x the pool)"
        )
        reference = cell[name, sizes[0]]["reference"]
        lines.append(f"| {name} ({reference}) | {' | '.join(cells)} | {memory} |")
    predict = [r for r in rows if "predict_s" in r and r["n_pool"] == sizes[-1]]
    if predict:
        lines += ["", f"At {sizes[-1]:,} rows, against the bare `predict` alone: "]
        lines[-1] += (
            "; ".join(
                f"{r['strategy']} {r['query_s'] / r['predict_s']:.1f}x "
                f"({r['predict_s']:.3f} s)"
                for r in predict
            )
            + "."
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pools up to 10^5")
    parser.add_argument(
        "--table",
        action="store_true",
        help="print the table of the stored results and exit (no timing)",
    )
    args = parser.parse_args()
    name = "regression_speed" + ("_quick" if args.quick else "")
    if args.table:
        print(markdown(json.loads((RESULTS / f"{name}.json").read_text())))
        return
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    with threadpool_limits(1):
        payload = {
            "environment": environment(threads=1),
            "n_features": N_FEATURES,
            "n_labelled": N_LABELLED,
            "batch_size": BATCH,
            "speed": speed(sizes),
        }
    path = write_json(name, payload)
    print(f"written {path}\n\n{markdown(payload)}")


if __name__ == "__main__":
    main()
