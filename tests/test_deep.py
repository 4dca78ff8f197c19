"""skorch MC-Dropout / MC-DropConnect classifier and the strategies over it."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.utils import get_tags  # noqa: E402
from skorch.toy import MLPModule  # noqa: E402
from torch import nn  # noqa: E402

from skactive import (  # noqa: E402
    BADGE,
    BALD,
    BatchBALD,
    Committee,
    CoreSet,
    EntropySampling,
    ExpectedGradientLength,
    MarginSampling,
    MeanSTD,
    QueryByCommittee,
    TypiClust,
    VariationRatioSampling,
    cold_start,
    simulate,
)
from skactive.deep import DropConnect, MCDropoutClassifier, mc_dropconnect  # noqa: E402
from skactive.deep._mc_sampling import _mc_mode  # noqa: E402
from skactive.embedding import get_embedding  # noqa: E402


class BNNet(nn.Module):
    """A small network with BatchNorm and dropout."""

    def __init__(self, n_in=4, n_out=3, hidden=16, p=0.5):
        super().__init__()
        self.hidden = nn.Sequential(
            nn.Linear(n_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(p)
        )
        self.out = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.out(self.hidden(x))


class ConvNet(nn.Module):
    """A tiny convolutional network on 1 x 6 x 6 images, channel dropout."""

    def __init__(self, n_out=3):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.drop = nn.Dropout2d(0.5)
        self.out = nn.Linear(4 * 36, n_out)

    def forward(self, x):
        return self.out(self.drop(torch.relu(self.conv(x))).flatten(1))


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    return X, y


def _net(module=BNNet, **params):
    defaults = dict(max_epochs=5, lr=0.1, batch_size=32, n_mc_samples=6, random_state=0)
    defaults.update(params)
    return MCDropoutClassifier(module, **defaults)


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return _net().fit(X, y)


# ------------------------------------------------------------- MC protocol
def test_passes_differ_and_rows_are_probabilities(fitted, data):
    X, _ = data
    P = fitted.predict_proba_samples(X[:20])
    assert P.shape == (20, 6, 3) and P.dtype == np.float32
    np.testing.assert_allclose(P.sum(axis=2), 1.0, rtol=1e-5)
    assert np.abs(P - P[:, :1]).max() > 1e-3  # dropout really active


def test_batchnorm_statistics_and_modes_are_untouched(fitted, data):
    X, _ = data
    bn = fitted.module_.hidden[1]
    mean, var = bn.running_mean.clone(), bn.running_var.clone()
    batches = bn.num_batches_tracked.clone()
    for mode in (True, False):
        fitted.module_.train(mode)
        fitted.predict_proba_samples(X)
        assert all(m.training is mode for m in fitted.module_.modules())
    torch.testing.assert_close(bn.running_mean, mean)
    torch.testing.assert_close(bn.running_var, var)
    assert torch.equal(bn.num_batches_tracked, batches)


def test_modes_restored_after_an_error(fitted):
    fitted.module_.train()
    with (
        pytest.raises(RuntimeError),
        torch.no_grad(),
        _mc_mode(fitted.module_, 3, True),
    ):
        fitted.module_(torch.zeros(2, 99))  # wrong width
    assert all(m.training for m in fitted.module_.modules())


def test_output_nonlinearity_applied_once(data):
    X, y = data
    net = _net(module__p=0.0).fit(X, y)
    with pytest.warns(UserWarning, match="no dropout module with p > 0"):
        P = net.predict_proba_samples(X[:10])
    with torch.no_grad():
        logits = net.module_.eval()(torch.from_numpy(X[:10]))
        expected = torch.softmax(logits, dim=1).numpy()
    for t in range(P.shape[1]):
        np.testing.assert_allclose(P[:, t], expected, rtol=1e-5, atol=1e-6)
    with pytest.warns(UserWarning, match="no dropout module with p > 0"):
        np.testing.assert_allclose(net.predict_proba(X[:10]), expected, rtol=1e-5)


def test_predict_proba_is_the_mc_average_or_deterministic(fitted, data):
    X, _ = data
    np.testing.assert_allclose(
        fitted.predict_proba(X), fitted.predict_proba_samples(X).mean(axis=1)
    )
    det = clone(fitted).set_params(mc_predict=False).fit(*data)
    with torch.no_grad():
        expected = torch.softmax(det.module_.eval()(torch.from_numpy(X)), 1).numpy()
    np.testing.assert_allclose(det.predict_proba(X), expected, rtol=1e-5)
    assert set(det.predict(X)) <= set(det.classes_)


def test_consistent_masks_do_not_depend_on_batches_or_groups(fitted, data):
    X, _ = data
    full = fitted.predict_proba_samples(X)
    # (up to float rounding: matrix products of other sizes)
    np.testing.assert_allclose(fitted.predict_proba_samples(X[:7]), full[:7], rtol=1e-5)
    other = clone(fitted).set_params(batch_size=5, mc_max_rows=10)
    other.initialize()
    other.module_.load_state_dict(fitted.module_.state_dict())
    other.classes_inferred_ = fitted.classes_
    np.testing.assert_allclose(other.predict_proba_samples(X), full, rtol=1e-5)
    # skorch's DataLoader path (any iterator_valid__ parameter) == fast path
    loader = clone(fitted).set_params(iterator_valid__drop_last=False)
    loader.initialize()
    loader.module_.load_state_dict(fitted.module_.state_dict())
    loader.classes_inferred_ = fitted.classes_
    np.testing.assert_allclose(loader.predict_proba_samples(X), full, rtol=1e-5)
    # one pass is one network: two copies of a sample get the same pass
    twice = fitted.predict_proba_samples(np.vstack([X[:1], X[:1]]))
    np.testing.assert_array_equal(twice[0], twice[1])


class Residual(nn.Module):
    """Dropout inside a residual connection: x + dropout(f(x))."""

    def __init__(self):
        super().__init__()
        self.f = nn.Linear(4, 4)
        self.drop = nn.Dropout(0.5)
        self.out = nn.Linear(4, 3)

    def forward(self, x):
        return self.out(x + self.drop(self.f(x)))


@pytest.mark.parametrize(
    "module, X_shape, params",
    [
        (BNNet, (40, 4), {}),
        (ConvNet, (40, 1, 6, 6), {}),
        (nn.Linear, (40, 4), {"module__in_features": 4, "dropconnect": 0.3}),
    ],
    ids=["batchnorm", "conv", "dropconnect"],
)
def test_repeat_at_first_dropout_gives_the_same_passes(module, X_shape, params):
    rng = np.random.RandomState(0)
    X = rng.normal(size=X_shape).astype(np.float32)
    y = rng.randint(3, size=X_shape[0])
    if module is nn.Linear:
        params["module__out_features"] = 3
    net = _net(module, max_epochs=2, mc_repeat="input", **params).fit(X, y)
    expected = net.predict_proba_samples(X)
    net.set_params(mc_repeat="dropout", mc_max_rows=50)  # groups of passes too
    np.testing.assert_allclose(net.predict_proba_samples(X), expected, rtol=1e-5)


def test_repeat_at_first_dropout_fails_loudly_around_residuals(data):
    X, y = data
    net = _net(Residual, mc_repeat="input").fit(X, y)
    assert net.predict_proba_samples(X).shape == (len(X), 6, 3)
    net.set_params(mc_repeat="dropout")  # the default
    with pytest.raises(RuntimeError) as info:
        net.predict_proba_samples(X)
    assert 'mc_repeat="input"' in "".join(getattr(info.value, "__notes__", []))
    with pytest.raises(ValueError, match="mc_repeat"):
        net.set_params(mc_repeat="middle").predict_proba_samples(X)


def test_independent_masks_differ_per_sample(fitted, data):
    X, _ = data
    net = clone(fitted).set_params(consistent_masks=False).fit(*data)
    twice = net.predict_proba_samples(np.vstack([X[:1], X[:1]]))
    assert np.abs(twice[0] - twice[1]).max() > 1e-4


def test_channel_dropout_on_images():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 1, 6, 6)).astype(np.float32)
    y = rng.randint(3, size=30)
    net = _net(ConvNet, max_epochs=2).fit(X, y)
    P = net.predict_proba_samples(X)
    assert P.shape == (30, 6, 3)
    np.testing.assert_allclose(net.predict_proba_samples(X[:4]), P[:4], rtol=1e-5)
    assert np.abs(P - P[:, :1]).max() > 1e-4
    assert net.embed(X).shape == (30, 4 * 36)


def test_seeding_is_reproducible_and_leaves_global_rng(fitted, data):
    X, y = data
    state = torch.get_rng_state()
    first = fitted.predict_proba_samples(X)
    np.testing.assert_array_equal(first, fitted.predict_proba_samples(X))
    refit = clone(fitted).fit(X, y)
    np.testing.assert_array_equal(refit.predict_proba_samples(X), first)
    assert torch.equal(torch.get_rng_state(), state)
    other = clone(fitted).set_params(random_state=1).fit(X, y)
    assert not np.array_equal(other.predict_proba_samples(X), first)


def test_random_state_none_follows_the_global_generator(data):
    X, y = data
    results = []
    for _ in range(2):
        torch.manual_seed(0)
        results.append(_net(random_state=None).fit(X, y).predict_proba_samples(X))
    np.testing.assert_array_equal(*results)


def test_no_dropout_warns(data):
    X, y = data
    net = _net(nn.Linear, module__in_features=4, module__out_features=3).fit(X, y)
    with pytest.warns(UserWarning, match="no dropout module"):
        net.predict_proba_samples(X[:3])


# ------------------------------------------------------------------ labels
def test_any_labels_and_fixed_classes(data):
    X, y = data
    names = np.array(["cat", "dog", "eel"])[y]
    net = _net().fit(X, names)
    assert list(net.classes_) == ["cat", "dog", "eel"]
    assert set(net.predict(X)) <= {"cat", "dog", "eel"}
    assert 0.0 <= net.score(X, names) <= 1.0
    # a labelled set missing a class: classes= keeps one output per class
    subset = y < 2
    net = _net(classes=[0, 1, 2]).fit(X[subset], y[subset])
    assert net.predict_proba_samples(X).shape[2] == 3
    with pytest.raises(ValueError, match="classes"):
        _net().fit(X[subset], y[subset])  # 3 outputs, 2 classes
    with pytest.raises(ValueError, match="not in classes"):
        _net(classes=[0, 1]).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_mc_samples": 0}, "n_mc_samples"),
        ({"n_mc_samples": 2.5}, "n_mc_samples"),
        ({"mc_max_rows": 0}, "mc_max_rows"),
    ],
)
def test_bad_mc_parameters_are_named(fitted, data, params, match):
    net = clone(fitted).set_params(**params).fit(*data)
    with pytest.raises((ValueError, TypeError), match=match):
        net.predict_proba_samples(data[0])


def test_bad_dropconnect_is_named(data):
    with pytest.raises(ValueError, match="dropconnect"):
        _net(dropconnect=1.5).fit(*data)


def test_wrong_number_of_features(fitted, data):
    X, _ = data
    with pytest.raises(ValueError, match="features"):
        fitted.predict_proba_samples(X[:, :3])


# -------------------------------------------------------------- embeddings
def test_auto_embedding_of_a_pipeline_ending_in_a_network(data):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = data
    pipe = make_pipeline(StandardScaler(), _net()).fit(X, y)
    scaled = pipe[0].transform(X)
    expected = pipe[-1].embed(scaled)
    assert expected.shape[1] != X.shape[1]  # the layer, not the scaled input
    np.testing.assert_allclose(get_embedding(pipe, X, "auto"), expected)
    np.testing.assert_allclose(get_embedding(pipe, X, "penultimate"), expected)
    np.testing.assert_allclose(get_embedding(pipe, X, "transform"), scaled)


def test_embed_is_the_last_linear_input(fitted, data):
    X, _ = data
    with torch.no_grad():
        expected = fitted.module_.eval().hidden(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(fitted.embed(X), expected, rtol=1e-6)
    np.testing.assert_allclose(get_embedding(fitted, X, "auto"), expected, rtol=1e-6)
    named = clone(fitted).set_params(embedding_layer="hidden.3").fit(*data)
    assert named.embed(X).shape == (len(X), 16)
    with pytest.raises(ValueError, match="embedding_layer"):
        clone(fitted).set_params(embedding_layer="nope").fit(*data).embed(X)


# -------------------------------------------------------------- DropConnect
def test_mc_dropconnect_wraps_once_and_keeps_parameters():
    net = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    params = list(net.parameters())
    mc_dropconnect(net, 0.3)
    mc_dropconnect(net, 0.2)
    assert isinstance(net[0], DropConnect) and isinstance(net[0].layer, nn.Linear)
    assert net[0].p == 0.2
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    x = torch.randn(4, 3)
    net.eval()
    torch.testing.assert_close(net(x), net[2].layer(net[1](net[0].layer(x))))
    with pytest.raises(TypeError, match="Linear"):
        DropConnect(nn.ReLU())


@pytest.mark.parametrize(
    "layer, shape",
    [
        (nn.Linear(5, 3), (5,)),
        (nn.Conv2d(2, 3, 3, padding=1), (2, 5, 5)),
        (nn.Conv1d(2, 4, 3, padding=1, padding_mode="reflect"), (2, 7)),
    ],
)
def test_dropconnect_passes_equal_one_network_per_mask(layer, shape):
    module = DropConnect(layer, p=0.5)
    x = torch.randn(4, *shape)
    torch.manual_seed(0)
    with torch.no_grad(), _mc_mode(module, 3, True) as session:
        session.set_group(0, 3, 4)
        out = module(x.repeat(3, *([1] * len(shape))))
        masks = session._masks[module][1]
    for t in range(3):
        weight = layer.weight * masks[t]
        if isinstance(layer, nn.Linear):
            expected = nn.functional.linear(x, weight, layer.bias)
        else:
            expected = layer._conv_forward(x, weight, layer.bias)
        torch.testing.assert_close(out[t * 4 : (t + 1) * 4], expected)
    assert not torch.equal(masks[0], masks[1])


def test_dropconnect_classifier_samples_without_dropout(data):
    X, y = data
    net = _net(
        MLPModule, module__input_units=4, module__output_units=3, dropconnect=0.3
    ).fit(X, y)
    assert sum(isinstance(m, DropConnect) for m in net.module_.modules()) == 2
    P = net.predict_proba_samples(X[:10])
    assert np.abs(P - P[:, :1]).max() > 1e-3
    np.testing.assert_allclose(net.predict_proba_samples(X[:3]), P[:3], rtol=1e-5)
    assert net.embed(X).shape == (len(X), 10)


# -------------------------------------------------------------- strategies
@pytest.mark.parametrize(
    "strategy",
    [
        BALD(batch_size=4),
        BatchBALD(batch_size=4),
        MeanSTD(batch_size=4),
        VariationRatioSampling(batch_size=4),
        EntropySampling(batch_size=4),
        BADGE(batch_size=4),
        ExpectedGradientLength(batch_size=4),
    ],
    ids=lambda s: type(s).__name__,
)
def test_strategies_run_on_the_network(strategy, data):
    X, y = data
    strategy.set_params(estimator=_net(), random_state=0).fit(X[:30], y[:30])
    idx = strategy.query(X[30:])
    assert len(np.unique(idx)) == 4
    np.testing.assert_array_equal(idx, strategy.query(X[30:]))


def test_threaded_chunks_give_the_same_query(data):
    X, y = data
    strategy = BALD(_net(), batch_size=5, random_state=0).fit(X[:30], y[:30])
    expected = strategy.query(X[30:])
    strategy.set_params(chunk_size=7, n_jobs=2)
    np.testing.assert_array_equal(strategy.query(X[30:]), expected)


def test_badge_uses_penultimate_gradients(data):
    X, y = data
    strategy = BADGE(_net(), batch_size=5, random_state=0).fit(X[:30], y[:30])
    net, pool = strategy.estimator_, X[30:]
    proba = net.predict_proba(pool).astype(np.float64)
    a = proba.copy()
    a[np.arange(len(a)), proba.argmax(1)] -= 1
    h1 = np.hstack([net.embed(pool), np.ones((len(pool), 1))])
    G = (a[:, :, None] * h1[:, None, :]).reshape(len(pool), -1)
    assert strategy.query(pool)[0] == np.argmax((G**2).sum(1))


def test_warm_start_continues_training(data):
    X, y = data
    strategy = BALD(_net(warm_start=True, max_epochs=2), warm_start=True)
    strategy.fit(X[:30], y[:30])
    net = strategy.estimator_
    strategy.fit(X[:60], y[:60])
    assert strategy.estimator_ is net
    assert len(net.history) == 4  # 2 + 2 epochs, not restarted


def test_active_learning_loop_on_digits():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    rng = np.random.RandomState(0)
    test = rng.rand(len(X)) < 0.3
    X_test, y_test, X, y = X[test], y[test], X[~test], y[~test]
    labelled = np.concatenate([np.flatnonzero(y == c)[:2] for c in range(10)])
    net = MCDropoutClassifier(
        MLPModule,
        module__input_units=64,
        module__output_units=10,
        module__hidden_units=64,
        module__dropout=0.3,
        classes=list(range(10)),
        optimizer=torch.optim.Adam,
        lr=0.01,
        max_epochs=30,
        batch_size=32,
        n_mc_samples=10,
        random_state=0,
    )
    for strategy in (BALD(net, batch_size=20), BatchBALD(net, batch_size=10)):
        strategy.set_params(random_state=0)
        mask = np.zeros(len(X), dtype=bool)
        mask[labelled] = True
        scores = []
        for _ in range(3):
            strategy.fit(X[mask], y[mask])
            scores.append(strategy.score(X_test, y_test))
            pool = np.flatnonzero(~mask)
            mask[pool[strategy.query(X[pool])]] = True
        assert mask.sum() == 20 + 3 * strategy.batch_size
        assert scores[-1] > 0.7  # ~0.79 with 80 labels, from ~0.74 with 20


# ------------------------------------------------------- images (n-d input)
@pytest.fixture(scope="module")
def images():
    """Digits as 1 x 6 x 6 images (the 8 x 8 digits without their border)."""
    X, y = load_digits(n_class=3, return_X_y=True)
    X = (X.reshape(-1, 1, 8, 8)[:, :, 1:7, 1:7] / 16.0).astype(np.float32)
    return X[:150], y[:150]


@pytest.mark.parametrize(
    "make",
    [
        lambda net: MarginSampling(net),
        lambda net: BALD(net),
        lambda net: BatchBALD(net),
        lambda net: BADGE(net),
        lambda net: CoreSet(net, embedding="raw"),
        lambda net: TypiClust(net),
        lambda net: QueryByCommittee(
            Committee(estimator=net, n_members=2, random_state=0)
        ),
    ],
    ids=["margin", "bald", "batchbald", "badge", "coreset-raw", "typiclust", "qbc"],
)
def test_strategies_take_image_pools(make, images):
    X, y = images
    net = _net(ConvNet, max_epochs=3, n_mc_samples=4)
    strategy = make(net).set_params(batch_size=5, random_state=0)
    assert get_tags(strategy).input_tags.three_d_array
    strategy.fit(X[:30], y[:30])
    picks = strategy.query(X[30:])
    assert picks.shape == (5,) and len(np.unique(picks)) == 5
    assert picks.max() < len(X) - 30
    # the same picks from the flat pool's rows, chunk by chunk
    chunked = clone(strategy).set_params(chunk_size=17).fit(X[:30], y[:30])
    np.testing.assert_array_equal(chunked.query(X[30:]), picks)


def test_raw_embedding_of_images_is_the_flat_pixels(images):
    X, _ = images
    np.testing.assert_array_equal(get_embedding(None, X, "raw"), X.reshape(150, 36))
    assert cold_start(X, 4, random_state=0).shape == (4,)


def test_image_loop_and_clear_error_for_flat_models(images):
    X, y = images
    strategy = MarginSampling(_net(ConvNet, max_epochs=3), random_state=0)
    result = simulate(
        strategy, X[:120], y[:120], X[120:], y[120:],
        initial_size=9, batch_size=6, budget=12, random_state=0,
    )  # fmt: skip
    assert result.history["n_labels"].tolist() == [9, 15, 21]
    assert len(np.unique(result.indices)) == 21
    with pytest.raises(ValueError, match="dim 4"):
        MarginSampling().fit(X, y)  # a LogisticRegression needs 2-d samples
