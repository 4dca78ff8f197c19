"""CUDA code paths of skactive.deep (skipped without a CUDA device).

Run on a GPU machine with ``pytest tests/test_deep_cuda.py``. Each test runs
the same computation on the CPU and on CUDA: the seeding (forked CUDA
generator), the Monte Carlo masks drawn on the device, the lazy repetition
at the first dropout module, the embeddings, deep ensembles and EPIG.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA device (torch.cuda)"
)

from torch import nn  # noqa: E402

from skactive import EPIG, BatchBALD  # noqa: E402
from skactive.deep import DeepEnsembleClassifier, MCDropoutClassifier  # noqa: E402


class SmallConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.drop1 = nn.Dropout(0.25)
        self.dense = nn.Linear(8 * 16, 16)
        self.drop2 = nn.Dropout(0.5)
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        x = self.drop1(torch.max_pool2d(torch.relu(self.conv(x)), 2)).flatten(1)
        return self.out(self.drop2(torch.relu(self.dense(x))))


@pytest.fixture(scope="module")
def images():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 1, 10, 10)).astype(np.float32)
    y = rng.randint(3, size=60)
    return X, y


def _net(device, **params):
    defaults = dict(
        optimizer=torch.optim.Adam,
        lr=0.01,
        max_epochs=3,
        batch_size=16,
        n_mc_samples=8,
        random_state=0,
        device=device,
    )
    defaults.update(params)
    return MCDropoutClassifier(SmallConvNet, **defaults)


def test_mc_passes_on_cuda_are_seeded_and_leave_the_generators(images):
    X, y = images
    net = _net("cuda").fit(X, y)
    cuda_state, cpu_state = torch.cuda.get_rng_state(), torch.get_rng_state()
    first = net.predict_proba_samples(X)
    assert torch.equal(torch.cuda.get_rng_state(), cuda_state)
    assert torch.equal(torch.get_rng_state(), cpu_state)
    assert first.shape == (60, 8, 3) and first.dtype == np.float32
    np.testing.assert_allclose(first.sum(axis=2), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(net.predict_proba_samples(X), first)
    # consistent masks: a sample's passes do not depend on its batch
    np.testing.assert_allclose(net.predict_proba_samples(X[:7]), first[:7], rtol=1e-5)
    assert np.abs(first - first[:, :1]).max() > 1e-4


def test_repeat_at_dropout_equals_repeat_at_input_on_cuda(images):
    X, y = images
    net = _net("cuda", mc_repeat="input").fit(X, y)
    expected = net.predict_proba_samples(X)
    net.set_params(mc_repeat="dropout", mc_max_rows=50)
    np.testing.assert_allclose(
        net.predict_proba_samples(X), expected, rtol=1e-4, atol=1e-6
    )


def test_cuda_network_predicts_like_its_cpu_copy(images):
    X, y = images
    net = _net("cuda").fit(X, y)
    cpu = _net("cpu")
    cpu.initialize()
    cpu.module_.load_state_dict(
        {k: v.cpu() for k, v in net.module_.state_dict().items()}
    )
    cpu.classes_inferred_ = net.classes_
    np.testing.assert_allclose(
        cpu.set_params(mc_predict=False).predict_proba(X),
        net.set_params(mc_predict=False).predict_proba(X),
        rtol=1e-4,
        atol=1e-5,
    )
    assert net.embed(X).shape == (60, 16)


def test_ensemble_and_strategies_on_cuda(images):
    X, y = images
    ensemble = DeepEnsembleClassifier(
        _net("cuda", mc_predict=False), n_members=3, random_state=0
    ).fit(X[:30], y[:30])
    samples = ensemble.predict_proba_samples(X)
    stacked = np.stack([m.predict_proba(X) for m in ensemble.estimators_], axis=1)
    np.testing.assert_allclose(samples, stacked, rtol=1e-6)
    for strategy in (
        BatchBALD(_net("cuda"), batch_size=4, random_state=0),
        EPIG(_net("cuda"), n_target_samples=10, batch_size=4, random_state=0),
    ):
        picks = strategy.fit(X[:30], y[:30]).query(X[30:])
        assert len(set(picks.tolist())) == 4
