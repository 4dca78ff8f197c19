"""Bayesian and gradient strategies on NumPy: BatchBALD, MeanSTD, BADGE, EGL.

Formulas against hand-computed values, selections against brute-force
references (enumerated joint entropies, materialised gradient embeddings).
"""

import itertools
import math

import numpy as np
import pytest
from scipy.special import entr, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

import skactive.strategies._badge as badge_module
from skactive import (
    BADGE,
    BALD,
    BatchBALD,
    Committee,
    ExpectedGradientLength,
    MeanSTD,
    measures,
)
from skactive.strategies._badge import (
    gradient_sq_distances,
    kmeanspp_gradient_embedding,
)
from skactive.strategies._batchbald import (
    _add_to_batch,
    _conditional_entropies,
    batchbald_select,
)
from skactive.strategies._egl import expected_gradient_length
from skactive.strategies._last_layer import LastLayer

# Monte Carlo error of 1,000 sampled configurations (observed max ~0.009).
TOLERANCE = 0.03


def _dirichlet(seed, n, members, classes, alpha=0.5):
    return np.random.default_rng(seed).dirichlet(
        np.full(classes, alpha), size=(n, members)
    )


# ----------------------------------------------------------------- measures
def test_measures_match_hand_computed_values():
    # one sample, three members, two classes
    P = np.array([[[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]]])
    mean = [(0.9 + 0.5 + 0.2) / 3, (0.1 + 0.5 + 0.8) / 3]

    def h(p):
        return -sum(x * math.log(x) for x in p if x > 0)

    bald = h(mean) - (h([0.9, 0.1]) + h([0.5, 0.5]) + h([0.2, 0.8])) / 3
    np.testing.assert_allclose(measures.mutual_information(P), [bald])
    std0 = math.sqrt(sum((x - mean[0]) ** 2 for x in (0.9, 0.5, 0.2)) / 3)
    # both classes have the same deviations (p1 = 1 - p0)
    np.testing.assert_allclose(measures.mean_std(P), [std0])
    # votes: class 0, tie (first class wins: 0), class 1 -> modal count 2 of 3
    np.testing.assert_allclose(measures.variation_ratio(P), [1 - 2 / 3])


# ------------------------------------------------------------------ BatchBALD
def _joint_mutual_information(P, batch):
    """I(y_batch; omega), summed over every label configuration of the batch."""
    C = P.shape[2]
    joint = 0.0
    for labels in itertools.product(range(C), repeat=len(batch)):
        p = np.prod([P[j, :, c] for j, c in zip(batch, labels)], axis=0).mean()
        joint -= p * np.log(p) if p > 0 else 0.0
    return joint - entr(P[batch]).sum(axis=2).mean(axis=1).sum()


def _brute_force_batchbald(P, k):
    """Greedy BatchBALD with joint entropies summed over every configuration."""
    chosen = []
    for _ in range(k):
        values = [
            -np.inf if i in chosen else _joint_mutual_information(P, [*chosen, i])
            for i in range(P.shape[0])
        ]
        chosen.append(int(np.argmax(values)))
    return chosen


@pytest.mark.parametrize("seed", range(4))
def test_batchbald_matches_brute_force_exact_reference(seed):
    P = _dirichlet(seed, n=10, members=6, classes=3)
    ours = batchbald_select(P, 4, np.random.RandomState(0))
    assert list(ours) == _brute_force_batchbald(P, 4)


def test_batchbald_batch_of_one_is_bald_argmax():
    P = _dirichlet(1, n=300, members=10, classes=5)
    (pick,) = batchbald_select(P, 1, np.random.RandomState(0))
    assert pick == np.argmax(measures.mutual_information(P))


def test_batchbald_first_pick_is_bald_argmax_in_a_batch():
    P = _dirichlet(2, n=200, members=8, classes=4)
    picks = batchbald_select(P, 5, np.random.RandomState(0))
    assert picks[0] == np.argmax(measures.mutual_information(P))
    assert len(set(picks)) == 5


