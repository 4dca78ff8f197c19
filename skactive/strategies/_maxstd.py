"""Maximum predictive standard deviation: uncertainty sampling for regression."""

from __future__ import annotations

import numpy as np

from ..base import QueryTags, RegressionQueryStrategy
from ..utils._docstrings import fill_doc
from ..utils._regression import predict_mean_std

__all__ = ["MaxStdSampling"]


@fill_doc
class MaxStdSampling(RegressionQueryStrategy):
    r"""Query the samples whose prediction is most uncertain (regression).

    Utility: the predictive standard deviation :math:`\sigma(x)` of the
    regressor, read by :func:`skactive.utils.predict_mean_std` from
    ``predict(X, return_std=True)`` when the estimator offers it (a Gaussian
    process, :class:`~sklearn.linear_model.BayesianRidge`,
    :class:`~sklearn.linear_model.ARDRegression`), else from the spread of
    its ``predict_samples`` (a committee, an MC-Dropout network). A
    scikit-learn forest, extra trees or bagging regressor is read through
    its members (:class:`~skactive.committee.EnsembleCommittee`).

    One class serves the two classic ideas, which rank the pool alike:

    - *uncertainty sampling* with a probabilistic regressor (the Gaussian
      process's posterior standard deviation, MacKay 1992; Seo et al. 2000);
    - *query by committee* for regression: with a committee
      (:class:`~skactive.committee.CommitteeRegressor`, a forest) the
      utility is the standard deviation of the members' predictions, whose
      square is the committee variance of Burbidge et al. (2007) (the same
      ranking).

    The batch is the ``batch_size`` samples of largest :math:`\sigma`
    (top-k, streamed over chunks of the pool by the engine): a pointwise
    strategy, which can pick near-duplicates in one batch; for a batch that
    also covers the input space see :class:`ImprovedGreedySampling`.

    Parameters
    ----------
    estimator : regressor, default=None
        A regressor with ``predict(X, return_std=True)`` or
        ``predict_samples`` (or a scikit-learn forest, extra trees, bagging
        or voting regressor), fitted as a clone ``estimator_``. ``None``
        means :class:`~sklearn.linear_model.BayesianRidge`.
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    %(random_state)s
    %(warm_start)s

    Attributes
    ----------
    estimator_ : regressor
        The fitted clone of ``estimator``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    skactive.committee.CommitteeRegressor : bagged copies of one regressor.
    ExpectedModelChange : uncertainty weighted by how much a label would
        change a linear model.
    ImprovedGreedySampling : diversity in the input and output spaces.

    References
    ----------
    .. [1] D. J. C. MacKay, "Information-based objective functions for
       active data selection", Neural Computation 4(4), 1992.
    .. [2] R. Burbidge, J. J. Rowland and R. D. King, "Active learning for
       regression based on query by committee", IDEAL 2007.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skactive import MaxStdSampling
    >>> X, y = load_diabetes(return_X_y=True)
    >>> strategy = MaxStdSampling(batch_size=3, random_state=0)
    >>> strategy.fit(X[:20], y[:20]).query(X[20:]).shape
    (3,)
    """

    def _query_tags(self) -> QueryTags:
        return QueryTags(requires_proba=False, requires_std=True)

    def _utility(self, X, context=None) -> np.ndarray:
        return predict_mean_std(self.estimator_, X)[1]
