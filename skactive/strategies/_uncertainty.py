"""Uncertainty sampling: any measure by name or callable; the classic four named."""

from __future__ import annotations

from ..utils._docstrings import fill_doc
from ._measure import _MeasureStrategy

__all__ = [
    "EntropySampling",
    "LeastConfidentSampling",
    "MarginSampling",
    "UncertaintySampling",
    "VariationRatioSampling",
]


@fill_doc
class UncertaintySampling(_MeasureStrategy):
    """Query the samples the model is least sure of, by any measure.

    The pool is scored by ``method``: a measure of
    :data:`skactive.measures.MEASURES` by name, or a function of your own, so
    a custom utility is one argument. The named classes
    :class:`LeastConfidentSampling`, :class:`MarginSampling`,
    :class:`EntropySampling` and :class:`VariationRatioSampling` fix the four
    classic measures:

    ========================  ================================================
    ``method``                utility of a sample (higher = queried first)
    ========================  ================================================
    ``"least_confident"``     :math:`1 - \\max_c p_c`
    ``"margin"``              :math:`1 - (p_{(1)} - p_{(2)})`
    ``"entropy"``             :math:`-\\sum_c p_c \\log p_c`
    ``"variation_ratio"``     :math:`1 - f_m/T` over the members' votes when
                              the estimator has ``predict_proba_samples``
                              (a committee, an MC-Dropout network);
                              otherwise :math:`1 - \\max_c p_c`
    ========================  ================================================

    The measures of disagreement (``"vote_entropy"``,
    ``"consensus_entropy"``, ``"kl_divergence"``, ``"mutual_information"``,
    ``"mean_std"``, see :class:`QueryByCommittee`) are accepted too; they need
    an estimator with ``predict_proba_samples``.

    Parameters
    ----------
    %(estimator)s
    method : str, callable or Measure, default="margin"
        The measure: a name of :data:`skactive.measures.MEASURES` (see the
        table above); a callable ``method(proba) -> utilities`` taking the
        ``predict_proba`` output of shape ``(n_samples, n_classes)`` and
        returning an array of shape ``(n_samples,)``, higher meaning more
        informative (a wrong shape or a NaN utility is a ``ValueError``
        naming ``method``); or a :class:`skactive.measures.Measure` record,
        which can read ``predict_proba_samples`` instead.
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
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    RandomSampling : the baseline.
    QueryByCommittee : the same over a committee, where a callable reads the
        members' probabilities.
    skactive.measures : the formulas as functions of probabilities, and
        their registry.

    References
    ----------
    .. [1] B. Settles, "Active Learning Literature Survey", Computer Sciences
       Technical Report 1648, University of Wisconsin-Madison, 2009.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import UncertaintySampling
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = UncertaintySampling(LogisticRegression(), method="entropy",
    ...                                batch_size=3, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)

    A utility of your own, here the probability of class 2:

    >>> strategy = UncertaintySampling(LogisticRegression(),
    ...                                method=lambda proba: proba[:, 2])
    >>> strategy.fit(X[::10], y[::10]).query(X, batch_size=2).shape
    (2,)
    """

    def __init__(
        self,
        estimator=None,
        *,
        method="margin",
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


# The docstring of a named uncertainty strategy; fill_doc fills the values of
# each class (title, formula, method, reference, name) and the shared ones.
_NAMED_DOC = """%(title)s

    Utility: %(formula)s. Equivalent to
    ``UncertaintySampling(method="%(method)s")``.

    Parameters
    ----------
    %(estimator)s
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
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    UncertaintySampling : all uncertainty measures in one class.

    References
    ----------
    .. [1] %(reference)s

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive import %(name)s
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = %(name)s(LogisticRegression(), batch_size=3, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (3,)
    """


@fill_doc(
    title="Query the samples whose most probable class has the lowest probability.",
    formula=":math:`1 - \\max_c p_c`",
    method="least_confident",
    reference=(
        'D. D. Lewis and W. A. Gale, "A sequential algorithm for training text '
        'classifiers", SIGIR 1994.'
    ),
    name="LeastConfidentSampling",
)
class LeastConfidentSampling(_MeasureStrategy):
    __doc__ = _NAMED_DOC
    _method = "least_confident"


@fill_doc(
    title="Query the samples with the smallest gap between the two best classes.",
    formula=":math:`1 - (p_{(1)} - p_{(2)})`",
    method="margin",
    reference=(
        'T. Scheffer, C. Decomain and S. Wrobel, "Active hidden Markov models '
        'for information extraction", IDA 2001.'
    ),
    name="MarginSampling",
)
class MarginSampling(_MeasureStrategy):
    __doc__ = _NAMED_DOC
    _method = "margin"


@fill_doc(
    title="Query the samples whose predicted distribution has the highest entropy.",
    formula=(
        ":math:`-\\sum_c p_c \\log p_c`; over an MC-Dropout network or a "
        "committee this is the entropy of the mean prediction"
    ),
    method="entropy",
    reference=(
        'B. Settles, "Active Learning Literature Survey", 2009, section 3.1; '
        'Y. Gal, R. Islam and Z. Ghahramani, "Deep Bayesian Active Learning '
        'with Image Data", ICML 2017.'
    ),
    name="EntropySampling",
)
class EntropySampling(_MeasureStrategy):
    __doc__ = _NAMED_DOC
    _method = "entropy"


@fill_doc(
    title="Query the samples whose members (or MC passes) vote least unanimously.",
    formula=(
        ":math:`1 - f_m/T`, the share of the ``T`` members' votes that "
        "do not go to the modal class, when the estimator has "
        "``predict_proba_samples`` (a committee or an MC-Dropout network); "
        "for a single probabilistic model, :math:`1 - \\max_c p_c` (the "
        "variation ratio of the predictive distribution, equal to least "
        "confidence)"
    ),
    method="variation_ratio",
    reference=(
        'L. C. Freeman, "Elementary Applied Statistics", 1965; Y. Gal, R. '
        'Islam and Z. Ghahramani, "Deep Bayesian Active Learning with Image '
        'Data", ICML 2017.'
    ),
    name="VariationRatioSampling",
)
class VariationRatioSampling(_MeasureStrategy):
    __doc__ = _NAMED_DOC
    _method = "variation_ratio"
