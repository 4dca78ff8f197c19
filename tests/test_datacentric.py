"""Data-centric tools (issue 18, part B): suspicious labels, query by example,
out-of-distribution scores, each against a brute-force reference."""

import csv
import itertools
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_digits, load_iris, make_blobs
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skactive import ActiveLearner, MarginSampling, QueryByExample
from skactive.cli import main
from skactive.datacentric import (
    DistanceToLabelled,
    confident_joint,
    find_label_issues,
    label_issues_from_proba,
    label_quality,
)
from skactive.measures import margin
from skactive.neighbors._refined import NeighborIndex
from skactive.utils._selection import draw_salt, tie_keys


def _random_proba(n, k, seed):
    rng = np.random.RandomState(seed)
    logits = rng.normal(scale=2.0, size=(n, k))
    proba = np.exp(logits)
    return proba / proba.sum(axis=1, keepdims=True)


# ======================================================== confident learning
def test_confident_joint_by_hand():
    # t = mean probability of class j over the samples labelled j:
    # t0 = (.7 + .5 + .1) / 3 = 13/30, t1 = (.6 + .4) / 2 = .5,
    # t2 = (.8 + .3) / 2 = .55.
    y = np.array([0, 0, 0, 1, 1, 2, 2])
    proba = np.array(
        [
            [0.7, 0.2, 0.1],  # 0 confident only                 -> C[0, 0]
            [0.5, 0.45, 0.05],  # 0 confident (.5 >= .433)        -> C[0, 0]
            [0.1, 0.3, 0.6],  # 2 confident                      -> C[0, 2]
            [0.2, 0.6, 0.2],  # 1 confident                      -> C[1, 1]
            [0.44, 0.4, 0.16],  # 0 confident (.44 >= .433), 1 not -> C[1, 0]
            [0.1, 0.1, 0.8],  # 2                                -> C[2, 2]
            [0.35, 0.35, 0.3],  # none reaches its threshold      -> not counted
        ]
    )
    expected = np.array([[2, 0, 1], [1, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(confident_joint(y, proba), expected)
    # string labels, and classes given in another order of columns
    names = np.array(["a", "b", "c"])[y]
    np.testing.assert_array_equal(confident_joint(names, proba), expected)


def test_several_confident_classes_count_for_the_most_probable_of_them():
    # t = [(.40 + .98) / 2, .3, (.3 + .2) / 2] = [.69, .3, .25]. Row 0
    # reaches the thresholds of classes 1 and 2 but not that of class 0, its
    # most probable class: it counts for class 1, the most probable of the
    # confident ones (the paper's Eq. 1), not for class 0.
    y = np.array([0, 0, 1, 1, 2, 2])
    proba = np.array(
        [
            [0.40, 0.33, 0.27],
            [0.98, 0.01, 0.01],
            [0.10, 0.30, 0.60],  # 1 and 2 confident: 2
            [0.10, 0.30, 0.60],
            [0.10, 0.60, 0.30],  # 1 and 2 confident: 1
            [0.10, 0.70, 0.20],  # 1 only
        ]
    )
    expected = np.array([[1, 1, 0], [0, 0, 2], [0, 2, 0]])
    np.testing.assert_array_equal(confident_joint(y, proba), expected)


def _brute_confident_joint(y, proba):
    """The paper's loop, sample by sample."""
    k = proba.shape[1]
    t = np.array([proba[y == j, j].mean() for j in range(k)])
    C = np.zeros((k, k), dtype=int)
    for i in range(y.shape[0]):
        confident = [j for j in range(k) if proba[i, j] >= t[j]]
        if confident:
            C[y[i], max(confident, key=lambda j: proba[i, j])] += 1
    return C, t


@pytest.mark.parametrize("seed", range(5))
def test_confident_joint_against_the_loop(seed):
    rng = np.random.RandomState(seed)
    proba = _random_proba(300, 4, seed)
    y = rng.randint(0, 4, size=300)
    C, t = _brute_confident_joint(y, proba)
    np.testing.assert_array_equal(confident_joint(y, proba), C)
    issues = label_issues_from_proba(y, proba, method="confident_learning")
    np.testing.assert_allclose(issues.thresholds, t)
    np.testing.assert_array_equal(issues.confident_joint, C)
    # calibration: rows rescaled to the label counts
    counts = np.bincount(y, minlength=4)
    np.testing.assert_allclose(
        issues.estimated_joint, C / C.sum(axis=1, keepdims=True) * counts[:, None]
    )
    np.testing.assert_allclose(issues.estimated_joint.sum(axis=1), counts)


def _brute_flags(y, proba, method):
    """Flags of the paper's pruning methods, from the brute-force joint."""
    n, k = proba.shape
    C, t = _brute_confident_joint(y, proba)
    counts = np.bincount(y, minlength=k)
    Q = C / C.sum(axis=1, keepdims=True) * counts[:, None]
    prune = np.zeros((k, k), dtype=int)
    for i in range(k):  # largest remainders, row totals kept
        floor = np.floor(Q[i])
        extra = round(float(Q[i].sum() - floor.sum()))
        order = sorted(range(k), key=lambda j: (-(Q[i, j] - floor[j]), j))
        prune[i] = floor
        for j in order[:extra]:
            prune[i, j] += 1
        prune[i, i] = 0
        while prune[i].sum() > counts[i] - 1:
            prune[i, np.argmax(prune[i])] -= 1
    flags = set()
    if method == "confident_learning":
        for x in range(n):
            confident = [j for j in range(k) if proba[x, j] >= t[j]]
            if confident and max(confident, key=lambda j: proba[x, j]) != y[x]:
                flags.add(x)
    by_rate, by_class = set(), set()
    for i in range(k):
        members = [x for x in range(n) if y[x] == i]
        for j in range(k):
            ranked = sorted(members, key=lambda x: (-(proba[x, j] - proba[x, i]), x))
            by_rate |= set(ranked[: prune[i, j]])
        ranked = sorted(members, key=lambda x: (proba[x, i], x))
        by_class |= set(ranked[: prune[i].sum()])
    flags = {
        "prune_by_noise_rate": by_rate,
        "prune_by_class": by_class,
        "both": by_rate & by_class,
        "confident_learning": flags,
    }[method]
    return {x for x in flags if proba[x, y[x]] < proba[x].max()}


@pytest.mark.parametrize(
    "method", ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning"]
)
@pytest.mark.parametrize("seed", range(3))
def test_pruning_against_brute_force(method, seed):
    rng = np.random.RandomState(seed)
    proba = _random_proba(200, 3, seed)
    y = rng.randint(0, 3, size=200)
    issues = label_issues_from_proba(y, proba, method=method)
    assert set(issues.indices.tolist()) == _brute_flags(y, proba, method)
    assert set(np.flatnonzero(issues.is_issue)) == set(issues.indices)


def test_predicted_neq_given_and_ranking():
    proba = _random_proba(100, 3, 0)
    y = np.random.RandomState(1).randint(0, 3, size=100)
    issues = label_issues_from_proba(y, proba, method="predicted_neq_given")
    assert set(issues.indices) == set(np.flatnonzero(proba.argmax(axis=1) != y))
    quality = proba[np.arange(100), y]
    # ranked by self-confidence, lowest first, ties by row
    assert np.all(np.diff(issues.scores) >= 0)
    np.testing.assert_array_equal(issues.scores, quality[issues.indices])
    np.testing.assert_array_equal(issues.labels, y[issues.indices])
    np.testing.assert_array_equal(
        issues.suggested_labels, proba[issues.indices].argmax(axis=1)
    )


def test_label_quality_by_hand():
    y = np.array([0, 2])
    proba = np.array([[0.5, 0.3, 0.2], [0.6, 0.1, 0.3]])
    classes = [0, 1, 2]  # class 1 has no sample
    np.testing.assert_allclose(label_quality(y, proba, classes=classes), [0.5, 0.3])
    # (p[y] - max other + 1) / 2: (0.5 - 0.3 + 1) / 2, (0.3 - 0.6 + 1) / 2
    np.testing.assert_allclose(
        label_quality(y, proba, classes=classes, rank_by="normalized_margin"),
        [0.6, 0.35],
    )


def test_n_gives_the_lowest_label_quality_whatever_the_flags():
    proba = _random_proba(50, 3, 2)
    y = np.random.RandomState(3).randint(0, 3, size=50)
    quality = label_quality(y, proba, rank_by="normalized_margin")
    issues = label_issues_from_proba(y, proba, rank_by="normalized_margin", n=7)
    np.testing.assert_array_equal(
        issues.indices, np.argsort(quality, kind="stable")[:7]
    )
    assert len(issues) == 7
    assert label_issues_from_proba(y, proba, n=0).indices.shape == (0,)


def test_a_label_the_model_finds_most_probable_is_never_flagged():
    y = np.array([0, 0, 1, 1, 1])
    proba = np.array([[0.9, 0.1], [0.51, 0.49], [0.2, 0.8], [0.1, 0.9], [0.3, 0.7]])
    for method in ("prune_by_noise_rate", "prune_by_class", "confident_learning"):
        assert label_issues_from_proba(y, proba, method=method).indices.size == 0


def test_find_label_issues_is_out_of_fold_and_finds_flipped_labels():
    X, y = load_digits(return_X_y=True)
    X = X[:600] / 16
    y = y[:600].copy()
    rng = np.random.RandomState(0)
    flipped = rng.choice(600, 30, replace=False)
    y[flipped] = (y[flipped] + rng.randint(1, 10, size=30)) % 10
    model = LogisticRegression(max_iter=1000)
    issues = find_label_issues(model, X, y, random_state=0)
    # the probabilities are those of cross_val_predict with the same folds
    seed = np.random.RandomState(0).randint(np.iinfo(np.int32).max)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    expected = cross_val_predict(model, X, y, cv=folds, method="predict_proba")
    np.testing.assert_allclose(issues.pred_proba, expected)
    found = np.intersect1d(issues.indices, flipped).size
    assert found / len(issues) >= 0.75 and found / 30 >= 0.6  # 20 of 25
    top = find_label_issues(model, X, y, n=30, random_state=0)
    assert np.intersect1d(top.indices, flipped).size >= 27  # 29 of 30
    assert "suspicious of 600 labels" in repr(issues)
    frame = pytest.importorskip("pandas") and issues.to_frame()
    assert list(frame.columns) == ["index", "label", "suggested_label", "score"]


def test_against_cleanlab():
    cleanlab = pytest.importorskip("cleanlab.filter")
    from cleanlab.count import compute_confident_joint

    X, y = load_digits(return_X_y=True)
    rng = np.random.RandomState(0)
    y = y.copy()
    flip = rng.rand(y.shape[0]) < 0.15
    y[flip] = (y[flip] + rng.randint(1, 10, size=flip.sum())) % 10
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    proba = cross_val_predict(
        LogisticRegression(max_iter=1000), X / 16, y, cv=folds, method="predict_proba"
    )
    np.testing.assert_array_equal(
        confident_joint(y, proba), compute_confident_joint(y, proba, calibrate=False)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in ("prune_by_noise_rate", "prune_by_class", "both"):
            theirs = set(
                np.flatnonzero(cleanlab.find_label_issues(y, proba, filter_by=method))
            )
            ours = set(
                label_issues_from_proba(y, proba, method=method).indices.tolist()
            )
            assert len(ours & theirs) / len(ours | theirs) > 0.95, method


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"method": "prune"}, ValueError, "method must be one of"),
        ({"rank_by": "margin"}, ValueError, "rank_by must be one of"),
        ({"n": -1}, ValueError, "n must be >= 0"),
        ({"n": 1.5}, TypeError, "n must be"),
        ({"classes": [0, 1]}, ValueError, "3 columns, but there are 2 classes"),
        ({"classes": [0, 1, 5]}, ValueError, "label 2, which is not among classes"),
    ],
)
def test_label_issues_errors(kwargs, error, match):
    y = np.array([0, 1, 2, 2])
    with pytest.raises(error, match=match):
        label_issues_from_proba(y, _random_proba(4, 3, 0), **kwargs)


