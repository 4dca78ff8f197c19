"""Simulated annotators: the true labels, optionally with annotation noise."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state, column_or_1d

from ..utils._validation import check_real

__all__ = ["NoisyOracle"]


class NoisyOracle:
    """A simulated annotator answering with the true labels, some flipped.

    Each label is flipped with probability ``noise_rate`` to a different
    class drawn uniformly, as in the annotation-noise study of BaaL [1]_.
    The flips are drawn once, for every sample, when the oracle is built: an
    index asked twice gets the same answer, and which samples are noisy does
    not depend on the order in which a strategy asks for them.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The true labels.
    noise_rate : float, default=0.0
        Probability, in ``[0, 1]``, that a label is flipped to another class.
    classes : array-like of shape (n_classes,), default=None
        The classes a label may be flipped to; ``None`` means the classes of
        ``y``.
    random_state : int, RandomState instance or None, default=None
        Draws the flips. Pass an int for reproducible noise.

    Attributes
    ----------
    labels : ndarray of shape (n_samples,)
        The answer for every sample.
    flipped : ndarray of shape (n_samples,), dtype=bool
        Which answers differ from the true labels.
    classes : ndarray of shape (n_classes,)
        The classes.

    References
    ----------
    .. [1] P. Atighehchian, F. Branchaud-Charron, A. Lacoste, "Bayesian active
       learning for production, a systematic study and a reusable library",
       ICML 2020 Workshop on Uncertainty and Robustness in Deep Learning.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.loop import NoisyOracle
    >>> oracle = NoisyOracle(np.array(["cat", "dog"] * 50), noise_rate=0.2,
    ...                      random_state=0)
    >>> oracle([0, 1, 2]).tolist()
    ['cat', 'dog', 'cat']
    >>> float(oracle.flipped.mean())
    0.25
    """

    def __init__(self, y, *, noise_rate=0.0, classes=None, random_state=None):
        y = column_or_1d(y, warn=True)
        check_real(noise_rate, "noise_rate", low=0.0, high=1.0)
        classes = np.unique(y) if classes is None else np.unique(classes)
        self.noise_rate = float(noise_rate)
        self.classes = classes
        self.random_state = random_state
        rng = check_random_state(random_state)
        flip = rng.random_sample(y.shape[0]) < self.noise_rate
        labels = y.copy()
        if flip.any():
            if classes.shape[0] < 2:
                raise ValueError(
                    "noise_rate > 0 needs at least 2 classes to flip a label "
                    f"to; got {classes.tolist()!r}."
                )
            codes = np.searchsorted(classes, y[flip])
            if np.any(codes >= classes.shape[0]) or np.any(
                classes[np.minimum(codes, classes.shape[0] - 1)] != y[flip]
            ):
                raise ValueError("classes must contain every label of y.")
            other = rng.randint(0, classes.shape[0] - 1, size=codes.shape[0])
            other += other >= codes  # a different class, uniformly
            labels = labels.astype(np.result_type(labels, classes))
            labels[flip] = classes[other]
        self.labels = labels
        self.flipped = flip

    def __call__(self, indices):
        """Labels of the samples at ``indices``.

        Parameters
        ----------
        indices : array-like of int
            Indices into ``y``.

        Returns
        -------
        labels : ndarray
            The (possibly flipped) labels.
        """
        return self.labels[np.asarray(indices, dtype=np.intp)]

    def __repr__(self) -> str:
        return (
            f"NoisyOracle(n_samples={self.labels.shape[0]}, "
            f"noise_rate={self.noise_rate}, random_state={self.random_state!r})"
        )
