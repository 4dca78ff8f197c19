"""The one table of cheap instances for the common tests.

``tests/test_common.py`` runs scikit-learn's estimator checks and our query
checks over every public estimator found by
:func:`skactive.utils.discovery.all_estimators`. A class is built with its
default constructor unless it has an entry in ``INSTANCES``; a check that
truly cannot apply is listed in ``EXPECTED_FAILED`` with its reason.
Keep one section per family.
"""

from sklearn.linear_model import LogisticRegression

INSTANCES = {
    # --- uncertainty ---
    # --- committee ---
    # --- deep ---
    # --- diversity ---
    # --- loop ---
}

EXPECTED_FAILED = {
    # --- uncertainty ---
    # --- committee ---
    # --- deep ---
    # --- diversity ---
    # --- loop ---
}


def make_instance(name, cls):
    """A cheap instance of ``cls``: from the table, else the default one."""
    if name in INSTANCES:
        return INSTANCES[name]()
    params = cls().get_params(deep=False)
    if "estimator" in params and params["estimator"] is None:
        return cls(estimator=LogisticRegression(max_iter=200))
    return cls()


def expected_failed(name):
    return EXPECTED_FAILED.get(name, {})