def test_find_label_issues_errors():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(TypeError, match="predict_proba"):
        find_label_issues(SVC(), X, y)
    with pytest.raises(TypeError, match="must be a classifier"):
        find_label_issues(GaussianMixture(), X, y)
    with pytest.raises(ValueError, match="only one class"):
        find_label_issues(LogisticRegression(), X[:10], y[:10])
    with pytest.raises(ValueError, match="cv must be >= 2"):
        find_label_issues(LogisticRegression(), X, y, cv=1)
    with pytest.raises(ValueError, match="rows for"):
        label_issues_from_proba(y, _random_proba(10, 3, 0))
    with pytest.raises(ValueError, match="probabilities"):
        label_issues_from_proba([0, 1], [[2.0, -1.0], [0.5, 0.5]])


# ======================================================== neighbour search
@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_neighbor_index_against_brute_force(metric):
    rng = np.random.RandomState(0)
    R, Q = rng.normal(size=(80, 4)), rng.normal(size=(9, 4))
    if metric == "cosine":
        unit = lambda Z: Z / np.linalg.norm(Z, axis=1, keepdims=True)  # noqa: E731
        D = 1 - unit(Q) @ unit(R).T
        D_self = 1 - unit(R) @ unit(R).T
    else:
        D = np.linalg.norm(Q[:, None] - R[None], axis=2)
        D_self = np.linalg.norm(R[:, None] - R[None], axis=2)
    index = NeighborIndex(R, metric=metric)
    distances, indices = index.kneighbors(Q, 5)
    np.testing.assert_array_equal(indices, np.argsort(D, axis=1)[:, :5])
    np.testing.assert_allclose(distances, np.sort(D, axis=1)[:, :5], atol=1e-12)
    np.fill_diagonal(D_self, np.inf)
    distances, indices = index.kneighbors(None, 3)
    np.testing.assert_array_equal(indices, np.argsort(D_self, axis=1)[:, :3])


