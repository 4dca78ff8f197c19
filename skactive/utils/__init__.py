"""Helpers for writing query strategies: the pool, parameter and protocol checks.

The public, stable helpers are the names of ``__all__`` (as in
:mod:`sklearn.utils`): :class:`Pool`, what a strategy's hooks receive of the
pool, checks that raise errors naming the parameter and saying what was
expected, and :func:`predict_mean_std`, the one place that reads a
regressor's predictive uncertainty (``predict(X, return_std=True)`` or
``predict_samples``). :mod:`skactive.utils.discovery` lists skactive's
estimators.

Modules with a leading underscore (``skactive.utils._selection``...) are
private, and so are the query engine's helpers that this package imports for
skactive's own use (``TopK``, ``top_k``, ``tie_keys``, ``draw_salt``,
``check_batch_size``, ``check_candidates``, ``check_chunk_size``,
``check_pool_subsample``): they may change without notice.
"""

# The private helpers (see above) are imported for skactive's own modules.
from ._pool import Pool, check_candidates  # noqa: F401
from ._regression import (
    check_predict_samples,
    check_predictive_std,
    predict_mean_std,
)
from ._selection import TopK, draw_salt, tie_keys, top_k  # noqa: F401
from ._validation import (  # noqa: F401
    check_batch_size,
    check_chunk_size,
    check_has_method,
    check_int,
    check_multiple_classes,
    check_pool_subsample,
    check_proba_samples,
    check_real,
)

__all__ = [
    "Pool",
    "check_has_method",
    "check_int",
    "check_multiple_classes",
    "check_predict_samples",
    "check_predictive_std",
    "check_proba_samples",
    "check_real",
    "predict_mean_std",
]
