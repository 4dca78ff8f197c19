"""Committee, disagreement measures and QBC/BALD against hand-computed values."""

import math

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skactive import BALD, Committee, QueryByCommittee, measures
from skactive.committee import EnsembleCommittee
from skactive.committee._committee import _stratified_bootstrap
from skactive.exceptions import QuerySearchWarning

LN2, LN3 = math.log(2), math.log(3)


def _h(*p):
    """Entropy of a distribution written out by hand (0 log 0 = 0)."""
    return -sum(q * math.log(q) for q in p if q > 0)


# Two members, two classes: one row per situation.
P2 = np.array(
    [
        [[1.0, 0.0], [0.0, 1.0]],  # fully confident, disagree
        [[0.5, 0.5], [0.5, 0.5]],  # agree on the uniform prediction
        [[1.0, 0.0], [1.0, 0.0]],  # agree, confident
        [[0.8, 0.2], [0.4, 0.6]],  # mild disagreement
        [[0.5, 0.5], [0.0, 1.0]],  # a tie (votes class 0) against class 1
    ]
)
KL_ROW3 = 0.5 * (0.8 * math.log(0.8 / 0.6) + 0.2 * math.log(0.2 / 0.4)) + 0.5 * (
    0.4 * math.log(0.4 / 0.6) + 0.6 * math.log(0.6 / 0.4)
)
KL_ROW4 = 0.5 * (0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)) + 0.5 * (
    1.0 * math.log(1.0 / 0.75)
)
EXPECTED2 = {
    "vote_entropy": [LN2, 0.0, 0.0, LN2, LN2],
    "consensus_entropy": [LN2, LN2, 0.0, _h(0.6, 0.4), _h(0.25, 0.75)],
    "kl_divergence": [LN2, 0.0, 0.0, KL_ROW3, KL_ROW4],
    "mutual_information": [
        LN2,
        0.0,  # BALD is 0 where the consensus entropy is maximal (log 2)
        0.0,
        _h(0.6, 0.4) - 0.5 * (_h(0.8, 0.2) + _h(0.4, 0.6)),
        _h(0.25, 0.75) - 0.5 * LN2,
    ],
    # population std over members, averaged over classes
    "mean_std": [0.5, 0.0, 0.0, 0.2, 0.25],
    "variation_ratio": [0.5, 0.0, 0.0, 0.5, 0.5],
}

# Three members, three classes.
P3 = np.array(
    [
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],  # everyone differs
        [[1 / 3, 1 / 3, 1 / 3]] * 3,  # agree on the uniform prediction
        [[0.9, 0.1, 0.0], [0.7, 0.3, 0.0], [0.2, 0.8, 0.0]],  # 2 votes to 1
    ]
)
EXPECTED3 = {
    "vote_entropy": [LN3, 0.0, _h(2 / 3, 1 / 3)],
    "consensus_entropy": [LN3, LN3, _h(0.6, 0.4)],
    "kl_divergence": [
        LN3,
        0.0,
        (
            0.9 * math.log(0.9 / 0.6)
            + 0.1 * math.log(0.1 / 0.4)
            + 0.7 * math.log(0.7 / 0.6)
            + 0.3 * math.log(0.3 / 0.4)
            + 0.2 * math.log(0.2 / 0.6)
            + 0.8 * math.log(0.8 / 0.4)
        )
        / 3,
    ],
    "mutual_information": [
        LN3,
        0.0,  # while the consensus entropy is log 3, the maximum
        _h(0.6, 0.4) - (_h(0.9, 0.1) + _h(0.7, 0.3) + _h(0.2, 0.8)) / 3,
    ],
    # std of (1, 0, 0) is sqrt(1/3 - 1/9) = sqrt(2)/3 for every class;
    # row 3: class 0 (0.9, 0.7, 0.2) has mean 0.6 and variance
    # (0.09 + 0.01 + 0.16)/3, class 1 the same deviations, class 2 none.
    "mean_std": [math.sqrt(2) / 3, 0.0, 2 * math.sqrt(0.26 / 3) / 3],
    "variation_ratio": [2 / 3, 0.0, 1 / 3],
}
MEASURES = list(EXPECTED2)


