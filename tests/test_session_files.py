"""Session files that cannot lose or corrupt work (issue 19).

Two writers on one session (real processes), all-or-nothing ``teach``, the
pool checked before a session starts, session files parsed defensively
(a schema, one error type, bounded memory, a fuzz test), symbolic links.
The command line's side is in ``test_cli_sessions.py``.
"""

import contextlib
import errno
import io
import json
import os
import signal
import stat
import sys
import time
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skactive import ActiveLearner, MarginSampling, RandomSampling
from skactive.exceptions import (
    InvalidPoolError,
    SessionConflictError,
    SessionFileError,
    SessionLockedError,
)
from skactive.loop import read_session, session_lock
from skactive.loop._persist import MAX_LABEL_LENGTH, parse_session
from skactive.loop._pool_check import is_network

LR = LogisticRegression(max_iter=200)
X_SMALL = np.arange(80.0).reshape(40, 2)

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def _label(row: int) -> str:
    return f"c{row % 3}"


def _new_session(path, X=X_SMALL, strategy=None, **kwargs):
    """A saved, autosaving session on ``X`` with no label yet."""
    strategy = RandomSampling() if strategy is None else strategy
    learner = ActiveLearner(
        strategy, X, refit=False, autosave=path, validate_pool=False, **kwargs
    )
    learner.save()
    return learner


