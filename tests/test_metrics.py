"""Learning-curve metrics against hand-computed values."""

import math

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from skactive import ActiveLearningClassifier, MarginSampling
from skactive.metrics import (
    active_gain,
    alc_scorer,
    area_under_learning_curve,
    labels_to_reach,
    make_alc_scorer,
)


def test_area_by_hand():
    # Trapezoids: 10 * (0.2 + 0.4) / 2 + 10 * (0.4 + 1.0) / 2 = 3 + 7 = 10.
    n, s = [0, 10, 20], [0.2, 0.4, 1.0]
    assert area_under_learning_curve(n, s, normalize=False) == pytest.approx(10.0)
    assert area_under_learning_curve(n, s) == pytest.approx(0.5)  # 10 / 20
    # Unequal steps: 5 * (0.5 + 0.7) / 2 + 20 * (0.7 + 0.9) / 2 = 3 + 16 = 19.
    assert area_under_learning_curve([5, 10, 30], [0.5, 0.7, 0.9]) == pytest.approx(
        19 / 25
    )


def test_area_log_scale_by_hand():
    # log2([1, 2, 4]) = [0, 1, 2]: 1 * (0 + 1) / 2 + 1 * (1 + 1) / 2 = 1.5, / 2.
    assert area_under_learning_curve(
        [1, 2, 4], [0.0, 1.0, 1.0], log_scale=True
    ) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="log_scale"):
        area_under_learning_curve([0, 2], [0.1, 0.2], log_scale=True)


def test_area_constant_curve_is_its_value_and_single_point():
    assert area_under_learning_curve([3, 7, 50], [0.8] * 3) == pytest.approx(0.8)
    assert area_under_learning_curve([10], [0.6]) == 0.6
    assert area_under_learning_curve([10], [0.6], normalize=False) == 0.0


@pytest.mark.parametrize(
    "n, s, match",
    [
        ([1, 2], [0.1], "same length"),
        ([2, 1], [0.1, 0.2], "increasing"),
        ([1, 1], [0.1, 0.2], "increasing"),
        ([1, 2], [0.1, np.nan], "scores contains NaN"),
        ([], [], "empty"),
        ([[1, 2]], [[1, 2]], "1-d"),
    ],
)
def test_area_rejects_bad_curves(n, s, match):
    with pytest.raises(ValueError, match=match):
        area_under_learning_curve(n, s)


def test_labels_to_reach_by_hand():
    n, s = [10, 20, 30, 40], [0.5, 0.72, 0.69, 0.8]
    assert labels_to_reach(n, s, 0.7) == 20.0  # first crossing counts
    assert labels_to_reach(n, s, 0.5) == 10.0
    assert labels_to_reach(n, s, 0.8) == 40.0
    assert math.isnan(labels_to_reach(n, s, 0.81))
    with pytest.raises(ValueError, match="target"):
        labels_to_reach(n, s, float("nan"))


def test_active_gain_by_hand():
    n = [10, 20, 30]
    ours, random = [0.6, 0.8, 0.9], [0.5, 0.6, 0.8]
    # Areas: (0.7 + 0.85) / 2 = 0.775 and (0.55 + 0.7) / 2 = 0.625.
    assert active_gain(n, ours, random) == pytest.approx(0.15)
    assert active_gain(n, random, random) == 0.0
    # 0.8 reached with 20 labels vs 30: a third of the labels saved.
    assert active_gain(n, ours, random, target=0.8) == pytest.approx(1 / 3)
    assert math.isnan(active_gain(n, ours, random, target=0.95))
    # Baseline on its own grid.
    assert active_gain(
        n, ours, [0.5, 0.8], baseline_n_labels=[10, 30]
    ) == pytest.approx(0.775 - 0.65)


@pytest.fixture(scope="module")
def fitted():
    X, y = load_iris(return_X_y=True)
    clf = ActiveLearningClassifier(
        MarginSampling(LogisticRegression(max_iter=300)),
        initial_size=6,
        budget=9,
        batch_size=3,
        random_state=0,
    ).fit(X[::2], y[::2])
    return clf, X[1::2], y[1::2]


def test_alc_scorer_is_the_area_of_the_held_out_curve(fitted):
    clf, X_test, y_test = fitted
    curve = clf.learning_curve(X_test, y_test)
    manual = [est.score(X_test, y_test) for est in clf.estimators_]
    np.testing.assert_allclose(curve["score"], manual)
    np.testing.assert_array_equal(curve["n_labels"], [6, 9, 12, 15])
    expected = area_under_learning_curve(curve["n_labels"], manual)
    assert alc_scorer(clf, X_test, y_test) == pytest.approx(expected)


def test_make_alc_scorer_options(fitted):
    clf, X_test, y_test = fitted
    f1 = clf.learning_curve(X_test, y_test, scoring="f1_macro")
    scorer = make_alc_scorer("f1_macro", normalize=False)
    assert scorer(clf, X_test, y_test) == pytest.approx(
        area_under_learning_curve(f1["n_labels"], f1["score"], normalize=False)
    )
    assert "f1_macro" in repr(scorer)


def test_alc_scorer_rejects_other_estimators():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(TypeError, match="ActiveLearningClassifier"):
        alc_scorer(LogisticRegression(max_iter=500).fit(X, y), X, y)
