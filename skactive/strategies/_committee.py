"""Query by committee (vote entropy, consensus entropy, KL) and BALD."""

from __future__ import annotations

from ..committee import Committee
from ..utils._docstrings import fill_doc
from ._measure import _MeasureStrategy

__all__ = ["BALD", "QueryByCommittee"]

_ESTIMATOR_DOC = """estimator : estimator with ``predict_proba_samples``, default=None
        The committee or Bayesian model, fitted as a clone ``estimator_``:
        any classifier whose ``predict_proba_samples(X)`` returns the
        members' (or stochastic forward passes') probabilities with shape
        ``(n_samples, n_members, n_classes)``, such as
        :class:`~skactive.committee.Committee` or an MC-Dropout network.
        ``None`` means ``Committee(random_state=random_state)``: five
        bagged :class:`~sklearn.linear_model.LogisticRegression`."""

_ATTRIBUTES_DOC = """estimator_ : estimator
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names."""


# The docstrings of the strategies over a committee (here and in _meanstd.py).
_fill = fill_doc(
    committee_estimator=_ESTIMATOR_DOC, committee_attributes=_ATTRIBUTES_DOC
)


class _DisagreementBase(_MeasureStrategy):
    """A measure strategy over a committee: its default estimator is one,
    and a callable ``method`` reads the members' probabilities."""

    _callable_input = "proba_samples"

    def _default_estimator(self):
        return Committee(random_state=self.random_state)


@_fill
class QueryByCommittee(_DisagreementBase):
    """Query the samples on which the members of a committee disagree most.

    A committee (bagged copies of one classifier, a list of different ones,
    or a Bayesian model's posterior samples) predicts every pool sample; the
    samples the members disagree on are queried first. ``method`` chooses the
    measure of disagreement over the members' probabilities
    :math:`p_t(c \\mid x)`, :math:`t = 1 \\dots T`, with consensus
    :math:`\\bar p = \\frac1T \\sum_t p_t`:

    =======================  =================================================
    ``method``               utility of a sample (higher = queried first)
    =======================  =================================================
    ``"vote_entropy"``       :math:`-\\sum_c \\frac{V(c)}{T}\\log\\frac{V(c)}{T}`,
                             :math:`V(c)` the members voting for ``c``
    ``"consensus_entropy"``  :math:`-\\sum_c \\bar p_c \\log \\bar p_c`
    ``"kl_divergence"``      :math:`\\frac1T \\sum_t \\mathrm{KL}(p_t \\| \\bar p)`
                             ("max disagreement")
    =======================  =================================================

    Vote entropy only counts hard votes; consensus entropy is also high where
    every member is unsure in the same way; the KL divergence to the
    consensus (equal to the mutual information of :class:`BALD`) is zero
    whenever the members agree, however unsure they are.

    Parameters
    ----------
    %(committee_estimator)s
    method : str, callable or Measure, default="vote_entropy"
        The disagreement measure: a name of
        :data:`skactive.measures.MEASURES` (the table above;
        ``"mutual_information"``, as :class:`BALD`; ``"mean_std"``, as
        :class:`MeanSTD`; ``"variation_ratio"``; or a measure of
        ``predict_proba`` such as ``"margin"``, on the committee's mean
        prediction); a callable
        ``method(proba_samples) -> utilities`` taking the
        ``predict_proba_samples`` output of shape
        ``(n_samples, n_members, n_classes)`` and returning an array of shape
        ``(n_samples,)``, higher meaning more informative (a wrong shape or a
        NaN utility is a ``ValueError`` naming ``method``); or a
        :class:`skactive.measures.Measure` record.
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
    skactive.committee.Committee : the committee.
    VariationRatioSampling : share of votes against the modal class.

    References
    ----------
    .. [1] H. S. Seung, M. Opper and H. Sompolinsky, "Query by committee",
       COLT 1992.
    .. [2] I. Dagan and S. P. Engelson, "Committee-based sampling for training
       probabilistic classifiers", ICML 1995.
    .. [3] A. McCallum and K. Nigam, "Employing EM and pool-based active
       learning for text classification", ICML 1998.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import Committee, QueryByCommittee
    >>> X, y = load_iris(return_X_y=True)
    >>> committee = Committee(estimator=LogisticRegression(), n_members=5,
    ...                       random_state=0)
    >>> strategy = QueryByCommittee(committee, method="kl_divergence",
    ...                             batch_size=3, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)

    A disagreement of your own, here the spread of the members' confidence:

    >>> spread = lambda proba_samples: proba_samples.max(axis=2).std(axis=1)
    >>> strategy = QueryByCommittee(committee, method=spread, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X, batch_size=2).shape
    (2,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        method="vote_entropy",
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
        self.method = method

    def _get_method(self):
        return self.method


@_fill
class BALD(_DisagreementBase):
    r"""Bayesian active learning by disagreement: query by mutual information.

    Utility: the mutual information between a sample's label and the model,

    .. math::

        I(y; \theta \mid x) = H\Big[\frac1T \sum_t p_t\Big]
        - \frac1T \sum_t H[p_t],

    the entropy of the mean prediction minus the mean entropy of the
    ``T`` members or posterior samples (MC-Dropout passes). It is high where
    the members are individually confident but disagree, and zero where they
    agree, even on a uniform prediction (pure noise in the label, which no
    label would resolve). Equal to ``QueryByCommittee(method="kl_divergence")``
    for the same members.

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
    QueryByCommittee : vote entropy, consensus entropy and KL divergence.
    skactive.committee.Committee : the committee.
    skactive.measures.mutual_information : the formula on probabilities.

    References
    ----------
    .. [1] N. Houlsby, F. Huszár, Z. Ghahramani and M. Lengyel, "Bayesian
       Active Learning for Classification and Preference Learning",
       arXiv:1112.5745, 2011.
    .. [2] Y. Gal, R. Islam and Z. Ghahramani, "Deep Bayesian Active Learning
       with Image Data", ICML 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import BALD, Committee
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = BALD(Committee(n_members=5, random_state=0), batch_size=3,
    ...                 random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    """

    _method = "mutual_information"
