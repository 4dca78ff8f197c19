"""MC-DropConnect: stochastic weights for networks without dropout."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.dropout import _DropoutNd

from ..utils._validation import check_real

__all__ = ["DropConnect", "mc_dropconnect"]

_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _check_p(p, name: str = "p") -> float:
    """A dropping probability: a float in ``[0, 1)``."""
    return check_real(p, name, low=0.0, high=1.0, include_high=False)


def _weight_masks(
    weight: torch.Tensor, n_masks: int, p: float, generator=None
) -> torch.Tensor:
    """``n_masks`` inverted-dropout masks of ``weight``'s shape (Bernoulli/(1-p))."""
    masks = torch.empty(
        (n_masks, *weight.shape), dtype=weight.dtype, device=weight.device
    )
    return masks.bernoulli_(1.0 - p, generator=generator).div_(1.0 - p)


class DropConnect(_DropoutNd):
    r"""Drop the weights of a ``Linear`` or ``Conv`` layer (DropConnect).

    In training mode each forward call multiplies the wrapped layer's weight
    matrix by a Bernoulli mask (each weight kept with probability ``1 - p``,
    scaled by :math:`1/(1-p)`), one mask per mini-batch; in evaluation mode
    the layer is used as it is. A subclass of torch's ``_DropoutNd``, so the
    MC protocol of :class:`MCDropoutClassifier` finds it like any dropout
    module: during :meth:`MCDropoutClassifier.predict_proba_samples` the
    ``T`` forward passes use ``T`` weight masks, one per pass, the same for
    every pool sample (so the passes are ``T`` consistent networks, as
    BatchBALD needs), and all passes of a batch run in one call (a batched
    matrix product for ``Linear``, a grouped convolution for ``Conv``).

    Parameters
    ----------
    layer : torch.nn.Linear, Conv1d, Conv2d or Conv3d
        The layer whose weights are dropped (its bias is kept).
    p : float, default=0.5
        Probability of dropping each weight, in ``[0, 1)``.

    Attributes
    ----------
    layer : torch.nn.Module
        The wrapped layer; its parameters are this module's parameters.

    See Also
    --------
    mc_dropconnect : wrap every layer of a network.

    References
    ----------
    .. [1] L. Wan, M. Zeiler, S. Zhang, Y. LeCun and R. Fergus,
       "Regularization of Neural Networks using DropConnect", ICML 2013.
    .. [2] A. Mobiny, H. V. Nguyen, S. Moulik, N. Garg and C. C. Wu,
       "DropConnect Is Effective in Modeling Uncertainty of Bayesian Deep
       Networks", Scientific Reports, 2021.

    Examples
    --------
    >>> import torch
    >>> from skactive.deep import DropConnect
    >>> layer = DropConnect(torch.nn.Linear(3, 2), p=0.5)
    >>> _ = torch.manual_seed(0)
    >>> x = torch.ones(4, 3)
    >>> bool((layer.train()(x) == layer.eval()(x)).all())
    False
    """

    def __init__(self, layer: nn.Module, p: float = 0.5) -> None:
        if not isinstance(layer, _LAYERS):
            raise TypeError(
                "layer must be a torch.nn.Linear, Conv1d, Conv2d or Conv3d, "
                f"got {type(layer).__name__}."
            )
        super().__init__(p=_check_p(p))
        self.layer = layer
        # Set by MCDropoutClassifier during its stochastic passes.
        self._mc_session = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        session = self._mc_session
        if session is not None:
            x = session.expand(x)
            weight = self.layer.weight
            masks = session.masks(
                self,
                tuple(weight.shape),
                lambda n_passes, _: _weight_masks(
                    weight, n_passes, self.p, session.generator(weight.device)
                ),
            )
            return self._forward_passes(x, masks, session)
        if not self.training or self.p == 0.0:
            return self.layer(x)
        weight = self.layer.weight * _weight_masks(self.layer.weight, 1, self.p)[0]
        return self._forward_weight(x, weight)

    def _forward_weight(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        layer = self.layer
        if isinstance(layer, nn.Linear):
            return F.linear(x, weight, layer.bias)
        return layer._conv_forward(x, weight, layer.bias)

    def _forward_passes(self, x: torch.Tensor, masks: torch.Tensor, session):
        """All passes of a batch at once; ``x`` is pass-major (passes x batch)."""
        n_passes = session.group_size
        rows = session.check_rows(x, self)
        batch = rows // n_passes
        layer = self.layer
        weights = layer.weight * masks[session.group]  # (passes, *weight)
        if isinstance(layer, nn.Linear):
            xs = x.reshape(n_passes, -1, x.shape[-1])
            out = torch.bmm(xs, weights.transpose(1, 2))
            if layer.bias is not None:
                out = out + layer.bias
            return out.reshape(*x.shape[:-1], out.shape[-1])
        if layer.padding_mode != "zeros":  # no grouped form: one call per pass
            chunks = x.reshape(n_passes, batch, *x.shape[1:])
            return torch.cat(
                [
                    layer._conv_forward(chunks[t], weights[t], layer.bias)
                    for t in range(n_passes)
                ]
            )
        # One grouped convolution: the passes become groups of channels.
        spatial = x.shape[2:]
        xs = (
            x.reshape(n_passes, batch, *x.shape[1:])
            .transpose(0, 1)
            .reshape(batch, n_passes * x.shape[1], *spatial)
        )
        bias = None if layer.bias is None else layer.bias.repeat(n_passes)
        out = _CONV[len(spatial)](
            xs,
            weights.reshape(-1, *weights.shape[2:]),
            bias,
            layer.stride,
            layer.padding,
            layer.dilation,
            layer.groups * n_passes,
        )
        out_spatial = out.shape[2:]
        return (
            out.reshape(batch, n_passes, -1, *out_spatial)
            .transpose(0, 1)
            .reshape(rows, -1, *out_spatial)
        )


def mc_dropconnect(module: nn.Module, p: float = 0.5) -> nn.Module:
    """Make the weights of every ``Linear`` and ``Conv`` layer stochastic.

    Replaces, in place, each ``torch.nn.Linear``, ``Conv1d``, ``Conv2d`` and
    ``Conv3d`` submodule of ``module`` by a :class:`DropConnect` wrapping it,
    so :class:`MCDropoutClassifier` draws Monte Carlo samples from networks
    that have no dropout. Layers already wrapped get the new ``p``, so
    calling it twice does not wrap twice. The parameters are the same tensor
    objects (only their names gain a ``.layer``), so an optimizer built
    afterwards trains them as before. The ``dropconnect`` parameter of
    :class:`MCDropoutClassifier` applies it to the network it builds.

    Parameters
    ----------
    module : torch.nn.Module
        The network, modified in place.
    p : float, default=0.5
        Probability of dropping each weight, in ``[0, 1)``.

    Returns
    -------
    module : torch.nn.Module
        ``module`` itself, or a :class:`DropConnect` wrapping it when
        ``module`` is itself a ``Linear`` or ``Conv`` layer.

    See Also
    --------
    DropConnect : the wrapper.

    Examples
    --------
    >>> import torch
    >>> from skactive.deep import mc_dropconnect
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(),
    ...                           torch.nn.Linear(8, 2))
    >>> mc_dropconnect(net, p=0.2)
    Sequential(
      (0): DropConnect(
        p=0.2, inplace=False
        (layer): Linear(in_features=4, out_features=8, bias=True)
      )
      (1): ReLU()
      (2): DropConnect(
        p=0.2, inplace=False
        (layer): Linear(in_features=8, out_features=2, bias=True)
      )
    )
    """
    p = _check_p(p)
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"module must be a torch.nn.Module, got {type(module).__name__}."
        )
    if isinstance(module, DropConnect):
        module.p = p
        return module
    if isinstance(module, _LAYERS):
        return DropConnect(module, p)
    for name, child in module.named_children():
        setattr(module, name, mc_dropconnect(child, p))
    return module
