"""Cluster-based diverse mini-batches (Zhdanov, 2019)."""

from __future__ import annotations

from ._hybrid import _fill_hybrid_doc, _PrefilterStrategy

__all__ = ["DiverseMiniBatch"]


@_fill_hybrid_doc
class DiverseMiniBatch(_PrefilterStrategy):
    """Diverse mini-batch: uncertainty-weighted k-means of the candidates.

    The ``ceil(beta * k)`` pool samples of highest ``uncertainty`` are
    clustered into ``k`` clusters by k-means weighted by their utilities
    (the objective :math:`\\sum_i u_i \\|z_i - \\mu_{c(i)}\\|^2`); in each
    cluster the sample nearest the centre is queried. The centres gravitate
    towards informative regions while the ``k`` clusters spread the batch,
    so near-duplicates of one informative sample are not queried together
    as they would be by plain top-k.

    The picks are distinct (one per cluster; a cluster left empty by
    duplicated points takes the unused candidate nearest its centre) and
    returned by decreasing utility. Utilities are clipped at 0 and floored at
    1e-6 of the largest to serve as weights. Equivalent to
    ``HybridSampling(selector="weighted_kmeans")``.

    Parameters
    ----------
    %(estimator)s
    %(uncertainty)s
    %(beta)s
    %(metric)s
    %(embedding)s
    %(hybrid_common)s
    See Also
    --------
    HybridSampling : other pre-filters and diversity selectors.
    CoreSet : greedy k-center over the whole pool.

    References
    ----------
    .. [1] F. Zhdanov, "Diverse mini-batch Active Learning",
       arXiv:1901.05954, 2019.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import DiverseMiniBatch
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = DiverseMiniBatch(LogisticRegression(), batch_size=3,
    ...                             random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        uncertainty="margin",
        beta=10,
        metric="euclidean",
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
        self.uncertainty = uncertainty
        self.beta = beta
        self.metric = metric
        self.embedding = embedding

    def _get_selector(self) -> str:
        return "weighted_kmeans"
