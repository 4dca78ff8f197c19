"""Data-centric tools: suspicious labels and out-of-distribution samples.

Active learning decides which samples to label; these tools look at the
labels and the pool themselves (see the user guide's "Data-centric tools"):

- **Suspicious labels**, by confident learning (Northcutt, Jiang & Chuang,
  2021) on out-of-fold probabilities: :func:`find_label_issues` ranks the
  labelled samples by how likely their label is wrong
  (:func:`label_issues_from_proba` when the probabilities come from
  elsewhere; :func:`confident_joint` and :func:`label_quality` are its
  formulas). In a labelling session,
  :meth:`skactive.ActiveLearner.suspicious_labels` runs it on the session's
  labels, and ``teach(rows, labels, relabel=True)`` takes the corrections.
- **Out-of-distribution samples**: :class:`DistanceToLabelled` scores each
  sample by its distance to the labelled ones in an embedding, reports the
  drift of a pool from the labelled set (:class:`DriftReport`), and gives a
  query its ``candidates=``: the pool samples in distribution, or the
  others to query them deliberately.

Query by example, the unlabelled neighbours of given samples, is a query
strategy: :class:`skactive.QueryByExample`.

The confident-learning formulas
-------------------------------
With out-of-sample probabilities ``p[x, j]`` and given labels ``y~``:

1. ``t[j]``, the mean of ``p[x, j]`` over the samples labelled ``j``;
2. the confident joint ``C[i, j]``: samples labelled ``i`` whose
   ``p[x, j] >= t[j]`` (the most probable such ``j`` when there are
   several; none: not counted);
3. its calibration ``Q[i, j] = C[i, j] / sum_j C[i, j] * n_i``, the
   estimated number of samples labelled ``i`` of true class ``j``;
4. ``Q`` rounded (each row keeping its total, at least one sample of every
   label kept), then a ``method`` flags the samples: for each ``i != j``,
   the ``Q[i, j]`` samples labelled ``i`` of largest ``p[x, j] - p[x, i]``
   (``"prune_by_noise_rate"``, the default, as in cleanlab), the
   ``sum_{j != i} Q[i, j]`` samples labelled ``i`` of lowest ``p[x, i]``
   (``"prune_by_class"``), both (``"both"``), the samples off the diagonal
   of ``C`` (``"confident_learning"``), or those whose most probable class
   is not their label (``"predicted_neq_given"``). A sample whose label is
   its most probable class is never flagged;
5. the flagged samples ranked by label quality, lower first:
   ``p[x, y~]`` (``"self_confidence"``) or
   ``(p[x, y~] - max_{j != y~} p[x, j] + 1) / 2`` (``"normalized_margin"``).
"""

from ._label_issues import (
    LabelIssues,
    confident_joint,
    find_label_issues,
    label_issues_from_proba,
    label_quality,
)
from ._ood import DistanceToLabelled, DriftReport

__all__ = [
    "DistanceToLabelled",
    "DriftReport",
    "LabelIssues",
    "confident_joint",
    "find_label_issues",
    "label_issues_from_proba",
    "label_quality",
]