def test_batchbald_never_picks_a_copy_while_new_points_inform():
    # Deterministic members (one-hot): a copy of a chosen point has a label
    # known from the batch given the member, so it adds exactly nothing,
    # while each new point still tells members apart (32 members, at most
    # 2^4 = 16 label configurations of the batch).
    rng = np.random.default_rng(0)
    labels = rng.integers(2, size=(6, 32))
    P = np.eye(2)[labels]
    P = np.concatenate([P, P])  # points 6..11 copy points 0..5
    assert (measures.mutual_information(P) > 0).all()
    picks = batchbald_select(P, 4, np.random.RandomState(0))
    assert len({i % 6 for i in picks}) == 4, picks
    # every pick is a greedy maximiser of the exact joint mutual information
    # (points tie exactly here, so the reference's own choice is arbitrary)
    for step in range(4):
        best = max(
            _joint_mutual_information(P, [*picks[:step], i])
            for i in range(12)
            if i not in picks[:step]
        )
        value = _joint_mutual_information(P, list(picks[: step + 1]))
        assert value == pytest.approx(best, abs=1e-12)


def test_batchbald_avoids_the_copies_top_k_bald_takes():
    P = _dirichlet(0, n=30, members=20, classes=10)
    P = np.concatenate([P, P, P])  # every point three times
    top = np.argsort(-measures.mutual_information(P), kind="stable")[:6]
    picks = batchbald_select(P, 6, np.random.RandomState(0))
    assert len({i % 30 for i in top}) == 2  # top-k BALD: copies of 2 points
    assert len({i % 30 for i in picks}) == 6


def _state(P, batch, n_configurations, seed=0):
    """Configurations of ``batch`` after adding its points one by one."""
    posterior = np.full((P.shape[1], 1), 1 / P.shape[1])
    weights = np.ones(1)
    sampled = False
    rng = np.random.RandomState(seed)
    for j in batch:
        posterior, weights, sampled = _add_to_batch(
            posterior, weights, P[j], n_configurations, sampled, rng
        )
    return posterior, weights, sampled


def test_batchbald_sampled_joint_entropy_agrees_with_exact():
    P = _dirichlet(4, n=40, members=12, classes=6, alpha=1.0)
    batch = [0, 1, 2, 3, 4]  # 6^5 = 7776 configurations
    proba_km = np.ascontiguousarray(
        P.transpose(1, 0, 2).reshape(12, -1), dtype=np.float32
    )
    post, w, sampled = _state(P, batch, n_configurations=10_000)
    assert not sampled and w.shape == (6**5,)
    exact = _conditional_entropies(post, w, proba_km, 6)
    # 216 exact configurations after 3 points; 1296 > 1000 after the 4th:
    # 1000 are drawn, then extended by ancestral sampling with the 5th.
    post, w, sampled = _state(P, batch, n_configurations=1000)
    assert sampled and w.shape == (1000,)
    approx = _conditional_entropies(post, w, proba_km, 6)
    np.testing.assert_allclose(approx, exact, atol=TOLERANCE)


def test_batchbald_exact_conditional_entropy_matches_enumeration():
    P = _dirichlet(5, n=6, members=5, classes=3)
    batch = [0, 1]
    post, w, _ = _state(P, batch, n_configurations=100)
    proba_km = np.ascontiguousarray(
        P.transpose(1, 0, 2).reshape(5, -1), dtype=np.float32
    )
    ours = _conditional_entropies(post, w, proba_km, 3)

    def joint_entropy(points):
        total = 0.0
        for labels in itertools.product(range(3), repeat=len(points)):
            p = np.prod([P[j, :, c] for j, c in zip(points, labels)], axis=0)
            total -= p.mean() * np.log(p.mean())
        return total

    expected = [joint_entropy([*batch, i]) - joint_entropy(batch) for i in range(6)]
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_batchbald_sampled_selection_is_reproducible_and_unique():
    P = _dirichlet(6, n=500, members=10, classes=10)
    first = batchbald_select(P, 8, np.random.RandomState(3), n_configurations=100)
    again = batchbald_select(P, 8, np.random.RandomState(3), n_configurations=100)
    np.testing.assert_array_equal(first, again)
    assert len(set(first)) == 8


