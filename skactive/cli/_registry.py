"""Names the command line accepts: data sets, models and strategies."""

from __future__ import annotations

from collections.abc import Callable

from sklearn import datasets
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
from sklearn.linear_model import BayesianRidge, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import skactive

from ._estimators import FewLabelsKNeighborsClassifier


class CLIError(Exception):
    """A problem with the user's input: printed as one line, exit status 2."""


def _friedman1(return_X_y=True):
    """Friedman #1 (scikit-learn's generator): 1,000 samples, 10 features
    (5 of them noise), a unit Gaussian noise; seed 0."""
    return datasets.make_friedman1(n_samples=1000, noise=1.0, random_state=0)


BUNDLED = {
    "digits": datasets.load_digits,
    "breast_cancer": datasets.load_breast_cancer,
    "wine": datasets.load_wine,
    "iris": datasets.load_iris,
    # regression
    "diabetes": datasets.load_diabetes,
    "friedman1": _friedman1,
}

MODELS: dict[str, Callable] = {
    "logreg": lambda seed: make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=1000)
    ),
    "rf": lambda seed: RandomForestClassifier(n_estimators=100, random_state=seed),
    "hgb": lambda seed: HistGradientBoostingClassifier(random_state=seed),
    "svc": lambda seed: make_pipeline(
        StandardScaler(), SVC(probability=True, random_state=seed)
    ),
    # 5 neighbours, fewer while fewer rows are labelled
    "knn": lambda seed: make_pipeline(
        StandardScaler(), FewLabelsKNeighborsClassifier(n_neighbors=5)
    ),
    "nb": lambda seed: GaussianNB(),
    "tfidf_logreg": lambda seed: make_pipeline(
        TfidfVectorizer(), LogisticRegression(max_iter=1000)
    ),
}

# Models that read one text column (``--text-column``), not numeric features.
TEXT_MODELS = frozenset({"tfidf_logreg"})


def _gp(seed):
    kernel = ConstantKernel() * RBF() + WhiteKernel()
    return make_pipeline(
        StandardScaler(),
        GaussianProcessRegressor(kernel, normalize_y=True, random_state=seed),
    )


# Regressors: a session or simulation with one of them is a regression.
REGRESSION_MODELS: dict[str, Callable] = {
    "bayesian_ridge": lambda seed: make_pipeline(StandardScaler(), BayesianRidge()),
    "gp": _gp,
    "rf_regressor": lambda seed: RandomForestRegressor(
        n_estimators=100, random_state=seed
    ),
    "ridge_committee": lambda seed: skactive.CommitteeRegressor(
        estimator=make_pipeline(StandardScaler(), Ridge()),
        n_members=5,
        random_state=seed,
    ),
}
MODELS.update(REGRESSION_MODELS)
DEFAULT_MODEL = {"classification": "logreg", "regression": "bayesian_ridge"}


def model_task(name: str) -> str:
    """``"regression"`` for a regressor's name, else ``"classification"``."""
    return "regression" if name in REGRESSION_MODELS else "classification"


def _committee(model, seed):
    return skactive.Committee(estimator=model, n_members=5, random_state=seed)


def _measure_strategy(name: str, record: skactive.measures.Measure):
    """Strategy and description of a measure: over the model, or over a bagged
    committee of 5 copies of it for the measures of the members' probabilities."""
    if record.input == "proba":
        return (
            lambda m, s: skactive.UncertaintySampling(m, method=name),
            record.description,
        )
    return (
        lambda m, s: skactive.QueryByCommittee(_committee(m, s), method=name),
        f"{record.description}, over a bagged committee of 5",
    )


