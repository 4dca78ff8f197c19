"""Informativeness measures on predicted class probabilities, and their registry.

Pure functions, one place for each formula. Pointwise measures take
``proba`` of shape ``(n_samples, n_classes)``; disagreement measures take
``proba_samples`` of shape ``(n_samples, n_members, n_classes)``, the protocol
shared by committees and Bayesian (MC-Dropout) models. Every function returns
an array of shape ``(n_samples,)`` where **higher means more informative**.
Logarithms are natural (nats).

:data:`MEASURES` maps each measure's name, the one spelling every part of
skactive accepts (``method=`` of :class:`~skactive.UncertaintySampling` and
:class:`~skactive.QueryByCommittee`, ``uncertainty=`` of the hybrid, density
and cluster strategies, the command line), to a :class:`Measure` record: the
function and what it reads. :func:`get_measure` resolves a name, a record or
a callable the way those parameters do.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from scipy.special import entr

__all__ = [
    "MEASURES",
    "Measure",
    "consensus_entropy",
    "entropy",
    "get_measure",
    "kl_divergence",
    "least_confident",
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


# The disagreement measures read (n_samples, n_members, n_classes) arrays
# block by block of rows (2 MiB or 4,096 rows, so a block stays in cache while
# the measure makes its passes over it) and member by member: each member's
# (rows, classes) slice is one vectorised operation, contiguous in the
# member-major memory layout of Committee.predict_proba_samples (other inputs
# are copied into that layout, in float64, block by block, where it pays). No
# temporary has the size of the whole input.
_BLOCK_BYTES = 2**21
_MIN_BLOCK_ROWS = 4096
_TINY = np.finfo(np.float64).tiny


def _blockwise_samples(measure):
    """Apply a row-independent disagreement measure block by block of rows."""

    @functools.wraps(measure)
    def wrapper(proba_samples):
        proba_samples = np.asarray(proba_samples)
        if proba_samples.ndim != 3:
            raise ValueError(
                f"{measure.__name__} expects an array of shape (n_samples, "
                f"n_members, n_classes); got shape {proba_samples.shape}."
            )
        n_samples, n_members, n_classes = proba_samples.shape
        row_bytes = 8 * max(1, n_members * n_classes)
        rows = max(_MIN_BLOCK_ROWS, _BLOCK_BYTES // row_bytes)
        out = np.empty(n_samples)
        for start in range(0, n_samples, rows):
            out[start : start + rows] = measure(proba_samples[start : start + rows])
        return out

    return wrapper


def _is_member_major(block: np.ndarray) -> bool:
    """Whether each member's (rows, classes) slice of ``block`` is contiguous."""
    itemsize = block.itemsize
    return block.strides[2] == itemsize and block.strides[0] == (
        block.shape[2] * itemsize
    )


def _member_major(block: np.ndarray) -> np.ndarray:
    """``block`` in float64, with contiguous member slices for few classes.

    With many classes a member's slice is made of long contiguous rows in
    either layout, and the copy would not pay.
    """
    if block.dtype == np.float64 and _is_member_major(block):
        return block
    if block.shape[2] > _FEW_CLASSES:
        return np.asarray(block, dtype=np.float64)
    copy = np.empty((block.shape[1], block.shape[0], block.shape[2]))
    copy[...] = block.transpose(1, 0, 2)
    return copy.transpose(1, 0, 2)


def _sum_plogp(proba: np.ndarray, work: np.ndarray) -> np.ndarray:
    """Row sums of ``p log p`` (minus the entropy), with ``0 log 0 = 0``.

    ``work`` is a scratch array of the shape of ``proba``.
    """
    np.maximum(proba, _TINY, out=work)  # log(tiny) * 0 = 0, and no warning
    np.log(work, out=work)
    work *= proba
    return work @ np.ones(proba.shape[1])


def _member_mean(block: np.ndarray) -> np.ndarray:
    """Consensus ``(1/T) sum_t p_t`` of a block, float64 (rows, n_classes)."""
    if block.dtype == np.float64 and _is_member_major(block):
        mean = block[:, 0, :].copy()
        for t in range(1, block.shape[1]):
            mean += block[:, t, :]
    else:
        mean = np.add.reduce(block, axis=1, dtype=np.float64)
    mean *= 1.0 / block.shape[1]  # a multiplication costs a third of a division
    return mean


