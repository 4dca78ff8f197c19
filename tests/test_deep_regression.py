"""The skorch MC-Dropout regressor and the regression strategies over it."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone, is_regressor  # noqa: E402
from sklearn.exceptions import DataConversionWarning  # noqa: E402
from torch import nn  # noqa: E402

from skactive import (  # noqa: E402
    ExpectedModelChange,
    GreedySamplingX,
    ImprovedGreedySampling,
    MaxStdSampling,
)
from skactive.deep import MCDropoutRegressor  # noqa: E402
from skactive.embedding import get_embedding  # noqa: E402
from skactive.utils import predict_mean_std  # noqa: E402


class BNRegressor(nn.Module):
    """A small regression network with BatchNorm and dropout, one output."""

    def __init__(self, n_in=4, hidden=16, p=0.3):
        super().__init__()
        self.hidden = nn.Sequential(
            nn.Linear(n_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p)
        )
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        return self.out(self.hidden(x))


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4)).astype(np.float32)
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=150)
    return X, y


def _net(**params):
    defaults = dict(
        max_epochs=20,
        lr=0.05,
        batch_size=32,
        n_mc_samples=6,
        optimizer=torch.optim.Adam,
        random_state=0,
    )
    defaults.update(params)
    return MCDropoutRegressor(BNRegressor, **defaults)


@pytest.fixture(scope="module")
def fitted(data):
    return _net().fit(*data)


def test_samples_are_passes_and_predict_their_mean_and_std(fitted, data):
    X, _ = data
    samples = fitted.predict_samples(X[:20])
    assert samples.shape == (20, 6) and samples.dtype == np.float32
    assert np.abs(samples - samples[:, :1]).max() > 1e-3  # dropout is active
    mean, std = fitted.predict(X[:20], return_std=True)
    np.testing.assert_allclose(mean, samples.mean(axis=1), rtol=1e-5)
    np.testing.assert_allclose(std, samples.std(axis=1), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(fitted.predict(X[:20]), mean, rtol=1e-5)
    assert is_regressor(fitted) and not hasattr(fitted, "predict_proba")
    assert fitted.score(X, data[1]) > 0.5


def test_each_pass_is_one_network_for_the_whole_pool(fitted, data):
    # consistent masks: pass t is the same network for every sample, whatever
    # the batches and groups of passes
    X, _ = data
    full = fitted.predict_samples(X)
    np.testing.assert_allclose(fitted.predict_samples(X[:7]), full[:7], rtol=1e-5)
    other = clone(fitted).set_params(batch_size=5, mc_max_rows=10)
    other.initialize()
    other.module_.load_state_dict(fitted.module_.state_dict())
    np.testing.assert_allclose(other.predict_samples(X), full, rtol=1e-5)
    twice = fitted.predict_samples(np.vstack([X[:1], X[:1]]))
    np.testing.assert_array_equal(twice[0], twice[1])


def test_the_passes_by_hand(data):
    # Without dropout, every pass is the evaluation-mode network.
    X, y = data
    net = _net(module__p=0.0).fit(X, y)
    with pytest.warns(UserWarning, match="no dropout module"):
        samples = net.predict_samples(X[:10])
    with torch.no_grad():
        expected = net.module_.eval()(torch.from_numpy(X[:10])).numpy()[:, 0]
    for t in range(samples.shape[1]):
        np.testing.assert_allclose(samples[:, t], expected, rtol=1e-5, atol=1e-6)
    deterministic = net.set_params(mc_predict=False).predict(X[:10])
    np.testing.assert_allclose(deterministic, expected, rtol=1e-5, atol=1e-6)


def test_batchnorm_statistics_and_modes_are_untouched(fitted, data):
    X, _ = data
    bn = fitted.module_.hidden[1]
    mean, var = bn.running_mean.clone(), bn.running_var.clone()
    for mode in (True, False):
        fitted.module_.train(mode)
        fitted.predict_samples(X)
        assert all(m.training is mode for m in fitted.module_.modules())
    torch.testing.assert_close(bn.running_mean, mean)
    torch.testing.assert_close(bn.running_var, var)


def test_targets_are_checked_and_a_column_is_flattened(data):
    X, y = data
    with pytest.raises(ValueError, match="real numbers"):
        _net(max_epochs=1).fit(X, np.array(["a"] * len(X)))
    with pytest.raises(ValueError, match="NaN"):
        _net(max_epochs=1).fit(X, np.where(np.arange(len(X)) == 3, np.nan, y))
    with pytest.warns(DataConversionWarning):
        net = _net(max_epochs=1).fit(X, y[:, None])
    assert net.predict(X[:3]).shape == (3,)
    # float64 networks get float64 targets
    double = _net(max_epochs=1)
    double.initialize()
    double.module_.double()
    double.partial_fit(X.astype(np.float64), y)


def test_a_module_with_several_outputs_is_an_error(data):
    X, _ = data
    net = MCDropoutRegressor(
        nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 2)),
        criterion=nn.MSELoss,
        max_epochs=1,
        random_state=0,
    )
    net.initialize()
    with pytest.raises(ValueError, match="single target"):
        net.predict_samples(X)


@pytest.mark.parametrize(
    "make",
    [
        lambda net: MaxStdSampling(net, batch_size=5, random_state=0),
        lambda net: GreedySamplingX(net, batch_size=5, random_state=0),
        lambda net: ImprovedGreedySampling(net, batch_size=5, random_state=0),
        lambda net: ExpectedModelChange(
            net, n_bootstraps=2, batch_size=5, random_state=0
        ),
    ],
    ids=["max_std", "gsx", "igs", "emcm"],
)
def test_regression_strategies_run_on_the_network(make, data):
    X, y = data
    strategy = make(_net(max_epochs=5)).fit(X[:40], y[:40])
    idx = strategy.query(X[40:])
    assert idx.shape == (5,) and np.unique(idx).shape == (5,)
    np.testing.assert_array_equal(
        strategy.set_params(chunk_size=17, n_jobs=2).query(X[40:]), idx
    )


def test_max_std_reads_the_passes(fitted, data):
    X, y = data
    strategy = MaxStdSampling(_net(), batch_size=4, random_state=0).fit(X, y)
    std = predict_mean_std(strategy.estimator_, X)[1]
    np.testing.assert_allclose(strategy.utility(X), std, rtol=1e-6)
    np.testing.assert_allclose(
        std, strategy.estimator_.predict_samples(X).std(axis=1), rtol=1e-4, atol=1e-6
    )


def test_emcm_features_of_a_network_are_its_penultimate_layer(data):
    X, y = data
    strategy = ExpectedModelChange(_net(max_epochs=5), n_bootstraps=2, random_state=0)
    strategy.fit(X[:40], y[:40])
    phi = get_embedding(strategy.estimator_, X[40:], "penultimate")
    assert phi.shape == (110, 16)
    f = strategy.estimator_.predict(X[40:])
    fk = strategy.committee_.predict_samples(X[40:])
    expected = np.linalg.norm(phi, axis=1) * np.abs(fk - f[:, None]).mean(axis=1)
    np.testing.assert_allclose(strategy.utility(X[40:]), expected, rtol=1e-4)
