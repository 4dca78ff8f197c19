"""The active learning loop: sessions, simulation, comparison, the classifier."""

import json
import os
import pickle
import signal
import stat
import subprocess
import sys
import textwrap
import time
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skactive import (
    ActiveLearner,
    ActiveLearningClassifier,
    BatchSizeWarning,
    EntropySampling,
    MarginSampling,
    RandomSampling,
    compare,
    simulate,
)
from skactive.exceptions import PoolMismatchError, SessionFileError
from skactive.loop import (
    MaxConfidence,
    NoisyOracle,
    StabilizingPredictions,
    read_session,
)
from skactive.loop._core import initial_draw
from skactive.loop._persist import _writer_id
from skactive.metrics import alc_scorer

LR = LogisticRegression(max_iter=500)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_classification(
        n_samples=300,
        n_features=5,
        n_informative=3,
        n_classes=3,
        n_clusters_per_class=1,
        random_state=0,
    )
    return X, y


_SEEN_QUERIES = []


class _SpyMargin(MarginSampling):
    """Records the pool and the candidate rows each query is asked about."""

    def query(self, X_pool, batch_size=None, *, candidates=None, **kwargs):
        _SEEN_QUERIES.append((X_pool, candidates))
        return super().query(X_pool, batch_size, candidates=candidates, **kwargs)


# ---------------------------------------------------------------- session
def test_query_returns_unlabelled_global_indices(blobs):
    X, y = blobs
    learner = ActiveLearner(_SpyMargin(LR, batch_size=7), X, random_state=0)
    learner.teach(np.arange(20), y[:20])
    for _ in range(4):
        _SEEN_QUERIES.clear()
        idx = learner.query()
        ((pool, candidates),) = _SEEN_QUERIES
        assert pool is X  # the pool itself, not a copy of its unlabelled rows
        np.testing.assert_array_equal(candidates, learner.unlabelled_indices)
        assert idx.shape == (7,) and len(np.unique(idx)) == 7
        assert not learner.labelled_mask[idx].any()
        assert idx.min() >= 0 and idx.max() < len(X)
        learner.teach(idx, y[idx])
    assert learner.n_labelled == 48
    np.testing.assert_array_equal(learner.labels, y[learner.labelled_indices])


def test_single_class_falls_back_to_random_until_two_classes(blobs):
    X, y = blobs
    learner = ActiveLearner(MarginSampling(LR, batch_size=5), X, random_state=0)
    zeros = np.flatnonzero(y == 0)[:3]
    learner.teach(zeros, y[zeros])
    assert not learner.is_fitted
    assert "random queries" in repr(learner)
    idx = learner.query()
    assert idx.shape == (5,) and not learner.labelled_mask[idx].any()
    # Reproducible from the seed and the number of rounds.
    np.testing.assert_array_equal(idx, learner.query())
    with pytest.raises(ValueError, match="at least 2 classes"):
        learner.predict(X)
    ones = np.flatnonzero(y == 1)[:1]
    learner.teach(ones, y[ones])
    assert learner.is_fitted
    assert learner.strategy_.classes_.tolist() == [0, 1]
    assert learner.query().shape == (5,)


def test_query_before_any_label_and_when_pool_is_exhausted():
    X = np.arange(12.0).reshape(6, 2)
    learner = ActiveLearner(MarginSampling(batch_size=2), X, random_state=1)
    assert learner.query().shape == (2,)
    with pytest.warns(BatchSizeWarning):
        assert sorted(learner.query(10)) == list(range(6))
    learner.teach(np.arange(6), [0, 1, 0, 1, 0, 1])
    with pytest.raises(ValueError, match="nothing left to query"):
        learner.query()


def test_reteach_is_an_error_and_relabel_is_explicit(blobs):
    X, _ = blobs
    learner = ActiveLearner(MarginSampling(LR), X)
    learner.teach([0, 1, 2], ["a", "b", "a"])
    with pytest.raises(ValueError, match=r"already labelled.*relabel=True"):
        learner.teach([5, 1], ["a", "a"])
    assert learner.n_labelled == 3 and learner.n_rounds == 1  # nothing recorded
    learner.teach([5, 1], ["a", "longer_label"], relabel=True)
    assert learner.labelled_indices.tolist() == [0, 1, 2, 5]
    assert learner.labels.tolist() == ["a", "longer_label", "a", "a"]
    assert learner.history_["relabel"].tolist() == [False, True]


@pytest.mark.parametrize(
    "indices, labels, error, match",
    [
        ([0, 0], [1, 2], ValueError, "duplicates"),
        ([300], [1], ValueError, r"in \[0, 300\)"),
        ([-1], [1], ValueError, r"in \[0, 300\)"),
        ([0.5], [1], TypeError, "integer"),
        ([0, 1], [1], ValueError, "one label per index"),
        ([0], [0.5], ValueError, "not class labels"),
        ([0, 1], ["a", 1], TypeError, "strings or all be numbers"),
    ],
)
def test_teach_validates(blobs, indices, labels, error, match):
    X, _ = blobs
    learner = ActiveLearner(MarginSampling(LR), X)
    with pytest.raises(error, match=match):
        learner.teach(indices, np.array(labels, dtype=object))


