"""Random sampling: the baseline every strategy is measured against."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from ..base import BaseQueryStrategy, QueryTags
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._selection import sample_indices


@fill_doc
class RandomSampling(BaseQueryStrategy):
    """Query pool samples uniformly at random, without replacement.

    The baseline of active learning: any strategy worth using should need
    fewer labels than this one. The estimator is still fitted, so the
    strategy predicts like any other and learning curves can be drawn. It
    serves classification and regression alike: with a regressor it is a
    regressor (real-valued targets, R² as ``score``).

    Parameters
    ----------
    %(any_estimator)s
    %(batch_size)s
    chunk_size : int, default=None
        Part of the common interface; random sampling reads no pool row, so
        it has nothing to chunk.
    n_jobs : int, default=None
        Part of the common interface; random sampling reads no pool row.
    %(pool_subsample)s
    %(random_state)s
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier or regressor
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels (with a classifier only).
    n_features_in_ : int
        Number of features seen during ``fit``.

    See Also
    --------
    UncertaintySampling : query the samples the model is least sure about.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import RandomSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = RandomSampling(batch_size=3, random_state=0).fit(X[::10], y[::10])
    >>> strategy.query(X).shape
    (3,)
    """

    def _default_estimator(self):
        return LogisticRegression()

    def _query_tags(self) -> QueryTags:
        return QueryTags(
            requires_proba=False, batch_aware=True, pointwise_utility=False
        )

    def _select(
        self, pool: Pool, batch_size: int, rng: np.random.RandomState, context=None
    ) -> np.ndarray:
        return sample_indices(pool.n, batch_size, rng)
