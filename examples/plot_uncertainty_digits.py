"""
=========================================================
Uncertainty sampling against random sampling on digits
=========================================================

Active learning pays off when the samples a model is unsure about teach it
more than samples drawn at random. This example simulates the same labelling
loop with four strategies on the handwritten digits data set and compares
their learning curves: test accuracy as a function of the number of labels.

- :class:`~skactive.LeastConfidentSampling`: the samples whose most probable
  class has the lowest probability;
- :class:`~skactive.MarginSampling`: the smallest gap between the two most
  probable classes;
- :class:`~skactive.EntropySampling`: the highest entropy of the predicted
  distribution;
- :class:`~skactive.RandomSampling`: the baseline, samples drawn at random.
"""

# %%
# The strategies
# --------------
#
# Each strategy wraps the same model, a scaled logistic regression. A
# strategy fits a clone of it, so one model object can serve them all.

from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skactive import (
    EntropySampling,
    LeastConfidentSampling,
    MarginSampling,
    RandomSampling,
    compare,
)

X, y = load_digits(return_X_y=True)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
strategies = {
    "random": RandomSampling(model),
    "least confident": LeastConfidentSampling(model),
    "margin": MarginSampling(model),
    "entropy": EntropySampling(model),
}

# %%
# The simulation
# --------------
#
# :func:`~skactive.compare` runs :func:`~skactive.simulate` for every
# strategy and several seeds. In each run, the labels ``y`` play the
# annotator: a stratified quarter of the data is held out as the test set,
# 20 labels are drawn at random to start, then the strategy queries 10
# samples per round until 160 more are labelled. Repeat ``i`` uses the same
# seed (test set, initial labels) for every strategy, so they are compared
# on equal terms.

result = compare(
    strategies,
    X,
    y,
    initial_size=20,
    batch_size=10,
    budget=160,
    n_repeats=5,
    random_state=0,
    progress=False,
)
print(result)

# %%
# Learning curves
# ---------------
#
# The mean accuracy of each strategy, with a band of one standard deviation
# over the repeats.

display = result.plot()
display.ax_.set_title("Digits, logistic regression")
display.ax_.grid(alpha=0.3)

# %%
# Labels needed to reach a target accuracy
# ----------------------------------------
#
# The table above summarises each curve by its normalised area (the mean
# accuracy over the label range) and its gain over random sampling. The same
# curves read the other way: how many labels each run needed before the model
# reached 90% test accuracy (``nan`` when it did not within the budget).

for name, labels in result.labels_to_reach(0.90).items():
    print(f"{name:>16}: {labels}")

# %%
# Margin sampling pulls ahead of random sampling from the first rounds and
# reaches the target with markedly fewer labels. Least confidence gains more
# slowly, and entropy does no better than random here: with ten classes,
# entropy weighs the whole tail of the predicted distribution, and a sample
# can have a high entropy while its top two classes are far apart. With a
# handful of labels, any model's probabilities are poor, and so are the
# uncertainties computed from them: this cold-start problem is what
# diversity-based strategies address. On your own data, compare strategies
# over enough repeats before you choose: the bands overlap.
