"""Out-of-distribution scores: how far samples are from the labelled ones.

:class:`DistanceToLabelled` is a novelty detector in scikit-learn's sense
(``fit`` on the reference samples, the labelled set; ``score_samples``,
``decision_function`` and ``predict`` on new ones): the score of a sample is
its distance to its ``k``-th nearest labelled sample in an embedding (Sun,
Ming, Zhu & Li, 2022), and the threshold the ``quantile`` of the same
distance over the labelled samples, each without itself.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator, clone
from sklearn.utils import gen_batches, get_tags
from sklearn.utils.validation import check_is_fitted, validate_data

from ..embedding import _resolve, check_embedding, get_embedding
from ..neighbors._refined import METRICS, NeighborIndex
from ..utils._compat import _num_samples, _safe_indexing
from ..utils._pool import check_candidates
from ..utils._validation import (
    check_array_params,
    check_int,
    check_real,
    is_raw_input,
)

__all__ = ["DistanceToLabelled", "DriftReport"]

_DEFAULT_CHUNK = 4096  # rows embedded and searched at a time


def _ordinal(k: int) -> str:
    """``""`` for 1, else ``"5th "``: "the 5th nearest"."""
    if k == 1:
        return ""
    suffix = (
        "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    )
    return f"{k}{suffix} "


@dataclass
class DriftReport:
    """How far a set of samples lies from the labelled ones.

    Returned by :meth:`DistanceToLabelled.drift_report`. Distances are to
    the ``n_neighbors``-th nearest labelled sample; those of the labelled
    samples are leave-one-out (each without itself), so that samples drawn
    like the labelled ones have about the same distances.

    Attributes
    ----------
    n_samples : int
        Samples examined (the pool, or its unlabelled rows).
    n_labelled : int
        Labelled (reference) samples.
    n_neighbors : int
        The rank of the neighbour whose distance is measured.
    quantile : float
        The quantile of the labelled distances that is the threshold.
    threshold : float
        That distance: samples beyond it are out of distribution.
    fraction_beyond : float
        Fraction of the samples beyond the threshold.
    expected_fraction : float
        Fraction of the labelled samples beyond it (about ``1 - quantile``):
        what ``fraction_beyond`` would be without drift.
    median_distance : float
        Median distance of the samples.
    median_labelled_distance : float
        Median (leave-one-out) distance of the labelled samples.
    ks_statistic : float
        One-sided two-sample Kolmogorov-Smirnov statistic, split-half (see
        :meth:`DistanceToLabelled.drift_report`): the largest amount by
        which the distribution function of the distances of the labelled
        samples at odd positions to those at even positions exceeds that of
        the samples' distances to them (the samples being farther).
    ks_pvalue : float
        Its p-value, under the hypothesis that the samples are drawn like
        the labelled ones.
    """

    n_samples: int
    n_labelled: int
    n_neighbors: int
    quantile: float
    threshold: float
    fraction_beyond: float
    expected_fraction: float
    median_distance: float
    median_labelled_distance: float
    ks_statistic: float
    ks_pvalue: float

    @property
    def excess(self) -> float:
        """``fraction_beyond / expected_fraction``: 1 without drift."""
        if self.expected_fraction == 0:
            return np.inf if self.fraction_beyond > 0 else 1.0
        return self.fraction_beyond / self.expected_fraction

    def __repr__(self) -> str:
        return (
            f"DriftReport: {self.n_samples:,} samples against {self.n_labelled:,} "
            f"labelled ones (distance to the {_ordinal(self.n_neighbors)}nearest "
            "labelled sample)\n"
            f"  beyond the labelled {self.quantile:.0%} quantile "
            f"({self.threshold:.4g}): {self.fraction_beyond:.1%} of the samples, "
            f"{self.expected_fraction:.1%} of the labelled ones "
            f"({self.excess:.1f}x)\n"
            f"  median distance: {self.median_distance:.4g} (labelled, "
            f"leave-one-out: {self.median_labelled_distance:.4g})\n"
            f"  one-sided Kolmogorov-Smirnov: D = {self.ks_statistic:.3f}, "
            f"p = {self.ks_pvalue:.2g}"
        )


class DistanceToLabelled(BaseEstimator):
    """Out-of-distribution score: the distance to the labelled samples.

    A novelty detector in scikit-learn's sense. ``fit(X_labelled)`` keeps
    the labelled samples' embedding; a sample's out-of-distribution score
    is its distance to its ``n_neighbors``-th nearest labelled sample in
    that embedding (Sun et al., 2022), the threshold the ``quantile`` of
    the same distance over the labelled samples themselves, each without
    itself (leave-one-out). Following scikit-learn's detectors
    (:class:`~sklearn.neighbors.LocalOutlierFactor` with ``novelty=True``),

    - ``score_samples(X)`` is minus the distance (the lower, the more
      abnormal),
    - ``decision_function(X)`` is ``threshold_ - distance`` (negative out
      of distribution),
    - ``predict(X)`` is ``-1`` out of distribution, ``+1`` in distribution.

    :meth:`filter_candidates` turns it into the ``candidates=`` of a query
    (keep the pool samples in distribution out of it, or query only the
    others), and :meth:`drift_report` compares the pool with the labelled
    set as a whole. Distances are exact (float64), computed ``chunk_size``
    rows at a time.

    Parameters
    ----------
    estimator : estimator, default=None
        The model whose embedding measures the distances (``embedding``):
        ``fit`` trains a clone of it on ``(X, y)``; a fitted model wrapped
        in :class:`sklearn.frozen.FrozenEstimator` (a session's
        ``strategy_.estimator_``) is used as it is. ``None``: the raw
        features, or a callable ``embedding``.
    embedding : {"auto", "raw", "transform", "penultimate"} or callable, \