@pytest.mark.parametrize("name", MEASURES)
@pytest.mark.parametrize("layout", ["samples_first", "members_first", "float32"])
def test_measures_match_hand_computed_values(name, layout):
    for P, expected in [(P2, EXPECTED2[name]), (P3, EXPECTED3[name])]:
        if layout == "members_first":  # Committee.predict_proba_samples' layout
            P = np.ascontiguousarray(P.transpose(1, 0, 2)).transpose(1, 0, 2)
        elif layout == "float32":
            P = P.astype(np.float32)
        atol = 1e-6 if layout == "float32" else 1e-12
        np.testing.assert_allclose(
            getattr(measures, name)(P), expected, rtol=1e-6, atol=atol
        )


@pytest.mark.parametrize("name", MEASURES)
def test_measures_over_many_blocks_and_ties(name):
    # 10,000 rows: several blocks, each with tied and confident members.
    P = np.tile(P2, (2000, 1, 1))
    np.testing.assert_allclose(
        getattr(measures, name)(P), np.tile(EXPECTED2[name], 2000), atol=1e-12
    )


def test_votes_of_many_members_and_many_classes():
    # 300 members (counts beyond uint8): 200 vote for class 0, 100 for class 1.
    P = np.zeros((4, 300, 2))
    P[:, :200, 0] = 0.9
    P[:, :200, 1] = 0.1
    P[:, 200:, 0] = 0.3
    P[:, 200:, 1] = 0.7
    np.testing.assert_allclose(measures.vote_entropy(P), _h(2 / 3, 1 / 3))
    np.testing.assert_allclose(measures.variation_ratio(P), 1 / 3)
    # 40 classes (more than the column-by-column path handles), both layouts.
    wide = np.zeros((2, 4, 40))
    wide[:, [0, 1, 2], 7] = 1.0  # three members vote for class 7
    wide[:, 3, 39] = 1.0  # one for class 39
    for P in (wide, np.ascontiguousarray(wide.transpose(1, 0, 2)).transpose(1, 0, 2)):
        np.testing.assert_allclose(measures.vote_entropy(P), _h(0.75, 0.25))
        np.testing.assert_allclose(measures.consensus_entropy(P), _h(0.75, 0.25))
        np.testing.assert_allclose(measures.mutual_information(P), _h(0.75, 0.25))
        np.testing.assert_allclose(measures.variation_ratio(P), 0.25)


def test_mutual_information_equals_kl_and_is_zero_on_agreement():
    rng = np.random.RandomState(0)
    P = rng.dirichlet(np.ones(4), size=(50, 6))
    np.testing.assert_allclose(
        measures.mutual_information(P), measures.kl_divergence(P), atol=1e-12
    )
    same = np.repeat(rng.dirichlet(np.ones(4), size=(50, 1)), 6, axis=1)
    np.testing.assert_allclose(measures.mutual_information(same), 0.0, atol=1e-12)


def test_measures_reject_wrong_ndim():
    with pytest.raises(ValueError, match="n_members"):
        measures.vote_entropy(np.ones((3, 2)))


# --------------------------------------------------------------- Committee
@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=120, n_features=5, n_informative=3, n_redundant=0,
        n_classes=3, random_state=0,
    )  # fmt: skip
    return X, y


def test_stratified_bootstrap_keeps_every_class_and_its_count():
    y = np.array([0, 0, 0, 0, 0, 1, 1, 2])  # class 2 has a single sample
    rng = np.random.RandomState(0)
    for _ in range(50):
        idx = _stratified_bootstrap(y, rng)
        np.testing.assert_array_equal(np.bincount(y[idx]), [5, 2, 1])
        assert np.all(np.diff(idx) >= 0)  # original order kept
    draws = {tuple(_stratified_bootstrap(y, rng)) for _ in range(20)}
    assert len(draws) > 1  # it does resample


