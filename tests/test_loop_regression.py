"""The loop for regression: sessions with real-valued labels, simulate and
compare with regression metrics, the sign of gains on an error, the plots and
ActiveLearningRegressor."""

import json
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.linear_model import BayesianRidge, LogisticRegression
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import GridSearchCV, cross_val_score

from skactive import (
    ActiveLearner,
    ActiveLearningClassifier,
    ActiveLearningRegressor,
    ImprovedGreedySampling,
    MarginSampling,
    MaxStdSampling,
    RandomSampling,
    compare,
    simulate,
)
from skactive.exceptions import SessionConflictError
from skactive.loop import MaxConfidence, NoisyOracle, StabilizingPredictions
from skactive.loop._stopping import _agreement
from skactive.metrics import (
    active_gain,
    alc_scorer,
    area_under_learning_curve,
    labels_to_reach,
    lower_is_better,
    make_alc_scorer,
)


@pytest.fixture(scope="module")
def friedman():
    return make_friedman1(n_samples=300, noise=0.5, random_state=0)


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


# ------------------------------------------------------------- sessions
def test_a_regression_session_takes_real_valued_labels(friedman):
    X, y = friedman
    learner = ActiveLearner(MaxStdSampling(batch_size=5), X, random_state=0)
    assert learner.is_regression
    first = learner.query()  # nothing labelled: random rows
    learner.teach(first[:1], y[first[:1]])
    assert not learner.is_fitted  # one row: nothing to fit yet
    assert "random queries until 2 rows are labelled" in repr(learner)
    learner.teach(first[1:], y[first[1:]])
    assert learner.is_fitted
    idx = learner.query()
    assert not np.isin(idx, learner.labelled_indices).any()
    learner.teach(idx, y[idx])
    # the strategy's model, its R² and its predictive std
    model = learner.strategy_.estimator_
    assert learner.score(X, y) == pytest.approx(r2_score(y, model.predict(X)))
    mean, std = learner.predict(X[:4], return_std=True)
    np.testing.assert_allclose(mean, model.predict(X[:4]))
    assert std.shape == (4,) and (std > 0).all()
    summary = learner.target_summary()
    labels = y[learner.labelled_indices]
    assert summary == {
        "n_labels": 10,
        "min": labels.min(),
        "max": labels.max(),
        "mean": pytest.approx(labels.mean()),
        "std": pytest.approx(labels.std()),
    }
    text = repr(learner)
    assert "real-valued labels" in text and "labels: 10 in [" in text


def test_integer_targets_are_numbers_too():
    X = np.arange(40.0).reshape(20, 2)
    learner = ActiveLearner(RandomSampling(BayesianRidge()), X, random_state=0)
    learner.teach([0, 1, 2], [3, 5, 7])  # counts: integers
    learner.teach([3], [2.5])
    assert learner.labels.dtype == np.float64
    assert learner.labels.tolist() == [3.0, 5.0, 7.0, 2.5]


@pytest.mark.parametrize(
    "labels, error, match",
    [
        (["cat"], TypeError, "real numbers"),
        ([True], TypeError, "real numbers"),
        (np.array([1.0, "x"], dtype=object)[1:], TypeError, "real numbers"),
        ([np.nan], ValueError, "finite"),
        ([np.inf], ValueError, "finite"),
    ],
)
def test_a_regression_session_refuses_labels_that_are_not_numbers(
    friedman, labels, error, match
):
    X, _ = friedman
    learner = ActiveLearner(MaxStdSampling(), X)
    with pytest.raises(error, match=match):
        learner.teach([0], labels)
    assert learner.n_labelled == 0


def test_classes_and_pseudo_labels_are_for_classifiers(friedman):
    X, y = friedman
    with pytest.raises(ValueError, match="classes is for classification"):
        ActiveLearner(MaxStdSampling(), X, classes=[0, 1])
    with pytest.raises(ValueError, match="pseudo_label_threshold is for classif"):
        ActiveLearner(MaxStdSampling(), X, pseudo_label_threshold=0.9)
    learner = ActiveLearner(RandomSampling(BayesianRidge()), X)
    learner.teach([0, 1], y[:2])
    with pytest.raises(ValueError, match=r"no classes.*target_summary"):
        learner.class_counts()
    with pytest.raises(AttributeError, match="no classes"):
        learner.classes  # noqa: B018
    with pytest.raises(AttributeError, match="no classes"):
        learner.labelled_classes  # noqa: B018
    # a classification session is unchanged
    assert not ActiveLearner(MarginSampling(), X).is_regression