def _block_vote_counts(block: np.ndarray) -> np.ndarray:
    """Votes per class of a block, shape (rows, n_classes); first class wins ties.

    With each member's slice contiguous and few classes, each member votes
    where its probability equals its row maximum, found column by column. A
    row with tied maxima (or NaN) gives a member no single vote; such blocks,
    rare with real predictions, are counted exactly by :func:`_vote_counts`,
    as are the other layouts (for which ``argmax`` is faster).
    """
    n_rows, n_members, n_classes = block.shape
    if n_classes > _FEW_CLASSES or not _is_member_major(block):
        return _vote_counts(block)
    counts = np.zeros((n_rows, n_classes), dtype=np.uint8 if n_members < 256 else int)
    is_max = np.empty((n_rows, n_classes), dtype=bool)
    for t in range(n_members):
        member = block[:, t, :]
        best = _row_max(member)
        np.equal(member, best[:, None], out=is_max)
        if np.count_nonzero(is_max) != n_rows or np.isnan(best).any():
            return _vote_counts(block)
        counts += is_max.view(np.uint8)
    return counts


@_blockwise
def least_confident(proba: np.ndarray) -> np.ndarray:
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
    >>> from skactive.measures import least_confident
    >>> least_confident(np.array([[0.7, 0.2, 0.1], [0.4, 0.4, 0.2]]))
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


@_blockwise_samples
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
    counts = _block_vote_counts(proba_samples)
    return 1.0 - _row_max(counts) / proba_samples.shape[1]


@_blockwise_samples
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
    n_members, n_classes = proba_samples.shape[1:]
    # -(k/T) log(k/T) for every possible count k of votes
    table = entr(np.arange(n_members + 1) / n_members)
    counts = _block_vote_counts(proba_samples)
    return np.take(table, counts) @ np.ones(n_classes)


@_blockwise_samples
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
    mean = _member_mean(proba_samples)
    return 0.0 - _sum_plogp(mean, np.empty_like(mean))


@_blockwise_samples
def kl_divergence(proba_samples: np.ndarray) -> np.ndarray:
    r"""Mean KL divergence of the members to the consensus.

    :math:`\frac1T \sum_t \mathrm{KL}(p_t \,\|\, \bar p)` with
    :math:`\bar p = \frac1T \sum_t p_t` ("max disagreement"). It equals
    :math:`H[\bar p] - \frac1T \sum_t H[p_t]`, the
    :func:`mutual_information`, and is computed that way (one logarithm per
    probability instead of two and a division).

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
    return _mutual_information(proba_samples)


@_blockwise_samples
def mutual_information(proba_samples: np.ndarray) -> np.ndarray:
    r"""BALD: mutual information between the label and the model.

    :math:`H[\bar p] - \frac1T \sum_t H[p_t]`: the entropy of the consensus
    minus the mean entropy of the members. It is zero when all members agree,
    however uncertain they are. Equal to :func:`kl_divergence`.

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
    return _mutual_information(proba_samples)


def _mutual_information(block: np.ndarray) -> np.ndarray:
    """``H[mean] - mean H[p_t]`` of a block, as ``mean sum p log p - ...``."""
    block = _member_major(block)
    n_rows, n_members, n_classes = block.shape
    work = np.empty((n_rows, n_classes))
    mean = block[:, 0, :].copy()
    mean_plogp = _sum_plogp(block[:, 0, :], work)
    for t in range(1, n_members):  # one pass over each member's slice
        member = block[:, t, :]
        mean += member
        mean_plogp += _sum_plogp(member, work)
    mean *= 1.0 / n_members
    mean_plogp *= 1.0 / n_members
    information = mean_plogp - _sum_plogp(mean, work)
    # Clip tiny negative values from rounding: the true value is >= 0.
    return np.maximum(information, 0.0, out=information)


@_blockwise_samples
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
    proba_samples = _member_major(proba_samples)
    n_rows, n_members, n_classes = proba_samples.shape
    mean = _member_mean(proba_samples)
    variance = np.zeros((n_rows, n_classes))
    deviation = np.empty((n_rows, n_classes))
    for t in range(n_members):
        np.subtract(proba_samples[:, t, :], mean, out=deviation)
        deviation *= deviation
        variance += deviation
    variance *= 1.0 / n_members
    return np.sqrt(variance, out=variance) @ np.full(n_classes, 1.0 / n_classes)


