"""ActiveLearningByLearning: the EXP4 bandit over strategies, its draws,
its rewards, and its state across fits and session files."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris, make_classification
from sklearn.linear_model import LogisticRegression

from skactive import (
    ActiveLearner,
    ActiveLearningByLearning,
    MarginSampling,
    RandomSampling,
    TypiClust,
    simulate,
)
from skactive.exceptions import SessionFileError
from skactive.strategies._adaptive import row_keys


def _data(n=60, seed=0):
    return make_classification(
        n_samples=n,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        random_state=seed,
    )


def _two_experts(**params):
    return ActiveLearningByLearning(
        LogisticRegression(),
        strategies=[("random", RandomSampling()), ("margin", MarginSampling())],
        **params,
    )


# ------------------------------------------------------------------ row keys
def test_row_keys_match_equal_rows_of_any_input():
    X = np.array([[1, 2], [3, 4], [1, 2]])
    keys = row_keys(X)
    assert keys[0] == keys[2] != keys[1]
    # numbers compare as float64: an int pool and its float copy match
    assert list(row_keys(X.astype(np.float32))) == list(keys)
    assert row_keys(np.array([[0.0, -0.0]]))[0] == row_keys(np.array([[0.0, 0.0]]))[0]
    # sparse rows: by stored values and columns, as their dense twins differ
    S = sp.csr_matrix(np.array([[0, 1.0], [1.0, 0], [0, 1.0]]))
    sparse_keys = row_keys(S)
    assert sparse_keys[0] == sparse_keys[2] != sparse_keys[1]
    # texts and mixed DataFrame rows
    texts = row_keys(np.array(["a cat", "a dog", "a cat"], dtype=object))
    assert texts[0] == texts[2] != texts[1]
    frame = pd.DataFrame({"colour": ["red", "blue", "red"], "size": [1, 2, 1]})
    frame_keys = row_keys(frame)
    assert frame_keys[0] == frame_keys[2] != frame_keys[1]
    # images: every pixel counts
    images = np.zeros((2, 3, 3))
    images[1, 2, 2] = 1.0
    image_keys = row_keys(images)
    assert image_keys[0] != image_keys[1]


# ------------------------------------------------------------------ the draw
def test_draw_mixes_the_advice_with_the_bandit_probabilities():
    # Brute force: q(x) = sum_i pi_i xi_i(x), with xi uniform over the
    # candidates for random sampling and uniform over margin's top-k.
    X, y = _data()
    labelled = np.arange(12)
    strategy = _two_experts(batch_size=3, exploration=0.3, random_state=0)
    strategy.fit(X[labelled], y[labelled])
    strategy.log_weights_ = np.array([0.0, np.log(3.0)])  # w = (1, 3)
    pi = 0.7 * np.array([0.25, 0.75]) + 0.3 / 2
    np.testing.assert_allclose(strategy.probabilities_, pi)

    candidates = np.arange(12, 60)
    drawn = strategy.query(X, candidates=candidates)
    top3 = MarginSampling(strategy.estimator_, batch_size=3).fit(
        X[labelled], y[labelled]
    )
    # margin's top-3 by brute force: smallest difference of the top two
    proba = np.sort(strategy.predict_proba(X[candidates]), axis=1)
    margin_picks = candidates[np.argsort(proba[:, -1] - proba[:, -2])[:3]]
    assert set(top3.query(X, candidates=candidates)) == set(margin_picks)
    q = np.full(60, pi[0] / 48)
    q[margin_picks] += pi[1] / 3
    pending = strategy._pending
    np.testing.assert_allclose(pending["q"], q[drawn])
    advice = np.column_stack([np.full(3, 1 / 48), np.isin(drawn, margin_picks) / 3.0])
    np.testing.assert_allclose(pending["advice"], advice)
    np.testing.assert_array_equal(
        pending["predicted"].astype(int), strategy.predict(X[drawn])
    )
    assert list(pending["keys"]) == list(row_keys(X[drawn]))


def test_first_draw_follows_q():
    # Gumbel-top-k: the first sample drawn has probability q(x).
    X, y = _data(n=30)
    strategy = _two_experts(batch_size=2, exploration=0.5)
    strategy.fit(X[:10], y[:10])
    candidates = np.arange(10, 30)
    counts = np.zeros(30)
    n_draws = 3000
    for seed in range(n_draws):
        strategy.set_params(random_state=seed)
        counts[strategy.query(X, candidates=candidates)[0]] += 1
    q = np.zeros(30)
    q[candidates] = 0.5 / 20
    picks = MarginSampling(strategy.estimator_, batch_size=2).fit(X[:10], y[:10])
    q[picks.query(X, candidates=candidates)] += 0.5 / 2
    # within 4 standard deviations of the binomial counts
    sd = np.sqrt(n_draws * q * (1 - q))
    assert np.all(np.abs(counts - n_draws * q) <= 4 * sd + 1)


# ------------------------------------------------------------------ rewards
def test_reward_and_update_by_hand():
    X, y = _data()
    strategy = _two_experts(batch_size=4, exploration=0.2, random_state=1)
    labelled = list(range(12))
    strategy.fit(X[labelled], y[labelled])
    first = strategy.query(X, candidates=np.arange(12, 60))
    first_pending = {k: v.copy() for k, v in strategy._pending.items()}
    labelled += first.tolist()
    strategy.fit(X[labelled], y[labelled])
    # The first batch scores the initial model: no expert made it, nothing
    # is credited; the batch now waits for the reward of the model it made.
    w = 1 / first_pending["q"]
    correct = first_pending["predicted"].astype(int) == y[first]
    assert strategy.rewards_ == [pytest.approx(np.dot(w, correct) / w.sum())]
    np.testing.assert_array_equal(strategy.log_weights_, [0.0, 0.0])

    rest = np.setdiff1d(np.arange(60), labelled)
    model = strategy.estimator_  # made by the first batch
    second = strategy.query(X, candidates=rest)
    second_pending = {k: v.copy() for k, v in strategy._pending.items()}
    np.testing.assert_array_equal(
        second_pending["predicted"].astype(int), model.predict(X[second])
    )
    labelled += second.tolist()
    strategy.fit(X[labelled], y[labelled])
    w = 1 / second_pending["q"]
    reward = np.dot(w, model.predict(X[second]) == y[second]) / w.sum()
    assert strategy.rewards_[-1] == pytest.approx(reward)
    # EXP4: log w_i += gamma / N * sum_tau xi_i(x_tau) r / q_tau over batch 1
    gain = (first_pending["advice"] * (reward / first_pending["q"])[:, None]).sum(0)
    np.testing.assert_allclose(strategy.log_weights_, 0.2 / 2 * gain)


def test_unlabelled_draws_wait_and_are_then_forgotten():
    X, y = _data()
    strategy = _two_experts(batch_size=3, random_state=0)
    strategy.fit(X[:12], y[:12])
    strategy.query(X, candidates=np.arange(12, 60))
    pending = strategy._pending
    strategy.fit(X[:12], y[:12])  # a refit with none of the draws labelled
    assert strategy._pending is pending and strategy.rewards_ == []
    strategy.query(X, candidates=np.arange(12, 60))  # a new query replaces it
    assert strategy._pending is not pending


def test_state_survives_a_refit_and_a_clone_starts_afresh():
    from sklearn.base import clone

    X, y = load_iris(return_X_y=True)
    result = simulate(
        _two_experts(batch_size=5, random_state=0),
        X,
        y,
        initial_size=10,
        budget=40,
        random_state=0,
    )
    strategy = result.strategy
    assert len(strategy.rewards_) == 8  # one per labelled batch
    assert np.any(strategy.log_weights_ != 0)
    assert not hasattr(clone(strategy), "log_weights_")


# ------------------------------------------------------------------ state
def _run(learner, X, y, rounds):
    for _ in range(rounds):
        idx = learner.query()
        learner.teach(idx, y[idx])


def test_state_round_trips_through_json():
    X, y = _data()
    strategy = _two_experts(batch_size=3, random_state=0)
    learner = ActiveLearner(strategy, X, random_state=0)
    learner.teach(np.arange(9), y[:9])
    _run(learner, X, y, 3)
    learner.query()  # draws awaiting labels
    state = learner.strategy_.get_query_state()
    assert state["pending"] is not None and state["credit"] is not None
    restored = _two_experts(batch_size=3).set_query_state(json.loads(json.dumps(state)))
    assert restored.get_query_state() == state


def test_resumed_session_continues_the_bandit(tmp_path):
    X, y = _data(n=80)
    path = tmp_path / "session.json"

    def start():
        learner = ActiveLearner(
            _two_experts(batch_size=4, random_state=0), X, random_state=0
        )
        learner.teach(np.arange(9), y[:9])
        return learner

    # Uninterrupted.
    whole = start()
    _run(whole, X, y, 5)
    # Interrupted after a query whose labels have not come yet.
    part = start()
    part.save(path)
    part.autosave = str(path)
    _run(part, X, y, 2)
    idx = part.query()  # saved with the draws awaiting their labels
    saved = json.loads(path.read_text())["strategy"]["state"]
    assert saved["pending"]["keys"] == list(row_keys(X[idx]))
    del part
    resumed = ActiveLearner.load(path, X, _two_experts(batch_size=4, random_state=0))
    resumed.teach(idx, y[idx])
    _run(resumed, X, y, 2)
    np.testing.assert_array_equal(resumed.labelled_indices, whole.labelled_indices)
    np.testing.assert_allclose(
        resumed.strategy_.log_weights_, whole.fit_model().strategy_.log_weights_
    )
    assert resumed.strategy_.rewards_ == pytest.approx(whole.strategy_.rewards_)


def test_malformed_state_in_a_session_file(tmp_path):
    X, y = _data()
    path = tmp_path / "session.json"
    learner = ActiveLearner(
        _two_experts(batch_size=3, random_state=0), X, autosave=path
    )
    learner.teach(np.arange(9), y[:9])
    learner.query()
    content = json.loads(path.read_text())
    content["strategy"]["state"]["log_weights"] = ["a", 1]
    path.write_text(json.dumps(content))
    with pytest.raises(SessionFileError, match=r"strategy\.state"):
        ActiveLearner.load(path, X, _two_experts(batch_size=3))


def test_state_of_other_experts_starts_afresh():
    X, y = _data()
    strategy = _two_experts(batch_size=3, random_state=0).fit(X[:12], y[:12])
    strategy.query(X, candidates=np.arange(12, 60))
    state = strategy.get_query_state()
    other = ActiveLearningByLearning(
        LogisticRegression(),
        strategies=[("random", RandomSampling()), ("typiclust", TypiClust())],
    )
    with pytest.warns(UserWarning, match="starts afresh"):
        other.set_query_state(state)
    assert other.get_query_state()["pending"] is None


@pytest.mark.parametrize(
    "state, match",
    [
        ([], "not an object"),
        ({"version": 99}, "version"),
        (
            {"version": 1, "strategies": ["a"], "log_weights": [0.0], "rewards": [2]},
            "rewards",
        ),
    ],
)
def test_set_query_state_rejects_malformed(state, match):
    with pytest.raises(ValueError, match=match):
        _two_experts().set_query_state(state)


# ------------------------------------------------------------------ params
@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"exploration": 0.0}, ValueError, "exploration"),
        ({"exploration": 1.5}, ValueError, "exploration"),
        ({"strategies": []}, ValueError, "empty"),
        ({"strategies": MarginSampling()}, TypeError, "list of query strategies"),
        ({"strategies": [LogisticRegression()]}, TypeError, "classification query"),
        (
            {"strategies": [MarginSampling(), MarginSampling()]},
            ValueError,
            "distinct names",
        ),
    ],
)
def test_bad_parameters_name_themselves(params, error, match):
    X, y = _data()
    with pytest.raises(error, match=match):
        ActiveLearningByLearning(LogisticRegression(), **params).fit(X, y)


def test_default_portfolio_and_batch():
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        strategy = ActiveLearningByLearning(
            LogisticRegression(), batch_size=7, random_state=0
        ).fit(X[::5], y[::5])
    idx = strategy.query(X)
    assert idx.shape == (7,) and np.unique(idx).shape == (7,)
    assert [name for name, _ in strategy.strategies_] == [
        "random",
        "margin",
        "diverse_minibatch",
        "typiclust",
    ]
    np.testing.assert_allclose(strategy.probabilities_, 0.25)
