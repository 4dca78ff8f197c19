"""The active learning loop: labelling sessions, simulation, comparison.

- :class:`ActiveLearner`: a labelling session over a pool (query, teach,
  atomic save and resume).
- :func:`simulate` and :func:`compare`: the loop with the true labels as the
  annotator, learning curves on a held-out set, repeated over seeds.
- :class:`ActiveLearningClassifier` and :class:`ActiveLearningRegressor`:
  the simulated loop as an estimator, so that
  :class:`~sklearn.model_selection.GridSearchCV` chooses a strategy.
- :class:`NoisyOracle` and the stopping criteria :class:`MaxConfidence`
  and :class:`StabilizingPredictions`.
"""

from ._compare import ComparisonResult, compare
from ._estimator import ActiveLearningClassifier, ActiveLearningRegressor

# for skactive.cli: atomic writes, the session lock, a session file read
# without its pool, a file read within a size limit
from ._lock import session_lock  # noqa: F401
from ._oracle import NoisyOracle
from ._persist import atomic_write_bytes, read_bytes, read_session  # noqa: F401
from ._session import ActiveLearner
from ._simulate import SimulationResult, simulate
from ._stopping import MaxConfidence, StabilizingPredictions, StoppingCriterion

__all__ = [
    "ActiveLearner",
    "ActiveLearningClassifier",
    "ActiveLearningRegressor",
    "ComparisonResult",
    "MaxConfidence",
    "NoisyOracle",
    "SimulationResult",
    "StabilizingPredictions",
    "StoppingCriterion",
    "compare",
    "simulate",
]
