"""Utilities shared by the query strategies: selection and validation."""

from ._pool import Pool, check_candidates
from ._selection import TopK, draw_salt, tie_keys, top_k
from ._validation import (
    check_batch_size,
    check_chunk_size,
    check_has_method,
    check_pool_subsample,
    check_proba_samples,
)

__all__ = [
    "Pool",
    "TopK",
    "check_batch_size",
    "check_candidates",
    "check_chunk_size",
    "check_has_method",
    "check_pool_subsample",
    "check_proba_samples",
    "draw_salt",
    "tie_keys",
    "top_k",
]