def test_neighbor_index_leave_one_out_with_duplicates():
    R = np.array([[0.0], [0.0], [0.0], [5.0]])
    distances, indices = NeighborIndex(R).kneighbors(None, 2)
    for row in range(3):
        assert row not in indices[row]
    np.testing.assert_array_equal(distances[:3], 0.0)
    np.testing.assert_array_equal(distances[3], [5.0, 5.0])


# ======================================================== query by example
def _brute_query_by_example(Z, Ze, k, salt, candidates, utilities=None, m=0):
    """Round robin over each example's candidates sorted by (distance, tie key)."""
    rankings = []
    for e in Ze:
        d = np.sqrt(((Z[candidates] - e) ** 2).sum(axis=1))
        keys = tie_keys(candidates, salt)
        order = list(np.lexsort((keys, d)))
        if utilities is not None:
            head = sorted(order[:m], key=lambda p: (-utilities[p], d[p], keys[p]))
            order = head + order[m:]
        rankings.append(order)
    picked, out = set(), []
    while len(out) < k:
        for ranking in rankings:
            if len(out) == k:
                break
            p = next(p for p in ranking if p not in picked)
            picked.add(p)
            out.append(int(candidates[p]))
    return out


@pytest.mark.parametrize("batch_size", [1, 5, 12])
def test_query_by_example_against_brute_force(batch_size):
    X, y = make_blobs(n_samples=300, centers=4, n_features=3, random_state=0)
    examples = X[[3, 50, 77]] + 0.1
    candidates = np.arange(40, 300)
    strategy = QueryByExample(
        LogisticRegression(), examples=examples, batch_size=batch_size, random_state=0
    ).fit(X[:40], y[:40])
    got = strategy.query(X, candidates=candidates)
    salt = draw_salt(np.random.RandomState(0))
    expected = _brute_query_by_example(X, examples, batch_size, salt, candidates)
    assert got.tolist() == expected


