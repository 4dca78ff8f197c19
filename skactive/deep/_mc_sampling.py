"""Monte Carlo passes of a network: stochastic modules on, the rest off.

The machinery behind :meth:`MCDropoutClassifier.predict_proba_samples`,
independent of skorch: :func:`_mc_mode` switches a module's dropout (and
:class:`DropConnect`) modules to sampling and every other module to
evaluation, and restores them afterwards; a :class:`_MCSession` holds the
masks of one call so that each pass is the same network for every sample
(consistent masks); :func:`_repeat` stacks a batch for the passes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from contextlib import contextmanager

import torch
from torch import nn
from torch.nn.modules.dropout import _DropoutNd

from ._dropconnect import DropConnect

__all__ = []

# Dropout modules whose masks can be made consistent across samples.
_CONSISTENT_TYPES = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d)


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