def test_bagging_tiny_data_every_member_sees_every_class():
    X = np.arange(16, dtype=float).reshape(8, 2)
    y = np.array([0, 0, 0, 0, 1, 1, 1, 2])
    committee = Committee(n_members=20, random_state=0).fit(X, y)
    for member in committee.estimators_:
        np.testing.assert_array_equal(member.classes_, [0, 1, 2])
    samples = committee.predict_proba_samples(X)
    assert samples.shape == (8, 20, 3)
    assert not np.allclose(samples[:, 0], samples[:, 1])  # resamples differ


def test_member_missing_a_class_gets_zero_columns(data):
    X, y = data
    seen_two = LogisticRegression().fit(X[y != 2], y[y != 2])  # classes 0, 1
    committee = Committee(
        [FrozenEstimator(seen_two), LogisticRegression()], bootstrap=False
    ).fit(X, y)
    np.testing.assert_array_equal(committee.classes_, [0, 1, 2])
    samples = committee.predict_proba_samples(X[:10])
    assert samples.shape == (10, 2, 3)
    np.testing.assert_array_equal(samples[:, 0, 2], 0.0)
    np.testing.assert_allclose(samples[:, 0, :2], seen_two.predict_proba(X[:10]))
    np.testing.assert_allclose(samples.sum(axis=2), 1.0)
    np.testing.assert_allclose(
        committee.predict_proba(X[:10]), samples.mean(axis=1), atol=1e-15
    )


def test_member_with_an_extra_class_extends_classes(data):
    X, y = data
    y4 = np.where(np.arange(len(y)) < 10, 3, y)
    four = LogisticRegression().fit(X, y4)  # classes 0..3
    committee = Committee(
        [FrozenEstimator(four), DecisionTreeClassifier(random_state=0)],
        bootstrap=False,
    ).fit(X[10:], y[10:])
    np.testing.assert_array_equal(committee.classes_, [0, 1, 2, 3])
    samples = committee.predict_proba_samples(X[:5])
    np.testing.assert_array_equal(samples[:, 1, 3], 0.0)
    np.testing.assert_allclose(samples[:, 0], four.predict_proba(X[:5]))


def test_predict_proba_is_the_mean_and_predict_its_argmax(data):
    X, y = data
    committee = Committee(n_members=4, random_state=0).fit(X, y)
    samples = committee.predict_proba_samples(X)
    proba = committee.predict_proba(X)
    np.testing.assert_allclose(proba, samples.mean(axis=1), atol=1e-15)
    for m, member in enumerate(committee.estimators_):
        np.testing.assert_array_equal(samples[:, m], member.predict_proba(X))
    np.testing.assert_array_equal(
        committee.predict(X), committee.classes_[proba.argmax(axis=1)]
    )


def test_string_labels(data):
    X, y = data
    labels = np.array(["cat", "dog", "eel"])[y]
    committee = Committee(n_members=3, random_state=0).fit(X, labels)
    assert set(committee.predict(X)) <= {"cat", "dog", "eel"}
    assert committee.score(X, labels) > 0.5