# A measure's name is its strategy's name (one spelling: skactive.measures.MEASURES).
STRATEGIES: dict[str, tuple[Callable, str]] = {
    "random": (lambda m, s: skactive.RandomSampling(m), "uniformly at random"),
    **{
        name: _measure_strategy(name, record)
        for name, record in skactive.measures.MEASURES.items()
    },
    "coreset": (lambda m, s: skactive.CoreSet(m), "greedy k-center (core-set)"),
    "diverse_minibatch": (
        lambda m, s: skactive.DiverseMiniBatch(m),
        "weighted k-means over the 10 x batch most uncertain",
    ),
    "ranked_batch": (
        lambda m, s: skactive.RankedBatch(m),
        "least confident against similarity to the labelled set, ranked",
    ),
    "class_balanced": (
        lambda m, s: skactive.ClassBalancedSampling(m),
        "margin within the predicted class with the fewest labels",
    ),
    "stochastic_margin": (
        lambda m, s: skactive.StochasticBatch(m),
        "a batch drawn with weights margin ** 1 (power sampling)",
    ),
    "density": (
        lambda m, s: skactive.InformationDensity(m),
        "entropy x average similarity to the pool",
    ),
    "badge": (lambda m, s: skactive.BADGE(m), "k-means++ on gradient embeddings"),
    "adaptive": (
        lambda m, s: skactive.AdaptiveSampling(m),
        "TypiClust while one batch of labels still changes the model's "
        "predictions on a tenth of the pool, then diverse mini-batch",
    ),
    "albl": (
        lambda m, s: skactive.ActiveLearningByLearning(m),
        "a bandit over random, margin, diverse mini-batch and TypiClust "
        "(active learning by learning)",
    ),
    "egl": (
        lambda m, s: skactive.ExpectedGradientLength(m),
        "expected gradient length of the last layer",
    ),
}


# Regression strategies (over a regressor of REGRESSION_MODELS); random
# sampling and core-set serve both tasks.
REGRESSION_STRATEGIES: dict[str, tuple[Callable, str]] = {
    "random": STRATEGIES["random"],
    "max_std": (
        lambda m, s: skactive.MaxStdSampling(m),
        "the largest predictive std (query by committee over a committee or a forest)",
    ),
    "emcm": (
        lambda m, s: skactive.ExpectedModelChange(m),
        "expected model change over 4 bootstrap models",
    ),
    "gsx": (
        lambda m, s: skactive.GreedySamplingX(m),
        "greedy sampling in the input space (farthest from the labelled)",
    ),
    "gsy": (
        lambda m, s: skactive.GreedySamplingY(m),
        "greedy sampling of the predicted output",
    ),
    "igs": (
        lambda m, s: skactive.ImprovedGreedySampling(m),
        "improved greedy sampling: input distance x output distance",
    ),
    "coreset": STRATEGIES["coreset"],
}
TASK_STRATEGIES = {
    "classification": STRATEGIES,
    "regression": REGRESSION_STRATEGIES,
}
ALL_STRATEGIES = frozenset(STRATEGIES) | frozenset(REGRESSION_STRATEGIES)
# The benchmarks' best: AdaptiveSampling (classification: within a point of
# the best strategy on 14 of the wide benchmark's 16 sets), GSx (regression:
# it beat random sampling on 7 of 11 sets with each model).
DEFAULT_STRATEGY = {"classification": "adaptive", "regression": "gsx"}


def _choice(kind: str, name: str, known) -> None:
    if name not in known:
        raise CLIError(
            f"unknown {kind} {name!r}; choose from: {', '.join(sorted(known))}"
        )


def _check_task_strategy(name: str, task: str, context: str) -> None:
    """A known strategy name, of the task."""
    _choice("strategy", name, ALL_STRATEGIES)
    if name not in TASK_STRATEGIES[task]:
        other = "regression" if task == "classification" else "classification"
        raise CLIError(
            f"strategy {name!r} is a {other} strategy, and {context}; choose "
            f"from: {', '.join(sorted(TASK_STRATEGIES[task]))}"
        )


def make_model(name: str, seed: int):
    _choice("model", name, MODELS)
    return MODELS[name](seed)


def make_strategy(name: str, model_name: str, batch_size: int, seed: int):
    _choice("model", model_name, MODELS)
    task = model_task(model_name)
    kind = "regressor" if task == "regression" else "classifier"
    _check_task_strategy(name, task, f"--model {model_name} is a {kind}")
    strategy = TASK_STRATEGIES[task][name][0](make_model(model_name, seed), seed)
    return strategy.set_params(batch_size=batch_size, random_state=seed)


def parse_strategies(text: str, task: str = "classification") -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise CLIError("--strategies is empty: give comma-separated names")
    for name in names:
        _check_task_strategy(name, task, f"the task is {task}")
    if len(set(names)) != len(names):
        raise CLIError(f"--strategies names a strategy twice: {text}")
    return names
