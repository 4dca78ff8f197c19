"""Deep Bayesian active learning with skorch: MC-Dropout and MC-DropConnect.

This subpackage needs the ``deep`` extra (``pip install skactive[deep]``:
torch and skorch); ``import skactive`` never imports it, so the rest of the
package works without them.

- :class:`MCDropoutClassifier`: a :class:`skorch.NeuralNetClassifier` with
  ``predict_proba_samples`` (``T`` stochastic forward passes, vectorised)
  and ``embed`` (penultimate activations), for BALD, BatchBALD, mean std,
  variation ratio, BADGE and the embedding-based strategies.
- :class:`MCDropoutRegressor`: a :class:`skorch.NeuralNetRegressor` with
  ``predict_samples`` (``T`` stochastic passes, ``(n_samples, T)``),
  ``predict(X, return_std=True)`` and ``embed``, for the regression
  strategies (:class:`~skactive.MaxStdSampling` and the others).
- :func:`mc_dropconnect` and :class:`DropConnect`: stochastic weights for
  networks without dropout.
- :class:`DeepEnsembleClassifier`: independently initialised copies of a
  network as a committee (deep ensembles), for every disagreement strategy.
- :class:`LearningLossClassifier` and :class:`LearningLoss`: a network
  trained with a loss-prediction module, and the strategy that queries the
  largest predicted losses (learning loss, Yoo and Kweon 2019).

Layout (one idea per module): ``_net`` what every network shares (input
checks, seeding, ``embed``), the classifier base (labels) and the regressor
base (real-valued targets); ``_mc_sampling`` the Monte Carlo machinery
(stochastic modes, consistent masks, repeated batches); ``_dropconnect``
stochastic weights; ``_ensemble`` deep ensembles; ``_mc_dropout`` the
MC-Dropout classifier and regressor; ``_learning_loss`` the learning-loss
network and strategy.
"""

try:
    import skorch  # noqa: F401
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "skactive.deep needs torch and skorch: pip install 'skactive[deep]'."
    ) from exc

from ._dropconnect import DropConnect, mc_dropconnect
from ._ensemble import DeepEnsembleClassifier
from ._learning_loss import LearningLoss, LearningLossClassifier, loss_ranking_loss
from ._mc_dropout import MCDropoutClassifier, MCDropoutRegressor

__all__ = [
    "DeepEnsembleClassifier",
    "DropConnect",
    "LearningLoss",
    "LearningLossClassifier",
    "MCDropoutClassifier",
    "MCDropoutRegressor",
    "loss_ranking_loss",
    "mc_dropconnect",
]
