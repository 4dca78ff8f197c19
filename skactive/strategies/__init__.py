"""Query strategies.

Every strategy of skactive that needs no optional dependency, for
classification and for regression (those of
:mod:`skactive.deep` need torch), and the selection functions
:func:`cold_start` and :func:`greedy_k_center`. A public module, as
:mod:`sklearn.linear_model` is: the same objects are importable from
:mod:`skactive` itself, where they are documented. The modules with a leading
underscore are private.
"""

from ._adaptive import ActiveLearningByLearning
from ._badge import BADGE
from ._balanced import ClassBalancedSampling
from ._batchbald import BatchBALD
from ._cluster import DiverseMiniBatch
from ._coldstart import TypiClust, cold_start
from ._committee import BALD, QueryByCommittee
from ._coreset import CoreSet
from ._density import InformationDensity
from ._egl import ExpectedGradientLength
from ._emcm import ExpectedModelChange
from ._epig import EPIG, epig_scores
from ._example import QueryByExample
from ._greedy import GreedySamplingX, GreedySamplingY, ImprovedGreedySampling
from ._hybrid import HybridSampling
from ._kcenter import greedy_k_center
from ._maxstd import MaxStdSampling
from ._meanstd import MeanSTD
from ._probcover import ProbCover
from ._random import RandomSampling
from ._ranked import RankedBatch
from ._stochastic import StochasticBatch
from ._switch import AdaptiveSampling
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
    "EPIG",
    "ActiveLearningByLearning",
    "AdaptiveSampling",
    "BatchBALD",
    "ClassBalancedSampling",
    "CoreSet",
    "DiverseMiniBatch",
    "EntropySampling",
    "ExpectedGradientLength",
    "ExpectedModelChange",
    "GreedySamplingX",
    "GreedySamplingY",
    "HybridSampling",
    "ImprovedGreedySampling",
    "InformationDensity",
    "LeastConfidentSampling",
    "MarginSampling",
    "MaxStdSampling",
    "MeanSTD",
    "ProbCover",
    "QueryByCommittee",
    "QueryByExample",
    "RandomSampling",
    "RankedBatch",
    "StochasticBatch",
    "TypiClust",
    "UncertaintySampling",
    "VariationRatioSampling",
    "cold_start",
    "epig_scores",
    "greedy_k_center",
]