def test_labels_of_another_kind_are_rejected(blobs):
    X, _ = blobs
    learner = ActiveLearner(MarginSampling(LR), X)
    learner.teach([0, 1], ["cat", "dog"])
    with pytest.raises(TypeError, match="same kind"):
        learner.teach([2], [3])


def test_string_labels_and_a_class_first_seen_late(blobs):
    X, y = blobs
    names = np.array(["ant", "bee", "cicada"])[y]
    learner = ActiveLearner(MarginSampling(LR, batch_size=10), X, random_state=0)
    first = np.flatnonzero(y != 2)[:10]
    learner.teach(first, names[first])
    assert learner.strategy_.classes_.tolist() == ["ant", "bee"]
    late = np.flatnonzero(y == 2)[:2]
    learner.teach(late, names[late])
    assert learner.strategy_.classes_.tolist() == ["ant", "bee", "cicada"]
    assert set(learner.predict(X)) <= {"ant", "bee", "cicada"}
    assert learner.classes.tolist() == ["ant", "bee", "cicada"]


def test_refit_false_fits_lazily(blobs):
    X, y = blobs
    learner = ActiveLearner(MarginSampling(LR, batch_size=3), X, refit=False)
    learner.teach(np.arange(10), y[:10])
    assert not learner.is_fitted
    assert "refitted at the next query" in repr(learner)
    learner.query()
    assert learner.is_fitted


def test_warm_start_refits_the_same_model(blobs):
    X, y = blobs
    strategy = MarginSampling(
        LogisticRegression(max_iter=500, warm_start=True), warm_start=True
    )
    learner = ActiveLearner(strategy, X)
    learner.teach(np.arange(10), y[:10])
    model = learner.strategy_.estimator_
    learner.teach(np.arange(10, 20), y[10:20])
    assert learner.strategy_.estimator_ is model
    assert strategy.__dict__.get("estimator_") is None  # the user's is unfitted


def test_pseudo_labels_train_the_model_not_the_record(blobs):
    X, y = blobs
    learner = ActiveLearner(
        MarginSampling(LR, batch_size=5), X, pseudo_label_threshold=0.9
    )
    learner.teach(np.arange(30), y[:30])
    pseudo = learner.pseudo_indices
    assert pseudo.size > 0
    assert not learner.labelled_mask[pseudo].any()
    assert learner.n_labelled == 30
    assert np.mean(learner.pseudo_labels == y[pseudo]) > 0.8
    assert "pseudo-labels" in repr(learner)
    idx = learner.query()
    assert not learner.labelled_mask[idx].any()


def _peak_bytes(fn):
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_session_reads_its_pool_in_place():
    """query and the stopping criteria read the unlabelled rows in chunks.

    A copy of the unlabelled rows would take X.nbytes (8 MB); the session
    adds to the strategy's own pass over the same candidate rows only its
    index of unlabelled rows (8 bytes a row, plus a mask).
    """
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50_000, 20))
    y = (X[:, 0] + 0.5 * rng.normal(size=50_000) > 0).astype(int)
    strategy = MarginSampling(LR, batch_size=10, chunk_size=2_000, random_state=0)
    learner = ActiveLearner(strategy, X)
    labelled = rng.choice(50_000, size=200, replace=False)
    with threadpool_limits(1):
        learner.teach(labelled, y[labelled])
        unlabelled = learner.unlabelled_indices
        fitted = learner.strategy_
        fitted.query(X, candidates=unlabelled)  # warm up
        engine = _peak_bytes(lambda: fitted.query(X, candidates=unlabelled))
        session = _peak_bytes(learner.query)
        stopping = _peak_bytes(
            lambda: MaxConfidence(0.9).should_stop(fitted, X, unlabelled, {})
        )
    assert session <= engine + 10 * X.shape[0] + 2**16
    assert max(session, stopping) < X.nbytes / 4


def test_run_with_an_oracle_and_history(blobs):
    X, y = blobs
    learner = ActiveLearner(MarginSampling(LR, batch_size=4), X, random_state=0)
    learner.teach(np.arange(6), y[:6])
    learner.run(NoisyOracle(y), budget=10)
    assert learner.n_labelled == 16
    history = learner.history_
    assert history["n_labels"].tolist() == [6, 10, 14, 16]
    assert {len(v) for v in history.values()} == {4}
    assert [len(i) for i in history["indices"]] == [6, 4, 4, 2]
    assert np.all(np.diff(history["time"]) >= 0)


def test_repr_is_informative(blobs):
    X, y = blobs
    learner = ActiveLearner(MarginSampling(LR), X, autosave=None)
    learner.teach(np.arange(30), y[:30])
    text = repr(learner)
    assert "MarginSampling" in text and "300 samples" in text
    assert "30 (10.0%) in 1 rounds, 3 classes" in text and "fitted" in text


