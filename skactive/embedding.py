"""One source of embeddings for the distance-based strategies (DESIGN point 6).

Core-set, clustering, density and BADGE measure distances between samples in
some feature space. :func:`get_embedding` is the only place that decides which:

- ``"raw"``: the input features themselves (an image or any input of more
  than two dimensions is flattened to one vector per sample);
- ``"transform"``: a :class:`~sklearn.pipeline.Pipeline`'s transform by all
  steps before its final estimator (e.g. scaled or PCA features);
- ``"penultimate"``: the penultimate-layer activations of a network, for any
  estimator with an ``embed(X)`` method (``skactive.deep`` networks have one),
  also at the end of a pipeline (after the pipeline's transform);
- ``"auto"`` (default): ``"penultimate"`` if the estimator (or a pipeline's
  final step) has ``embed``,
  else ``"transform"`` if it is a pipeline with more than one step, else
  ``"raw"``;
- a callable ``f(X) -> ndarray of shape (n_samples, n_dims)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import Pipeline

from .utils._compat import _num_samples
from .utils._validation import is_raw_input, unwrap_estimator

__all__ = [
    "EMBEDDINGS",
    "check_embedding",
    "get_embedding",
    "get_pool_embedding",
    "unwrap_estimator",
]

EMBEDDINGS = ("auto", "raw", "transform", "penultimate")


def check_embedding(embedding, name: str = "embedding") -> None:
    """Raise a clear error unless ``embedding`` is a known name or a callable."""
    if callable(embedding):
        return
    if not isinstance(embedding, str) or embedding not in EMBEDDINGS:
        raise ValueError(
            f"{name} must be one of {EMBEDDINGS} or a callable, got {embedding!r}."
        )


def _resolve(estimator, embedding) -> str | Callable:
    check_embedding(embedding)
    if callable(embedding):
        return embedding
    if embedding != "auto":
        return embedding
    if hasattr(unwrap_estimator(estimator, final=True), "embed"):
        return "penultimate"
    if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
        return "transform"
    return "raw"


def get_embedding(estimator, X, embedding="auto", *, dense: bool = True):
    """Embed samples for distance computations.

    Parameters
    ----------
    estimator : estimator or None
        The fitted estimator of the strategy (``None`` for model-free
        strategies, which allows ``"raw"``, ``"auto"`` or a callable only).
    X : array-like of shape (n_samples, n_features)
        The samples.
    embedding : {"auto", "raw", "transform", "penultimate"} or callable, \
default="auto"
        Which feature space, see the module docstring.
    dense : bool, default=True
        Whether a sparse embedding (a TF-IDF transform, sparse raw
        features) is made dense; ``False`` keeps it as a float CSR matrix,
        for the computations that work on sparse rows (TypiClust's k-means
        and neighbours).

    Returns
    -------
    Z : ndarray or CSR matrix of shape (n_samples, n_dims)
        The embedding, as a float array (a CSR matrix only when ``dense`` is
        ``False`` and the embedding is sparse).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.embedding import get_embedding
    >>> X, y = np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([0, 1])
    >>> model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    >>> get_embedding(model, X)
    array([[-1., -1.],
           [ 1.,  1.]])
    """
    estimator = unwrap_estimator(estimator)
    how = _resolve(estimator, embedding)
    if callable(how):
        Z = how(X)
    elif how == "raw":
        if is_raw_input(X):
            raise ValueError(
                'embedding="raw" needs numeric features, but the samples are '
                "raw (texts or categories). Use a Pipeline whose steps before "
                'the final estimator vectorise them (embedding="transform", '
                'the default "auto" for a Pipeline) or pass a callable '
                "embedding."
            )
        # n-d inputs (images) are compared as flat vectors of their values
        Z = X.reshape(X.shape[0], -1) if getattr(X, "ndim", 2) > 2 else X
    elif how == "transform":
        if not isinstance(estimator, Pipeline) or len(estimator.steps) < 2:
            raise ValueError(
                'embedding="transform" needs a Pipeline with at least one step '
                f"before its final estimator; got {type(estimator).__name__}."
            )
        Z = estimator[:-1].transform(X)
    elif isinstance(estimator, Pipeline) and hasattr(estimator[-1], "embed"):
        # a network at the end of a pipeline: its penultimate layer, fed with
        # the pipeline's transform of X
        Z = estimator[-1].embed(estimator[:-1].transform(X))
    else:  # penultimate
        if not hasattr(estimator, "embed"):
            raise TypeError(
                'embedding="penultimate" needs an estimator with an embed(X) '
                f"method (a skactive.deep network); got {type(estimator).__name__}."
            )
        Z = estimator.embed(X)
    if sp.issparse(Z) and not dense:
        Z = sp.csr_matrix(Z)
        if not np.issubdtype(Z.dtype, np.floating):
            Z = Z.astype(np.float64)
    elif hasattr(Z, "toarray"):
        Z = Z.toarray()
    if not sp.issparse(Z):
        Z = np.asarray(Z)
    n_samples = _num_samples(X)
    if Z.ndim != 2 or Z.shape[0] != n_samples:
        raise ValueError(
            f"the embedding must have shape (n_samples, n_dims) = ({n_samples}, ...);"
            f" got {Z.shape}."
        )
    return Z if np.issubdtype(Z.dtype, np.floating) else Z.astype(np.float64)


def get_pool_embedding(estimator, pool, embedding="auto", *, dense: bool = True):
    """:func:`get_embedding` of every candidate row of a :class:`~skactive.utils.Pool`.

    Computed chunk by chunk (``pool.map``), in parallel. The raw features of
    a whole in-memory pool are the pool itself: they are returned without a
    copy.

    Parameters
    ----------
    estimator : estimator
        The fitted estimator.
    pool : Pool
        The candidate rows.
    embedding : {"auto", "raw", "transform", "penultimate"} or callable
        See :func:`get_embedding`.
    dense : bool, default=True
        See :func:`get_embedding`: ``False`` keeps a sparse embedding sparse
        (the chunks are stacked as one CSR matrix).

    Returns
    -------
    Z : ndarray or CSR matrix of shape (pool.n, n_dims)
    """
    if pool_is_its_embedding(estimator, pool, embedding):
        return pool.X
    return pool.map(_embed_rows, estimator, embedding, dense)


def pool_is_its_embedding(estimator, pool, embedding="auto") -> bool:
    """Whether the embedding of every row of ``pool`` is ``pool.X`` itself.

    True for the raw features of a whole, in-memory, 2-d floating pool: a
    pass over the pool can then skip the embedding and use the pool as it
    is, without a copy.
    """
    X = pool.X
    return (
        pool.candidates is None
        and _resolve(unwrap_estimator(estimator), embedding) == "raw"
        and isinstance(X, np.ndarray)
        and X.ndim == 2
        and np.issubdtype(X.dtype, np.floating)
    )


def _embed_rows(X, estimator, embedding, dense=True):
    """:func:`get_embedding` with the rows first, as ``Pool.map`` calls it."""
    return get_embedding(estimator, X, embedding, dense=dense)
