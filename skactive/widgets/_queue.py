"""The labelling widget's logic, without a user interface: a queue of queried
samples in front of an :class:`~skactive.ActiveLearner`, the actions a person
takes on them, and the refit and next query in a background thread."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..loop import ActiveLearner
from ..utils._validation import check_int

__all__ = ["LabellingQueue"]

STATUSES = ("labelling", "querying", "done", "error")


@dataclass(frozen=True)
class Action:
    """One thing the person did: ``kind`` is ``"label"``, ``"relabel"``,
    ``"skip"`` or ``"unsure"``; ``label`` is the class given (or ``None``),
    ``previous`` the label the row had before a relabel."""

    index: int
    kind: str
    label: object = None
    previous: object = None


class LabellingQueue:
    """The samples to label next, and what a person does with them.

    The logic of :class:`~skactive.widgets.LabellingWidget`, usable (and
    tested) without a browser. It shows one pool row at a time
    (:attr:`current`) out of a queue of queried rows. Each label is taught
    to the session at once, and saved when the session autosaves, before
    the next row is shown; the model is not refitted then. When fewer than
    ``prefetch`` rows are queued, a copy of the session is refitted and
    queried for the next batch in a background thread, so that a label
    never waits for a refit when a row is queued.

    Parameters
    ----------
    learner : ActiveLearner
        The labelling session (a classification one), new or resumed with
        :meth:`ActiveLearner.load <skactive.ActiveLearner.load>`. With
        ``autosave``, every label is in its file before the next sample is
        shown.
    classes : array-like, default=None
        The labels to offer. ``None``: the session's declared ``classes``
        (``ActiveLearner(..., classes=...)``), required when it declares
        none. A session that declares classes accepts only a subset of them.
    batch_size : int, default=None
        Rows per query; ``None``: the strategy's ``batch_size``.
    prefetch : int, default=None
        The next batch is queried as soon as fewer than this many rows are
        queued (not counting the one shown). ``None``: half the batch size
        (at least 1). ``0`` waits until the queue is empty: each batch is
        chosen by a model fitted on every label so far.
    budget : int, default=None
        Number of new labels to ask for (relabels do not count); ``None``:
        until the pool is labelled.
    X_test, y_test : array-like, default=None
        Held-out samples and their labels: after each refit, the model's
        score on them (:meth:`ActiveLearner.score
        <skactive.ActiveLearner.score>`) is added to :attr:`curve`.
    background : bool, default=True
        Refit and query in a background thread. ``False``: in the call
        that empties the queue (simpler to debug, and deterministic).

    Attributes
    ----------
    learner : ActiveLearner
        The session.
    classes : ndarray
        The labels offered.
    actions : list of Action
        What the person did, in order (undone actions removed).
    curve : list of tuple
        ``(n_labels, score)`` after each refit, with ``X_test``.

    See Also
    --------
    LabellingWidget : the notebook widget on this queue.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import ActiveLearner, MarginSampling
    >>> from skactive.widgets import LabellingQueue
    >>> X, y = load_iris(return_X_y=True)
    >>> learner = ActiveLearner(MarginSampling(batch_size=4), X,
    ...                         classes=[0, 1, 2], random_state=0)
    >>> queue = LabellingQueue(learner, budget=6, background=False)
    >>> while queue.current is not None:
    ...     _ = queue.label(y[queue.current])     # a person's click
    >>> learner.n_labelled, queue.status
    (6, 'done')
    """

    def __init__(
        self,
        learner: ActiveLearner,
        *,
        classes=None,
        batch_size: int | None = None,
        prefetch: int | None = None,
        budget: int | None = None,
        X_test=None,
        y_test=None,
        background: bool = True,
    ):
        if not isinstance(learner, ActiveLearner):
            raise TypeError(
                "learner must be a skactive.ActiveLearner (a labelling session), "
                f"got {type(learner).__name__}."
            )
        if learner.is_regression:
            raise TypeError(
                "learner is a regression session (real-valued labels): the "
                "labelling widget offers classes to click, for classification."
            )
        self.classes = _check_classes(learner, classes)
        if batch_size is None:
            batch_size = learner.strategy.get_params().get("batch_size", 1)
        self.batch_size = check_int(batch_size, "batch_size", low=1)
        if prefetch is None:
            prefetch = max(1, self.batch_size // 2)
        self.prefetch = check_int(prefetch, "prefetch", low=0)
        self.budget = check_int(budget, "budget", low=0, allow_none=True)
        if (X_test is None) != (y_test is None):
            raise ValueError("X_test and y_test go together: give both or neither.")
        if not isinstance(background, bool):
            raise TypeError(f"background must be a bool, got {background!r}.")
        self.learner = learner
        self.X_test = X_test
        self.y_test = y_test
        self.background = background
        self.actions: list[Action] = []
        self.curve: list[tuple[int, float]] = []
        self.error: BaseException | None = None
        self.latencies: list[float] = []  # seconds per action, for reports

        # One lock for the session and this queue: teach (and its autosave)
        # and the copy a background query starts from never interleave.
        self._lock = threading.RLock()
        self._queue: deque[int] = deque()
        self._current: int | None = None
        self._skipped: set[int] = set()
        self._unsure: list[int] = []
        self._new: set[int] = set()  # rows first labelled here
        self._review: set[int] = set()  # queued again by undo or review
        self._job: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()
        self._exhausted = False
        self._closed = False
        self._listeners: list[Callable[[], None]] = []
        self._n_fits = 0
        self._scored_at: int | None = None
        with self._lock:
            self._refill()

    # ------------------------------------------------------------ state
    @property
    def current(self) -> int | None:
        """The pool row to label now; ``None`` while waiting for a query, or
        when done."""
        return self._current

    @property
    def queued(self) -> list[int]:
        """The rows queued after :attr:`current`, in order."""
        with self._lock:
            return list(self._queue)

    @property
    def skipped(self) -> list[int]:
        """Rows skipped in this session (not offered again, not labelled)."""
        with self._lock:
            return sorted(self._skipped)

    @property
    def unsure(self) -> list[int]:
        """Rows marked "not sure", in order; :meth:`review_unsure` offers
        them again."""
        with self._lock:
            return list(self._unsure)

    @property
    def n_new(self) -> int:
        """Rows labelled for the first time through this queue."""
        return len(self._new)

    @property
    def busy(self) -> bool:
        """Whether a refit and query is running."""
        return not self._idle.is_set()

    @property
    def done(self) -> bool:
        """The budget is spent, or no row is left to query."""
        with self._lock:
            return self._budget_left() == 0 or (
                self._exhausted and self._current is None and not self._queue
            )

    @property
    def status(self) -> str:
        """``"labelling"`` (a row is shown), ``"querying"`` (waiting for the
        next batch), ``"done"`` or ``"error"`` (the query failed: see
        :attr:`error`, and :meth:`retry`)."""
        with self._lock:
            if self._current is not None:
                return "labelling"
            if self.done:
                return "done"
            if self.error is not None and not self.busy:
                return "error"
            return "querying"

    def current_label(self):
        """The label the shown row has already (reviewing a labelled row), or
        ``None``."""
        with self._lock:
            if self._current is None or not self.learner.labelled_mask[self._current]:
                return None
            position = np.flatnonzero(self.learner.labelled_indices == self._current)
            return self.learner.labels[position[0]]

    def progress(self) -> dict:
        """What the widget shows of the session.

        Returns
        -------
        progress : dict
            ``"n_labels"`` (in the session), ``"n_new"`` (labelled here),
            ``"budget"``, ``"n_queued"``, ``"n_skipped"``, ``"n_unsure"``,
            ``"class_counts"`` (of the offered classes), ``"score"`` (the
            last one, or ``None``), ``"curve"``, ``"status"`` and
            ``"busy"``.
        """
        with self._lock:
            counts = self.learner.class_counts()
            return {
                "n_labels": self.learner.n_labelled,
                "n_new": self.n_new,
                "budget": self.budget,
                "n_queued": len(self._queue),
                "n_skipped": len(self._skipped),
                "n_unsure": len(self._unsure),
                "class_counts": {c: counts.get(c, 0) for c in self.classes.tolist()},
                "score": self.curve[-1][1] if self.curve else None,
                "curve": list(self.curve),
                "status": self.status,
                "busy": self.busy,
            }

    def observe(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after every change (an action, a query done),
        from the thread that made it."""
        self._listeners.append(callback)

    # ------------------------------------------------------------ actions
    def label(self, label, index: int | None = None) -> int | None:
        """Label the shown row (taught and saved before this returns), and
        show the next one.

        Parameters
        ----------
        label : object
            One of :attr:`classes`.
        index : int, default=None
            The row the person saw when they clicked; a click on a row that
            is no longer shown (a double click) is ignored. ``None``: the
            shown row.

        Returns
        -------
        current : int or None
            The row shown now.

        Raises
        ------
        ValueError
            ``label`` is not one of :attr:`classes`.
        SessionConflictError, SessionLockedError, OSError
            The autosave failed: the label is not taught, and the row stays
            shown (see :meth:`ActiveLearner.teach
            <skactive.ActiveLearner.teach>`).
        """
        start = time.perf_counter()
        label = self._check_label(label)
        with self._lock:
            row = self._current
            if row is None or (index is not None and int(index) != row):
                return row
            labelled = bool(self.learner.labelled_mask[row])
            previous = self.current_label() if labelled else None
            if not labelled or previous != label:
                self.learner.teach([row], [label], relabel=labelled, refit=False)
            if not labelled:
                self._new.add(row)
            kind = "relabel" if labelled else "label"
            self.actions.append(Action(row, kind, label, previous))
            self._advance()
        return self._finish(start)

    def skip(self, index: int | None = None) -> int | None:
        """Show the next row; the shown one is not labelled (nor offered
        again by this queue). On a labelled row under review, keep its
        label."""
        return self._put_aside("skip", index)

    def not_sure(self, index: int | None = None) -> int | None:
        """Put the shown row aside as "not sure" (:attr:`unsure`), and show
        the next one; :meth:`review_unsure` offers them again."""
        return self._put_aside("unsure", index)

    def undo(self) -> int | None:
        """Show again the row of the last action, and forget that action.

        A label stays taught (a session never drops a label: it is saved,
        and other writers may have it): the row is shown for review, with
        its label, and a click on another class relabels it. An undone
        skip or "not sure" offers the row again. Undo again to go further
        back.

        Returns
        -------
        current : int or None
            The row shown now.
        """
        start = time.perf_counter()
        with self._lock:
            if not self.actions:
                return self._current
            last = self.actions.pop()
            if last.kind == "skip":
                self._skipped.discard(last.index)
            elif last.kind == "unsure" and last.index in self._unsure:
                self._unsure.remove(last.index)
            self._show(last.index)
        return self._finish(start)

    def review(self, index: int) -> int | None:
        """Show a pool row (labelled or not) now; the shown one goes back to
        the front of the queue. A click on a labelled row relabels it."""
        index = self._check_row(index)
        start = time.perf_counter()
        with self._lock:
            self._skipped.discard(index)
            if index in self._unsure:
                self._unsure.remove(index)
            self._show(index)
        return self._finish(start)

    def relabel(self, index: int, label) -> None:
        """Change the label of a labelled row (taught and saved now)."""
        index = self._check_row(index)
        label = self._check_label(label)
        with self._lock:
            if not self.learner.labelled_mask[index]:
                raise ValueError(
                    f"index {index} is not labelled: there is no label to change."
                )
            position = np.flatnonzero(self.learner.labelled_indices == index)[0]
            previous = self.learner.labels[position]
            if previous != label:
                self.learner.teach([index], [label], relabel=True, refit=False)
            self.actions.append(Action(index, "relabel", label, previous))
        self._notify()

    def review_unsure(self) -> int | None:
        """Offer the "not sure" rows again, before the queued ones."""
        start = time.perf_counter()
        with self._lock:
            rows, self._unsure = self._unsure, []
            if not rows:
                return self._current
            if self._current is not None:
                self._queue.appendleft(self._current)
                self._review.add(self._current)
            self._queue.extendleft(reversed(rows[1:]))
            self._current = rows[0]
        return self._finish(start)

    def retry(self) -> None:
        """Query again after a failed query (:attr:`error`)."""
        with self._lock:
            self.error = None
            self._refill()
        self._notify()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background refit and query; returns whether it is
        done (``False`` on a timeout)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self._idle.wait(left):
                return False
            with self._lock:
                if self._idle.is_set():
                    return True

    def close(self) -> None:
        """Stop querying: a running query's result is dropped."""
        with self._lock:
            self._closed = True

    # ------------------------------------------------------------ internals
    def _check_row(self, index) -> int:
        index = check_int(index, "index", low=0)
        if index >= self.learner.n_pool:
            raise ValueError(
                f"index must be a row of the pool, in [0, {self.learner.n_pool}); "
                f"got {index}."
            )
        return index

    def _check_label(self, label):
        matches = [c for c in self.classes.tolist() if c == label]
        if not matches:
            raise ValueError(
                f"label {label!r} is not one of the classes offered "
                f"{self.classes.tolist()!r}."
            )
        return matches[0]

    def _put_aside(self, kind: str, index) -> int | None:
        start = time.perf_counter()
        with self._lock:
            row = self._current
            if row is None or (index is not None and int(index) != row):
                return row
            if not self.learner.labelled_mask[row]:
                if kind == "skip":
                    self._skipped.add(row)
                else:
                    self._unsure.append(row)
            self.actions.append(Action(row, kind))
            self._advance()
        return self._finish(start)

    def _finish(self, start: float) -> int | None:
        self.latencies.append(time.perf_counter() - start)
        self._notify()
        return self._current

    def _show(self, row: int) -> None:
        if self._current is not None and self._current != row:
            self._queue.appendleft(self._current)
            self._review.add(self._current)  # shown again, labelled or not
        if row in self._queue:
            self._queue.remove(row)
        self._current = row

    def _budget_left(self) -> int | None:
        if self.budget is None:
            return None
        return max(0, self.budget - len(self._new))

    def _advance(self) -> None:
        """Show the next queued row (none once the budget is spent), and
        query more when few are left."""
        self._current = None
        left = self._budget_left()
        while self._queue and (left is None or left > 0):
            row = self._queue.popleft()
            if self.learner.labelled_mask[row] and row not in self._review:
                continue  # labelled elsewhere (merged from the session file)
            self._review.discard(row)
            self._current = row
            break
        self._refill()

    def _candidates(self) -> np.ndarray:
        """Unlabelled rows, less those queued, shown, skipped or unsure."""
        mask = ~self.learner.labelled_mask
        taken = [*self._queue, *self._skipped, *self._unsure]
        if self._current is not None:
            taken.append(self._current)
        if taken:
            mask[np.asarray(taken, dtype=np.intp)] = False
        return mask

    def _refill(self) -> None:
        """Start a query if few rows are queued (under the lock)."""
        if self._closed or self.busy or self.error is not None:
            return
        if self.done:
            self._final_score()
            return
        low = len(self._queue) < self.prefetch
        if not (low or (self._current is None and not self._queue)):
            return
        k = self.batch_size
        left = self._budget_left()
        if left is not None:
            k = min(k, left - len(self._queue) - (self._current is not None))
        if k <= 0:
            return
        candidates = self._candidates()
        n_candidates = int(candidates.sum())
        if n_candidates == 0:
            self._exhausted = True
            if self.done:
                self._final_score()
            return
        self._start(candidates, min(k, n_candidates))

    def _final_score(self) -> None:
        """Once done, refit on every label for a last point of the curve."""
        if self.X_test is None or self._closed:
            return
        n = self.learner.n_labelled
        if self._scored_at == n or (self.curve and self.curve[-1][0] == n):
            return
        self._scored_at = n
        self._start(None, 0)

    def _start(self, candidates: np.ndarray | None, k: int) -> None:
        """Refit a copy of the session and query ``k`` rows of
        ``candidates`` (``k=0``: refit only), in the background or now."""
        twin = self.learner._fork()
        self._idle.clear()
        if not self.background:
            self._query(twin, candidates, k)
            return
        self._job = threading.Thread(
            target=self._query,
            args=(twin, candidates, k),
            name="skactive-labelling-query",
            daemon=True,
        )
        self._job.start()

    def _query(self, twin: ActiveLearner, candidates, k: int) -> None:
        """Refit a copy of the session and query it (outside the lock), then
        queue the rows that nobody labelled meanwhile."""
        rows = score = error = None
        try:
            if k:
                rows = np.asarray(twin.query(k, candidates=candidates), dtype=np.intp)
            else:
                rows = np.empty(0, dtype=np.intp)
                twin.fit_model()
            if self.X_test is not None and twin.is_fitted:
                score = float(twin.score(self.X_test, self.y_test))
        except Exception as exc:  # shown in the widget, kept in self.error
            error = exc
        with self._lock:
            self._job = None
            if error is not None:
                self.error = error
            elif not self._closed:
                self._n_fits += 1
                self.learner._adopt_fit(twin)
                if score is not None and not (
                    self.curve and self.curve[-1][0] == twin.n_labelled
                ):
                    self.curve.append((twin.n_labelled, score))
                taken = ~self._candidates()
                fresh = [int(r) for r in rows if not taken[r]]
                self._queue.extend(fresh)
                if k and not rows.size:
                    self._exhausted = True
            self._idle.set()
            if error is None and not self._closed:
                if self._current is None:
                    self._advance()
                else:
                    self._refill()
        if self.background:
            self._notify()

    def _notify(self) -> None:
        for callback in list(self._listeners):
            callback()


def _check_classes(learner: ActiveLearner, classes) -> np.ndarray:
    declared = learner._declared
    if classes is None:
        if declared is None:
            raise ValueError(
                "classes is required: the session declares no label set (give "
                "classes= here, or ActiveLearner(..., classes=...)), and the "
                "widget offers only known classes, never free typing."
            )
        return declared
    arr = np.asarray(classes)
    if arr.ndim != 1 or arr.shape[0] < 2 or np.unique(arr).shape[0] != arr.shape[0]:
        raise ValueError(
            f"classes must be at least 2 distinct labels, got {arr.tolist()[:10]!r}."
        )
    if declared is not None:
        unknown = ~np.isin(arr, declared)
        if unknown.any():
            raise ValueError(
                f"classes {arr[unknown].tolist()!r} are not in the session's "
                f"declared classes {declared.tolist()!r}."
            )
    return arr
