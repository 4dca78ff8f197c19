"""Expected gradient length (expected model change) for a softmax last layer."""

from __future__ import annotations

import numpy as np

from ..base import QueryStrategy
from ..embedding import check_embedding
from ..utils._docstrings import fill_doc
from ._last_layer import LastLayer, last_layer

__all__ = ["ExpectedGradientLength", "expected_gradient_length"]


def expected_gradient_length(layer: LastLayer) -> np.ndarray:
    r"""Closed-form expected last-layer gradient norm of each sample.

    .. math::

        \mathrm{EGL}(x) = \sum_y p(y \mid x)\, \|p - e_y\|\, \|[h, 1]\|,
        \qquad \|p - e_y\|^2 = \|p\|^2 - 2 p_y + 1.

    For a binary model with one weight vector the gradient factor is the
    scalar :math:`p_1 - 1[y = 1]`, so :math:`\mathrm{EGL} = 2 p_0 p_1 \|[h,
    1]\|` (the two-column softmax form is :math:`\sqrt 2` times larger for
    every sample and ranks them the same).

    Parameters
    ----------
    layer : LastLayer
        Probabilities and last-layer input of the samples.

    Returns
    -------
    utilities : ndarray of shape (n_samples,)
    """
    proba = layer.proba
    h_norm = np.sqrt(layer.embedding_sq_norms())
    if layer.one_column:
        return 2.0 * proba[:, 0] * proba[:, 1] * h_norm
    # ||p - e_y||^2 = (||p||^2 - p_y^2) + (1 - p_y)^2; for the most probable
    # class of a confident sample ||p||^2 - p_y^2 cancels, so it is summed
    # directly there.
    sq = proba * proba
    p_sq = sq @ np.ones(proba.shape[1])
    a_sq = p_sq[:, None] - sq + (1.0 - proba) ** 2
    rows, top = np.arange(proba.shape[0]), proba.argmax(axis=1)
    sq[rows, top] = 0.0
    a_sq[rows, top] = sq @ np.ones(proba.shape[1]) + (1.0 - proba[rows, top]) ** 2
    a_norms = np.sqrt(np.maximum(a_sq, 0.0))
    return np.einsum("ij,ij->i", proba, a_norms) * h_norm


@fill_doc
class ExpectedGradientLength(QueryStrategy):
    r"""Query the samples that would change the model most (EGL).

    Expected model change: the norm of the gradient the sample's label
    would add to the training loss, in expectation over the label under the
    model's own prediction. For a softmax last layer :math:`z = W h + b`
    with cross-entropy loss the gradient for label :math:`y` is
    :math:`(p - e_y) \otimes [h, 1]`, whose norm factorises:

    .. math::

        \mathrm{EGL}(x) = \sum_y p(y \mid x)\, \|p - e_y\|\, \|[h, 1]\|.

    Only the last layer's gradient is used (the full gradient of a deep
    network would need a backward pass per label); :math:`h` comes from
    :func:`skactive.embedding.get_embedding` as in :class:`BADGE`: a
    network's penultimate activations, a pipeline's transformed features, or
    the raw features of a linear model such as
    :class:`~sklearn.linear_model.LogisticRegression` (whose gradient is
    then exact). A binary model with one weight vector uses the scalar factor
    :math:`p_1 - 1[y=1]` (same ranking as the softmax form).

    Parameters
    ----------
    %(estimator)s
    embedding : str or callable, default="auto"
        The last layer's input :math:`h`: ``"auto"``, ``"raw"``,
        ``"transform"``, ``"penultimate"`` or a callable, see
        :func:`skactive.embedding.get_embedding`.
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    %(random_state)s
    %(warm_start)s

    Attributes
    ----------
    estimator_ : classifier
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during ``fit``.

    See Also
    --------
    BADGE : the same gradients, chosen jointly for diversity.

    References
    ----------
    .. [1] B. Settles, M. Craven and S. Ray, "Multiple-Instance Active
       Learning", NeurIPS 2008.
    .. [2] B. Settles and M. Craven, "An Analysis of Active Learning
       Strategies for Sequence Labeling Tasks", EMNLP 2008.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import ExpectedGradientLength
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = ExpectedGradientLength(LogisticRegression(), batch_size=3,
    ...                                   random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        embedding="auto",
        batch_size=10,
        chunk_size=None,
        n_jobs=None,
        pool_subsample=None,
        random_state=None,
        warm_start=False,
    ):
        super().__init__(
            estimator,
            batch_size=batch_size,
            chunk_size=chunk_size,
            n_jobs=n_jobs,
            pool_subsample=pool_subsample,
            random_state=random_state,
            warm_start=warm_start,
        )
        self.embedding = embedding

    def _check_params(self) -> None:
        check_embedding(self.embedding)

    def _utility(self, X, context=None) -> np.ndarray:
        return expected_gradient_length(last_layer(self.estimator_, X, self.embedding))
