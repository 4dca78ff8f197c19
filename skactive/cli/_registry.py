"""Names the command line accepts: data sets, models and strategies."""

from __future__ import annotations

from collections.abc import Callable

from sklearn import datasets
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import skactive

from ._estimators import FewLabelsKNeighborsClassifier


class CLIError(Exception):
    """A problem with the user's input: printed as one line, exit status 2."""


BUNDLED = {
    "digits": datasets.load_digits,
    "breast_cancer": datasets.load_breast_cancer,
    "wine": datasets.load_wine,
    "iris": datasets.load_iris,
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
    "egl": (
        lambda m, s: skactive.ExpectedGradientLength(m),
        "expected gradient length of the last layer",
    ),
}


def _choice(kind: str, name: str, known) -> None:
    if name not in known:
        raise CLIError(
            f"unknown {kind} {name!r}; choose from: {', '.join(sorted(known))}"
        )


def make_model(name: str, seed: int):
    _choice("model", name, MODELS)
    return MODELS[name](seed)


def make_strategy(name: str, model_name: str, batch_size: int, seed: int):
    _choice("strategy", name, STRATEGIES)
    strategy = STRATEGIES[name][0](make_model(model_name, seed), seed)
    return strategy.set_params(batch_size=batch_size, random_state=seed)


def parse_strategies(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise CLIError("--strategies is empty: give comma-separated names")
    for name in names:
        _choice("strategy", name, STRATEGIES)
    if len(set(names)) != len(names):
        raise CLIError(f"--strategies names a strategy twice: {text}")
    return names
