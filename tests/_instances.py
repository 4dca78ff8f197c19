"""The one table of cheap instances for the common tests.

``tests/test_common.py`` runs scikit-learn's estimator checks and our query
checks (:mod:`skactive.utils.estimator_checks`) over every public estimator
found by :func:`skactive.utils.discovery.all_estimators`. A class is built
with its default constructor unless it has an entry in ``INSTANCES``; a check
that truly cannot apply (one of scikit-learn's or one of ours, by name, as in
scikit-learn's ``expected_failed_checks``) is listed in ``EXPECTED_FAILED``
with its reason, and runs as ``xfail``. Keep one section per family.
"""

import numpy as np
from sklearn.base import is_regressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import BayesianRidge, LogisticRegression

from skactive import (
    BALD,
    EPIG,
    BatchBALD,
    Committee,
    CommitteeRegressor,
    CoreSet,
    MaxStdSampling,
    MeanSTD,
    QueryByCommittee,
    QueryByExample,
    RandomSampling,
)
from skactive.committee import EnsembleCommittee

INSTANCES = {
    # --- uncertainty ---
    # --- committee ---
    # A strategy's default estimator=None is a Committee; make_instance would
    # put a LogisticRegression (no predict_proba_samples) in its place.
    "QueryByCommittee": lambda: QueryByCommittee(
        Committee(n_members=3, random_state=0)
    ),
    "BALD": lambda: BALD(Committee(n_members=3, random_state=0)),
    # A scikit-learn ensemble as a committee: a small forest.
    "EnsembleCommittee": lambda: EnsembleCommittee(
        RandomForestClassifier(n_estimators=5, random_state=0)
    ),
    # --- deep ---
    # Strategies over predict_proba_samples get a cheap Committee; the skorch
    # network sets its input/output sizes from the data (_deep_instances.py,
    # which imports torch: discovery only finds MCDropoutClassifier with it).
    "BatchBALD": lambda: BatchBALD(Committee(n_members=3, random_state=0)),
    "MeanSTD": lambda: MeanSTD(Committee(n_members=3, random_state=0)),
    "EPIG": lambda: EPIG(Committee(n_members=3, random_state=0), n_target_samples=20),
    "DeepEnsembleClassifier": lambda: _deep().tiny_deep_ensemble(),
    "MCDropoutClassifier": lambda: _deep().tiny_mc_dropout_classifier(),
    "LearningLossClassifier": lambda: _deep().tiny_learning_loss_classifier(),
    "LearningLoss": lambda: _deep().tiny_learning_loss(),
    # --- diversity ---
    # --- regression ---
    "CommitteeRegressor": lambda: CommitteeRegressor(n_members=3, random_state=0),
    "MCDropoutRegressor": lambda: _deep().tiny_mc_dropout_regressor(),
    # --- data-centric ---
    # examples has no default (the samples whose neighbours to query): three
    # rows with the 6 features of the query checks' data (scikit-learn's
    # checks only fit and predict, and the examples are read at query time).
    "QueryByExample": lambda: QueryByExample(
        LogisticRegression(max_iter=200), examples=_EXAMPLES
    ),
    # --- loop ---
    # The default budget (100 labels, one per round) is 100 fits: keep the
    # loop to a few rounds.
    "ActiveLearningClassifier": lambda: _loop_classifier(),
    "ActiveLearningRegressor": lambda: _loop_regressor(),
}

_SKORCH_INPUT = (
    "skorch hands X to the module as it is (arrays, tensors, dicts, lists of "
    "inputs, Datasets); it does not coerce it like check_array"
)

