"""The skorch networks that skactive's networks share.

:class:`_NetMixin` adapts a skorch net to active learning and to
scikit-learn's conventions, whatever the task: defaults for few labels,
scikit-learn's input checks, seeding through ``random_state``, ``embed``
(penultimate activations). :class:`_NetClassifier` adds labels of any type
and a deterministic ``predict_proba`` to :class:`skorch.NeuralNetClassifier`;
:class:`_NetRegressor` real-valued 1-d targets to
:class:`skorch.NeuralNetRegressor`.
:class:`~skactive.deep.MCDropoutClassifier` and
:class:`~skactive.deep.MCDropoutRegressor` add Monte Carlo passes,
:class:`~skactive.deep.LearningLossClassifier` a loss-prediction module.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Mapping
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor
from skorch.dataset import Dataset, unpack_data
from skorch.utils import is_dataset, to_numpy, to_tensor
from torch import nn
from torch.utils.data import DataLoader

from ..utils._docstrings import fill_doc
from ..utils._regression import check_regression_targets

__all__ = []

_MAX_SEED = np.iinfo(np.int32).max

# Set while a seeded torch RNG is active, so nested calls (fit calls
# partial_fit) do not reseed it.
_SEEDED = contextvars.ContextVar("skactive_torch_seeded", default=False)
# Seeding forks torch's global generator, and the MC passes switch the
# modules' modes and hooks: both are serialised across threads (a strategy's
# n_jobs scores chunks in threads; torch parallelises inside each call).
_LOCK = threading.RLock()


@contextmanager
def _eval_mode(module: nn.Module):
    modes = [(m, m.training) for m in module.modules()]
    try:
        module.eval()
        yield
    finally:
        for m, training in modes:
            m.training = training


def _cast_floating(x, dtype: torch.dtype):
    """Floating-point tensors of ``x`` cast to ``dtype`` (the module's)."""
    if isinstance(x, torch.Tensor):
        return x.to(dtype) if x.is_floating_point() and x.dtype != dtype else x
    if isinstance(x, Mapping):
        return {key: _cast_floating(value, dtype) for key, value in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_cast_floating(value, dtype) for value in x)
    return x


# The adaptations of every skactive network, for the public classes' docs.
_NET_DIFFERENCES = """- the module returns **logits** (the default criterion is
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
    - ``random_state`` seeds the weight initialisation, the shuffling and
      the network's random draws (training dropout, Monte Carlo masks)
      through :func:`torch.random.fork_rng`: results are reproducible and the
      global torch generator is left untouched;
    - :meth:`embed` returns the penultimate activations (the input of
      ``embedding_layer``), for the embedding-based strategies."""


class _NetMixin:
    """What every skactive network adds to its skorch net (left of it in the
    bases): scikit-learn's input checks, seeding, ``embed``, batches."""

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
            Labels or targets.
        **fit_params : dict
            Passed to the module's ``forward``.

        Returns
        -------
        self : object
            This network.
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
            Labels or targets.
        classes : array-like, default=None
            Unused (skorch's signature); set the ``classes`` parameter.
        **fit_params : dict
            Passed to the module's ``forward``.

        Returns
        -------
        self : object
            This network.
        """
        self._check_input(X, reset=not self.initialized_)
        with self._torch_rng():
            return super().partial_fit(X, y, classes=classes, **fit_params)

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


@fill_doc(net_differences=_NET_DIFFERENCES)
class _NetClassifier(_NetMixin, NeuralNetClassifier):
    """skorch classifier adapted to active learning (the shared base).

    Differences from :class:`skorch.NeuralNetClassifier`:

    %(net_differences)s

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
    embedding_layer : str or None, default=None
        The layer whose **input** :meth:`embed` returns, by its name in
        ``module_.named_modules()`` (e.g. ``"sequential.3"``). ``None``
        takes the last ``torch.nn.Linear`` layer: the penultimate
        activations.
    random_state : int, RandomState instance or None, default=None
        Seeds torch's generator inside :func:`torch.random.fork_rng` for
        ``fit`` and ``partial_fit``. ``None`` uses (and advances) the global
        torch generator, as skorch does.
    **kwargs
        Any other :class:`skorch.NeuralNetClassifier` parameter.
    """

    def __init__(
        self,
        module,
        *,
        criterion=torch.nn.CrossEntropyLoss,
        train_split=None,
        classes=None,
        verbose=0,
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
        self.embedding_layer = embedding_layer
        self.random_state = random_state

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
        self : object
            This network.
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

    def predict_proba(self, X):
        """Class probabilities of the network in evaluation mode.

        Parameters
        ----------
        X : input data
            Anything skorch accepts.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        self.check_is_fitted()
        self._check_input(X, reset=False)
        with _LOCK, _eval_mode(self.module_):
            return super().predict_proba(X)

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


_NET_REGRESSOR_DIFFERENCES = """- the default criterion is :class:`torch.nn.MSELoss` and
      the module returns **one value per sample** (shape ``(n, 1)`` or
      ``(n,)``);
    - ``y`` is 1-d, as scikit-learn's regressors take it (skorch wants a
      column): real numbers, checked finite, cast to the module's dtype,
      and ``predict`` returns a 1-d array;
    - ``train_split=None``: no internal validation split, which fails on the
      few labels of early active learning rounds;
    - ``verbose=0``: no table printed at every fit of every round;
    - floating-point inputs are cast to the module's parameter dtype (NumPy
      gives float64, networks use float32);
    - ``random_state`` seeds the weight initialisation, the shuffling and
      the network's random draws (training dropout, Monte Carlo masks)
      through :func:`torch.random.fork_rng`: results are reproducible and the
      global torch generator is left untouched;
    - :meth:`embed` returns the penultimate activations (the input of
      ``embedding_layer``), for the embedding-based strategies."""


@fill_doc(net_differences=_NET_REGRESSOR_DIFFERENCES)
class _NetRegressor(_NetMixin, NeuralNetRegressor):
    """skorch regressor adapted to active learning (the shared base).

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
    embedding_layer : str or None, default=None
        The layer whose **input** :meth:`embed` returns, by its name in
        ``module_.named_modules()``. ``None`` takes the last
        ``torch.nn.Linear`` layer: the penultimate activations.
    random_state : int, RandomState instance or None, default=None
        Seeds torch's generator inside :func:`torch.random.fork_rng` for
        ``fit`` and ``partial_fit``. ``None`` uses (and advances) the global
        torch generator, as skorch does.
    **kwargs
        Any other :class:`skorch.NeuralNetRegressor` parameter.
    """

    def __init__(
        self,
        module,
        *,
        criterion=torch.nn.MSELoss,
        train_split=None,
        verbose=0,
        embedding_layer=None,
        random_state=None,
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            train_split=train_split,
            verbose=verbose,
            **kwargs,
        )
        self.embedding_layer = embedding_layer
        self.random_state = random_state

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's fit loop on the targets as a column of the module's dtype.

        Parameters
        ----------
        X : input data
        y : array-like of shape (n_samples,) or None
        epochs : int or None
        **fit_params : dict

        Returns
        -------
        self : object
            This network.
        """
        if y is None or is_dataset(X):  # skorch's own handling of y
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        y = to_numpy(y) if isinstance(y, torch.Tensor) else y
        y = check_regression_targets(y)
        parameter = next(self.module_.parameters(), None)
        dtype = np.float32
        if parameter is not None and parameter.dtype == torch.float64:
            dtype = np.float64
        y = np.asarray(y, dtype=dtype).reshape(-1, 1)
        return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def _forward_values(self, X) -> np.ndarray:
        """The evaluation-mode network's output, one value per sample."""
        self.check_is_fitted()
        self._check_input(X, reset=False)
        with _LOCK, _eval_mode(self.module_):
            output = np.asarray(NeuralNet.predict_proba(self, X))
        n_samples = self._n_samples(X)
        if output.size != n_samples:
            raise ValueError(
                f"the module returned {output.shape} for {n_samples} samples; "
                "a regressor's module returns one value per sample."
            )
        return output.reshape(n_samples)

    @available_if(lambda self: False)
    def predict_proba(self, X):
        """Not available: a regressor predicts values, not probabilities
        (skorch's ``NeuralNet.predict_proba`` is the raw forward pass, which
        ``predict`` returns)."""
        raise AttributeError("predict_proba")  # pragma: no cover

    def predict(self, X):
        """Predictions of the network in evaluation mode.

        Parameters
        ----------
        X : input data
            Anything skorch accepts.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self._forward_values(X)

    def score(self, X, y, sample_weight=None) -> float:
        """R² of :meth:`predict` on ``(X, y)``.

        Parameters
        ----------
        X : input data
            Test samples.
        y : array-like of shape (n_samples,)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Coefficient of determination of ``self.predict(X)``.
        """
        return super().score(X, y, sample_weight=sample_weight)
