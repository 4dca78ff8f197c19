"""Query strategies."""

from ._random import RandomSampling
from ._uncertainty import (
    EntropySampling,
    LeastConfidentSampling,
    MarginSampling,
    UncertaintySampling,
    VariationRatioSampling,
)

__all__ = [
    "EntropySampling",
    "LeastConfidentSampling",
    "MarginSampling",
    "RandomSampling",
    "UncertaintySampling",
    "VariationRatioSampling",
]
