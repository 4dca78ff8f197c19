"""The labelling widget's logic (skactive.widgets.LabellingQueue) and its
Python side (LabellingWidget.handle), without a browser: labels taught and
autosaved at each click, undo, skip, not sure, relabel, resume, the
background refit never delaying a click, and the renderers."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from skactive import ActiveLearner, MarginSampling, RandomSampling
from skactive.loop import read_session
from skactive.utils.discovery import all_estimators
from skactive.widgets import LabellingQueue, render_sample


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16, y[:400]


def make_learner(X, path=None, strategy=None, **kwargs):
    strategy = strategy or MarginSampling(
        LogisticRegression(max_iter=200), batch_size=6, random_state=0
    )
    return ActiveLearner(
        strategy, X, autosave=path, classes=range(10), random_state=0, **kwargs
    )


def saved_labels(path) -> dict:
    saved = read_session(path)
    return dict(zip(saved.indices.tolist(), saved.labels.tolist()))


def label_n(queue, y, n):
    """Label ``n`` rows with their true label; returns the rows."""
    rows = []
    for _ in range(n):
        if queue.current is None:
            assert queue.wait(30)
        rows.append(queue.current)
        queue.label(int(y[queue.current]))
    return rows


def test_each_label_is_taught_and_saved_before_the_next_row(digits, tmp_path):
    X, y = digits
    path = tmp_path / "s.json"
    learner = make_learner(X, path)
    queue = LabellingQueue(learner, background=False)
    given = {}
    for _ in range(15):
        row = queue.current
        shown_next = queue.label(int(y[row]))
        given[row] = int(y[row])
        # In the file before the next row is returned (shown).
        assert saved_labels(path) == given
        assert shown_next != row and shown_next is not None
    assert learner.labelled_indices.tolist() == list(given)
    assert queue.n_new == 15
    # The model is not refitted at the click (refit=False), only by queries.
    assert queue._n_fits <= 15 // queue.batch_size + 2


def test_label_not_offered_is_an_error_and_nothing_is_taught(digits, tmp_path):
    X, _ = digits
    learner = make_learner(X, tmp_path / "s.json")
    queue = LabellingQueue(learner, classes=[0, 1, 2], background=False)
    row = queue.current
    with pytest.raises(ValueError, match=r"label 7 is not one of the classes"):
        queue.label(7)
    assert learner.n_labelled == 0 and queue.current == row


def test_classes_required_without_a_declared_label_set(digits):
    X, _ = digits
    learner = ActiveLearner(MarginSampling(batch_size=4), X, random_state=0)
    with pytest.raises(ValueError, match="classes is required"):
        LabellingQueue(learner)
    queue = LabellingQueue(learner, classes=["a", "b"], background=False)
    queue.label("b")
    assert learner.labels.tolist() == ["b"]
    declared = make_learner(X)
    with pytest.raises(ValueError, match=r"not in the session's declared classes"):
        LabellingQueue(declared, classes=[1, 11])


def test_regression_session_is_refused():
    from skactive import MaxStdSampling

    learner = ActiveLearner(MaxStdSampling(), np.arange(40.0).reshape(20, 2))
    with pytest.raises(TypeError, match="regression session"):
        LabellingQueue(learner)


def test_skip_and_not_sure_are_not_labelled_nor_offered_again(digits, tmp_path):
    X, y = digits
    learner = make_learner(X, tmp_path / "s.json")
    queue = LabellingQueue(learner, background=False)
    skipped = queue.current
    queue.skip()
    unsure = queue.current
    queue.not_sure()
    rows = label_n(queue, y, 30)
    assert skipped not in rows and unsure not in rows
    assert queue.skipped == [skipped] and queue.unsure == [unsure]
    assert not learner.labelled_mask[[skipped, unsure]].any()
    assert queue.progress()["n_skipped"] == 1
    # "Not sure" rows come back on request, before the queued ones.
    before = queue.current
    assert queue.review_unsure() == unsure
    assert queue.unsure == []
    queue.label(int(y[unsure]))
    assert queue.current == before
    assert saved_labels(tmp_path / "s.json")[unsure] == int(y[unsure])


def test_undo_shows_the_last_row_again_and_a_click_relabels_it(digits, tmp_path):
    X, _ = digits
    path = tmp_path / "s.json"
    learner = make_learner(X, path)
    queue = LabellingQueue(learner, background=False)
    first = queue.current
    queue.label(3)
    second = queue.current
    queue.label(4)
    third = queue.current
    assert queue.undo() == second
    assert queue.current_label() == 4  # reviewed with its label
    assert queue.undo() == first
    assert queue.current_label() == 3
    queue.label(5)  # relabel
    assert saved_labels(path) == {first: 5, second: 4}
    assert queue.current == second  # then the rows undone, in order
    queue.skip()  # keep its label
    assert queue.current == third
    assert saved_labels(path) == {first: 5, second: 4}
    assert learner.history_["relabel"].tolist() == [False, False, True]
    assert queue.n_new == 2  # a relabel is not a new label
    # Undo of a skip offers the row again, unskipped.
    queue.skip()
    assert queue.undo() == third and queue.skipped == []
    # Nothing to undo is not an error.
    empty = LabellingQueue(make_learner(X), background=False)
    assert empty.undo() == empty.current


def test_relabel_and_review_a_past_row(digits, tmp_path):
    X, y = digits
    path = tmp_path / "s.json"
    queue = LabellingQueue(make_learner(X, path), background=False)
    rows = label_n(queue, y, 5)
    queue.relabel(rows[1], 9)
    assert saved_labels(path)[rows[1]] == 9
    with pytest.raises(ValueError, match="is not labelled"):
        queue.relabel(queue.current, 1)
    shown = queue.current
    assert queue.review(rows[0]) == rows[0]
    queue.label(8)
    assert saved_labels(path)[rows[0]] == 8
    assert queue.current == shown


def test_stale_click_is_ignored(digits):
    X, y = digits
    queue = LabellingQueue(make_learner(X), background=False)
    row = queue.current
    queue.label(int(y[row]), index=row)
    # A second click sent for the same row (a double click): ignored.
    now = queue.current
    assert queue.label(0, index=row) == now
    assert queue.learner.n_labelled == 1


def test_budget_and_final_score(digits):
    X, y = digits
    queue = LabellingQueue(
        make_learner(X[:300]),
        budget=14,
        X_test=X[300:],
        y_test=y[300:],
        background=False,
    )
    label_n(queue, y, 14)
    assert queue.done and queue.status == "done" and queue.current is None
    progress = queue.progress()
    assert progress["n_new"] == 14 and progress["budget"] == 14
    assert sum(progress["class_counts"].values()) == 14
    # The last point of the curve is the model of every label.
    assert progress["curve"][-1][0] == 14
    assert 0.3 < progress["score"] <= 1
    ns = [n for n, _ in queue.curve]
    assert ns == sorted(ns) and len(set(ns)) == len(ns)


def test_pool_exhausted(digits):
    X, y = digits
    learner = make_learner(X[:12])
    queue = LabellingQueue(learner, background=False)
    label_n(queue, y, 11)
    queue.skip()
    assert queue.done and queue.status == "done"
    assert learner.n_labelled == 11 and queue.skipped


class SlowFit(ClassifierMixin, BaseEstimator):
    """A logistic regression whose fit takes ``delay`` seconds more."""

    def __init__(self, delay=0.5):
        self.delay = delay

    def fit(self, X, y):
        time.sleep(self.delay)
        self.model_ = LogisticRegression(max_iter=200).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.model_.predict(X)


class BlockedFit(SlowFit):
    """A fit that waits until the test opens ``gate`` (at most 60 s)."""

    gate = threading.Event()
    fitting = threading.Event()

    def fit(self, X, y):
        BlockedFit.fitting.set()
        BlockedFit.gate.wait(60)
        return super().fit(X, y)


def test_clicks_never_wait_for_the_background_refit(digits, tmp_path):
    """While the background refit is stuck, every click on a queued row is
    taught, saved and answered with the next row: the click path never fits
    (no timing involved: the fit is blocked until the clicks are done)."""
    X, y = digits
    path = tmp_path / "s.json"
    strategy = MarginSampling(BlockedFit(0.0), batch_size=8, random_state=0)
    learner = make_learner(X, path, strategy, validate_pool=False)
    BlockedFit.gate.set()
    queue = LabellingQueue(learner, prefetch=7)
    for i in range(2):  # two classes: the model takes over
        assert queue.wait(60)
        queue.label(i)
    assert queue.wait(60)
    BlockedFit.gate.clear()
    BlockedFit.fitting.clear()
    rows = []
    while not queue.busy:  # label until fewer than 7 are queued: a refit...
        rows += label_n(queue, y, 1)
        assert len(rows) < 40
    assert BlockedFit.fitting.wait(60)
    n_queued = len(queue.queued)
    rows += label_n(queue, y, n_queued)  # ...blocks, and the clicks go on
    assert queue.busy and n_queued >= 6
    saved = saved_labels(path)
    assert all(saved[r] == int(y[r]) for r in rows)
    assert queue.current is not None  # the last queued row is shown
    BlockedFit.gate.set()
    assert queue.wait(60) and queue.error is None
    assert queue.latencies  # seconds per action (benchmarks/bench_widget.py)


def test_background_queries_and_clicks_do_not_race(digits, tmp_path):
    """Clicks from one thread while the queue refits and queries in another:
    every label is in the file, no row is offered twice."""
    X, y = digits
    path = tmp_path / "s.json"
    queue = LabellingQueue(make_learner(X, path), batch_size=4, prefetch=3, budget=60)
    shown = []
    deadline = time.monotonic() + 60
    while not queue.done and time.monotonic() < deadline:
        row = queue.current
        if row is None:
            queue.wait(5)
            continue
        shown.append(row)
        queue.label(int(y[row]), index=row)
    assert queue.done
    assert len(shown) == len(set(shown)) == 60
    assert saved_labels(path) == {r: int(y[r]) for r in shown}
    assert queue._n_fits >= 10


def test_resume_goes_on_where_the_file_left_off(digits, tmp_path):
    X, y = digits
    path = tmp_path / "s.json"
    strategy = MarginSampling(LogisticRegression(max_iter=200), batch_size=6)
    first = LabellingQueue(make_learner(X, path, strategy), background=False)
    rows = label_n(first, y, 9)
    del first  # the kernel dies: only the file is left
    learner = ActiveLearner.load(path, X, strategy)
    queue = LabellingQueue(learner, background=False)
    assert queue.progress()["n_labels"] == 9
    more = label_n(queue, y, 9)
    assert not set(more) & set(rows)
    assert saved_labels(path) == {r: int(y[r]) for r in rows + more}


def test_query_error_is_kept_and_retried(digits):
    X, _ = digits

    class Failing(SlowFit):
        fail = True

        def fit(self, X, y):
            if Failing.fail:
                raise RuntimeError("the model broke")
            return super().fit(X, y)

    strategy = MarginSampling(Failing(0.0), batch_size=4, random_state=0)
    learner = make_learner(X, strategy=strategy, validate_pool=False)
    queue = LabellingQueue(learner, prefetch=0, background=False)
    label_n(queue, np.where(np.arange(400) % 2, 1, 2), 4)  # two classes: fit
    assert queue.status == "error"
    assert "the model broke" in str(queue.error)
    Failing.fail = False
    queue.retry()
    assert queue.status == "labelling" and queue.error is None


def _strategies():
    """Every public query strategy but the deep ones (torch)."""
    return sorted(
        name
        for name, cls in all_estimators()
        if hasattr(cls, "query")
        and not cls.__module__.startswith(("skactive.deep", "skactive.loop"))
    )


@pytest.mark.parametrize("name", _strategies())
def test_every_strategy_works(name, digits):
    """Any skactive query strategy serves the queue: classification ones
    label, regression ones are refused with a clear error."""
    from tests._instances import make_instance

    X, y = digits
    X, y = X[:150], y[:150]
    cls = dict(all_estimators())[name]
    if name == "QueryByExample":
        strategy = cls(LogisticRegression(max_iter=200), examples=X[:3])
    else:
        strategy = make_instance(name, cls)
    if "batch_size" in strategy.get_params():
        strategy.set_params(batch_size=3)
    if learner_is_regression(strategy):
        learner = ActiveLearner(strategy, X, validate_pool=False)
        with pytest.raises(TypeError, match="regression session"):
            LabellingQueue(learner)
        return
    learner = make_learner(X, strategy=strategy, validate_pool=False)
    queue = LabellingQueue(learner, budget=9, background=False)
    rows = label_n(queue, y, 9)
    assert len(set(rows)) == 9 and queue.done
    assert learner.n_labelled == 9 and queue.error is None


def learner_is_regression(strategy) -> bool:
    from sklearn.base import is_regressor

    return is_regressor(strategy)


# ---------------------------------------------------------------- renderers
def test_render_image_arrays_and_flat_rows():
    from skactive.widgets._render import _png

    image = np.arange(12, dtype=float).reshape(3, 4)
    html = render_sample(image)
    assert html.startswith('<img class="skactive-image" src="data:image/png;base64,')
    assert "image-rendering:pixelated" in html
    flat = render_sample(image.ravel(), image_shape=(3, 4))
    assert flat == html
    rgb = render_sample(np.zeros((2, 2, 3), dtype=np.uint8), image_width=10)
    assert 'style="width:10px' in rgb
    png = _png(np.array([[0, 255]], dtype=np.uint8))
    assert (
        png.startswith(b"\x89PNG")
        and b"IHDR" in png
        and png.endswith(b"IEND\xaeB`\x82")
    )
    with pytest.raises(ValueError, match="image_shape"):
        render_sample(np.zeros(10), image_shape=(3, 4))


def test_render_png_matches_pillow():
    Image = pytest.importorskip("PIL.Image")
    import io

    from skactive.widgets._render import _png

    rng = np.random.RandomState(0)
    for shape in [(5, 7), (4, 3, 3), (2, 6, 4)]:
        pixels = rng.randint(0, 256, size=shape).astype(np.uint8)
        decoded = np.asarray(Image.open(io.BytesIO(_png(pixels))))
        np.testing.assert_array_equal(decoded, pixels)


def test_render_image_file_text_table_and_custom(tmp_path):
    from skactive.widgets._render import _png

    path = tmp_path / "cat.png"
    path.write_bytes(_png(np.zeros((2, 2), dtype=np.uint8)))
    assert "data:image/png;base64," in render_sample(str(path))
    assert "data:image/png;base64," in render_sample(path)
    # A string that is not an image file is a text, escaped.
    assert render_sample("cat.png") == '<div class="skactive-text">cat.png</div>'
    assert "&lt;script&gt;" in render_sample("<script>x</script>")
    with pytest.raises(ValueError, match="not an image file"):
        render_sample(tmp_path / "notes.txt", "image")
    table = render_sample(np.array([1.5, 2.0]), columns=["width", "height"])
    assert "<th>width</th><td>1.5</td>" in table
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"age": [31, 40], "city": ["Oslo", "Rome"]})
    from skactive.widgets._render import sample_at

    row = render_sample(sample_at(frame, 1))
    assert "<th>age</th><td>40</td>" in row and "<td>Rome</td>" in row
    assert render_sample(3, lambda s: f"<b>{s}</b>") == "<b>3</b>"
    png = _png(np.zeros((1, 1), dtype=np.uint8))
    assert "data:image/png" in render_sample(0, lambda s: png)
    with pytest.raises(TypeError, match="renderer must return HTML"):
        render_sample(0, lambda s: 42)
    with pytest.raises(ValueError, match="renderer must be one of"):
        render_sample(0, "video")


def test_render_sparse_row():
    sp = pytest.importorskip("scipy.sparse")
    from skactive.widgets._render import sample_at

    X = sp.csr_matrix(np.array([[0, 2.0, 0], [1.0, 0, 3.0]]))
    html = render_sample(sample_at(X, 1), columns=["a", "b", "c"])
    assert "<th>a</th><td>1</td>" in html and "<th>c</th><td>3</td>" in html
    assert "<th>b</th>" not in html


# ---------------------------------------------------------------- the widget
def test_widget_handles_the_page_messages(digits, tmp_path):
    pytest.importorskip("anywidget")
    from skactive.widgets import LabellingWidget

    X, y = digits
    images = X.reshape(-1, 8, 8)
    path = tmp_path / "s.json"
    widget = LabellingWidget(
        make_learner(X, path), display=images, background=False, budget=5
    )
    assert widget.classes == [str(c) for c in range(10)]
    assert widget.class_keys == widget.classes
    assert widget.action_keys == {
        "undo": "Backspace",
        "skip": "ArrowRight",
        "unsure": "?",
    }
    row = widget.sample_index
    assert widget.sample_html.startswith("<img")
    widget.handle({"action": "label", "cls": int(y[row]), "index": row})
    assert saved_labels(path) == {row: int(y[row])}
    assert widget.n_done == 1 and widget.sample_index != row and widget.can_undo
    widget.handle({"action": "undo", "index": widget.sample_index})
    assert widget.sample_index == row and widget.current_label == int(y[row])
    assert "labels in the session" in widget.progress_html
    widget.handle({"action": "skip", "index": row})  # keeps its label
    widget.handle({"action": "unsure", "index": widget.sample_index})
    assert widget.n_unsure == 1
    widget.handle({"action": "fly", "index": 0})
    assert "unknown action" in widget.message
    widget.handle({"action": "label", "cls": 1, "index": widget.sample_index})
    assert widget.last_error is None and widget.message == ""
    widget.close()


def test_widget_keys_and_errors(digits):
    pytest.importorskip("anywidget")
    from skactive.widgets import LabellingWidget

    X, _ = digits
    learner = ActiveLearner(
        MarginSampling(batch_size=3), X, classes=["cat", "dog"], random_state=0
    )
    widget = LabellingWidget(learner, background=False, renderer="table")
    assert widget.class_keys == ["1", "2"]
    widget = LabellingWidget(
        learner, keys={"cat": "c", "dog": "d", "skip": " "}, background=False
    )
    assert widget.class_keys == ["c", "d"] and widget.action_keys["skip"] == " "
    with pytest.raises(ValueError, match="keys must be distinct"):
        LabellingWidget(learner, keys={"cat": "d", "dog": "d"}, background=False)
    with pytest.raises(ValueError, match="neither a class"):
        LabellingWidget(learner, keys={"bird": "b"}, background=False)
    with pytest.raises(ValueError, match="display has 3 rows"):
        LabellingWidget(learner, display=["a", "b", "c"], background=False)
    with pytest.raises(ValueError, match="renderer must be"):
        LabellingWidget(learner, renderer="video", background=False)


def test_widget_shows_a_failed_autosave_and_keeps_the_row(digits, tmp_path):
    pytest.importorskip("anywidget")
    from skactive.widgets import LabellingWidget

    X, _ = digits
    folder = tmp_path / "gone"
    folder.mkdir()
    widget = LabellingWidget(make_learner(X, folder / "s.json"), background=False)
    folder.rmdir()
    row = widget.sample_index
    widget.handle({"action": "label", "cls": 2, "index": row})
    assert widget.sample_index == row and widget.learner.n_labelled == 0
    assert "nothing was recorded" in widget.message
    assert isinstance(widget.last_error, OSError)


def test_widget_refreshes_from_the_background_thread(digits):
    pytest.importorskip("anywidget")
    from skactive.widgets import LabellingWidget

    X, y = digits
    strategy = MarginSampling(SlowFit(0.05), batch_size=4, random_state=0)
    learner = make_learner(X, strategy=strategy, validate_pool=False)
    widget = LabellingWidget(learner, prefetch=0)
    changed = threading.Event()
    widget.observe(lambda change: changed.set(), names="sample_index")
    widget.queue.wait(30)
    if widget.sample_index < 0:
        assert changed.wait(30)
    for _ in range(6):  # the queue runs dry: the page waits for the query
        widget.queue.wait(30)
        row = widget.sample_index
        widget.handle({"action": "label", "cls": int(y[row]) % 2, "index": row})
    assert widget.queue.wait(30)
    assert widget.sample_index >= 0 and widget.status == "labelling"
    widget.close()


def test_random_sampling_and_import_without_widgets_extra():
    """``import skactive.widgets`` needs neither ipywidgets nor anywidget."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules['anywidget'] = sys.modules['ipywidgets'] = None\n"
        "import skactive.widgets as w\n"
        "try:\n    w.LabellingWidget\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert 'pip install "skactive[widgets]"' in out.stdout
    learner = ActiveLearner(RandomSampling(batch_size=2), np.zeros((6, 2)),
                            classes=[0, 1], random_state=0)  # fmt: skip
    queue = LabellingQueue(learner, background=False)
    assert queue.current is not None


def test_the_adaptive_strategy_learns_through_the_widget(digits, tmp_path):
    # The background copy of the session carries the bandit's state both
    # ways: its draws (the rows shown) are credited once labelled, and the
    # session file holds the draws still awaiting their labels.
    from skactive import ActiveLearningByLearning
    from skactive.strategies._adaptive import row_keys

    X, y = digits
    path = tmp_path / "s.json"
    strategy = ActiveLearningByLearning(
        LogisticRegression(max_iter=200), batch_size=5, random_state=0
    )
    learner = make_learner(X, path, strategy)
    queue = LabellingQueue(learner, background=False)
    label_n(queue, y, 40)
    bandit = learner.strategy_
    assert len(bandit.rewards_) >= 4 and np.any(bandit.log_weights_ != 0)
    learner.save(path)
    pending = read_session(path).strategy_state["pending"]
    assert set(pending["keys"]) <= set(row_keys(X))
    # every pending draw is a row the widget queued and nobody labelled yet
    waiting = set(pending["keys"])
    labelled = set(row_keys(X[learner.labelled_indices]))
    assert waiting and not waiting & labelled
