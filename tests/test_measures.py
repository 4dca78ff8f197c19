"""The measure registry: one spelling, accepted by every consumer; custom measures."""

import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skactive import (
    BALD,
    Committee,
    DiverseMiniBatch,
    HybridSampling,
    InformationDensity,
    LeastConfidentSampling,
    MarginSampling,
    MeanSTD,
    QueryByCommittee,
    RankedBatch,
    UncertaintySampling,
    VariationRatioSampling,
    measures,
)
from skactive.cli._registry import STRATEGIES, CLIError, make_strategy
from skactive.measures import MEASURES, Measure, get_measure

NAMES = [
    "least_confident",
    "margin",
    "entropy",
    "variation_ratio",
    "vote_entropy",
    "consensus_entropy",
    "kl_divergence",
    "mutual_information",
    "mean_std",
]
OLD_SPELLINGS = ["least_confidence", "max_disagreement", "bald", "qbc_vote"]


def _h(*p):
    return -sum(q * math.log(q) for q in p if q > 0)


PROBA = np.array([[0.7, 0.2, 0.1], [0.4, 0.4, 0.2]])
SAMPLES = np.array(
    [
        [[1.0, 0.0], [0.0, 1.0]],  # two confident members disagree
        [[0.8, 0.2], [0.8, 0.2]],  # they agree
    ]
)
LN2 = math.log(2)
HAND = {
    "least_confident": [0.3, 0.6],
    "margin": [0.5, 1.0],
    "entropy": [_h(0.7, 0.2, 0.1), _h(0.4, 0.4, 0.2)],
    "variation_ratio": [0.5, 0.0],
    "vote_entropy": [LN2, 0.0],
    "consensus_entropy": [LN2, _h(0.8, 0.2)],
    "kl_divergence": [LN2, 0.0],
    "mutual_information": [LN2, 0.0],
    "mean_std": [0.5, 0.0],
}


# ---------------------------------------------------------------- registry
def test_registry_holds_every_measure_once_under_its_function_name():
    assert sorted(MEASURES) == sorted(NAMES)
    for name, record in MEASURES.items():
        assert record.name == name
        # one spelling: the function of skactive.measures has the same name
        assert record.function is getattr(measures, name)
        assert record.description
        assert name in measures.__all__
    assert {r.input for r in MEASURES.values()} == {"proba", "proba_samples"}
    with pytest.raises(TypeError):
        MEASURES["margin"] = MEASURES["entropy"]  # read-only


@pytest.mark.parametrize("name", NAMES)
def test_each_registered_measure_matches_a_hand_computed_value(name):
    record = MEASURES[name]
    values = PROBA if record.input == "proba" else SAMPLES
    np.testing.assert_allclose(record.function(values), HAND[name], atol=1e-12)
    assert get_measure(name) is record


def test_variation_ratio_falls_back_on_predict_proba():
    record = MEASURES["variation_ratio"]
    assert record.input == "proba_samples"
    np.testing.assert_allclose(record.fallback(PROBA), HAND["least_confident"])
    assert all(
        r.fallback is None for n, r in MEASURES.items() if n != "variation_ratio"
    )


def test_measure_record_validates_itself():
    with pytest.raises(ValueError, match="input must be one of"):
        Measure("x", np.max, input="scores")
    with pytest.raises(TypeError, match="function must be callable"):
        Measure("x", "max")
    with pytest.raises(ValueError, match="fallback"):
        Measure("x", np.max, input="proba", fallback=np.min)


# -------------------------------------------------------- every consumer
def _data():
    X, y = make_classification(
        n_samples=90, n_features=4, n_informative=3, n_redundant=0, random_state=0
    )
    return X[:30], y[:30], X[30:]


def _committee():
    return Committee(n_members=3, random_state=0)  # bagged LogisticRegression


CONSUMERS = {
    "UncertaintySampling": lambda name: UncertaintySampling(_committee(), method=name),
    "QueryByCommittee": lambda name: QueryByCommittee(_committee(), method=name),
    "HybridSampling": lambda name: HybridSampling(_committee(), uncertainty=name),
    "InformationDensity": lambda name: InformationDensity(
        _committee(), uncertainty=name, beta=0.0
    ),
    "DiverseMiniBatch": lambda name: DiverseMiniBatch(_committee(), uncertainty=name),
    "RankedBatch": lambda name: RankedBatch(_committee(), uncertainty=name),
}


