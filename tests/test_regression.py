"""Regression: the uncertainty protocol, the base class, the committees and
every strategy against a brute-force or hand-computed reference."""

import warnings

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.base import BaseEstimator, RegressorMixin, is_classifier, is_regressor
from sklearn.ensemble import (
    BaggingRegressor,
    ExtraTreesRegressor,
    RandomForestRegressor,
    VotingRegressor,
)
from sklearn.exceptions import DataConversionWarning
from sklearn.frozen import FrozenEstimator
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.linear_model import (
    BayesianRidge,
    LinearRegression,
    LogisticRegression,
    Ridge,
)
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler
from sklearn.tree import DecisionTreeRegressor

from skactive import (
    CommitteeRegressor,
    CoreSet,
    ExpectedModelChange,
    GreedySamplingX,
    GreedySamplingY,
    ImprovedGreedySampling,
    MaxStdSampling,
    RandomSampling,
    RegressionQueryStrategy,
    get_query_tags,
)
from skactive.committee import EnsembleCommittee
from skactive.exceptions import QuerySearchWarning
from skactive.strategies._emcm import expected_model_change
from skactive.utils import check_predict_samples, predict_mean_std
from skactive.utils._regression import (
    check_regression_targets,
    mean_std_of_samples,
)


@pytest.fixture(scope="module")
def data():
    """15 labelled samples and a pool of 400, four features, a smooth target."""
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, size=(415, 4))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2 - X[:, 2] + 0.1 * rng.normal(size=415)
    return X[:15], y[:15], X[15:]


class SamplesOnly(RegressorMixin, BaseEstimator):
    """A regressor that gives only predict_samples: three shifted lines."""

    def fit(self, X, y):
        self.coef_ = np.linalg.lstsq(X, y, rcond=None)[0]
        return self

    def predict(self, X):
        return X @ self.coef_

    def predict_samples(self, X):
        mean = self.predict(X)
        return np.stack([mean - 1.0, mean, mean + 2.0], axis=1)


# ------------------------------------------------------------- the protocol
def test_mean_and_std_of_samples_by_hand():
    mean, std = mean_std_of_samples(np.array([[1.0, 3.0], [2.0, 2.0], [0, 6]]))
    np.testing.assert_allclose(mean, [2.0, 2.0, 3.0])
    np.testing.assert_allclose(std, [1.0, 0.0, 3.0])  # ddof=0


def test_predict_mean_std_reads_return_std_first(data):
    X, y, pool = data
    model = BayesianRidge().fit(X, y)
    expected = model.predict(pool, return_std=True)
    for wrapped in (model, FrozenEstimator(model)):
        mean, std = predict_mean_std(wrapped, pool)
        np.testing.assert_array_equal(mean, expected[0])
        np.testing.assert_array_equal(std, expected[1])
    # a pipeline hands return_std to its final step
    piped = make_pipeline(StandardScaler(), GaussianProcessRegressor()).fit(X, y)
    mean, std = predict_mean_std(piped, pool)
    np.testing.assert_allclose(std, piped.predict(pool, return_std=True)[1])


def test_predict_mean_std_falls_back_on_samples(data):
    X, y, pool = data
    model = SamplesOnly().fit(X, y)
    mean, std = predict_mean_std(model, pool)
    # members f - 1, f, f + 2: mean f + 1/3, std sqrt(((4/3)^2 + (1/3)^2 +
    # (5/3)^2) / 3) = sqrt(14) / 3
    np.testing.assert_allclose(mean, model.predict(pool) + 1 / 3)
    np.testing.assert_allclose(std, np.sqrt(14) / 3)


def test_predict_mean_std_names_what_is_expected(data):
    X, y, pool = data
    with pytest.raises(TypeError, match=r"predictive standard deviation.*Ridge"):
        predict_mean_std(Ridge().fit(X, y), pool)

    class BadStd(Ridge):
        def predict(self, X, return_std=False):
            return super().predict(X)

    with pytest.raises(ValueError, match="must return a pair"):
        predict_mean_std(BadStd().fit(X, y), pool)
    with pytest.raises(ValueError, match=r"\(n_samples, n_members\)"):
        check_predict_samples(np.zeros(3))
    with pytest.raises(ValueError, match="samples must be the first axis"):
        check_predict_samples(np.zeros((3, 2)), 4)


