"""Cheap skorch instances for the common tests (imports torch: import lazily).

scikit-learn's checks fit one estimator on data sets of varying numbers of
features and classes, while a network's input and output sizes are
constructor arguments. ``FitShapes`` rebuilds the module with the data's
sizes at the start of training (without changing any parameter), so one
instance serves every check.
"""

import numpy as np
import torch
from skorch import NeuralNetRegressor
from skorch.callbacks import Callback
from skorch.toy import MLPModule

from skactive.deep import (
    DeepEnsembleClassifier,
    LearningLoss,
    LearningLossClassifier,
    MCDropoutClassifier,
    MCDropoutRegressor,
)


class FitShapes(Callback):
    """Rebuild ``module_`` with as many inputs/outputs as ``X`` and ``y`` need."""

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        n_in = int(np.shape(X)[1])
        regressor = isinstance(net, NeuralNetRegressor)  # one output
        n_out = 1 if regressor else len(np.unique(np.asarray(y)))
        first, last = net.module_.sequential[0], net.module_.sequential[-1]
        if (first.in_features, last.out_features) != (n_in, n_out):
            params = net.get_params_for("module")
            params.update(input_units=n_in, output_units=n_out)
            net.module_ = net.module(**params).to(net.device)
            net.initialize_optimizer()


def tiny_mc_dropout_classifier():
    return MCDropoutClassifier(
        MLPModule,
        module__hidden_units=16,
        module__dropout=0.2,
        optimizer=torch.optim.Adam,
        lr=0.05,
        max_epochs=20,
        batch_size=64,
        n_mc_samples=4,
        callbacks=[("fit_shapes", FitShapes())],
        random_state=0,
    )


def tiny_mc_dropout_regressor():
    return MCDropoutRegressor(
        MLPModule,
        module__hidden_units=16,
        module__dropout=0.2,
        optimizer=torch.optim.Adam,
        lr=0.05,
        max_epochs=30,
        batch_size=64,
        n_mc_samples=4,
        callbacks=[("fit_shapes", FitShapes())],
        random_state=0,
    )


def tiny_learning_loss_classifier():
    return LearningLossClassifier(
        MLPModule,
        module__hidden_units=16,
        optimizer=torch.optim.Adam,
        lr=0.05,
        max_epochs=20,
        batch_size=64,
        loss_hidden=8,
        callbacks=[("fit_shapes", FitShapes())],
        random_state=0,
    )


def tiny_learning_loss():
    return LearningLoss(tiny_learning_loss_classifier())


def tiny_deep_ensemble():
    member = tiny_mc_dropout_classifier().set_params(mc_predict=False)
    return DeepEnsembleClassifier(member, n_members=2, random_state=0)
