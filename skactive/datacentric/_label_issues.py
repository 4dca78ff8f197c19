"""Suspicious labels: confident learning on out-of-fold probabilities.

Northcutt, Jiang & Chuang (2021); the formulas, step by step, are in the
docstring of :mod:`skactive.datacentric`. Each step is one function below,
on label codes (column indices of the probabilities).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.utils import check_array, check_random_state, column_or_1d
from sklearn.utils.multiclass import check_classification_targets

from ..utils._validation import check_has_method, check_int, check_multiple_classes

__all__ = [
    "LabelIssues",
    "confident_joint",
    "find_label_issues",
    "label_issues_from_proba",
    "label_quality",
]

METHODS = (
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
)
RANK_BY = ("self_confidence", "normalized_margin")

# A probability reaches its class's threshold within this much: a class of
# one labelled sample has that sample's probability as its threshold, and a
# mean of equal values may round one ulp above them.
_THRESHOLD_TOLERANCE = 1e-9


@dataclass
class LabelIssues:
    """Labelled samples ranked by how likely their label is wrong.

    Returned by :func:`find_label_issues`, :func:`label_issues_from_proba`
    and :meth:`skactive.ActiveLearner.suspicious_labels`. The first four
    fields describe the suspicious samples, most suspicious first; the
    others every sample examined, in the order of ``y``.

    Attributes
    ----------
    indices : ndarray of shape (n_suspicious,)
        The suspicious samples (rows of ``X``; for a session, rows of its
        pool), most suspicious first: those the ``method`` flags, or the
        ``n`` of lowest label quality when ``n`` was given.
    scores : ndarray of shape (n_suspicious,)
        Their label quality (lower is more suspicious).
    labels : ndarray of shape (n_suspicious,)
        Their given labels.
    suggested_labels : ndarray of shape (n_suspicious,)
        The most probable class of each under the out-of-fold probabilities
        (the given label again where the model agrees with it).
    label_quality : ndarray of shape (n_samples,)
        The label quality of every sample (``rank_by``).
    is_issue : ndarray of shape (n_samples,), dtype=bool
        The samples the ``method`` flags, whatever ``n``.
    pred_proba : ndarray of shape (n_samples, n_classes)
        The out-of-sample probabilities the estimate rests on.
    classes : ndarray of shape (n_classes,)
        The classes, in the order of the columns of ``pred_proba``.
    thresholds : ndarray of shape (n_classes,)
        The per-class thresholds ``t[j]`` (``inf`` for a class no sample
        carries).
    confident_joint : ndarray of shape (n_classes, n_classes)
        ``C[i, j]``: samples labelled ``classes[i]`` confidently of class
        ``classes[j]``.
    estimated_joint : ndarray of shape (n_classes, n_classes)
        The calibrated joint ``Q[i, j]``: the estimated number of samples
        labelled ``classes[i]`` whose true class is ``classes[j]`` (rows sum
        to the label counts).
    method : str
        How the suspicious samples were flagged.
    rank_by : str
        The label-quality score.
    """

    indices: np.ndarray
    scores: np.ndarray
    labels: np.ndarray
    suggested_labels: np.ndarray
    label_quality: np.ndarray
    is_issue: np.ndarray
    pred_proba: np.ndarray
    classes: np.ndarray
    thresholds: np.ndarray
    confident_joint: np.ndarray
    estimated_joint: np.ndarray
    method: str
    rank_by: str

    def __len__(self) -> int:
        return int(self.indices.shape[0])

    @property
    def n_estimated(self) -> int:
        """The estimated number of wrong labels: off-diagonal mass of
        ``estimated_joint``, rounded."""
        off = self.estimated_joint.sum() - np.trace(self.estimated_joint)
        return round(float(off))

    def to_frame(self):
        """The suspicious samples as a :class:`pandas.DataFrame`.

        Columns ``index``, ``label``, ``suggested_label`` and ``score``, one
        row per suspicious sample, most suspicious first.
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "index": self.indices,
                "label": self.labels,
                "suggested_label": self.suggested_labels,
                "score": self.scores,
            }
        )

    def __repr__(self) -> str:
        n = len(self)
        lines = [
            f"LabelIssues: {n} suspicious of {self.label_quality.shape[0]} "
            f"labels ({self.method}, ranked by {self.rank_by}; "
            f"about {self.n_estimated} wrong labels estimated)"
        ]
        for k in range(min(n, 10)):
            given, suggested = _plain(self.labels[k]), _plain(self.suggested_labels[k])
            lines.append(
                f"  {int(self.indices[k])}: {given!r} -> {suggested!r}  "
                f"(score {self.scores[k]:.3f})"
            )
        if n > 10:
            lines.append(f"  ... {n - 10} more")
        return "\n".join(lines)