# ------------------------------------------------------ strategies on Committee
@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=300, n_features=5, n_informative=4, n_redundant=0,
        n_classes=3, random_state=0,
    )  # fmt: skip
    return X[:40], y[:40], X[40:]


def test_batchbald_strategy_selects_with_committee(data):
    X, y, X_pool = data
    committee = Committee(n_members=5, random_state=0)
    strategy = BatchBALD(committee, batch_size=6, random_state=0).fit(X, y)
    P = strategy.estimator_.predict_proba_samples(X_pool)
    expected = batchbald_select(P, 6, np.random.RandomState(0))
    np.testing.assert_array_equal(strategy.query(X_pool), expected)
    bald = BALD(committee, random_state=0).fit(X, y)
    assert strategy.query(X_pool, batch_size=1)[0] == bald.query(X_pool)[0]


def test_meanstd_strategy_is_mean_std_of_the_members(data):
    X, y, X_pool = data
    strategy = MeanSTD(Committee(n_members=4, random_state=0)).fit(X, y)
    expected = measures.mean_std(strategy.estimator_.predict_proba_samples(X_pool))
    np.testing.assert_allclose(strategy.utility(X_pool), expected)


@pytest.mark.parametrize(
    "strategy, message",
    [
        (BatchBALD(n_configurations=0), "n_configurations"),
        (BADGE(embedding="pca"), "embedding"),
        (ExpectedGradientLength(embedding="nope"), "embedding"),
    ],
)
def test_bad_parameters_are_named(strategy, message, data):
    X, y, _ = data
    with pytest.raises(ValueError, match=message):
        strategy.fit(X, y)


def test_batchbald_needs_proba_samples(data):
    X, y, _ = data
    with pytest.raises(TypeError, match="predict_proba_samples"):
        BatchBALD(LogisticRegression()).fit(X, y)


# ---------------------------------------------------------------------- BADGE
def _materialise(a, h, bias=1.0):
    h1 = np.hstack([h, np.full((h.shape[0], 1), bias)])
    return (a[:, :, None] * h1[:, None, :]).reshape(a.shape[0], -1)


def _hallucinated(proba):
    a = proba.copy()
    a[np.arange(len(a)), proba.argmax(1)] -= 1.0
    return a


def _exact_kmeanspp_probabilities(G, k):
    """Probability of every ordered k-tuple of picks: brute force over tuples.

    The first pick is the largest norm (unique here); each next one is drawn
    with probability D^2 / sum(D^2) in the materialised embedding.
    """
    first = int(np.argmax((G**2).sum(axis=1)))
    probabilities = {}

    def extend(picks, p):
        if len(picks) == k:
            probabilities[tuple(picks)] = p
            return
        d2 = ((G[:, None, :] - G[picks][None]) ** 2).sum(-1).min(axis=1)
        for i in np.flatnonzero(d2 > 0):
            extend([*picks, int(i)], p * d2[i] / d2.sum())

    extend([first], 1.0)
    return probabilities


def test_badge_distances_equal_materialised_ones():
    rng = np.random.default_rng(0)
    a, h = rng.normal(size=(30, 4)), rng.normal(size=(30, 7))
    G = _materialise(a, h)
    g_sq = (a**2).sum(1) * ((h**2).sum(1) + 1.0)
    for center in (0, 11, 29):
        expected = ((G - G[center]) ** 2).sum(axis=1)
        np.testing.assert_allclose(
            gradient_sq_distances(a, h, g_sq, center), expected, atol=1e-10
        )


