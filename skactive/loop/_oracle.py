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
    For real-valued targets (regression), ``noise_std`` instead adds
    Gaussian noise of that standard deviation to every answer (a measuring
    instrument's error). The noise is drawn once, for every sample, when the
    oracle is built: an index asked twice gets the same answer, and which
    samples are noisy does not depend on the order in which a strategy asks
    for them.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The true labels.
    noise_rate : float, default=0.0
        Probability, in ``[0, 1]``, that a label is flipped to another class.
    classes : array-like of shape (n_classes,), default=None
        The classes a label may be flipped to; ``None`` means the classes of
        ``y``.
    noise_std : float, default=None
        Regression: the standard deviation of the Gaussian noise added to
        every answer (in the units of ``y``, which must then be real
        numbers); ``noise_rate`` must stay 0. ``None``: no such noise.
    random_state : int, RandomState instance or None, default=None
        Draws the flips (or the noise). Pass an int for reproducible noise.

    Attributes
    ----------
    labels : ndarray of shape (n_samples,)
        The answer for every sample.
    flipped : ndarray of shape (n_samples,), dtype=bool
        Which answers differ from the true labels.
    classes : ndarray of shape (n_classes,) or None
        The classes (``None`` with ``noise_std``).
    noise : ndarray of shape (n_samples,) or None
        The noise added to each answer, with ``noise_std``; else ``None``.

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
    >>> noisy = NoisyOracle(np.array([1.0, 2.0, 3.0]), noise_std=0.1,
    ...                     random_state=0)
    >>> noisy([0, 1, 2]).round(3).tolist()
    [1.176, 2.04, 3.098]
    """

    def __init__(
        self, y, *, noise_rate=0.0, classes=None, noise_std=None, random_state=None
    ):
        y = column_or_1d(y, warn=True)
        check_real(noise_rate, "noise_rate", low=0.0, high=1.0)
        check_real(noise_std, "noise_std", low=0.0, allow_none=True)
        self.noise_rate = float(noise_rate)
        self.noise_std = None if noise_std is None else float(noise_std)
        self.random_state = random_state
        rng = check_random_state(random_state)
        if noise_std is not None:
            if noise_rate:
                raise ValueError(
                    "noise_rate flips class labels and noise_std adds Gaussian "
                    "noise to real-valued targets: give one of them."
                )
            if classes is not None:
                raise ValueError("classes is for class labels, not with noise_std.")
            if y.dtype.kind not in "biuf":
                raise ValueError(
                    "noise_std adds Gaussian noise to real-valued targets; y holds "
                    f"values of dtype {y.dtype}."
                )
            self.classes = None
            self.noise = rng.normal(0.0, self.noise_std, size=y.shape[0])
            self.labels = y.astype(np.float64) + self.noise
            self.flipped = self.noise != 0
            return
        classes = np.unique(y) if classes is None else np.unique(classes)
        self.classes = classes
        self.noise = None
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
        noise = (
            f"noise_rate={self.noise_rate}"
            if self.noise_std is None
            else f"noise_std={self.noise_std:.4g}"
        )
        return (
            f"NoisyOracle(n_samples={self.labels.shape[0]}, {noise}, "
            f"random_state={self.random_state!r})"
        )
