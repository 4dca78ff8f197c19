"""A labelling session: which pool rows are labelled, query, teach, save.

The session file's format, its checks and atomic writes are in
:mod:`skactive.loop._persist`.
"""

from __future__ import annotations

import copy
import inspect
import numbers
import os
import stat
import time
import warnings
from dataclasses import replace

import numpy as np
from sklearn.base import clone, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from tqdm.auto import tqdm

from ..exceptions import BatchSizeWarning, PoolMismatchError, SessionFileError
from ..strategies import AdaptiveSampling
from ..utils._compat import _num_samples, _safe_indexing
from ..utils._pool import Pool, check_candidates
from ..utils._validation import check_batch_size, check_int, check_real
from ._atomic import check_replaceable, resolve_target
from ._lock import session_lock
from ._merge import Base, merge_sessions
from ._persist import (
    MAX_LABEL_LENGTH,
    SessionFile,
    bytes_digest,
    count_labels,
    describe_targets,
    parse_session,
    pool_fingerprint,
    read_bytes,
    read_model,
    read_session,
    target_summary,
    write_session,
)
from ._persist import label_kind as _label_kind
from ._pool_check import check_session_pool

__all__ = [
    "ActiveLearner",
    "check_query_strategy",
    "is_regression",
    "map_candidates",
    "max_proba",
]

# A regression strategy is fitted from this many labels on (a classifier:
# from two classes on).
MIN_REGRESSION_LABELS = 2


def is_regression(strategy) -> bool:
    """Whether ``strategy`` serves a regressor (scikit-learn's
    :func:`~sklearn.base.is_regressor`): real-valued labels, regression
    metrics. :class:`~skactive.RandomSampling` and
    :class:`~skactive.CoreSet` follow their estimator's task."""
    try:
        return bool(is_regressor(strategy))
    except Exception:  # an object without scikit-learn's tags: a classifier
        return False


def check_query_strategy(strategy, name: str = "strategy") -> None:
    """A query strategy: ``fit``, and ``query`` with ``candidates=``."""
    for method in ("fit", "query"):
        if not hasattr(strategy, method):
            raise TypeError(
                f"{name} must be a query strategy with fit and query (e.g. "
                f"skactive.MarginSampling); got {type(strategy).__name__}, which "
                f"has no {method}."
            )
    try:
        parameters = inspect.signature(strategy.query).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover - builtins, C extensions
        return
    if not any(p.name == "candidates" or p.kind is p.VAR_KEYWORD for p in parameters):
        raise TypeError(
            f"{name}.query must take candidates= (the rows of X_pool that may be "
            "selected: the session's unlabelled rows), as every skactive "
            f"strategy does; {type(strategy).__name__}.query does not."
        )


def map_candidates(strategy, X_pool, candidates, func, *args):
    """``func(X_chunk, *args)`` over the rows ``candidates`` of ``X_pool``.

    The loop's passes over the unlabelled rows (pseudo-labels, stopping
    criteria, the classifier's pool accuracy) read them as the strategy's
    queries do: ``chunk_size`` rows at a time, ``n_jobs`` chunks at a time
    (:class:`~skactive.utils.Pool`), never copying the pool. Returns the
    stacked results, one row per candidate, in the order of ``candidates``
    (sorted).
    """
    pool = Pool(
        X_pool,
        check_candidates(candidates, _num_samples(X_pool)),
        chunk_size=getattr(strategy, "chunk_size", None),
        n_jobs=getattr(strategy, "n_jobs", None),
    )
    return pool.map(func, *args)


def max_proba(X, model):
    """Highest class probability of each row (a function for ``Pool.map``)."""
    return model.predict_proba(X).max(axis=1)


def _confidence(X, model):
    """Highest class probability of each row, and its column."""
    proba = model.predict_proba(X)
    return proba.max(axis=1), proba.argmax(axis=1)


def _qualified_name(obj) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _check_indices(indices, n_pool: int) -> np.ndarray:
    """1-d array of unique pool indices in ``[0, n_pool)``."""
    arr = np.asarray(indices)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"indices must be 1-d, got shape {arr.shape}.")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(
            f"indices must be integer indices into X_pool, got dtype {arr.dtype}."
        )
    arr = arr.astype(np.intp, copy=False)
    if arr.size and (arr.min() < 0 or arr.max() >= n_pool):
        bad = arr[(arr < 0) | (arr >= n_pool)]
        raise ValueError(
            f"indices must be in [0, {n_pool}) (rows of X_pool); got "
            f"{bad[:10].tolist()}."
        )
    unique, counts = np.unique(arr, return_counts=True)
    if unique.shape[0] != arr.shape[0]:
        raise ValueError(
            f"indices contain duplicates: {unique[counts > 1][:10].tolist()}."
        )
    return arr


def _check_labels(labels, n: int, regression: bool = False) -> np.ndarray:
    """One label per index: class labels, or real numbers for regression."""
    arr = np.asarray(labels)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"labels must be 1-d, got shape {arr.shape}.")
    if arr.shape[0] != n:
        raise ValueError(
            f"labels has {arr.shape[0]} entries for {n} indices: give one "
            "label per index."
        )
    if arr.size and regression:
        return _check_targets(arr)
    if arr.size:
        if _label_kind(arr) == "str":
            longest = max(len(v) for v in arr.ravel().tolist())
            if longest > MAX_LABEL_LENGTH:
                raise ValueError(
                    f"labels must be at most {MAX_LABEL_LENGTH} characters long "
                    f"(class names), got one of {longest}."
                )
        try:
            check_classification_targets(arr)
        except ValueError as exc:
            raise ValueError(f"labels are not class labels: {exc}") from None
    return arr


def _check_targets(arr: np.ndarray) -> np.ndarray:
    """Labels of a regression session: finite real numbers."""
    if arr.dtype.kind == "O":
        values = arr.tolist()
        if not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values
        ):
            bad = next(
                v
                for v in values
                if not isinstance(v, numbers.Real) or isinstance(v, bool)
            )
            raise TypeError(
                "labels of a regression strategy must be real numbers (the "
                f"targets); got {bad!r:.40}."
            )
        arr = np.array(values, dtype=np.result_type(*values))
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            "labels of a regression strategy must be real numbers (the targets); "
            f"got {arr.tolist()[:5]!r} of dtype {arr.dtype}."
        )
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(
            "labels of a regression strategy must be finite numbers; got "
            f"{arr[~np.isfinite(arr)][:5].tolist()!r}."
        )
    return arr


