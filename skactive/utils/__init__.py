"""Utilities shared by the query strategies: selection and validation."""

from ._selection import TopK, draw_salt, tie_keys, top_k
from ._validation import (
    check_batch_size,
    check_chunk_size,
    check_has_method,
    check_int,
    check_multiple_classes,
    check_pool_subsample,
    check_proba_samples,
    check_real,
)

__all__ = [
    "TopK",
    "check_batch_size",
    "check_chunk_size",
    "check_has_method",
    "check_int",
    "check_multiple_classes",
    "check_pool_subsample",
    "check_proba_samples",
    "check_real",
    "draw_salt",
    "tie_keys",
    "top_k",
]