def test_regression_targets_are_real_finite_and_1d():
    with pytest.raises(ValueError, match="real numbers"):
        check_regression_targets(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="NaN"):
        check_regression_targets([1.0, np.nan])
    with pytest.warns(DataConversionWarning):
        assert check_regression_targets([[1.0], [2.0]]).shape == (2,)
    assert check_regression_targets(np.array([1, 2], dtype=object)).dtype == float


# ------------------------------------------------------------------- the base
def test_regression_strategies_are_regressors(data):
    X, y, _ = data
    for strategy in (
        MaxStdSampling(),
        GreedySamplingX(),
        GreedySamplingY(),
        ImprovedGreedySampling(),
        ExpectedModelChange(),
    ):
        assert is_regressor(strategy) and not is_classifier(strategy)
        assert isinstance(strategy, RegressionQueryStrategy)
        strategy.set_params(batch_size=3).fit(X, y)
        assert not hasattr(strategy, "classes_")
        assert strategy.score(X, y) > 0.0  # R^2
        assert isinstance(strategy.estimator_, BayesianRidge)  # the default


def test_model_free_strategies_follow_their_estimator(data):
    X, y, pool = data
    labels = (y > np.median(y)).astype(int)
    for cls in (RandomSampling, CoreSet):
        assert is_classifier(cls()) and is_classifier(cls(LogisticRegression()))
        regression = cls(BayesianRidge(), batch_size=4, random_state=0)
        assert is_regressor(regression) and not is_classifier(regression)
        regression.fit(X, y)
        assert not hasattr(regression, "classes_")
        assert regression.query(pool).shape == (4,)
        # the score is the model's R^2: 1 against the model's own predictions
        own = BayesianRidge().fit(X, y).predict(pool)
        assert regression.score(pool, own) == pytest.approx(1.0)
        # refitted with a classifier, it is a classifier again
        regression.set_params(estimator=LogisticRegression()).fit(X, labels)
        np.testing.assert_array_equal(regression.classes_, [0, 1])
        with pytest.raises(ValueError, match="real numbers"):
            cls(BayesianRidge()).fit(X, np.array(["a", "b", "c"] * 5))


def test_predict_with_return_std_and_predict_samples(data):
    X, y, pool = data
    strategy = MaxStdSampling(batch_size=3).fit(X, y)
    expected = BayesianRidge().fit(X, y).predict(pool, return_std=True)
    np.testing.assert_allclose(strategy.predict(pool, return_std=True), expected)
    np.testing.assert_allclose(strategy.predict(pool), expected[0])
    assert not hasattr(strategy, "predict_samples")
    assert not hasattr(strategy, "predict_proba")
    committee = MaxStdSampling(CommitteeRegressor(random_state=0), batch_size=3)
    assert committee.fit(X, y).predict_samples(pool).shape == (len(pool), 5)
    with pytest.raises(TypeError, match="predictive standard deviation"):
        GreedySamplingY(Ridge()).fit(X, y).predict(pool, return_std=True)


def test_a_model_without_uncertainty_is_named_at_fit(data):
    X, y, _ = data
    assert get_query_tags(MaxStdSampling()).requires_std
    with pytest.raises(TypeError, match="estimator must give a predictive standard"):
        MaxStdSampling(Ridge()).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        MaxStdSampling().fit(X, np.where(np.arange(15) == 3, np.nan, y))
    # the strategies that need only predictions take any regressor
    for cls in (GreedySamplingX, GreedySamplingY, ImprovedGreedySampling):
        assert cls(Ridge(), batch_size=2).fit(X, y).query(X).shape == (2,)


def test_a_search_over_query_parameters_warns_with_the_r2(data):
    X, y, pool = data
    Xy = np.vstack([X, pool[:45]])
    yy = np.concatenate([y, np.sin(pool[:45, 0]) + pool[:45, 1] ** 2 - pool[:45, 2]])
    search = GridSearchCV(MaxStdSampling(), {"batch_size": [1, 5]}, cv=3)
    with pytest.warns(
        QuerySearchWarning,
        match="varies batch_size.*R\\^2.*ActiveLearningRegressor.*neg_root_mean",
    ):
        search.fit(Xy, yy)
    with warnings.catch_warnings():
        warnings.simplefilter("error", QuerySearchWarning)
        GridSearchCV(
            MaxStdSampling(BayesianRidge()), {"estimator__alpha_1": [1e-6, 1e-3]}, cv=3
        ).fit(Xy, yy)