@pytest.mark.parametrize("refresh", ["default", "never", "at_every_rejection"])
def test_badge_draws_follow_d2_sampling_exactly(refresh, monkeypatch):
    # Brute force: the exact probability of every ordered triple of picks in
    # the materialised gradient embedding, against 6,000 seeded draws. The
    # bounds are refreshed as the strategy does, never (most draws go through
    # rejections of stale bounds), or after every rejection (partial refreshes
    # of the heaviest stale bounds).
    if refresh == "never":
        monkeypatch.setattr(badge_module, "_MAX_REJECTIONS", 10**6)
        monkeypatch.setattr(badge_module, "_SAMPLE_BLOCK", 3)
    elif refresh == "at_every_rejection":
        monkeypatch.setattr(badge_module, "_MAX_REJECTIONS", 1)
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=7)
    a = _hallucinated(proba)
    h = rng.normal(size=(7, 2))
    exact = _exact_kmeanspp_probabilities(_materialise(a, h), 3)
    n_draws = 6000
    counts = {}
    for seed in range(n_draws):
        picks = tuple(kmeanspp_gradient_embedding(a, h, 3, np.random.RandomState(seed)))
        counts[picks] = counts.get(picks, 0) + 1
    assert set(counts) <= set(exact)
    observed = np.array([counts.get(t, 0) for t in exact]) / n_draws
    expected = np.array(list(exact.values()))
    assert np.abs(observed - expected).sum() / 2 < 0.05  # total variation
    # and a wrong distribution (uniform among distinct points) is far off
    assert np.abs(1 / len(exact) - expected).sum() / 2 > 0.1


def test_badge_picks_are_distinct_and_reproducible():
    rng = np.random.default_rng(3)
    a = _hallucinated(rng.dirichlet(np.ones(4), size=3000))
    h = rng.normal(size=(3000, 5))
    picks = kmeanspp_gradient_embedding(a, h, 200, np.random.RandomState(0))
    assert len(set(picks.tolist())) == 200
    np.testing.assert_array_equal(
        picks, kmeanspp_gradient_embedding(a, h, 200, np.random.RandomState(0))
    )


def test_badge_first_pick_is_the_largest_gradient():
    rng = np.random.default_rng(1)
    a, h = rng.normal(size=(50, 3)), rng.normal(size=(50, 4))
    first = kmeanspp_gradient_embedding(a, h, 1, np.random.RandomState(0))[0]
    assert first == np.argmax(np.linalg.norm(_materialise(a, h), axis=1))


def test_badge_fills_the_batch_when_points_coincide():
    a = np.tile([[0.5, -0.5]], (6, 1))
    h = np.ones((6, 2))
    picks = kmeanspp_gradient_embedding(a, h, 6, np.random.RandomState(0))
    assert sorted(picks) == list(range(6))


def test_badge_strategy_on_logistic_regression_uses_raw_features(data):
    X, y, X_pool = data
    strategy = BADGE(LogisticRegression(), batch_size=7, random_state=4).fit(X, y)
    a = _hallucinated(strategy.estimator_.predict_proba(X_pool))
    reference = kmeanspp_gradient_embedding(a, X_pool, 7, np.random.RandomState(4))
    np.testing.assert_array_equal(strategy.query(X_pool), reference)


def test_badge_strategy_on_a_pipeline_uses_transformed_features(data):
    X, y, X_pool = data
    model = make_pipeline(StandardScaler(), LogisticRegression())
    strategy = BADGE(model, batch_size=5, random_state=0).fit(X, y)
    fitted = strategy.estimator_
    a = _hallucinated(fitted.predict_proba(X_pool))
    h = fitted[:-1].transform(X_pool)
    reference = kmeanspp_gradient_embedding(a, h, 5, np.random.RandomState(0))
    np.testing.assert_array_equal(strategy.query(X_pool), reference)


def test_badge_binary_one_weight_vector_picks_like_softmax_form(data):
    X, y, X_pool = data
    y2 = (y == 0).astype(int)
    strategy = BADGE(LogisticRegression(), batch_size=6, random_state=2).fit(X, y2)
    proba = strategy.estimator_.predict_proba(X_pool)
    reference = kmeanspp_gradient_embedding(  # two columns: distances times 2
        _hallucinated(proba), X_pool, 6, np.random.RandomState(2)
    )
    np.testing.assert_array_equal(strategy.query(X_pool), reference)