def test_query_by_example_ordered_by_uncertainty_against_brute_force():
    X, y = make_blobs(n_samples=300, centers=3, n_features=2, cluster_std=3.0,
                      random_state=1)  # fmt: skip
    examples = X[[0, 1]]
    candidates = np.arange(30, 300)
    model = LogisticRegression().fit(X[:30], y[:30])
    strategy = QueryByExample(
        LogisticRegression(), examples=examples, uncertainty="margin",
        n_neighbors=8, batch_size=6, random_state=3,
    ).fit(X[:30], y[:30])  # fmt: skip
    got = strategy.query(X, candidates=candidates)
    salt = draw_salt(np.random.RandomState(3))
    u = margin(model.predict_proba(X[candidates]))
    expected = _brute_query_by_example(X, examples, 6, salt, candidates, u, 8)
    assert got.tolist() == expected


def test_every_example_gets_a_share_of_the_batch():
    # 50 candidates right next to example 0, a few near example 1: example 0
    # alone would take the whole batch, in turns it takes half.
    rng = np.random.RandomState(0)
    near0 = rng.normal(scale=0.01, size=(50, 2))
    near1 = 10 + rng.normal(scale=1.0, size=(10, 2))
    X = np.vstack([[[-5, -5], [15, 15]], near0, near1])
    y = np.array([0, 1] + [0] * 50 + [1] * 10)
    strategy = QueryByExample(
        examples=np.array([[0.0, 0.0], [10.0, 10.0]]), batch_size=8, random_state=0
    ).fit(X[:2], y[:2])
    picks = strategy.query(X, candidates=np.arange(2, 62))
    assert (picks < 52).sum() == 4 and (picks >= 52).sum() == 4
    assert picks[0] < 52 and picks[1] >= 52  # in turns
    # more examples than the batch: the first ones get one candidate each
    strategy.set_params(examples=np.array([[10.0, 10.0], [0.0, 0.0], [0.0, 0.0]]))
    assert strategy.query(X, batch_size=2, candidates=np.arange(2, 62))[0] >= 52


