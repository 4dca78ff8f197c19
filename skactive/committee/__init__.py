"""Committees of classifiers and of regressors, for query by committee and BALD.

- :class:`Committee`: bagged copies of one classifier, or a list of them
  (``predict_proba_samples``);
- :class:`CommitteeRegressor`: the same for regressors (``predict_samples``,
  ``predict(X, return_std=True)``);
- :class:`EnsembleCommittee`: a scikit-learn forest, bagging or voting
  ensemble (classifier or regressor) read through its fitted members.
"""

from ._committee import Committee
from ._ensemble import EnsembleCommittee, is_committee_ensemble
from ._regressor import CommitteeRegressor

__all__ = [
    "Committee",
    "CommitteeRegressor",
    "EnsembleCommittee",
    "is_committee_ensemble",
]