_EDGE_FLOATS = [
    0.1,
    1 / 3,
    -0.0,
    5e-324,  # the smallest subnormal
    2.2250738585072014e-308,
    1.7976931348623157e308,
    float(np.nextafter(1.0, 2.0)),
    -123456789.12345679,
    1e-300,
    3.141592653589793,
]


def _bits(values):
    return np.asarray(values, dtype=np.float64).view(np.int64)


def test_float_labels_round_trip_bit_exactly(friedman, tmp_path):
    X, _ = friedman
    rng = np.random.default_rng(0)
    labels = np.concatenate([_EDGE_FLOATS, rng.normal(0, 1e3, 40)])
    path = tmp_path / "session.json"
    # refit=False: no model is fitted on these extreme values
    learner = ActiveLearner(
        RandomSampling(BayesianRidge()), X, autosave=path, refit=False
    )
    learner.teach(np.arange(10), labels[:10])
    learner.teach(np.arange(10, 50), labels[10:])
    learner.teach([5], [-7.000000000000001], relabel=True)
    loaded = ActiveLearner.load(path, X, RandomSampling(BayesianRidge()))
    np.testing.assert_array_equal(_bits(loaded.labels), _bits(learner.labels))
    assert np.signbit(loaded.labels[2])  # -0.0 stays negative
    for ours, theirs in zip(loaded.history_["labels"], learner.history_["labels"]):
        np.testing.assert_array_equal(_bits(ours), _bits(theirs))
    # float32 labels keep their dtype and every bit
    small = np.float32(rng.normal(size=6))
    f32 = ActiveLearner(MaxStdSampling(), X, autosave=tmp_path / "f32.json")
    f32.teach(np.arange(6), small)
    back = ActiveLearner.load(tmp_path / "f32.json", X, MaxStdSampling()).labels
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back.view(np.int32), small.view(np.int32))
    # the file holds plain JSON numbers
    saved = json.loads(path.read_text())
    assert saved["labels"]["dtype"] == "<f8"
    assert saved["labels"]["values"][0] == 0.1


def test_two_writers_merge_float_labels(friedman, tmp_path):
    X, y = friedman
    path = tmp_path / "s.json"
    one = ActiveLearner(MaxStdSampling(), X, autosave=path, random_state=0)
    one.teach([0, 1], y[:2])
    two = ActiveLearner.load(path, X, MaxStdSampling())
    one.teach([2], [0.1 + 0.2])
    two.teach([2, 3], [0.1 + 0.2, 1 / 3])  # row 2 labelled alike: one label
    assert sorted(two.labelled_indices.tolist()) == [0, 1, 2, 3]
    one.teach([4], [2.0])
    assert sorted(one.labelled_indices.tolist()) == [0, 1, 2, 3, 4]
    assert one.labels[one.labelled_indices.tolist().index(3)] == 1 / 3
    with pytest.raises(SessionConflictError, match="row 5"):
        two.teach([5], [0.30000000000000004])
        one.teach([5], [0.3])  # 0.1 + 0.2 is not 0.3: a conflict


