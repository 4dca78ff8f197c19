"""Query strategies."""

from ._badge import BADGE
from ._batchbald import BatchBALD
from ._cluster import DiverseMiniBatch
from ._coldstart import TypiClust, cold_start
from ._committee import BALD, QueryByCommittee
from ._coreset import CoreSet
from ._density import InformationDensity
from ._egl import ExpectedGradientLength
from ._hybrid import HybridSampling
from ._kcenter import greedy_k_center
from ._meanstd import MeanSTD
from ._random import RandomSampling
from ._uncertainty import (
    EntropySampling,
    LeastConfidentSampling,
    MarginSampling,
    UncertaintySampling,
    VariationRatioSampling,
)

__all__ = [
    "BADGE",
    "BALD",
    "BatchBALD",
    "CoreSet",
    "DiverseMiniBatch",
    "EntropySampling",
    "ExpectedGradientLength",
    "HybridSampling",
    "InformationDensity",
    "LeastConfidentSampling",
    "MarginSampling",
    "MeanSTD",
    "QueryByCommittee",
    "RandomSampling",
    "TypiClust",
    "UncertaintySampling",
    "VariationRatioSampling",
    "cold_start",
    "greedy_k_center",
]
