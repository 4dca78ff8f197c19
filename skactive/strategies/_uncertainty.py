"""Uncertainty sampling: least confident, margin, entropy, variation ratio."""

from __future__ import annotations

import numpy as np

from .. import measures
from ..base import QueryStrategy
from ..utils._docstrings import fill_doc
from ..utils._validation import check_proba_samples

__all__ = [
    "EntropySampling",
    "LeastConfidentSampling",
    "MarginSampling",
    "UncertaintySampling",
    "VariationRatioSampling",
]


def _variation_ratio(estimator, X) -> np.ndarray:
    """MC/committee variation ratio when the estimator offers samples.

    Falls back to the variation ratio of the predictive distribution,
    ``1 - max p``, which equals least confidence.
    """
    if hasattr(estimator, "predict_proba_samples"):
        proba_samples = check_proba_samples(
            estimator.predict_proba_samples(X), X.shape[0]
        )
        return measures.variation_ratio(proba_samples)
    return measures.least_confidence(estimator.predict_proba(X))


def _on_proba(measure):
    return lambda estimator, X: measure(estimator.predict_proba(X))


_METHODS = {
    "least_confident": _on_proba(measures.least_confidence),
    "margin": _on_proba(measures.margin),
    "entropy": _on_proba(measures.entropy),
    "variation_ratio": _variation_ratio,
}


class _UncertaintyBase(QueryStrategy):
    """Pointwise strategy scoring ``predict_proba`` with one measure."""

    _method: str

    def _get_method(self) -> str:
        return self._method

    def _utility(self, X, context=None) -> np.ndarray:
        return _METHODS[self._get_method()](self.estimator_, X)


@fill_doc
class UncertaintySampling(_UncertaintyBase):
    """Query the samples whose predicted class the model is least sure of.

    One class for the four classic measures of uncertainty sampling, chosen
    by ``method``; the named classes :class:`LeastConfidentSampling`,
    :class:`MarginSampling`, :class:`EntropySampling` and
    :class:`VariationRatioSampling` fix it.

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

    Parameters
    ----------
    %(estimator)s
    method : {"least_confident", "margin", "entropy", "variation_ratio"}, \
default="margin"
        The uncertainty measure, see the table above and
        :mod:`skactive.measures`.
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
    skactive.measures : the formulas as functions of probabilities.

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
    """

    def __init__(
        self,
        estimator=None,
        *,
        method="margin",
        batch_size=1,
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

    def _get_method(self) -> str:
        return self.method

    def _check_params(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(
                f"method must be one of {sorted(_METHODS)}, got {self.method!r}."
            )


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
class LeastConfidentSampling(_UncertaintyBase):
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
class MarginSampling(_UncertaintyBase):
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
class EntropySampling(_UncertaintyBase):
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
class VariationRatioSampling(_UncertaintyBase):
    __doc__ = _NAMED_DOC
    _method = "variation_ratio"
