"""The regressors' protocol of predictive uncertainty (DESIGN point 9).

A regressor says how unsure it is in one of two ways, both scikit-learn's:

- ``predict(X, return_std=True) -> (mean, std)``, as
  :class:`~sklearn.gaussian_process.GaussianProcessRegressor`,
  :class:`~sklearn.linear_model.BayesianRidge` and
  :class:`~sklearn.linear_model.ARDRegression` do (and skactive's
  :class:`~skactive.committee.CommitteeRegressor` and
  :class:`~skactive.deep.MCDropoutRegressor`);
- ``predict_samples(X) -> (n_samples, n_members)``: the predictions of
  every member of a committee (or every stochastic pass of an MC-Dropout
  network), samples first, so that chunking a pool is slicing the first
  axis.

:func:`predict_mean_std` is the one place that turns any supported
regressor into ``(mean, std)`` for a chunk of rows: ``predict(X,
return_std=True)`` when the model offers it, else the mean and standard
deviation over ``predict_samples``. The other helpers validate what
regression strategies receive: real-valued targets and sampled
predictions.
"""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import column_or_1d

from ._compat import _num_samples
from ._validation import unwrap_estimator

__all__ = [
    "check_predict_samples",
    "check_predictive_std",
    "check_regression_targets",
    "has_predictive_std",
    "mean_std_of_samples",
    "predict_mean_std",
    "supports_return_std",
]

_EXPECTED_STD = (
    "predict(X, return_std=True) (GaussianProcessRegressor, BayesianRidge, "
    "ARDRegression, skactive.committee.CommitteeRegressor) or predict_samples"
    "(X) -> (n_samples, n_members) (a committee, a random forest, extra trees "
    "or bagging regressor, skactive.deep.MCDropoutRegressor)"
)


def supports_return_std(estimator) -> bool:
    """Whether ``estimator.predict`` takes ``return_std``.

    Read from the signature of the model's ``predict`` (through
    :class:`~sklearn.frozen.FrozenEstimator` wrappers and a pipeline's final
    step, to which :class:`~sklearn.pipeline.Pipeline` passes it).
    """
    model = unwrap_estimator(estimator, final=True)
    predict = getattr(model, "predict", None)
    if predict is None:
        return False
    try:
        return "return_std" in inspect.signature(predict).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        return False


def has_predictive_std(estimator) -> bool:
    """Whether :func:`predict_mean_std` can read a standard deviation from
    ``estimator``: ``predict(X, return_std=True)`` or ``predict_samples``."""
    return supports_return_std(estimator) or hasattr(estimator, "predict_samples")


def check_predictive_std(estimator, name: str = "estimator") -> None:
    """Raise a ``TypeError`` naming ``name`` unless ``estimator`` gives a
    predictive standard deviation (see :func:`predict_mean_std`).

    Parameters
    ----------
    estimator : estimator
        The regressor to check.
    name : str, default="estimator"
        The parameter's name, for the message.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from skactive.utils import check_predictive_std
    >>> check_predictive_std(Ridge())
    Traceback (most recent call last):
    ...
    TypeError: estimator must give a predictive standard deviation: ...
    """
    if not has_predictive_std(estimator):
        raise TypeError(
            f"{name} must give a predictive standard deviation: {_EXPECTED_STD}; "
            f"got {type(estimator).__name__}, which has neither."
        )


