"""Informativeness measures on predicted class probabilities.

Pure functions, one place for each formula. Pointwise measures take
``proba`` of shape ``(n_samples, n_classes)``; disagreement measures take
``proba_samples`` of shape ``(n_samples, n_members, n_classes)``, the protocol
shared by committees and Bayesian (MC-Dropout) models. Every function returns
an array of shape ``(n_samples,)`` where **higher means more informative**.
Logarithms are natural (nats).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import entr, rel_entr

__all__ = [
    "consensus_entropy",
    "entropy",
    "kl_divergence",
    "least_confidence",
    "margin",
    "mean_std",
    "mutual_information",
    "variation_ratio",
    "vote_entropy",
]


# Rows per block in the pointwise measures: a block of probabilities stays in
# the L2 cache while the measure makes its few passes over it. NumPy reduces
# a short last axis (a few classes) slowly, so for few classes the measures
# work column by column, vectorised over the rows of the block.
_BLOCK_ROWS = 4096
_FEW_CLASSES = 32


def _blockwise(measure):
    """Apply a row-independent measure block by block of ``_BLOCK_ROWS`` rows."""

    @functools.wraps(measure)
    def wrapper(proba):
        proba = np.asarray(proba, dtype=np.float64)
        n_samples = proba.shape[0]
        if n_samples <= _BLOCK_ROWS:
            return measure(proba)
        out = np.empty(n_samples)
        for start in range(0, n_samples, _BLOCK_ROWS):
            stop = start + _BLOCK_ROWS
            out[start:stop] = measure(proba[start:stop])
        return out

    return wrapper


def _row_max(proba: np.ndarray) -> np.ndarray:
    if proba.shape[1] > _FEW_CLASSES:
        return proba.max(axis=1)
    best = proba[:, 0].copy()
    for c in range(1, proba.shape[1]):
        np.maximum(best, proba[:, c], out=best)
    return best


def _row_top2(proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_classes = proba.shape[1]
    if n_classes > _FEW_CLASSES:
        top2 = np.partition(proba, n_classes - 2, axis=1)[:, -2:]
        return top2[:, 1], top2[:, 0]
    first = np.maximum(proba[:, 0], proba[:, 1])
    second = np.minimum(proba[:, 0], proba[:, 1])
    smaller = np.empty_like(first)
    for c in range(2, n_classes):
        column = proba[:, c]
        np.minimum(first, column, out=smaller)
        np.maximum(second, smaller, out=second)
        np.maximum(first, column, out=first)
    return first, second


@_blockwise
def least_confidence(proba: np.ndarray) -> np.ndarray:
    r"""Least confidence: :math:`1 - \max_c p(c \mid x)`.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Predicted class probabilities.

    Returns
    -------
    utilities : ndarray of shape (n_samples,)

    References
    ----------
    .. [1] D. D. Lewis and W. A. Gale, "A sequential algorithm for training
       text classifiers", SIGIR 1994.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import least_confidence
    >>> least_confidence(np.array([[0.7, 0.2, 0.1], [0.4, 0.4, 0.2]]))
    array([0.3, 0.6])
    """
    return 1.0 - _row_max(proba)


@_blockwise
def margin(proba: np.ndarray) -> np.ndarray:
    r"""Margin uncertainty: :math:`1 - (p_{(1)} - p_{(2)})`.

    :math:`p_{(1)}` and :math:`p_{(2)}` are the largest and second largest
    class probabilities; a small margin (high utility) means the model
    hesitates between its two best classes.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Predicted class probabilities (at least two classes).

    Returns
    -------
    utilities : ndarray of shape (n_samples,)

    References
    ----------
    .. [1] T. Scheffer, C. Decomain and S. Wrobel, "Active hidden Markov
       models for information extraction", IDA 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import margin
    >>> margin(np.array([[0.7, 0.2, 0.1], [0.4, 0.4, 0.2]]))
    array([0.5, 1. ])
    """
    n_classes = proba.shape[1]
    if n_classes < 2:
        raise ValueError(f"margin needs at least 2 classes, got {n_classes}.")
    first, second = _row_top2(proba)
    return 1.0 - (first - second)


@_blockwise
def entropy(proba: np.ndarray) -> np.ndarray:
    r"""Shannon entropy :math:`-\sum_c p_c \log p_c` (with :math:`0 \log 0 = 0`).

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Predicted class probabilities.

    Returns
    -------
    utilities : ndarray of shape (n_samples,)

    References
    ----------
    .. [1] C. E. Shannon, "A mathematical theory of communication", 1948;
       B. Settles, "Active Learning Literature Survey", 2009, section 3.1.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import entropy
    >>> entropy(np.array([[0.5, 0.5], [1.0, 0.0]]))
    array([0.693..., 0.   ])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.log(proba)
        plogp *= proba
    plogp[proba == 0.0] = 0.0  # 0 log 0 = 0
    # A matrix-vector product sums short rows much faster than sum(axis=1);
    # "0.0 -" rather than "-" so that certain rows get 0.0, not -0.0.
    return 0.0 - plogp @ np.ones(proba.shape[1])


def variation_ratio(proba_samples: np.ndarray) -> np.ndarray:
    r"""Variation ratio :math:`1 - f_m / T` of the members' votes.

    Each of the ``T`` members (or stochastic forward passes) votes for its
    most probable class; :math:`f_m` is the number of votes of the modal
    class.

    Parameters
    ----------
    proba_samples : ndarray of shape (n_samples, n_members, n_classes)
        Class probabilities of every member.

    Returns
    -------
    utilities : ndarray of shape (n_samples,)

    References
    ----------
    .. [1] L. C. Freeman, "Elementary Applied Statistics", 1965;
       Y. Gal, R. Islam and Z. Ghahramani, "Deep Bayesian Active Learning
       with Image Data", ICML 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import variation_ratio
    >>> P = np.array([[[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]]])
    >>> variation_ratio(P)
    array([0.25])
    """
    counts = _vote_counts(proba_samples)
    return 1.0 - counts.max(axis=1) / proba_samples.shape[1]


