"""Docstring fragments, written once: the one mechanism for shared text.

A docstring uses ``%(name)s`` placeholders, filled by :func:`fill_doc` from
the fragments shared by the whole package (the table below: ``estimator``,
``batch_size``, ``random_state``...) and from fragments of one module, given
to the decorator as keyword arguments (as imbalanced-learn's
``Substitution``)::

    _METRIC_DOC = '''metric : {"euclidean", "cosine"}, default="euclidean"
            The distance.'''

    @fill_doc(metric=_METRIC_DOC)
    class MyStrategy(QueryStrategy):
        '''One line.

        Parameters
        ----------
        %(estimator)s
        %(metric)s
        '''

A fragment of one module may itself use the shared fragments. A literal
``%`` in a filled docstring is written ``%%``.
"""

from __future__ import annotations

_FRAGMENTS = {
    "estimator": """estimator : classifier, default=None
        A scikit-learn classifier (or :class:`~sklearn.pipeline.Pipeline`)
        with ``predict_proba``; ``fit`` trains a clone of it as
        ``estimator_``. A pre-trained model wrapped in
        :class:`sklearn.frozen.FrozenEstimator` is used as it is. ``None``
        means :class:`~sklearn.linear_model.LogisticRegression`.""",
    "regressor": """estimator : regressor, default=None
        A scikit-learn regressor (or :class:`~sklearn.pipeline.Pipeline`);
        ``fit`` trains a clone of it as ``estimator_``. A pre-trained model
        wrapped in :class:`sklearn.frozen.FrozenEstimator` is used as it is.
        ``None`` means :class:`~sklearn.linear_model.BayesianRidge`, which
        gives a predictive standard deviation
        (``predict(X, return_std=True)``).""",
    "any_estimator": """estimator : classifier or regressor, default=None
        Any scikit-learn estimator (or :class:`~sklearn.pipeline.Pipeline`),
        fitted as a clone ``estimator_``; the strategy is a classifier or a
        regressor as it is, and needs no ``predict_proba`` of it. A
        pre-trained model wrapped in :class:`sklearn.frozen.FrozenEstimator`
        is used as it is. ``None`` means
        :class:`~sklearn.linear_model.LogisticRegression`.""",
    "batch_size": """batch_size : int, default=10
        Number of pool samples returned by :meth:`query` (overridden by its
        own ``batch_size`` argument). When larger than the pool, a
        :class:`~skactive.exceptions.BatchSizeWarning` is issued and the
        whole pool is returned, best first.""",
    "chunk_size": """chunk_size : int, default=None
        Number of pool rows scored at a time, which bounds the extra memory
        of a query. ``None`` picks about 16 MiB of input per chunk. The
        selected indices do not depend on it.""",
    "n_jobs": """n_jobs : int, default=None
        Number of chunks scored in parallel through joblib (threads by
        default; the backend follows :func:`joblib.parallel_config`, so a
        Dask cluster works too). ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; ``-1`` means all processors.
        The selected indices do not depend on it.""",
    "pool_subsample": """pool_subsample : int or float, default=None
        Score only a random part of the pool at each query: an int is a
        number of samples, a float in ``(0, 1]`` a fraction of the pool. The
        subsample holds at least ``batch_size`` samples. ``None`` scores the
        whole pool.""",
    "random_state": """random_state : int, RandomState instance or None, default=None
        Drives pool subsampling and the breaking of ties between equally
        informative samples. Pass an int for reproducible queries: the same
        int gives the same indices for any ``n_jobs`` and ``chunk_size``.""",
    "warm_start": """warm_start : bool, default=False
        When ``True`` and the strategy is already fitted, ``fit`` fits the
        existing ``estimator_`` again instead of a fresh clone, so a model
        with its own warm start (``warm_start=True`` in scikit-learn
        estimators and skorch networks) continues from its last state
        between active learning rounds. ``False`` retrains from scratch.""",
}


def fill_doc(obj=None, /, **fragments):
    """Fill the ``%(name)s`` placeholders of ``obj.__doc__``.

    Use as ``@fill_doc`` (the shared fragments) or ``@fill_doc(name=text,
    ...)`` (the shared fragments and these, which may use the shared ones).
    """
    table = dict(_FRAGMENTS)
    table.update({name: text % _FRAGMENTS for name, text in fragments.items()})

    def fill(obj):
        if obj.__doc__:
            obj.__doc__ = obj.__doc__ % table
        return obj

    return fill if obj is None else fill(obj)