def _plain(value):
    """A NumPy scalar as the Python value it holds (for display)."""
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------- checks
def _check_choice(value, name: str, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}.")
    return value


def _encode(y, pred_proba, classes):
    """``(codes, proba, classes)``: labels as column indices of ``pred_proba``."""
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    proba = check_array(pred_proba, dtype=np.float64, input_name="pred_proba")
    if proba.shape[0] != y.shape[0]:
        raise ValueError(
            f"pred_proba has {proba.shape[0]} rows for {y.shape[0]} labels: give "
            "one row of probabilities per labelled sample."
        )
    if (proba < 0).any() or (proba > 1 + 1e-6).any():
        raise ValueError("pred_proba must hold probabilities, in [0, 1].")
    classes = np.unique(y) if classes is None else np.asarray(classes)
    if classes.ndim != 1 or classes.shape[0] != proba.shape[1]:
        raise ValueError(
            f"pred_proba has {proba.shape[1]} columns, but there are "
            f"{classes.shape[0] if classes.ndim == 1 else classes.shape} classes: "
            "its columns must be the classes, in the order of classes (sorted "
            "labels by default)."
        )
    check_multiple_classes(classes)
    position = {c: k for k, c in enumerate(classes.tolist())}
    if len(position) != classes.shape[0]:
        raise ValueError("classes must not contain a label twice.")
    try:
        codes = np.array([position[v] for v in y.tolist()], dtype=np.intp)
    except KeyError as exc:
        raise ValueError(
            f"y holds the label {exc.args[0]!r}, which is not among classes "
            f"{classes.tolist()[:10]!r}."
        ) from None
    return codes, proba, classes


# ---------------------------------------------------------------- formulas
def _thresholds(codes: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """``t[j]``: mean probability of class ``j`` over the samples labelled ``j``."""
    n_classes = proba.shape[1]
    counts = np.bincount(codes, minlength=n_classes)
    sums = np.zeros(n_classes)
    np.add.at(sums, codes, proba[np.arange(codes.shape[0]), codes])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.inf)


