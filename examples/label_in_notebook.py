"""
=====================================================
Label digits and texts in a notebook
=====================================================

The labelling widget (:class:`skactive.widgets.LabellingWidget`) on two
sessions: handwritten digits, shown as images, and short texts. Run it in
Jupyter (download it as a notebook below): each cell's widget shows the
sample to label; click a class, or press its key. Every label is saved to
the session file before the next sample appears, and the model is refitted
in the background. See :doc:`/widget`.

.. note::

   The documentation build does not run this example: a widget needs a
   notebook to click in. ``pip install "skactive[widgets]"`` first.
"""

# %%
# Digits: the pool is the flat feature rows, the widget shows the images
# -----------------------------------------------------------------------
#
# The session declares its classes (the buttons) and saves itself to
# ``digits-session.json`` after every label. Run the cell again after a
# restart: the session resumes from its file.
import os

import numpy as np
from sklearn.datasets import load_digits
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skactive import ActiveLearner, EntropySampling, MarginSampling
from skactive.widgets import LabellingWidget


def session(path, strategy, X, **kwargs):
    """A new session, or the one saved in ``path``."""
    if os.path.exists(path):
        return ActiveLearner.load(path, X, strategy)
    return ActiveLearner(strategy, X, autosave=path, random_state=0, **kwargs)


digits = load_digits()
X, y = digits.data / 16, digits.target
strategy = MarginSampling(
    LogisticRegression(max_iter=500), batch_size=10, random_state=0
)
learner = session("digits-session.json", strategy, X[:1500], classes=range(10))
LabellingWidget(
    learner,
    display=digits.images[:1500],
    budget=50,
    X_test=X[1500:],
    y_test=y[1500:],
)

# %%
# Short texts: a TF-IDF pipeline on the raw strings
# --------------------------------------------------
#
# The pool is the texts themselves; the widget shows each one, and the keys
# are 1, 2 and 3 for the three topics.
rng = np.random.RandomState(0)
words = {
    "cooking": "bake oven flour sugar recipe dough sauce garlic roast",
    "science": "atom cell energy physics molecule theory planet gene",
    "sports": "goal match team coach league score player ball season",
}
topics = rng.choice(sorted(words), 400)
texts = np.array(
    [" ".join(rng.choice(words[t], 4)).capitalize() + " today." for t in topics]
)
text_strategy = EntropySampling(
    make_pipeline(TfidfVectorizer(), LogisticRegression()),
    batch_size=8,
    random_state=0,
)
text_learner = session(
    "texts-session.json",
    text_strategy,
    texts[:300],
    classes=["cooking", "science", "sports"],
)
LabellingWidget(text_learner, budget=50, X_test=texts[300:], y_test=topics[300:])

# %%
# What was labelled
# -----------------
#
# The sessions hold every label; their files too, whatever happened to the
# kernel.
print(learner)
print(text_learner.class_counts())