# ------------------------------------------------------------------------ EGL
def test_egl_matches_hand_computed_value():
    layer = LastLayer(
        proba=np.array([[0.7, 0.2, 0.1]]),
        embedding=np.array([[1.0, 2.0]]),
        one_column=False,
        bias=1.0,
    )
    # ||p||^2 = 0.54; ||p - e_y||^2 = 0.14, 1.14, 1.34; ||[h, 1]|| = sqrt(6)
    expected = math.sqrt(6) * (
        0.7 * math.sqrt(0.14) + 0.2 * math.sqrt(1.14) + 0.1 * math.sqrt(1.34)
    )
    np.testing.assert_allclose(expected_gradient_length(layer), [expected])


def test_egl_binary_one_weight_vector():
    layer = LastLayer(
        proba=np.array([[0.8, 0.2]]),
        embedding=np.array([[3.0]]),
        one_column=True,
        bias=1.0,
    )
    # E|p1 - 1[y=1]| = 0.8 * 0.2 + 0.2 * 0.8; ||[3, 1]|| = sqrt(10)
    np.testing.assert_allclose(expected_gradient_length(layer), [0.32 * math.sqrt(10)])


def test_egl_strategy_equals_logistic_regression_gradients(data):
    X, y, X_pool = data
    strategy = ExpectedGradientLength(LogisticRegression()).fit(X, y)
    proba = strategy.estimator_.predict_proba(X_pool)
    x1 = np.hstack([X_pool, np.ones((len(X_pool), 1))])
    expected = np.zeros(len(X_pool))
    for c in range(3):  # gradient of the multinomial loss for label c
        a = proba - np.eye(3)[c]
        grad = (a[:, :, None] * x1[:, None, :]).reshape(len(X_pool), -1)
        expected += proba[:, c] * np.linalg.norm(grad, axis=1)
    np.testing.assert_allclose(strategy.utility(X_pool), expected, rtol=1e-10)


def test_egl_against_autograd_on_a_torch_linear_layer():
    torch = pytest.importorskip("torch")
    gen = torch.Generator().manual_seed(0)
    layer = torch.nn.Linear(4, 3).double()
    h = torch.randn(6, 4, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        proba = torch.softmax(layer(h), dim=1).numpy()
    expected = np.zeros(6)
    for i in range(6):
        for c in range(3):
            layer.zero_grad()
            loss = torch.nn.functional.cross_entropy(
                layer(h[i : i + 1]), torch.tensor([c])
            )
            loss.backward()
            norm = torch.sqrt((layer.weight.grad**2).sum() + (layer.bias.grad**2).sum())
            expected[i] += proba[i, c] * norm.item()
    ours = expected_gradient_length(
        LastLayer(proba=proba, embedding=h.numpy(), one_column=False, bias=1.0)
    )
    np.testing.assert_allclose(ours, expected, rtol=1e-10)


class _StochasticMembers(ClassifierMixin, BaseEstimator):
    """Members drawn afresh from ``random_state`` at every call (as MC dropout)."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.W_ = np.random.RandomState(0).normal(size=(X.shape[1], len(self.classes_)))
        return self

    def predict_proba_samples(self, X):
        rng = check_random_state(self.random_state)
        noise = rng.normal(size=(8, *self.W_.shape))  # 8 members
        logits = np.einsum("nd,mdc->nmc", X, self.W_ + noise)
        return softmax(logits, axis=2)

    def predict_proba(self, X):
        return self.predict_proba_samples(X).mean(axis=1)


@pytest.mark.parametrize(
    "model",
    [
        _StochasticMembers(),
        _StochasticMembers(random_state=np.random.RandomState(1)),
        FrozenEstimator(_StochasticMembers().fit(np.ones((2, 4)), [0, 1])),
    ],
    ids=["None", "RandomState", "frozen"],
)
def test_batchbald_members_are_the_same_for_every_chunk(model):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 4)), np.tile([0, 1], 20)
    pool = rng.normal(size=(400, 4))
    strategy = BatchBALD(model, batch_size=5, random_state=0).fit(X, y)
    inner = getattr(strategy.estimator_, "estimator", strategy.estimator_)
    before = inner.random_state
    picks = strategy.query(pool)
    for chunk_size in (50, 7):
        strategy.set_params(chunk_size=chunk_size)
        np.testing.assert_array_equal(strategy.query(pool), picks)
    assert inner.random_state is before  # given back after the query
