"""Learning curves as arrays: a common grid of label counts, mean and band.

These are the computations behind
:class:`~skactive.plotting.ActiveLearningCurveDisplay` and
:meth:`~skactive.ComparisonResult.curves`; they take plain arrays, so that
the plots depend on the metrics and never on the loop that produced them.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

__all__ = ["align_learning_curves", "learning_curve_band"]

_SPREADS = ("std", "minmax")


def align_learning_curves(curves):
    """Put learning curves on one grid of label counts.

    Runs of a simulation stop at different label counts (a stopping
    criterion, a pool exhausted early); to average them, every curve is
    placed on the union of their label counts, with ``NaN`` where a run has
    no point.

    Parameters
    ----------
    curves : dict of str -> list of (n_labels, scores) pairs
        For each strategy, one ``(n_labels, scores)`` pair of equal-length
        1-d arrays per repeat. ``scores`` may hold ``NaN`` (no point).

    Returns
    -------
    n_labels : ndarray of shape (n_points,)
        Every label count of some curve, sorted.
    scores : dict of str -> ndarray of shape (n_repeats, n_points)
        Each strategy's curves, one row per repeat, ``NaN`` where a repeat
        has no point.

    See Also
    --------
    learning_curve_band : the mean curve and its band over the repeats.

    Examples
    --------
    >>> from skactive.metrics import align_learning_curves
    >>> n_labels, scores = align_learning_curves(
    ...     {"margin": [([10, 20, 30], [0.5, 0.7, 0.8]), ([10, 20], [0.6, 0.7])]}
    ... )
    >>> n_labels
    array([10, 20, 30])
    >>> scores["margin"]
    array([[0.5, 0.7, 0.8],
           [0.6, 0.7, nan]])
    """
    if not isinstance(curves, dict) or not curves:
        raise TypeError(
            "curves must be a non-empty dict of name -> list of (n_labels, "
            f"scores) pairs; got {curves!r:.80}."
        )
    checked = {}
    for name, runs in curves.items():
        if isinstance(runs, tuple) and len(runs) == 2 and np.ndim(runs[0]) == 1:
            runs = [runs]  # one (n_labels, scores) pair
        pairs = []
        for i, run in enumerate(runs):
            try:
                x, y = run
            except (TypeError, ValueError):
                raise TypeError(
                    f"curves[{name!r}][{i}] must be an (n_labels, scores) pair."
                ) from None
            x = np.asarray(x)
            y = np.asarray(y, dtype=np.float64)
            if x.ndim != 1 or x.shape != y.shape:
                raise ValueError(
                    f"curves[{name!r}][{i}]: n_labels and scores must be 1-d "
                    f"arrays of the same length; got shapes {x.shape} and "
                    f"{y.shape}."
                )
            if np.unique(x).shape[0] != x.shape[0]:
                raise ValueError(
                    f"curves[{name!r}][{i}]: n_labels has repeated values."
                )
            pairs.append((x, y))
        if not pairs:
            raise ValueError(f"curves[{name!r}] has no curve.")
        checked[name] = pairs
    grid = np.unique(np.concatenate([x for runs in checked.values() for x, _ in runs]))
    scores = {}
    for name, runs in checked.items():
        table = np.full((len(runs), grid.shape[0]), np.nan)
        for i, (x, y) in enumerate(runs):
            table[i, np.searchsorted(grid, x)] = y
        scores[name] = table
    return grid, scores


def learning_curve_band(scores, *, spread="std"):
    """Mean learning curve over repeats, and the band around it.

    Parameters
    ----------
    scores : array-like of shape (n_repeats, n_points) or (n_points,)
        One curve per repeat on a common grid (see
        :func:`align_learning_curves`); ``NaN`` points are ignored.
    spread : {"std", "minmax"}, pair of float, or None, default="std"
        The band: the mean plus and minus one standard deviation, the range
        of the repeats, a pair of quantiles ``(low, high)`` in ``[0, 1]``
        (e.g. ``(0.25, 0.75)``: the inter-quartile range), or none.

    Returns
    -------
    mean : ndarray of shape (n_points,)
        The mean over the repeats that have the point (``NaN`` if none).
    lower, upper : ndarray of shape (n_points,) or None
        The band's bounds; ``None`` with ``spread=None``.

    See Also
    --------
    align_learning_curves : runs of different lengths on one grid.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.metrics import learning_curve_band
    >>> scores = np.array([[0.5, 0.6, 0.8], [0.7, 0.8, np.nan]])
    >>> mean, lower, upper = learning_curve_band(scores, spread="minmax")
    >>> mean
    array([0.6, 0.7, 0.8])
    >>> lower, upper
    (array([0.5, 0.6, 0.8]), array([0.7, 0.8, 0.8]))
    """
    quantiles = None
    if (
        isinstance(spread, tuple | list)
        and len(spread) == 2
        and all(isinstance(q, numbers.Real) and not isinstance(q, bool) for q in spread)
        and 0 <= spread[0] <= spread[1] <= 1
    ):
        quantiles = (float(spread[0]), float(spread[1]))
    elif not (spread is None or (isinstance(spread, str) and spread in _SPREADS)):
        raise ValueError(
            "spread must be 'std', 'minmax', None or a pair of quantiles "
            f"0 <= low <= high <= 1; got {spread!r}."
        )
    table = np.asarray(scores, dtype=np.float64)
    if table.ndim == 1:
        table = table[np.newaxis]
    if table.ndim != 2:
        raise ValueError(
            f"scores must be of shape (n_repeats, n_points); got shape {table.shape}."
        )
    with warnings.catch_warnings():
        # all-NaN columns (no repeat has the point) give NaN, silently
        warnings.simplefilter("ignore", category=RuntimeWarning)
        mean = np.nanmean(table, axis=0)
        if spread is None:
            return mean, None, None
        if spread == "std":
            std = np.nanstd(table, axis=0)
            return mean, mean - std, mean + std
        if spread == "minmax":
            return mean, np.nanmin(table, axis=0), np.nanmax(table, axis=0)
        lower, upper = np.nanquantile(table, quantiles, axis=0)
        return mean, lower, upper