def _confident_guess(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Each sample's confident class: the most probable class among those
    whose threshold its probability reaches; -1 where it reaches none."""
    confident = proba >= thresholds - _THRESHOLD_TOLERANCE
    masked = np.where(confident, proba, -np.inf)
    guess = masked.argmax(axis=1)
    guess[~confident.any(axis=1)] = -1
    return guess


def _joint(codes, guess, n_classes: int) -> np.ndarray:
    counted = guess >= 0
    C = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(C, (codes[counted], guess[counted]), 1)
    return C


def _calibrate(C: np.ndarray, label_counts: np.ndarray) -> np.ndarray:
    """``Q[i, j] = C[i, j] / sum_j C[i, j] * n_i`` (a label with no confident
    sample counts as correctly labelled)."""
    C = C.astype(np.float64)
    empty = C.sum(axis=1) == 0
    C[empty, empty.nonzero()[0]] = 1.0
    return C / C.sum(axis=1, keepdims=True) * label_counts[:, None]


def _round_rows(Q: np.ndarray) -> np.ndarray:
    """Integers closest to ``Q``, each row keeping its (integer) total:
    largest remainders round up."""
    floor = np.floor(Q)
    out = floor.astype(np.int64)
    for i in range(Q.shape[0]):
        missing = round(float(Q[i].sum() - floor[i].sum()))
        if missing > 0:
            order = np.argsort(-(Q[i] - floor[i]), kind="stable")
            out[i, order[:missing]] += 1
    return out


def _prune_counts(Q: np.ndarray, label_counts: np.ndarray) -> np.ndarray:
    """Samples to flag per (given, true) pair: ``Q`` rounded, off-diagonal,
    leaving at least one sample of every label."""
    prune = _round_rows(Q)
    np.fill_diagonal(prune, 0)
    for i in range(prune.shape[0]):
        while prune[i].sum() > max(int(label_counts[i]) - 1, 0):
            prune[i, np.argmax(prune[i])] -= 1
    return prune


def _lowest(values: np.ndarray, rows: np.ndarray, m: int) -> np.ndarray:
    """The ``m`` rows of lowest value (ties: smaller row first)."""
    order = np.lexsort((rows, values))
    return rows[order[:m]]


def _flag(method, codes, proba, guess, prune) -> np.ndarray:
    n, n_classes = proba.shape
    rows = np.arange(n)
    flagged = np.zeros(n, dtype=bool)
    if method == "confident_learning":
        flagged = (guess >= 0) & (guess != codes)
    elif method == "predicted_neq_given":
        flagged = proba.argmax(axis=1) != codes
    else:
        by_rate = np.zeros(n, dtype=bool)
        by_class = np.zeros(n, dtype=bool)
        for i in range(n_classes):
            members = rows[codes == i]
            if method in ("prune_by_noise_rate", "both"):
                for j in range(n_classes):
                    if prune[i, j] > 0:
                        margin = proba[members, j] - proba[members, i]
                        by_rate[_lowest(-margin, members, prune[i, j])] = True
            if method in ("prune_by_class", "both") and prune[i].sum() > 0:
                by_class[_lowest(proba[members, i], members, prune[i].sum())] = True
        flagged = {
            "prune_by_noise_rate": by_rate,
            "prune_by_class": by_class,
            "both": by_rate & by_class,
        }[method]
    # A label the model finds the most probable is never flagged.
    given = proba[rows, codes]
    flagged &= given < proba.max(axis=1)
    return flagged


def _quality(codes: np.ndarray, proba: np.ndarray, rank_by: str) -> np.ndarray:
    rows = np.arange(codes.shape[0])
    given = proba[rows, codes]
    if rank_by == "self_confidence":
        return given.copy()
    others = proba.copy()
    others[rows, codes] = -np.inf
    return (given - others.max(axis=1) + 1.0) / 2.0


# ---------------------------------------------------------------- public
def confident_joint(y, pred_proba, *, classes=None) -> np.ndarray:
    """The confident joint of given labels and out-of-sample probabilities.

    ``C[i, j]`` counts the samples labelled ``classes[i]`` whose probability
    of ``classes[j]`` reaches the threshold ``t[j]``, the mean probability of
    ``classes[j]`` over the samples labelled so; a sample above several
    thresholds counts for the most probable of those classes, one above
    none is not counted (Northcutt et al., 2021, Eq. 1 and 2).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The given labels.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-sample predicted probabilities (e.g. out-of-fold, from
        :func:`~sklearn.model_selection.cross_val_predict`).
    classes : array-like of shape (n_classes,), default=None
        The classes of the columns of ``pred_proba``; ``None``: the sorted
        labels of ``y`` (scikit-learn's ``classes_``).

    Returns
    -------
    C : ndarray of shape (n_classes, n_classes)
        Rows are given labels, columns confident (estimated true) classes.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang and I. L. Chuang, "Confident Learning:
       Estimating Uncertainty in Dataset Labels", Journal of Artificial
       Intelligence Research 70, 2021.

    Examples
    --------
    >>> from skactive.datacentric import confident_joint
    >>> y = [0, 0, 1, 1]
    >>> proba = [[0.9, 0.1], [0.3, 0.7], [0.2, 0.8], [0.4, 0.6]]
    >>> confident_joint(y, proba)   # t = [0.6, 0.7]
    array([[1, 1],
           [0, 1]])
    """
    codes, proba, classes = _encode(y, pred_proba, classes)
    guess = _confident_guess(proba, _thresholds(codes, proba))
    return _joint(codes, guess, classes.shape[0])


def label_quality(y, pred_proba, *, classes=None, rank_by="self_confidence"):
    """A label-quality score per sample: lower is more likely mislabelled.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The given labels.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-sample predicted probabilities.
    classes : array-like of shape (n_classes,), default=None
        The classes of the columns of ``pred_proba``; ``None``: the sorted
        labels of ``y``.
    rank_by : {"self_confidence", "normalized_margin"}, \
default="self_confidence"
        ``"self_confidence"``: the probability of the given label;
        ``"normalized_margin"``: ``(p[y] - max_{j != y} p[j] + 1) / 2``.

    Returns
    -------
    quality : ndarray of shape (n_samples,)
        In ``[0, 1]``.

    Examples
    --------
    >>> from skactive.datacentric import label_quality
    >>> label_quality([0, 1], [[0.9, 0.1], [0.7, 0.3]]).tolist()
    [0.9, 0.3]
    >>> label_quality([0, 1], [[0.9, 0.1], [0.7, 0.3]],
    ...               rank_by="normalized_margin").round(3).tolist()
    [0.9, 0.3]
    """
    _check_choice(rank_by, "rank_by", RANK_BY)
    codes, proba, _ = _encode(y, pred_proba, classes)
    return _quality(codes, proba, rank_by)


def label_issues_from_proba(
    y,
    pred_proba,
    *,
    classes=None,
    method="prune_by_noise_rate",
    rank_by="self_confidence",
    n=None,
) -> LabelIssues:
    """Find wrong labels from out-of-sample probabilities (confident learning).

    The algorithm of :func:`find_label_issues`, given the probabilities:
    use it when they come from elsewhere (a model trained on other data, a
    cross-validation of your own).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The given labels.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-sample predicted probabilities: in-sample ones (a model
        fitted on these very labels) have learnt the wrong labels too.
    classes : array-like of shape (n_classes,), default=None
        The classes of the columns of ``pred_proba``; ``None``: the sorted
        labels of ``y``.
    method : {"prune_by_noise_rate", "prune_by_class", "both", \
"confident_learning", "predicted_neq_given"}, default="prune_by_noise_rate"
        Which samples are flagged (see :mod:`skactive.datacentric`; the
        default is cleanlab's). A sample whose given label is its most
        probable class is never flagged.
    rank_by : {"self_confidence", "normalized_margin"}, \
default="self_confidence"
        The label-quality score that ranks the suspicious samples.
    n : int, default=None
        ``None``: the flagged samples, ranked. An int: the ``n`` samples of
        lowest label quality, flagged or not (a fixed review budget).

    Returns
    -------
    issues : LabelIssues
        The suspicious samples, most suspicious first, and the estimate
        behind them.

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.datacentric import label_issues_from_proba
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9],
    ...                   [0.2, 0.8], [0.3, 0.7], [0.1, 0.9]])
    >>> issues = label_issues_from_proba(y, proba)
    >>> issues.indices, issues.suggested_labels
    (array([2]), array([1]))
    """
    _check_choice(method, "method", METHODS)
    _check_choice(rank_by, "rank_by", RANK_BY)
    check_int(n, "n", low=0, allow_none=True)
    codes, proba, classes = _encode(y, pred_proba, classes)
    n_classes = classes.shape[0]
    label_counts = np.bincount(codes, minlength=n_classes).astype(np.float64)
    thresholds = _thresholds(codes, proba)
    guess = _confident_guess(proba, thresholds)
    C = _joint(codes, guess, n_classes)
    Q = _calibrate(C, label_counts)
    flagged = _flag(method, codes, proba, guess, _prune_counts(Q, label_counts))
    quality = _quality(codes, proba, rank_by)
    rows = np.arange(codes.shape[0])
    candidates = rows if n is not None else rows[flagged]
    order = np.lexsort((candidates, quality[candidates]))
    chosen = candidates[order]
    if n is not None:
        chosen = chosen[:n]
    labels = classes[codes]
    return LabelIssues(
        indices=chosen,
        scores=quality[chosen],
        labels=labels[chosen],
        suggested_labels=classes[proba[chosen].argmax(axis=1)],
        label_quality=quality,
        is_issue=flagged,
        pred_proba=proba,
        classes=classes,
        thresholds=thresholds,
        confident_joint=C,
        estimated_joint=Q,
        method=method,
        rank_by=rank_by,
    )


def find_label_issues(
    estimator,
    X,
    y,
    *,
    cv=5,
    method="prune_by_noise_rate",
    rank_by="self_confidence",
    n=None,
    random_state=None,
    n_jobs=None,
) -> LabelIssues:
    """Rank labelled samples by how likely their label is wrong.

    Confident learning (Northcutt et al., 2021) on out-of-fold predicted
    probabilities: ``estimator`` is cross-validated on ``(X, y)`` (each
    sample predicted by a model that did not see its label), the per-class
    thresholds and the confident joint estimate how many labels of each
    class belong to each other class, and that many samples are flagged
    (``method``), ranked by a label-quality score (``rank_by``). See
    :mod:`skactive.datacentric` for the formulas. In a labelling session,
    :meth:`skactive.ActiveLearner.suspicious_labels` calls it on the
    session's labels; corrected labels go back with
    ``teach(rows, labels, relabel=True)``.

    Parameters
    ----------
    estimator : classifier, default=None
        A classifier with ``predict_proba``, cross-validated as clones.
        ``None`` means :class:`~sklearn.linear_model.LogisticRegression`.
    X : array-like of shape (n_samples, n_features)
        The labelled samples.
    y : array-like of shape (n_samples,)
        Their given labels (at least 2 classes).
    cv : int, cross-validation generator or iterable, default=5
        An int is the number of folds of a shuffled
        :class:`~sklearn.model_selection.StratifiedKFold` seeded by
        ``random_state``; anything else goes to
        :func:`~sklearn.model_selection.cross_val_predict` as it is. A
        class with fewer labels than folds is missing from the training
        part of some folds: its samples there get probability 0 for it and
        rank as suspicious (scikit-learn warns).
    method : {"prune_by_noise_rate", "prune_by_class", "both", \
"confident_learning", "predicted_neq_given"}, default="prune_by_noise_rate"
        Which samples are flagged; see :func:`label_issues_from_proba`.
    rank_by : {"self_confidence", "normalized_margin"}, \
