"""skactive: pool-based active learning as scikit-learn estimators."""

from .base import QueryStrategy, QueryTags, get_query_tags
from .committee import Committee
from .exceptions import BatchSizeWarning
from .loop import (
    ActiveLearner,
    ActiveLearningClassifier,
    ComparisonResult,
    NoisyOracle,
    SimulationResult,
    compare,
    simulate,
)
from .strategies import (
    BADGE,
    BALD,
    BatchBALD,
    CoreSet,
    DiverseMiniBatch,
    EntropySampling,
    ExpectedGradientLength,
    HybridSampling,
    InformationDensity,
    LeastConfidentSampling,
    MarginSampling,
    MeanSTD,
    QueryByCommittee,
    RandomSampling,
    RankedBatch,
    TypiClust,
    UncertaintySampling,
    VariationRatioSampling,
    cold_start,
    greedy_k_center,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "BADGE",
    "BALD",
    "ActiveLearner",
    "ActiveLearningClassifier",
    "BatchBALD",
    "BatchSizeWarning",
    "Committee",
    "ComparisonResult",
    "CoreSet",
    "DiverseMiniBatch",
    "EntropySampling",
    "ExpectedGradientLength",
    "HybridSampling",
    "InformationDensity",
    "LeastConfidentSampling",
    "MarginSampling",
    "MeanSTD",
    "NoisyOracle",
    "QueryByCommittee",
    "QueryStrategy",
    "QueryTags",
    "RandomSampling",
    "RankedBatch",
    "SimulationResult",
    "TypiClust",
    "UncertaintySampling",
    "VariationRatioSampling",
    "__version__",
    "cold_start",
    "compare",
    "get_query_tags",
    "greedy_k_center",
    "simulate",
]
