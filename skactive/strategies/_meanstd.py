"""Mean standard deviation of the members' (MC passes') probabilities."""

from __future__ import annotations

from ._committee import _DisagreementBase, _fill

__all__ = ["MeanSTD"]


@_fill
class MeanSTD(_DisagreementBase):
    r"""Query the samples whose class probabilities vary most across members.

    Utility: the standard deviation of each class probability over the
    ``T`` members (MC-Dropout passes, committee members), averaged over the
    classes,

    .. math::

        \sigma(x) = \frac1C \sum_c \sqrt{\mathbb E_t[p_t(c \mid x)^2]
        - \mathbb E_t[p_t(c \mid x)]^2}.

    Like BALD it is zero where the members agree, however uncertain they
    are.

    The other MC-Dropout acquisition functions of Gal et al. (2017) need no
    class of their own: over an estimator with ``predict_proba_samples``,
    :class:`VariationRatioSampling` counts the passes' votes
    (:math:`1 - f_m/T`), :class:`EntropySampling` takes the entropy of the
    MC-averaged prediction ("max entropy", as
    :class:`skactive.deep.MCDropoutClassifier`'s ``predict_proba`` is the MC
    average) and :class:`BALD` the mutual information.

    Parameters
    ----------
    %(committee_estimator)s
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    %(random_state)s
    %(warm_start)s

    Attributes
    ----------
    %(committee_attributes)s

    See Also
    --------
    BALD : mutual information between the label and the model.
    BatchBALD : BALD of a whole batch.
    skactive.measures.mean_std : the formula on probabilities.

    References
    ----------
    .. [1] M. Kampffmeyer, A.-B. Salberg and R. Jenssen, "Semantic
       Segmentation of Small Objects and Modeling of Uncertainty in Urban
       Remote Sensing Images Using Deep Convolutional Neural Networks", CVPR
       Workshops 2016.
    .. [2] Y. Gal, R. Islam and Z. Ghahramani, "Deep Bayesian Active Learning
       with Image Data", ICML 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import Committee, MeanSTD
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = MeanSTD(Committee(n_members=5, random_state=0), batch_size=3,
    ...                    random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    """

    _method = "mean_std"
