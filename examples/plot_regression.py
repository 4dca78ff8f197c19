"""
====================================================
Active learning for regression: which rows to label
====================================================

The target is a number (here the disease progression of the 442 patients of
scikit-learn's diabetes data), and a label is a measurement someone must
make. Regression strategies pick the rows whose measurement should teach
the model most:

- :class:`~skactive.MaxStdSampling`: where the model's predictive standard
  deviation is largest (Bayesian linear regression here; a Gaussian process,
  or the spread of a committee or a forest, elsewhere);
- :class:`~skactive.GreedySamplingX`: the rows farthest from every labelled
  row (greedy k-center), a model-free spread over the input space;
- :class:`~skactive.ImprovedGreedySampling` (iGS): far from the labelled
  rows in the input space *and* in the predicted target.

Each is compared with random sampling through the test RMSE (lower is
better), then one labelling session is run by hand with
:class:`~skactive.ActiveLearner`.
"""

# %%
# Learning curves
# ---------------
#
# Every strategy wraps the same model, a ``BayesianRidge`` on standardised
# features (its ``predict(X, return_std=True)`` gives MaxStd its
# uncertainty; the pipeline's scaled features are the space of the greedy
# strategies' distances). :func:`~skactive.compare` holds a quarter of the
# rows out, draws 10 initial labels at random (a continuous target has no
# classes to stratify), then queries 10 rows per round. Repeat ``i`` uses
# the same test split and initial set for every strategy, so the gains are
# paired.

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import BayesianRidge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skactive import (
    ActiveLearner,
    GreedySamplingX,
    ImprovedGreedySampling,
    MaxStdSampling,
    RandomSampling,
    compare,
)

X, y = load_diabetes(return_X_y=True)
model = make_pipeline(StandardScaler(), BayesianRidge())

result = compare(
    {
        "random": RandomSampling(model),
        "max_std": MaxStdSampling(model),
        "gsx": GreedySamplingX(model),
        "igs": ImprovedGreedySampling(model),
    },
    X,
    y,
    initial_size=10,
    batch_size=10,
    budget=60,
    n_repeats=5,
    random_state=0,
)
print(result)

# %%
# Each run recorded the RMSE, the MAE and the R² of the held-out rows after
# every round; the summaries use the RMSE unless told otherwise. Its area is
# the mean RMSE over the label range (lower is better), while the gain over
# random sampling is positive when a strategy does better: the random
# baseline's area minus the strategy's.

display = result.plot(spread=None)
display.ax_.set_title("Diabetes, BayesianRidge: test RMSE, mean of 5 seeds")

# %%
# How many labels does each strategy need to get its RMSE within 5% of the
# best final value? ``labels_to_reach`` counts the labels to get *down* to
# the target, because the RMSE is an error
# (:func:`skactive.metrics.lower_is_better`).

target = 1.05 * min(result.summary()["final_mean"])
for name, labels in result.labels_to_reach(target).items():
    reached = labels[np.isfinite(labels)]
    mean = f"{reached.mean():.0f}" if reached.size else "-"
    runs = f"{reached.size}/{result.n_repeats} runs"
    print(f"{name:8s} RMSE <= {target:.1f} after {mean} labels ({runs})")

# %%
# A labelling session
# -------------------
#
# In real use the targets are not known: a person measures the rows that
# :meth:`~skactive.ActiveLearner.query` returns and
# :meth:`~skactive.ActiveLearner.teach` records the numbers. The session
# queries at random until two rows are labelled, then asks the strategy;
# with ``autosave=`` it saves every label atomically (float labels come back
# bit for bit).

learner = ActiveLearner(MaxStdSampling(model, batch_size=5), X, random_state=0)
for _ in range(4):
    rows = learner.query()
    learner.teach(rows, y[rows])  # in real life: the measurements
print(learner)

mean, std = learner.predict(X[:3], return_std=True)
for m, s, truth in zip(mean, std, y[:3]):
    print(f"predicted {m:6.1f} ± {s:4.1f}   measured {truth:6.1f}")
print(f"R² on every row: {learner.score(X, y):.3f}")