# ------------------------------------------------------------- the committees
def test_committee_regressor_members_and_their_spread(data):
    X, y, pool = data
    committee = CommitteeRegressor(
        estimator=DecisionTreeRegressor(max_depth=3), n_members=4, random_state=0
    ).fit(X, y)
    members = np.stack([m.predict(pool) for m in committee.estimators_], axis=1)
    np.testing.assert_array_equal(committee.predict_samples(pool), members)
    np.testing.assert_allclose(committee.predict(pool), members.mean(axis=1))
    mean, std = committee.predict(pool, return_std=True)
    np.testing.assert_allclose(mean, members.mean(axis=1))
    np.testing.assert_allclose(std, members.std(axis=1))
    # copies got distinct seeds, and the members differ (bootstrap)
    seeds = {m.random_state for m in committee.estimators_}
    assert len(seeds) == 4 and np.ptp(members, axis=1).max() > 0
    # same fit for any n_jobs
    again = CommitteeRegressor(
        estimator=DecisionTreeRegressor(max_depth=3),
        n_members=4,
        random_state=0,
        n_jobs=2,
    ).fit(X, y)
    np.testing.assert_array_equal(again.predict_samples(pool), members)


def test_committee_regressor_bootstrap_draws_rows_with_replacement(data):
    X, y, _ = data

    class Recorder(LinearRegression):
        def fit(self, X, y):
            self.rows_ = X.copy()
            return super().fit(X, y)

    committee = CommitteeRegressor(estimator=Recorder(), n_members=6, random_state=0)
    committee.fit(X, y)
    for member in committee.estimators_:
        assert member.rows_.shape == X.shape
        # every row is a labelled row; some appear twice (with replacement)
        assert (cdist(member.rows_, X).min(axis=1) == 0).all()
        assert np.unique(member.rows_, axis=0).shape[0] < X.shape[0]
    plain = CommitteeRegressor(estimator=Recorder(), n_members=2, bootstrap=False)
    for member in plain.fit(X, y).estimators_:
        np.testing.assert_array_equal(member.rows_, X)


def test_committee_regressor_lists_and_errors(data):
    X, y, pool = data
    named = CommitteeRegressor(
        [("ridge", Ridge()), ("tree", DecisionTreeRegressor(max_depth=2))],
        bootstrap=False,
    )
    assert named.get_params()["ridge__alpha"] == 1.0
    named.set_params(ridge__alpha=3.0).fit(X, y)
    assert named.estimators_[0].alpha == 3.0
    assert named.predict_samples(pool).shape == (len(pool), 2)
    with pytest.raises(ValueError, match="both given"):
        CommitteeRegressor([Ridge()], estimator=Ridge()).fit(X, y)
    with pytest.raises(TypeError, match=r"estimators\[0\] must implement predict"):
        CommitteeRegressor([StandardScaler()]).fit(X, y)
    with pytest.raises(ValueError, match="list of regressors"):
        CommitteeRegressor([]).fit(X, y)
    with pytest.raises(ValueError, match="real numbers"):
        CommitteeRegressor().fit(X, np.array(["a"] * 15))


@pytest.mark.parametrize(
    "ensemble",
    [
        RandomForestRegressor(n_estimators=6, random_state=0),
        ExtraTreesRegressor(n_estimators=6, random_state=0),
        BaggingRegressor(Ridge(), n_estimators=6, max_features=0.5, random_state=0),
        VotingRegressor(
            [("ridge", Ridge()), ("tree", DecisionTreeRegressor(random_state=0))]
        ),
    ],
    ids=["forest", "extra_trees", "bagging", "voting"],
)
def test_an_ensemble_regressor_is_a_committee_of_its_members(ensemble, data):
    X, y, pool = data
    committee = EnsembleCommittee(ensemble).fit(X, y)
    assert is_regressor(committee) and not hasattr(committee, "classes_")
    assert not hasattr(committee, "predict_proba_samples")
    features = getattr(committee.ensemble_, "estimators_features_", None)
    members = [
        m.predict(pool if features is None else pool[:, features[i]])
        for i, m in enumerate(committee.ensemble_.estimators_)
    ]
    samples = committee.predict_samples(pool)
    np.testing.assert_allclose(samples, np.stack(members, axis=1), rtol=1e-6)
    if not isinstance(ensemble, VotingRegressor) or ensemble.weights is None:
        np.testing.assert_allclose(
            samples.mean(axis=1), committee.predict(pool), rtol=1e-6
        )
    # the strategies read it through its members by themselves
    strategy = MaxStdSampling(ensemble, batch_size=3, random_state=0).fit(X, y)
    assert isinstance(strategy.estimator_, EnsembleCommittee)
    np.testing.assert_allclose(
        strategy.utility(pool), samples.std(axis=1), rtol=1e-6, atol=1e-12
    )