# ------------------------------------------------------------ processes
def _child(func, *args) -> int:
    """Run ``func(*args)`` in a forked process; its exit status says whether
    it returned (0) or raised (1). Never returns in the child.

    The children fit no model, or a logistic regression: no OpenMP, which
    is not fork-safe (tests/conftest.py keeps BLAS on one thread).
    """
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            func(*args)
        status = 0
    except BaseException as exc:  # reported on stderr, as a status
        print(f"child {os.getpid()}: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        os._exit(status)


def _wait(pid: int) -> int:
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _acknowledged(read_fd: int) -> list[int]:
    """Rows a child reported as taught (``teach`` returned), one line each."""
    with os.fdopen(read_fd, "rb") as f:
        return [int(row) for line in f.read().decode().split() for row in [line]]


def _python_teacher(path, batches, barrier, ack_fd):
    learner = ActiveLearner.load(path, X_SMALL, RandomSampling())
    barrier()  # both loaded the same file; they teach together
    for rows in batches:
        learner.teach(rows, [_label(r) for r in rows])
        os.write(ack_fd, "".join(f"{r}\n" for r in rows).encode())  # acknowledged
    # Every label saved by either process is known here after the last save.
    assert set(learner.labelled_indices.tolist()) >= {r for b in batches for r in b}


def run_concurrent_trials(tmp_path, n_trials: int, teacher, make_session, batches):
    """``n_trials`` races of two processes teaching ``batches[0]`` and
    ``batches[1]``; returns (labels acknowledged, labels lost, failures)."""
    acknowledged = lost = failures = 0
    for trial in range(n_trials):
        path = tmp_path / f"race{trial}.json"
        make_session(path)
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()

        def barrier(ready_w=ready_w, go_r=go_r):
            os.write(ready_w, b"1")
            os.read(go_r, 1)

        children = []
        for side in (0, 1):
            ack_r, ack_w = os.pipe()
            pid = _child(teacher, path, batches[side], barrier, ack_w)
            os.close(ack_w)
            children.append((pid, ack_r))
        for _ in children:  # a child that failed before the barrier: EOF
            os.read(ready_r, 1)
        os.write(go_w, b"go")
        rows = set()
        for pid, ack_r in children:
            rows.update(_acknowledged(ack_r))
            failures += _wait(pid) != 0
        for fd in (ready_r, ready_w, go_r, go_w):
            os.close(fd)
        saved = read_session(path)
        found = dict(zip(saved.indices.tolist(), saved.labels.tolist()))
        acknowledged += len(rows)
        lost += sum(found.get(r) != _label(r) for r in rows)
    return acknowledged, lost, failures


@pytest.fixture()
def no_fsync(monkeypatch):
    """``os.fsync`` as a no-op, in this process and the ones it forks: it
    makes a save durable against a power cut, which the races below do not
    simulate, and costs milliseconds a call (two a save)."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


@needs_fork
def test_two_processes_teaching_one_session_lose_no_label(tmp_path, no_fsync):
    # 50 races of two processes, each loading the session and teaching three
    # rounds (row 39 by both, first, with the same label): no acknowledged label is
    # lost, no process fails, and each history holds the six rounds.
    batches = ([[0, 1, 39], [2, 3], [4, 5]], [[20, 21, 39], [22, 23], [24, 25]])
    acknowledged, lost, failures = run_concurrent_trials(
        tmp_path, 50, _python_teacher, _new_session, batches
    )
    assert (lost, failures) == (0, 0)
    assert acknowledged == 50 * 13
    saved = read_session(tmp_path / "race0.json")
    assert len(saved.rounds) == 6 and saved.rounds[-1]["n_labels"] == 13
    assert sorted(r["n_labels"] for r in saved.rounds) == [
        r["n_labels"] for r in saved.rounds
    ]


# ------------------------------------------------------------ merge
def test_a_save_merges_the_labels_of_another_writer(tmp_path):
    path = tmp_path / "s.json"
    _new_session(path)
    a = ActiveLearner.load(path, X_SMALL, RandomSampling())
    b = ActiveLearner.load(path, X_SMALL, RandomSampling())
    a.teach([0, 1], ["x", "y"])
    b.teach([5], ["y"])  # merges a's labels: b knows them now
    assert b.labelled_indices.tolist() == [0, 1, 5]
    assert b.labels.tolist() == ["x", "y", "y"]
    assert b.history_["n_labels"].tolist() == [2, 3]
    b.teach([7, 8], ["x", "y"])
    a.teach([8, 3], ["y", "x"])  # row 8 by both (a did not know), alike: one label
    assert a.labelled_indices.tolist() == [0, 1, 5, 7, 8, 3]
    b.teach([0], ["z"], relabel=True)  # a relabel by one writer...
    a.teach([9], ["x"])  # ...reaches the other
    assert dict(zip(a.labelled_indices.tolist(), a.labels.tolist())) == {
        0: "z", 1: "y", 5: "y", 7: "x", 8: "y", 3: "x", 9: "x",
    }  # fmt: skip
    saved = read_session(path)
    assert saved.indices.tolist() == [0, 1, 5, 7, 8, 3, 9]
    assert [r["indices"].tolist() for r in saved.rounds] == [
        [0, 1], [5], [7, 8], [8, 3], [0], [9],
    ]  # fmt: skip
    assert [r["n_labels"] for r in saved.rounds] == [2, 3, 5, 6, 6, 7]


def test_conflicting_labels_are_refused_and_teach_rolls_back(tmp_path):
    path = tmp_path / "s.json"
    _new_session(path)
    a = ActiveLearner.load(path, X_SMALL, RandomSampling())
    b = ActiveLearner.load(path, X_SMALL, RandomSampling())
    a.teach([3, 4, 8], ["x", "x", "y"])
    good = path.read_bytes()
    with pytest.raises(
        SessionConflictError, match="row 3: 'x' there, 'y' here"
    ) as info:
        b.teach([3, 8, 9], ["y", "y", "x"])
    assert info.value.rows == [3]
    assert "teach with relabel=True" in str(info.value)
    assert path.read_bytes() == good  # nothing saved
    assert b.n_labelled == 0 and b.n_rounds == 0  # nothing taught
    b.teach([8, 9], ["y", "x"])  # the rows without conflict
    assert b.labelled_indices.tolist() == [3, 4, 8, 9]
    b.teach([3], ["y"], relabel=True)  # now it knows row 3: a deliberate change
    assert read_session(path).labels.tolist() == ["y", "x", "y", "x"]


def test_a_save_never_replaces_another_session_or_another_file(tmp_path):
    path = tmp_path / "s.json"
    _new_session(path).teach([0], ["x"])
    other_pool = X_SMALL + 1
    stranger = ActiveLearner(RandomSampling(), other_pool, validate_pool=False)
    stranger.teach([1], ["y"])
    with pytest.raises(SessionConflictError, match="another pool"):
        stranger.save(path)
    # A session on the same pool, never read from this file: merged.
    same_pool = ActiveLearner(RandomSampling(), X_SMALL, validate_pool=False)
    same_pool.teach([1], ["y"])
    same_pool.save(path)
    assert read_session(path).indices.tolist() == [0, 1]
    notes = tmp_path / "notes.json"
    notes.write_text('{"my": "notes"}')
    with pytest.raises(SessionFileError, match="never replaces a file it cannot read"):
        same_pool.save(notes)
    assert notes.read_text() == '{"my": "notes"}'


def test_a_new_session_does_not_autosave_over_an_existing_file(tmp_path):
    path = tmp_path / "s.json"
    _new_session(path).teach([0, 1], ["x", "y"])
    with pytest.raises(ValueError, match=r"already holds a labelling session \(2 "):
        ActiveLearner(RandomSampling(), X_SMALL, autosave=path)
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="is not a session file"):
        ActiveLearner(RandomSampling(), X_SMALL, autosave=data)
    empty = tmp_path / "empty.json"
    empty.touch()  # nothing to lose
    ActiveLearner(RandomSampling(), X_SMALL, autosave=empty).teach([0], ["x"])
    assert read_session(empty).n_pool == 40


def test_a_merge_does_not_save_a_stale_model(tmp_path):
    path = tmp_path / "s.json"
    _new_session(path, strategy=MarginSampling(LR))
    a = ActiveLearner.load(path, X_SMALL, MarginSampling(LR), autosave=False)
    b = ActiveLearner.load(path, X_SMALL, MarginSampling(LR), autosave=False)
    a.teach([0, 39], ["x", "y"])
    a.save(path)
    b.teach([1, 38], ["x", "y"])
    with pytest.warns(
        UserWarning, match="the model, not fitted on them, was not saved"
    ):
        b.save(path, include_model=True)
    assert read_session(path).model is None
    assert not b.is_fitted and b.n_labelled == 4  # refitted when next needed
    b.fit_model().save(path, include_model=True)  # no merge this time
    assert ActiveLearner.load(path, X_SMALL, load_model=True).n_labelled == 4


def test_check_pool_false_keeps_the_pool_and_accept_pool_replaces_it(tmp_path):
    path = tmp_path / "s.json"
    _new_session(path).teach([0], ["x"])
    fingerprint = read_session(path).fingerprint
    rounded = X_SMALL + 1e-12
    learner = ActiveLearner.load(path, rounded, RandomSampling(), check_pool=False)
    learner.teach([1], ["y"])
    assert read_session(path).fingerprint == fingerprint  # still the session's pool
    learner = ActiveLearner.load(path, rounded, RandomSampling(), accept_pool=True)
    learner.teach([2], ["y"])
    assert read_session(path).fingerprint != fingerprint
    ActiveLearner.load(path, rounded, RandomSampling())  # its pool now
    holes = X_SMALL.copy()
    holes[7, 1] = np.nan
    with (
        pytest.raises(InvalidPoolError, match=r"NaN \(row 7, column 1\)"),
        pytest.warns(UserWarning, match="resumed with a"),
    ):
        ActiveLearner.load(path, holes, MarginSampling(LR), accept_pool=True)


# ------------------------------------------------------------ the lock
def _hold_lock(path, go_fd, seconds):
    with session_lock(path):
        os.write(go_fd, b"1")
        time.sleep(seconds)


@needs_fork
def test_a_held_lock_times_out_naming_its_holder(tmp_path, monkeypatch):
    monkeypatch.setattr("skactive.loop._lock.DEFAULT_TIMEOUT", 0.2)
    path = tmp_path / "s.json"
    learner = _new_session(path)
    ready_r, ready_w = os.pipe()
    pid = _child(_hold_lock, path, ready_w, 30)
    os.read(ready_r, 1)
    try:
        good = path.read_bytes()
        with pytest.raises(
            SessionLockedError, match=f"locked by process {pid} on host"
        ):
            learner.save(lock_timeout=0.1)
        learner.autosave = None
        learner.teach([0], ["x"])
        learner.autosave = str(path)
        with pytest.raises(TimeoutError):  # an OSError: the command line's one line
            learner.teach([1], ["y"])
        assert learner.labelled_indices.tolist() == [0]  # rolled back
        assert path.read_bytes() == good
    finally:
        os.kill(pid, signal.SIGKILL)  # the system releases its lock
        _wait(pid)
    learner.teach([1], ["y"])  # at once: no stale lock
    assert read_session(path).indices.tolist() == [0, 1]


def test_the_lock_is_reentrant_within_a_thread(tmp_path):
    path = tmp_path / "s.json"
    learner = _new_session(path)
    with session_lock(path):
        learner.teach([0], ["x"])  # saves under the lock it already holds
    assert read_session(path).indices.tolist() == [0]


# ------------------------------------------------------------ all or nothing
def test_a_failed_autosave_leaves_nothing_taught(tmp_path, monkeypatch):
    folder = tmp_path / "not yet"
    path = folder / "s.json"
    learner = ActiveLearner(MarginSampling(LR), X_SMALL, autosave=path)
    learner.autosave = str(path)
    with pytest.raises(FileNotFoundError) as info:
        learner.teach([0, 39], ["x", "y"])
    message = str(info.value)
    assert str(path) in message and f"the folder {folder} does not exist" in message
    assert ".tmp" not in message
    assert learner.n_labelled == 0 and learner.n_rounds == 0
    assert not learner.is_fitted  # no refit of labels that were not saved
    folder.mkdir()
    learner.teach([0, 39], ["x", "y"])  # a retry works: nothing "already labelled"
    assert learner.is_fitted and read_session(path).indices.tolist() == [0, 39]

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match=f"cannot write {path}: No space left"):
        learner.teach([1, 2], ["x", "x"], relabel=False)
    monkeypatch.undo()
    assert learner.labelled_indices.tolist() == [0, 39] and learner.is_fitted
    assert sorted(p.name for p in folder.iterdir()) == ["s.json", "s.json.lock"]
    path.chmod(0o444)  # made read-only by its owner: kept, even for root
    with pytest.raises(PermissionError, match="the file is read-only"):
        learner.teach([1], ["x"])
    assert learner.n_labelled == 2
    path.chmod(0o644)
    learner.teach([1], ["x"])
    assert read_session(path).indices.tolist() == [0, 39, 1]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_a_save_through_a_symbolic_link_writes_its_target(tmp_path):
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "s.json"
    link = tmp_path / "s.json"
    link.symlink_to(target)  # dangling until the first save
    learner = ActiveLearner(RandomSampling(), X_SMALL, autosave=link)
    learner.teach([0], ["x"])
    learner.teach([1], ["y"])
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert read_session(target).indices.tolist() == [0, 1]
    assert (tmp_path / "data" / "s.json.lock").exists()  # shared by every link
    resumed = ActiveLearner.load(target, X_SMALL, RandomSampling())
    resumed.teach([2], ["x"])
    learner.teach([3], ["y"])  # through the link: merges the target's changes
    assert read_session(link).indices.tolist() == [0, 1, 2, 3]


# ------------------------------------------------------------ the pool
class _TextModel(ClassifierMixin, BaseEstimator):
    """Any estimator; the dry run must not run for a network."""


def test_a_bad_pool_is_refused_before_any_label(tmp_path):
    holes = X_SMALL.copy()
    holes[17, 0] = np.nan
    path = tmp_path / "s.json"
    with pytest.raises(InvalidPoolError, match=r"NaN \(row 17, column 0\)") as info:
        ActiveLearner(MarginSampling(LR), holes, autosave=path)
    assert "validate_pool=False" in str(info.value) and not path.exists()
    hgb = HistGradientBoostingClassifier(max_iter=5)
    ActiveLearner(MarginSampling(hgb), holes)  # takes NaN
    ActiveLearner(MarginSampling(LR), holes, validate_pool=False)  # asked not to check
    infinite = X_SMALL.copy()
    infinite[3, 1] = np.inf
    with pytest.raises(InvalidPoolError, match=r"infinite value \(row 3, column 1\)"):
        ActiveLearner(MarginSampling(hgb), infinite)
    with pytest.raises(InvalidPoolError, match=r"1-d .*reshape\(-1, 1\)"):
        ActiveLearner(MarginSampling(LR), np.arange(10.0))
    words = np.array([["a", "b"], ["c", "d"]] * 10)
    with pytest.raises(InvalidPoolError, match=r"failed to fit .*ValueError"):
        ActiveLearner(MarginSampling(LR), words)
    with pytest.raises(ValueError, match="X_pool is empty"):
        ActiveLearner(MarginSampling(LR), np.zeros((0, 2)))
    sparse = sp.random(30, 4, density=0.5, format="csr", random_state=0)
    sparse.data[5] = np.nan
    with pytest.raises(InvalidPoolError, match="NaN"):
        ActiveLearner(MarginSampling(LR), sparse)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0)})
    frame.loc[4, "b"] = np.nan
    with pytest.raises(InvalidPoolError, match=r"row 4, column 'b'"):
        ActiveLearner(MarginSampling(LR), frame)
    with pytest.raises(ValueError, match="validate_pool must be"):
        ActiveLearner(MarginSampling(LR), X_SMALL, validate_pool="yes")


def test_a_text_pool_with_a_text_model_passes_and_the_strategy_is_untouched():
    texts = np.array(["good fun", "awful dull", "great plot", "dull long"] * 5)
    strategy = MarginSampling(make_pipeline(TfidfVectorizer(), LR), batch_size=3)
    learner = ActiveLearner(strategy, texts, classes=["neg", "pos"])
    assert not hasattr(strategy, "estimator_")  # the dry run fitted a clone
    assert strategy.batch_size == 3
    learner.teach([0, 1], ["pos", "neg"])
    assert learner.query().shape == (3,)


def test_networks_skip_the_dry_run_unless_asked():
    class Net(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            raise AssertionError("a network is not fitted by the check")

    Net.__module__ = "skorch.net"
    assert is_network(MarginSampling(Net()))
    assert not is_network(MarginSampling(LR))
    ActiveLearner(MarginSampling(Net()), X_SMALL)  # "auto": cheap checks only
    with pytest.raises(InvalidPoolError, match="failed to fit"):
        ActiveLearner(MarginSampling(Net()), X_SMALL, validate_pool=True)


def test_other_bad_session_parameters_name_themselves():
    with pytest.raises(ValueError, match="random_state must be in"):
        ActiveLearner(RandomSampling(), X_SMALL, random_state=-1)
    with pytest.raises(TypeError, match="random_state must be None, an int"):
        ActiveLearner(RandomSampling(), X_SMALL, random_state="0")
    learner = ActiveLearner(RandomSampling(), X_SMALL)
    with pytest.raises(ValueError, match=f"at most {MAX_LABEL_LENGTH} characters"):
        learner.teach([0], ["x" * (MAX_LABEL_LENGTH + 1)])
    assert learner.n_labelled == 0


# ------------------------------------------------------------ hostile files
def _good_file(tmp_path) -> bytes:
    """A real session file: declared classes, two rounds, a relabel, a
    non-ASCII label."""
    path = tmp_path / "good.json"
    path.unlink(missing_ok=True)
    learner = ActiveLearner(
        RandomSampling(), X_SMALL, classes=["café", "thé"], random_state=3,
        autosave=path,
    )  # fmt: skip
    learner.teach([0, 1, 2], ["café", "thé", "café"])
    learner.teach([2, 5], ["thé", "thé"], relabel=True)
    # as written, but with the accents as UTF-8 (not \u escapes): the
    # encodings then differ
    return json.dumps(json.loads(path.read_bytes()), ensure_ascii=False).encode()


def _peak_bytes(func, *args):
    tracemalloc.start()
    try:
        func(*args)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def _load_or_error(path):
    with contextlib.suppress(SessionFileError):
        read_session(path)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda s: s["labels"].update(dtype="<U25000000"), None),
        (lambda s: s["labels"].update(values=["x" * 5000, "a", "a", "a"]), "longer"),
        (lambda s: s.pop("indices"), "indices: missing"),
        (lambda s: s["pool"].update(n_samples="40"), "n_samples: must be an integer"),
        (lambda s: s["history"][0].update(n_labels="3"), "must be an integer"),
        (lambda s: s["history"][0].update(n_labels=10**6), r"must be in \[0, 40\]"),
        (lambda s: s["history"][0].update(time=float("inf")), "finite number"),
        (lambda s: s["history"].append([]), r"history\[2\]: must be an object"),
        (lambda s: s["settings"].update(pseudo_label_threshold=2), r"in \(0, 1\]"),
        (lambda s: s["settings"]["classes"].update(values=["a", "a"]), "2 distinct"),
        (lambda s: s["labels"].update(values=[1, 2.5, 3, 4]), "integers|strings"),
        (lambda s: s["labels"].update(dtype="<f8", values=[1, 2, None, 3]), "finite"),
        (lambda s: s["labels"].update(values=["\ud800", "a", "a", "a"]), "Unicode"),
        (lambda s: s["pool"].update(shape=[[40]]), "short list of sizes"),
        (lambda s: s.update(version=0), r"version: must be >= 1"),
        (lambda s: s["indices"].append(2**80), "4 labels for 5|must be in"),
    ],
)
def test_hostile_session_files_are_one_error(tmp_path, edit, match):
    state = json.loads(_good_file(tmp_path))
    edit(state)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(state))
    if match is None:  # the width of a label dtype is not followed
        assert _peak_bytes(read_session, path) < 1 << 20
        return
    with pytest.raises(SessionFileError, match=match) as info:
        read_session(path)
    assert str(path) in str(info.value)


def test_structural_attacks_are_one_error_in_bounded_memory(tmp_path, monkeypatch):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "skactive.ActiveLearner", "version": 2, "pool": '
                    + "[" * 100_000 + "]" * 100_000 + "}")  # fmt: skip
    with pytest.raises(SessionFileError, match=r"nested too deeply|pool: must be"):
        read_session(path)
    path.write_bytes(_good_file(tmp_path).decode().encode("latin-1"))
    with pytest.raises(SessionFileError, match="not UTF-8"):
        read_session(path)
    path.write_bytes(_good_file(tmp_path).decode().encode("utf-16"))
    assert read_session(path).n_pool == 40  # JSON in UTF-16 is JSON
    path.write_text(
        '{"format": "skactive.ActiveLearner", "version": 1%s}' % ("0" * 5000)
    )
    with pytest.raises(SessionFileError, match="not JSON"):
        read_session(path)
    good = _good_file(tmp_path)
    monkeypatch.setattr("skactive.loop._persist.MAX_FILE_BYTES", 100)
    path.write_bytes(good)
    with pytest.raises(SessionFileError, match="larger than"):
        read_session(path)
    monkeypatch.undo()
    # One long label among many short ones: Python strings, not a fixed
    # width times their number (which would be 400 MB here).
    state = json.loads(_good_file(tmp_path))
    n = X_SMALL.shape[0]
    state["settings"].pop("classes")
    state["pool"]["n_samples"] = 100_000
    state["indices"] = list(range(100_000))
    state["labels"] = {"dtype": "<U1", "values": ["y" * 1000] + ["a"] * 99_999}
    path.write_text(json.dumps(state))
    assert _peak_bytes(read_session, path) < 40 << 20
    assert n == 40


def _json_paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _json_paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj[:3]):
            yield from _json_paths(value, (*prefix, i))


_REPLACEMENTS = [
    "x", "", 0, -1, 2**70, 1.5, float("nan"), True, None, [], {}, [[[[0]]]],
    "y" * 100_000, list(range(50_000)), {"dtype": "<U99999999", "values": ["a"]},
    {"dtype": "|O", "values": [1, "a"]}, "\u00e9\u4e2d", -(10**20), 10**4000,
    float("inf"), "(2,)i4", "a", {"dtype": "<u1", "values": [-1]}, "\ud800",
]  # fmt: skip


def _mutate(good: bytes, rng) -> tuple[str, bytes]:
    """One seeded mutation of a real session file."""
    kind = rng.integers(7)
    if kind == 0:
        cut = int(rng.integers(len(good)))
        return f"truncated at {cut}", good[:cut]
    if kind == 1:
        data = bytearray(good)
        where = rng.integers(len(good), size=int(rng.integers(1, 8)))
        for i in where:
            data[i] = int(rng.integers(256))
        return f"bytes flipped at {where.tolist()}", bytes(data)
    state = json.loads(good)
    paths = list(_json_paths(state))[1:]
    path = paths[int(rng.integers(len(paths)))]
    parent = state
    for key in path[:-1]:
        parent = parent[key]
    if kind == 2 and isinstance(parent, dict):
        del parent[path[-1]]
        return f"deleted {path}", json.dumps(state).encode()
    if kind == 3:
        nested = "[" * int(rng.integers(10, 5000)) + "]" * 0
        text = json.dumps(state)
        cut = int(rng.integers(len(text)))
        return "nested", (text[:cut] + nested + text[cut:]).encode()
    if kind == 4:
        encoding = ["utf-16", "utf-32", "latin-1", "utf-8-sig"][int(rng.integers(4))]
        return f"encoded {encoding}", good.decode().encode(encoding)
    replacement = _REPLACEMENTS[int(rng.integers(len(_REPLACEMENTS)))]
    parent[path[-1]] = replacement
    return f"{path} = {str(replacement)[:20]}", json.dumps(state).encode()


def test_fuzzed_session_files_load_or_raise_the_one_error(tmp_path):
    good = _good_file(tmp_path)
    rng = np.random.default_rng(19)
    path = tmp_path / "fuzzed.json"
    outcomes = {"loaded": 0, "refused": 0}
    for case in range(300):
        what, data = _mutate(good, rng)
        path.write_bytes(data)
        tracemalloc.start()
        try:
            try:
                content = read_session(path)
            except SessionFileError as exc:
                assert str(path) in str(exc), what
                outcomes["refused"] += 1
                continue
            outcomes["loaded"] += 1
            # A file that parses resumes, or is a ValueError about the pool
            # (a changed fingerprint or number of rows).
            with contextlib.suppress(ValueError), warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # another class
                ActiveLearner.load(path, X_SMALL, RandomSampling(), autosave=False)
            assert content.n_pool > 0
        except Exception as exc:  # pragma: no cover - the failure to report
            raise AssertionError(f"case {case} ({what}): {exc!r}") from exc
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert peak < 64 << 20, (case, what, peak)
    assert outcomes["refused"] > 150 and outcomes["loaded"] > 10, outcomes


def test_the_schema_reads_what_every_save_writes(tmp_path):
    # Labels of every kind round-trip through the schema.
    for labels in (["a", "bb"], [0, 1], [-1, 1], [1.0, 2.0], [True, False]):
        path = tmp_path / f"{labels[0]}.json"
        learner = ActiveLearner(RandomSampling(), X_SMALL, validate_pool=False)
        learner.teach([0, 1], labels)
        learner.save(path)
        assert parse_session(path.read_bytes(), path).labels.tolist() == labels
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode & stat.S_IWUSR  # a new file gets the umask's permissions


def test_a_query_does_not_offer_rows_labelled_by_another_process(tmp_path):
    path = tmp_path / "s.json"
    strategy = RandomSampling(batch_size=30, random_state=0)
    _new_session(path, strategy=strategy)
    a = ActiveLearner.load(path, X_SMALL, strategy)
    b = ActiveLearner.load(path, X_SMALL, strategy)
    b.teach(np.arange(10), [_label(r) for r in range(10)])
    offered = a.query()  # a's file changed: b's labels first
    assert a.n_labelled == 10 and sorted(offered) == list(range(10, 40))
    a.teach(offered[:2], ["x", "y"])
    b.teach([offered[-1]], ["z"])
    a.teach(offered[2:3], ["x"])
    rounds = read_session(path).rounds
    assert len(rounds) == 4  # each round once
    assert [r["n_labels"] for r in rounds] == [10, 12, 13, 14]


def test_a_file_system_without_locks_saves_unlocked_with_a_warning(
    tmp_path, monkeypatch
):
    from skactive.loop import _lock

    def no_locks(fd):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(_lock, "_try_lock", no_locks)
    path = tmp_path / "s.json"
    learner = ActiveLearner(RandomSampling(), X_SMALL, autosave=path)
    with pytest.warns(UserWarning, match="has no file locks: saves go on unlocked"):
        learner.teach([0], ["x"])
    learner.teach([1], ["y"])  # warned once per file
    assert read_session(path).indices.tolist() == [0, 1]