default="self_confidence"
        The label-quality score that ranks them.
    n : int, default=None
        ``None``: the flagged samples, ranked; an int: the ``n`` samples of
        lowest label quality (a fixed review budget).
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds of an int ``cv``.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib).

    Returns
    -------
    issues : LabelIssues
        ``indices`` (rows of ``X``), ``scores``, ``labels`` and
        ``suggested_labels`` of the suspicious samples, most suspicious
        first, and the estimate behind them (``pred_proba``,
        ``confident_joint``...).

    See Also
    --------
    label_issues_from_proba : the same, given out-of-sample probabilities.
    skactive.ActiveLearner.suspicious_labels : on a labelling session.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang and I. L. Chuang, "Confident Learning:
       Estimating Uncertainty in Dataset Labels", Journal of Artificial
       Intelligence Research 70, 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skactive.datacentric import find_label_issues
    >>> X, y = load_iris(return_X_y=True)
    >>> y_noisy = y.copy()
    >>> y_noisy[[0, 60, 120]] = [2, 0, 1]          # three wrong labels
    >>> issues = find_label_issues(LogisticRegression(max_iter=1000), X,
    ...                            y_noisy, n=3, random_state=0)
    >>> sorted(issues.indices.tolist())
    [0, 60, 120]
    """
    check_int(n, "n", low=0, allow_none=True)
    _check_choice(method, "method", METHODS)
    _check_choice(rank_by, "rank_by", RANK_BY)
    estimator = LogisticRegression() if estimator is None else estimator
    check_has_method(estimator, "predict_proba")
    if not is_classifier(estimator):
        raise TypeError(
            f"estimator must be a classifier; got {type(estimator).__name__}."
        )
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    classes = np.unique(y)
    check_multiple_classes(classes)
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        check_int(cv, "cv", low=2)
        seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
        cv = StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=seed)
    proba = cross_val_predict(
        clone(estimator), X, y, cv=cv, method="predict_proba", n_jobs=n_jobs
    )
    return label_issues_from_proba(
        y, proba, classes=classes, method=method, rank_by=rank_by, n=n
    )