# --------------------------------------------------------- the strategies
def _top(utility, k):
    return np.argsort(-utility, kind="stable")[:k]


def test_max_std_is_the_largest_predictive_std(data):
    X, y, pool = data
    model = GaussianProcessRegressor(random_state=0)
    strategy = MaxStdSampling(model, batch_size=7, random_state=0).fit(X, y)
    std = (
        GaussianProcessRegressor(random_state=0)
        .fit(X, y)
        .predict(pool, return_std=True)[1]
    )
    np.testing.assert_allclose(strategy.utility(pool), std, rtol=1e-10)
    np.testing.assert_array_equal(strategy.query(pool), _top(std, 7))
    for chunk_size, n_jobs in [(13, 2), (1000, None)]:
        strategy.set_params(chunk_size=chunk_size, n_jobs=n_jobs)
        np.testing.assert_array_equal(strategy.query(pool), _top(std, 7))


def test_query_by_committee_variance_is_the_members_variance(data):
    X, y, pool = data
    committee = CommitteeRegressor(
        estimator=DecisionTreeRegressor(max_depth=4), n_members=5, random_state=1
    )
    strategy = MaxStdSampling(committee, batch_size=6, random_state=0).fit(X, y)
    members = np.stack(
        [m.predict(pool) for m in strategy.estimator_.estimators_], axis=0
    )
    variance = ((members - members.mean(axis=0)) ** 2).mean(axis=0)  # by hand
    np.testing.assert_allclose(strategy.utility(pool) ** 2, variance, atol=1e-12)
    # trees tie: the batch holds the 6 largest variances, ties broken at random
    idx = strategy.query(pool)
    np.testing.assert_allclose(variance[idx], np.sort(variance)[::-1][:6], atol=1e-12)


def _brute_greedy(initial, pick_distances, k):
    """Greedy farthest-first by hand: ``initial`` distances to the labelled
    set, ``pick_distances(p)`` every candidate's distance to pick ``p``."""
    d = initial.copy()
    picks = []
    for _ in range(k):
        masked = d.copy()
        masked[picks] = -np.inf
        picks.append(int(np.argmax(masked)))
        d = np.minimum(d, pick_distances(picks[-1]))
    return np.array(picks)


def test_greedy_sampling_x_against_brute_force(data):
    X, y, pool = data
    reference = _brute_greedy(
        cdist(pool, X).min(axis=1), lambda p: cdist(pool, pool[[p]])[:, 0], 12
    )
    strategy = GreedySamplingX(batch_size=12, random_state=0).fit(X, y)
    np.testing.assert_array_equal(strategy.query(pool), reference)
    np.testing.assert_array_equal(
        CoreSet(BayesianRidge(), batch_size=12).fit(X, y).query(pool), reference
    )
    # in a pipeline, "auto" measures the distances after its transform
    piped = GreedySamplingX(make_pipeline(StandardScaler(), Ridge()), batch_size=5)
    piped.fit(X, y)
    Z, Z_lab = piped.estimator_[:-1].transform(pool), piped.estimator_[:-1].transform(X)
    reference = _brute_greedy(
        cdist(Z, Z_lab).min(axis=1), lambda p: cdist(Z, Z[[p]])[:, 0], 5
    )
    np.testing.assert_array_equal(piped.query(pool), reference)


def test_greedy_sampling_y_against_brute_force(data):
    X, y, pool = data
    strategy = GreedySamplingY(Ridge(), batch_size=12, random_state=0).fit(X, y)
    f = Ridge().fit(X, y).predict(pool)
    reference = _brute_greedy(
        np.abs(f[:, None] - y[None, :]).min(axis=1),
        lambda p: np.abs(f - f[p]),  # a picked sample counts by its prediction
        12,
    )
    np.testing.assert_array_equal(strategy.query(pool), reference)