default="auto"
        Feature space of the distances, through
        :func:`skactive.embedding.get_embedding` with the fitted
        ``estimator``: ``"auto"`` is the penultimate layer of a network
        with ``embed``, the transform of a pipeline's steps before its
        final estimator, else the raw features.
    n_neighbors : int, default=1
        Which nearest labelled sample's distance is the score (the
        ``n_neighbors``-th); at most the number of labelled samples less
        one. A larger value is less sensitive to one stray labelled
        sample near a region otherwise unlabelled, but with few labels it
        blurs the distinction: with 200 labels, the nearest neighbour
        ranked a held-out class first better than the 5th on both data sets
        of the benchmark (docs/benchmarks.md).
    metric : {"euclidean", "cosine"}, default="euclidean"
        ``"cosine"`` is ``1 - cos``.
    quantile : float, default=0.95
        In ``(0, 1]``: the threshold is this quantile of the labelled
        samples' leave-one-out distances, so that about ``1 - quantile`` of
        samples drawn like the labelled ones are flagged.
    chunk_size : int, default=None
        Rows embedded and searched at a time (4096 if ``None``); bounds
        the memory of scoring a large pool.
    n_jobs : int, default=None
        Parallel jobs of the neighbour search.

    Attributes
    ----------
    estimator_ : estimator or None
        The fitted clone of ``estimator``.
    embedding_ : ndarray of shape (n_labelled, n_dims)
        The labelled samples' embedding.
    n_neighbors_ : int
        The neighbour rank used: ``min(n_neighbors, n_labelled - 1)``.
    labelled_distances_ : ndarray of shape (n_labelled,)
        Leave-one-out distance of each labelled sample.
    threshold_ : float
        The ``quantile`` of ``labelled_distances_``.
    offset_ : float
        ``-threshold_``: ``decision_function = score_samples - offset_``,
        as in scikit-learn's detectors.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    skactive.BALD : its utility, the mutual information of a committee or
        an MC-Dropout network, is the epistemic uncertainty.
    sklearn.neighbors.LocalOutlierFactor : a density-based novelty score.

    References
    ----------
    .. [1] Y. Sun, Y. Ming, X. Zhu and Y. Li, "Out-of-Distribution
       Detection with Deep Nearest Neighbors", ICML 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.datacentric import DistanceToLabelled
    >>> rng = np.random.RandomState(0)
    >>> X_labelled = rng.normal(size=(100, 2))
    >>> X_pool = np.array([[0.0, 0.0], [8.0, 8.0]])
    >>> detector = DistanceToLabelled(n_neighbors=3).fit(X_labelled)
    >>> detector.predict(X_pool)
    array([ 1, -1])
    >>> detector.filter_candidates(X_pool, keep="outliers")
    array([1])
    """

    def __init__(
        self,
        estimator=None,
        *,
        embedding="auto",
        n_neighbors=1,
        metric="euclidean",
        quantile=0.95,
        chunk_size=None,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.embedding = embedding
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.quantile = quantile
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # embedded chunk by chunk, densely
        if self.estimator is not None:
            inner = get_tags(self.estimator).input_tags
            tags.input_tags.sparse = inner.sparse
            tags.input_tags.three_d_array = inner.three_d_array
        tags.input_tags.allow_nan = False
        return tags

    # ------------------------------------------------------------ fit
    def _validate(self, X, *, reset: bool, y=None):
        if is_raw_input(X):
            validate_data(self, X, reset=reset, skip_check_array=True)
            return X
        kwargs = check_array_params(self)
        if reset:
            kwargs["ensure_min_samples"] = 2
        try:
            return validate_data(self, X, reset=reset, **kwargs)
        except ValueError as exc:
            if reset and "minimum of 2 is required" in str(exc):
                raise ValueError(
                    f"DistanceToLabelled needs at least 2 labelled samples, got "
                    f"{_num_samples(X)} sample."
                ) from None
            raise

    def fit(self, X, y=None):
        """Embed the labelled samples; set the threshold.

        Parameters
        ----------
        X : array-like of shape (n_labelled, n_features)
            The labelled (reference) samples, at least 2.
        y : array-like of shape (n_labelled,), default=None
            Their labels, to fit a clone of ``estimator`` (not used without
            one, nor by a :class:`~sklearn.frozen.FrozenEstimator`).

        Returns
        -------
        self : DistanceToLabelled
            The fitted detector.
        """
        check_embedding(self.embedding)
        check_int(self.n_neighbors, "n_neighbors")
        if not isinstance(self.metric, str) or self.metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {self.metric!r}.")
        check_real(self.quantile, "quantile", low=0.0, high=1.0, include_low=False)
        check_int(self.chunk_size, "chunk_size", allow_none=True)
        if self.estimator is None and not (
            callable(self.embedding) or _resolve(None, self.embedding) == "raw"
        ):
            raise ValueError(
                f"embedding={self.embedding!r} needs an estimator (a fitted one "
                "wrapped in sklearn.frozen.FrozenEstimator, or one to fit on "
                "(X, y)); without one, use the raw features or a callable."
            )
        X = self._validate(X, reset=True)
        self.estimator_ = (
            None if self.estimator is None else clone(self.estimator).fit(X, y)
        )
        Z = self._embed(X)
        self.embedding_ = Z
        self.n_neighbors_ = min(int(self.n_neighbors), Z.shape[0] - 1)
        self._index = NeighborIndex(Z, metric=self.metric, n_jobs=self.n_jobs)
        distances, _ = self._index.kneighbors(None, self.n_neighbors_)
        self.labelled_distances_ = distances[:, -1]
        self.threshold_ = float(np.quantile(self.labelled_distances_, self.quantile))
        self.offset_ = -self.threshold_
        return self

    def _embed(self, X) -> np.ndarray:
        Z = get_embedding(self.estimator_, X, self.embedding)
        return np.asarray(Z, dtype=np.float64)

    # ------------------------------------------------------------ scores
    def _distances(self, X, rows=None, searches=None):
        """Distance of the rows ``rows`` of ``X`` (all if None) to their
        ``n_neighbors_``-th nearest labelled sample, chunk by chunk.

        ``searches``: ``(index, k)`` pairs, each giving the distance to the
        ``k``-th nearest row of ``index``, from one embedding of each chunk;
        a list of arrays is returned then.
        """
        single = searches is None
        if single:
            searches = [(self._index, self.n_neighbors_)]
        n = _num_samples(X) if rows is None else rows.shape[0]
        out = [np.empty(n) for _ in searches]
        step = self.chunk_size or _DEFAULT_CHUNK
        for batch in gen_batches(n, step):
            chunk = _safe_indexing(X, batch if rows is None else rows[batch])
            Z = self._embed(chunk)
            if Z.shape[1] != self.embedding_.shape[1]:
                raise ValueError(
                    f"embedding returned {Z.shape[1]} dimensions but "
                    f"{self.embedding_.shape[1]} for the labelled samples: it "
                    "must be the same map."
                )
            if not np.isfinite(Z).all():
                raise ValueError("the embedding of X contains NaN or infinity.")
            for result, (index, k) in zip(out, searches):
                result[batch] = index.kneighbors(Z, k)[0][:, -1]
        return out[0] if single else out

    def _checked(self, X):
        check_is_fitted(self)
        return self._validate(X, reset=False)

    def score_samples(self, X):
        """Minus the distance to the ``n_neighbors_``-th nearest labelled sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            The lower, the farther from the labelled samples
            (``-score_samples(X)`` is the out-of-distribution score).
        """
        return -self._distances(self._checked(X))

    def decision_function(self, X):
        """``threshold_`` minus the distance: negative out of distribution.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_``.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """``-1`` for samples beyond the threshold, ``+1`` for the others.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        is_inlier : ndarray of shape (n_samples,)
            ``+1`` in distribution (distance at most ``threshold_``),
            ``-1`` out of it.
        """
        return np.where(self.decision_function(X) >= 0, 1, -1)

    def filter_candidates(self, X_pool, candidates=None, *, keep="inliers"):
        """The rows of a pool in (or out of) distribution: a query's ``candidates``.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, n_features)
            The pool.
        candidates : array-like of int or bool, default=None
            Rows to consider (e.g. a session's unlabelled rows); ``None``:
            every row. Only these rows are scored.
        keep : {"inliers", "outliers"}, default="inliers"
            ``"inliers"``: the rows at most ``threshold_`` from the labelled
            samples (out-of-distribution samples kept out of a query);
            ``"outliers"``: the rows beyond it (to query them deliberately).

        Returns
        -------
        rows : ndarray of int
            Sorted rows of ``X_pool``, possibly none.

        Examples
        --------
        A query among the in-distribution rows of a session's pool::

            rows = detector.filter_candidates(X, learner.unlabelled_indices)
            learner.query(candidates=rows)
        """
        if keep not in ("inliers", "outliers"):
            raise ValueError(f'keep must be "inliers" or "outliers", got {keep!r}.')
        X_pool = self._checked(X_pool)
        n_pool = _num_samples(X_pool)
        rows = check_candidates(candidates, n_pool)
        if rows is None:
            rows = np.arange(n_pool)
        inside = self._distances(X_pool, rows) <= self.threshold_
        return rows[inside if keep == "inliers" else ~inside]

    def drift_report(self, X, candidates=None) -> DriftReport:
        """Compare samples (a pool) with the labelled set as a whole.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples, e.g. the pool.
        candidates : array-like of int or bool, default=None
            Rows of ``X`` to compare (e.g. a session's unlabelled rows);
            ``None``: every row.

        Returns
        -------
        report : DriftReport
            The fraction of samples beyond the threshold against the
            labelled samples' own, their median distances, and a one-sided
            Kolmogorov-Smirnov test of the samples being farther.

        Notes
        -----
        The test is split-half: the labelled samples at even positions are
        the reference, and the distances of the samples to it are compared
        with those of the labelled samples at odd positions. Given the
        reference, both are independent draws when the samples and the
        labelled set come from one distribution, so the p-value is valid;
        the leave-one-out distances of the labelled samples to each other
        are not independent (two mutual nearest neighbours share theirs),
        and a test on them rejects too often.

        It compares exchangeable samples only when the labelled set is a
        random sample of the pool. An active learning loop chooses its
        labels (uncertain samples, diverse ones), so some difference is
        expected; a large one (a fraction beyond the threshold several
        times the labelled samples' own) says that parts of the pool are
        unlike anything labelled.
        """
        X = self._checked(X)
        rows = check_candidates(candidates, _num_samples(X))
        if _num_samples(X) == 0:
            raise ValueError("X is empty: there is nothing to compare.")
        reference, others = self.embedding_[::2], self.embedding_[1::2]
        half = NeighborIndex(reference, metric=self.metric, n_jobs=self.n_jobs)
        k_half = min(self.n_neighbors_, reference.shape[0])
        distances, to_half = self._distances(
            X, rows, [(self._index, self.n_neighbors_), (half, k_half)]
        )
        others_to_half = half.kneighbors(others, k_half)[0][:, -1]
        with warnings.catch_warnings():
            # "exact calculation unsuccessful, switching to asymp": fine here
            warnings.simplefilter("ignore", RuntimeWarning)
            # alternative="less": the samples' distribution function lies
            # below the labelled one's somewhere (the samples are farther).
            test = stats.ks_2samp(to_half, others_to_half, alternative="less")
        labelled = self.labelled_distances_
        return DriftReport(
            n_samples=int(distances.shape[0]),
            n_labelled=int(labelled.shape[0]),
            n_neighbors=int(self.n_neighbors_),
            quantile=float(self.quantile),
            threshold=float(self.threshold_),
            fraction_beyond=float(np.mean(distances > self.threshold_)),
            expected_fraction=float(np.mean(labelled > self.threshold_)),
            median_distance=float(np.median(distances)),
            median_labelled_distance=float(np.median(labelled)),
            ks_statistic=float(test.statistic),
            ks_pvalue=float(test.pvalue),
        )
