"""
===================================================
Diverse batches: core-set and diverse mini-batch
===================================================

Querying the top ``k`` samples of a pointwise uncertainty score picks
samples that are informative one by one, but often redundant together: the
most uncertain samples crowd into the same stretch of the decision boundary.
Batch-aware strategies select the batch jointly:

- :class:`~skactive.CoreSet` covers the pool: each pick is the sample
  farthest from the labelled samples and the picks so far (greedy k-center,
  Sener & Savarese, 2018). It ignores the model's uncertainty.
- :class:`~skactive.DiverseMiniBatch` pre-filters the ``beta * k`` most
  uncertain samples, clusters them into ``k`` clusters with k-means weighted
  by uncertainty, and queries the sample nearest each centre (Zhdanov, 2019):
  informative *and* spread out.

This example first shows the batches on a two-dimensional problem, then
compares learning curves with large batches on the digits.
"""

# %%
# One batch, three ways
# ---------------------
#
# Three classes in the plane, 12 labelled samples (black), and a batch of 15
# queried by each strategy (red).

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits, make_blobs
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skactive import CoreSet, DiverseMiniBatch, MarginSampling, RandomSampling, compare

X, y = make_blobs(n_samples=1500, centers=3, cluster_std=2.2, random_state=3)
rng = np.random.default_rng(0)
labelled = np.concatenate([rng.choice(np.flatnonzero(y == c), 4) for c in range(3)])
pool = np.setdiff1d(np.arange(len(X)), labelled)

model = LogisticRegression()
strategies = {
    "MarginSampling (top-k)": MarginSampling(model, batch_size=15, random_state=0),
    "CoreSet": CoreSet(model, batch_size=15, random_state=0),
    "DiverseMiniBatch": DiverseMiniBatch(model, batch_size=15, random_state=0),
}

fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharex=True, sharey=True)
for ax, (name, strategy) in zip(axes, strategies.items()):
    strategy.fit(X[labelled], y[labelled])
    picked = pool[strategy.query(X[pool])]
    ax.scatter(*X[pool].T, c=y[pool], s=6, cmap="Pastel1", vmax=8)
    ax.scatter(*X[labelled].T, c="black", s=30, marker="s", label="labelled")
    ax.scatter(*X[picked].T, c="red", s=40, marker="*", label="queried")
    ax.set_title(name)
    ax.set_xticks([])
    ax.set_yticks([])
axes[0].legend(loc="lower left")
fig.tight_layout()
plt.show()

# %%
# Margin sampling's batch sits on the decision boundaries, several samples
# close together. The core-set batch covers the whole plane, boundaries or
# not, including outlying regions where no label is needed. The diverse
# mini-batch stays on the boundaries but spreads along them.
#
# Learning curves with large batches
# ----------------------------------
#
# The redundancy of top-k batches matters most when batches are large
# relative to the labelled set. Here 40 samples are queried per round on the
# digits, with a scaled logistic regression; distances for the batch-aware
# strategies are measured after the scaler (the pipeline's transform).

X, y = load_digits(return_X_y=True)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
result = compare(
    {
        "random": RandomSampling(model),
        "margin (top-k)": MarginSampling(model),
        "core-set": CoreSet(model),
        "diverse mini-batch": DiverseMiniBatch(model),
    },
    X,
    y,
    initial_size=20,
    batch_size=40,
    budget=240,
    n_repeats=5,
    random_state=0,
    progress=False,
)
print(result)

display = result.plot()
display.ax_.set_title("Digits, batches of 40")
display.ax_.grid(alpha=0.3)

# %%
# With batches of 40, the diverse mini-batch learns fastest in the first
# rounds: its batches are as informative as margin sampling's and less
# redundant. Margin sampling catches up once the labelled set is large
# relative to a batch. Core-set, which ignores the model, beats random
# sampling but not the uncertainty-based strategies on this easy, compact
# data; it pays off for larger batches, with a good embedding (a network's
# penultimate layer), and in the first rounds, when the model's
# uncertainties are not yet reliable. For the very first batch, with no label
# at all, see :func:`~skactive.cold_start`.
