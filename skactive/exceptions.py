"""Warnings and errors raised by skactive."""

__all__ = ["BatchSizeWarning", "PoolMismatchError"]


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
