"""A skorch classifier with Monte Carlo dropout: ``predict_proba_samples``."""

from __future__ import annotations

import contextvars
import functools
import threading
import warnings
from collections.abc import Mapping
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d
from skorch import NeuralNet, NeuralNetClassifier
from skorch.dataset import Dataset, unpack_data
from skorch.utils import is_dataset, to_numpy, to_tensor
from torch import nn
from torch.nn.modules.dropout import _DropoutNd
from torch.utils.data import DataLoader

from ..utils._validation import check_batch_size
from ._dropconnect import DropConnect, _check_p, mc_dropconnect

__all__ = ["MCDropoutClassifier"]

# Dropout modules whose masks can be made consistent across samples.
_CONSISTENT_TYPES = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d)
_MAX_SEED = np.iinfo(np.int32).max

# Set while a seeded torch RNG is active, so nested calls (fit calls
# partial_fit) do not reseed it.
_SEEDED = contextvars.ContextVar("skactive_torch_seeded", default=False)
# Seeding forks torch's global generator, and the MC passes switch the
# modules' modes and hooks: both are serialised across threads (a strategy's
# n_jobs scores chunks in threads; torch parallelises inside each call).
_LOCK = threading.RLock()


class _MCSession:
    """State of one ``predict_proba_samples`` call, shared by the stochastic
    modules: the passes of the current forward call and one set of masks per
    module for all ``n_passes`` passes (drawn at first use, then reused for
    every batch, so each pass is the same network for every sample)."""

    def __init__(self, n_passes: int, seed: int) -> None:
        self.n_passes = n_passes
        self.group = slice(0, n_passes)
        self.group_size = n_passes
        self.batch = 0
        self.seed = seed
        self.lazy = False
        self._generators: dict[torch.device, torch.Generator] = {}
        self._masks: dict[nn.Module, tuple[tuple, torch.Tensor]] = {}

    def generator(self, device: torch.device) -> torch.Generator:
        """The masks' own generator (on ``device``), seeded once per call.

        Independent of torch's global generator, so the masks do not depend
        on what else draws from it (a DataLoader draws a seed per epoch).
        """
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(
                self.seed
            )
        return self._generators[device]

    def set_group(self, start: int, size: int, batch: int) -> None:
        self.group = slice(start, start + size)
        self.group_size = size
        self.batch = batch

    def expand(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` repeated for the passes if it is not yet (``mc_repeat="dropout"``).

        Before the first stochastic module the network runs on the batch
        once; that module's input is repeated for the passes, and every
        module after it sees ``passes x batch`` rows.
        """
        if self.lazy and self.group_size > 1 and x.shape[0] == self.batch:
            return _repeat(x, self.group_size)
        return x

    def check_rows(self, x: torch.Tensor, module: nn.Module) -> int:
        rows = x.shape[0]
        if rows != self.group_size * self.batch:
            raise ValueError(
                f"{type(module).__name__} received {rows} rows on its first "
                f"axis, expected {self.group_size} passes x {self.batch} "
                "samples: consistent masks need the samples on the first axis "
                "of every dropout module's input. Set consistent_masks=False "
                "(independent masks per sample) for such networks."
            )
        return rows

    def masks(self, module: nn.Module, shape: tuple, make) -> torch.Tensor:
        cached = self._masks.get(module)
        if cached is None:
            cached = (shape, make(self.n_passes, shape))
            self._masks[module] = cached
        elif cached[0] != shape:
            raise ValueError(
                f"{type(module).__name__} received inputs of shape {shape} per "
                f"sample after {cached[0]}: consistent masks need a fixed "
                "input shape. Set consistent_masks=False for such networks."
            )
        return cached[1]


def _consistent_dropout_hook(session: _MCSession):
    """Forward hook: apply pass ``t``'s mask to every sample of pass ``t``."""

    def hook(module, args, output):
        x = args[0]
        session.check_rows(x, module)
        if isinstance(module, nn.Dropout):  # element-wise
            shape = tuple(x.shape[1:])
        else:  # channel-wise: Dropout1d/2d/3d
            shape = (x.shape[1],) + (1,) * (x.dim() - 2)
        p = module.p

        def make(n_passes, shape):
            masks = torch.empty((n_passes, *shape), dtype=x.dtype, device=x.device)
            if p >= 1.0:
                return masks.zero_()
            generator = session.generator(x.device)
            return masks.bernoulli_(1.0 - p, generator=generator).div_(1.0 - p)

        masks = session.masks(module, shape, make)[session.group]
        per_pass = x.reshape(session.group_size, session.batch, *x.shape[1:])
        return (per_pass * masks.unsqueeze(1)).reshape(x.shape)

    return hook


def _expand_hook(session: _MCSession):
    """Forward pre-hook: repeat the input for the passes (lazy repetition)."""

    def hook(module, args):
        expanded = session.expand(args[0])
        return None if expanded is args[0] else (expanded, *args[1:])

    return hook


@contextmanager
def _mc_mode(
    module: nn.Module,
    n_passes: int,
    consistent: bool,
    seed: int = 0,
    lazy: bool = False,
):
    """Every layer in eval mode except the stochastic ones; restored after."""
    modes = [(m, m.training) for m in module.modules()]
    session = _MCSession(n_passes, seed)
    session.lazy = lazy
    handles, dropconnects = [], []
    try:
        module.eval()
        for m in module.modules():
            if isinstance(m, DropConnect):
                m._mc_session = session
                dropconnects.append(m)
            elif isinstance(m, _DropoutNd):
                if lazy:
                    handles.append(m.register_forward_pre_hook(_expand_hook(session)))
                if consistent and isinstance(m, _CONSISTENT_TYPES):
                    handles.append(
                        m.register_forward_hook(_consistent_dropout_hook(session))
                    )
                else:
                    m.train()
        yield session
    finally:
        for handle in handles:
            handle.remove()
        for m in dropconnects:
            m._mc_session = None
        for m, training in modes:
            m.training = training


@contextmanager
def _eval_mode(module: nn.Module):
    modes = [(m, m.training) for m in module.modules()]
    try:
        module.eval()
        yield
    finally:
        for m, training in modes:
            m.training = training


def _softmax_last(x: torch.Tensor) -> torch.Tensor:
    """``torch.softmax(x, dim=-1)``, faster for a few classes on CPU."""
    e = (x - x.amax(dim=-1, keepdim=True)).exp_()
    return e.div_(e.sum(dim=-1, keepdim=True))


def _fast_nonlinearity(nonlin):
    """skorch's softmax (``partial(torch.softmax, dim=-1)``, what ``"auto"``
    gives for a cross-entropy loss) as :func:`_softmax_last`, the same
    function computed ~5x faster for a few classes; anything else as is."""
    if (
        isinstance(nonlin, functools.partial)
        and nonlin.func is torch.softmax
        and not nonlin.args
        and nonlin.keywords == {"dim": -1}
    ):
        return _softmax_last
    return nonlin


def _repeat(x, n: int):
    """``x`` (a tensor, or a dict/list/tuple of them) stacked ``n`` times."""
    if n == 1:
        return x
    if isinstance(x, torch.Tensor):
        return x.repeat(n, *([1] * (x.dim() - 1)))
    if isinstance(x, Mapping):
        return {key: _repeat(value, n) for key, value in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_repeat(value, n) for value in x)
    raise TypeError(f"cannot repeat a batch of type {type(x).__name__}.")


def _batch_len(x) -> int:
    if isinstance(x, torch.Tensor):
        return x.shape[0]
    if isinstance(x, Mapping):
        return _batch_len(next(iter(x.values())))
    if isinstance(x, (list, tuple)):
        return _batch_len(x[0])
    return len(x)


def _cast_floating(x, dtype: torch.dtype):
    """Floating-point tensors of ``x`` cast to ``dtype`` (the module's)."""
    if isinstance(x, torch.Tensor):
        return x.to(dtype) if x.is_floating_point() and x.dtype != dtype else x
    if isinstance(x, Mapping):
        return {key: _cast_floating(value, dtype) for key, value in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_cast_floating(value, dtype) for value in x)
    return x


class MCDropoutClassifier(NeuralNetClassifier):
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

    - the module returns **logits** (the default criterion is
      :class:`torch.nn.CrossEntropyLoss`; ``predict_proba`` applies the
      softmax);
    - ``train_split=None``: no internal validation split, which fails on the
      few labels of early active learning rounds;
    - ``verbose=0``: no table printed at every fit of every round;
    - labels may be any values (strings, ``{-1, 1}``...): ``y`` is encoded as
      positions in ``classes_``, ``predict`` returns labels. Pass
      ``classes`` (all labels, one output unit each) when the labelled set
      may miss some classes, as in the first rounds of active learning;
    - floating-point inputs are cast to the module's parameter dtype (NumPy
      gives float64, networks use float32);
    - ``random_state`` seeds the weight initialisation, the shuffling, the
      training dropout and the MC masks through
      :func:`torch.random.fork_rng`: results are reproducible and the global
      torch generator is left untouched.

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
    mc_repeat : {"input", "dropout"}, default="input"
        Where the batch is repeated for the passes. ``"input"``: the input,
        so the whole network runs ``T`` times; works for any network.
        ``"dropout"``: the input of the first stochastic module, so the
        layers before it (identical in every pass) run once per batch: up
        to ``T`` times faster when dropout sits late (a convolutional
        trunk with a dropout head), and an error, not a wrong result, for
        networks that combine tensors from before and after a dropout
        module (residual connections around dropout: use ``"input"``).
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
        mc_repeat="input",
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
            **kwargs,
        )
        self.n_mc_samples = n_mc_samples
        self.mc_predict = mc_predict
        self.consistent_masks = consistent_masks
        self.mc_max_rows = mc_max_rows
        self.mc_repeat = mc_repeat
        self.dropconnect = dropconnect
        self.embedding_layer = embedding_layer
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # any tensor shape reaches the module: images (n, C, H, W), sequences
        tags.input_tags.three_d_array = True
        return tags

    # ------------------------------------------------------------ randomness
    @contextmanager
    def _torch_rng(self):
        """Seed torch from ``random_state`` inside ``fork_rng`` (not nested)."""
        if self.random_state is None or _SEEDED.get():
            yield
            return
        seed = int(check_random_state(self.random_state).randint(_MAX_SEED))
        device = torch.device(self.device if self.device is not None else "cpu")
        devices, device_type = [], "cuda"
        if device.type != "cpu":
            device_type = device.type
            device_module = getattr(torch, device.type)
            devices = [
                device.index
                if device.index is not None
                else device_module.current_device()
            ]
        with _LOCK, torch.random.fork_rng(devices=devices, device_type=device_type):
            torch.default_generator.manual_seed(seed)
            if device.type == "cuda":
                with torch.cuda.device(devices[0]):
                    torch.cuda.manual_seed(seed)
            token = _SEEDED.set(True)
            try:
                yield
            finally:
                _SEEDED.reset(token)

    # --------------------------------------------------------------- fitting
    def initialize_module(self):
        """Initialise the module, then apply :func:`mc_dropconnect` if asked."""
        super().initialize_module()
        if self.dropconnect is not None:
            p = _check_p(self.dropconnect, name="dropconnect")
            self.module_ = mc_dropconnect(self.module_, p)
        return self

    def _check_input(self, X, *, reset: bool) -> None:
        """scikit-learn's checks on array inputs (other inputs go to skorch).

        Non-empty, finite, and for 2-d arrays the number of features of
        ``fit`` (``n_features_in_``).
        """
        if not isinstance(X, (np.ndarray, torch.Tensor)):
            return
        if X.ndim == 0 or X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={tuple(X.shape)}) while a "
                f"minimum of 1 is required by {type(self).__name__}."
            )
        if X.ndim == 2 and X.shape[1] == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={tuple(X.shape)}) while "
                f"a minimum of 1 is required by {type(self).__name__}."
            )
        if not reset and X.ndim != 2 and hasattr(self, "n_features_in_"):
            raise ValueError(
                f"Expected a 2D array of {self.n_features_in_} features, as in "
                f"fit, got shape {tuple(X.shape)} instead. Reshape your data "
                "using array.reshape(-1, 1) if it has a single feature or "
                "array.reshape(1, -1) if it contains a single sample."
            )
        if isinstance(X, np.ndarray):
            if X.dtype.kind == "f":
                assert_all_finite(X, input_name="X")
        elif X.is_floating_point() and not bool(torch.isfinite(X).all()):
            raise ValueError("Input X contains NaN or infinity.")
        if reset:
            if X.ndim == 2:
                self.n_features_in_ = int(X.shape[1])
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
        elif (
            X.ndim == 2
            and hasattr(self, "n_features_in_")
            and X.shape[1] != self.n_features_in_
        ):
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} "
                f"is expecting {self.n_features_in_} features as input."
            )

    def fit(self, X, y, **fit_params):
        """Initialise (unless ``warm_start``) and train the network.

        Parameters
        ----------
        X : input data
            Anything skorch accepts (arrays, tensors, dicts, a Dataset).
        y : array-like of shape (n_samples,)
            Labels (any values; see ``classes``).
        **fit_params : dict
            Passed to the module's ``forward``.

        Returns
        -------
        self : MCDropoutClassifier
        """
        if y is None and not is_dataset(X):
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target "
                "y is None."
            )
        self._check_input(X, reset=not (self.warm_start and self.initialized_))
        with self._torch_rng():
            return super().fit(X, y, **fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train the network further, without re-initialising it.

        Parameters
        ----------
        X : input data
            Anything skorch accepts.
        y : array-like of shape (n_samples,)
            Labels.
        classes : array-like, default=None
            Unused (skorch's signature); set the ``classes`` parameter.
        **fit_params : dict
            Passed to the module's ``forward``.

        Returns
        -------
        self : MCDropoutClassifier
        """
        self._check_input(X, reset=not self.initialized_)
        with self._torch_rng():
            return super().partial_fit(X, y, classes=classes, **fit_params)

    def _encode_labels(self, y) -> tuple[np.ndarray, np.ndarray]:
        """``(classes, positions of y in classes)``."""
        y = to_numpy(y) if isinstance(y, torch.Tensor) else y
        y = column_or_1d(y, warn=True)
        if y.dtype.kind == "f":
            assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        if self.classes is None or len(self.classes) == 0:
            classes, encoded = np.unique(y, return_inverse=True)
            return classes, encoded.astype(np.int64)
        classes = np.asarray(self.classes)
        sorter = np.argsort(classes, kind="stable")
        positions = np.searchsorted(classes, y, sorter=sorter)
        positions = np.minimum(positions, classes.shape[0] - 1)
        found = sorter[positions]
        unknown = classes[found] != y
        if unknown.any():
            raise ValueError(
                f"y contains labels not in classes: {np.unique(y[unknown])[:5]!r}."
            )
        return classes, found.astype(np.int64)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's fit loop on labels encoded as positions in ``classes_``.

        Parameters
        ----------
        X : input data
        y : array-like of shape (n_samples,) or None
        epochs : int or None
        **fit_params : dict

        Returns
        -------
        self : MCDropoutClassifier
        """
        if y is None or is_dataset(X):  # skorch's own handling of y
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        classes, encoded = self._encode_labels(y)
        try:
            return super().fit_loop(X, encoded, epochs=epochs, **fit_params)
        finally:
            # check_data set classes_inferred_ from the encoded labels.
            self.classes_inferred_ = classes

    def get_loss(self, y_pred, y_true, *args, **kwargs):
        """skorch's loss, after checking the module's output width.

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
        if isinstance(y_pred, torch.Tensor) and y_pred.dim() == 2:
            n_classes = len(self.classes_)
            if y_pred.shape[1] != n_classes:
                raise ValueError(
                    f"The module returns {y_pred.shape[1]} outputs per sample "
                    f"but there are {n_classes} classes: give the module one "
                    "output per class, and pass classes=[...] (all labels) "
                    "when the labelled set does not contain every class."
                )
        return super().get_loss(y_pred, y_true, *args, **kwargs)

    def infer(self, x, **fit_params):
        """skorch's inference step, with floating inputs cast to the module's dtype.

        Parameters
        ----------
        x : input batch
        **fit_params : dict
            Passed to the module's ``forward``.

        Returns
        -------
        y_infer : torch.Tensor
        """
        x = to_tensor(x, device=self.device)
        parameter = next(self.module_.parameters(), None)
        if parameter is not None:
            x = _cast_floating(x, parameter.dtype)
        return super().infer(x, **fit_params)

    # ------------------------------------------------------------ prediction
    def _batches(self, X):
        """Input batches of ``X`` as skorch would feed them, in order."""
        cls = type(self)
        fast = (
            isinstance(X, (np.ndarray, torch.Tensor))
            and self.dataset is Dataset
            and self.iterator_valid is DataLoader
            and set(self.get_params_for("iterator_valid")) <= {"batch_size"}
            and cls.get_dataset is NeuralNet.get_dataset
            and cls.get_iterator is NeuralNet.get_iterator
        )
        if not fast:
            dataset = self.get_dataset(X)
            for batch in self.get_iterator(dataset, training=False):
                yield unpack_data(batch)[0]
            return
        # Plain arrays: slice them directly, without the per-sample
        # indexing and collation of a DataLoader (same batches, same order).
        batch_size = self.get_params_for("iterator_valid").get(
            "batch_size", self.batch_size
        )
        n_samples = X.shape[0]
        if batch_size == -1:
            batch_size = max(1, n_samples)
        for start in range(0, n_samples, batch_size):
            batch = X[start : start + batch_size]
            if isinstance(batch, np.ndarray):
                batch = np.ascontiguousarray(batch)
                # torch cannot wrap a read-only array (e.g. a memmap) safely
                batch = torch.from_numpy(
                    batch if batch.flags.writeable else batch.copy()
                )
            yield batch

    def _n_samples(self, X) -> int:
        if isinstance(X, (np.ndarray, torch.Tensor)):
            return X.shape[0]
        return len(self.get_dataset(X))

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
        self.check_is_fitted()
        self._check_input(X, reset=False)
        n_passes = check_batch_size(self.n_mc_samples, "n_mc_samples")
        max_rows = check_batch_size(self.mc_max_rows, "mc_max_rows")
        if not any(
            isinstance(m, _DropoutNd) and m.p > 0 for m in self.module_.modules()
        ):
            warnings.warn(
                f"{type(self.module_).__name__} has no dropout module with p > 0: "
                f"the {n_passes} passes are identical. Add dropout layers, or "
                "set dropconnect=p to make its weights stochastic.",
                UserWarning,
                stacklevel=2,
            )
        if self.mc_repeat not in ("input", "dropout"):
            raise ValueError(
                f'mc_repeat must be "input" or "dropout", got {self.mc_repeat!r}.'
            )
        lazy = self.mc_repeat == "dropout"
        nonlin = _fast_nonlinearity(self._get_predict_nonlinearity())
        with _LOCK, torch.no_grad(), self._torch_rng():
            # the masks' seed: from random_state, else from torch's generator
            seed = int(torch.randint(_MAX_SEED, ()).item())
            consistent = bool(self.consistent_masks)
            with _mc_mode(
                self.module_, n_passes, consistent, seed, lazy=lazy
            ) as session:
                out = self._mc_passes(X, nonlin, n_passes, max_rows, session)
        if out is None:  # empty input
            return np.empty((0, n_passes, len(self.classes_)), dtype=np.float32)
        return out

    def _mc_passes(self, X, nonlin, n_passes, max_rows, session):
        """The (n_samples, n_passes, n_classes) array, batch by batch."""
        out = None
        start = 0
        for xi in self._batches(X):
            xi = to_tensor(xi, device=self.device)
            batch = _batch_len(xi)
            group = max(1, min(n_passes, max_rows // max(1, batch)))
            for first in range(0, n_passes, group):
                size = min(group, n_passes - first)
                session.set_group(first, size, batch)
                y_infer = self.infer(xi if session.lazy else _repeat(xi, size))
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
                proba = nonlin(y_infer).reshape(size, batch, -1)
                proba = to_numpy(proba.transpose(0, 1))
                if out is None:
                    out = np.empty(
                        (self._n_samples(X), n_passes, proba.shape[2]),
                        dtype=np.result_type(proba.dtype, np.float32),
                    )
                out[start : start + batch, first : first + size] = proba
            start += batch
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
            self.check_is_fitted()
            self._check_input(X, reset=False)
            with _LOCK, _eval_mode(self.module_):
                return super().predict_proba(X)
        return self.predict_proba_samples(X).mean(axis=1)

    def predict(self, X):
        """Most probable class of each sample (a label of ``classes_``).

        Parameters
        ----------
        X : input data
            Anything skorch accepts.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        self.check_is_fitted()
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    # ------------------------------------------------------------ embeddings
    def _embedding_module(self) -> nn.Module:
        if self.embedding_layer is None:
            linears = [m for m in self.module_.modules() if isinstance(m, nn.Linear)]
            if not linears:
                raise ValueError(
                    f"{type(self.module_).__name__} has no torch.nn.Linear "
                    "layer: name the layer whose input is the embedding with "
                    "embedding_layer=..."
                )
            return linears[-1]
        modules = dict(self.module_.named_modules())
        if self.embedding_layer not in modules:
            names = [name for name in modules if name][:20]
            raise ValueError(
                f"embedding_layer={self.embedding_layer!r} is not a submodule of "
                f"the network; its submodules are {names}."
            )
        return modules[self.embedding_layer]

    def embed(self, X):
        """Penultimate-layer activations (the input of ``embedding_layer``).

        The network runs in evaluation mode (no dropout), without gradients;
        the modules' modes are restored afterwards. This is what
        :func:`skactive.embedding.get_embedding` returns for
        ``embedding="penultimate"`` (and ``"auto"``), for core-set,
        clustering and :class:`~skactive.BADGE`.

        Parameters
        ----------
        X : input data
            Anything skorch accepts.

        Returns
        -------
        embedding : ndarray of shape (n_samples, n_dims)
            The layer's input, flattened per sample.
        """
        self.check_is_fitted()
        self._check_input(X, reset=False)
        layer = self._embedding_module()
        captured: list[torch.Tensor] = []

        def hook(module, args):
            captured.append(args[0].detach())

        chunks = []
        handle = layer.register_forward_pre_hook(hook)
        try:
            with _LOCK, torch.no_grad(), _eval_mode(self.module_):
                for xi in self._batches(X):
                    captured.clear()
                    self.infer(xi)
                    if not captured:
                        raise ValueError(
                            f"the embedding layer {type(layer).__name__} was not "
                            "called in the network's forward."
                        )
                    h = captured[-1]
                    chunks.append(to_numpy(h.reshape(h.shape[0], -1)))
        finally:
            handle.remove()
        if not chunks:
            return np.empty((0, 0), dtype=np.float32)
        return np.concatenate(chunks)