def check_predict_samples(samples, n_samples: int | None = None) -> np.ndarray:
    """Check the ``predict_samples`` protocol: a 2-d array, samples first.

    Parameters
    ----------
    samples : array-like of shape (n_samples, n_members)
        The predictions of every member (or stochastic pass) per sample.
    n_samples : int, default=None
        Expected number of samples, if known.

    Returns
    -------
    samples : ndarray of shape (n_samples, n_members)

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.utils import check_predict_samples
    >>> check_predict_samples(np.zeros((3, 4)), 3).shape
    (3, 4)
    """
    samples = np.asarray(samples)
    if samples.ndim != 2:
        raise ValueError(
            "predict_samples must return an array of shape (n_samples, "
            f"n_members); got shape {samples.shape}."
        )
    if n_samples is not None and samples.shape[0] != n_samples:
        raise ValueError(
            f"predict_samples returned {samples.shape[0]} samples for "
            f"{n_samples} inputs: samples must be the first axis."
        )
    if samples.shape[1] == 0:
        raise ValueError("predict_samples returned no member (0 columns).")
    return samples


def mean_std_of_samples(samples) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation over the members (axis 1), float64.

    The standard deviation is the population one (``ddof=0``): the spread
    of the ``T`` members themselves, zero when they agree.
    """
    samples = np.asarray(samples, dtype=np.float64)
    mean = samples.mean(axis=1)
    deviation = samples - mean[:, None]
    deviation *= deviation
    return mean, np.sqrt(deviation.mean(axis=1))


def predict_mean_std(estimator, X) -> tuple[np.ndarray, np.ndarray]:
    """Predictive mean and standard deviation of a fitted regressor.

    The one place where skactive reads a regressor's uncertainty:
    ``estimator.predict(X, return_std=True)`` when its ``predict`` takes
    ``return_std`` (:func:`supports_return_std`), else the mean and the
    standard deviation (``ddof=0``) over the members of
    ``estimator.predict_samples(X)``.

    Parameters
    ----------
    estimator : regressor
        A fitted regressor with ``predict(X, return_std=True)`` or
        ``predict_samples``.
    X : array-like of shape (n_samples, n_features)
        The samples (a chunk of a pool).

    Returns
    -------
    mean : ndarray of shape (n_samples,)
        Predictive mean.
    std : ndarray of shape (n_samples,)
        Predictive standard deviation.

    Raises
    ------
    TypeError
        The estimator offers neither.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import BayesianRidge
    >>> from skactive.utils import predict_mean_std
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> model = BayesianRidge().fit(X, 2 * X.ravel())
    >>> mean, std = predict_mean_std(model, X[:2])
    >>> mean.shape, std.shape
    ((2,), (2,))
    """
    n_samples = _num_samples(X)
    if supports_return_std(estimator):
        result = estimator.predict(X, return_std=True)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise ValueError(
                f"{type(estimator).__name__}.predict(X, return_std=True) must "
                "return a pair (mean, std)."
            )
        mean, std = (np.asarray(a, dtype=np.float64) for a in result)
        for name, array in (("mean", mean), ("std", std)):
            if array.shape != (n_samples,):
                raise ValueError(
                    f"{type(estimator).__name__}.predict(X, return_std=True) "
                    f"returned a {name} of shape {array.shape} for {n_samples} "
                    "samples; expected one value per sample (a single target)."
                )
        return mean, std
    if hasattr(estimator, "predict_samples"):
        return mean_std_of_samples(
            check_predict_samples(estimator.predict_samples(X), n_samples)
        )
    check_predictive_std(estimator)
    raise AssertionError  # pragma: no cover - check_predictive_std raised


def check_regression_targets(y) -> np.ndarray:
    """The targets of a labelled set for a regressor: real numbers, 1-d, finite.

    A column vector is flattened with scikit-learn's
    :class:`~sklearn.exceptions.DataConversionWarning`.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The targets.

    Returns
    -------
    y : ndarray of shape (n_samples,)
        The targets as an array (integers stay integers; NumPy's numbers).
    """
    y = column_or_1d(y, warn=True)
    if y.dtype.kind not in "biuf":
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                "y must hold real numbers (a regression target); got values "
                f"of dtype {y.dtype} such as {y[:3].tolist()!r}. A classifier "
                "takes labels."
            ) from exc
    if y.dtype.kind == "f":
        assert_all_finite(y, input_name="y")
    return y
