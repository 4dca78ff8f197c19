"""Where to repeat the batch for the MC passes: ``mc_repeat="input"`` vs ``"dropout"``.

``MCDropoutClassifier.predict_proba_samples`` on 2,000 inputs, T = 20 passes,
for three networks: the MNIST CNN of Gal et al. (2017) (dropout after the
convolutional trunk), an MLP 784-256-10 (dropout after the hidden layer) and
the same MLP with dropout on its input (the first module is stochastic, so
both settings run the same layers). Threads pinned to one
(``torch.set_num_threads(1)``, ``threadpool_limits(1)``); best of 3.
Both settings give the same passes (checked). Results in
``results/mc_repeat.json``.

Usage::

    python benchmarks/bench_mc_repeat.py
"""

from __future__ import annotations

import numpy as np
import torch
from _common import best_time, environment, write_json
from threadpoolctl import threadpool_limits
from torch import nn

from skactive.deep import MCDropoutClassifier


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 32, 3)
        self.drop1, self.dense = nn.Dropout(0.25), nn.Linear(32 * 144, 128)
        self.drop2, self.out = nn.Dropout(0.5), nn.Linear(128, 10)

    def forward(self, x):
        x = torch.relu(self.conv2(torch.relu(self.conv1(x))))
        x = self.drop1(torch.max_pool2d(x, 2)).flatten(1)
        return self.out(self.drop2(torch.relu(self.dense(x))))


class MLP(nn.Module):
    def __init__(self, input_dropout=0.0):
        super().__init__()
        self.drop0 = nn.Dropout(input_dropout) if input_dropout else nn.Identity()
        self.dense, self.drop, self.out = (
            nn.Linear(784, 256),
            nn.Dropout(0.5),
            nn.Linear(256, 10),
        )

    def forward(self, x):
        return self.out(self.drop(torch.relu(self.dense(self.drop0(x.flatten(1))))))


def main():
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    X = rng.random((2000, 1, 28, 28), dtype=np.float32)
    y = np.arange(2000) % 10
    cases = {
        "cnn (dropout after the conv trunk)": (ConvNet, {}),
        "mlp 784-256-10 (dropout after the hidden layer)": (MLP, {}),
        "mlp with input dropout (first module stochastic)": (
            MLP,
            {"module__input_dropout": 0.2},
        ),
    }
    results = {}
    with threadpool_limits(1):
        for name, (module, params) in cases.items():
            net = MCDropoutClassifier(
                module,
                max_epochs=1,
                batch_size=64,
                iterator_valid__batch_size=500,
                n_mc_samples=20,
                random_state=0,
                **params,
            ).fit(X[:200], y[:200])
            seconds, outputs = {}, {}
            for mode in ("input", "dropout"):
                net.set_params(mc_repeat=mode)
                outputs[mode] = net.predict_proba_samples(X)
                seconds[mode] = best_time(lambda: net.predict_proba_samples(X), 3)
            np.testing.assert_allclose(
                outputs["input"], outputs["dropout"], rtol=1e-4, atol=1e-6
            )
            results[name] = {
                "input_s": round(seconds["input"], 3),
                "dropout_s": round(seconds["dropout"], 3),
                "speedup": round(seconds["input"] / seconds["dropout"], 2),
            }
            print(
                f"{name:55s} input {seconds['input']:.2f} s  dropout "
                f"{seconds['dropout']:.2f} s  x{results[name]['speedup']:.1f}"
            )
    write_json(
        "mc_repeat",
        {
            "environment": environment(1),
            "torch": torch.__version__,
            "n_samples": 2000,
            "n_mc_samples": 20,
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