def test_query_by_example_in_a_pipeline_embedding():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3)) * [1.0, 100.0, 0.01]
    y = (X[:, 0] > 0).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    strategy = QueryByExample(model, examples=X[:2], batch_size=4, random_state=0)
    strategy.fit(X[:20], y[:20])
    scaler = strategy.estimator_[0]
    salt = draw_salt(np.random.RandomState(0))
    candidates = np.arange(20, 200)
    expected = _brute_query_by_example(
        scaler.transform(X), scaler.transform(X[:2]), 4, salt, candidates
    )
    assert strategy.query(X, candidates=candidates).tolist() == expected


def test_query_by_example_serves_regression():
    X, _ = make_blobs(n_samples=100, centers=2, random_state=0)
    target = X[:, 0] * 2.0
    strategy = QueryByExample(LinearRegression(), examples=X[:1], batch_size=3)
    idx = strategy.fit(X[:10], target[:10]).query(X, candidates=np.arange(10, 100))
    d = np.linalg.norm(X[10:] - X[0], axis=1)
    assert sorted(idx.tolist()) == sorted((10 + np.argsort(d)[:3]).tolist())
    with pytest.raises(TypeError, match="predict_proba"):
        QueryByExample(LinearRegression(), examples=X[:1], uncertainty="margin").fit(
            X[:10], target[:10]
        )


def test_query_by_example_errors():
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=1000)
    with pytest.raises(ValueError, match="examples is required"):
        QueryByExample(model, batch_size=2).fit(X, y)
    strategy = QueryByExample(model, examples=X[:2, :3], batch_size=2).fit(X, y)
    with pytest.raises(ValueError, match="examples: X has 3 features"):
        strategy.query(X)
    strategy.set_params(examples=np.empty((0, 4)))
    with pytest.raises(ValueError, match="examples"):
        strategy.query(X)
    with pytest.raises(ValueError, match="n_neighbors must be >= 1"):
        QueryByExample(examples=X[:2], n_neighbors=0, batch_size=2).fit(X, y)
    with pytest.raises(ValueError, match="metric must be one of"):
        QueryByExample(examples=X[:2], metric="l1", batch_size=2).fit(X, y)
    with pytest.raises(TypeError, match="uncertainty must be"):
        QueryByExample(examples=X[:2], uncertainty=3, batch_size=2).fit(X, y)


# ======================================================== out of distribution
def _kth(reference, queries, k, metric="euclidean", leave_one_out=False):
    if metric == "cosine":
        unit = lambda Z: Z / np.linalg.norm(Z, axis=1, keepdims=True)  # noqa: E731
        D = 1 - unit(queries) @ unit(reference).T
    else:
        D = np.linalg.norm(queries[:, None] - reference[None], axis=2)
    if leave_one_out:
        np.fill_diagonal(D, np.inf)
    return np.sort(D, axis=1)[:, k - 1]


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize("k", [1, 4])
def test_distance_to_labelled_against_brute_force(metric, k):
    rng = np.random.RandomState(0)
    X_lab, X = rng.normal(size=(60, 3)), rng.normal(size=(40, 3)) * 2
    detector = DistanceToLabelled(
        n_neighbors=k, metric=metric, quantile=0.9, chunk_size=7
    ).fit(X_lab)
    distances = _kth(X_lab, X, k, metric)
    np.testing.assert_allclose(-detector.score_samples(X), distances, atol=1e-12)
    loo = _kth(X_lab, X_lab, k, metric, leave_one_out=True)
    np.testing.assert_allclose(detector.labelled_distances_, loo, atol=1e-12)
    assert detector.threshold_ == pytest.approx(np.quantile(loo, 0.9))
    decision = detector.decision_function(X)
    np.testing.assert_allclose(decision, detector.threshold_ - distances, atol=1e-12)
    np.testing.assert_array_equal(
        detector.predict(X), np.where(distances <= detector.threshold_, 1, -1)
    )
    candidates = np.arange(5, 40, 2)
    inside = candidates[distances[candidates] <= detector.threshold_]
    np.testing.assert_array_equal(detector.filter_candidates(X, candidates), inside)
    np.testing.assert_array_equal(
        detector.filter_candidates(X, candidates, keep="outliers"),
        np.setdiff1d(candidates, inside),
    )