def test_random_state_reproducible_and_n_jobs_invariant(data):
    X, y = data

    def make(**params):
        return Committee(
            estimator=SGDClassifier(loss="log_loss"), n_members=4, **params
        )

    first = make(random_state=0).fit(X, y).predict_proba_samples(X)
    np.testing.assert_array_equal(
        first, make(random_state=0).fit(X, y).predict_proba_samples(X)
    )
    parallel = make(random_state=0, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(first, parallel.predict_proba_samples(X))
    other = make(random_state=1).fit(X, y).predict_proba_samples(X)
    assert not np.allclose(first, other)


def test_members_seeded_through_pipelines(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss"))
    committee = Committee(
        estimator=pipe, n_members=3, bootstrap=False, random_state=0
    ).fit(X, y)
    seeds = [m.get_params()["sgdclassifier__random_state"] for m in
             committee.estimators_]  # fmt: skip
    assert len(set(seeds)) == 3 and all(isinstance(s, int) for s in seeds)
    assert pipe.get_params()["sgdclassifier__random_state"] is None  # untouched
    # Without bootstrap, the members differ only by their seeds.
    samples = committee.predict_proba_samples(X)
    assert not np.allclose(samples[:, 0], samples[:, 1])


def test_list_members_keep_their_own_random_state(data):
    X, y = data
    committee = Committee(
        [DecisionTreeClassifier(random_state=7), DecisionTreeClassifier()],
        random_state=0,
    ).fit(X, y)
    assert committee.estimators_[0].random_state == 7
    assert isinstance(committee.estimators_[1].random_state, int)


def test_named_members_params_and_grid_search(data):
    X, y = data
    committee = Committee([("lr", LogisticRegression()), ("nb", GaussianNB())])
    params = committee.get_params()
    assert params["lr__C"] == 1.0 and "nb__var_smoothing" in params
    committee.set_params(lr__C=0.5, nb=GaussianNB(var_smoothing=1e-3))
    assert committee.get_params()["lr__C"] == 0.5
    assert committee.get_params()["nb__var_smoothing"] == 1e-3
    clone(committee)  # the parameters survive a clone
    search = GridSearchCV(committee, {"lr__C": [0.1, 1.0]}, cv=2).fit(X, y)
    assert search.best_params_["lr__C"] in (0.1, 1.0)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"n_members": 0}, ValueError, "n_members must be >= 1"),
        ({"n_members": 2.5}, TypeError, "n_members must be a positive int"),
        ({"bootstrap": "yes"}, TypeError, "bootstrap must be a bool"),
        (
            {"estimators": [GaussianNB()], "estimator": GaussianNB()},
            ValueError,
            "estimators and estimator were both given",
        ),
        ({"estimators": []}, ValueError, "estimators must be a non-empty list"),
        (
            {"estimators": [GaussianNB(), SVC()]},
            TypeError,
            r"estimators\[1\] must implement predict_proba",
        ),
        (
            {"estimator": SVC()},
            TypeError,
            "estimator must implement predict_proba",
        ),
        (
            {"estimators": [("a", GaussianNB()), ("a", GaussianNB())]},
            ValueError,
            "invalid member name 'a'",
        ),
        (
            {"estimators": [("n_jobs", GaussianNB())]},
            ValueError,
            "invalid member name 'n_jobs'",
        ),
    ],
)
def test_bad_params_raise_naming_the_parameter(data, params, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        Committee(**params).fit(X, y)


def test_pipeline_members(data):
    X, y = data
    committee = Committee(
        [make_pipeline(StandardScaler(), LogisticRegression()), GaussianNB()],
        random_state=0,
    ).fit(X, y)
    assert committee.predict_proba_samples(X[:4]).shape == (4, 2, 3)


# --------------------------------------------------------------- strategies
class TableCommittee(ClassifierMixin, BaseEstimator):
    """Duck-typed model: ``predict_proba_samples`` reads row ``int(x[0])``."""

    def __init__(self, table=None):
        self.table = table

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict_proba_samples(self, X):
        return np.asarray(self.table)[np.asarray(X)[:, 0].astype(int)]

    def predict_proba(self, X):
        return self.predict_proba_samples(X).mean(axis=1)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _brute_force(P, method):
    """The formulas written sample by sample with math.log."""
    out = []
    for members in P.tolist():
        n_members, n_classes = len(members), len(members[0])
        mean = [sum(m[c] for m in members) / n_members for c in range(n_classes)]
        if method == "vote_entropy":
            votes = [max(range(n_classes), key=lambda c, m=m: m[c]) for m in members]
            out.append(_h(*[votes.count(c) / n_members for c in range(n_classes)]))
        elif method == "consensus_entropy":
            out.append(_h(*mean))
        elif method == "kl_divergence":
            out.append(
                sum(
                    m[c] * math.log(m[c] / mean[c])
                    for m in members
                    for c in range(n_classes)
                    if m[c] > 0
                )
                / n_members
            )
        else:  # bald
            out.append(_h(*mean) - sum(_h(*m) for m in members) / n_members)
    return np.array(out)


@pytest.fixture(scope="module")
def table():
    rng = np.random.RandomState(0)
    return rng.dirichlet(np.full(3, 0.5), size=(40, 5))  # 40 samples, 5 members


@pytest.mark.parametrize(
    "make",
    [
        lambda e: QueryByCommittee(e, method="vote_entropy"),
        lambda e: QueryByCommittee(e, method="consensus_entropy"),
        lambda e: QueryByCommittee(e, method="kl_divergence"),
        lambda e: BALD(e),
    ],
    ids=["vote_entropy", "consensus_entropy", "kl_divergence", "bald"],
)
def test_strategies_select_what_brute_force_selects(make, table, request):
    method = request.node.callspec.id
    X = np.arange(len(table), dtype=float)[:, None]
    y = np.arange(len(table)) % 3
    strategy = make(TableCommittee(table)).set_params(batch_size=8, random_state=0)
    idx, utilities = strategy.fit(X, y).query(X, return_utilities=True)
    reference = _brute_force(table, method)
    np.testing.assert_allclose(utilities, reference, atol=1e-12)
    if method == "vote_entropy":  # few distinct values: ties broken at random
        chosen = np.zeros(len(X), bool)
        chosen[idx] = True
        assert reference[chosen].min() >= reference[~chosen].max() - 1e-12
    else:
        np.testing.assert_array_equal(idx, np.argsort(-reference, kind="stable")[:8])


def test_default_estimator_is_a_seeded_committee(data):
    X, y = data
    strategy = QueryByCommittee(random_state=0, batch_size=3).fit(X, y)
    assert isinstance(strategy.estimator_, Committee)
    assert strategy.estimator_.random_state == 0
    again = QueryByCommittee(random_state=0, batch_size=3).fit(X, y)
    np.testing.assert_array_equal(strategy.query(X), again.query(X))
    assert BALD().fit(X, y).query(X).shape == (10,)  # the default batch_size


def test_bald_equals_kl_divergence(data):
    X, y = data
    committee = Committee(n_members=4, random_state=0)
    bald = BALD(committee).fit(X, y).utility(X)
    kl = QueryByCommittee(committee, method="kl_divergence").fit(X, y).utility(X)
    np.testing.assert_allclose(bald, kl, atol=1e-12)


def test_strategy_errors(data):
    X, y = data
    with pytest.raises(ValueError, match="method must be one of"):
        QueryByCommittee(method="max_entropy").fit(X, y)
    with pytest.raises(TypeError, match="must implement predict_proba_samples"):
        BALD(LogisticRegression()).fit(X, y)
    flat = TableCommittee(np.full((2, 3), 0.5))  # (n, n_classes): wrong protocol
    strategy = QueryByCommittee(flat).fit(np.zeros((2, 1)), [0, 1])
    with pytest.raises(ValueError, match="n_samples, n_members, n_classes"):
        strategy.query(np.zeros((2, 1)))


def test_grid_search_over_committee_size_and_method(data):
    X, y = data
    search = GridSearchCV(
        QueryByCommittee(Committee(n_members=2, random_state=0)),
        {
            "estimator__n_members": [2, 3],
            "method": ["vote_entropy", "kl_divergence"],
        },
        cv=2,
    )
    # method changes the queries, not the committee's accuracy: the search
    # says so (see test_uncertainty.py for the warning itself).
    with pytest.warns(QuerySearchWarning, match="varies method of QueryByCommittee"):
        search.fit(X, y)
    assert set(search.best_params_) == {"estimator__n_members", "method"}
    best = search.best_estimator_
    assert len(best.estimator_.estimators_) == best.estimator.n_members
    assert best.query(X, batch_size=5).shape == (5,)


def test_committee_sub_chunks_give_the_same_utilities(data, monkeypatch):
    from skactive.strategies import _measure

    X, y = data
    strategy = QueryByCommittee(
        Committee(n_members=3, random_state=0), method="kl_divergence"
    ).fit(X, y)
    expected = measures.kl_divergence(strategy.estimator_.predict_proba_samples(X))
    monkeypatch.setattr(_measure, "_SUB_CHUNK_BYTES", 1)
    monkeypatch.setattr(_measure, "_MIN_SUB_CHUNK_ROWS", 7)
    assert strategy._sub_chunk_rows(X, len(X)) == 7
    np.testing.assert_allclose(strategy.utility(X), expected, atol=1e-15)


def test_strategy_with_pipeline_members_and_parallel_scoring(data):
    X, y = data
    committee = Committee(
        estimator=make_pipeline(StandardScaler(), LogisticRegression()),
        n_members=3,
        random_state=0,
    )
    strategy = BALD(committee, batch_size=6, random_state=0).fit(X[:60], y[:60])
    expected = strategy.query(X[60:])
    strategy.set_params(n_jobs=2, chunk_size=7)
    np.testing.assert_array_equal(strategy.query(X[60:]), expected)


# ------------------------------------------ scikit-learn ensembles as committees
def _ensemble_data():
    X, y = make_classification(
        n_samples=200, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    return X[:60], np.array(["a", "b", "c"])[y[:60]], X[60:]


def test_a_forest_is_the_committee_of_its_trees():
    from sklearn.ensemble import RandomForestClassifier

    X, y, pool = _ensemble_data()
    strategy = QueryByCommittee(
        RandomForestClassifier(n_estimators=9, random_state=0),
        method="vote_entropy",
        batch_size=5,
        random_state=0,
    ).fit(X, y)
    forest = strategy.estimator_.ensemble_
    trees = np.stack([t.predict_proba(pool) for t in forest.estimators_], axis=1)
    expected = measures.vote_entropy(trees)
    np.testing.assert_allclose(strategy.utility(pool), expected)
    np.testing.assert_allclose(
        strategy.estimator_.predict_proba_samples(pool).mean(axis=1),
        forest.predict_proba(pool),
    )
    assert list(strategy.classes_) == ["a", "b", "c"]


def test_bagging_members_see_their_features_and_miss_classes():
    from sklearn.ensemble import BaggingClassifier
    from sklearn.neighbors import KNeighborsClassifier

    X, y, pool = _ensemble_data()
    bagging = BaggingClassifier(
        KNeighborsClassifier(n_neighbors=1),  # no sample_weight: true subsets
        n_estimators=8,
        max_samples=3,  # so some members miss a class
        max_features=0.5,
        random_state=0,
    )
    committee = EnsembleCommittee(bagging).fit(X, y)
    samples = committee.predict_proba_samples(pool)
    fitted = committee.ensemble_
    assert any(len(m.classes_) < 3 for m in fitted.estimators_)
    for m, (member, features) in enumerate(
        zip(fitted.estimators_, fitted.estimators_features_)
    ):
        expected = np.zeros((len(pool), 3))
        expected[:, member.classes_] = member.predict_proba(pool[:, features])
        np.testing.assert_allclose(samples[:, m], expected)
    np.testing.assert_allclose(samples.mean(axis=1), fitted.predict_proba(pool))


def test_soft_voting_is_a_committee_and_hard_voting_says_why_not():
    from sklearn.ensemble import VotingClassifier
    from sklearn.naive_bayes import GaussianNB

    X, y, pool = _ensemble_data()
    members = [("lr", LogisticRegression(max_iter=500)), ("nb", GaussianNB())]
    soft = BALD(VotingClassifier(members, voting="soft"), batch_size=3).fit(X, y)
    samples = soft.estimator_.predict_proba_samples(pool)
    assert samples.shape == (len(pool), 2, 3)
    np.testing.assert_allclose(samples.mean(axis=1), soft.predict_proba(pool))
    assert soft.query(pool).shape == (3,)
    with pytest.raises(ValueError, match='voting="soft"'):
        BALD(VotingClassifier(members, voting="hard")).fit(X, y)


def test_a_member_missing_classes_is_named_not_a_broadcast_error():
    # Issue 19, item 5: a member without classes_ that predicts fewer classes
    # than the committee failed with "could not broadcast input array".
    class TwoColumns(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            return self

        def predict_proba(self, X):
            return np.full((len(X), 2), 0.5)

    X = np.arange(30.0).reshape(-1, 1)
    y = np.arange(30) % 3
    committee = Committee(estimators=[LogisticRegression(), TwoColumns()])
    strategy = QueryByCommittee(committee, batch_size=3).fit(X, y)
    with pytest.raises(ValueError, match=r"member TwoColumns returned predict_proba"):
        strategy.query(X)
