"""The factors of a softmax last layer's gradient, shared by BADGE and EGL.

For a last layer ``z = W h + b`` followed by a softmax and the cross-entropy
loss of a label ``y``, the gradient with respect to ``(W, b)`` is the outer
product ``(p - e_y) ⊗ [h, 1]``. Both factors are cheap: ``a = p - e_y`` has
``n_classes`` entries and ``h`` is the embedding of the sample, so the
``n_classes * (n_dims + 1)`` gradient embedding never needs to be built:

- its norm is ``||a|| * ||[h, 1]||``;
- the inner product of two of them is ``(a_i · a_j) * (h_i · h_j + 1)``.

Where ``h`` comes from is :func:`skactive.embedding.get_embedding`'s choice:
a network's penultimate activations, a pipeline's transformed features, or
the raw features of a linear model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..embedding import get_embedding, pool_is_its_embedding, unwrap_estimator
from ..utils._pool import Pool

__all__ = [
    "LastLayer",
    "gradient_factors",
    "gradient_sq_norms",
    "hallucinated_factor",
    "last_layer",
]


def _final_estimator(estimator):
    """The model that owns the last layer (through frozen wrappers and pipelines)."""
    return unwrap_estimator(estimator, final=True)


def _one_weight_vector(estimator, n_classes: int) -> bool:
    """A binary linear model with a single weight vector (``coef_`` of 1 row)."""
    coef = getattr(_final_estimator(estimator), "coef_", None)
    return (
        n_classes == 2
        and coef is not None
        and np.ndim(coef) == 2
        and (np.shape(coef)[0] == 1)
    )


def _has_bias(estimator) -> bool:
    """Whether the last layer has a bias (``fit_intercept``, else assumed)."""
    return bool(getattr(_final_estimator(estimator), "fit_intercept", True))


@dataclass
class LastLayer:
    """Probabilities and embedding of pool samples, for gradient factors.

    Attributes
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Predicted class probabilities.
    embedding : ndarray of shape (n_samples, n_dims)
        Input ``h`` of the last layer.
    one_column : bool
        The model is binary with one weight vector (e.g. a binary
        :class:`~sklearn.linear_model.LogisticRegression`): its gradient factor
        is the scalar ``p_1 - 1[y = 1]`` instead of the vector ``p - e_y``.
    bias : float
        ``1.0`` when the last layer has a bias (its gradient is the ``1``
        appended to ``h``), else ``0.0``.
    """

    proba: np.ndarray
    embedding: np.ndarray
    one_column: bool
    bias: float

    def hallucinated_factor(self, overwrite: bool = False) -> np.ndarray:
        """``a = p - e_ŷ`` for the predicted label ``ŷ = argmax p``.

        Parameters
        ----------
        overwrite : bool, default=False
            Compute ``a`` in the memory of ``proba`` (which then holds ``a``),
            for callers that need the probabilities no longer.

        Returns
        -------
        a : ndarray of shape (n_samples, n_classes) or (n_samples, 1)
        """
        return hallucinated_factor(self.proba, self.one_column, overwrite=overwrite)

    def embedding_sq_norms(self) -> np.ndarray:
        """``||[h, 1]||^2`` (or ``||h||^2`` without bias), in float64."""
        h = self.embedding
        return np.einsum("ij,ij->i", h, h, dtype=np.float64) + self.bias


def hallucinated_factor(
    proba: np.ndarray, one_column: bool, *, overwrite: bool = False
) -> np.ndarray:
    """``a = p - e_ŷ`` for the predicted label ``ŷ = argmax p``.

    ``one_column``: the scalar ``p_1 - 1[ŷ = 1]`` of a binary model with one
    weight vector, as a column. ``overwrite``: computed in ``proba``'s memory.
    """
    predicted = proba.argmax(axis=1)
    if one_column:
        return (proba[:, 1] - (predicted == 1))[:, None]
    a = proba if overwrite else proba.copy()
    a[np.arange(proba.shape[0]), predicted] -= 1.0
    return a


def gradient_sq_norms(a: np.ndarray, h: np.ndarray, bias: float) -> np.ndarray:
    """``||a_i ⊗ [h_i, 1]||^2 = ||a_i||^2 (||h_i||^2 + bias)``, in float64."""
    a_sq = np.einsum("ij,ij->i", a, a, dtype=np.float64)
    return a_sq * (np.einsum("ij,ij->i", h, h, dtype=np.float64) + bias)


def _proba(X, estimator) -> np.ndarray:
    return np.asarray(estimator.predict_proba(X), dtype=np.float64)


def _factors(X, estimator, embedding, one_column, bias, with_h):
    """The gradient factors of the rows ``X``, computed while they are in cache."""
    proba = _proba(X, estimator)
    h = get_embedding(estimator, X, embedding)
    a = hallucinated_factor(proba, one_column, overwrite=True)
    g_sq = gradient_sq_norms(a, h, bias)
    return (a, g_sq, h) if with_h else (a, g_sq)


def gradient_factors(estimator, pool: Pool, embedding="auto"):
    """The factors of every candidate's hallucinated gradient, in one pass.

    One chunked, parallel pass over ``pool`` computes, per chunk while it is
    in cache, the probabilities, the hallucinated factor ``a = p - e_ŷ``, the
    last-layer input ``h`` and the squared gradient norm
    ``||a||^2 (||h||^2 + bias)``. When the last-layer input is the pool
    itself (the raw features of a linear model), ``h`` is the pool, not a
    copy.

    Parameters
    ----------
    estimator : classifier
        Fitted, with ``predict_proba`` and ``classes_``.
    pool : Pool
        The candidate rows.
    embedding : {"auto", "raw", "transform", "penultimate"} or callable
        Passed to :func:`skactive.embedding.get_embedding`.

    Returns
    -------
    a : ndarray of shape (pool.n, n_classes) or (pool.n, 1)
    h : ndarray of shape (pool.n, n_dims)
    g_sq : ndarray of shape (pool.n,)
    bias : float
    """
    one_column = _one_weight_vector(estimator, len(estimator.classes_))
    bias = 1.0 if _has_bias(estimator) else 0.0
    if pool_is_its_embedding(estimator, pool, embedding):
        a, g_sq = pool.map(_factors, estimator, embedding, one_column, bias, False)
        return a, pool.X, g_sq, bias
    a, g_sq, h = pool.map(_factors, estimator, embedding, one_column, bias, True)
    return a, h, g_sq, bias


def last_layer(estimator, X, embedding="auto") -> LastLayer:
    """Probabilities and last-layer input of ``X`` for a fitted classifier.

    Parameters
    ----------
    estimator : classifier
        Fitted, with ``predict_proba``.
    X : array-like of shape (n_samples, n_features)
        The samples (one chunk of a pool).
    embedding : {"auto", "raw", "transform", "penultimate"} or callable
        Passed to :func:`skactive.embedding.get_embedding`.

    Returns
    -------
    layer : LastLayer
    """
    proba, h = _proba(X, estimator), get_embedding(estimator, X, embedding)
    return LastLayer(
        proba=proba,
        embedding=h,
        one_column=_one_weight_vector(estimator, proba.shape[1]),
        bias=1.0 if _has_bias(estimator) else 0.0,
    )
