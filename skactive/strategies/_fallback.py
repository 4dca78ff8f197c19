"""What gradient- and distance-based strategies do when the model is degenerate.

A classifier fitted on a few labels of a rare class (or on a TF-IDF space
where most texts share no word with the labelled ones) often predicts one
class for the whole pool. BADGE's gradient embeddings and core-set's
distances then no longer reflect what the model is unsure of, and their
picks are as good as random: on a rare-class text task, BADGE and core-set
stayed at a balanced accuracy of 0.50 for the whole budget where margin
sampling reached 0.82 (docs/benchmarks.md). Until the model predicts a
second class, such a strategy queries by margin instead, which looks for
the samples most likely to belong to another class, and says so with a
:class:`~skactive.exceptions.DegenerateModelWarning`.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import is_classifier

from ..exceptions import DegenerateModelWarning
from ..utils._pool import Pool
from ..utils._selection import draw_salt
from ._diversity import fit_over
from ._uncertainty import MarginSampling

FALLBACKS = ("margin", None)
# Candidates whose predictions decide whether the model is degenerate: evenly
# spaced over the candidates (no random draw, so the strategy's own draws are
# unchanged).
N_CHECK = 2_000


def check_fallback(fallback) -> None:
    if fallback not in FALLBACKS:
        raise ValueError(f"fallback must be one of {FALLBACKS}, got {fallback!r}.")


def fit_fallback(owner, X, y):
    """The fitted margin strategy over ``owner.estimator_`` (frozen), or
    ``None`` when ``owner`` has no fallback, serves a regressor, or its
    model has no ``predict_proba``."""
    model = owner.estimator_
    if (
        owner.fallback is None
        or not is_classifier(model)
        or not hasattr(model, "predict_proba")
    ):
        return None
    return fit_over(owner, MarginSampling(), X, y, batch_size=1)


def evenly_spaced(n: int, k: int) -> np.ndarray:
    """Up to ``k`` positions spread evenly over ``range(n)`` (all if fewer):
    a sample of the candidates that draws nothing from the random state."""
    return np.unique(np.linspace(0, n - 1, min(n, k)).round().astype(np.intp))


def predicts_one_class(estimator, pool: Pool) -> bool:
    """Whether ``estimator`` predicts one class for every checked candidate
    (all of them, or :data:`N_CHECK` evenly spaced ones)."""
    positions = evenly_spaced(pool.n, N_CHECK)
    predicted = np.asarray(estimator.predict(pool.take(positions)))
    return np.unique(predicted).shape[0] < 2


def fallback_picks(
    owner, pool: Pool, batch_size: int, rng, *, unhelpful: str
) -> np.ndarray | None:
    """The margin strategy's picks (local positions) when ``owner``'s model
    predicts one class for the pool, with a warning that names what does not
    help (``unhelpful``); ``None`` otherwise."""
    margin = getattr(owner, "_fallback", None)
    if margin is None or not predicts_one_class(owner.estimator_, pool):
        return None
    warnings.warn(
        f"the model of {type(owner).__name__} predicts one class for the whole "
        f"pool: its {unhelpful} do not say what it is unsure of, so this "
        "batch is queried by "
        "margin (fallback='margin') until it predicts a second class.",
        DegenerateModelWarning,
        stacklevel=4,
    )
    (_, rows), _ = pool.score_top_k(margin, batch_size, draw_salt(rng), False, None)
    return pool.local_positions(rows)
