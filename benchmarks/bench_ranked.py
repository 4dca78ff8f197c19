"""Ranked batch-mode sampling against random, uncertainty and core-set.

Three bundled scikit-learn data sets (digits, breast cancer, wine), a
``StandardScaler`` + ``LogisticRegression`` pipeline, 20 initial labels
(stratified), batches of 10, a budget of 150 queried labels, 5 seeds, a
quarter of each data set held out for the curve. Strategies: random, the
top-k of least confidence, core-set (greedy k-center) and
``RankedBatch`` (least confidence against similarity, ``alpha="auto"``),
the last two in the pipeline's scaled features. Reported: the normalised
area under the accuracy curve (mean accuracy over 20..170 labels), mean and
standard deviation over the seeds, and in parentheses its gain over random
(the difference of areas, seed by seed, in accuracy points: mean ± std).
wine has 133 samples to query after the split and the initial set: its
curves end there, at 20..133 labels.

BLAS/OpenMP thread pools are pinned to one thread (threadpoolctl). About a
minute on 2 cores.

Usage::

    python benchmarks/bench_ranked.py           # run, print, write JSON
    python benchmarks/bench_ranked.py --table   # print the stored results
"""

from __future__ import annotations

import argparse
import json
import time

from _common import RESULTS, environment, write_json
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skactive import (
    CoreSet,
    LeastConfidentSampling,
    RandomSampling,
    RankedBatch,
    compare,
)

DATASETS = {
    "digits": datasets.load_digits,
    "breast_cancer": datasets.load_breast_cancer,
    "wine": datasets.load_wine,
}
SETTINGS = {"initial_size": 20, "batch_size": 10, "budget": 150, "n_repeats": 5}


def strategies() -> dict:
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    return {
        "random": RandomSampling(model),
        "least_confident": LeastConfidentSampling(model),
        "coreset": CoreSet(model),
        "ranked_batch": RankedBatch(model),
    }


def run() -> dict:
    results = {}
    for name, load in DATASETS.items():
        X, y = load(return_X_y=True)
        start = time.perf_counter()
        with threadpool_limits(1):
            comparison = compare(strategies(), X, y, random_state=0, **SETTINGS)
        areas = comparison.area_under_curve()
        gains = comparison.active_gain()
        results[name] = {
            strategy: {
                "area_mean": float(areas[strategy].mean()),
                "area_std": float(areas[strategy].std()),
                "gain_mean": float(gains[strategy].mean()),
                "gain_std": float(gains[strategy].std()),
            }
            for strategy in areas
        }
        print(f"{name}: {time.perf_counter() - start:.0f} s", flush=True)
    return results


def table(results: dict) -> str:
    names = list(next(iter(results.values())))
    lines = [
        "| strategy | " + " | ".join(results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for strategy in names:
        cells = [
            f"{r[strategy]['area_mean']:.3f} ± {r[strategy]['area_std']:.3f} "
            f"({100 * r[strategy]['gain_mean']:+.1f} ± "
            f"{100 * r[strategy]['gain_std']:.1f})"
            for r in results.values()
        ]
        lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--table", action="store_true", help="print the stored results only"
    )
    args = parser.parse_args()
    if args.table:
        payload = json.loads((RESULTS / "ranked.json").read_text())
    else:
        payload = {
            "environment": environment(threads=1),
            "settings": SETTINGS,
            "results": run(),
        }
        write_json("ranked", payload)
    print(table(payload["results"]))


if __name__ == "__main__":
    main()
