"""The notebook labelling widget: an anywidget view of a LabellingQueue."""

from __future__ import annotations

import threading

import anywidget
import traitlets

from ..utils._compat import _num_samples
from ._frontend import CSS, ESM
from ._progress import progress_html
from ._queue import LabellingQueue
from ._render import render_sample, sample_at

__all__ = ["LabellingWidget"]

ACTIONS = ("undo", "skip", "unsure")
ACTION_KEYS = {"undo": "Backspace", "skip": "ArrowRight", "unsure": "?"}


def _default_keys(names: list[str]) -> list[str]:
    """One key per class: the class itself when every class is one
    distinct character ("0" to "9" for digits), else 1 to 9 and 0 for the
    first ten classes."""
    specials = set(ACTION_KEYS.values())
    single = all(len(n) == 1 for n in names) and len(set(names)) == len(names)
    if single and not specials & set(names):
        return list(names)
    digits = [str(i) for i in range(1, 10)] + ["0"]
    return [digits[i] if i < len(digits) else "" for i in range(len(names))]


class LabellingWidget(anywidget.AnyWidget):
    """Label the samples an active learning session asks about, in a notebook.

    Shows the queried rows of an :class:`~skactive.ActiveLearner` one at a
    time and takes each label with a click on a class or its key. Each
    label is taught and, when the session autosaves, saved to its file
    before the next row appears: closing the tab or killing the kernel loses
    no label that was clicked (the next row showing is the
    acknowledgement). The model is refitted and the next batch queried in a
    background thread while the queued rows are labelled, so a click shows
    the next row at once whenever one is queued. The panel on the right
    shows the labels, the budget, the count of every class and, with
    ``X_test`` and ``y_test``, the score of each refit and its learning
    curve.

    Keys: the class keys shown on the buttons (the class itself when every
    class is one character, else ``1`` ... ``9``, ``0``), ``Backspace``
    undo, ``ArrowRight`` skip, ``?`` not sure; click the widget first so
    that it has the keyboard focus.

    Needs the ``widgets`` extra: ``pip install "skactive[widgets]"``
    (ipywidgets and anywidget).

    Parameters
    ----------
    learner : ActiveLearner
        The labelling session, new or resumed with
        :meth:`ActiveLearner.load <skactive.ActiveLearner.load>` (the widget
        goes on where the file left off). Give it ``autosave=path`` so that
        every click is saved. Any query strategy works.
    display : array-like, default=None
        What to show for each pool row, indexed like the pool: the images
        while the pool holds their features, file paths, the texts of an
        embedded pool. ``None``: the pool rows themselves.
    renderer : {"auto", "image", "text", "table"} or callable, default="auto"
        How a row is shown (see :func:`~skactive.widgets.render_sample`): a
        2-d or 3-d array as an image, a path to an image file as that
        image, a string as a text, a DataFrame row or a feature vector as a
        small table; a callable returns HTML, image bytes or an object with
        a rich display.
    image_shape : tuple of int, default=None
        The shape of images stored as flat rows (``(8, 8)`` for the digits).
    image_width : int, default=None
        Width of images on the page in pixels; ``None``: small images are
        enlarged up to 160 pixels.
    columns : list of str, default=None
        Names of a feature vector's entries in a table.
    classes : array-like, default=None
        The classes offered (buttons); ``None``: the session's declared
        ``classes`` (required when it declares none). Nobody types a class
        name: a typo cannot become a class.
    keys : dict, default=None
        Keys (``KeyboardEvent.key`` values: ``"a"``, ``"1"``,
        ``"ArrowLeft"``) for classes, by class, and for ``"undo"``,
        ``"skip"`` and ``"unsure"``; they replace the defaults they name.
    batch_size, prefetch, budget, X_test, y_test, background
        As in :class:`~skactive.widgets.LabellingQueue`.
    autofocus : bool, default=True
        Take the keyboard focus when shown.

    Attributes
    ----------
    queue : LabellingQueue
        The widget's logic: the queue, the actions, the learning curve.
    learner : ActiveLearner
        The session.
    last_error : Exception or None
        The error of the last action that failed (an autosave that could
        not write, say), also shown in the widget.

    See Also
    --------
    LabellingQueue : the same logic without a user interface.
    skactive.ActiveLearner : the session the widget labels.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import ActiveLearner, MarginSampling
    >>> from skactive.widgets import LabellingWidget
    >>> digits = load_digits()
    >>> strategy = MarginSampling(LogisticRegression(max_iter=500), batch_size=10)
    >>> learner = ActiveLearner(strategy, digits.data, classes=range(10),
    ...                         random_state=0)  # autosave="digits.json" too
    >>> widget = LabellingWidget(learner, display=digits.images, budget=50,
    ...                          background=False)
    >>> widget.classes[:3], widget.class_keys[:3]
    (['0', '1', '2'], ['0', '1', '2'])
    >>> row = widget.queue.current
    >>> widget.handle({"action": "label", "cls": 3, "index": row})  # a click on 3
    >>> learner.labelled_indices.tolist() == [row], widget.n_done
    (True, 1)

    In a notebook, the last line of a cell, ``widget``, shows it.
    """

    _esm = ESM
    _css = CSS
    sample_index = traitlets.Int(-1).tag(sync=True)
    sample_html = traitlets.Unicode("").tag(sync=True)
    classes = traitlets.List(traitlets.Unicode()).tag(sync=True)
    class_keys = traitlets.List(traitlets.Unicode()).tag(sync=True)
    action_keys = traitlets.Dict().tag(sync=True)
    current_label = traitlets.Int(-1).tag(sync=True)
    status = traitlets.Unicode("querying").tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    progress_html = traitlets.Unicode("").tag(sync=True)
    can_undo = traitlets.Bool(False).tag(sync=True)
    n_unsure = traitlets.Int(0).tag(sync=True)
    n_done = traitlets.Int(0).tag(sync=True)
    autofocus = traitlets.Bool(True).tag(sync=True)

    def __init__(
        self,
        learner,
        *,
        display=None,
        renderer="auto",
        image_shape=None,
        image_width: int | None = None,
        columns=None,
        classes=None,
        keys: dict | None = None,
        batch_size: int | None = None,
        prefetch: int | None = None,
        budget: int | None = None,
        X_test=None,
        y_test=None,
        background: bool = True,
        autofocus: bool = True,
    ):
        super().__init__()
        queue_args = {
            "classes": classes,
            "batch_size": batch_size,
            "prefetch": prefetch,
            "budget": budget,
            "X_test": X_test,
            "y_test": y_test,
            "background": background,
        }
        # Validate everything before the queue starts a query.
        if display is not None and _num_samples(display) != learner.n_pool:
            raise ValueError(
                f"display has {_num_samples(display)} rows for a pool of "
                f"{learner.n_pool}: give one row to show per pool row."
            )
        if not (callable(renderer) or renderer in ("auto", "image", "text", "table")):
            raise ValueError(
                'renderer must be "auto", "image", "text", "table" or a '
                f"callable, got {renderer!r}."
            )
        self.learner = learner
        self.display = learner.X_pool if display is None else display
        self.renderer = renderer
        self.image_shape = image_shape
        self.image_width = image_width
        self.columns = columns
        self.last_error: Exception | None = None
        self._sync = threading.RLock()
        self._rendered: tuple[int, str] | None = None
        try:
            self.queue = LabellingQueue(learner, **queue_args)
            names = [str(c) for c in self.queue.classes.tolist()]
            class_keys, action_keys = self._check_keys(keys, names)
        except Exception:
            self.close()  # the comm opened by AnyWidget.__init__
            raise
        self.classes = names
        self.class_keys = class_keys
        self.action_keys = action_keys
        self.autofocus = bool(autofocus)
        self.queue.observe(self._refresh)
        self.on_msg(self._on_msg)
        self._refresh()

    def _check_keys(self, keys, names):
        class_keys = _default_keys(names)
        action_keys = dict(ACTION_KEYS)
        if keys is not None:
            if not isinstance(keys, dict):
                raise TypeError(
                    "keys must be a dict {class or 'undo'/'skip'/'unsure': key}, "
                    f"got {type(keys).__name__}."
                )
            classes = self.queue.classes.tolist()
            for name, key in keys.items():
                if not isinstance(key, str) or not key:
                    raise TypeError(f"keys[{name!r}] must be a key name, got {key!r}.")
                if isinstance(name, str) and name in ACTIONS and name not in classes:
                    action_keys[name] = key
                elif name in classes:
                    class_keys[classes.index(name)] = key
                else:
                    raise ValueError(
                        f"keys names {name!r}, which is neither a class "
                        f"{classes!r} nor one of {ACTIONS}."
                    )
        taken = [k for k in class_keys + list(action_keys.values()) if k]
        if len(set(taken)) != len(taken):
            raise ValueError(
                f"keys must be distinct: classes {class_keys!r}, actions "
                f"{action_keys!r}; give keys= to choose others."
            )
        return class_keys, action_keys

    # ------------------------------------------------------------ kernel side
    def handle(self, content: dict) -> None:
        """Carry out an action sent by the page, as a click would.

        Parameters
        ----------
        content : dict
            ``{"action": "label", "cls": <class position>, "index": <row>}``,
            or ``"skip"``, ``"unsure"``, ``"undo"``, ``"review_unsure"``
            (with ``"index"``, the row shown when the person acted: an action
            on a row no longer shown is ignored).
        """
        action = content.get("action")
        index = content.get("index")
        index = None if index is None or int(index) < 0 else int(index)
        queue = self.queue
        try:
            if action == "label":
                queue.label(queue.classes[int(content["cls"])], index=index)
            elif action == "skip":
                queue.skip(index=index)
            elif action == "unsure":
                queue.not_sure(index=index)
            elif action == "undo":
                queue.undo()
            elif action == "review_unsure":
                queue.review_unsure()
            else:
                raise ValueError(f"unknown action {action!r}.")
            self.last_error = None
        except Exception as exc:  # shown in the widget; the row stays shown
            self.last_error = exc
        with self._sync:
            self._refresh()
            self.n_done += 1

    def _on_msg(self, widget, content, buffers) -> None:
        if isinstance(content, dict) and "action" in content:
            self.handle(content)

    def _render(self, row: int) -> str:
        if self._rendered is not None and self._rendered[0] == row:
            return self._rendered[1]
        try:
            out = render_sample(
                sample_at(self.display, row),
                self.renderer,
                image_shape=self.image_shape,
                image_width=self.image_width,
                columns=self.columns,
            )
        except Exception as exc:  # shown instead of the sample
            out = (
                '<div class="skactive-status skactive-error">row '
                f"{row} cannot be shown: {type(exc).__name__}: {exc}</div>"
            )
        self._rendered = (row, out)
        return out

    def _message(self, status: str, progress: dict) -> str:
        if self.last_error is not None:
            return (
                f"The last action failed, nothing was recorded: "
                f"{type(self.last_error).__name__}: {self.last_error}"
            )
        if status == "error":
            error = self.queue.error
            return (
                f"The query failed: {type(error).__name__}: {error}. Fix the "
                "cause, then call widget.queue.retry()."
            )
        if status == "done":
            if self.queue.budget is not None and progress["n_new"] >= self.queue.budget:
                return f"Done: the budget of {self.queue.budget} labels is reached."
            return "Done: every row of the pool is labelled or put aside."
        if status == "querying":
            return "Fitting the model and choosing the next samples..."
        if progress["busy"]:
            return "Refitting and querying the next batch in the background."
        return ""

    def _refresh(self) -> None:
        """Send the queue's state to the page (from any thread)."""
        with self._sync:
            queue = self.queue
            with queue._lock:
                row = queue.current
                label = queue.current_label()
                progress = queue.progress()
                can_undo = bool(queue.actions)
                n_unsure = len(queue.unsure)
            status = progress["status"]
            position = -1
            if label is not None:
                matches = [
                    i for i, c in enumerate(queue.classes.tolist()) if c == label
                ]
                position = matches[0] if matches else -1
            with self.hold_sync():
                self.sample_html = "" if row is None else self._render(row)
                self.sample_index = -1 if row is None else int(row)
                self.current_label = position
                self.status = status
                self.busy = bool(progress["busy"])
                self.message = self._message(status, progress)
                self.progress_html = progress_html(progress)
                self.can_undo = can_undo
                self.n_unsure = n_unsure

    def close(self) -> None:
        """Stop the background queries and close the widget."""
        queue = getattr(self, "queue", None)
        if queue is not None:
            queue.close()
        super().close()