def _check_declared_classes(classes) -> np.ndarray | None:
    """The declared label set: distinct class labels, at least two, sorted."""
    if classes is None:
        return None
    arr = _check_labels(classes, np.size(classes))
    unique = np.unique(arr)
    if unique.shape[0] != arr.shape[0] or unique.shape[0] < 2:
        raise ValueError(
            f"classes must hold at least 2 distinct labels, got {arr.tolist()[:10]!r}."
        )
    return unique


def _check_random_state(random_state) -> None:
    """None, a non-negative int below 2**32, or a RandomState instance."""
    if random_state is None or isinstance(random_state, np.random.RandomState):
        return
    if not isinstance(random_state, numbers.Integral) or isinstance(random_state, bool):
        raise TypeError(
            "random_state must be None, an int or a numpy RandomState, got "
            f"{random_state!r}."
        )
    if not 0 <= random_state < 2**32:
        raise ValueError(f"random_state must be in [0, 2**32 - 1], got {random_state}.")


def _check_new_session_path(path) -> None:
    """A new session's ``autosave`` file must not hold anything yet: an
    existing session is resumed with ``load``, never overwritten by a new
    one (an empty file is fine)."""
    shown = os.fspath(path)
    try:
        st = os.stat(resolve_target(path))
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"autosave={shown!r} is not a regular file.")
    if st.st_size == 0:
        return
    try:
        saved = read_session(path)
    except SessionFileError as exc:
        raise ValueError(
            f"autosave={shown!r} exists and is not a session file ({exc.what}): "
            "a new session never replaces it; give another path."
        ) from None
    raise ValueError(
        f"autosave={shown!r} already holds a labelling session "
        f"({saved.indices.shape[0]} labels): resume it with "
        f"ActiveLearner.load({shown!r}, X_pool, strategy), or give another "
        "path (or remove the file) to start a new one."
    )


def _read_current(path) -> bytes | None:
    """The bytes of the session file now (under its lock), or ``None`` when
    there is none, or when it is not a regular file (which the write
    refuses)."""
    try:
        st = os.stat(resolve_target(path))
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return read_bytes(resolve_target(path))


