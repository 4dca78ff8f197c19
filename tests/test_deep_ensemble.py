"""Deep ensembles: a committee of independently initialised networks."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from skorch.toy import MLPModule  # noqa: E402

from skactive import BALD, EPIG, BatchBALD, QueryByCommittee  # noqa: E402
from skactive.deep import DeepEnsembleClassifier, MCDropoutClassifier  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
    return X, y


def _member(**params):
    defaults = dict(
        module__input_units=4,
        module__output_units=3,
        module__hidden_units=8,
        optimizer=torch.optim.Adam,
        lr=0.05,
        max_epochs=5,
        batch_size=16,
        mc_predict=False,
    )
    defaults.update(params)
    return MCDropoutClassifier(MLPModule, **defaults)


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return DeepEnsembleClassifier(_member(), n_members=3, random_state=0).fit(
        X[:30], y[:30]
    )


def test_samples_are_the_members_predictions_stacked(fitted, data):
    X, _ = data
    expected = np.stack([m.predict_proba(X) for m in fitted.estimators_], axis=1)
    np.testing.assert_allclose(fitted.predict_proba_samples(X), expected, rtol=1e-6)
    np.testing.assert_allclose(
        fitted.predict_proba(X), expected.mean(axis=1), rtol=1e-6
    )
    assert fitted.predict_proba_samples(X).shape == (80, 3, 3)


def test_members_differ_by_initialisation_only(fitted, data):
    X, y = data
    seeds = [m.random_state for m in fitted.estimators_]
    assert len(set(seeds)) == 3
    # no bootstrap: a member is the network fitted on the whole labelled set
    # with its seed
    again = clone(_member()).set_params(random_state=seeds[1]).fit(X[:30], y[:30])
    np.testing.assert_allclose(
        again.predict_proba(X), fitted.estimators_[1].predict_proba(X), rtol=1e-6
    )
    first = fitted.estimators_[0].module_.sequential[0].weight
    second = fitted.estimators_[1].module_.sequential[0].weight
    assert not torch.allclose(first, second)
    # the user's network is not fitted
    assert not fitted.estimator.initialized_


def test_parallel_fit_in_processes_gives_the_same_ensemble(fitted, data):
    X, y = data
    parallel = DeepEnsembleClassifier(_member(), n_members=3, n_jobs=2, random_state=0)
    parallel.fit(X[:30], y[:30])
    np.testing.assert_allclose(
        parallel.predict_proba_samples(X), fitted.predict_proba_samples(X), rtol=1e-6
    )


def test_params_and_clone():
    ensemble = DeepEnsembleClassifier(_member(), n_members=4, random_state=1)
    params = ensemble.get_params(deep=False)
    assert set(params) == {"estimator", "n_members", "n_jobs", "random_state"}
    assert clone(ensemble).n_members == 4
    assert "estimator__max_epochs" in ensemble.get_params()


def test_estimator_is_required(data):
    X, y = data
    with pytest.raises(ValueError, match="estimator is required"):
        DeepEnsembleClassifier().fit(X, y)
    with pytest.raises(ValueError, match="n_members"):
        DeepEnsembleClassifier(_member(), n_members=0).fit(X, y)


@pytest.mark.parametrize(
    "strategy",
    [BALD, BatchBALD, EPIG, QueryByCommittee],
    ids=["bald", "batchbald", "epig", "qbc"],
)
def test_every_disagreement_strategy_runs_on_it(strategy, data):
    X, y = data
    ensemble = DeepEnsembleClassifier(_member(), n_members=3, random_state=0)
    picks = strategy(ensemble, batch_size=5, random_state=0).fit(X[:30], y[:30])
    picks = picks.query(X[30:])
    assert len(set(picks.tolist())) == 5


def test_bald_over_the_ensemble_is_the_members_disagreement(fitted, data):
    from skactive.measures import mutual_information

    X, y = data
    strategy = BALD(fitted, batch_size=5, random_state=0).fit(X[:30], y[:30])
    members = strategy.estimator_.estimators_
    stacked = np.stack([m.predict_proba(X) for m in members], axis=1)
    np.testing.assert_allclose(
        strategy.utility(X), mutual_information(stacked), rtol=1e-5, atol=1e-7
    )
