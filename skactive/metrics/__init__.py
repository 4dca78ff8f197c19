"""Metrics of active learning: how much a strategy gets from its labels.

A learning curve is a score (accuracy, macro F1, ...) as a function of the
number of labels. These functions summarise one:

- :func:`area_under_learning_curve`: the normalised area under the curve
  (trapezoid over the labels), one number per curve;
- :func:`labels_to_reach`: the number of labels a strategy needs to reach a
  target score (or to get down to a target error);
- :func:`active_gain`: how much better than a baseline (random sampling) a
  strategy does, in area or in labels saved (positive is better, for scores
  and errors alike: :func:`lower_is_better` tells which metrics are
  errors);
- :func:`make_alc_scorer` and :data:`alc_scorer`: a scorer for
  :class:`~sklearn.model_selection.GridSearchCV` that scores a fitted
  :class:`~skactive.ActiveLearningClassifier` (or
  :class:`~skactive.ActiveLearningRegressor`) by the area under its learning
  curve on the held-out fold;
- :func:`align_learning_curves` and :func:`learning_curve_band`: runs of
  different lengths on one grid of label counts, and the mean curve with its
  band over the repeats (what :mod:`skactive.plotting` draws).
"""

from ._curves import align_learning_curves, learning_curve_band
from ._learning_curve import (
    active_gain,
    alc_scorer,
    area_under_learning_curve,
    labels_to_reach,
    lower_is_better,
    make_alc_scorer,
)

__all__ = [
    "active_gain",
    "alc_scorer",
    "align_learning_curves",
    "area_under_learning_curve",
    "labels_to_reach",
    "learning_curve_band",
    "lower_is_better",
    "make_alc_scorer",
]