def test_bad_session_parameters():
    X = np.zeros((5, 2))
    with pytest.raises(TypeError, match="strategy"):
        ActiveLearner(LogisticRegression(), X)

    class OldStyle(MarginSampling):
        def query(self, X_pool, batch_size=None):
            return super().query(X_pool, batch_size)

    with pytest.raises(TypeError, match="must take candidates="):
        ActiveLearner(OldStyle(), X)
    with pytest.raises(ValueError, match="X_pool is empty"):
        ActiveLearner(MarginSampling(), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="pseudo_label_threshold"):
        ActiveLearner(MarginSampling(), X, pseudo_label_threshold=1.5)


# ---------------------------------------------------------------- persistence
def test_save_load_round_trip_without_pickle(blobs, tmp_path, monkeypatch):
    X, y = blobs
    names = np.array(["ant", "bee", "cicada"])[y]
    learner = ActiveLearner(MarginSampling(LR, batch_size=5), X, random_state=3)
    learner.teach(np.arange(12), names[:12])
    idx = learner.query()
    learner.teach(idx, names[idx])
    learner.teach([idx[0]], ["ant"], relabel=True)
    path = tmp_path / "session.json"
    learner.save(path)
    state = json.loads(path.read_text())  # plain JSON
    assert state["labels"]["values"][:3] == names[:3].tolist()

    def no_unpickling(*args, **kwargs):
        raise AssertionError("loading a session must not unpickle")

    monkeypatch.setattr(pickle, "load", no_unpickling)
    monkeypatch.setattr(pickle, "loads", no_unpickling)
    monkeypatch.setattr(joblib, "load", no_unpickling)
    loaded = ActiveLearner.load(path, X, MarginSampling(LR, batch_size=5))
    np.testing.assert_array_equal(loaded.labelled_indices, learner.labelled_indices)
    np.testing.assert_array_equal(loaded.labels, learner.labels)
    assert loaded.labels.dtype.kind == "U"
    for key, values in learner.history_.items():
        for a, b in zip(values, loaded.history_[key]):
            np.testing.assert_array_equal(a, b)
    assert loaded.is_fitted  # refitted from the labels
    np.testing.assert_array_equal(loaded.predict(X), learner.predict(X))
    np.testing.assert_array_equal(loaded.query(), learner.query())


def test_load_checks_the_pool(blobs, tmp_path):
    X, y = blobs
    learner = ActiveLearner(MarginSampling(LR), X)
    learner.teach(np.arange(10), y[:10])
    path = tmp_path / "s.json"
    learner.save(path)
    other = X.copy()
    other[5, 0] += 1e-9
    with pytest.raises(PoolMismatchError, match="differs from the pool"):
        ActiveLearner.load(path, other, MarginSampling(LR))
    assert issubclass(PoolMismatchError, ValueError)
    assert ActiveLearner.load(path, other, MarginSampling(LR), check_pool=False)
    with pytest.raises(ValueError, match="299 samples"):
        ActiveLearner.load(path, X[:-1], MarginSampling(LR), check_pool=False)
    with pytest.raises(TypeError, match="strategy is required"):
        ActiveLearner.load(path, X)
    with pytest.warns(UserWarning, match="saved with a"):
        ActiveLearner.load(path, X, EntropySampling(LR))
    # Same values in another memory layout: same pool.
    assert ActiveLearner.load(path, np.asfortranarray(X), MarginSampling(LR))
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(SessionFileError, match="not a valid session file: not JSON"):
        ActiveLearner.load(tmp_path / "bad.json", X, MarginSampling(LR))


def _edit(state, path, value):
    """``state`` with the field at ``path`` (keys and indices) set to ``value``."""
    state = json.loads(json.dumps(state))
    obj = state
    for key in path[:-1]:
        obj = obj[key]
    if value is KeyError:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value
    return state


