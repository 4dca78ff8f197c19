"""Deep Bayesian active learning: BADGE, MC-Dropout scoring, BatchBALD.

1. BADGE selection (k-means++ on gradient embeddings) for 20,000 candidates,
   100 classes, 768-dim penultimate features, batch 100: synthetic
   probabilities and float32 features fed through the selection routine.
   Time and peak memory against the size of the materialised embedding
   (computed, not built).
2. MC-Dropout scoring of a 10^5 x 64 pool with T=20 passes through a small
   MLP (64-128-10, dropout 0.5): ``MCDropoutClassifier.predict_proba_samples``
   (all passes of a batch in one forward call; with the default
   ``mc_repeat="input"`` and with ``mc_repeat="dropout"``, which runs the
   layers before the first dropout once) against T separate
   ``predict_proba`` calls of a skorch network with its dropout left on.
3. BatchBALD batch of 10 from 5,000 candidates, T=20, 10 classes (Dirichlet
   probabilities): time and peak memory; and its picks against a
   brute-force exact reference on small cases.

Thread pools are pinned to one thread (``threadpoolctl.threadpool_limits(1)``
and ``torch.set_num_threads(1)``). Peak memory is traced with tracemalloc
(NumPy allocations; torch's own allocator is not traced).

Usage::

    python benchmarks/bench_deep.py            # full: the sizes above
    python benchmarks/bench_deep.py --quick    # smaller sizes, deep_quick.json
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
import torch
from _common import best_time, environment, peak_memory, write_json
from scipy.special import entr
from skorch import NeuralNetClassifier
from skorch.dataset import unpack_data
from skorch.toy import MLPModule
from threadpoolctl import threadpool_limits
from torch.nn.modules.dropout import _DropoutNd

from skactive.deep import MCDropoutClassifier
from skactive.strategies._badge import kmeanspp_gradient_embedding
from skactive.strategies._batchbald import batchbald_select

GB = 1e9
MIB = 2**20


# -------------------------------------------------------------------- BADGE
def bench_badge(n=20_000, n_classes=100, n_dims=768, batch=100, repeats=3):
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.full(n_classes, 0.1), size=n)
    a = proba.copy()
    a[np.arange(n), proba.argmax(1)] -= 1.0
    h = np.maximum(rng.normal(size=(n, n_dims)), 0).astype(np.float32)

    def run():
        return kmeanspp_gradient_embedding(a, h, batch, np.random.RandomState(0))

    seconds = best_time(run, repeats)
    peak = peak_memory(run)
    picks = run()
    materialised = n * n_classes * (n_dims + 1) * 8
    return {
        "n_candidates": n,
        "n_classes": n_classes,
        "n_dims": n_dims,
        "batch_size": batch,
        "seconds": round(seconds, 3),
        "peak_extra_mib": round(peak / MIB, 1),
        "inputs_mib": round((a.nbytes + h.nbytes) / MIB, 1),
        "materialised_embedding_gb_float64": round(materialised / GB, 1),
        "materialised_with_one_temporary_gb": round(
            2 * n * n_classes * n_dims * 8 / GB, 1
        ),
        "unique_picks": len(set(picks.tolist())),
    }


# --------------------------------------------------------------- MC-Dropout
class NaiveMCNet(NeuralNetClassifier):
    """skorch network whose predict_proba keeps dropout on (one pass a call)."""

    def evaluation_step(self, batch, training=False):
        self.module_.eval()
        for module in self.module_.modules():
            if isinstance(module, _DropoutNd):
                module.train()
        with torch.no_grad():
            return self.infer(unpack_data(batch)[0])


def bench_mc_dropout(n=100_000, n_features=64, n_passes=20, repeats=3):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, n_features)).astype(np.float32)
    y = rng.integers(10, size=n)
    params = dict(
        module__input_units=n_features,
        module__output_units=10,
        module__hidden_units=128,
        module__dropout=0.5,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=1,
        train_split=None,
        verbose=0,
    )
    ours = MCDropoutClassifier(
        MLPModule, n_mc_samples=n_passes, random_state=0, **params
    ).fit(X[:1000], y[:1000])
    naive = NaiveMCNet(MLPModule, **params).fit(X[:1000], y[:1000])
    naive.module_.load_state_dict(ours.module_.state_dict())

    def run_naive():
        return np.stack([naive.predict_proba(X) for _ in range(n_passes)], axis=1)

    t_ours = best_time(lambda: ours.predict_proba_samples(X), repeats)
    lazy = ours.set_params(mc_repeat="dropout")
    t_lazy = best_time(lambda: lazy.predict_proba_samples(X), repeats)
    ours.set_params(mc_repeat="input")
    t_naive = best_time(run_naive, 1)
    t_single = best_time(lambda: naive.predict_proba(X), repeats)
    return {
        "n_pool": n,
        "n_features": n_features,
        "n_passes": n_passes,
        "module": "MLP 64-128-10, dropout 0.5",
        "batch_size": ours.batch_size,
        "vectorised_seconds": round(t_ours, 3),
        "separate_calls_seconds": round(t_naive, 3),
        "speedup": round(t_naive / t_ours, 1),
        "vectorised_repeat_at_dropout_seconds": round(t_lazy, 3),
        "speedup_repeat_at_dropout": round(t_naive / t_lazy, 1),
        "one_skorch_predict_proba_seconds": round(t_single, 3),
        "output_mib": round(n * n_passes * 10 * 4 / MIB, 1),
    }


# ---------------------------------------------------------------- BatchBALD
def brute_force_batchbald(P, k):
    n, _, C = P.shape
    expected = entr(P).sum(axis=2).mean(axis=1)
    chosen = []
    for _ in range(k):
        best, best_i = -np.inf, None
        for i in range(n):
            if i in chosen:
                continue
            batch = [*chosen, i]
            joint = 0.0
            for labels in itertools.product(range(C), repeat=len(batch)):
                p = np.prod([P[j, :, c] for j, c in zip(batch, labels)], axis=0)
                joint -= p.mean() * np.log(p.mean())
            if joint - expected[batch].sum() > best:
                best, best_i = joint - expected[batch].sum(), i
        chosen.append(best_i)
    return chosen


def bench_batchbald(
    n=5_000, n_passes=20, n_classes=10, batch=10, repeats=3, configs=(1000, 10_000)
):
    P = np.random.default_rng(0).dirichlet(np.ones(n_classes), size=(n, n_passes))
    rows = []
    for n_configurations in configs:

        def run(n_configurations=n_configurations):
            return batchbald_select(
                P, batch, np.random.RandomState(0), n_configurations=n_configurations
            )

        rows.append(
            {
                "n_pool": n,
                "n_passes": n_passes,
                "n_classes": n_classes,
                "batch_size": batch,
                "n_configurations": n_configurations,
                "seconds": round(best_time(run, repeats), 3),
                "peak_extra_mib": round(peak_memory(run) / MIB, 1),
                "input_mib": round(P.nbytes / MIB, 1),
            }
        )
    agree = []
    for seed in range(5):
        small = np.random.default_rng(seed).dirichlet(np.full(3, 0.5), size=(12, 8))
        ours = batchbald_select(small, 4, np.random.RandomState(0)).tolist()
        agree.append(ours == brute_force_batchbald(small, 4))
    return {"timings": rows, "exact_reference_agreement": f"{sum(agree)}/5"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    quick = parser.parse_args().quick
    torch.set_num_threads(1)
    with threadpool_limits(1):
        badge = bench_badge(n=5_000, n_dims=256) if quick else bench_badge()
        print("BADGE", badge)
        mc = bench_mc_dropout(n=20_000) if quick else bench_mc_dropout()
        print("MC-Dropout", mc)
        bb = bench_batchbald(n=1_000, configs=(1000,)) if quick else bench_batchbald()
        print("BatchBALD", bb)
    import skorch

    env = environment(threads=1)
    env.update(torch=torch.__version__, skorch=skorch.__version__, torch_threads=1)
    path = write_json(
        "deep_quick" if quick else "deep",
        {"environment": env, "badge": badge, "mc_dropout": mc, "batchbald": bb},
    )
    print("wrote", path)


if __name__ == "__main__":
    main()