def test_distance_to_labelled_in_a_frozen_model_embedding():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(100, 2)) * [1.0, 1000.0]
    y = (X[:, 0] > 0).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    detector = DistanceToLabelled(FrozenEstimator(model), n_neighbors=2).fit(X[:50])
    Z = model[0].transform(X)
    np.testing.assert_allclose(
        -detector.score_samples(X[50:]), _kth(Z[:50], Z[50:], 2), atol=1e-12
    )
    # an unfitted estimator is fitted on (X, y)
    fitted = DistanceToLabelled(make_pipeline(StandardScaler(), LogisticRegression()))
    assert fitted.fit(X[:50], y[:50]).embedding_.std(axis=0) == pytest.approx(1.0)


def test_drift_report_against_scipy():
    rng = np.random.RandomState(0)
    X_lab = rng.normal(size=(200, 2))
    same = rng.normal(size=(500, 2))
    shifted = np.vstack([rng.normal(size=(400, 2)), rng.normal(size=(100, 2)) + 6])
    detector = DistanceToLabelled(n_neighbors=3).fit(X_lab)
    report = detector.drift_report(shifted)
    distances = _kth(X_lab, shifted, 3)
    loo = detector.labelled_distances_
    assert report.fraction_beyond == pytest.approx(
        np.mean(distances > report.threshold)
    )
    assert report.expected_fraction == pytest.approx(np.mean(loo > report.threshold))
    assert report.median_distance == pytest.approx(np.median(distances))
    # split-half: the distances to the labelled samples at even positions,
    # of the samples against those of the labelled samples at odd positions
    to_half = _kth(X_lab[::2], shifted, 3)
    others = _kth(X_lab[::2], X_lab[1::2], 3)
    test = stats.ks_2samp(to_half, others, alternative="less")
    assert report.ks_statistic == pytest.approx(test.statistic)
    assert report.ks_pvalue == pytest.approx(test.pvalue)
    assert report.fraction_beyond > 0.2 and report.ks_pvalue < 0.01
    calm = detector.drift_report(same)
    assert calm.fraction_beyond < 0.12 and calm.ks_pvalue > 0.01
    assert "beyond the labelled 95% quantile" in repr(calm)
    assert detector.drift_report(shifted, candidates=np.arange(400)).n_samples == 400


def test_the_drift_test_is_calibrated_without_drift():
    # labelled set and pool drawn alike: p-values about uniform (a test on
    # the leave-one-out distances rejected about half the time on digits)
    X, _ = load_digits(return_X_y=True)
    pvalues = []
    for seed in range(40):
        order = np.random.RandomState(seed).permutation(X.shape[0])
        detector = DistanceToLabelled().fit(X[order[:200]])
        pvalues.append(detector.drift_report(X[order[200:]]).ks_pvalue)
    assert np.mean(np.array(pvalues) < 0.05) <= 0.125
    assert 0.3 < np.median(pvalues) < 0.8


def test_a_held_out_class_ranks_first():
    X, y = load_digits(return_X_y=True)
    rng = np.random.RandomState(0)
    seen = np.flatnonzero(y != 3)
    labelled = rng.choice(seen, 200, replace=False)
    pool = np.setdiff1d(np.arange(y.shape[0]), labelled)
    detector = DistanceToLabelled(n_neighbors=5).fit(X[labelled])
    auc = roc_auc_score(y[pool] == 3, -detector.score_samples(X[pool]))
    assert auc > 0.85


