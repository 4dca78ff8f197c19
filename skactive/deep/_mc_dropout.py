"""skorch networks with Monte Carlo dropout: a classifier and a regressor.

:class:`_MCDropoutMixin` holds the Monte Carlo passes (chunked by skorch's
batches and ``mc_max_rows``, vectorised, consistent masks) that both use:
:class:`MCDropoutClassifier` returns them as ``predict_proba_samples``
``(n_samples, T, n_classes)``, :class:`MCDropoutRegressor` as
``predict_samples`` ``(n_samples, T)``.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from skorch.utils import to_numpy, to_tensor
from torch.nn.modules.dropout import _DropoutNd

from ..utils._docstrings import fill_doc
from ..utils._regression import mean_std_of_samples
from ..utils._validation import check_int
from ._dropconnect import _check_p, mc_dropconnect
from ._mc_sampling import _batch_len, _fast_nonlinearity, _mc_mode, _repeat
from ._net import (
    _LOCK,
    _MAX_SEED,
    _NET_DIFFERENCES,
    _NET_REGRESSOR_DIFFERENCES,
    _NetClassifier,
    _NetRegressor,
)

__all__ = ["MCDropoutClassifier", "MCDropoutRegressor"]


class _MCDropoutMixin:
    """The Monte Carlo passes of a skactive network (left of it in the bases).

    Needs the parameters ``n_mc_samples``, ``consistent_masks``,
    ``mc_max_rows``, ``mc_repeat`` and ``dropconnect``.
    """

    # --------------------------------------------------------------- fitting
    def initialize_module(self):
        """Initialise the module, then apply :func:`mc_dropconnect` if asked."""
        super().initialize_module()
        if self.dropconnect is not None:
            p = _check_p(self.dropconnect, name="dropconnect")
            self.module_ = mc_dropconnect(self.module_, p)
        return self

    # ------------------------------------------------------------ prediction
    def _mc_samples(self, X):
        """The outputs of ``n_mc_samples`` stochastic passes, with the output
        nonlinearity: ``(n_samples, n_passes, n_outputs)``, or ``None`` for an
        empty input."""
        self.check_is_fitted()
        self._check_input(X, reset=False)
        n_passes = check_int(self.n_mc_samples, "n_mc_samples")
        max_rows = check_int(self.mc_max_rows, "mc_max_rows")
        # DropConnect layers are dropout modules too
        stochastic = any(
            isinstance(m, _DropoutNd) and m.p > 0 for m in self.module_.modules()
        )
        if not stochastic:
            warnings.warn(
                f"{type(self.module_).__name__} has no dropout module with p > 0: "
                f"the {n_passes} passes are identical. Add dropout layers, or "
                "set dropconnect=p to make its weights stochastic.",
                UserWarning,
                stacklevel=3,
            )
        if self.mc_repeat not in ("input", "dropout"):
            raise ValueError(
                f'mc_repeat must be "input" or "dropout", got {self.mc_repeat!r}.'
            )
        # without a stochastic module the passes are identical: nothing to
        # repeat at, the input is repeated
        lazy = self.mc_repeat == "dropout" and stochastic
        nonlin = _fast_nonlinearity(self._get_predict_nonlinearity())
        with _LOCK, torch.no_grad(), self._torch_rng():
            # the masks' seed: from random_state, else from torch's generator
            seed = int(torch.randint(_MAX_SEED, ()).item())
            consistent = bool(self.consistent_masks)
            with _mc_mode(
                self.module_, n_passes, consistent, seed, lazy=lazy
            ) as session:
                return self._mc_passes(X, nonlin, n_passes, max_rows, session)

    def _mc_passes(self, X, nonlin, n_passes, max_rows, session):
        """The (n_samples, n_passes, n_outputs) array, batch by batch."""
        out = None
        start = 0
        for xi in self._batches(X):
            xi = to_tensor(xi, device=self.device)
            batch = _batch_len(xi)
            group = max(1, min(n_passes, max_rows // max(1, batch)))
            for first in range(0, n_passes, group):
                size = min(group, n_passes - first)
                session.set_group(first, size, batch)
                try:
                    y_infer = self.infer(xi if session.lazy else _repeat(xi, size))
                except RuntimeError as exc:
                    if session.lazy and size > 1:
                        exc.add_note(
                            'With mc_repeat="dropout" the layers after the first '
                            "dropout module see passes x samples rows; a network "
                            "that combines them with tensors from before it "
                            '(a residual around dropout) needs mc_repeat="input".'
                        )
                    raise
                if isinstance(y_infer, tuple):
                    y_infer = y_infer[0]
                if y_infer.shape[0] != size * batch:
                    raise ValueError(
                        f"the module returned {y_infer.shape[0]} rows for "
                        f"{size} passes x {batch} samples: the passes must "
                        "stay on the first axis of its output"
                        + (
                            ' (with mc_repeat="dropout", the output must '
                            'depend on a dropout module; try mc_repeat="input").'
                            if session.lazy
                            else "."
                        )
                    )
                values = nonlin(y_infer).reshape(size, batch, -1)
                values = to_numpy(values.transpose(0, 1))
                if out is None:
                    out = np.empty(
                        (self._n_samples(X), n_passes, values.shape[2]),
                        dtype=np.result_type(values.dtype, np.float32),
                    )
                out[start : start + batch, first : first + size] = values
            start += batch
        return out


@fill_doc(net_differences=_NET_DIFFERENCES)
class MCDropoutClassifier(_MCDropoutMixin, _NetClassifier):
    r"""skorch classifier with Monte Carlo dropout (a Bayesian network).

    A :class:`skorch.NeuralNetClassifier` whose
    :meth:`predict_proba_samples` returns ``T = n_mc_samples`` stochastic
    forward passes: every dropout module (any ``torch.nn`` dropout, and the
    :class:`DropConnect` layers of :func:`mc_dropconnect`) stays active,
    every other layer is in evaluation mode (BatchNorm uses and keeps its
    running statistics), gradients are off, and the modules' modes are
    restored afterwards. The ``T`` passes approximate samples from the
    posterior over the weights (Gal and Ghahramani, 2016), so the network
    serves every strategy that needs ``predict_proba_samples``:
    :class:`~skactive.BALD`, :class:`~skactive.BatchBALD`,
    :class:`~skactive.MeanSTD`, :class:`~skactive.VariationRatioSampling`,
    :class:`~skactive.QueryByCommittee`.

    The passes are vectorised: each batch of ``batch_size`` pool samples is
    repeated ``T`` times and run in one forward call (in groups of passes of
    at most ``mc_max_rows`` rows), and the output nonlinearity
    (``predict_nonlinearity``, a softmax for the default cross-entropy loss)
    is applied once to each output.

    Differences from :class:`skorch.NeuralNetClassifier`:

    %(net_differences)s

    ``predict_proba`` is the MC average :math:`\frac1T \sum_t p_t` (the
    predictive distribution of the Bayesian network, so
    :class:`~skactive.EntropySampling` scores the "max entropy" of Gal et al.
    2017), or the deterministic network (weight-scaling approximation) with
    ``mc_predict=False``, ``T`` times cheaper.

    Parameters
    ----------
    module : torch.nn.Module class or instance
        The network, returning one logit per class. Constructor arguments
        go as ``module__name=value``.
    criterion : torch criterion class, default=torch.nn.CrossEntropyLoss
        The loss.
    train_split : callable or None, default=None
        skorch's validation split; ``None`` trains on every labelled sample.
    classes : array-like or None, default=None
        All class labels, in the order of the module's outputs. ``None``
        takes the labels present in ``y`` at each fit.
    verbose : int, default=0
        skorch's verbosity.
    n_mc_samples : int, default=20
        Number ``T`` of stochastic forward passes.
    mc_predict : bool, default=True
        ``predict_proba`` (and ``predict``, ``score``) average the ``T``
        passes; ``False`` uses one deterministic evaluation-mode pass.
    consistent_masks : bool, default=True
        Each pass ``t`` uses the same dropout mask for every sample (within
        one call), so the ``T`` passes are ``T`` networks, the same for the
        whole pool: the joint predictions over several samples that
        :class:`~skactive.BatchBALD` needs, and predictions that do not
        depend on the batch a sample falls in. Supported for
        ``torch.nn.Dropout``, ``Dropout1d/2d/3d`` (other dropout modules draw
        independent masks) and needs the samples on the first axis of each
        dropout module's input. ``False`` draws independent masks per sample
        (dropout modules in training mode). :class:`DropConnect` masks are
        always one per pass.
    mc_max_rows : int, default=8192
        Most rows (samples x passes) in one forward call of
        :meth:`predict_proba_samples`; the passes of a batch are split in
        groups to stay below it. Lower it for large inputs (images).
    mc_repeat : {"dropout", "input"}, default="dropout"
        Where the batch is repeated for the passes. ``"dropout"``: at the
        input of the first stochastic module, so the layers before it
        (identical in every pass) run once per batch: measured 4-8x faster
        for a convolutional trunk with a dropout head and 11x for an MLP
        with dropout after its hidden layer (T=20, one thread; as fast as
        ``"input"`` when the first module is stochastic), see the deep
        learning guide. ``"input"``: the input, so the whole network runs
        ``T`` times; needed for networks that combine tensors from before
        and after a dropout module (residual connections around dropout),
        for which ``"dropout"`` raises an error, never a wrong result.
    dropconnect : float or None, default=None
        If set, every ``Linear`` and ``Conv`` layer of the module becomes a
        :class:`DropConnect` layer dropping weights with this probability
        (MC-DropConnect, for networks without dropout), see
        :func:`mc_dropconnect`.
    embedding_layer : str or None, default=None
        The layer whose **input** :meth:`embed` returns, by its name in
        ``module_.named_modules()`` (e.g. ``"sequential.3"``). ``None``
        takes the last ``torch.nn.Linear`` layer: the penultimate
        activations.
    random_state : int, RandomState instance or None, default=None
        Seeds torch's generator inside :func:`torch.random.fork_rng` for
        ``fit``, ``partial_fit`` and the MC passes. ``None`` uses (and
        advances) the global torch generator, as skorch does.
    **kwargs
        Any other :class:`skorch.NeuralNetClassifier` parameter
        (``optimizer``, ``lr``, ``max_epochs``, ``batch_size``, ``device``,
        ``warm_start``, ``callbacks``, ``module__*``, ``optimizer__*``...).

    Attributes
    ----------
    module_ : torch.nn.Module
        The initialised network.
    classes_ : ndarray of shape (n_classes,)
        Class labels, in the order of the module's outputs.
    history_ : skorch.History
        skorch's training history.

    See Also
    --------
    mc_dropconnect : stochastic weights for networks without dropout.
    skactive.BALD, skactive.BatchBALD, skactive.MeanSTD : strategies over
        ``predict_proba_samples``.
    skactive.BADGE : uses :meth:`embed` for its gradient embeddings.

    Notes
    -----
    Active learning rounds can retrain from scratch (the default: each
    ``fit`` re-initialises the weights) or continue training: give the
    network ``warm_start=True`` *and* the strategy ``warm_start=True``, so
    the strategy refits the same network, which skorch then trains further
    instead of re-initialising.

    References
    ----------
    .. [1] Y. Gal and Z. Ghahramani, "Dropout as a Bayesian Approximation:
       Representing Model Uncertainty in Deep Learning", ICML 2016.
    .. [2] Y. Gal, R. Islam and Z. Ghahramani, "Deep Bayesian Active Learning
       with Image Data", ICML 2017.
    .. [3] A. Kirsch, J. van Amersfoort and Y. Gal, "BatchBALD: Efficient and
       Diverse Batch Acquisition for Deep Bayesian Active Learning",
       NeurIPS 2019 (consistent MC dropout).

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.toy import MLPModule
    >>> from skactive.deep import MCDropoutClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 4)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> net = MCDropoutClassifier(MLPModule, module__input_units=4,
    ...                           module__output_units=2, module__dropout=0.5,
    ...                           n_mc_samples=8, max_epochs=3, random_state=0)
    >>> net.fit(X, y).predict_proba_samples(X[:5]).shape
    (5, 8, 2)
    >>> net.embed(X[:5]).shape
    (5, 10)
    """

    def __init__(
        self,
        module,
        *,
        criterion=torch.nn.CrossEntropyLoss,
        train_split=None,
        classes=None,
        verbose=0,
        n_mc_samples=20,
        mc_predict=True,
        consistent_masks=True,
        mc_max_rows=8192,
        mc_repeat="dropout",
        dropconnect=None,
        embedding_layer=None,
        random_state=None,
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            train_split=train_split,
            classes=classes,
            verbose=verbose,
            embedding_layer=embedding_layer,
            random_state=random_state,
            **kwargs,
        )
        self.n_mc_samples = n_mc_samples
        self.mc_predict = mc_predict
        self.consistent_masks = consistent_masks
        self.mc_max_rows = mc_max_rows
        self.mc_repeat = mc_repeat
        self.dropconnect = dropconnect

    # ------------------------------------------------------------ prediction
    def predict_proba_samples(self, X):
        """Class probabilities of ``n_mc_samples`` stochastic forward passes.

        Parameters
        ----------
        X : input data
            Anything skorch accepts (arrays, tensors, dicts, a Dataset).

        Returns
        -------
        proba_samples : ndarray of shape (n_samples, n_mc_samples, n_classes)
            Probabilities of every pass, columns in the order of
            ``classes_``, float32.
        """
        out = self._mc_samples(X)
        if out is None:  # empty input
            n_passes = check_int(self.n_mc_samples, "n_mc_samples")
            return np.empty((0, n_passes, len(self.classes_)), dtype=np.float32)
        return out

    def predict_proba(self, X):
        """Class probabilities: the MC average, or one deterministic pass.

        Parameters
        ----------
        X : input data
            Anything skorch accepts.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            ``predict_proba_samples(X).mean(axis=1)`` when ``mc_predict``,
            else the evaluation-mode network's probabilities.
        """
        if not self.mc_predict:
            return super().predict_proba(X)
        return self.predict_proba_samples(X).mean(axis=1)


@fill_doc(net_differences=_NET_REGRESSOR_DIFFERENCES)
class MCDropoutRegressor(_MCDropoutMixin, _NetRegressor):
    r"""skorch regressor with Monte Carlo dropout (a Bayesian network).

    The regression twin of :class:`MCDropoutClassifier`: a
    :class:`skorch.NeuralNetRegressor` whose :meth:`predict_samples` returns
    the predictions of ``T = n_mc_samples`` stochastic forward passes (every
    dropout module active, every other layer in evaluation mode, gradients
    off, modes restored afterwards; the same machinery, vectorised the same
    way, with consistent masks by default). The passes approximate samples
    from the posterior predictive distribution (Gal and Ghahramani, 2016),
    so :meth:`predict` with ``return_std=True`` gives their mean and
    standard deviation, and the network serves every regression strategy
    that reads a predictive uncertainty (:class:`~skactive.MaxStdSampling`)
    and, through :meth:`embed`, the embedding-based ones
    (:class:`~skactive.ImprovedGreedySampling`,
    :class:`~skactive.ExpectedModelChange`'s gradient features).

    The standard deviation is the spread of the network's outputs over the
    dropout masks, the *epistemic* part of the uncertainty: a network
    trained with the squared error has no noise term of its own (Gal and
    Ghahramani add the inverse model precision, a constant that does not
    change which samples rank first).

    Differences from :class:`skorch.NeuralNetRegressor`:

    %(net_differences)s

    Parameters
    ----------
    module : torch.nn.Module class or instance
        The network, returning one value per sample. Constructor arguments
        go as ``module__name=value``.
    criterion : torch criterion class, default=torch.nn.MSELoss
        The loss.
    train_split : callable or None, default=None
        skorch's validation split; ``None`` trains on every labelled sample.
    verbose : int, default=0
        skorch's verbosity.
    n_mc_samples : int, default=20
        Number ``T`` of stochastic forward passes.
    mc_predict : bool, default=True
        ``predict`` (and ``score``) average the ``T`` passes; ``False`` uses
        one deterministic evaluation-mode pass (``predict(X,
        return_std=True)`` always runs the ``T`` passes).
    consistent_masks : bool, default=True
        Each pass ``t`` uses the same dropout mask for every sample (within
        one call), so the ``T`` passes are ``T`` networks, the same for the
        whole pool, and predictions do not depend on the batch a sample
        falls in. See :class:`MCDropoutClassifier`.
    mc_max_rows : int, default=8192
        Most rows (samples x passes) in one forward call of
        :meth:`predict_samples`.
    mc_repeat : {"dropout", "input"}, default="dropout"
        Where the batch is repeated for the passes, see
        :class:`MCDropoutClassifier`.
    dropconnect : float or None, default=None
        If set, every ``Linear`` and ``Conv`` layer of the module becomes a
        :class:`DropConnect` layer dropping weights with this probability
        (MC-DropConnect), see :func:`mc_dropconnect`.
    embedding_layer : str or None, default=None
        The layer whose **input** :meth:`embed` returns, by its name in
        ``module_.named_modules()``. ``None`` takes the last
        ``torch.nn.Linear`` layer: the penultimate activations.
    random_state : int, RandomState instance or None, default=None
        Seeds torch's generator inside :func:`torch.random.fork_rng` for
        ``fit``, ``partial_fit`` and the MC passes. ``None`` uses (and
        advances) the global torch generator, as skorch does.
    **kwargs
        Any other :class:`skorch.NeuralNetRegressor` parameter
        (``optimizer``, ``lr``, ``max_epochs``, ``batch_size``, ``device``,
        ``warm_start``, ``callbacks``, ``module__*``, ``optimizer__*``...).

    Attributes
    ----------
    module_ : torch.nn.Module
        The initialised network.
    history_ : skorch.History
        skorch's training history.

    See Also
    --------
    MCDropoutClassifier : the classifier.
    skactive.MaxStdSampling : queries the largest predictive std.
    skactive.committee.CommitteeRegressor : bagged copies of one regressor.

    References
    ----------
    .. [1] Y. Gal and Z. Ghahramani, "Dropout as a Bayesian Approximation:
       Representing Model Uncertainty in Deep Learning", ICML 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.toy import MLPModule
    >>> from skactive.deep import MCDropoutRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 4)).astype(np.float32)
    >>> y = X[:, 0] - 2 * X[:, 1]
    >>> net = MCDropoutRegressor(MLPModule, module__input_units=4,
    ...                          module__output_units=1, module__dropout=0.5,
    ...                          n_mc_samples=8, max_epochs=3, random_state=0)
    >>> net.fit(X, y).predict_samples(X[:5]).shape
    (5, 8)
    >>> mean, std = net.predict(X[:5], return_std=True)
    >>> mean.shape, std.shape
    ((5,), (5,))
    """

    def __init__(
        self,
        module,
        *,
        criterion=torch.nn.MSELoss,
        train_split=None,
        verbose=0,
        n_mc_samples=20,
        mc_predict=True,
        consistent_masks=True,
        mc_max_rows=8192,
        mc_repeat="dropout",
        dropconnect=None,
        embedding_layer=None,
        random_state=None,
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            train_split=train_split,
            verbose=verbose,
            embedding_layer=embedding_layer,
            random_state=random_state,
            **kwargs,
        )
        self.n_mc_samples = n_mc_samples
        self.mc_predict = mc_predict
        self.consistent_masks = consistent_masks
        self.mc_max_rows = mc_max_rows
        self.mc_repeat = mc_repeat
        self.dropconnect = dropconnect

    def predict_samples(self, X):
        """Predictions of ``n_mc_samples`` stochastic forward passes.

        Parameters
        ----------
        X : input data
            Anything skorch accepts (arrays, tensors, dicts, a Dataset).

        Returns
        -------
        samples : ndarray of shape (n_samples, n_mc_samples)
            The prediction of every pass, float32 for a float32 network.
        """
        out = self._mc_samples(X)
        if out is None:  # empty input
            n_passes = check_int(self.n_mc_samples, "n_mc_samples")
            return np.empty((0, n_passes), dtype=np.float32)
        if out.shape[2] != 1:
            raise ValueError(
                f"the module returns {out.shape[2]} values per sample; "
                "MCDropoutRegressor predicts a single target (one output)."
            )
        return out[:, :, 0]

    def predict(self, X, return_std=False):
        """Predictions: the MC average, or one deterministic pass.

        Parameters
        ----------
        X : input data
            Anything skorch accepts.
        return_std : bool, default=False
            Also return the standard deviation of the ``T`` passes
            (``ddof=0``); the mean is then theirs too, whatever
            ``mc_predict``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``predict_samples(X).mean(axis=1)`` when ``mc_predict`` (or
            ``return_std``), else the evaluation-mode network's output.
        y_std : ndarray of shape (n_samples,)
            Standard deviation of the passes; only with ``return_std=True``.
        """
        if return_std:
            return mean_std_of_samples(self.predict_samples(X))
        if not self.mc_predict:
            return super().predict(X)
        return self.predict_samples(X).mean(axis=1)
