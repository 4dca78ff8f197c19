"""Learning loss for active learning (Yoo and Kweon, 2019).

A small loss-prediction module reads features of the target network and
learns, jointly with it, to predict the network's loss on each sample; the
pool samples with the largest predicted loss are queried.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from skorch.utils import is_dataset, to_numpy
from torch import nn

from ..base import QueryStrategy, QueryTags
from ..utils._docstrings import fill_doc
from ..utils._validation import check_has_method, check_int, check_real
from ._net import _LOCK, _NET_DIFFERENCES, _eval_mode, _NetClassifier

__all__ = ["LearningLoss", "LearningLossClassifier", "loss_ranking_loss"]


def loss_ranking_loss(
    predicted: torch.Tensor, target: torch.Tensor, margin: float = 1.0
) -> torch.Tensor:
    r"""The pairwise ranking loss of the loss-prediction module.

    The batch of :math:`B` samples is split into :math:`\lfloor B/2
    \rfloor` pairs :math:`(i, B-1-i)`, and each pair costs

    .. math::

        \max\bigl(0,\; \xi - \operatorname{sign}(l_i - l_j)\,
        (\hat l_i - \hat l_j)\bigr),

    with :math:`\operatorname{sign} = -1` for ties: only the *order* of the
    predicted losses :math:`\hat l` is learned, not their scale, which
    changes as the target network trains. The mean over the pairs is
    returned (zero for a batch of one sample).

    Parameters
    ----------
    predicted : torch.Tensor of shape (B,)
        Predicted losses :math:`\hat l`.
    target : torch.Tensor of shape (B,)
        The target network's losses :math:`l` (detach them: the ranking
        loss trains the predictor, not the network's loss).
    margin : float, default=1.0
        The margin :math:`\xi`.

    Returns
    -------
    loss : torch.Tensor
        A scalar.

    References
    ----------
    .. [1] D. Yoo and I. S. Kweon, "Learning Loss for Active Learning",
       CVPR 2019, eq. (2).

    Examples
    --------
    >>> import torch
    >>> from skactive.deep import loss_ranking_loss
    >>> target = torch.tensor([3.0, 0.0, 1.0, 2.0])  # pairs (0, 3) and (1, 2)
    >>> loss_ranking_loss(torch.tensor([5.0, 0.0, 0.0, 2.0]), target)
    tensor(0.5000)
    """
    n_pairs = predicted.shape[0] // 2
    if n_pairs == 0:
        return predicted.sum() * 0.0
    # pair i with B - 1 - i (torch has no negative slice steps)
    predicted_gap = predicted[:n_pairs] - predicted.flip(0)[:n_pairs]
    sign = torch.where(target[:n_pairs] > target.flip(0)[:n_pairs], 1.0, -1.0)
    return torch.clamp(margin - sign * predicted_gap, min=0.0).mean()


def _pool(feature: torch.Tensor) -> torch.Tensor:
    """A feature map averaged over its spatial axes: (B, C, ...) -> (B, C)."""
    if feature.dim() == 1:
        return feature[:, None]
    if feature.dim() > 2:
        return feature.flatten(2).mean(dim=2)
    return feature


class _LossPredictionModule(nn.Module):
    """Per feature: global average pooling, ``Linear``, ``ReLU``; then the
    concatenation goes through one ``Linear`` to the predicted loss."""

    def __init__(self, widths: list[int], hidden: int):
        super().__init__()
        self.branches = nn.ModuleList(
            nn.Sequential(nn.Linear(width, hidden), nn.ReLU()) for width in widths
        )
        self.head = nn.Linear(hidden * len(widths), 1)

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        pooled = [b(_pool(f)) for b, f in zip(self.branches, features, strict=True)]
        return self.head(torch.cat(pooled, dim=1)).squeeze(1)


@fill_doc(net_differences=_NET_DIFFERENCES)
class LearningLossClassifier(_NetClassifier):
    r"""A network trained with a loss-prediction module (learning loss).

    Yoo and Kweon (2019) attach a small *loss-prediction module* to a
    network: it reads features of some layers (each globally average-pooled
    and passed through a fully connected layer with ReLU, then all
    concatenated into one linear output) and predicts the network's loss on
    the sample. Both are trained together on the labelled samples,
    minimising

    .. math::

        \frac1B \sum_i \ell(y_i, \hat y_i) + \lambda\, L_{\mathrm{rank}}
        (\hat l, \ell),

    where :math:`L_{\mathrm{rank}}` is :func:`loss_ranking_loss` over the
    pairs of the mini-batch (only the order of the losses is learned). On
    unlabelled samples :meth:`predict_loss` then estimates how wrong the
    network is, which :class:`LearningLoss` queries, with any model or task
    whose loss is per sample.

    The network is a :class:`skorch.NeuralNetClassifier` adapted as
    :class:`MCDropoutClassifier` is, without the Monte Carlo passes:
    ``predict_proba`` is the deterministic network, and ``embed`` serves the
    embedding-based strategies. Differences from
    :class:`skorch.NeuralNetClassifier`:

    %(net_differences)s

    Parameters
    ----------
    module : torch.nn.Module class or instance
        The target network, returning one logit per class.
    loss_layers : list of str or None, default=None
        The modules (names in ``module_.named_modules()``) whose **outputs**
        feed the loss-prediction module, e.g. the blocks of a convolutional
        network. ``None`` uses the **input** of ``embedding_layer`` (by
        default the last ``torch.nn.Linear``): the penultimate features.
    loss_hidden : int, default=128
        Width of each feature's fully connected layer.
    loss_weight : float, default=1.0
        The weight :math:`\lambda` of the ranking loss.
    loss_margin : float, default=1.0
        The margin :math:`\xi` of the ranking loss.
    loss_detach_after : int or None, default=None
        After this many epochs of training (``len(history_)``), the ranking
        loss no longer trains the target network's features, only the
        loss-prediction module (the paper stops this gradient after 120 of
        200 epochs, as it then hurts the target network). ``None`` never
        stops it.
    **kwargs
        The parameters of the network shared with
        :class:`MCDropoutClassifier` (``criterion``, ``train_split``,
        ``classes``, ``verbose``, ``embedding_layer``, ``random_state``) and
        any skorch parameter (``optimizer``, ``lr``, ``max_epochs``,
        ``batch_size``, ``module__*``...). The criterion must support
        ``reduction="none"`` (every torch loss does).

    Attributes
    ----------
    module_ : torch.nn.Module
        The target network.
    loss_module_ : torch.nn.Module
        The loss-prediction module, built at the first ``fit`` from the
        widths of the features.
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of the module's outputs.

    See Also
    --------
    LearningLoss : the query strategy.
    loss_ranking_loss : the ranking loss.

    Notes
    -----
    The optimiser updates both modules. A validation split
    (``train_split``) reports the target loss only.

    References
    ----------
    .. [1] D. Yoo and I. S. Kweon, "Learning Loss for Active Learning",
       CVPR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.toy import MLPModule
    >>> from skactive.deep import LearningLossClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 4)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> net = LearningLossClassifier(MLPModule, module__input_units=4,
    ...                              module__output_units=2, loss_hidden=8,
    ...                              max_epochs=5, random_state=0)
    >>> net.fit(X, y).predict_loss(X[:3]).shape
    (3,)
    """

    def __init__(
        self,
        module,
        *,
        loss_layers=None,
        loss_hidden=128,
        loss_weight=1.0,
        loss_margin=1.0,
        loss_detach_after=None,
        **kwargs,
    ):
        super().__init__(module, **kwargs)
        self.loss_layers = loss_layers
        self.loss_hidden = loss_hidden
        self.loss_weight = loss_weight
        self.loss_margin = loss_margin
        self.loss_detach_after = loss_detach_after

    # ----------------------------------------------------------- features
    def _check_loss_params(self) -> None:
        check_real(self.loss_weight, "loss_weight", low=0.0)
        check_real(self.loss_margin, "loss_margin", low=0.0)
        check_int(self.loss_hidden, "loss_hidden")
        check_int(self.loss_detach_after, "loss_detach_after", low=0, allow_none=True)
        if self.loss_layers is not None and (
            isinstance(self.loss_layers, str)
            or not all(isinstance(name, str) for name in self.loss_layers)
            or len(self.loss_layers) == 0
        ):
            raise TypeError(
                "loss_layers must be None or a non-empty list of module names, "
                f"got {self.loss_layers!r}."
            )

    @contextmanager
    def _capture_features(self):
        """Collect the loss-prediction features of every forward call."""
        captured: list[torch.Tensor] = []
        handles = []
        if self.loss_layers is None:
            layer = self._embedding_module()
            handles.append(
                layer.register_forward_pre_hook(
                    lambda m, args: captured.append(args[0])
                )
            )
        else:
            modules = dict(self.module_.named_modules())
            for name in self.loss_layers:
                if name not in modules:
                    names = [n for n in modules if n][:20]
                    raise ValueError(
                        f"loss_layers: {name!r} is not a submodule of the "
                        f"network; its submodules are {names}."
                    )

                def hook(module, args, output):
                    captured.append(output[0] if isinstance(output, tuple) else output)

                handles.append(modules[name].register_forward_hook(hook))
        try:
            yield captured
        finally:
            for handle in handles:
                handle.remove()

    def _features_of_call(self, captured: list[torch.Tensor]) -> list[torch.Tensor]:
        n_layers = 1 if self.loss_layers is None else len(self.loss_layers)
        if len(captured) < n_layers:
            raise ValueError(
                "the layers of loss_layers (or the embedding layer) were not "
                "all called in the network's forward."
            )
        return captured[-n_layers:]

    # ------------------------------------------------------------ training
    def initialize_module(self):
        """Initialise the network; the loss module is rebuilt at the next fit."""
        super().initialize_module()
        if hasattr(self, "loss_module_"):
            del self.loss_module_
        return self

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """Build the loss-prediction module if needed, then skorch's loop.

        Parameters
        ----------
        X : input data
        y : array-like of shape (n_samples,) or None
        epochs : int or None
        **fit_params : dict

        Returns
        -------
        self : LearningLossClassifier
        """
        self._check_loss_params()
        if getattr(self, "loss_module_", None) is None:
            if y is not None and not is_dataset(X):
                self._encode_labels(y)  # bad labels fail before the forward pass
            # A forward pass on a few samples gives the widths of the features.
            first = next(iter(self._batches(X)))
            with (
                torch.no_grad(),
                _eval_mode(self.module_),
                self._capture_features() as captured,
            ):
                self.infer(first[:2] if isinstance(first, torch.Tensor) else first)
            features = self._features_of_call(captured)
            widths = [_pool(f).shape[1] for f in features]
            # the features' device and floating dtype (a float64 network too)
            loss_module = _LossPredictionModule(widths, self.loss_hidden).to(
                device=features[0].device,
                dtype=features[0].dtype
                if features[0].is_floating_point()
                else torch.float32,
            )
            # skorch registers a module set in an initialisation context (so
            # that the optimiser, devices and pickling see it); the widths are
            # only known now, with data, hence this context outside
            # initialize_module.
            with self._current_init_context("module"):
                self.loss_module_ = loss_module
            self.initialize_optimizer()  # over both modules' parameters
        return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def train_step_single(self, batch, **fit_params):
        """One training step on the target loss plus the ranking loss.

        Parameters
        ----------
        batch : tuple
            A batch of the training data loader.
        **fit_params : dict
            Passed to the module's ``forward``.

        Returns
        -------
        step : dict
            ``{"loss": loss, "y_pred": y_pred}``, as in skorch.
        """
        with self._capture_features() as captured:
            self._training_features = captured
            try:
                return super().train_step_single(batch, **fit_params)
            finally:
                # not left in __dict__, where skorch's get_params would list it
                del self._training_features

    def get_loss(self, y_pred, y_true, *args, **kwargs):
        """The target loss, plus the weighted ranking loss in training steps.

        Parameters
        ----------
        y_pred : torch.Tensor
            Module output.
        y_true : torch.Tensor
            Encoded labels.
        *args, **kwargs
            Passed to skorch.

        Returns
        -------
        loss : torch.Tensor
        """
        captured = getattr(self, "_training_features", None)
        if captured is None:
            return super().get_loss(y_pred, y_true, *args, **kwargs)
        criterion, reduction = self.criterion_, self.criterion_.reduction
        criterion.reduction = "none"
        try:
            per_sample = super().get_loss(y_pred, y_true, *args, **kwargs)
        finally:
            criterion.reduction = reduction
        per_sample = per_sample.reshape(per_sample.shape[0], -1).mean(dim=1)
        features = self._features_of_call(captured)
        detach = (
            self.loss_detach_after is not None
            and len(self.history) > self.loss_detach_after
        )
        if detach:
            features = [f.detach() for f in features]
        predicted = self.loss_module_(features)
        ranking = loss_ranking_loss(predicted, per_sample.detach(), self.loss_margin)
        return per_sample.mean() + self.loss_weight * ranking

    # ----------------------------------------------------------- prediction
    def predict_loss(self, X) -> np.ndarray:
        """The predicted loss of each sample (higher: more informative).

        The network and the loss-prediction module run in evaluation mode,
        without gradients. Only the order of the values is meaningful: the
        ranking loss does not fix their scale.

        Parameters
        ----------
        X : input data
            Anything skorch accepts.

        Returns
        -------
        loss : ndarray of shape (n_samples,)
        """
        self.check_is_fitted(["module_", "loss_module_"])
        self._check_input(X, reset=False)
        chunks = []
        with (
            _LOCK,
            torch.no_grad(),
            _eval_mode(self.module_),
            _eval_mode(self.loss_module_),
            self._capture_features() as captured,
        ):
            for xi in self._batches(X):
                captured.clear()
                self.infer(xi)
                features = self._features_of_call(captured)
                chunks.append(to_numpy(self.loss_module_(features)))
        if not chunks:
            return np.empty(0, dtype=np.float32)
        return np.concatenate(chunks)


@fill_doc
class LearningLoss(QueryStrategy):
    """Query the samples with the largest predicted loss (learning loss).

    The utility of a pool sample is the loss that the estimator's
    loss-prediction module predicts for it (:meth:`LearningLossClassifier.
    predict_loss`), learned jointly with the network on the labelled samples
    (Yoo and Kweon, 2019). Unlike uncertainty measures it uses no output
    probability, so it applies to any network and loss; the paper queries
    the top of a random subset of the pool (``pool_subsample``) each round.

    Parameters
    ----------
    estimator : estimator with ``predict_loss``
        A :class:`LearningLossClassifier` (or any estimator with
        ``fit`` and ``predict_loss(X) -> (n_samples,)``); ``fit`` trains a
        clone of it as ``estimator_``.
    %(batch_size)s
    %(chunk_size)s
    %(n_jobs)s
    %(pool_subsample)s
    %(random_state)s
    %(warm_start)s

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during ``fit`` (2-d inputs).

    See Also
    --------
    LearningLossClassifier : the network with its loss-prediction module.

    References
    ----------
    .. [1] D. Yoo and I. S. Kweon, "Learning Loss for Active Learning",
       CVPR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.toy import MLPModule
    >>> from skactive.deep import LearningLoss, LearningLossClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4)).astype(np.float32)
    >>> y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    >>> net = LearningLossClassifier(MLPModule, module__input_units=4,
    ...                              module__output_units=2, loss_hidden=8,
    ...                              max_epochs=5, random_state=0)
    >>> strategy = LearningLoss(net, batch_size=5, random_state=0)
    >>> strategy.fit(X[:40], y[:40]).query(X[40:]).shape
    (5,)
    """

    def __init__(
        self,
        estimator=None,
        *,
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

    def _query_tags(self) -> QueryTags:
        return QueryTags(requires_proba=False)

    def _check_params(self) -> None:
        if self.estimator is None:
            raise ValueError(
                "LearningLoss needs an estimator with predict_loss, such as "
                "skactive.deep.LearningLossClassifier; got estimator=None."
            )
        check_has_method(self.estimator, "predict_loss")

    def _utility(self, X, context=None) -> np.ndarray:
        return np.asarray(self.estimator_.predict_loss(X), dtype=np.float64)