def test_distance_to_labelled_errors():
    X = np.random.RandomState(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match="at least 2 labelled samples, got 1 sample"):
        DistanceToLabelled().fit(X[:1])
    with pytest.raises(ValueError, match="needs an estimator"):
        DistanceToLabelled(embedding="transform").fit(X)
    with pytest.raises(ValueError, match="quantile must be finite and in"):
        DistanceToLabelled(quantile=0.0).fit(X)
    with pytest.raises(ValueError, match="metric must be one of"):
        DistanceToLabelled(metric="l1").fit(X)
    detector = DistanceToLabelled(n_neighbors=50).fit(X)
    assert detector.n_neighbors_ == 9
    with pytest.raises(ValueError, match='keep must be "inliers" or "outliers"'):
        detector.filter_candidates(X, keep="in")
    with pytest.raises(ValueError, match="X has 3 features"):
        detector.score_samples(np.ones((2, 3)))
    with pytest.raises(ValueError, match="the same map"):
        DistanceToLabelled(
            embedding=lambda Z: np.asarray(Z)[:, : 1 + (len(Z) == 10)]
        ).fit(X).score_samples(X[:3])


def test_texts_through_a_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = np.array(
        ["a good film", "a great film", "good acting", "great fun", "dull plot",
         "awful film", "dull and awful", "a dull film", "tax forms", "tax law"]
    )  # fmt: skip
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    model = make_pipeline(TfidfVectorizer(), LogisticRegression())
    fitted = model.fit(texts[:8], labels[:8])
    vectors = fitted[0].transform(texts).toarray()
    detector = DistanceToLabelled(FrozenEstimator(fitted)).fit(texts[:8])
    np.testing.assert_allclose(
        -detector.score_samples(texts[8:]), _kth(vectors[:8], vectors[8:], 1)
    )
    strategy = QueryByExample(model, examples=["awful, dull"], batch_size=1)
    strategy.fit(texts[2:6], labels[2:6])
    # "dull and awful" is at distance 0 in the TF-IDF space, the others at 1
    # or more
    assert strategy.query(texts, candidates=range(6, 10)).tolist() == [6]


# ======================================================== sessions
def test_session_query_among_candidates():
    X, y = load_iris(return_X_y=True)
    learner = ActiveLearner(MarginSampling(batch_size=5), X, random_state=0)
    learner.teach([0, 50, 100], y[[0, 50, 100]])
    candidates = np.arange(0, 150, 2)
    idx = learner.query(candidates=candidates)
    assert set(idx) <= set(candidates) - {0, 50, 100}
    expected = learner.strategy_.query(
        X, candidates=np.setdiff1d(candidates, [0, 50, 100])
    )
    np.testing.assert_array_equal(idx, expected)
    mask = np.zeros(150, dtype=bool)
    mask[[0, 7]] = True
    assert learner.query(batch_size=1, candidates=mask).tolist() == [7]
    with pytest.raises(ValueError, match="no unlabelled row"):
        learner.query(candidates=[0, 50])
    fresh = ActiveLearner(MarginSampling(batch_size=3), X, random_state=0)
    assert set(fresh.query(candidates=[4, 5, 6, 7])) <= {4, 5, 6, 7}


def test_session_suspicious_labels_feed_relabel():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    rows = np.arange(0, 1000, 2)
    labels = y[rows].copy()
    wrong = rows[::25]
    labels[::25] = (labels[::25] + 1) % 10
    strategy = MarginSampling(LogisticRegression(max_iter=1000), batch_size=10)
    learner = ActiveLearner(strategy, X, random_state=0)
    learner.teach(rows, labels)
    issues = learner.suspicious_labels(n=len(wrong))
    # the same as find_label_issues on the labelled rows, in pool rows
    direct = find_label_issues(
        LogisticRegression(max_iter=1000), X[rows], labels, n=len(wrong),
        random_state=0,
    )  # fmt: skip
    np.testing.assert_array_equal(issues.indices, rows[direct.indices])
    assert np.intersect1d(issues.indices, wrong).size >= 0.8 * len(wrong)
    learner.teach(issues.indices, y[issues.indices], relabel=True)
    assert learner.history_["relabel"][-1]
    fixed = np.isin(wrong, issues.indices)
    current = dict(zip(learner.labelled_indices.tolist(), learner.labels.tolist()))
    assert all(current[r] == y[r] for r in wrong[fixed])
    with pytest.raises(ValueError, match="at least 2 classes"):
        ActiveLearner(MarginSampling(), X, random_state=0).suspicious_labels()