def _vote_counts(proba_samples: np.ndarray) -> np.ndarray:
    """Votes per class, shape (n_samples, n_classes); first class wins ties."""
    n_samples, n_members, n_classes = proba_samples.shape
    if _is_member_major(proba_samples):  # argmax of each contiguous slice
        votes = np.empty((n_samples, n_members), dtype=np.intp)
        for t in range(n_members):
            votes[:, t] = proba_samples[:, t, :].argmax(axis=1)
    else:
        votes = proba_samples.argmax(axis=2)
    flat = (np.arange(n_samples)[:, None] * n_classes + votes).ravel()
    return np.bincount(flat, minlength=n_samples * n_classes).reshape(
        n_samples, n_classes
    )


# ---------------------------------------------------------------- registry
_INPUTS = ("proba", "proba_samples")


@dataclass(frozen=True)
class Measure:
    """A measure of informativeness: its function and what the function reads.

    The records of :data:`MEASURES` are the measures skactive knows by name;
    build one to give a strategy a measure of your own together with what it
    reads (a plain callable is read as the strategy's default input, see
    :func:`get_measure`).

    Parameters
    ----------
    name : str
        The name (``MEASURES[name].name == name`` for registered measures).
    function : callable
        ``function(values) -> ndarray of shape (n_samples,)``, higher meaning
        more informative, ``values`` being described by ``input``.
    input : {"proba", "proba_samples"}, default="proba"
        What ``function`` reads: ``"proba"``, the estimator's
        ``predict_proba(X)`` of shape ``(n_samples, n_classes)``;
        ``"proba_samples"``, its ``predict_proba_samples(X)`` of shape
        ``(n_samples, n_members, n_classes)`` (a committee, an MC-Dropout
        network).
    fallback : callable or None, default=None
        For ``input="proba_samples"`` only: a function of ``predict_proba``
        used when the estimator has no ``predict_proba_samples``; ``None``
        means that such an estimator is rejected (a ``TypeError`` in ``fit``).
    description : str, default=""
        The utility in one line (``skactive strategies`` lists it).

    See Also
    --------
    get_measure : resolve a name, a record or a callable.
    skactive.UncertaintySampling : a strategy scoring the pool with any measure.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import MEASURES, Measure
    >>> MEASURES["margin"].input
    'proba'
    >>> MEASURES["mutual_information"].input
    'proba_samples'
    >>> spread = Measure(
    ...     "spread", lambda P: P.max(axis=1).std(axis=1), input="proba_samples"
    ... )
    >>> spread.function(np.array([[[0.9, 0.1], [0.5, 0.5]]]))
    array([0.2])
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    input: str = "proba"
    fallback: Callable[[np.ndarray], np.ndarray] | None = None
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a str, got {type(self.name).__name__}.")
        if not callable(self.function):
            raise TypeError(
                f"function must be callable, got {type(self.function).__name__}."
            )
        if self.input not in _INPUTS:
            raise ValueError(f"input must be one of {_INPUTS}, got {self.input!r}.")
        if self.fallback is not None and (
            self.input != "proba_samples" or not callable(self.fallback)
        ):
            raise ValueError(
                "fallback must be None, or a callable for input='proba_samples'; "
                f"got {self.fallback!r} for input={self.input!r}."
            )


def _registry(*records: Measure) -> Mapping[str, Measure]:
    return MappingProxyType({record.name: record for record in records})


#: The registry of measures: name -> :class:`Measure` (read-only). The one
#: spelling of each measure; every ``method=`` and ``uncertainty=`` parameter
#: and the command line read names here.
MEASURES: Mapping[str, Measure] = _registry(
    Measure("least_confident", least_confident, "proba", description="1 - max p"),
    Measure(
        "margin",
        margin,
        "proba",
        description="smallest gap between the two best classes",
    ),
    Measure(
        "entropy", entropy, "proba", description="entropy of the predicted distribution"
    ),
    Measure(
        "variation_ratio",
        variation_ratio,
        "proba_samples",
        # The variation ratio of the predictive distribution of a single model.
        fallback=least_confident,
        description="1 - modal vote share of the members",
    ),
    Measure(
        "vote_entropy",
        vote_entropy,
        "proba_samples",
        description="entropy of the members' votes",
    ),
    Measure(
        "consensus_entropy",
        consensus_entropy,
        "proba_samples",
        description="entropy of the members' mean prediction",
    ),
    Measure(
        "kl_divergence",
        kl_divergence,
        "proba_samples",
        description="mean KL divergence of the members to their consensus",
    ),
    Measure(
        "mutual_information",
        mutual_information,
        "proba_samples",
        description="mutual information of label and model (BALD)",
    ),
    Measure(
        "mean_std",
        mean_std,
        "proba_samples",
        description="mean over classes of the members' standard deviation",
    ),
)


class _Checked:
    """A user's measure function whose output is checked; errors name ``param``."""

    def __init__(self, function, param: str):
        self.function = function
        self.param = param

    def __call__(self, values):
        n_samples = np.shape(values)[0]
        utilities = self.function(values)
        try:
            utilities = np.asarray(utilities, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{self.param} must return real numbers, one per sample; got "
                f"{type(utilities).__name__}."
            ) from exc
        if utilities.shape != (n_samples,):
            raise ValueError(
                f"{self.param} returned an array of shape {utilities.shape} for "
                f"{n_samples} samples; a measure returns one utility per sample, "
                "shape (n_samples,)."
            )
        if np.isnan(utilities).any():
            raise ValueError(
                f"{self.param} returned NaN utilities for "
                f"{int(np.isnan(utilities).sum())} of {n_samples} samples."
            )
        return utilities


