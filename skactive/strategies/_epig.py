"""EPIG: expected predictive information gain (Bickford Smith et al., 2023)."""

from __future__ import annotations

import sys

import numpy as np
import scipy.sparse as sp
from scipy.special import entr

from ..base import QueryStrategy, QueryTags
from ..committee import Committee
from ..utils._compat import _num_samples
from ..utils._docstrings import fill_doc
from ..utils._pool import Pool
from ..utils._validation import check_int, check_proba_samples

__all__ = ["EPIG", "epig_scores"]

# Elements of one (candidates x classes x targets x classes) block of the
# joint predictive distributions: 2 Mi float64, 16 MiB per temporary.
_BLOCK_ELEMENTS = 2**21
_TINY = np.finfo(np.float64).tiny


def epig_scores(proba_samples, target_proba_samples) -> np.ndarray:
    r"""Expected predictive information gain of every candidate.

    .. math::

        \mathrm{EPIG}(x) = \mathbb E_{x_* \sim p_*}\,
        I(y; y_* \mid x, x_*)
        = H[p(y \mid x)] + \mathbb E_{x_*} H[p(y_* \mid x_*)]
        - \mathbb E_{x_*} H[p(y, y_* \mid x, x_*)],

    with the joint predictive :math:`p(y, y_* \mid x, x_*) = \frac1K
    \sum_k p_k(y \mid x)\, p_k(y_* \mid x_*)` over the ``K`` members (MC
    passes) and the expectation over the given target inputs. Computed in
    blocks of candidates: each block is one matrix product
    ``(b·C x K) @ (K x m·C)`` and the entropies of its joints, so memory
    stays bounded whatever the number of candidates.

    Parameters
    ----------
    proba_samples : array-like of shape (n_samples, n_members, n_classes)
        Probabilities of every member for every candidate.
    target_proba_samples : array-like of shape (n_targets, n_members, n_classes)
        Probabilities of the same members for the target inputs.

    Returns
    -------
    epig : ndarray of shape (n_samples,)
        In nats, non-negative (rounding errors are clipped to 0).

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.strategies import epig_scores
    >>> P = np.array([[[0.9, 0.1], [0.1, 0.9]],     # members disagree
    ...               [[0.5, 0.5], [0.5, 0.5]]])    # members agree
    >>> Q = np.array([[[1.0, 0.0], [0.0, 1.0]]])    # a target they split on
    >>> epig_scores(P, Q).round(3)
    array([0.368, 0.   ])
    """
    P = np.asarray(proba_samples, dtype=np.float64)
    Q = np.asarray(target_proba_samples, dtype=np.float64)
    if P.ndim != 3 or Q.ndim != 3 or P.shape[1:] != Q.shape[1:]:
        raise ValueError(
            "proba_samples and target_proba_samples must have shapes "
            "(n_samples, n_members, n_classes) and (n_targets, n_members, "
            f"n_classes) with the same members and classes; got {P.shape} and "
            f"{Q.shape}."
        )
    n_samples, n_members, n_classes = P.shape
    n_targets = Q.shape[0]
    if n_targets == 0:
        raise ValueError("target_proba_samples is empty: EPIG needs target inputs.")
    out = np.empty(n_samples)
    if n_samples == 0:
        return out
    target_entropy = entr(Q.mean(axis=1)).sum(axis=1).mean()
    own_entropy = entr(P.mean(axis=1)).sum(axis=1)
    # targets, member-major: (K, m * C); scaled by 1/K once
    Q_km = Q.transpose(1, 0, 2).reshape(n_members, n_targets * n_classes) / n_members
    rows = max(1, _BLOCK_ELEMENTS // (n_classes * n_targets * n_classes))
    for start in range(0, n_samples, rows):
        stop = min(n_samples, start + rows)
        b = stop - start
        # (b, C, K) -> (b * C, K): rows (candidate, class)
        A = P[start:stop].transpose(0, 2, 1).reshape(b * n_classes, n_members)
        joint = A @ Q_km  # (b * C, m * C): p(y, y*) for every target
        plogp = np.log(np.maximum(joint, _TINY))
        plogp *= joint
        # sum over both labels, mean over the targets: -E H[p(y, y*)]
        neg_joint = plogp.reshape(b, n_classes * n_targets * n_classes).sum(axis=1)
        out[start:stop] = own_entropy[start:stop] + target_entropy
        out[start:stop] += neg_joint / n_targets
    return np.maximum(out, 0.0)


def _stack_rows(X, X_target):
    """The rows of ``X`` followed by those of ``X_target`` (same kind of input)."""
    if sp.issparse(X) or sp.issparse(X_target):
        return sp.vstack([X, X_target], format="csr")
    if hasattr(X, "iloc"):  # pandas
        import pandas as pd

        return pd.concat([X, X_target], ignore_index=True)
    if isinstance(X, (list, tuple)):
        return list(X) + list(X_target)
    torch = sys.modules.get("torch")  # never imported here: only recognised
    if torch is not None and isinstance(X, torch.Tensor):
        return torch.cat([X, torch.as_tensor(X_target)])
    return np.concatenate([np.asarray(X), np.asarray(X_target)])


@fill_doc
class EPIG(QueryStrategy):
    r"""EPIG: the expected information gain about predictions on target inputs.

    BALD (:class:`BALD`) queries the labels most informative about the
    model's parameters, including parameters that do not matter for the
    predictions one cares about: it likes outliers and inputs unlike the
    test distribution. EPIG (Bickford Smith et al., 2023) scores a
    candidate by the mutual information between its label and the labels
    of *target inputs* drawn from the input distribution of interest,

    .. math::

        \mathrm{EPIG}(x) = \mathbb E_{x_* \sim p_*(x_*)}
        \left[ I(y; y_* \mid x, x_*) \right],

    estimated from the members of a committee or the passes of an
    MC-Dropout network (the ``predict_proba_samples`` protocol, as
    :class:`BALD`): the joint predictive of ``(y, y_*)`` is the members'
    average of the product of their predictions (see :func:`epig_scores`).
    The targets are ``target_inputs`` when given, else a random sample of
    ``n_target_samples`` rows of the pool's candidates, drawn once per
    query.

    Each pool chunk is predicted together with the targets, in one
    ``predict_proba_samples`` call, so a stochastic model (an MC-Dropout
    network whatever its ``random_state``) predicts both with the same
    members; the chunk's scores are then computed in blocks of candidates
    (memory bounded by the chunk size, not the pool).

    Parameters
    ----------
    estimator : estimator with ``predict_proba_samples``, default=None
        A committee or Bayesian model, fitted as a clone ``estimator_``,
        whose ``predict_proba_samples(X)`` returns shape ``(n_samples,
        n_members, n_classes)``: :class:`~skactive.committee.Committee`,
        :class:`skactive.deep.MCDropoutClassifier` (with consistent masks,
        its default) or :class:`skactive.deep.DeepEnsembleClassifier`.
        ``None`` means ``Committee(random_state=random_state)``.
    target_inputs : array-like of shape (n_targets, ...), default=None
        Samples of the input distribution the predictions matter on (e.g.
        unlabelled test inputs), in the format of the pool. ``None`` draws
        ``n_target_samples`` rows from the pool's candidates at each query.
    n_target_samples : int, default=100
        Number of target inputs drawn from the pool when ``target_inputs``
        is ``None`` (all candidates if there are fewer). Cost grows
        linearly with it.
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    random_state : int, RandomState instance or None, default=None
        Draws the target inputs, the pool subsample and breaks ties. Pass an
        int for reproducible queries.
    %(warm_start)s

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during ``fit``.

    See Also
    --------
    BALD : information gain about the parameters.
    BatchBALD : joint information gain of a batch about the parameters.
    epig_scores : the computation.

    Notes
    -----
    The targets are drawn before ``pool_subsample``: they represent the
    whole pool, while only the subsample is scored. A batch is the top-k of
    the pointwise EPIG (as the paper's experiments with batches); the
    members must be the same for every candidate and every target within a
    ``predict_proba_samples`` call (consistent masks).

    References
    ----------
    .. [1] F. Bickford Smith, A. Kirsch, S. Farquhar, Y. Gal, A. Foster and
       T. Rainforth, "Prediction-Oriented Bayesian Active Learning",
       AISTATS 2023.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skactive import EPIG, Committee
    >>> X, y = load_iris(return_X_y=True)
    >>> strategy = EPIG(Committee(n_members=5, random_state=0),
    ...                 n_target_samples=30, batch_size=4, random_state=0)
    >>> strategy.fit(X[::10], y[::10]).query(X).shape
    (4,)
    >>> bool((strategy.utility(X) >= 0).all())
    True
    """

    def __init__(
        self,
        estimator=None,
        *,
        target_inputs=None,
        n_target_samples=100,
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
        self.target_inputs = target_inputs
        self.n_target_samples = n_target_samples

    def _default_estimator(self):
        return Committee(random_state=self.random_state)

    def _query_tags(self) -> QueryTags:
        return QueryTags(requires_proba=False, requires_proba_samples=True)

    def _check_params(self) -> None:
        check_int(self.n_target_samples, "n_target_samples")

    def _prepare_query(self, pool: Pool, rng: np.random.RandomState):
        """The target inputs: given, or a random sample of the candidates."""
        if self.target_inputs is not None:
            X_target = self._validate_X(
                self.target_inputs, reset=False, input_name="target_inputs"
            )
            if _num_samples(X_target) == 0:
                raise ValueError("target_inputs is empty: give at least one input.")
            return X_target
        n_targets = min(check_int(self.n_target_samples, "n_target_samples"), pool.n)
        local = np.sort(rng.choice(pool.n, n_targets, replace=False))
        return pool.take(local)

    def _utility(self, X, context=None) -> np.ndarray:
        n_samples = _num_samples(X)
        n_targets = _num_samples(context)
        proba = check_proba_samples(
            self.estimator_.predict_proba_samples(_stack_rows(X, context)),
            n_samples + n_targets,
        )
        return epig_scores(proba[:n_samples], proba[n_samples:])