@pytest.mark.parametrize(
    "path, value, match",
    [
        (("version",), "1", "version: must be an integer, got a string"),
        (("version",), 99, "newer skactive"),
        (("pool",), KeyError, "pool: missing"),
        (("pool", "n_samples"), 300.0, "pool.n_samples: must be an integer"),
        (("settings", "refit"), "yes", "settings.refit: must be a boolean"),
        (("settings", "random_state"), True, "random_state: must be an integer"),
        (("settings", "random_state"), -1, r"random_state: must be in \[0, "),
        (("indices",), [0, "1"], "integer row indices"),
        (("indices",), [0, 1, 1], "duplicates"),
        (("indices",), [0, 1, 300], r"in \[0, 300\)"),
        (("labels", "values"), ["a", "b"], "2 labels for 3 indices"),
        (("labels", "values"), [[0], 1, 2], "must hold strings"),
        (("labels", "dtype"), "<M8[s]", "not a label dtype"),
        (("labels", "dtype"), "no such dtype", "not a NumPy dtype"),
        (("labels", "dtype"), "<i8", "must hold integers"),
        (("history", 0, "relabel"), 0, r"history\[0\].relabel: must be a boolean"),
        (("history", 0, "indices"), [0, -1, 2], r"in \[0, 300\)"),
        (("model",), {"file": "../x", "sha256": "", "fitted": True}, "file name"),
    ],
)
def test_malformed_or_hostile_session_files_are_value_errors(
    blobs, tmp_path, path, value, match
):
    X, _ = blobs
    learner = ActiveLearner(MarginSampling(LR), X, refit=False)
    learner.teach([0, 1, 2], ["a", "b", "a"])
    good = tmp_path / "good.json"
    learner.save(good)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_edit(json.loads(good.read_text()), path, value)))
    with pytest.raises(SessionFileError, match=match) as info:
        ActiveLearner.load(bad, X, MarginSampling(LR))
    assert isinstance(info.value, ValueError) and info.value.path == str(bad)
    # A label dtype asking for a huge string width is not followed.
    wide = _edit(json.loads(good.read_text()), ("labels", "dtype"), "<U99999999")
    bad.write_text(json.dumps(wide))
    loaded = ActiveLearner.load(bad, X, MarginSampling(LR))
    assert loaded.labels.dtype == np.dtype("<U1")


def test_a_version_1_session_file_still_loads(blobs, tmp_path):
    X, y = blobs
    learner = ActiveLearner(MarginSampling(LR), X, refit=False)
    learner.teach([0, 1, 2], y[:3])
    learner.teach([3], y[3:4])
    path = tmp_path / "s.json"
    learner.save(path)
    state = json.loads(path.read_text())
    assert state["version"] == 2
    state["version"] = 1  # its rounds said "n_labelled"
    for entry in state["history"]:
        entry["n_labelled"] = entry.pop("n_labels")
    path.write_text(json.dumps(state))
    loaded = ActiveLearner.load(path, X, MarginSampling(LR))
    assert loaded.history_["n_labels"].tolist() == [3, 4]


def test_pickled_model_is_opt_in_and_checked(blobs, tmp_path):
    X, y = blobs
    learner = ActiveLearner(MarginSampling(LR), X)
    learner.teach(np.arange(10), y[:10])
    path = tmp_path / "s.json"
    learner.save(path, include_model=True)
    loaded = ActiveLearner.load(path, X, load_model=True)
    assert loaded.is_fitted
    np.testing.assert_allclose(loaded.predict_proba(X), learner.predict_proba(X))
    model_file = tmp_path / "s.json.model.joblib"
    model_file.write_bytes(model_file.read_bytes() + b"tampered")
    with pytest.raises(ValueError, match="SHA-256"):
        ActiveLearner.load(path, X, load_model=True)
    learner.save(path)  # no model this time
    with pytest.raises(ValueError, match="no saved model"):
        ActiveLearner.load(path, X, load_model=True)


def test_autosave_after_every_teach_and_resume(blobs, tmp_path):
    X, y = blobs
    path = tmp_path / "auto.json"
    learner = ActiveLearner(MarginSampling(LR), X, autosave=path)
    learner.teach(np.arange(5), y[:5])
    assert len(json.loads(path.read_text())["indices"]) == 5
    learner.teach([7, 8], y[[7, 8]])
    assert len(json.loads(path.read_text())["indices"]) == 7
    resumed = ActiveLearner.load(path, X, MarginSampling(LR))
    assert resumed.autosave == str(path)
    resumed.teach([9], y[[9]])
    assert len(json.loads(path.read_text())["indices"]) == 8
    assert (
        ActiveLearner.load(path, X, MarginSampling(LR), autosave=False).autosave is None
    )