# ------------------------------------------------------------- simulate
def test_simulate_records_regression_metrics(diabetes):
    X, y = diabetes
    result = simulate(
        MaxStdSampling(),
        X,
        y,
        initial_size=10,
        batch_size=10,
        budget=30,
        scoring="neg_mean_absolute_error",
        random_state=0,
    )
    assert result.task == "regression" and result.classes is None
    assert result.default_metric == "rmse"
    assert result.metrics == ["rmse", "mae", "r2", "neg_mean_absolute_error"]
    assert result.history["n_labels"].tolist() == [10, 20, 30, 40]
    for key in ("accuracy", "f1_per_class", "n_noisy_labels", "n_pseudo_labels"):
        assert key not in result.history
    # the last round's metrics, by hand
    X_test, y_test = X[result.test_indices], y[result.test_indices]
    y_pred = result.strategy.predict(X_test)
    assert result.history["rmse"][-1] == pytest.approx(
        np.sqrt(np.mean((y_pred - y_test) ** 2))
    )
    assert result.history["mae"][-1] == pytest.approx(
        mean_absolute_error(y_test, y_pred)
    )
    assert result.history["r2"][-1] == pytest.approx(r2_score(y_test, y_pred))
    np.testing.assert_allclose(
        result.history["neg_mean_absolute_error"], -result.history["mae"]
    )
    # the labels are the targets; the test set is a quarter of X
    np.testing.assert_array_equal(result.labels, y[result.indices])
    assert result.test_indices.shape[0] == int(np.ceil(0.25 * y.shape[0]))
    # the default metric is the RMSE, lower is better
    assert result.area_under_curve() == area_under_learning_curve(
        result.n_labels, result.history["rmse"]
    )
    target = float(np.median(result.history["rmse"]))
    first = result.n_labels[np.flatnonzero(result.history["rmse"] <= target)[0]]
    assert result.labels_to_reach(target) == first
    assert "RMSE" in repr(result) and "lower is better" in repr(result)


def test_the_regression_initial_set_and_split_are_uniform():
    # a continuous target cannot be stratified; every value is its own class
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 3)), rng.normal(size=200)
    result = simulate(
        RandomSampling(BayesianRidge()), X, y, initial_size=2, budget=0, random_state=3
    )
    assert result.n_labels.tolist() == [2]
    seeds = np.random.RandomState(3).randint(np.iinfo(np.int32).max, size=5)
    pool = np.setdiff1d(np.arange(200), result.test_indices)
    expected = np.random.RandomState(seeds[1]).choice(pool.shape[0], 2, replace=False)
    np.testing.assert_array_equal(result.indices, pool[expected])


def test_the_regression_oracle_adds_gaussian_noise_once_per_sample(diabetes):
    X, y = diabetes
    result = simulate(
        RandomSampling(BayesianRidge()),
        X,
        y,
        initial_size=20,
        batch_size=50,
        budget=None,
        noise_rate=0.2,
        random_state=0,
    )
    noise = result.labels - result.true_labels
    assert noise.shape[0] == y.shape[0] - result.test_indices.shape[0]  # all
    assert np.std(noise) == pytest.approx(0.2 * np.std(y), rel=0.15)
    oracle = NoisyOracle(y, noise_std=3.0, random_state=0)
    np.testing.assert_array_equal(oracle([5, 7]), oracle([7, 5])[::-1])
    np.testing.assert_allclose(oracle.labels - y, oracle.noise)
    assert oracle.flipped.all() and oracle.classes is None
    with pytest.raises(ValueError, match="give one of them"):
        NoisyOracle(y, noise_std=1.0, noise_rate=0.1)
    with pytest.raises(ValueError, match="real-valued"):
        NoisyOracle(np.array(["a", "b"]), noise_std=1.0)
    with pytest.raises(ValueError, match="noise_std"):
        NoisyOracle(y, noise_std=-1.0)


def test_regression_stopping(friedman):
    X, y = friedman
    with pytest.raises(ValueError, match=r"MaxConfidence.*regression strategy"):
        simulate(MaxStdSampling(), X, y, stopping=MaxConfidence(), random_state=0)
    with pytest.raises(ValueError, match="MaxConfidence"):
        ActiveLearningRegressor(stopping=MaxConfidence()).fit(X, y)
    result = simulate(
        MaxStdSampling(),
        X,
        y,
        initial_size=10,
        batch_size=10,
        budget=200,
        stopping=StabilizingPredictions(window=2, threshold=0.99),
        random_state=0,
    )
    assert result.termination_condition == "stopping_criterion"
    assert result.n_labels[-1] < 210
    # the agreement of real-valued predictions: R² against the previous ones
    previous, new = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.5, 3.0])
    assert _agreement(previous, new) == pytest.approx(1 - 0.25 / 2.0)
    assert _agreement(np.ones(3), np.zeros(3)) == 0.0