def _checked(function, param: str):
    if function is None or isinstance(function, _Checked):
        return function
    return _Checked(function, param)


def get_measure(measure, *, input="proba", name="measure") -> Measure:
    """Resolve a measure given by name, record or callable.

    This is how the ``method=`` and ``uncertainty=`` parameters of the
    strategies read their value.

    Parameters
    ----------
    measure : str, Measure or callable
        A name of :data:`MEASURES`; a :class:`Measure`; or a callable
        ``measure(values) -> ndarray of shape (n_samples,)``, higher meaning
        more informative, reading what ``input`` says.
    input : {"proba", "proba_samples"}, default="proba"
        What a callable ``measure`` reads (names and records say it
        themselves).
    name : str, default="measure"
        The parameter's name, for the error messages.

    Returns
    -------
    measure : Measure
        The registered record of a name (or a registered record itself);
        otherwise a record whose functions check their output when called:
        a ``ValueError`` naming ``name`` for a shape other than
        ``(n_samples,)`` or a NaN utility.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid names.
    TypeError
        For anything other than a str, a :class:`Measure` or a callable.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.measures import get_measure
    >>> get_measure("entropy").function(np.array([[0.5, 0.5]]))
    array([0.693...])
    >>> top = get_measure(lambda proba: proba.max(axis=1), name="method")
    >>> top.input, top.function(np.array([[0.7, 0.3]]))
    ('proba', array([0.7]))
    >>> get_measure("least_confidence", name="method")
    Traceback (most recent call last):
    ...
    ValueError: method must be one of 'consensus_entropy', 'entropy', ...
    """
    if isinstance(measure, str):
        record = MEASURES.get(measure)
        if record is None:
            close = difflib.get_close_matches(measure, MEASURES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            valid = ", ".join(repr(known) for known in sorted(MEASURES))
            raise ValueError(
                f"{name} must be one of {valid} (see skactive.measures.MEASURES), "
                f"a skactive.measures.Measure or a function; got {measure!r}{hint}."
            )
        return record
    if isinstance(measure, Measure):
        if MEASURES.get(measure.name) is measure:
            return measure
        return Measure(
            measure.name,
            _checked(measure.function, name),
            measure.input,
            _checked(measure.fallback, name),
            measure.description,
        )
    if callable(measure) and not isinstance(measure, type):
        if input not in _INPUTS:
            raise ValueError(f"input must be one of {_INPUTS}, got {input!r}.")
        label = getattr(measure, "__name__", type(measure).__name__)
        return Measure(label, _checked(measure, name), input)
    got = (
        f"the class {measure.__name__}"
        if isinstance(measure, type)
        else type(measure).__name__
    )
    raise TypeError(
        f"{name} must be a measure name (one of {', '.join(sorted(MEASURES))}), "
        f"a skactive.measures.Measure or a function; got {got}."
    )