def vote_entropy(proba_samples: np.ndarray) -> np.ndarray:
    r"""Vote entropy: entropy of the distribution of the members' hard votes.

    :math:`-\sum_c \frac{V(c)}{T} \log \frac{V(c)}{T}`, where :math:`V(c)` is
    the number of the ``T`` members whose most probable class is ``c``.

    Parameters
    ----------
    proba_samples : ndarray of shape (n_samples, n_members, n_classes)
        Class probabilities of every member.

    Returns
    -------
    utilities : ndarray of shape (n_samples,)

    References
    ----------
    .. [1] I. Dagan and S. P. Engelson, "Committee-based sampling for
       training probabilistic classifiers", ICML 1995.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import vote_entropy
    >>> P = np.array([[[0.9, 0.1], [0.2, 0.8]]])
    >>> vote_entropy(P)
    array([0.693...])
    """
    counts = _vote_counts(proba_samples)
    return entr(counts / proba_samples.shape[1]).sum(axis=1)


def consensus_entropy(proba_samples: np.ndarray) -> np.ndarray:
    r"""Entropy of the consensus :math:`\bar p = \frac1T \sum_t p_t`.

    For an MC-Dropout network this is the entropy of the MC average
    ("max entropy" in Gal et al., 2017).

    Parameters
    ----------
    proba_samples : ndarray of shape (n_samples, n_members, n_classes)
        Class probabilities of every member.

    Returns
    -------
    utilities : ndarray of shape (n_samples,)

    References
    ----------
    .. [1] B. Settles, "Active Learning Literature Survey", 2009, section 3.2.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import consensus_entropy
    >>> consensus_entropy(np.array([[[1.0, 0.0], [0.0, 1.0]]]))
    array([0.693...])
    """
    return entropy(proba_samples.mean(axis=1))


def kl_divergence(proba_samples: np.ndarray) -> np.ndarray:
    r"""Mean KL divergence of the members to the consensus.

    :math:`\frac1T \sum_t \mathrm{KL}(p_t \,\|\, \bar p)` with
    :math:`\bar p = \frac1T \sum_t p_t` ("max disagreement").

    Parameters
    ----------
    proba_samples : ndarray of shape (n_samples, n_members, n_classes)
        Class probabilities of every member.

    Returns
    -------
    utilities : ndarray of shape (n_samples,)

    References
    ----------
    .. [1] A. McCallum and K. Nigam, "Employing EM and pool-based active
       learning for text classification", ICML 1998.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import kl_divergence
    >>> kl_divergence(np.array([[[1.0, 0.0], [0.0, 1.0]]]))
    array([0.693...])
    """
    consensus = proba_samples.mean(axis=1, keepdims=True)
    return rel_entr(proba_samples, consensus).sum(axis=2).mean(axis=1)


def mutual_information(proba_samples: np.ndarray) -> np.ndarray:
    r"""BALD: mutual information between the label and the model.

    :math:`H[\bar p] - \frac1T \sum_t H[p_t]`: the entropy of the consensus
    minus the mean entropy of the members. It is zero when all members agree,
    however uncertain they are. Mathematically equal to
    :func:`kl_divergence`; computed here from entropies.

    Parameters
    ----------
    proba_samples : ndarray of shape (n_samples, n_members, n_classes)
        Class probabilities of every member.

    Returns
    -------
    utilities : ndarray of shape (n_samples,)

    References
    ----------
    .. [1] N. Houlsby, F. Huszár, Z. Ghahramani and M. Lengyel, "Bayesian
       Active Learning for Classification and Preference Learning", 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import mutual_information
    >>> P = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.5, 0.5], [0.5, 0.5]]])
    >>> mutual_information(P)
    array([0.693..., 0.   ])
    """
    mean_entropy = entr(proba_samples).sum(axis=2).mean(axis=1)
    # Clip tiny negative values from rounding: the true value is >= 0.
    return np.maximum(consensus_entropy(proba_samples) - mean_entropy, 0.0)


def mean_std(proba_samples: np.ndarray) -> np.ndarray:
    r"""Mean over classes of the standard deviation over members.

    :math:`\frac1C \sum_c \sqrt{E_t[p_{t,c}^2] - E_t[p_{t,c}]^2}`.

    Parameters
    ----------
    proba_samples : ndarray of shape (n_samples, n_members, n_classes)
        Class probabilities of every member.

    Returns
    -------
    utilities : ndarray of shape (n_samples,)

    References
    ----------
    .. [1] M. Kampffmeyer, A.-B. Salberg and R. Jenssen, "Semantic
       segmentation of small objects and modeling of uncertainty in urban
       remote sensing images using deep convolutional neural networks",
       CVPR workshops 2016; Gal et al., ICML 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import mean_std
    >>> mean_std(np.array([[[1.0, 0.0], [0.0, 1.0]]]))
    array([0.5])
    """
    return proba_samples.std(axis=1).mean(axis=1)


def _vote_counts(proba_samples: np.ndarray) -> np.ndarray:
    """Votes per class, shape (n_samples, n_classes); first class wins ties."""
    n_samples, _, n_classes = proba_samples.shape
    votes = proba_samples.argmax(axis=2)
    flat = (np.arange(n_samples)[:, None] * n_classes + votes).ravel()
    return np.bincount(flat, minlength=n_samples * n_classes).reshape(
        n_samples, n_classes
    )