# ======================================================== command line
@pytest.fixture()
def iris_session(tmp_path):
    X, y = load_iris(return_X_y=True)
    pool = tmp_path / "pool.csv"
    with pool.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["flower", "a", "b", "c", "d"])
        writer.writerows([f"f{i}", *x] for i, x in enumerate(X))
    session = tmp_path / "s.json"
    common = ["--pool", str(pool), "--session", str(session)]
    assert main(["query", *common, "--id-column", "flower", "--strategy",
                 "margin", "--output", str(tmp_path / "q.csv")]) == 0  # fmt: skip
    names = np.array(["setosa", "versicolor", "virginica"])
    rows = np.arange(0, 150, 3)
    labels = names[y[rows]]
    labels[[5, 30]] = ["virginica", "setosa"]  # rows 15 and 90
    path = tmp_path / "labels.csv"
    path.write_text("row,label\n" + "".join(f"{r},{v}\n" for r, v in zip(rows, labels)))
    assert main(["teach", *common, "--labels", str(path)]) == 0
    return tmp_path, common, X, names[y]


def _read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_cli_suspicious_then_relabel(iris_session, capsys):
    tmp_path, common, _, truth = iris_session
    out = tmp_path / "suspicious.csv"
    assert main(["suspicious", *common, "--output", str(out)]) == 0
    assert "look wrong" in capsys.readouterr().out
    rows = _read(out)
    assert [r["row"] for r in rows[:2]] == ["15", "90"]
    assert (
        rows[0]["given_label"] == "virginica" and rows[0]["suggested_label"] == "setosa"
    )
    assert rows[0]["id"] == "f15" and rows[0]["label"] == "virginica"
    assert float(rows[0]["score"]) <= float(rows[1]["score"])
    # the person corrects the two wrong labels; the others stay as they are
    for r in rows:
        r["label"] = truth[int(r["row"])]
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["teach", *common, "--labels", str(out), "--relabel"]) == 0
    assert "taught 0 new and 2 changed labels" in capsys.readouterr().out
    assert main(["suspicious", *common, "--output", str(out), "--n", "3"]) == 0
    assert len(_read(out)) == 3
    assert main(["suspicious", *common, "--cv", "60"]) == 2
    assert "no class has 60 labels" in capsys.readouterr().err


def test_cli_query_by_example(iris_session, capsys):
    tmp_path, common, X, _ = iris_session
    out = tmp_path / "to_label.csv"
    by_row = tmp_path / "examples.csv"
    by_row.write_text("row\n70\n130\n")
    assert (
        main(["query", *common, "--examples", str(by_row), "--output", str(out)]) == 0
    )
    assert "neighbours of the 2 examples" in capsys.readouterr().out
    picked = [int(r["row"]) for r in _read(out)]
    assert len(picked) == 10 and not set(picked) & set(range(0, 150, 3))
    assert picked[:2] == [70, 130]  # unlabelled examples are their own nearest
    by_features = tmp_path / "features.csv"
    by_features.write_text("a,b,c,d\n" + ",".join(map(str, X[70])) + "\n")
    assert main(["query", *common, "--examples", str(by_features), "--output",
                 str(out)]) == 0  # fmt: skip
    assert _read(out)[0]["row"] == "70"
    bad = tmp_path / "bad.csv"
    bad.write_text("row\n700\n")
    assert main(["query", *common, "--examples", str(bad)]) == 2
    assert "row numbers must be in [0, 149]" in capsys.readouterr().err
    bad.write_text("a,b,c\n1,2,3\n")
    assert main(["query", *common, "--examples", str(bad)]) == 2
    assert "missing 'd'" in capsys.readouterr().err


def test_cli_query_by_example_needs_two_classes(tmp_path, capsys):
    pool = tmp_path / "pool.csv"
    pool.write_text("a,b\n" + "".join(f"{i},{i % 7}\n" for i in range(30)))
    common = ["--pool", str(pool), "--session", str(tmp_path / "s.json")]
    examples = tmp_path / "ex.csv"
    examples.write_text("row\n3\n")
    assert main(["query", *common, "--examples", str(examples)]) == 2
    assert "needs 2" in capsys.readouterr().err
    assert main(["suspicious", *common]) == 2
    assert "needs 2" in capsys.readouterr().err


def test_pairs_are_flagged_symmetrically():
    # two classes swapped in equal numbers: each direction is found
    rng = np.random.RandomState(0)
    X, y = make_blobs(n_samples=400, centers=[[0, 0], [6, 0]], random_state=0)
    noisy = y.copy()
    for a, b in itertools.permutations([0, 1]):
        noisy[rng.choice(np.flatnonzero(y == a), 10, replace=False)] = b
    y = noisy
    issues = find_label_issues(LogisticRegression(), X, y, random_state=0)
    assert {0, 1} == set(np.unique(issues.labels))