def test_a_failed_save_keeps_the_last_good_file(blobs, tmp_path, monkeypatch):
    X, y = blobs
    path = tmp_path / "s.json"
    learner = ActiveLearner(MarginSampling(LR), X, refit=False)
    learner.teach(np.arange(5), y[:5])
    learner.save(path)
    good = path.read_bytes()
    learner.teach([10], y[[10]])

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        learner.save(path)
    assert path.read_bytes() == good
    # no temporary file left (the lock file stays: see test_session_files.py)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json", "s.json.lock"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_save_never_replaces_a_device_or_a_pipe(blobs, tmp_path):
    X, _ = blobs
    learner = ActiveLearner(MarginSampling(LR), X, refit=False)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # as /dev/null: the rename would replace it
    with pytest.raises(ValueError, match="not a regular file"):
        learner.save(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temp left


def test_a_save_removes_temporaries_of_killed_writers(blobs, tmp_path):
    X, y = blobs
    path = tmp_path / "s.json"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its process id is free now (and unlikely to be reused)
    host = _writer_id().split("-")[0]
    stale = tmp_path / f".s.json.{host}-{dead.pid}.0123456789ab.tmp"
    alive = tmp_path / f".s.json.{host}-{os.getppid()}.0123456789ab.tmp"  # in use
    remote = tmp_path / f".s.json.00000000-{dead.pid}.0123456789ab.tmp"  # a host's
    other = tmp_path / f".t.json.{host}-{dead.pid}.0123456789ab.tmp"  # a file's
    for tmp in (stale, alive, remote, other):
        tmp.write_bytes(b"partial")
    learner = ActiveLearner(MarginSampling(LR), X, refit=False)
    learner.teach(np.arange(5), y[:5])
    learner.save(path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(
        ["s.json", "s.json.lock", alive.name, remote.name, other.name]
    )


_WORKER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from skactive import ActiveLearner, RandomSampling

    path, start = sys.argv[1], int(sys.argv[2])
    X = np.arange(6000.0).reshape(3000, 2)
    if start:
        learner = ActiveLearner.load(path, X, RandomSampling())
    else:
        learner = ActiveLearner(RandomSampling(), X, refit=False, autosave=path)
    for i in range(learner.n_labelled, 3000):
        learner.teach(i, "class_%d" % (i % 3))
        print(i, flush=True)
    """
)


def _run_and_kill(script, path, start, n_lines, delay):
    proc = subprocess.Popen(
        [sys.executable, str(script), str(path), str(start)],
        stdout=subprocess.PIPE,
        text=True,
    )
    last = None
    try:
        for _ in range(n_lines):
            line = proc.stdout.readline()
            assert line, "the worker stopped early"
            last = int(line)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:  # pragma: no cover - only if the test failed
            proc.kill()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return last


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_while_teaching_loses_no_saved_label(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    path = tmp_path / "session.json"
    X = np.arange(6000.0).reshape(3000, 2)
    start = 0
    for delay in (0.0, 0.013, 0.029):
        last = _run_and_kill(script, path, start, 60, delay)
        json.loads(path.read_text())  # a complete, valid file
        learner = ActiveLearner.load(path, X, RandomSampling())
        n = learner.n_labelled
        # Every label whose save completed (its index printed) is there; at
        # most the saves after the last print completed too.
        assert n >= last + 1
        np.testing.assert_array_equal(learner.labelled_indices, np.arange(n))
        assert learner.labels.tolist() == [f"class_{i % 3}" for i in range(n)]
        assert learner.n_rounds == n
        start = 1  # resume from the file and kill again
    learner.save(path)  # the killed writers' temporary files are removed
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "session.json",
        "session.json.lock",
        "worker.py",
    ]


# ---------------------------------------------------------------- simulate
def test_initial_draw_is_stratified_with_two_classes():
    y = np.array([0] * 90 + [1] * 8 + [2] * 2)
    idx = initial_draw(y, 10, 0)
    assert len(np.unique(idx)) == 10
    assert np.bincount(y[idx]).tolist() == [8, 1, 1]
    for seed in range(5):
        small = initial_draw(y, 2, seed)
        assert len(np.unique(y[small])) == 2
    with pytest.raises(ValueError, match="only one class"):
        initial_draw(np.zeros(5), 3, 0)


def test_simulate_records_a_learning_curve(blobs):
    X, y = blobs
    result = simulate(
        MarginSampling(LR),
        X,
        y,
        initial_size=9,
        batch_size=6,
        budget=20,
        scoring=["neg_log_loss"],
        random_state=0,
    )
    history = result.history
    assert history["n_labels"].tolist() == [9, 15, 21, 27, 29]
    assert {len(v) for v in history.values()} == {5}
    assert history["f1_per_class"].shape == (5, 3)
    np.testing.assert_allclose(
        history["f1_per_class"].mean(axis=1), history["f1_macro"]
    )
    assert np.all(history["neg_log_loss"] < 0)
    assert result.termination_condition == "budget"
    assert len(np.unique(result.indices)) == 29
    assert not np.isin(result.indices, result.test_indices).any()
    np.testing.assert_array_equal(result.labels, y[result.indices])
    assert len(np.unique(y[result.indices[:9]])) == 3  # stratified start
    again = simulate(
        MarginSampling(LR),
        X,
        y,
        initial_size=9,
        batch_size=6,
        budget=20,
        scoring=["neg_log_loss"],
        random_state=0,
    )
    np.testing.assert_array_equal(again.indices, result.indices)
    assert "MarginSampling" in repr(result)
    frame = result.to_frame()
    assert {"accuracy", "f1_macro", "f1[0]", "f1[2]"} <= set(frame.columns)


def test_simulate_with_a_test_set_and_options(blobs):
    X, y = blobs
    result = simulate(
        MarginSampling(LR),
        X[:200],
        y[:200],
        X[200:],
        y[200:],
        initial_size=10,
        batch_size=10,
        budget=30,
        warm_start=True,
        pool_subsample=50,
        random_state=1,
    )
    assert result.test_indices is None
    assert result.strategy.warm_start is True
    assert result.strategy.pool_subsample == 50
    assert result.history["n_labels"][-1] == 40


def test_noisy_oracle_flips_about_the_rate(blobs):
    X, y = blobs
    X = np.vstack([X] * 4)
    y = np.concatenate([y] * 4)
    result = simulate(
        RandomSampling(LR),
        X,
        y,
        initial_size=20,
        batch_size=300,
        budget=880,
        noise_rate=0.2,
        random_state=0,
    )
    assert result.labels.shape == (900,)
    wrong = result.labels != result.true_labels
    np.testing.assert_array_equal(result.true_labels, y[result.indices])
    assert abs(wrong.mean() - 0.2) < 0.04
    assert result.history["n_noisy_labels"][-1] == wrong.sum()
    assert set(np.unique(result.labels)) <= set(np.unique(y))


def test_noisy_oracle_flips_to_another_class():
    y = np.repeat(["a", "b", "c"], 1000)
    oracle = NoisyOracle(y, noise_rate=0.3, random_state=0)
    answers = oracle(np.arange(3000))
    flipped = answers != y
    np.testing.assert_array_equal(flipped, oracle.flipped)
    assert abs(flipped.mean() - 0.3) < 0.03
    # Uniform among the other classes.
    counts = {c: np.sum(answers[flipped & (y == "a")] == c) for c in "bc"}
    assert abs(counts["b"] - counts["c"]) < 0.2 * sum(counts.values())
    with pytest.raises(ValueError, match="noise_rate"):
        NoisyOracle(y, noise_rate=1.5)


def test_stopping_criteria_stop_early(blobs):
    X, y = blobs
    stop = simulate(
        MarginSampling(LR),
        X,
        y,
        initial_size=10,
        batch_size=5,
        budget=100,
        stopping=MaxConfidence(threshold=0.05),
        random_state=0,
    )
    assert stop.termination_condition == "stopping_criterion"
    assert stop.history["n_labels"].tolist() == [10]
    stable = simulate(
        MarginSampling(LR),
        X,
        y,
        initial_size=10,
        batch_size=5,
        budget=100,
        stopping=StabilizingPredictions(window=2, threshold=0.9),
        random_state=0,
    )
    assert stable.termination_condition == "stopping_criterion"
    assert 3 <= len(stable.history["n_labels"]) < 21


def test_simulate_validates(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="initial_size"):
        simulate(MarginSampling(), X, y, initial_size=1)
    with pytest.raises(ValueError, match="budget"):
        simulate(MarginSampling(), X, y, budget=-1)
    with pytest.raises(ValueError, match="together"):
        simulate(MarginSampling(), X, y, X_test=X)
    with pytest.raises(TypeError, match="query strategy"):
        simulate(LogisticRegression(), X, y)


# ---------------------------------------------------------------- compare
@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def test_margin_beats_random_on_digits(digits):
    X, y = digits
    est = LogisticRegression(max_iter=200)
    with threadpool_limits(1):
        result = compare(
            {"random": RandomSampling(est), "margin": MarginSampling(est)},
            X,
            y,
            n_repeats=5,
            random_state=0,
            initial_size=20,
            batch_size=10,
            budget=60,
        )
    areas = result.area_under_curve()
    assert areas["margin"].shape == (5,)
    assert areas["margin"].mean() > areas["random"].mean() + 0.01
    gain = result.active_gain()
    assert np.all(gain["random"] == 0)
    np.testing.assert_allclose(gain["margin"], areas["margin"] - areas["random"])
    summary = result.summary(target=0.85)
    assert summary["strategy"].tolist() == ["random", "margin"]
    assert summary["gain_mean"][1] > 0
    reach = result.labels_to_reach(0.85)
    assert reach["margin"].shape == (5,)
    assert "gain over baseline  (balanced accuracy)" in repr(result)
    balanced = result.active_gain(metric="balanced_accuracy")["margin"].mean()
    assert f"{balanced:+.3f}" in repr(result).splitlines()[-1]


def test_compare_results_do_not_depend_on_n_jobs(blobs):
    X, y = blobs
    params = dict(
        n_repeats=2,
        random_state=0,
        initial_size=6,
        batch_size=6,
        budget=12,
    )
    strategies = [RandomSampling(LR), MarginSampling(LR)]
    serial = compare(strategies, X, y, n_jobs=1, **params)
    parallel = compare(strategies, X, y, n_jobs=2, **params)
    assert serial.names == ["RandomSampling", "MarginSampling"]
    for name in serial.names:
        for a, b in zip(serial.results[name], parallel.results[name]):
            np.testing.assert_array_equal(a.indices, b.indices)
            np.testing.assert_array_equal(a.history["accuracy"], b.history["accuracy"])
    frame = serial.to_frame()
    assert len(frame) == 2 * 2 * 3
    assert {"strategy", "repeat", "seed", "n_labels", "accuracy"} <= set(frame)


def test_compare_validates(blobs):
    X, y = blobs
    with pytest.raises(TypeError, match="unknown simulate parameters"):
        compare({"m": MarginSampling()}, X, y, bugdet=10)
    with pytest.raises(TypeError, match="dict of name"):
        compare(MarginSampling(), X, y)
    with pytest.raises(ValueError, match="two strategies are named"):
        compare([MarginSampling(), MarginSampling()], X, y)


def test_plots(blobs):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skactive.plotting import ActiveLearningCurveDisplay

    X, y = blobs
    result = compare(
        {"random": RandomSampling(LR), "margin": MarginSampling(LR)},
        X,
        y,
        n_repeats=2,
        random_state=0,
        initial_size=6,
        batch_size=6,
        budget=12,
    )
    display = result.plot(metric="f1_macro", spread="minmax", show_repeats=True)
    assert isinstance(display, ActiveLearningCurveDisplay)
    assert set(display.lines_) == {"random", "margin"}
    assert set(display.fill_between_) == {"random", "margin"}
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_ylabel() == "F1 macro"
    np.testing.assert_allclose(
        display.lines_["margin"].get_ydata(),
        np.mean([r.history["f1_macro"] for r in result.results["margin"]], axis=0),
    )
    _, ax = plt.subplots()
    single = result.results["margin"][0].plot(ax=ax)
    assert single.ax_ is ax and not single.fill_between_
    runs = ActiveLearningCurveDisplay.from_results({"m": result.results["margin"]})
    assert list(runs.lines_) == ["m"] and list(runs.fill_between_) == ["m"]
    with pytest.raises(ValueError, match="spread"):
        display.plot(spread="iqr")
    plt.close("all")


# ---------------------------------------------------------------- classifier
def test_grid_search_over_three_strategies():
    X, y = load_iris(return_X_y=True)
    est = LogisticRegression(max_iter=300)
    search = GridSearchCV(
        ActiveLearningClassifier(
            initial_size=6, budget=12, batch_size=3, random_state=0
        ),
        {"strategy": [RandomSampling(est), MarginSampling(est), EntropySampling(est)]},
        scoring={"alc": alc_scorer, "accuracy": "accuracy"},
        refit="alc",
        cv=3,
    ).fit(X, y)
    assert type(search.best_params_["strategy"]).__name__ in {
        "RandomSampling",
        "MarginSampling",
        "EntropySampling",
    }
    scores = search.cv_results_["mean_test_alc"]
    assert scores.shape == (3,) and np.all((scores > 0.3) & (scores <= 1))
    assert search.best_estimator_.history_["n_labels"].tolist() == [
        6,
        9,
        12,
        15,
        18,
    ]


def test_nested_parameters_and_cross_val_score():
    X, y = load_iris(return_X_y=True)
    clf = ActiveLearningClassifier(
        MarginSampling(make_pipeline(StandardScaler(), LogisticRegression())),
        initial_size=6,
        budget=6,
        batch_size=3,
        random_state=0,
    )
    clf.set_params(strategy__estimator__logisticregression__C=0.5)
    scores = cross_val_score(clf, X, y, cv=3, scoring=alc_scorer)
    assert scores.shape == (3,) and np.all(scores > 0.5)
    pipe = make_pipeline(
        StandardScaler(),
        ActiveLearningClassifier(
            initial_size=6, budget=6, batch_size=3, random_state=0
        ),
    )
    assert 0 < alc_scorer(pipe.fit(X, y), X, y) <= 1


def test_classifier_attributes_and_unseen_classes():
    X, y = load_iris(return_X_y=True)
    clf = ActiveLearningClassifier(
        RandomSampling(LR), initial_size=2, budget=0, random_state=0
    ).fit(X, y)
    assert clf.n_iter_ == 0 and clf.termination_condition_ == "budget"
    assert len(clf.strategy_.classes_) == 2
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    missing = np.setdiff1d(clf.classes_, clf.strategy_.classes_)
    assert np.all(proba[:, missing] == 0)
    clf.set_params(budget=None, batch_size=50, initial_size=10).fit(X, y)
    assert clf.termination_condition_ == "all_labelled"
    assert clf.history_["n_labels"].tolist() == [10, 60, 110, 150]
    assert np.isnan(clf.history_["pool_accuracy"][-1])
    assert sorted(clf.labelled_indices_) == list(range(150))


def test_classifier_warm_start_keeps_every_round():
    X, y = load_iris(return_X_y=True)
    strategy = MarginSampling(
        LogisticRegression(max_iter=300, warm_start=True), warm_start=True
    )
    clf = ActiveLearningClassifier(
        strategy, initial_size=6, budget=6, batch_size=3, random_state=0
    ).fit(X, y)
    assert len({id(e) for e in clf.estimators_}) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.learning_curve(X, y)


def test_each_round_draws_fresh_random_numbers():
    """An int random_state must not repeat the same draw every round.

    With a fixed seed per query, random sampling would take the same
    positions of the shrinking unlabelled pool each round: consecutive rows,
    a biased baseline on data sorted by class.
    """
    from skactive import ActiveLearner, RandomSampling

    X = np.arange(400, dtype=float).reshape(-1, 1)
    y = np.repeat([0, 1], 200)  # sorted by class
    learner = ActiveLearner(RandomSampling(batch_size=1, random_state=0), X)
    learner.teach([0, 399], [0, 1])
    picks = []
    for _ in range(30):
        (i,) = learner.query()
        learner.teach([i], [y[i]])
        picks.append(i)
    assert np.unique(np.diff(picks)).size > 5  # not one repeated step
    assert 5 < (np.array(picks) >= 200).sum() < 25  # both halves sampled
    # and still reproducible
    again = ActiveLearner(RandomSampling(batch_size=1, random_state=0), X)
    again.teach([0, 399], [0, 1])
    (first,) = again.query()
    assert first == picks[0]


def test_learner_score_is_the_models_accuracy():
    from sklearn.datasets import load_iris
    from sklearn.metrics import accuracy_score

    X, y = load_iris(return_X_y=True)
    learner = ActiveLearner(MarginSampling(batch_size=5, random_state=0), X[::2])
    learner.teach(np.arange(0, 75, 5), y[::2][::5])
    expected = accuracy_score(y[1::2], learner.predict(X[1::2]))
    assert learner.score(X[1::2], y[1::2]) == pytest.approx(expected)


def test_declared_classes_reject_a_typo_and_are_saved(tmp_path):
    from sklearn.datasets import load_iris

    X, _ = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])
    learner = ActiveLearner(
        MarginSampling(batch_size=3, random_state=0), X, classes=list(names)
    )
    learner.teach([0, 50], ["setosa", "versicolor"])
    with pytest.raises(ValueError, match=r"\['setossa'\] are not in the declared"):
        learner.teach([1], ["setossa"])
    assert learner.n_labelled == 2  # nothing of the failed call was kept
    np.testing.assert_array_equal(learner.classes, names)
    assert learner.class_counts() == {"setosa": 1, "versicolor": 1, "virginica": 0}
    assert "'virginica': 0" in repr(learner)
    path = tmp_path / "session.json"
    learner.save(path)
    resumed = ActiveLearner.load(path, X, MarginSampling(batch_size=3))
    np.testing.assert_array_equal(resumed.classes, names)
    content = read_session(path)  # the same summary, without the pool
    np.testing.assert_array_equal(content.classes, names)
    assert content.class_counts() == learner.class_counts()
    with pytest.raises(ValueError, match="not in the declared"):
        resumed.teach([1], ["setossa"])
    with pytest.raises(ValueError, match="at least 2 distinct labels"):
        ActiveLearner(MarginSampling(), X, classes=["a", "a"])


def test_without_declared_classes_any_label_is_a_class(tmp_path):
    from sklearn.datasets import load_iris

    X, _ = load_iris(return_X_y=True)
    learner = ActiveLearner(MarginSampling(), X)
    learner.teach([0, 1], ["cat", "dog"])
    np.testing.assert_array_equal(learner.classes, ["cat", "dog"])
    path = tmp_path / "session.json"
    learner.save(path)
    assert read_session(path).class_counts() == {"cat": 1, "dog": 1}


def test_simulate_from_given_initial_rows():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    rows = np.array([0, 1, 50, 51, 100, 101])
    result = simulate(
        MarginSampling(batch_size=5), X, y, initial_size=rows, budget=10,
        random_state=0,
    )  # fmt: skip
    assert result.history["n_labels"][0] == 6
    np.testing.assert_array_equal(np.sort(result.indices[:6]), rows)
    assert not set(rows) & set(result.test_indices)  # kept out of the test set
    X_test, y_test = X[1::7], y[1::7]
    given = simulate(
        MarginSampling(batch_size=5), X, y, X_test, y_test,
        initial_size=[3, 60], budget=5, random_state=0,
    )  # fmt: skip
    np.testing.assert_array_equal(np.sort(given.indices[:2]), [3, 60])
    with pytest.raises(ValueError, match="distinct indices in"):
        simulate(MarginSampling(), X, y, initial_size=[0, 0])


class _ClassesUpfront(ClassifierMixin, BaseEstimator):
    """A model that needs every class at construction (as a network's output)."""

    def __init__(self, classes=None):
        self.classes = classes

    def fit(self, X, y):
        self.classes_ = np.unique(y if self.classes is None else self.classes)
        self.prior_ = np.array([np.mean(y == c) for c in self.classes_])
        self.n_features_in_ = np.shape(X)[1]
        return self

    def predict_proba(self, X):
        noise = np.abs(np.sin(np.asarray(X)[:, :1] * np.arange(1, 4)))
        proba = self.prior_ + 0.01 * noise[:, : len(self.classes_)]
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def test_simulate_hands_every_class_to_a_model_that_takes_them():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    result = simulate(
        MarginSampling(_ClassesUpfront(), batch_size=2), X, y,
        initial_size=[0, 50], budget=0, random_state=0,
    )  # fmt: skip
    assert result.history["n_labels"][-1] == 2  # the labels miss class 2
    assert list(result.strategy.estimator_.classes_) == [0, 1, 2]