def _line():
    """A model frozen at f(x) = 2 x (one feature), and one labelled sample."""
    return FrozenEstimator(LinearRegression().fit([[0.0], [1.0]], [0.0, 2.0]))


def test_greedy_sampling_y_by_hand():
    # labelled targets 0 and 12; predictions 2x of the pool [1, 2.5, 4, 5.5]
    # are [2, 5, 8, 11], at distances [2, 5, 4, 1] from {0, 12}: pick 2.5;
    # 5 joins the centres: [2, -, 3, 1]: pick 4; 8 joins: [2, -, -, 1]:
    # pick 1; then 5.5.
    strategy = GreedySamplingY(_line(), batch_size=4).fit([[0.0], [6.0]], [0.0, 12.0])
    pool = np.array([[1.0], [2.5], [4.0], [5.5]])
    np.testing.assert_array_equal(strategy.query(pool), [1, 2, 0, 3])


def test_improved_greedy_sampling_by_hand():
    # labelled (x=0, y=0); f(x) = 2x. Distances |x - 0| |2x - 0| = 2 x^2 of
    # the pool [1, 2, 4] are [2, 8, 32]: pick 4 (f=8). Then x=1:
    # min(2, 3 * 6) = 2 and x=2: min(8, 2 * 4) = 8: pick 2, then 1.
    strategy = ImprovedGreedySampling(_line(), batch_size=3).fit([[0.0]], [0.0])
    np.testing.assert_array_equal(
        strategy.query(np.array([[1.0], [2.0], [4.0]])), [2, 1, 0]
    )


@pytest.mark.parametrize("first_active", [2, 1024])
def test_improved_greedy_sampling_against_brute_force(data, first_active, monkeypatch):
    from skactive.strategies import _greedy

    monkeypatch.setattr(_greedy, "_FIRST_ACTIVE", first_active)
    X, y, pool = data
    strategy = ImprovedGreedySampling(Ridge(), batch_size=12, random_state=0)
    strategy.fit(X, y)
    f = Ridge().fit(X, y).predict(pool)
    initial = (cdist(pool, X) * np.abs(f[:, None] - y[None, :])).min(axis=1)
    reference = _brute_greedy(
        initial, lambda p: cdist(pool, pool[[p]])[:, 0] * np.abs(f - f[p]), 12
    )
    np.testing.assert_array_equal(strategy.query(pool), reference)
    # the same picks for any chunking and parallelism, and on candidates
    for chunk_size, n_jobs in [(7, 2), (50, None)]:
        strategy.set_params(chunk_size=chunk_size, n_jobs=n_jobs)
        np.testing.assert_array_equal(strategy.query(pool), reference)
    rows = np.arange(0, len(pool), 3)
    sub = _brute_greedy(
        initial[rows],
        lambda p: (
            cdist(pool[rows], pool[rows[[p]]])[:, 0] * np.abs(f[rows] - f[rows[p]])
        ),
        5,
    )
    np.testing.assert_array_equal(strategy.query(pool, 5, candidates=rows), rows[sub])


def test_greedy_strategies_fail_clearly_on_nan_predictions(data):
    X, y, pool = data

    class NaNModel(Ridge):
        def predict(self, X):
            return np.full(len(X), np.nan)

    for cls in (GreedySamplingY, ImprovedGreedySampling):
        strategy = cls(NaNModel(), batch_size=2).fit(X, y)
        with pytest.raises(ValueError, match="predicted NaN"):
            strategy.query(pool)


def test_expected_model_change_formula_by_hand():
    # f = 1, bootstraps 0 and 3: |f - f_k| = 1 and 2, mean 1.5; |phi| = 5.
    u = expected_model_change(
        np.array([1.0, 0.0]),
        np.array([[0.0, 3.0], [0.0, 0.0]]),
        np.array([[3.0, 4.0], [1.0, 1.0]]),
    )
    np.testing.assert_allclose(u, [7.5, 0.0])


