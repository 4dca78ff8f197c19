"""Learning loss: the ranking loss, the jointly trained predictor, the strategy."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from scipy.stats import spearmanr  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from skorch.toy import MLPModule  # noqa: E402
from torch import nn  # noqa: E402

from skactive.deep import (  # noqa: E402
    LearningLoss,
    LearningLossClassifier,
    loss_ranking_loss,
)


def _reference_ranking_loss(predicted, target, margin):
    """Eq. (2) of Yoo and Kweon (2019), pair by pair."""
    n = len(predicted)
    costs = []
    for i in range(n // 2):
        j = n - 1 - i
        sign = 1.0 if target[i] > target[j] else -1.0
        costs.append(max(0.0, -sign * (predicted[i] - predicted[j]) + margin))
    return np.mean(costs) if costs else 0.0


@pytest.mark.parametrize("n", [1, 2, 7, 32])
def test_ranking_loss_matches_the_pairwise_reference(n):
    rng = np.random.RandomState(n)
    predicted, target = rng.normal(size=n), rng.exponential(size=n)
    target[: n // 4] = target[n - 1 : n - 1 - n // 4 : -1] if n > 4 else target[:0]
    for margin in (0.0, 1.0, 2.5):
        got = loss_ranking_loss(torch.tensor(predicted), torch.tensor(target), margin)
        expected = _reference_ranking_loss(predicted, target, margin)
        assert float(got) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_ranking_loss_learns_order_not_scale():
    target = torch.tensor([4.0, 1.0, 3.0, 0.5])
    # right order with gaps of at least the margin: no loss, at any scale
    assert float(loss_ranking_loss(torch.tensor([9.0, -9.0, 5.0, 1.0]), target)) == 0
    predicted = torch.zeros(4, requires_grad=True)
    loss_ranking_loss(predicted, target).backward()
    # the gradient pushes the larger loss of each pair up, the smaller down
    assert (predicted.grad[[0, 2]] < 0).all() and (predicted.grad[[1, 3]] > 0).all()


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


def _net(**params):
    defaults = dict(
        module__input_units=64,
        module__output_units=10,
        module__hidden_units=32,
        classes=list(range(10)),
        optimizer=torch.optim.Adam,
        lr=0.01,
        max_epochs=30,
        batch_size=32,
        loss_hidden=32,
        random_state=0,
    )
    defaults.update(params)
    return LearningLossClassifier(MLPModule, **defaults)


def _true_losses(net, X, y):
    p = net.predict_proba(X)  # the deterministic network
    return -np.log(np.maximum(p[np.arange(len(y)), y], 1e-12))


def test_predicted_losses_rank_the_true_losses_of_unseen_samples(digits):
    X, y = digits
    correlations = []
    for weight in (1.0, 0.0):  # with and without the ranking loss
        net = _net(loss_weight=weight).fit(X[:300], y[:300])
        predicted = net.predict_loss(X[300:])
        assert predicted.shape == (len(X) - 300,)
        correlations.append(spearmanr(predicted, _true_losses(net, X[300:], y[300:])))
    trained, untrained = (c.statistic for c in correlations)
    assert trained > 0.25  # 0.32 here; an untrained predictor is at chance
    assert trained > abs(untrained) + 0.1


def test_detached_features_get_no_gradient_from_the_ranking_loss(digits):
    X, y = digits
    params = dict(max_epochs=3)
    detached = _net(loss_detach_after=0, **params).fit(X[:200], y[:200])
    unweighted = _net(loss_weight=0.0, **params).fit(X[:200], y[:200])
    joint = _net(**params).fit(X[:200], y[:200])
    for a, b in zip(
        detached.module_.parameters(), unweighted.module_.parameters(), strict=True
    ):
        torch.testing.assert_close(a, b)  # same target network
    assert not all(
        torch.equal(a, c)
        for a, c in zip(detached.module_.parameters(), joint.module_.parameters())
    )
    # the predictor itself is trained in both cases
    assert not all(
        torch.equal(a, b)
        for a, b in zip(
            detached.loss_module_.parameters(), unweighted.loss_module_.parameters()
        )
    )


class ConvBlocks(nn.Module):
    """Two convolutional blocks and a linear head, on 1 x 8 x 8 images."""

    def __init__(self):
        super().__init__()
        self.block1 = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU())
        self.block2 = nn.Sequential(nn.Conv2d(4, 6, 3, padding=1), nn.ReLU())
        self.head = nn.Linear(6 * 64, 10)

    def forward(self, x):
        return self.head(self.block2(self.block1(x)).flatten(1))


def test_features_of_named_layers_and_reproducible_fits(digits):
    X, y = digits
    images = X.reshape(-1, 1, 8, 8)[:120]
    net = LearningLossClassifier(
        ConvBlocks,
        loss_layers=["block1", "block2"],
        loss_hidden=8,
        classes=list(range(10)),
        max_epochs=2,
        random_state=0,
    ).fit(images, y[:120])
    widths = [b[0].in_features for b in net.loss_module_.branches]
    assert widths == [4, 6]  # channels of each block, after average pooling
    predicted = net.predict_loss(images[:10])
    np.testing.assert_array_equal(clone(net).fit(images, y[:120]).predict_loss(
        images[:10]), predicted)  # fmt: skip
    with pytest.raises(ValueError, match="'block3' is not a submodule"):
        clone(net).set_params(loss_layers=["block3"]).fit(images, y[:120])


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"loss_weight": -1.0}, ValueError, "loss_weight must be finite and >= 0"),
        ({"loss_margin": "1"}, TypeError, "loss_margin must be a real number"),
        ({"loss_hidden": 0}, ValueError, "loss_hidden must be >= 1"),
        (
            {"loss_detach_after": 1.5},
            TypeError,
            "loss_detach_after must be None or a non-negative int",
        ),
        ({"loss_layers": "block1"}, TypeError, "loss_layers must be None or"),
    ],
)
def test_bad_parameters_name_themselves(digits, params, error, match):
    X, y = digits
    with pytest.raises(error, match=match):
        _net(max_epochs=1, **params).fit(X[:50], y[:50])


def test_strategy_queries_the_largest_predicted_losses(digits):
    X, y = digits
    strategy = LearningLoss(_net(max_epochs=5), batch_size=10, random_state=0)
    strategy.fit(X[:100], y[:100])
    pool = X[100:600]
    expected = np.argsort(-strategy.estimator_.predict_loss(pool), kind="stable")
    np.testing.assert_array_equal(strategy.query(pool), expected[:10])
    np.testing.assert_allclose(
        strategy.utility(pool), strategy.estimator_.predict_loss(pool), rtol=1e-6
    )
    chunked = clone(strategy).set_params(chunk_size=64, n_jobs=2)
    np.testing.assert_array_equal(
        chunked.fit(X[:100], y[:100]).query(pool), expected[:10]
    )


def test_strategy_needs_a_loss_predictor(digits):
    X, y = digits
    with pytest.raises(ValueError, match="needs an estimator with predict_loss"):
        LearningLoss().fit(X[:50], y[:50])
    with pytest.raises(TypeError, match="must implement predict_loss"):
        LearningLoss(LogisticRegression()).fit(X[:50], y[:50])


class DoubleNet(nn.Module):
    """A float64 network: the loss module follows its features' dtype."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 8).double()
        self.out = nn.Linear(8, 2).double()

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


def test_loss_module_follows_the_features_dtype():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4))  # float64, kept by a float64 module
    y = (X[:, 0] > 0).astype(int)
    net = LearningLossClassifier(DoubleNet, loss_hidden=4, max_epochs=2).fit(X, y)
    assert next(net.loss_module_.parameters()).dtype == torch.float64
    assert net.predict_loss(X[:3]).dtype == np.float64


def test_parameters_are_only_those_it_uses(digits):
    X, y = digits
    mc = {"n_mc_samples", "mc_predict", "consistent_masks", "mc_max_rows"}
    mc |= {"mc_repeat", "dropconnect"}
    net = _net(max_epochs=1)
    assert not mc & set(net.get_params())
    assert {"loss_hidden", "embedding_layer", "random_state"} <= set(net.get_params())
    net.fit(X[:50], y[:50])
    # nothing a training step sets is listed as a parameter afterwards
    assert set(net.get_params(deep=False)) == set(_net().get_params(deep=False))
    assert not hasattr(net, "predict_proba_samples")
