"""Expected model change maximisation for regression (Cai, Zhang & Zhou, 2013)."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator

from ..base import QueryTags, RegressionQueryStrategy
from ..committee import CommitteeRegressor
from ..embedding import check_embedding, get_embedding
from ..utils._docstrings import fill_doc
from ..utils._regression import check_predict_samples
from ..utils._validation import check_int

__all__ = ["ExpectedModelChange"]


def expected_model_change(prediction, bootstrap_predictions, features) -> np.ndarray:
    r"""EMCM's utility: the mean norm of the gradients a label would make.

    .. math::

        u(x) = \frac1K \sum_k \|(f(x) - f_k(x))\, \varphi(x)\|
             = \|\varphi(x)\| \, \frac1K \sum_k |f(x) - f_k(x)|

    Parameters
    ----------
    prediction : ndarray of shape (n_samples,)
        The model's predictions ``f(x)``.
    bootstrap_predictions : ndarray of shape (n_samples, n_bootstraps)
        The bootstrap models' predictions ``f_k(x)``, the stand-ins for the
        unknown label.
    features : ndarray of shape (n_samples, n_dims)
        The features ``phi(x)`` of the linear model (the gradient of its
        prediction with respect to its weights).

    Returns
    -------
    utilities : ndarray of shape (n_samples,)
    """
    features = np.asarray(features, dtype=np.float64)
    norms = np.sqrt(np.einsum("ij,ij->i", features, features))
    deviation = np.abs(
        np.asarray(bootstrap_predictions, dtype=np.float64)
        - np.asarray(prediction, dtype=np.float64)[:, None]
    )
    return norms * deviation.mean(axis=1)


@fill_doc
class ExpectedModelChange(RegressionQueryStrategy):
    r"""Expected model change maximisation (EMCM) for regression.

    Query the samples whose label would change the model most. For a linear
    model :math:`f(x) = w^\top \varphi(x)` trained by gradient descent on the
    squared error, a new example :math:`(x, y)` moves the weights along the
    gradient :math:`(f(x) - y)\, \varphi(x)`. The label is unknown, so
    Cai et al. (2013) average over the predictions :math:`f_k(x)` of ``K``
    models fitted on bootstrap resamples of the labelled set:

    .. math::

        u(x) = \frac1K \sum_{k=1}^K \|(f(x) - f_k(x))\, \varphi(x)\|
             = \|\varphi(x)\| \cdot \frac1K \sum_k |f(x) - f_k(x)|.

    The second factor is a committee's disagreement with the model, the
    first how far the sample's features reach: EMCM prefers uncertain
    samples with large features, which move the weights most.

    **Features** :math:`\varphi` (``embedding``): with ``"auto"``, the raw
    features for a plain linear model, and for a
    :class:`~sklearn.pipeline.Pipeline` the transform of its steps before
    the final estimator (e.g. polynomial or spline features before a
    ``Ridge``): then :math:`\varphi` is exactly what the final linear model
    reads, and the utility is the paper's. For a network with ``embed``
    (:class:`~skactive.deep.MCDropoutRegressor`) it is the penultimate
    layer: the gradient of the output with respect to the last layer's
    weights, as in expected gradient length. For any other model (a forest,
    a kernel method) the utility is an **approximation**: the model change
    of a linear surrogate on these features, weighted by the model's own
    bootstrap disagreement (Cai et al. extend EMCM to tree ensembles with
    the trees' outputs as features; this class does not).

    The ``K`` bootstrap models are fitted in ``fit`` (a
    :class:`~skactive.committee.CommitteeRegressor` of copies of
    ``estimator``), so a query costs ``K + 1`` predictions and one
    embedding of each pool chunk. The batch is the top ``batch_size``
    utilities (a pointwise strategy).

    Parameters
    ----------
    %(regressor)s
    n_bootstraps : int, default=4
        Number ``K`` of bootstrap models (4 in Cai et al.).
    embedding : str or callable, default="auto"
        The features :math:`\varphi`: ``"auto"``, ``"raw"``,
        ``"transform"``, ``"penultimate"`` or a callable, through
        :func:`skactive.embedding.get_embedding` with the fitted estimator
        (see above).
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Draws the bootstrap resamples (and seeds the bootstrap models),
        draws the pool subsample and breaks ties. Pass an int for
        reproducible fits and queries.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : regressor
        The fitted clone of ``estimator``: the model :math:`f`.
    committee_ : CommitteeRegressor
        The ``K`` bootstrap models :math:`f_k`.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    MaxStdSampling : the predictive standard deviation alone.
    ExpectedGradientLength : the classification counterpart.

    References
    ----------
    .. [1] W. Cai, Y. Zhang and J. Zhou, "Maximizing expected model change
       for active learning in regression", ICDM 2013.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from skactive import ExpectedModelChange
    >>> X, y = load_diabetes(return_X_y=True)
    >>> strategy = ExpectedModelChange(Ridge(), batch_size=3, random_state=0)
    >>> strategy.fit(X[:20], y[:20]).query(X[20:]).shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        n_bootstraps=4,
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
        self.n_bootstraps = n_bootstraps
        self.embedding = embedding

    def _query_tags(self) -> QueryTags:
        return QueryTags(requires_proba=False)

    def _check_params(self) -> None:
        check_int(self.n_bootstraps, "n_bootstraps")
        check_embedding(self.embedding)

    def _fit(self, X, y) -> None:
        if isinstance(self._get_estimator(), FrozenEstimator):
            raise ValueError(
                "ExpectedModelChange refits copies of its estimator on bootstrap "
                "resamples, and a FrozenEstimator cannot be refitted (every "
                "copy would be the same model, every utility 0): pass the "
                "model unfrozen."
            )
        self.committee_ = CommitteeRegressor(
            estimator=clone(self._get_estimator()),
            n_members=self.n_bootstraps,
            bootstrap=True,
            random_state=self.random_state,
        ).fit(X, y)

    def _utility(self, X, context=None) -> np.ndarray:
        prediction = np.asarray(self.estimator_.predict(X), dtype=np.float64)
        samples = check_predict_samples(
            self.committee_.predict_samples(X), prediction.shape[0]
        )
        features = get_embedding(self.estimator_, X, self.embedding)
        return expected_model_change(prediction.reshape(-1), samples, features)