def test_expected_model_change_against_brute_force(data):
    X, y, pool = data
    strategy = ExpectedModelChange(
        Ridge(), n_bootstraps=5, batch_size=6, random_state=0
    ).fit(X, y)
    assert len(strategy.committee_.estimators_) == 5
    reference = np.empty(len(pool))
    for i, x in enumerate(pool[:, None, :]):
        f = strategy.estimator_.predict(x)[0]
        changes = [
            np.linalg.norm((f - member.predict(x)[0]) * x[0])
            for member in strategy.committee_.estimators_
        ]
        reference[i] = np.mean(changes)
    np.testing.assert_allclose(strategy.utility(pool), reference, rtol=1e-10)
    np.testing.assert_array_equal(strategy.query(pool), _top(reference, 6))


def test_expected_model_change_reads_a_pipelines_features(data):
    # spline features before a linear model: phi is what the linear step reads
    X, y, pool = data
    model = make_pipeline(SplineTransformer(n_knots=4), Ridge())
    strategy = ExpectedModelChange(model, n_bootstraps=3, random_state=0).fit(X, y)
    phi = strategy.estimator_[:-1].transform(pool)
    f = strategy.estimator_.predict(pool)
    fk = np.stack([m.predict(pool) for m in strategy.committee_.estimators_], axis=1)
    expected = np.linalg.norm(phi, axis=1) * np.abs(fk - f[:, None]).mean(axis=1)
    np.testing.assert_allclose(strategy.utility(pool), expected, rtol=1e-10)
    with pytest.raises(TypeError, match="n_bootstraps"):
        ExpectedModelChange(n_bootstraps=2.5).fit(X, y)
    with pytest.raises(ValueError, match="FrozenEstimator cannot be refitted"):
        ExpectedModelChange(FrozenEstimator(Ridge().fit(X, y))).fit(X, y)


def test_batches_larger_than_the_pool_return_it_all(data):
    X, y, pool = data
    from skactive.exceptions import BatchSizeWarning

    for strategy in (GreedySamplingY(), ImprovedGreedySampling(), MaxStdSampling()):
        strategy.fit(X, y)
        with pytest.warns(BatchSizeWarning):
            idx = strategy.query(pool[:4], batch_size=10)
        assert sorted(idx) == [0, 1, 2, 3]


@pytest.mark.parametrize("case", ["constant_targets", "two_dims", "duplicates"])
def test_improved_greedy_sampling_is_exact_when_bounds_are_loose(case, monkeypatch):
    # The bounds come from the labelled samples of nearest targets; with
    # equal targets they say nothing, in two dimensions the input distance
    # matters more, and duplicated rows tie: the picks stay the brute force's.
    # Points are evaluated from 2 at a time (doubling), to exercise the
    # refresh of bounds by the picks and the repeated activations.
    from skactive.strategies import _greedy

    monkeypatch.setattr(_greedy, "_FIRST_ACTIVE", 2)
    rng = np.random.RandomState(1)
    n_dims = 2 if case == "two_dims" else 6
    X = rng.normal(size=(40, n_dims))
    y = np.ones(40) if case == "constant_targets" else X[:, 0] + X[:, 1] ** 2
    pool = rng.normal(size=(3000, n_dims))
    if case == "duplicates":
        pool[1500:] = pool[:1500]
    model = make_pipeline(SplineTransformer(n_knots=3), Ridge())
    if case == "constant_targets":  # a model trained elsewhere, varied values
        model = FrozenEstimator(model.fit(X, X[:, 0] - X[:, 1] ** 2))
    strategy = ImprovedGreedySampling(model, embedding="raw", batch_size=15)
    strategy.set_params(random_state=0).fit(X, y)
    f = strategy.estimator_.predict(pool)
    initial = (cdist(pool, X) * np.abs(f[:, None] - y[None, :])).min(axis=1)
    picks = strategy.query(pool)
    if case == "duplicates":  # a pick and its copy tie: compare the values
        d = initial.copy()
        for p in picks:
            masked = d.copy()
            masked[picks[: list(picks).index(p)]] = -np.inf
            assert d[p] == pytest.approx(masked.max(), rel=1e-12)
            d = np.minimum(d, cdist(pool, pool[[p]])[:, 0] * np.abs(f - f[p]))
        return
    reference = _brute_greedy(
        initial, lambda p: cdist(pool, pool[[p]])[:, 0] * np.abs(f - f[p]), 15
    )
    np.testing.assert_array_equal(picks, reference)
