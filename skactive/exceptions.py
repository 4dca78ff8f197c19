"""Warnings raised by skactive."""

__all__ = ["BatchSizeWarning", "QuerySearchWarning"]


class BatchSizeWarning(UserWarning):
    """The requested batch is larger than the pool: the whole pool is returned.

    Raised by ``query`` when ``batch_size`` exceeds the number of candidate
    samples. This happens naturally at the end of a simulated loop, so it is
    a warning and not an error: the query returns every candidate, best first.
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
