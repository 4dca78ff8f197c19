"""EPIG against a brute-force enumeration of the joint predictive."""

import numpy as np
import pytest
from sklearn.datasets import load_iris

from skactive import BALD, EPIG, Committee
from skactive.measures import mutual_information
from skactive.strategies import _epig, epig_scores


def brute_force_epig(P, Q):
    """Mean over targets of I(y; y*) from the explicit joint p(y, y*)."""
    n, K, C = P.shape
    out = np.zeros(n)
    for i in range(n):
        total = 0.0
        for j in range(Q.shape[0]):
            joint = np.zeros((C, C))
            for k in range(K):
                joint += np.outer(P[i, k], Q[j, k]) / K
            py, pys = joint.sum(axis=1), joint.sum(axis=0)
            for a in range(C):
                for b in range(C):
                    if joint[a, b] > 0:
                        total += joint[a, b] * np.log(joint[a, b] / (py[a] * pys[b]))
        out[i] = total / Q.shape[0]
    return out


def random_samples(rng, n, n_members, n_classes, alpha=0.5):
    return rng.dirichlet(np.full(n_classes, alpha), size=(n, n_members))


@pytest.mark.parametrize("n_members, n_classes", [(1, 2), (4, 3), (6, 5)])
def test_epig_scores_match_brute_force(n_members, n_classes):
    rng = np.random.default_rng(n_members)
    P = random_samples(rng, 9, n_members, n_classes)
    Q = random_samples(rng, 4, n_members, n_classes)
    expected = brute_force_epig(P, Q)
    np.testing.assert_allclose(epig_scores(P, Q), expected, atol=1e-12)
    if n_members == 1:  # one member: no epistemic uncertainty, no gain
        np.testing.assert_allclose(expected, 0.0, atol=1e-12)


def test_epig_scores_blocks_do_not_change_the_result(monkeypatch):
    rng = np.random.default_rng(0)
    P = random_samples(rng, 50, 5, 4)
    Q = random_samples(rng, 7, 5, 4)
    whole = epig_scores(P, Q)
    monkeypatch.setattr(_epig, "_BLOCK_ELEMENTS", 4 * 7 * 4 * 3)  # 3 rows a block
    np.testing.assert_allclose(epig_scores(P, Q), whole, rtol=1e-12)
    np.testing.assert_allclose(whole, brute_force_epig(P, Q), atol=1e-12)


def test_epig_of_a_target_is_bounded_by_bald():
    # I(y; y*) <= I(y; w): the gain about one prediction is at most the gain
    # about the parameters, and equals it for a target the members predict
    # deterministically and differently (y* identifies the member).
    rng = np.random.default_rng(1)
    P = random_samples(rng, 20, 3, 3)
    assert BALD._method == "mutual_information"
    Q_id = np.eye(3)[None, :, :]  # member k predicts class k with certainty
    np.testing.assert_allclose(epig_scores(P, Q_id), mutual_information(P), atol=1e-12)
    Q = random_samples(rng, 5, 3, 3)
    assert np.all(epig_scores(P, Q) <= mutual_information(P) + 1e-12)


def test_epig_scores_errors():
    P = np.full((3, 2, 2), 0.5)
    with pytest.raises(ValueError, match="target_proba_samples"):
        epig_scores(P, np.full((3, 3, 2), 0.5))
    with pytest.raises(ValueError, match="target_proba_samples is empty"):
        epig_scores(P, np.empty((0, 2, 2)))


def fitted_epig(**params):
    X, y = load_iris(return_X_y=True)
    committee = Committee(n_members=4, random_state=0)
    strategy = EPIG(committee, batch_size=5, random_state=0, **params)
    return strategy.fit(X[::7], y[::7]), X


def test_epig_with_target_inputs_matches_the_reference():
    X, _ = load_iris(return_X_y=True)
    strategy, X = fitted_epig(target_inputs=X[1::10])
    samples = strategy.estimator_.predict_proba_samples
    expected = brute_force_epig(samples(X), samples(X[1::10]))
    np.testing.assert_allclose(strategy.utility(X), expected, atol=1e-10)
    top = np.argsort(-expected, kind="stable")[:5]
    assert set(strategy.query(X)) == set(top)


def test_epig_default_targets_are_pool_samples():
    strategy, X = fitted_epig(n_target_samples=1000)  # more than the pool: all
    samples = strategy.estimator_.predict_proba_samples(X)
    np.testing.assert_allclose(
        strategy.utility(X), epig_scores(samples, samples), atol=1e-10
    )
    # fewer targets: a random subset of the pool, reproducible
    small, X = fitted_epig(n_target_samples=10)
    first = small.utility(X)
    np.testing.assert_array_equal(first, small.utility(X))
    assert not np.allclose(first, strategy.utility(X))


def test_epig_chunks_and_candidates():
    X, _ = load_iris(return_X_y=True)
    strategy, X = fitted_epig(target_inputs=X[::5])
    whole = strategy.utility(X)
    np.testing.assert_allclose(
        strategy.set_params(chunk_size=7).utility(X), whole, rtol=1e-12
    )
    candidates = np.arange(0, 150, 3)
    picked = strategy.query(X, candidates=candidates)
    assert set(picked) <= set(candidates)
    best = candidates[np.argsort(-whole[candidates], kind="stable")[:5]]
    assert set(picked) == set(best)


def test_epig_errors_name_the_parameter():
    with pytest.raises(ValueError, match="n_target_samples"):
        fitted_epig(n_target_samples=0)
    strategy, X = fitted_epig(target_inputs=np.empty((0, 4)))
    with pytest.raises(ValueError, match="target_inputs"):
        strategy.query(X)
    strategy, X = fitted_epig(target_inputs=np.ones((3, 2)))
    with pytest.raises(ValueError, match="features"):
        strategy.query(X)


def test_epig_with_an_mc_dropout_network():
    pytest.importorskip("skorch")
    torch = pytest.importorskip("torch")
    from skorch.toy import MLPModule

    from skactive.deep import MCDropoutClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    net = MCDropoutClassifier(
        MLPModule,
        module__input_units=4,
        module__output_units=2,
        module__dropout=0.5,
        optimizer=torch.optim.Adam,
        lr=0.05,
        max_epochs=20,
        n_mc_samples=16,
        random_state=0,
    )
    targets = X[100:]
    strategy = EPIG(net, target_inputs=targets, batch_size=4, random_state=0)
    strategy.fit(X[:20], y[:20])
    # one call predicts candidates and targets with the same dropout masks
    samples = strategy.estimator_.predict_proba_samples(np.concatenate([X, targets]))
    expected = brute_force_epig(samples[:120], samples[120:])
    np.testing.assert_allclose(strategy.utility(X), expected, rtol=1e-4, atol=1e-6)
    assert expected.max() > 0.01  # the network is uncertain somewhere
