"""Class-balanced batches for imbalanced data.

With a rare class, a model trained on a few labels predicts the majority
class almost everywhere, and the most uncertain samples are mostly majority
samples near a boundary the model barely knows: uncertainty sampling keeps
labelling the common class. This strategy spends each pick on the class
with the fewest labels so far: among the candidates the model predicts as
that class, the most uncertain; when the model predicts none of them as
that class, the candidate it finds most likely to belong to it.
"""

from __future__ import annotations

import numpy as np

from .. import measures
from ..base import QueryStrategy, QueryTags
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import draw_salt, tie_keys

__all__ = ["ClassBalancedSampling"]


def target_classes(counts: np.ndarray, k: int) -> np.ndarray:
    """The class of each of ``k`` picks: the least labelled, counting picks.

    Ties go to the class listed first. The classes a batch can target are
    known before the pool is read, so only their probabilities are kept.
    """
    counts = np.asarray(counts, dtype=np.int64).copy()
    out = np.empty(k, dtype=np.intp)
    for t in range(k):
        out[t] = np.argmin(counts)
        counts[out[t]] += 1
    return out


def balanced_picks(
    utility: np.ndarray,
    predicted: np.ndarray,
    target_proba: np.ndarray,
    targets: np.ndarray,
    counts: np.ndarray,
    k: int,
    keys: np.ndarray,
) -> np.ndarray:
    """Positions of the ``k`` picks, in order (see :class:`ClassBalancedSampling`).

    ``target_proba[:, j]`` is the probability of class ``targets[j]``; ties
    are broken by ``keys``.
    """
    counts = np.asarray(counts, dtype=np.int64).copy()
    free = np.ones(utility.shape[0], dtype=bool)
    column = {c: j for j, c in enumerate(targets.tolist())}
    picks = np.empty(k, dtype=np.intp)
    for t in range(k):
        c = int(np.argmin(counts))
        candidates = np.flatnonzero(free & (predicted == c))
        if candidates.shape[0]:
            score = utility[candidates]
        else:
            candidates = np.flatnonzero(free)
            score = target_proba[candidates, column[c]]
        best = candidates[score == score.max()]
        picks[t] = best[np.argmin(keys[best])]
        free[picks[t]] = False
        counts[c] += 1
    return picks


@fill_doc
class ClassBalancedSampling(QueryStrategy):
    """Uncertainty sampling balanced across classes, rare classes first.

    Each pick of the batch goes to the class with the fewest labels so far
    (counting the labelled set, then the picks of this batch): the most
    uncertain candidate (by ``method``) among those the model predicts as
    that class; if the model predicts none of the remaining candidates as
    that class, the candidate with the highest predicted probability of it.
    On balanced data and a confident model this is close to uncertainty
    sampling spread over the predicted classes; with a rare class it keeps
    asking about the samples most likely to be rare, where uncertainty
    sampling would spend the labels on the majority class.

    A heuristic in the spirit of class-balanced active learning (Aggarwal
    et al., 2020; Bengar et al., 2022), without their optimisation: one
    greedy pass over the classes, at the cost of one pass of
    ``predict_proba`` over the candidates. Memory: two values per
    candidate plus one per candidate and targeted class (at most
    ``batch_size`` classes).

    Parameters
    ----------
    %(estimator)s
    method : str, callable or Measure, default="margin"
        The uncertainty within a class: a measure of ``predict_proba``
        (``"margin"``, ``"least_confident"``, ``"entropy"``, a callable
        ``proba -> utilities`` or a :class:`skactive.measures.Measure`).
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    %(random_state)s
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    class_counts_ : ndarray of shape (n_classes,)
        Labelled samples of each class of ``classes_`` at ``fit``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    UncertaintySampling : the top-k of a measure, blind to the classes.
    StochasticBatch : a batch drawn from the utilities.

    References
    ----------
    .. [1] U. Aggarwal, A. Popescu and C. Hudelot, "Active Learning for
       Imbalanced Datasets", WACV 2020.
    .. [2] J. Z. Bengar, J. van de Weijer, L. L. Fuentes and B. Raducanu,
       "Class-Balanced Active Learning for Image Classification", WACV 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import ClassBalancedSampling
    >>> X, y = make_classification(n_samples=500, weights=[0.95], random_state=0)
    >>> labelled = np.r_[np.flatnonzero(y == 0)[:8], np.flatnonzero(y == 1)[:2]]
    >>> strategy = ClassBalancedSampling(LogisticRegression(), batch_size=6,
    ...                                  random_state=0)
    >>> idx = strategy.fit(X[labelled], y[labelled]).query(X)
    >>> int((y[idx] == 1).sum()) >= 1   # rare-class candidates asked first
    True
    """

    def __init__(
        self,
        estimator=None,
        *,
        method="margin",
        batch_size=10,
        chunk_size=None,
        n_jobs=None,
        pool_subsample=None,
        random_state=None,
        warm_start=False,
    ):
        super().__init__(
            estimator,
            batch_size=batch_size,
            chunk_size=chunk_size,
            n_jobs=n_jobs,
            pool_subsample=pool_subsample,
            random_state=random_state,
            warm_start=warm_start,
        )
        self.method = method

    def _measure(self) -> measures.Measure:
        measure = measures.get_measure(self.method, name="method")
        if measure.input != "proba":
            raise ValueError(
                f"method must be a measure of predict_proba, got {measure.name!r}, "
                f"which reads {measure.input}."
            )
        return measure

    def _check_params(self) -> None:
        self._measure()

    def _query_tags(self) -> QueryTags:
        return QueryTags(batch_aware=True, pointwise_utility=False)

    def _fit(self, X, y) -> None:
        self.class_counts_ = (np.asarray(y)[:, None] == self.classes_).sum(axis=0)

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        measure = self._measure()
        targets = np.unique(target_classes(self.class_counts_, batch_size))

        def score(X):
            proba = self.estimator_.predict_proba(X)
            return measure.function(proba), proba.argmax(axis=1), proba[:, targets]

        utility, predicted, target_proba = pool.map(score)
        keys = tie_keys(pool.global_indices(), draw_salt(rng))
        return balanced_picks(
            utility,
            predicted,
            target_proba,
            targets,
            self.class_counts_,
            batch_size,
            keys,
        )