def _expected(strategy, name, X):
    record = MEASURES[name]
    if record.input == "proba":
        return record.function(strategy.estimator_.predict_proba(X))
    return record.function(strategy.estimator_.predict_proba_samples(X))


@pytest.mark.parametrize("consumer", sorted(CONSUMERS))
@pytest.mark.parametrize("name", NAMES)
def test_every_name_is_accepted_by_every_consumer(name, consumer):
    X, y, X_pool = _data()
    strategy = CONSUMERS[consumer](name).set_params(random_state=0, batch_size=3)
    strategy.fit(X, y)
    picks = strategy.query(X_pool)
    assert picks.shape == (3,) and len(set(picks)) == 3
    scorer = getattr(strategy, "uncertainty_strategy_", strategy)
    np.testing.assert_allclose(
        scorer.utility(X_pool), _expected(strategy, name, X_pool), atol=1e-12
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_name_is_a_cli_strategy(name):
    X, y, X_pool = _data()
    assert name in STRATEGIES
    strategy = make_strategy(name, "logreg", 2, 0)
    assert strategy.fit(X, y).query(X_pool).shape == (2,)
    np.testing.assert_allclose(
        strategy.utility(X_pool), _expected(strategy, name, X_pool), atol=1e-12
    )


@pytest.mark.parametrize(
    "named, name",
    [
        (LeastConfidentSampling, "least_confident"),
        (MarginSampling, "margin"),
        (VariationRatioSampling, "variation_ratio"),
        (BALD, "mutual_information"),
        (MeanSTD, "mean_std"),
    ],
)
def test_named_classes_score_their_registered_measure(named, name):
    X, y, X_pool = _data()
    strategy = named(_committee()).fit(X, y)
    np.testing.assert_allclose(
        strategy.utility(X_pool), _expected(strategy, name, X_pool), atol=1e-12
    )


def test_samples_measure_needs_samples_unless_it_has_a_fallback():
    X, y, X_pool = _data()
    with pytest.raises(TypeError, match="predict_proba_samples"):
        UncertaintySampling(LogisticRegression(), method="mutual_information").fit(X, y)
    strategy = QueryByCommittee(LogisticRegression(), method="variation_ratio")
    strategy.fit(X, y)
    np.testing.assert_allclose(
        strategy.utility(X_pool),
        measures.least_confident(strategy.estimator_.predict_proba(X_pool)),
    )


# ---------------------------------------------------------- old spellings
def _listed(message):
    return all(repr(name) in message for name in NAMES)


@pytest.mark.parametrize("old", OLD_SPELLINGS)
@pytest.mark.parametrize(
    "make, param",
    [
        (lambda m: UncertaintySampling(method=m), "method"),
        (lambda m: QueryByCommittee(method=m), "method"),
        (lambda m: HybridSampling(uncertainty=m), "uncertainty"),
        (lambda m: InformationDensity(uncertainty=m), "uncertainty"),
        (lambda m: DiverseMiniBatch(uncertainty=m), "uncertainty"),
    ],
)
def test_old_spellings_are_rejected_listing_the_valid_names(old, make, param):
    X, y, _ = _data()
    strategy = make(old)  # __init__ stores it untouched
    assert strategy.get_params()[param] == old
    with pytest.raises(ValueError, match=f"^{param} must be one of") as info:
        strategy.fit(X, y)
    assert _listed(str(info.value))


def test_old_spelling_gets_a_suggestion():
    with pytest.raises(ValueError, match="did you mean 'least_confident'"):
        get_measure("least_confidence", name="method")


@pytest.mark.parametrize("old", ["qbc_vote", "qbc_kl", "bald", "least_confidence"])
def test_old_cli_names_are_rejected_listing_the_valid_names(old):
    with pytest.raises(CLIError, match="unknown strategy") as info:
        make_strategy(old, "logreg", 1, 0)
    assert all(name in str(info.value) for name in NAMES)


# ---------------------------------------------------------- custom measures
def _second_class(proba):
    return proba[:, 1]


def test_custom_callable_end_to_end():
    X, y, X_pool = _data()
    strategy = UncertaintySampling(LogisticRegression(), method=_second_class)
    assert strategy.get_params()["method"] is _second_class
    assert clone(strategy).method is _second_class
    picks = strategy.set_params(batch_size=4).fit(X, y).query(X_pool)
    expected = np.argsort(-strategy.estimator_.predict_proba(X_pool)[:, 1])[:4]
    np.testing.assert_array_equal(picks, expected)
    assert picks[0] == np.argmax(
        _second_class(strategy.estimator_.predict_proba(X_pool))
    )


def test_custom_callable_on_committee_members():
    X, y, X_pool = _data()

    def spread(proba_samples):  # how much the members' confidence varies
        return proba_samples.max(axis=2).std(axis=1)

    strategy = QueryByCommittee(_committee(), method=spread).fit(X, y)
    expected = spread(strategy.estimator_.predict_proba_samples(X_pool))
    assert strategy.query(X_pool)[0] == np.argmax(expected)
    np.testing.assert_allclose(strategy.utility(X_pool), expected)
    # the same through a record, in the strategy whose callables read proba
    record = Measure("spread", spread, input="proba_samples")
    other = UncertaintySampling(_committee(), method=record).fit(X, y)
    np.testing.assert_allclose(other.utility(X_pool), expected)


@pytest.mark.parametrize("cls", [HybridSampling, DiverseMiniBatch, InformationDensity])
def test_custom_callable_as_uncertainty(cls):
    X, y, X_pool = _data()
    strategy = cls(LogisticRegression(), uncertainty=_second_class, random_state=0)
    strategy.set_params(beta=1.0 if cls is not InformationDensity else 0.0)
    picks = strategy.fit(X, y).query(X_pool, batch_size=3)
    expected = np.argsort(-strategy.estimator_.predict_proba(X_pool)[:, 1])[:3]
    np.testing.assert_array_equal(picks, expected)


@pytest.mark.parametrize(
    "bad, match",
    [
        (lambda proba: proba, r"shape \(60, 2\) for 60 samples"),
        (lambda proba: proba[:5, 0], r"shape \(5,\) for 60 samples"),
        (lambda proba: np.float64(1.0), r"shape \(\) for 60 samples"),
        (lambda proba: np.where(proba[:, 0] > 0.5, np.nan, 1.0), "NaN utilities"),
        (lambda proba: ["high"] * proba.shape[0], "must return real numbers"),
    ],
)
@pytest.mark.parametrize(
    "make, param",
    [
        (lambda f: UncertaintySampling(LogisticRegression(), method=f), "method"),
        (
            lambda f: QueryByCommittee(
                _committee(), method=lambda s, f=f: f(s.mean(axis=1))
            ),
            "method",
        ),
        (lambda f: HybridSampling(LogisticRegression(), uncertainty=f), "uncertainty"),
        (
            lambda f: InformationDensity(LogisticRegression(), uncertainty=f),
            "uncertainty",
        ),
        (
            lambda f: DiverseMiniBatch(LogisticRegression(), uncertainty=f),
            "uncertainty",
        ),
        (lambda f: RankedBatch(LogisticRegression(), uncertainty=f), "uncertainty"),
    ],
)
def test_bad_callable_is_rejected_naming_the_parameter(bad, match, make, param):
    X, y, X_pool = _data()
    strategy = make(bad).fit(X, y)  # fit cannot know: the pool reveals it
    with pytest.raises((ValueError, TypeError), match=f"^{param} .*{match}"):
        strategy.query(X_pool, batch_size=2)


@pytest.mark.parametrize(
    "make, param",
    [
        (lambda m: UncertaintySampling(method=m), "method"),
        (lambda m: QueryByCommittee(method=m), "method"),
        (lambda m: HybridSampling(uncertainty=m), "uncertainty"),
        (lambda m: InformationDensity(uncertainty=m), "uncertainty"),
    ],
)
@pytest.mark.parametrize("bad", [3, None, MarginSampling])
def test_non_measures_are_rejected_naming_the_parameter(make, param, bad):
    X, y, _ = _data()
    with pytest.raises(TypeError, match=f"^{param} must be a measure name"):
        make(bad).fit(X, y)
