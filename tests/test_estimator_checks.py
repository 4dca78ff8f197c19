"""skactive.utils.estimator_checks on strategies a user would write: a sound
one passes every check, each broken one fails the check about its fault."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import SkipTestWarning
from sklearn.linear_model import LogisticRegression

from skactive import Committee, QueryStrategy
from skactive.utils.estimator_checks import (
    check_query_adds_no_attributes,
    check_query_independent_of_chunk_size_and_n_jobs,
    check_query_is_reproducible,
    check_query_returns_unique_indices,
    check_strategy,
    parametrize_with_checks,
    strategy_checks_generator,
)


class LeastConfident(QueryStrategy):
    """A user's strategy: one minus the largest class probability."""

    def _utility(self, X, context=None):
        return 1.0 - self.estimator_.predict_proba(X).max(axis=1)


class RepeatsItself(LeastConfident):
    """Broken: its batch holds the same sample twice."""

    def query(self, X_pool, batch_size=None, **kwargs):
        result = super().query(X_pool, batch_size, **kwargs)
        if isinstance(result, tuple):
            return result
        result = result.copy()
        result[-1] = result[0]
        return result


class RemembersScores(LeastConfident):
    """Broken: keeps state from query on the strategy."""

    def _utility(self, X, context=None):
        self.last_utilities_ = super()._utility(X)
        return self.last_utilities_


class GlobalRandomness(QueryStrategy):
    """Broken: draws from NumPy's global generator, not random_state."""

    def _utility(self, X, context=None):
        return np.random.random_sample(X.shape[0])  # noqa: NPY002 (the fault)


class ChunkNormalised(LeastConfident):
    """Broken: scales utilities per chunk, so the chunking changes the batch."""

    def _utility(self, X, context=None):
        utilities = super()._utility(X)
        return utilities / utilities.max()


def _lr():
    return LogisticRegression(max_iter=200)


def test_a_users_strategy_passes_every_check():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkipTestWarning)  # array API checks
        passed = check_strategy(LeastConfident(_lr()))
    assert "check_fit2d_1sample" in passed  # scikit-learn's
    assert {
        "check_query_before_fit",
        "check_query_returns_unique_indices",
        "check_query_does_not_modify_pool",
        "check_query_is_reproducible",
        "check_query_adds_no_attributes",
        "check_query_independent_of_chunk_size_and_n_jobs",
        "check_pool_subsample",
        "check_utility_matches_query",
    } <= set(passed)
    assert "check_predict_proba_samples" not in passed


@pytest.mark.parametrize(
    "strategy, check, match",
    [
        (RepeatsItself, check_query_returns_unique_indices, "repeated indices"),
        (RemembersScores, check_query_adds_no_attributes, "last_utilities_"),
        (GlobalRandomness, check_query_is_reproducible, "second time"),
        (
            ChunkNormalised,
            check_query_independent_of_chunk_size_and_n_jobs,
            "chunk_size=1",
        ),
    ],
    ids=lambda p: getattr(p, "__name__", None),
)
def test_a_broken_strategy_fails_its_check(strategy, check, match):
    with pytest.raises(AssertionError, match=match):
        check(strategy.__name__, strategy(_lr()))
    with pytest.raises(AssertionError, match=rf"^{check.__name__} failed"):
        check_strategy(strategy(_lr()), sklearn_checks=False)


def test_check_strategy_skips_expected_failures():
    reason = "remembers its last utilities, on purpose"
    with pytest.warns(SkipTestWarning, match=reason):
        passed = check_strategy(
            RemembersScores(_lr()),
            sklearn_checks=False,
            expected_failed_checks={"check_query_adds_no_attributes": reason},
        )
    assert "check_query_adds_no_attributes" not in passed
    assert "check_query_returns_unique_indices" in passed


def test_generator_marks_expected_failures_of_both_kinds():
    expected = {
        "check_query_adds_no_attributes": "a query check",
        "check_fit2d_1sample": "a scikit-learn check",
    }
    pairs = list(
        strategy_checks_generator(
            RemembersScores(_lr()), expected_failed_checks=expected, mark="xfail"
        )
    )
    reasons = sorted(
        mark.kwargs["reason"]
        for pair in pairs
        if hasattr(pair, "marks")
        for mark in pair.marks
        if mark.name == "xfail"
    )
    assert reasons == ["a query check", "a scikit-learn check"]
    # without sklearn's checks, only ours: the query checks of a strategy, and
    # the samples check of a committee (which has no query)
    names = [
        check.func.__name__
        for _, check in strategy_checks_generator(
            Committee(n_members=2), sklearn_checks=False
        )
    ]
    assert names == ["check_predict_proba_samples"]


def test_parametrize_with_checks_rejects_classes():
    with pytest.raises(TypeError, match="instances"):
        parametrize_with_checks([LeastConfident])
    with pytest.raises(TypeError, match="list"):
        parametrize_with_checks(LeastConfident(_lr()))


@parametrize_with_checks(
    [RemembersScores(_lr())],
    expected_failed_checks=lambda est: {
        "check_query_adds_no_attributes": "remembers its utilities, on purpose"
    },
)
def test_parametrize_with_checks_on_a_users_strategy(estimator, check):
    check(estimator)
