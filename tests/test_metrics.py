"""Learning-curve metrics against hand-computed values."""

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from skactive import ActiveLearningClassifier, MarginSampling
from skactive.metrics import (
    active_gain,
    alc_scorer,
    align_learning_curves,
    area_under_learning_curve,
    labels_to_reach,
    learning_curve_band,
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


# ------------------------------------------------------- curves for the plots
def test_align_learning_curves_by_hand():
    n_labels, scores = align_learning_curves(
        {
            "a": [([10, 20, 30], [0.1, 0.2, 0.3]), ([10, 25], [0.4, 0.5])],
            "b": [([5, 10], [0.6, 0.7])],
        }
    )
    np.testing.assert_array_equal(n_labels, [5, 10, 20, 25, 30])
    nan = np.nan
    np.testing.assert_array_equal(
        scores["a"], [[nan, 0.1, 0.2, nan, 0.3], [nan, 0.4, nan, 0.5, nan]]
    )
    np.testing.assert_array_equal(scores["b"], [[0.6, 0.7, nan, nan, nan]])
    # one pair instead of a list of them
    _, one = align_learning_curves({"c": ([1, 2], [0.5, 0.6])})
    np.testing.assert_array_equal(one["c"], [[0.5, 0.6]])


@pytest.mark.parametrize(
    "curves, error, match",
    [
        ([], TypeError, "dict"),
        ({}, TypeError, "dict"),
        ({"a": []}, ValueError, "no curve"),
        ({"a": [[1, 2, 3]]}, TypeError, "pair"),
        ({"a": [([1, 2], [0.5])]}, ValueError, "same length"),
        ({"a": [([1, 1], [0.5, 0.6])]}, ValueError, "repeated"),
    ],
)
def test_align_learning_curves_rejects_bad_input(curves, error, match):
    with pytest.raises(error, match=match):
        align_learning_curves(curves)


def test_learning_curve_band_by_hand():
    nan = np.nan
    table = np.array([[0.2, 0.4, 0.9], [0.4, 0.8, nan], [0.6, 0.6, nan]])
    mean, low, high = learning_curve_band(table)
    np.testing.assert_allclose(mean, [0.4, 0.6, 0.9])
    std = np.sqrt(np.array([0.08, 0.08, 0.0]) / 3)  # population std
    np.testing.assert_allclose(low, mean - std)
    np.testing.assert_allclose(high, mean + std)
    _, low, high = learning_curve_band(table, spread="minmax")
    np.testing.assert_allclose(low, [0.2, 0.4, 0.9])
    np.testing.assert_allclose(high, [0.6, 0.8, 0.9])
    _, low, high = learning_curve_band(table, spread=(0.25, 0.75))
    np.testing.assert_allclose(low, [0.3, 0.5, 0.9])  # linear interpolation
    np.testing.assert_allclose(high, [0.5, 0.7, 0.9])
    mean, low, high = learning_curve_band([0.1, 0.2], spread=None)
    np.testing.assert_allclose(mean, [0.1, 0.2])
    assert low is None and high is None
    # a point no repeat has is NaN, without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean, low, _ = learning_curve_band([[nan, 0.5], [nan, 0.7]])
    assert np.isnan(mean[0]) and np.isnan(low[0])


@pytest.mark.parametrize("spread", ["iqr", (0.9, 0.1), (0.1,), (0, 2), (True, 1)])
def test_learning_curve_band_rejects_bad_spread(spread):
    with pytest.raises(ValueError, match="spread"):
        learning_curve_band([[0.5, 0.6]], spread=spread)
    with pytest.raises(ValueError, match="shape"):
        learning_curve_band(np.zeros((2, 2, 2)))


def test_display_draws_the_band_of_the_metrics():
    """The Display draws what the metrics compute, with no loop involved."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skactive.plotting import ActiveLearningCurveDisplay

    class Run:  # the protocol of SimulationResult: curves(metric)
        def __init__(self, n_labels, scores):
            self.n_labels, self.values = np.asarray(n_labels), np.asarray(scores)

        def curves(self, metric="accuracy"):
            return self.n_labels, {"run": self.values[np.newaxis]}

    runs = {"m": [Run([10, 20, 30], [0.5, 0.6, 0.8]), Run([10, 20], [0.7, 0.8])]}
    display = ActiveLearningCurveDisplay.from_results(runs, spread=(0.0, 1.0))
    np.testing.assert_allclose(display.n_labels, [10, 20, 30])
    np.testing.assert_allclose(display.lines_["m"].get_ydata(), [0.6, 0.7, 0.8])
    path = display.fill_between_["m"].get_paths()[0].vertices
    assert path[:, 1].min() == pytest.approx(0.5)
    assert path[:, 1].max() == pytest.approx(0.8)
    with pytest.raises(TypeError, match="results"):
        ActiveLearningCurveDisplay.from_results([1, 2])
    with pytest.raises(TypeError, match=r"results\['m'\]"):
        ActiveLearningCurveDisplay.from_results({"m": [object()]})
    n_figures = len(plt.get_fignums())
    with pytest.raises(ValueError, match="spread"):
        display.plot(spread="iqr")
    assert len(plt.get_fignums()) == n_figures  # validated before drawing
    plt.close("all")