def test_simulate_validates_regression_input(friedman):
    X, y = friedman
    with pytest.raises(ValueError, match="real numbers"):
        simulate(MaxStdSampling(), X, np.array(["a", "b", "c"] * 100))
    with pytest.raises(ValueError, match="pseudo_label_threshold"):
        simulate(MaxStdSampling(), X, y, pseudo_label_threshold=0.9)
    with pytest.raises(ValueError, match="Unknown label type"):
        simulate(MarginSampling(), X, y)  # a classifier on a continuous target


# ------------------------------------------------------------- compare
@pytest.fixture(scope="module")
def comparison(diabetes):
    X, y = diabetes
    return compare(
        {
            "random": RandomSampling(BayesianRidge()),
            "max_std": MaxStdSampling(BayesianRidge()),
            "igs": ImprovedGreedySampling(BayesianRidge()),
        },
        X,
        y,
        n_repeats=3,
        initial_size=10,
        batch_size=10,
        budget=40,
        random_state=0,
    )


def test_gains_on_an_error_are_positive_when_better(comparison):
    result = comparison
    assert result.task == "regression" and result.default_metric == "rmse"
    assert result.metrics == ["rmse", "mae", "r2"]
    areas = result.area_under_curve()  # of the RMSE
    gains = result.active_gain()
    for name in result.names:
        np.testing.assert_allclose(gains[name], areas["random"] - areas[name])
    # R² is a score: gains the other way round
    r2_areas = result.area_under_curve("r2")
    np.testing.assert_allclose(
        result.active_gain(metric="r2")["max_std"],
        r2_areas["max_std"] - r2_areas["random"],
    )
    # on diabetes a linear model's std finds the informative rows
    assert gains["max_std"].mean() > 0
    # the summary: areas in RMSE (lower is better), gains (higher is better)
    target = float(np.median(areas["random"]))
    summary = result.summary(target=target)
    np.testing.assert_allclose(
        summary["area_mean"], [areas[n].mean() for n in result.names]
    )
    np.testing.assert_allclose(
        summary["gain_mean"], [gains[n].mean() for n in result.names]
    )
    reach = result.labels_to_reach(target)
    for name, runs in result.results.items():
        for r, n in zip(runs, reach[name]):
            below = np.flatnonzero(r.history["rmse"] <= target)
            assert (n == r.n_labels[below[0]]) if below.size else np.isnan(n)
    text = repr(result)
    assert "area under RMSE" in text and "lower is better" in text
    assert "gains: positive is better" in text


def test_compare_refuses_a_mix_of_tasks(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="one task"):
        compare(
            {
                "random": RandomSampling(LogisticRegression()),
                "max_std": MaxStdSampling(),
            },
            X,
            y,
        )


def test_metrics_follow_the_direction_of_an_error():
    n = [10, 20, 40]
    rmse, baseline = [8.0, 6.0, 5.0], [9.0, 7.0, 5.5]
    # areas 6.0 and 6.8333: the strategy's error is 0.8333 lower
    assert active_gain(n, rmse, baseline, greater_is_better=False) == pytest.approx(
        0.8333333
    )
    assert active_gain(n, rmse, baseline) == pytest.approx(-0.8333333)
    assert labels_to_reach(n, rmse, 6.0, greater_is_better=False) == 20.0
    assert labels_to_reach(n, rmse, 6.0) == 10.0  # as a score, 8 >= 6
    assert np.isnan(labels_to_reach(n, rmse, 4.0, greater_is_better=False))
    # labels saved to reach RMSE <= 6: 20 against 40
    assert active_gain(n, rmse, baseline, target=6.0, greater_is_better=False) == 0.5
    assert [lower_is_better(m) for m in ("rmse", "mae", "r2", "accuracy")] == [
        True,
        True,
        False,
        False,
    ]
    assert not lower_is_better("neg_root_mean_squared_error")
    with pytest.raises(TypeError, match="greater_is_better"):
        labels_to_reach(n, rmse, 6.0, greater_is_better="no")
    with pytest.raises(TypeError, match="metric"):
        lower_is_better(None)


