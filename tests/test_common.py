"""scikit-learn's estimator checks and skactive's query checks, for every
public estimator (found by discovery, so a new class is tested at once).

The checks are those of the public :mod:`skactive.utils.estimator_checks`,
which users run on their own strategies: one copy of each.
"""

from skactive.utils.discovery import all_estimators
from skactive.utils.estimator_checks import parametrize_with_checks

from ._instances import expected_failed, extra_instances, make_instance

ESTIMATORS = [
    make_instance(name, cls) for name, cls in all_estimators()
] + extra_instances()


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda est: expected_failed(type(est).__name__)
)
def test_estimator_checks(estimator, check):
    check(estimator)


def test_discovery_finds_the_uncertainty_family():
    names = {name for name, _ in all_estimators()}
    assert {
        "RandomSampling",
        "UncertaintySampling",
        "LeastConfidentSampling",
        "MarginSampling",
        "EntropySampling",
        "VariationRatioSampling",
    } <= names


def test_every_strategy_queries_batches_of_ten_by_default():
    # The label-efficiency benchmark measures margin's gain at batches of 1
    # and 10 as equal within a standard deviation (docs/benchmarks.md), while a
    # batch of 1 makes the batch-aware strategies degenerate and costs a refit
    # per label: the default is the benchmark's batch of 10, for every
    # strategy (RandomSampling included, whose signature is the base's).
    import inspect

    from skactive.base import BaseQueryStrategy

    defaults = {
        name: inspect.signature(cls).parameters["batch_size"].default
        for name, cls in all_estimators()
        if issubclass(cls, BaseQueryStrategy)
    }
    assert len(defaults) > 10
    assert set(defaults.values()) == {10}, defaults
