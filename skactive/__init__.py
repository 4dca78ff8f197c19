"""skactive: pool-based active learning as scikit-learn estimators."""

from .base import QueryStrategy, QueryTags, get_query_tags
from .exceptions import BatchSizeWarning
from .strategies import (
    EntropySampling,
    LeastConfidentSampling,
    MarginSampling,
    RandomSampling,
    UncertaintySampling,
    VariationRatioSampling,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "BatchSizeWarning",
    "EntropySampling",
    "LeastConfidentSampling",
    "MarginSampling",
    "QueryStrategy",
    "QueryTags",
    "RandomSampling",
    "UncertaintySampling",
    "VariationRatioSampling",
    "__version__",
    "get_query_tags",
]