def test_the_display_of_an_error(comparison):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    display = comparison.plot()
    assert display.metric == "rmse"
    assert display.ax_.get_ylabel() == "RMSE (lower is better)"
    assert display.ax_.get_legend()._loc == 1  # upper right, above falling curves
    np.testing.assert_allclose(
        display.lines_["igs"].get_ydata(),
        np.mean([r.history["rmse"] for r in comparison.results["igs"]], axis=0),
    )
    r2 = comparison.plot("r2")
    assert r2.ax_.get_ylabel() == "R²" and r2.ax_.get_legend()._loc == 4
    single = comparison.results["max_std"][0].plot()
    assert single.ax_.get_ylabel() == "RMSE (lower is better)"
    from skactive.plotting import ActiveLearningCurveDisplay

    runs = ActiveLearningCurveDisplay.from_results({"m": comparison.results["max_std"]})
    assert runs.metric == "rmse"
    plt.close("all")


# ------------------------------------------------- ActiveLearningRegressor
def test_grid_search_chooses_a_regression_strategy(diabetes):
    X, y = diabetes
    search = GridSearchCV(
        ActiveLearningRegressor(
            initial_size=10, budget=30, batch_size=10, random_state=0
        ),
        {
            "strategy": [
                RandomSampling(BayesianRidge()),
                MaxStdSampling(BayesianRidge()),
                ImprovedGreedySampling(BayesianRidge()),
            ]
        },
        scoring={
            "alc": make_alc_scorer("neg_root_mean_squared_error"),
            "r2": "r2",
        },
        refit="alc",
        cv=3,
    ).fit(X, y)
    scores = search.cv_results_["mean_test_alc"]
    assert np.isfinite(scores).all() and (scores < 0).all()  # negated RMSE
    best = search.best_estimator_
    assert best.history_["n_labels"].tolist() == [10, 20, 30, 40]
    assert set(best.history_) == {
        "round",
        "n_labels",
        "pool_rmse",
        "query_time",
        "fit_time",
    }
    assert best.n_iter_ == 3 and len(best.estimators_) == 4
    # the scorer integrates -RMSE over the rounds; alc_scorer the R²
    curve = best.learning_curve(X[:100], y[:100], scoring="neg_root_mean_squared_error")
    assert make_alc_scorer("neg_root_mean_squared_error")(
        best, X[:100], y[:100]
    ) == pytest.approx(area_under_learning_curve(curve["n_labels"], curve["score"]))
    r2 = best.learning_curve(X[:100], y[:100])["score"]
    assert r2[-1] == pytest.approx(best.score(X[:100], y[:100]))
    assert alc_scorer(best, X[:100], y[:100]) == pytest.approx(
        area_under_learning_curve(curve["n_labels"], r2)
    )
    mean, std = best.predict(X[:3], return_std=True)
    np.testing.assert_allclose(mean, best.predict(X[:3]))
    assert std.shape == (3,)
    assert cross_val_score(best, X, y, scoring=make_alc_scorer("r2"), cv=2).shape == (
        2,
    )


def test_each_loop_estimator_takes_its_tasks_strategies(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match=r"regression strategy.*ActiveLearningClass"):
        ActiveLearningRegressor(MarginSampling()).fit(X, y)
    with pytest.raises(ValueError, match=r"classification strategy.*ActiveLearningReg"):
        ActiveLearningClassifier(MaxStdSampling()).fit(X, y > 140)
    with pytest.raises(ValueError, match="real numbers"):
        ActiveLearningRegressor().fit(X[:10], ["a"] * 10)
    # the default: GSx over a scaled BayesianRidge, the benchmark's best
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg = ActiveLearningRegressor(budget=10, random_state=0).fit(X, y)
    assert type(reg.strategy_).__name__ == "GreedySamplingX"
    assert type(reg.strategy_.estimator_[-1]).__name__ == "BayesianRidge"
    assert reg.labelled_indices_.shape == (20,)
