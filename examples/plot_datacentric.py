"""
==========================================================
Data-centric tools: wrong labels, failures, unknown digits
==========================================================

Active learning chooses which samples to label. This example looks at the
labels and the pool themselves, on the digits, with the three tools of
:mod:`skactive.datacentric` and :class:`~skactive.QueryByExample`:

1. **Suspicious labels.** 10% of the labels are wrong; confident learning on
   out-of-fold probabilities ranks them first, and relabelling the top of
   the ranking is worth more than labelling as many new samples.
2. **Query by example.** The validation digits the model gets wrong become
   examples, and each gets its share of their unlabelled neighbours.
3. **An unknown class.** No 3 is labelled: the distance to the labelled
   samples finds the 3s of the pool better than the model's confidence
   does, and a query can be kept to the samples beyond the threshold (to
   find the unknown) or within it (to leave it out).
"""

# %%
# Suspicious labels
# -----------------
#
# 500 labelled digits, 50 of them with a wrong label.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skactive import MarginSampling, QueryByExample
from skactive.datacentric import DistanceToLabelled, find_label_issues

X, y = load_digits(return_X_y=True)
rng = np.random.RandomState(0)
order = rng.permutation(len(y))
labelled, pool, test = order[:500], order[500:1300], order[1300:]
y_given = y.copy()
wrong = rng.choice(labelled, 50, replace=False)
y_given[wrong] = (y[wrong] + rng.randint(1, 10, size=50)) % 10


def model():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


issues = find_label_issues(
    model(), X[labelled], y_given[labelled], n=50, random_state=0
)
top = labelled[issues.indices]
print(f"{np.isin(top, wrong).sum()} of the 50 most suspicious labels are wrong")

fig, axes = plt.subplots(2, 8, figsize=(10, 3))
for ax, row, given, suggested in zip(
    axes.ravel(), top, issues.labels, issues.suggested_labels
):
    ax.imshow(X[row].reshape(8, 8), cmap="gray_r")
    truly = "wrong" if row in wrong else "right"
    ax.set_title(f"{given} -> {suggested}\n({truly})", fontsize=9)
    ax.axis("off")
fig.suptitle("The most suspicious labels: given -> suggested")
fig.tight_layout()
plt.show()

# %%
# The same 50 expert labels, spent two ways: checking the 50 most
# suspicious labels, or labelling 50 new digits chosen by margin sampling.


def accuracy(rows, labels):
    return model().fit(X[rows], labels).score(X[test], y[test])


fixed = y_given.copy()
fixed[top] = y[top]
margin = MarginSampling(model(), batch_size=50, random_state=0)
new = pool[margin.fit(X[labelled], y_given[labelled]).query(X[pool])]
noisy = accuracy(labelled, y_given[labelled])
relabelled = accuracy(labelled, fixed[labelled])
print(f"test accuracy with the noisy labels:     {noisy:.3f}")
print(f"  after relabelling the 50 suspicious:   {relabelled:.3f}")
rows = np.concatenate([labelled, new])
labels = np.concatenate([y_given[labelled], y[new]])
print(f"  after 50 new labels (margin sampling): {accuracy(rows, labels):.3f}")

# %%
# Query by example
# ----------------
#
# With the labels corrected, the model still gets some validation digits
# wrong. They become the examples of :class:`~skactive.QueryByExample`,
# which queries their nearest unlabelled digits in turns, so that every
# failure gets a share of the batch.

validation, unlabelled = pool[:300], pool[300:]
fitted = model().fit(X[labelled], fixed[labelled])
failures = validation[fitted.predict(X[validation]) != y[validation]][:4]
strategy = QueryByExample(model(), examples=X[failures], batch_size=12, random_state=0)
strategy.fit(X[labelled], fixed[labelled])
picked = strategy.query(X, candidates=unlabelled)  # rows of X

fig, axes = plt.subplots(len(failures), 4, figsize=(5, 1.4 * len(failures)))
for e, row in enumerate(failures):
    axes[e, 0].imshow(X[row].reshape(8, 8), cmap="Reds")
    axes[e, 0].set_title(f"example: {y[row]}", fontsize=8)
    for j in range(3):  # in turns: picks e, e + 4, e + 8 belong to example e
        p = picked[e + len(failures) * j]
        axes[e, j + 1].imshow(X[p].reshape(8, 8), cmap="gray_r")
        axes[e, j + 1].set_title(f"queried: {y[p]}", fontsize=8)
for ax in axes.ravel():
    ax.axis("off")
fig.tight_layout()
plt.show()

# %%
# An unknown class
# ----------------
#
# Now the labelled set holds no 3. The model predicts every 3 of the pool
# as some other digit, often with confidence; the distance to the nearest
# labelled digit tells them apart.

from sklearn.metrics import roc_auc_score  # noqa: E402

no_threes = labelled[y[labelled] != 3]
detector = DistanceToLabelled().fit(X[no_threes])
distance = -detector.score_samples(X[pool])
is_three = y[pool] == 3
print(f"ROC AUC of the 3s by distance: {roc_auc_score(is_three, distance):.2f}")
fitted = model().fit(X[no_threes], y[no_threes])
doubt = 1 - fitted.predict_proba(X[pool]).max(axis=1)
print(f"ROC AUC of the 3s by 1 - confidence: {roc_auc_score(is_three, doubt):.2f}")
print(detector.drift_report(X[pool]))

fig, ax = plt.subplots(figsize=(6, 3))
bins = np.linspace(0, distance.max(), 40)
ax.hist(distance[~is_three], bins=bins, alpha=0.6, label="other digits")
ax.hist(distance[is_three], bins=bins, alpha=0.6, label="3s (never labelled)")
ax.axvline(detector.threshold_, color="black", linestyle="--", label="threshold")
ax.set_xlabel("distance to the nearest labelled digit")
ax.set_ylabel("pool digits")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# The threshold turns into the ``candidates`` of a query: margin sampling
# among the samples beyond it queries the unknown class on purpose; among
# those within it, keeps most of it out. Here the 3s also confuse the model,
# so margin sampling over the whole pool finds them too; an unknown class
# that the model confidently takes for another would not be found that way
# (on average over every held-out class, a batch of margin sampling held
# 4.5 of them and one among the outliers 6.9: see the benchmarks).

margin = MarginSampling(model(), batch_size=10, random_state=0)
margin.fit(X[no_threes], y[no_threes])
for keep in ("outliers", "inliers"):
    candidates = detector.filter_candidates(X, pool, keep=keep)
    batch = margin.query(X, candidates=candidates)
    print(f"margin sampling among the {keep}: {(y[batch] == 3).sum()} 3s in 10")
batch = margin.query(X, candidates=pool)
print(f"margin sampling over the whole pool: {(y[batch] == 3).sum()} 3s in 10")