_SKORCH_EXPECTED_FAILED = {
    "check_no_attributes_set_in_init": (
        "skorch's NeuralNet.__init__ sets history_, initialized_, "
        "virtual_params_ and stores module__*/optimizer__* keyword arguments"
    ),
    "check_set_params": (
        "skorch's set_params validates dunder parameters through its own "
        "machinery and rejects the check's arbitrary values"
    ),
    "check_estimators_dtypes": (
        "integer X reaches the module as integer tensors (embedding layers "
        "need token ids); only floating inputs are cast to the module's dtype"
    ),
    "check_dtype_object": _SKORCH_INPUT,
    "check_classifier_data_not_an_array": _SKORCH_INPUT,
    "check_classifiers_train": (
        _SKORCH_INPUT + ": a Python list X is a list of inputs, not of rows"
    ),
    "check_classifiers_train(readonly_memmap=True)": (
        _SKORCH_INPUT + ": a Python list X is a list of inputs, not of rows"
    ),
    "check_classifiers_train(readonly_memmap=True,X_dtype=float32)": (
        _SKORCH_INPUT + ": a Python list X is a list of inputs, not of rows"
    ),
    "check_regressor_data_not_an_array": _SKORCH_INPUT,
    "check_regressors_train": (
        _SKORCH_INPUT + ": a Python list X is a list of inputs, not of rows"
    ),
    "check_regressors_train(readonly_memmap=True)": (
        _SKORCH_INPUT + ": a Python list X is a list of inputs, not of rows"
    ),
    "check_regressors_train(readonly_memmap=True,X_dtype=float32)": (
        _SKORCH_INPUT + ": a Python list X is a list of inputs, not of rows"
    ),
    "check_fit1d": (
        "a network's input may have any shape (N,), (N, d), (N, C, H, W): "
        "1-d X is valid for modules that take one value per sample"
    ),
    "check_estimator_sparse_tag": (
        "skorch passes sparse matrices to the module as torch sparse "
        "tensors; whether the module accepts them is up to the module"
    ),
    "check_estimator_sparse_array": (
        "skorch passes sparse matrices to the module as torch sparse "
        "tensors; whether the module accepts them is up to the module"
    ),
    "check_estimator_sparse_matrix": (
        "skorch passes sparse matrices to the module as torch sparse "
        "tensors; whether the module accepts them is up to the module"
    ),
}

# More instances of classes that serve several tasks or several protocols: the
# model-free strategies and the ensemble adapter over a regressor (they then
# get scikit-learn's regressor checks), and the regression strategies over a
# committee and over a forest read through its members.
_EXAMPLES = np.random.RandomState(0).normal(size=(3, 6))

EXTRA_INSTANCES = [
    lambda: RandomSampling(BayesianRidge()),
    lambda: CoreSet(BayesianRidge()),
    lambda: EnsembleCommittee(RandomForestRegressor(n_estimators=5, random_state=0)),
    lambda: MaxStdSampling(CommitteeRegressor(n_members=3, random_state=0)),
    lambda: MaxStdSampling(RandomForestRegressor(n_estimators=5, random_state=0)),
    # query by example over a regressor, and ordered by uncertainty
    lambda: QueryByExample(BayesianRidge(), examples=_EXAMPLES),
    lambda: QueryByExample(
        LogisticRegression(max_iter=200), examples=_EXAMPLES, uncertainty="margin"
    ),
]

EXPECTED_FAILED = {
    # --- uncertainty ---
    # --- committee ---
    # --- deep ---
    "MCDropoutClassifier": _SKORCH_EXPECTED_FAILED,
    "LearningLossClassifier": _SKORCH_EXPECTED_FAILED,
    # integer X reaches its network as integer tensors, as above
    "LearningLoss": {
        check: _SKORCH_EXPECTED_FAILED[check]
        for check in ("check_estimators_dtypes", "check_classifier_data_not_an_array")
    },
    # --- diversity ---
    # --- regression ---
    "MCDropoutRegressor": _SKORCH_EXPECTED_FAILED,
    # The committee validates X as scikit-learn does; its skorch members keep
    # their own input handling (integer tensors, lists of inputs).
    "DeepEnsembleClassifier": {
        check: _SKORCH_EXPECTED_FAILED[check]
        for check in ("check_estimators_dtypes", "check_classifier_data_not_an_array")
    },
    # --- loop ---
}


def _deep():
    from . import _deep_instances

    return _deep_instances


def _loop_classifier():
    from skactive import ActiveLearningClassifier, MarginSampling

    return ActiveLearningClassifier(
        MarginSampling(LogisticRegression(max_iter=200)),
        initial_size=10,
        budget=20,
        batch_size=10,
        random_state=0,
    )


def _loop_regressor():
    from skactive import ActiveLearningRegressor, MaxStdSampling

    return ActiveLearningRegressor(
        MaxStdSampling(BayesianRidge()),
        initial_size=10,
        budget=20,
        batch_size=10,
        random_state=0,
    )


def make_instance(name, cls):
    """A cheap instance of ``cls``: from the table, else the default one (a
    classification strategy's default model, with fewer iterations)."""
    if name in INSTANCES:
        return INSTANCES[name]()
    default = cls()
    params = default.get_params(deep=False)
    if (
        "estimator" in params
        and params["estimator"] is None
        and not is_regressor(default)
    ):
        return cls(estimator=LogisticRegression(max_iter=200))
    return default


def extra_instances():
    """The instances of ``EXTRA_INSTANCES``."""
    return [make() for make in EXTRA_INSTANCES]


def expected_failed(name):
    return EXPECTED_FAILED.get(name, {})
