"""
=====================================================
Scoring part of the pool: ``pool_subsample``
=====================================================

A query scores every sample of the pool, so its cost grows with the pool.
Every strategy takes ``pool_subsample``: score only a random part of the
pool at each query, given as a number of samples (an int) or a fraction (a
float). This example measures both sides of the trade-off: how much faster a
query gets, and how many labels it costs.

The data are synthetic (:func:`~sklearn.datasets.make_classification`), so
that the pool can be made large.
"""

# %%
# Query time
# ----------
#
# A logistic regression fitted on 200 labels scores a pool of 200,000
# samples. The time of a query falls with the part of the pool it scores,
# down to the cost of drawing the subsample itself.

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skactive import MarginSampling, RandomSampling, compare


def make_data(n_samples, random_state):
    return make_classification(
        n_samples=n_samples,
        n_features=20,
        n_informative=10,
        n_redundant=0,
        n_classes=5,
        n_clusters_per_class=1,
        class_sep=1.5,
        random_state=random_state,
    )


X, y = make_data(200_200, random_state=0)
X_labelled, y_labelled, X_pool = X[:200], y[:200], X[200:]

subsamples = [None, 0.5, 0.2, 0.1, 0.05, 0.01]
times = []
for pool_subsample in subsamples:
    strategy = MarginSampling(
        LogisticRegression(max_iter=1000),
        batch_size=100,
        pool_subsample=pool_subsample,
        random_state=0,
    ).fit(X_labelled, y_labelled)
    best = np.inf
    for _ in range(7):  # the best of 7: timings on a busy machine vary
        start = time.perf_counter()
        strategy.query(X_pool)
        best = min(best, time.perf_counter() - start)
    times.append(best)
    print(f"pool_subsample={pool_subsample!s:>5}: {1000 * best:6.1f} ms")

# %%
# Label efficiency
# ----------------
#
# Now the learning curves, simulated with :func:`~skactive.compare` as in
# :ref:`sphx_glr_auto_examples_plot_uncertainty_digits.py`, on 10,000 samples
# (a quarter held out for testing): margin sampling over the whole pool, over
# a random 10% and 1% of it at each query, and random sampling for reference.

X, y = make_data(10_000, random_state=1)
model = LogisticRegression(max_iter=1000)
result = compare(
    {
        "margin, whole pool": MarginSampling(model),
        "margin, 10% of the pool": MarginSampling(model, pool_subsample=0.1),
        "margin, 1% of the pool": MarginSampling(model, pool_subsample=0.01),
        "random": RandomSampling(model),
    },
    X,
    y,
    initial_size=20,
    batch_size=20,
    budget=300,
    n_repeats=3,
    random_state=0,
    progress=False,
)
print(result)

# %%
# Both sides of the trade-off
# ---------------------------

fig, (ax_time, ax_curve) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")

fractions = [1.0 if s is None else s for s in subsamples]
ax_time.plot(fractions, 1000 * np.array(times), marker="o")
ax_time.set_xscale("log")
ax_time.set_xticks(fractions, labels=[f"{f:.0%}" for f in fractions])
ax_time.minorticks_off()
ax_time.set_ylim(bottom=0)
ax_time.set_xlabel("part of the pool scored (pool_subsample)")
ax_time.set_ylabel("query time (ms)")
ax_time.set_title("Query time, pool of 200,000")
ax_time.grid(alpha=0.3)

result.plot(ax=ax_curve)
ax_curve.set_title("Learning curves, pool of 7,500")
ax_curve.grid(alpha=0.3)
plt.show()

# %%
# Scoring a random part of the pool makes a query faster, and the most
# uncertain samples of a random subsample are still uncertain ones: here,
# margin sampling over 10% or even 1% of the pool (75 candidates for a batch
# of 20) learns about as fast as over the whole pool, well ahead of random
# sampling. A random subsample also spreads a batch out: the top of a
# pointwise score often holds near-duplicates, a subsample fewer of them. How
# small a subsample can be depends on the data (on a pool with rare classes
# or a small informative region, a small subsample can miss it); a fixed
# number of candidates (an int, a few thousand) makes the cost of a query
# independent of the size of the pool.
