"""AdaptiveSampling: TypiClust while one batch of labels still moves the
model's predictions, diverse mini-batch after."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skactive import AdaptiveSampling, DiverseMiniBatch, MarginSampling, TypiClust
from skactive.utils._selection import sample_indices


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16, y[:600]


def _model():
    return LogisticRegression(max_iter=500)


def test_instability_by_hand(digits):
    X, y = digits
    labelled = np.arange(40)
    strategy = AdaptiveSampling(_model(), batch_size=10, random_state=3)
    strategy.fit(X[labelled], y[labelled])
    # the reduced model: 30 of the 40 labels, drawn as the strategy draws
    kept = np.sort(sample_indices(40, 30, np.random.RandomState(3)))
    reduced = _model().fit(X[kept], y[kept])
    full = _model().fit(X[labelled], y[labelled])
    candidates = np.arange(40, 600)
    positions = np.unique(np.linspace(0, 559, 100).round().astype(int))
    rows = candidates[positions]
    expected = np.mean(full.predict(X[rows]) != reduced.predict(X[rows]))
    strategy.set_params(n_check=100)
    regime, share = strategy.regime(X, candidates=candidates)
    assert share == pytest.approx(expected)
    assert regime == ("low" if expected >= 0.1 else "high")


@pytest.mark.parametrize("threshold, expert", [(0.0, "low"), (1.0, "high")])
def test_the_regime_picks_its_expert(digits, threshold, expert):
    # threshold 0: every query is low-budget (TypiClust); 1: high-budget
    # (diverse mini-batch), unless a batch fewer leaves one class.
    X, y = digits
    labelled = np.arange(60)
    strategy = AdaptiveSampling(
        _model(), threshold=threshold, batch_size=8, random_state=0
    ).fit(X[labelled], y[labelled])
    candidates = np.arange(60, 600)
    picks = strategy.query(X, candidates=candidates)
    reference = TypiClust() if expert == "low" else DiverseMiniBatch()
    reference = clone(reference).set_params(
        estimator=_model(), batch_size=8, random_state=0
    )
    expected = reference.fit(X[labelled], y[labelled]).query(X, candidates=candidates)
    np.testing.assert_array_equal(picks, expected)


def test_instability_falls_with_the_labels(digits):
    # A model of 20 labels moves with 10 more, one of 400 hardly does: the
    # regime flips from low to high budget on digits.
    X, y = digits
    strategy = AdaptiveSampling(_model(), batch_size=10, random_state=0)
    shares = {}
    for n in (20, 400):
        strategy.fit(X[:n], y[:n])
        regime, shares[n] = strategy.regime(X, candidates=np.arange(n, 600))
        assert regime == ("low" if n == 20 else "high")
    assert shares[20] > 0.1 > shares[400]


def test_one_class_left_is_the_low_budget_regime(digits):
    X, y = digits
    labelled = np.r_[np.flatnonzero(y == 0)[:9], np.flatnonzero(y == 1)[:1]]
    strategy = AdaptiveSampling(_model(), batch_size=5, random_state=0)
    strategy.fit(X[labelled], y[labelled])
    # 5 labels fewer may leave class 0 only: then no reduced model
    if strategy.reduced_estimator_ is None:
        assert strategy.regime(X) == ("low", 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        strategy.fit(X[:12], y[:12])  # no scikit-learn note about the refit


def test_own_experts_and_bad_parameters(digits):
    X, y = digits
    strategy = AdaptiveSampling(
        _model(), high_budget=MarginSampling(), threshold=1.0, batch_size=4
    ).fit(X[:50], y[:50])
    margin = MarginSampling(_model(), batch_size=4).fit(X[:50], y[:50])
    assert set(strategy.query(X[50:])) == set(margin.query(X[50:]))
    with pytest.raises(ValueError, match="threshold"):
        AdaptiveSampling(_model(), threshold=1.5).fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="n_check"):
        AdaptiveSampling(_model(), n_check=0).fit(X[:50], y[:50])
    with pytest.raises(TypeError, match="low_budget must be a query strategy"):
        AdaptiveSampling(_model(), low_budget="typiclust").fit(X[:50], y[:50])


def test_a_sparse_embedding_stays_with_the_high_budget_strategy():
    # TF-IDF fitted on the labelled texts: typicality has no distances to
    # work with, the high-budget strategy serves every query.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    words = ["apple pie", "banana bread", "cherry tart", "engine oil", "gear box"]
    texts = np.array([f"{words[i % 5]} {i}" for i in range(60)], dtype=object)
    y = np.arange(60) % 5 // 3  # 0 for the baking texts, 1 for the car ones
    model = make_pipeline(TfidfVectorizer(), LogisticRegression())
    strategy = AdaptiveSampling(model, threshold=0.0, batch_size=4, random_state=0)
    strategy.fit(texts[:10], y[:10])
    assert strategy.sparse_embedding_ and strategy.reduced_estimator_ is None
    assert strategy.regime(texts[10:]) == ("high", 0.0)
    diverse = DiverseMiniBatch(model, batch_size=4, random_state=0)
    np.testing.assert_array_equal(
        strategy.query(texts[10:]), diverse.fit(texts[:10], y[:10]).query(texts[10:])
    )


def test_the_default_of_sessions_and_simulations(digits):
    from skactive import ActiveLearner, simulate

    X, y = digits
    learner = ActiveLearner(None, X, random_state=0)
    assert isinstance(learner.strategy, AdaptiveSampling)
    assert learner.strategy.random_state == 0
    learner.teach(np.arange(20), y[:20])
    assert learner.query().shape == (10,)
    result = simulate(None, X, y, initial_size=20, budget=20, random_state=0)
    assert isinstance(result.strategy, AdaptiveSampling)
