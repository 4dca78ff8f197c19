"""
======================================================
Query by committee: where plausible models disagree
======================================================

A single model's uncertainty says how close a sample is to *its* decision
boundary. Query by committee asks where several plausible models of the
labelled data disagree (Seung et al., 1992). Here the committee is ten
decision trees, each fitted on its own bootstrap resample of the labelled set
(:class:`~skactive.Committee`), and :class:`~skactive.QueryByCommittee`
scores the pool with two measures of disagreement:

- **vote entropy**: the entropy of the members' hard votes;
- **KL divergence** to the consensus ("max disagreement"): how far each
  member's probabilities are from their mean; it is zero where the members
  agree, however unsure they all are.

They are compared with margin sampling and random sampling, on the
committee and on a single tree.
"""

# %%
# The committee
# -------------
#
# A committee is a classifier: ``predict_proba`` is the mean of its members'
# probabilities (for bagged trees, a random forest without feature
# subsampling). ``predict_proba_samples`` returns every member's
# probabilities, with shape ``(n_samples, n_members, n_classes)``: the
# protocol that every disagreement measure works on, shared with Bayesian
# networks (MC-Dropout).

from sklearn.datasets import load_digits
from sklearn.tree import DecisionTreeClassifier

from skactive import (
    Committee,
    MarginSampling,
    QueryByCommittee,
    RandomSampling,
    compare,
)

X, y = load_digits(return_X_y=True)
tree = DecisionTreeClassifier()
committee = Committee(estimator=tree, n_members=10)

fitted = Committee(estimator=tree, n_members=10, random_state=0)
fitted.fit(X[:50], y[:50])
print("predict_proba_samples:", fitted.predict_proba_samples(X[50:55]).shape)

# %%
# Learning curves
# ---------------
#
# The same simulation for every strategy: a stratified quarter of the data
# held out, 20 initial labels, 10 more per round. Repeat ``i`` uses the same
# seed for every strategy; the seed also drives the committee's bootstraps.

result = compare(
    {
        "random (committee)": RandomSampling(committee),
        "margin (committee)": MarginSampling(committee),
        "vote entropy": QueryByCommittee(committee, method="vote_entropy"),
        "KL divergence": QueryByCommittee(committee, method="kl_divergence"),
        "margin (single tree)": MarginSampling(tree),
    },
    X,
    y,
    initial_size=20,
    batch_size=10,
    budget=130,
    n_repeats=3,
    random_state=0,
    progress=False,
)
print(result)

display = result.plot()
display.ax_.set_title("Digits, ten bagged decision trees")
display.ax_.grid(alpha=0.3)

# %%
# Two lessons. First, the committee is a better *model* than any of its
# members: every strategy on the committee leaves margin sampling on a single
# tree far behind, because a lone tree's probabilities are 0 or 1 almost
# everywhere and its margin carries little information. Second, on the
# committee, the disagreement measures learn faster than random sampling
# after the first rounds, and so does the margin of the consensus, which is
# the strongest here. Which measure wins depends on the data and the
# members; compare them over more repeats on your own data, and see
# :class:`~skactive.BALD` and :class:`~skactive.BatchBALD` for Bayesian
# networks, whose members are posterior samples.