class ActiveLearner:
    """A labelling session over a pool: query, teach, save, resume.

    The session knows which rows of ``X_pool`` are labelled (an index list
    and a mask; no sentinel value enters ``y``, so every class label is
    allowed). :meth:`query` asks the strategy about the unlabelled rows only
    and returns indices into ``X_pool``; :meth:`teach` records the labels the
    annotator gave, and refits the strategy on every label so far.

    Until the labelled set holds two classes, no classifier can be fitted:
    :meth:`query` then draws the unlabelled rows at random (seeded by
    ``random_state``), and switches to the strategy as soon as a second class
    is labelled. Classes seen for the first time in a late round simply
    become classes of the refitted model.

    With a regression strategy (``sklearn.base.is_regressor(strategy)``, e.g.
    :class:`~skactive.MaxStdSampling`), the labels are real numbers (the
    targets, finite), the strategy takes over from the second label on,
    :meth:`score` is the R² and :meth:`target_summary` describes the
    labels; ``classes`` and ``pseudo_label_threshold`` are for classifiers
    only.

    Parameters
    ----------
    strategy : QueryStrategy or None
        The query strategy, e.g. :class:`~skactive.MarginSampling`, or a
        regression strategy such as :class:`~skactive.MaxStdSampling` (any
        object with ``fit`` and ``query(X_pool, batch_size, candidates=)``).
        ``None``: :class:`~skactive.AdaptiveSampling` over a logistic
        regression, seeded by ``random_state`` (the default that the
        label-efficiency benchmark supports; ``strategy`` then holds it).
        The session fits a clone of it, ``strategy_``; with the strategy's
        ``warm_start=True``, the clone is refitted in place round after
        round.
    X_pool : array-like or sparse matrix of shape (n_pool, n_features)
        The pool: every sample that may be labelled, labelled or not. It
        must not change during the session. It is not stored in the session
        file (which stays small and data-free); :meth:`load` takes it again
        and checks it against a fingerprint.
    refit : bool, default=True
        ``True``: :meth:`teach` refits the strategy at once, so
        :meth:`predict` and ``strategy_`` always reflect every label.
        ``False``: :meth:`teach` only records the labels and the model is
        refitted when next needed (:meth:`query`, :meth:`predict`,
        :meth:`fit_model`), which is cheaper when teaching one label at a
        time. Both give the same queries.
    pseudo_label_threshold : float, default=None
        Pseudo-labelling, in ``(0, 1]``: after each fit, the unlabelled
        samples predicted with a probability of at least this value are added
        to the training set with their predicted class, and the strategy is
        fitted again (one self-training step, as in CEAL [1]_); uncertain
        samples still go to the annotator through :meth:`query`. Pseudo
        labels are recomputed at every fit and never recorded as labels.
        ``None`` disables it. Classification only.
    autosave : path-like, default=None
        Save the session to this file after every :meth:`teach`, before the
        refit, so that no label is lost if the process dies (see
        :meth:`save`). A file that already exists is an error: resume a
        saved session with :meth:`load`.
    random_state : int, RandomState instance or None, default=None
        Seeds the random queries made before two classes are labelled. An
        int gives the same draws after :meth:`load`.
    classes : array-like of shape (n_classes,), default=None
        The label set, declared: :meth:`teach` rejects any other label (a
        typo does not become a new class), and :attr:`classes` and
        :meth:`class_counts` list every declared class, labelled or not.
        Saved with the session. ``None``: any class label is accepted.
        Classification only: a regression session's labels are numbers.
    validate_pool : bool or "auto", default="auto"
        Check the pool before any label is recorded, so that a pool the
        model cannot read fails now rather than at the first query: an
        :class:`~skactive.exceptions.InvalidPoolError` for a 1-d numeric
        pool, NaN values when the strategy's model does not accept them
        (its ``allow_nan`` tag), infinite values, or a model that fails a
        dry run (a clone of the strategy fitted on the first 20 rows with
        made-up labels, querying 40 rows spread over the pool).
        ``"auto"``: the dry run, unless the strategy wraps a neural network
        (whose fit takes seconds); ``True``: always; ``False``: no check.

    Attributes
    ----------
    strategy_ : QueryStrategy
        The session's clone of ``strategy``, fitted on the labels when
        :attr:`is_fitted`.
    history_ : dict of ndarray
        One entry per :meth:`teach` call (round), equal-length arrays like
        ``cv_results_``: ``"round"``, ``"indices"`` and ``"labels"`` (object
        arrays of arrays), ``"n_labels"`` (after the round), ``"time"``
        (POSIX timestamp) and ``"relabel"``.

    See Also
    --------
    skactive.simulate : the same loop with a simulated annotator.
    skactive.ActiveLearningClassifier : the loop as an estimator, for
        GridSearchCV.

    Notes
    -----
    The session file is JSON: the labelled indices, their labels (strings or
    numbers), the history, the settings, the strategy's description and a
    fingerprint of the pool. Loading it executes no code; the model is
    refitted from the labels. :meth:`save` can also pickle the fitted model
    next to it (``include_model=True``), which :meth:`load` reads only with
    ``load_model=True``: unpickling runs code, so only do it for files you
    trust.

    References
    ----------
    .. [1] K. Wang, D. Zhang, Y. Li, R. Zhang, L. Lin, "Cost-Effective Active
       Learning for Deep Image Classification", IEEE TCSVT 27(12), 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import ActiveLearner, MarginSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> learner = ActiveLearner(MarginSampling(batch_size=5), X, random_state=0)
    >>> learner.teach([0, 50, 100], ["setosa", "versicolor", "virginica"])
    >>> idx = learner.query()
    >>> learner.teach(idx, [["setosa", "versicolor", "virginica"][c]
    ...                     for c in y[idx]])
    >>> learner.n_labelled
    8
    >>> learner.predict(X[:2]).tolist()
    ['setosa', 'setosa']
    """

    def __init__(
        self,
        strategy,
        X_pool,
        *,
        refit: bool = True,
        pseudo_label_threshold: float | None = None,
        autosave=None,
        random_state=None,
        classes=None,
        validate_pool="auto",
    ):
        if strategy is None:
            strategy = AdaptiveSampling(random_state=random_state)
        check_query_strategy(strategy)
        if isinstance(X_pool, list | tuple):
            X_pool = np.asarray(X_pool)
        n_pool = _num_samples(X_pool)
        if n_pool == 0:
            raise ValueError("X_pool is empty: a session needs a pool.")
        if not isinstance(refit, bool | np.bool_):
            raise TypeError(f"refit must be a bool, got {refit!r}.")
        check_real(
            pseudo_label_threshold,
            "pseudo_label_threshold",
            low=0.0,
            high=1.0,
            include_low=False,
            allow_none=True,
        )
        _check_random_state(random_state)
        if not (validate_pool is True or validate_pool is False or (
            isinstance(validate_pool, str) and validate_pool == "auto"
        )):  # fmt: skip
            raise ValueError(
                f'validate_pool must be "auto", True or False, got {validate_pool!r}.'
            )
        regression = is_regression(strategy)
        if regression and classes is not None:
            raise ValueError(
                f"classes is for classification: {type(strategy).__name__} is a "
                "regression strategy, whose labels are real numbers; leave "
                "classes=None."
            )
        if regression and pseudo_label_threshold is not None:
            raise ValueError(
                "pseudo_label_threshold is for classification (a confidence in "
                f"(0, 1]): {type(strategy).__name__} is a regression strategy; "
                "leave pseudo_label_threshold=None."
            )
        declared = _check_declared_classes(classes)
        if autosave is not None:
            _check_new_session_path(autosave)
        if validate_pool is not False:
            check_session_pool(
                strategy, X_pool, dry_run=validate_pool, classes=declared
            )
        self.strategy = strategy
        self.X_pool = X_pool
        self.refit = bool(refit)
        self.pseudo_label_threshold = pseudo_label_threshold
        self.autosave = None if autosave is None else os.fspath(autosave)
        self.random_state = random_state
        self._declared = declared
        self._regression = regression
        self.strategy_ = clone(strategy)

        self._n_pool = n_pool
        self._position = np.full(n_pool, -1, dtype=np.intp)  # in teach order
        self._indices = np.empty(0, dtype=np.intp)
        self._labels = np.empty(0)
        self._rounds: list[dict] = []
        self._version = 0  # bumped by every teach
        self._fitted_version = -1
        self._model_ready = False
        self._pseudo = (np.empty(0, dtype=np.intp), np.empty(0))
        self._fingerprint: str | None = None
        self._rng = (
            random_state if isinstance(random_state, np.random.RandomState) else None
        )
        # What each session file held when this session last read or wrote
        # it (by resolved path): the base of the merge of a later save.
        self._bases: dict[str, Base] = {}

    # ------------------------------------------------------------ state
    @property
    def n_pool(self) -> int:
        """Number of samples in the pool."""
        return self._n_pool

    @property
    def n_labelled(self) -> int:
        """Number of labelled pool samples."""
        return int(self._indices.shape[0])

    @property
    def n_unlabelled(self) -> int:
        """Number of unlabelled pool samples."""
        return self._n_pool - self.n_labelled

    @property
    def labelled_indices(self) -> np.ndarray:
        """Indices into ``X_pool`` of the labelled samples, in teach order."""
        return self._indices.copy()

    @property
    def labels(self) -> np.ndarray:
        """Labels of :attr:`labelled_indices`, in the same order."""
        return self._labels.copy()

    @property
    def labelled_mask(self) -> np.ndarray:
        """Boolean mask over the pool, ``True`` for labelled samples."""
        return self._position >= 0

    @property
    def unlabelled_indices(self) -> np.ndarray:
        """Indices into ``X_pool`` of the unlabelled samples, increasing."""
        return np.flatnonzero(self._position < 0)

    @property
    def is_regression(self) -> bool:
        """Whether the session's strategy is a regressor (real-valued labels)."""
        return self._regression

    def _no_classes(self, name: str, error=AttributeError):
        return error(
            f"{name}: a regression session has no classes (its labels are real "
            "numbers); target_summary() describes them."
        )

    @property
    def classes(self) -> np.ndarray:
        """The declared label set (``classes``), else the classes labelled so
        far; sorted. Classification only (an ``AttributeError`` for a
        regression session)."""
        if self._regression:
            raise self._no_classes("classes")
        return self._declared if self._declared is not None else self.labelled_classes

    @property
    def labelled_classes(self) -> np.ndarray:
        """The classes labelled so far, sorted. Classification only."""
        if self._regression:
            raise self._no_classes("labelled_classes")
        return np.unique(self._labels)

    def class_counts(self) -> dict:
        """Number of labels of every class (of the declared set, if any).

        Classification only: a regression session raises a ``ValueError``
        (see :meth:`target_summary`).

        Returns
        -------
        counts : dict
            ``{label: count}``, in the order of :attr:`classes`.
        """
        if self._regression:
            raise self._no_classes("class_counts()", ValueError)
        return count_labels(self._labels, self.classes)

    def target_summary(self) -> dict:
        """The labels as numbers: how many, their range, mean and spread.

        What :meth:`class_counts` is to a classification session, for a
        regression session (any session whose labels are numbers).

        Returns
        -------
        summary : dict
            ``"n_labels"``, ``"min"``, ``"max"``, ``"mean"`` and ``"std"``
            (``ddof=0``) of the labels; ``NaN`` while none is labelled.

        Examples
        --------
        >>> import numpy as np
        >>> from skactive import ActiveLearner, MaxStdSampling
        >>> learner = ActiveLearner(MaxStdSampling(), np.arange(20.0).reshape(10, 2))
        >>> learner.teach([0, 3], [1.5, 4.5])
        >>> learner.target_summary()
        {'n_labels': 2, 'min': 1.5, 'max': 4.5, 'mean': 3.0, 'std': 1.5}
        """
        return target_summary(self._labels)

    def _model_fittable(self) -> bool:
        """Enough labels to fit: two rows (regression), two classes
        (classification)."""
        if self._regression:
            return self._labels.shape[0] >= MIN_REGRESSION_LABELS
        return np.unique(self._labels).shape[0] >= 2

    @property
    def n_rounds(self) -> int:
        """Number of :meth:`teach` calls so far (the rows of ``history_``)."""
        return len(self._rounds)

    @property
    def is_fitted(self) -> bool:
        """Whether ``strategy_`` is fitted on every label taught so far.

        ``False`` before two classes (regression: two rows) are labelled,
        and after a :meth:`teach` with ``refit=False`` until the next fit.
        """
        return self._model_ready and self._fitted_version == self._version

    @property
    def pseudo_indices(self) -> np.ndarray:
        """Pool indices pseudo-labelled at the last fit (empty if disabled)."""
        return self._pseudo[0].copy()

    @property
    def pseudo_labels(self) -> np.ndarray:
        """The predicted labels of :attr:`pseudo_indices`."""
        return self._pseudo[1].copy()

    @property
    def history_(self) -> dict:
        rounds = self._rounds

        def objects(key):
            out = np.empty(len(rounds), dtype=object)
            for i, r in enumerate(rounds):
                out[i] = r[key]
            return out

        return {
            "round": np.arange(len(rounds)),
            "indices": objects("indices"),
            "labels": objects("labels"),
            "n_labels": np.array([r["n_labels"] for r in rounds], dtype=int),
            "time": np.array([r["time"] for r in rounds], dtype=float),
            "relabel": np.array([r["relabel"] for r in rounds], dtype=bool),
        }

    # ------------------------------------------------------------ verbs
    def teach(
        self, indices, labels, *, relabel: bool = False, refit: bool | None = None
    ) -> None:
        """Record the labels of pool samples.

        Parameters
        ----------
        indices : int or array-like of int
            Indices into ``X_pool``, typically those returned by
            :meth:`query`; any unlabelled row may be taught.
        labels : label or array-like of shape (n_indices,)
            One class label per index: strings or numbers, the same kind as
            the labels taught before; for a regression strategy, real
            numbers (finite).
        relabel : bool, default=False
            Allow changing the label of already-labelled samples. Without it,
            teaching a labelled index again is an error: a label is never
            overwritten silently.
        refit : bool, default=None
            Refit the strategy after this call; ``None``: the session's
            ``refit``. ``False`` records (and autosaves) the labels only, and
            the model is refitted when next needed: what the labelling
            widget (:mod:`skactive.widgets`) does, refitting in the
            background while the next sample is shown.

        Raises
        ------
        ValueError
            An index out of range or repeated, an already-labelled index
            without ``relabel=True``, labels that are not class labels, or
            (regression) not finite.
        TypeError
            Labels of another kind (strings vs numbers) than before, or
            labels that are not numbers for a regression strategy.
        SessionConflictError, SessionLockedError, OSError
            The autosave failed (see :meth:`save`): nothing is taught, the
            session is as before the call, and teaching the same labels
            again works once the cause is fixed.
        """
        if not (refit is None or isinstance(refit, bool | np.bool_)):
            raise TypeError(f"refit must be None or a bool, got {refit!r}.")
        idx = _check_indices(indices, self._n_pool)
        new_labels = _check_labels(labels, idx.shape[0], self._regression)
        if idx.size == 0:
            return
        if self._declared is not None:
            unknown = ~np.isin(new_labels, self._declared)
            if unknown.any():
                raise ValueError(
                    f"labels {np.unique(new_labels[unknown]).tolist()[:10]!r} are "
                    "not in the declared classes "
                    f"{self._declared.tolist()!r}: a typo, or a class to declare."
                )
        if self._labels.size and _label_kind(self._labels) != _label_kind(new_labels):
            raise TypeError(
                f"labels must be of the same kind as the labels taught before "
                f"({_label_kind(self._labels)}s); got {new_labels.tolist()[:5]!r}."
            )
        positions = self._position[idx]
        already = positions >= 0
        if already.any() and not relabel:
            raise ValueError(
                f"indices {idx[already][:10].tolist()} are already labelled "
                f"(as {self._labels[positions[already][:10]].tolist()!r}); "
                "pass relabel=True to change their labels."
            )
        dtype = (
            new_labels.dtype
            if not self._labels.size
            else np.result_type(self._labels.dtype, new_labels.dtype)
        )
        all_labels = self._labels.astype(dtype, copy=True)
        all_labels[positions[already]] = new_labels[already]
        fresh = idx[~already]
        before = (self._indices, self._labels, self._version, len(self._rounds))
        self._position[fresh] = np.arange(
            self._indices.shape[0], self._indices.shape[0] + fresh.shape[0]
        )
        self._indices = np.concatenate([self._indices, fresh])
        self._labels = np.concatenate([all_labels, new_labels[~already].astype(dtype)])
        self._rounds.append(
            {
                "indices": idx.copy(),
                "labels": new_labels.copy(),
                "n_labels": self.n_labelled,
                "time": time.time(),
                "relabel": bool(already.any()),
            }
        )
        self._version += 1
        if self.autosave is not None:
            try:
                self.save(self.autosave)
            except BaseException:
                # All or nothing: a label that is not saved is not taught,
                # so that teaching it again works.
                self._position[fresh] = -1
                self._indices, self._labels, self._version = before[:3]
                del self._rounds[before[3] :]
                raise
        if self.refit if refit is None else refit:
            self.fit_model()

    def _fork(self) -> ActiveLearner:
        """A copy of the session in memory, to fit and query in another thread.

        The copy shares the pool (never copied) and the strategy's
        parameters, holds its own copy of the labels and an unfitted clone
        of the strategy, and does not save (no autosave, no merge): its
        :meth:`query` is the query this session would make now (the same
        seeds). Taking the copy is cheap (an index array of the pool's
        length); a caller that teaches from another thread takes it under
        the same lock as its :meth:`teach`, and hands the fitted model back
        with :meth:`_adopt_fit`. Used by :mod:`skactive.widgets`.
        """
        twin = copy.copy(self)
        twin.autosave = None
        twin.strategy_ = clone(self.strategy)
        state = self._strategy_state()
        if state is not None:  # what a stateful strategy learned so far
            twin.strategy_.set_query_state(state)
        twin._position = self._position.copy()
        twin._rounds = list(self._rounds)
        twin._bases = {}
        twin._model_ready = False
        twin._fitted_version = -1
        twin._pseudo = (np.empty(0, dtype=np.intp), np.empty(0))
        return twin

    def _adopt_fit(self, twin: ActiveLearner) -> bool:
        """Take the model ``twin`` (a :meth:`_fork`) fitted, if this session
        taught nothing since the fork; returns whether it did. A stateful
        strategy's state (what it learned, the draws of the twin's query) is
        taken in any case: the twin's rows are the ones being labelled."""
        if not (twin.is_fitted and twin._version == self._version):
            state = twin._strategy_state()
            if state is not None:
                self.strategy_.set_query_state(state)
            return False
        self.strategy_ = twin.strategy_
        self._pseudo = twin._pseudo
        self._model_ready = True
        self._fitted_version = self._version
        return True

    def fit_model(self) -> ActiveLearner:
        """Fit ``strategy_`` on the labels, if not already done.

        With fewer than two classes labelled (regression: fewer than two
        rows), nothing is fitted and :meth:`query` samples at random.

        Returns
        -------
        self : ActiveLearner
        """
        if self._fitted_version == self._version:
            return self
        self._pseudo = (np.empty(0, dtype=np.intp), np.empty(0))
        if not self._model_fittable():
            self._model_ready = False
            self._fitted_version = self._version
            return self
        X_lab = _safe_indexing(self.X_pool, self._indices)
        self.strategy_.fit(X_lab, self._labels)
        if self.pseudo_label_threshold is not None and self.n_unlabelled:
            self._pseudo_label()
        self._model_ready = True
        self._fitted_version = self._version
        return self

    def _pseudo_label(self) -> None:
        unlabelled = self.unlabelled_indices
        model = self.strategy_
        confidence, best = map_candidates(
            model, self.X_pool, unlabelled, _confidence, model
        )
        confident = confidence >= self.pseudo_label_threshold
        if not confident.any():
            return
        indices = unlabelled[confident]
        labels = np.asarray(model.classes_)[best[confident]]
        train = np.concatenate([self._indices, indices])
        y_train = np.concatenate([self._labels, labels.astype(self._labels.dtype)])
        self.strategy_.fit(_safe_indexing(self.X_pool, train), y_train)
        self._pseudo = (indices, labels)

    def _batch_size(self, batch_size) -> int:
        if batch_size is None:
            batch_size = self.strategy_.get_params().get("batch_size", 1)
        return check_batch_size(batch_size)

    def query(self, batch_size: int | None = None, *, candidates=None) -> np.ndarray:
        """Indices into ``X_pool`` of the samples to label next, best first.

        Only unlabelled samples are considered: they are passed to the
        strategy as ``candidates`` (rows of ``X_pool``), so that the strategy
        reads them chunk by chunk and the pool is never copied. The strategy
        is refitted first if labels were taught since the last fit. Before
        two classes (regression: two rows) are labelled, the unlabelled
        samples are drawn at random.

        Parameters
        ----------
        batch_size : int, default=None
            Number of samples; ``None`` uses the strategy's ``batch_size``.
            Larger than the unlabelled pool: a
            :class:`~skactive.exceptions.BatchSizeWarning` and all of it.
        candidates : array-like of int or bool, default=None
            Rows of ``X_pool`` to choose from (indices, or a boolean mask),
            of which the unlabelled ones are considered: a filter such as
            :meth:`skactive.datacentric.DistanceToLabelled.filter_candidates`
            (the pool samples in distribution, or the others). ``None``:
            every unlabelled row.

        Returns
        -------
        indices : ndarray of shape (batch_size,)
            Indices into ``X_pool``, never already-labelled ones (nor, for
            an autosaving session, rows another process saved to its file:
            they are merged in first).
        """
        self._pull()
        unlabelled = self.unlabelled_indices
        if unlabelled.size == 0:
            raise ValueError("every pool sample is labelled: nothing left to query.")
        if candidates is not None:
            rows = check_candidates(candidates, self._n_pool)
            unlabelled = rows[self._position[rows] < 0]
            if unlabelled.size == 0:
                raise ValueError(
                    "candidates holds no unlabelled row: there is nothing to "
                    "query among them."
                )
        self.fit_model()
        if self._model_ready:
            self._reseed_strategy()
            indices = self.strategy_.query(
                self.X_pool, batch_size=batch_size, candidates=unlabelled
            )
            if self.autosave is not None and hasattr(self.strategy_, "get_query_state"):
                # A stateful strategy recorded its draws: saved now, so that
                # a session resumed before the labels come keeps them.
                self.save(self.autosave)
            return np.asarray(indices, dtype=np.intp)
        k = self._batch_size(batch_size)
        if k > unlabelled.size:
            warnings.warn(
                f"batch_size={k} is larger than the unlabelled pool "
                f"({unlabelled.size} samples): the whole pool is returned.",
                BatchSizeWarning,
                stacklevel=2,
            )
            k = unlabelled.size
        return self._fallback_rng().choice(unlabelled, size=k, replace=False)

    def _reseed_strategy(self) -> None:
        """Give the strategy a fresh int seed for this round.

        A strategy with an int ``random_state`` draws the same numbers at every
        query. Across the rounds of a session that would repeat its random
        choices on a shrinking pool (random sampling would take the same
        positions round after round; subsamples and tie-breaks would repeat),
        so each round gets the seed ``SeedSequence([random_state, round])``:
        reproducible, and independent between rounds.
        """
        base = self.strategy.get_params(deep=False).get("random_state")
        if isinstance(base, numbers.Integral) and not isinstance(base, bool):
            seed = np.random.SeedSequence([int(base), self._version])
            self.strategy_.set_params(random_state=int(seed.generate_state(1)[0]))

    def _fallback_rng(self) -> np.random.RandomState:
        if self._rng is not None:
            return self._rng
        if self.random_state is None:
            return check_random_state(None)
        seed = np.random.SeedSequence([int(self.random_state), self._version])
        return np.random.RandomState(seed.generate_state(4))

    def run(self, oracle, budget: int, *, batch_size=None, progress: bool = False):
        """Query and teach in a loop, asking ``oracle`` for the labels.

        Parameters
        ----------
        oracle : callable
            ``oracle(indices) -> labels``: a function asking a person, a
            lookup, or a :class:`~skactive.loop.NoisyOracle`.
        budget : int
            Number of labels to ask for (fewer if the pool runs out).
        batch_size : int, default=None
            Samples per query; ``None`` uses the strategy's ``batch_size``.
        progress : bool, default=False
            Show a progress bar (``tqdm.auto``: a widget in notebooks).

        Returns
        -------
        self : ActiveLearner
        """
        check_int(budget, "budget", low=0)
        k = self._batch_size(batch_size)
        remaining = int(budget)
        with tqdm(total=remaining, disable=not progress, desc="labelling") as bar:
            while remaining > 0 and self.n_unlabelled > 0:
                idx = self.query(min(k, remaining, self.n_unlabelled))
                self.teach(idx, oracle(idx))
                remaining -= idx.shape[0]
                bar.update(idx.shape[0])
        return self

    def predict(self, X, **predict_params):
        """Predict with the model fitted on the labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.
        **predict_params : dict
            Passed to the strategy's ``predict``: ``return_std=True`` for
            a regression strategy gives the predictive standard deviation
            too.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Classes, or real values for a regression strategy (with
            ``return_std=True``, a ``(mean, std)`` pair).
        """
        return self._fitted_strategy().predict(X, **predict_params)

    def predict_proba(self, X):
        """Class probabilities of the model fitted on the labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``strategy_.classes_``.
        """
        return self._fitted_strategy().predict_proba(X)

    def score(self, X, y, sample_weight=None) -> float:
        """The accuracy (regression: the R²) of the model fitted on the
        labels, on held-out ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.
        y : array-like of shape (n_samples,)
            Their true labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The strategy's ``score``: the mean accuracy of a classifier, the
            coefficient of determination R² of a regressor.
        """
        return self._fitted_strategy().score(X, y, sample_weight=sample_weight)

    def suspicious_labels(
        self,
        n: int | None = None,
        *,
        cv=5,
        method: str = "prune_by_noise_rate",
        rank_by: str = "self_confidence",
        n_jobs=None,
    ):
        """Labelled rows whose label looks wrong, most suspicious first.

        Confident learning on out-of-fold probabilities
        (:func:`skactive.datacentric.find_label_issues`): the strategy's
        model is cross-validated on the session's labels (a clone per fold;
        the folds are shuffled by ``random_state``), and the labels that
        the other folds' models contradict most confidently are flagged and
        ranked. A person checks them; the corrections go back with
        ``teach(rows, labels, relabel=True)``.

        Parameters
        ----------
        n : int, default=None
            ``None``: the rows confident learning flags (its estimate of the
            wrong labels), ranked; an int: the ``n`` rows of lowest label
            quality, flagged or not (a fixed review budget).
        cv : int, cross-validation generator or iterable, default=5
            Folds of the cross-validation. A class with fewer labels than
            folds is missing from some training folds, and its rows rank as
            suspicious.
        method : str, default="prune_by_noise_rate"
            How rows are flagged; see
            :func:`~skactive.datacentric.label_issues_from_proba`.
        rank_by : {"self_confidence", "normalized_margin"}, \
default="self_confidence"
            The label-quality score that ranks them (lower is more
            suspicious).
        n_jobs : int, default=None
            Folds fitted in parallel.

        Returns
        -------
        issues : skactive.datacentric.LabelIssues
            ``indices`` are rows of ``X_pool``, with their ``scores``,
            current ``labels`` and ``suggested_labels`` (the most probable
            class out of fold); the arrays over every labelled row
            (``label_quality``, ``is_issue``, ``pred_proba``) follow
            :attr:`labelled_indices`.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from skactive import ActiveLearner, MarginSampling
        >>> X, y = load_iris(return_X_y=True)
        >>> learner = ActiveLearner(MarginSampling(batch_size=5), X, random_state=0)
        >>> rows = list(range(0, 150, 3))
        >>> labels = y[rows].copy()
        >>> labels[[5, 30]] = [2, 0]               # rows 15 and 90, mislabelled
        >>> learner.teach(rows, labels)
        >>> issues = learner.suspicious_labels()
        >>> issues.indices     # the two wrong labels first, then two borderline
        array([ 15,  90,  51, 126])
        >>> issues.suggested_labels
        array([0, 1, 2, 1])
        >>> checked = issues.indices[:2]           # a person checks them
        >>> learner.teach(checked, y[checked], relabel=True)
        """
        from ..datacentric import find_label_issues

        model = self._fitted_strategy()
        estimator = getattr(model, "estimator_", model)
        issues = find_label_issues(
            clone(estimator),
            _safe_indexing(self.X_pool, self._indices),
            self._labels,
            cv=cv,
            method=method,
            rank_by=rank_by,
            n=n,
            random_state=self.random_state,
            n_jobs=n_jobs,
        )
        return replace(issues, indices=self._indices[issues.indices])

    def _fitted_strategy(self):
        self.fit_model()
        if not self._model_ready:
            if self._regression:
                raise ValueError(
                    f"the model needs at least {MIN_REGRESSION_LABELS} labels; "
                    f"so far: {self.n_labelled}."
                )
            raise ValueError(
                f"the model needs labels of at least 2 classes; so far: "
                f"{self.labelled_classes.tolist()!r}."
            )
        return self.strategy_

    # ------------------------------------------------------------ persistence
    def save(
        self,
        path=None,
        *,
        include_model: bool = False,
        lock_timeout: float | None = None,
    ) -> None:
        """Save the session atomically, merging what other writers saved.

        Under an advisory lock on ``<path>.lock``, the file is read again; if
        another process saved it since this session last read or wrote it,
        its labels are merged with this session's (see Notes) and the
        session in memory then knows them too. The result is written to a
        temporary file in the same directory, flushed to disk and renamed
        over ``path``: if the process dies during the save, the previous
        file is intact. A symbolic link is followed (its target is written,
        the link kept).

        Parameters
        ----------
        path : path-like, default=None
            The session file (JSON). ``None`` uses ``autosave``.
        include_model : bool, default=False
            Also pickle the fitted ``strategy_`` (with joblib) to
            ``<path>.model.joblib``, written atomically before the session
            file, which records its SHA-256. Loading it is opt-in
            (``load(..., load_model=True)``) and only safe for files you
            trust. Without it, :meth:`load` refits the model from the labels.
        lock_timeout : float, default=None
            Seconds to wait for another process saving the same file;
            ``None``: 10 seconds.

        Raises
        ------
        SessionConflictError
            Another writer labelled some of the same rows differently, or
            the file now holds a session on another pool; nothing is saved
            and the session in memory is unchanged.
        SessionLockedError
            Another process held the lock for ``lock_timeout`` seconds.
        SessionFileError
            ``path`` holds a file that is not a valid session file: it is
            never replaced.
        OSError
            The file cannot be written (a missing folder, a full disk, a
            read-only file); the message names ``path``.

        Notes
        -----
        The merge: a row labelled (or relabelled) by only one of the two
        writers since this session last read the file keeps that writer's
        label; a row both labelled alike is one label; a row both labelled
        differently is a :class:`~skactive.exceptions.SessionConflictError`
        naming it. A label is never dropped, and the history is the file's
        rounds followed by this session's new ones.
        """
        if path is None:
            if self.autosave is None:
                raise ValueError("path is required: this session has no autosave.")
            path = self.autosave
        shown = os.fspath(path)
        key = str(resolve_target(path))
        check_replaceable(resolve_target(path), shown)  # before making a lock file
        if self._fingerprint is None:
            self._fingerprint = pool_fingerprint(self.X_pool)
        content = self._content()
        merged = False
        with session_lock(path, lock_timeout, shown=shown):
            base = self._bases.get(key)
            current = _read_current(path)
            if current and (base is None or bytes_digest(current) != base.digest):
                try:
                    theirs = parse_session(current, shown)
                except SessionFileError as exc:
                    raise SessionFileError(
                        shown,
                        f"{exc.what}; a save never replaces a file it cannot "
                        "read: save to another path, or fix or remove it",
                        exc.field,
                    ) from None
                content, merged = merge_sessions(content, theirs, base, shown)
            if include_model and merged:
                warnings.warn(
                    f"labels saved to {shown} by another writer were merged into "
                    "this session; the model, not fitted on them, was not "
                    "saved: save with include_model=True again after the refit.",
                    UserWarning,
                    stacklevel=2,
                )
                content.model = None
                write_session(path, content)
            elif include_model:
                write_session(path, content, self.strategy_ if self.is_fitted else None)
            else:
                write_session(path, content)
        if merged:
            self._adopt(content)
        self._bases[key] = Base.of(content)

    def _pull(self) -> None:
        """Merge in what other processes saved to the autosave file since this
        session last read or wrote it (no write, no lock: a save replaces the
        file atomically), so that a query does not offer rows labelled
        elsewhere."""
        if self.autosave is None:
            return
        key = str(resolve_target(self.autosave))
        base = self._bases.get(key)
        if base is None:
            return
        try:
            current = _read_current(self.autosave)
        except FileNotFoundError:
            return
        if not current or bytes_digest(current) == base.digest:
            return
        theirs = parse_session(current, self.autosave)
        content, merged = merge_sessions(self._content(), theirs, base, self.autosave)
        if merged:
            self._adopt(content)
        self._bases[key] = Base.of(theirs)

    def _content(self) -> SessionFile:
        """The session as a :class:`SessionFile`, to be saved."""
        random_state = self.random_state
        if not (random_state is None or isinstance(random_state, numbers.Integral)):
            random_state = None
        strategy = self.strategy
        return SessionFile(
            n_pool=self._n_pool,
            pool_shape=list(getattr(self.X_pool, "shape", (self._n_pool,))),
            fingerprint=self._fingerprint,
            strategy_class=_qualified_name(strategy),
            strategy_repr=repr(strategy),
            settings={
                "refit": self.refit,
                "pseudo_label_threshold": self.pseudo_label_threshold,
                "random_state": random_state,
                "autosave": self.autosave is not None,
                "classes": self._declared,
            },
            indices=self._indices,
            labels=self._labels,
            rounds=list(self._rounds),
            strategy_state=self._strategy_state(),
        )

    def _strategy_state(self) -> dict | None:
        """What a stateful strategy learned across rounds (JSON values)."""
        get_state = getattr(self.strategy_, "get_query_state", None)
        return None if get_state is None else get_state()

    def _restore_strategy_state(self, state: dict, path) -> None:
        """Give a resumed strategy the state its session file saved."""
        set_state = getattr(self.strategy_, "set_query_state", None)
        if set_state is None:
            warnings.warn(
                f"the session file {os.fspath(path)} holds the state of a "
                f"stateful strategy, which {type(self.strategy_).__name__} "
                "cannot take: it is ignored.",
                UserWarning,
                stacklevel=3,
            )
            return
        try:
            set_state(state)
        except ValueError as exc:
            raise SessionFileError(
                os.fspath(path), str(exc), "strategy.state"
            ) from None

    def _adopt(self, content: SessionFile) -> None:
        """Take the labels and rounds of a merged save (other writers' labels
        become this session's); the model is refitted when next needed."""
        self._indices = content.indices
        self._labels = content.labels
        self._position[:] = -1
        self._position[content.indices] = np.arange(content.indices.shape[0])
        self._rounds = list(content.rounds)
        self._version = max(self._version + 1, len(self._rounds))
        self._fitted_version = -1

    @classmethod
    def load(
        cls,
        path,
        X_pool,
        strategy=None,
        *,
        check_pool: bool = True,
        accept_pool: bool = False,
        autosave=None,
        load_model: bool = False,
    ) -> ActiveLearner:
        """Resume a saved session.

        Parameters
        ----------
        path : path-like
            The session file written by :meth:`save`.
        X_pool : array-like or sparse matrix of shape (n_pool, n_features)
            The same pool as when the session was saved (it is not in the
            file).
        strategy : QueryStrategy, default=None
            The query strategy; the session file holds no code, so it is
            given again (a warning is issued if its class differs from the
            saved one). Optional only with ``load_model=True``.
        check_pool : bool, default=True
            Check ``X_pool`` against the saved fingerprint and raise a
            :class:`~skactive.exceptions.PoolMismatchError` (a ``ValueError``)
            on a mismatch. The number of samples is always checked. With
            ``False``, the session keeps the fingerprint of its own pool.
        accept_pool : bool, default=False
            Make ``X_pool`` the session's pool from now on: a corrected pool
            (missing values filled in, say) with the same rows in the same
            order. It is not checked against the saved fingerprint but
            validated as a new session's pool (``validate_pool="auto"``), and
            the next save records its fingerprint.
        autosave : path-like or bool, default=None
            ``None``: autosave to ``path`` if the saved session autosaved;
            ``False``: no autosave; a path: autosave there.
        load_model : bool, default=False
            Unpickle the model saved with ``include_model=True`` instead of
            refitting it. Unpickling can run arbitrary code: only for files
            you trust. The model file's SHA-256 is checked first.

        Returns
        -------
        learner : ActiveLearner
            The session, with every saved label and round, refitted.

        Raises
        ------
        SessionFileError
            The file is malformed or hostile (one error for whatever is
            wrong with it, naming the file and the field).
        PoolMismatchError
            ``X_pool`` is not the session's pool.
        """
        saved = read_session(path)
        model = read_model(path, saved) if load_model else None
        if strategy is None:
            if model is None:
                raise TypeError(
                    "strategy is required: the session file stores no code "
                    f"(it was saved with {saved.strategy_repr})."
                )
            strategy = clone(model)
        elif saved.strategy_class != _qualified_name(strategy):
            warnings.warn(
                f"the session was saved with a {saved.strategy_class}, and is "
                f"resumed with a {_qualified_name(strategy)}.",
                UserWarning,
                stacklevel=2,
            )
        settings = saved.settings
        if autosave is None:
            autosave = path if settings["autosave"] else None
        elif autosave is False:
            autosave = None
        learner = cls(
            strategy,
            X_pool,
            refit=settings["refit"],
            pseudo_label_threshold=settings["pseudo_label_threshold"],
            random_state=settings["random_state"],
            classes=settings["classes"],
            validate_pool=False,
        )
        learner.autosave = None if autosave is None else os.fspath(autosave)
        if learner.n_pool != saved.n_pool:
            raise ValueError(
                f"X_pool has {learner.n_pool} samples but the session was saved "
                f"with a pool of {saved.n_pool}: pass the same pool."
            )
        if accept_pool:
            check_session_pool(strategy, learner.X_pool, classes=learner._declared)
            learner._fingerprint = pool_fingerprint(learner.X_pool)
        elif check_pool:
            fingerprint = pool_fingerprint(learner.X_pool)
            if fingerprint != saved.fingerprint:
                raise PoolMismatchError(
                    "X_pool differs from the pool of the saved session "
                    "(fingerprints differ): pass the same pool, in the same "
                    "order, check_pool=False if you know it is the same, or "
                    "accept_pool=True to make it the session's pool."
                )
            learner._fingerprint = fingerprint
        else:
            learner._fingerprint = saved.fingerprint
        learner._indices = saved.indices
        learner._labels = saved.labels
        learner._position[saved.indices] = np.arange(saved.indices.shape[0])
        learner._rounds = list(saved.rounds)
        learner._version = len(saved.rounds)
        learner._bases[str(resolve_target(path))] = Base.of(saved)
        if model is None and saved.strategy_state is not None:
            learner._restore_strategy_state(saved.strategy_state, path)
        if model is not None:
            learner.strategy_ = model
            learner._model_ready = saved.model["fitted"]
            learner._fitted_version = learner._version
        elif learner.refit:
            learner.fit_model()
        return learner

    # ------------------------------------------------------------ display
    def __repr__(self) -> str:
        pct = 100.0 * self.n_labelled / self._n_pool
        labelled = (
            f"  pool: {self._n_pool:,} samples; labelled: {self.n_labelled:,} "
            f"({pct:.1f}%) in {self.n_rounds} rounds"
        )
        if self._regression:
            lines = [
                f"ActiveLearner({self.strategy!r})",
                labelled + ", real-valued labels",
                f"  labels: {describe_targets(self.target_summary())}",
            ]
            waiting = f"{MIN_REGRESSION_LABELS} rows are labelled"
        else:
            classes = self.labelled_classes
            counts = ", ".join(f"{c!r}: {n}" for c, n in self.class_counts().items())
            lines = [
                f"ActiveLearner({self.strategy!r})",
                labelled + f", {classes.shape[0]} "
                f"class{'es' if classes.shape[0] != 1 else ''}",
                f"  labels per class: {{{counts}}}",
            ]
            waiting = "2 classes are labelled"
        if self.is_fitted:
            model = "fitted"
        elif self._model_ready or self._model_fittable():
            model = "to be refitted at the next query"
        else:
            model = f"not fitted: random queries until {waiting}"
        lines.append(f"  model: {model}")
        if self.pseudo_label_threshold is not None:
            lines.append(
                f"  pseudo-labels: {self._pseudo[0].shape[0]:,} "
                f"(threshold {self.pseudo_label_threshold})"
            )
        if self.autosave is not None:
            lines.append(f"  autosave: {self.autosave!r}")
        return "\n".join(lines)
