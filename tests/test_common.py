"""scikit-learn's estimator checks and skactive's query checks, for every
public estimator (found by discovery, so a new class is tested at once).

The checks are those of the public :mod:`skactive.utils.estimator_checks`,
which users run on their own strategies: one copy of each.
"""

from skactive.utils.discovery import all_estimators
from skactive.utils.estimator_checks import parametrize_with_checks

from ._instances import expected_failed, make_instance

ESTIMATORS = [make_instance(name, cls) for name, cls in all_estimators()]


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
