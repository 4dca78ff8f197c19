"""Warnings raised by skactive."""

__all__ = ["BatchSizeWarning"]


class BatchSizeWarning(UserWarning):
    """The requested batch is larger than the pool: the whole pool is returned.

    Raised by ``query`` when ``batch_size`` exceeds the number of candidate
    samples. This happens naturally at the end of a simulated loop, so it is
    a warning and not an error: the query returns every candidate, best first.
    """
