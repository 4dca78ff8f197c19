"""Warnings and errors raised by skactive."""

__all__ = ["BatchSizeWarning", "PoolMismatchError", "QuerySearchWarning"]


class BatchSizeWarning(UserWarning):
    """The requested batch is larger than the pool: the whole pool is returned.

    Raised by ``query`` when ``batch_size`` exceeds the number of candidate
    samples. This happens naturally at the end of a simulated loop, so it is
    a warning and not an error: the query returns every candidate, best first.
    """


class PoolMismatchError(ValueError):
    """The pool given to resume a session is not the pool it was saved with.

    Raised by :meth:`skactive.ActiveLearner.load` when the fingerprint of
    ``X_pool`` differs from the saved one (other values, or the same rows in
    another order); ``check_pool=False`` skips the check. A subclass of
    ``ValueError``, so that callers can tell it from other load errors (the
    command line names its ``--no-check-pool`` flag).
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
    ``scoring=skactive.metrics.alc_scorer`` instead: it runs the loop and
    scores the learning curve.
    """
