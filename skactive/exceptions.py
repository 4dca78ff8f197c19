"""Warnings and errors raised by skactive."""

__all__ = [
    "BatchSizeWarning",
    "DegenerateEmbeddingWarning",
    "DegenerateModelWarning",
    "InvalidPoolError",
    "PoolMismatchError",
    "QuerySearchWarning",
    "SessionConflictError",
    "SessionFileError",
    "SessionLockedError",
]


class BatchSizeWarning(UserWarning):
    """The requested batch is larger than the pool: the whole pool is returned.

    Raised by ``query`` when ``batch_size`` exceeds the number of candidate
    samples. This happens naturally at the end of a simulated loop, so it is
    a warning and not an error: the query returns every candidate, best first.
    """


class DegenerateEmbeddingWarning(UserWarning):
    """Farthest-first picks are at random: the embedding does not tell the
    candidates apart.

    Raised by the distance-based selections (:func:`~skactive.greedy_k_center`,
    so :class:`~skactive.CoreSet`, :class:`~skactive.HybridSampling`'s
    core-set selector and greedy sampling in input space, and
    :class:`~skactive.RankedBatch`) when a large part of the candidates is
    equally far from the labelled samples. A TF-IDF vectorizer fitted on a
    few labelled texts does that: most texts share no word with them and
    are all at the same distance, so the picks are random among them, and
    usually short or empty texts. Use an embedding of the whole pool (a
    pre-trained encoder as ``embedding=``), or a strategy that weighs
    uncertainty (:class:`~skactive.DiverseMiniBatch`, :class:`~skactive.BADGE`).
    """


class DegenerateModelWarning(UserWarning):
    """The model predicts one class for the whole pool: a gradient- or
    distance-based strategy queries by margin instead.

    Raised by :class:`~skactive.BADGE` and :class:`~skactive.CoreSet` (with
    their default ``fallback="margin"``) when their classifier predicts a
    single class for every candidate, as it often does after a few labels of
    a rare class, or on TF-IDF features fitted on a few texts. Their
    gradient embeddings and distances then do not reflect what the model is
    unsure of, and their picks are no better than random; margin sampling
    looks for the samples most likely to be of another class. The strategy
    returns to its own selection as soon as the model predicts two classes.
    ``fallback=None`` keeps the published algorithm in every round.
    """


class InvalidPoolError(ValueError):
    """The pool of a new labelling session cannot be read by its strategy.

    Raised by :class:`skactive.ActiveLearner` before any label is recorded:
    an empty pool, a 1-d numeric pool, NaN or infinite values that the
    strategy's model does not accept, or a model that fails to fit a few
    rows of the pool with made-up labels and to query it (see
    ``validate_pool``). A subclass of ``ValueError``; the cause is chained.
    """


class PoolMismatchError(ValueError):
    """The pool given to resume a session is not the pool it was saved with.

    Raised by :meth:`skactive.ActiveLearner.load` when the fingerprint of
    ``X_pool`` differs from the saved one (other values, or the same rows in
    another order); ``check_pool=False`` skips the check, ``accept_pool=True``
    makes the new pool the session's. A subclass of ``ValueError``, so that
    callers can tell it from other load errors (the command line names its
    ``--no-check-pool`` and ``--accept-pool`` flags).
    """


class QuerySearchWarning(UserWarning):
    """A model-selection search scores query parameters by the model alone.

    Raised by a strategy's ``score`` when scikit-learn's
    :class:`~sklearn.model_selection.GridSearchCV` (or another search or
    ``cross_validate``) varies a parameter of how the strategy *queries*
    (``method``, ``batch_size``, ``pool_subsample``...) and scores it with the
    strategy's ``score``, which is the accuracy of the wrapped model: the
    query parameter does not change it, every candidate ties and the first
    wins. Search a :class:`~skactive.ActiveLearningClassifier` with
    ``scoring=skactive.metrics.alc_scorer`` instead (a regression strategy:
    an :class:`~skactive.ActiveLearningRegressor` with
    ``scoring=skactive.metrics.make_alc_scorer("neg_root_mean_squared_error")``):
    it runs the loop and scores the learning curve.
    """


class SessionConflictError(ValueError):
    """Another writer changed the session file in a way a save cannot merge.

    Raised by :meth:`skactive.ActiveLearner.save` (and so by ``teach`` with
    ``autosave``) when the file was changed since this session last read or
    wrote it and the changes collide with this session's: the same rows
    labelled differently, a session on another pool, another label set or
    labels of another kind. Nothing is written and the session in memory is
    left as it was; :attr:`rows` lists the rows labelled differently.
    """

    def __init__(self, message: str, rows=()):
        super().__init__(message)
        self.rows = list(rows)


class SessionFileError(ValueError):
    """A session file is malformed: not JSON, not a session, a field missing,
    of the wrong type or out of its limits.

    The one error of reading a session file (and the command line's settings
    file), whatever is wrong with it. :attr:`path` is the file, :attr:`field`
    the field at fault (``None`` when the whole file is). A subclass of
    ``ValueError``.
    """

    def __init__(self, path, what: str, field: str | None = None, kind="session"):
        self.path = str(path)
        self.field = field
        self.what = what
        where = f"{field}: " if field else ""
        super().__init__(f"{path} is not a valid {kind} file: {where}{what}.")


class SessionLockedError(TimeoutError):
    """Another process held the session file's lock for too long.

    A save takes an advisory lock on ``<session>.lock`` while it reads,
    merges and replaces the session file (a few milliseconds); this error
    says which process (id and host) held it when the wait timed out. A
    subclass of ``TimeoutError`` (an ``OSError``). Nothing was written.
    """
